"""Tests for xatgrn.data.fetch: conversions and offline fetch (a loopback HTTP server plays
raw.githubusercontent)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from xatgrn.data import datasets as ds
from xatgrn.data import fetch
from xatgrn.errors import XatgrnInputError
from xatgrn.utils import sha256_file

pytestmark = pytest.mark.usefixtures("isolated_cache")


# --- conversion (synthetic text) ------------------------------------------------------------------


def test_convert_ecoli_renames_first_header_field_only() -> None:
    raw = b"genename,rep1_T1,rep1_T2\nfis,1.50,2\nrob,3,4.0000\n"
    out = ds.convert_expression(raw, "ecoli")
    assert out == b"gene,rep1_T1,rep1_T2\nfis,1.50,2\nrob,3,4.0000\n"
    with pytest.raises(XatgrnInputError, match="genename"):
        ds.convert_expression(b"id,a\nx,1\n", "ecoli")


def test_convert_human_renames_samples_and_drops_last_two_rows() -> None:
    raw = b"0,1,2,3\nA,1.0,0.0,2.5\nB,3,4,5\nA,9,9,9\nB,8,8,8\n"
    out = ds.convert_expression(raw, "human")
    assert out == b"gene,s1,s2,s3\nA,1.0,0.0,2.5\nB,3,4,5\n"


def test_convert_dream5_transposes_verbatim() -> None:
    raw = b"G1\tG2\tG3\n0.1000000\t0.2000000\t0.3000000\n1.0000000\t2.0000000\t3.0000000\n"
    out = ds.convert_expression(raw, "dream5")
    assert out == (
        b"gene,s1,s2\nG1,0.1000000,1.0000000\nG2,0.2000000,2.0000000\nG3,0.3000000,3.0000000\n"
    )


def test_convert_regulations_last_row_wins_in_first_appearance_order() -> None:
    raw = (
        b"A,B,activator\n"
        b"A,C,repressor\n"
        b"F,G,activator\n"
        b"A,B,repressor\n"  # conflict: last row wins, position of first appearance kept
        b"D,E,activatorrepressor\n"  # other label: dropped
        b"F,G,activatorrepressor\n"  # last label is 'other': the pair is dropped
        b"C,C,activator\n"  # self-loop kept
    )
    out = ds.convert_regulations(raw)
    assert out == (
        b"regulator\ttarget\ttype\nA\tB\trepression\nA\tC\trepression\nC\tC\tactivation\n"
    )


def test_gzip_is_reproducible_without_name_or_time() -> None:
    data = b"gene,s1\nA,1\n" * 100
    first, second = ds.gzip_bytes(data), ds.gzip_bytes(data)
    assert first == second
    assert first[3] == 0  # FLG: no file name
    assert first[4:8] == b"\0\0\0\0"  # MTIME 0
    assert gzip.decompress(first) == data


# --- fetch (offline) ------------------------------------------------------------------------------


def test_fetch_offline_is_byte_identical(
    tmp_path: Path, manifest: dict, mirror: tuple[str, list[str]]
) -> None:
    url, hits = mirror
    out = tmp_path / "data"
    names = ["ecoli_cold", "human_breast", "dream5_net1"]
    folders = ds.fetch_all(out, mirror=url, names=names)
    assert folders == {name: out / name for name in names}
    for name in names:
        for fname, entry in manifest[name]["files"].items():
            assert sha256_file(out / name / fname) == entry["sha256"], (name, fname)
    assert len(hits) == 6  # one download per source file
    assert any("aertslab/arboreto" in h for h in hits)

    # second fetch without force: no download, no rewrite
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    ds.fetch_all(out, mirror=url, names=names)
    assert len(hits) == 6
    assert {p: p.stat().st_mtime_ns for p in mtimes} == mtimes


def test_fetch_uses_env_mirror_and_source_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mirror: tuple[str, list[str]]
) -> None:
    url, hits = mirror
    monkeypatch.setenv(ds.MIRROR_ENV, url)
    ds.fetch_dataset("ecoli_lactose", tmp_path / "a")
    assert len(hits) == 2
    # force rebuilds the files, but the checked sources come from the download cache
    target = tmp_path / "a" / "ecoli_lactose" / ds.REGULATIONS_FILE
    target.write_text("stale")
    ds.fetch_dataset("ecoli_lactose", tmp_path / "a", force=True)
    assert len(hits) == 2
    assert sha256_file(target) == ds.DATASETS["ecoli_lactose"].files[ds.REGULATIONS_FILE]


def test_corrupted_source_gives_checksum_error(
    tmp_path: Path, fgrn_source_dir: Path, serve
) -> None:
    rel = Path(ds.DATASETS["ecoli_lactose"].expression_source.path)
    src = fgrn_source_dir / "kikixiong" / "XATGRN" / rel
    bad = tmp_path / "mirror" / "kikixiong" / "XATGRN" / rel
    bad.parent.mkdir(parents=True)
    data = bytearray(src.read_bytes())
    data[100] = ord("9") if data[100] != ord("9") else ord("8")
    bad.write_bytes(bytes(data))
    with serve(tmp_path / "mirror") as (url, _):
        with pytest.raises(XatgrnInputError, match=r"final_Ecoli_lactose\.csv.*checksum"):
            ds.fetch_dataset("ecoli_lactose", tmp_path / "out", mirror=url)
    assert not (tmp_path / "out" / "ecoli_lactose" / ds.EXPRESSION_FILE).exists()


def test_existing_file_that_differs_is_not_overwritten(tmp_path: Path) -> None:
    target = tmp_path / "ecoli_cold" / ds.REGULATIONS_FILE
    target.parent.mkdir()
    target.write_text("regulator\ttarget\ttype\n")
    expected = ds.DATASETS["ecoli_cold"].files[ds.REGULATIONS_FILE]
    with pytest.raises(XatgrnInputError, match=rf"expected {expected}, received [0-9a-f]{{64}}"):
        ds.fetch_dataset("ecoli_cold", tmp_path, mirror="http://127.0.0.1:9")
    assert target.read_text() == "regulator\ttarget\ttype\n"


def test_wrong_conversion_never_lands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mirror: tuple[str, list[str]]
) -> None:
    monkeypatch.setattr(fetch, "convert_regulations", lambda raw, source="": b"regulator\n")
    with pytest.raises(XatgrnInputError, match=r"ecoli_lactose/regulations\.tsv: expected"):
        ds.fetch_dataset("ecoli_lactose", tmp_path, mirror=mirror[0])
    folder = tmp_path / "ecoli_lactose"
    assert [p.name for p in folder.iterdir()] == [ds.EXPRESSION_FILE]  # no temp file left
