"""Benchmark registry, loader and offline fetch (a loopback HTTP server plays raw.githubusercontent)."""

from __future__ import annotations

import contextlib
import functools
import gzip
import json
import logging
import re
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from xatgrn.data import datasets as ds
from xatgrn.errors import XatgrnInputError
from xatgrn.utils import sha256_file

# --- helpers / fixtures -----------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own download cache; no mirror or progress bars leak in."""
    cache = tmp_path / "cache"
    monkeypatch.setenv(ds.CACHE_ENV, str(cache))
    monkeypatch.setenv("XATGRN_NO_PROGRESS", "1")
    monkeypatch.delenv(ds.MIRROR_ENV, raising=False)
    return cache


@pytest.fixture(scope="module")
def manifest(fgrn_dir: Path) -> dict:
    return json.loads((fgrn_dir / "manifest.json").read_text())["datasets"]


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[tuple[str, list[str]]]:
    """Serve ``directory`` on 127.0.0.1 (random port); yields (base URL, requested paths)."""
    hits: list[str] = []

    class Handler(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        def do_GET(self) -> None:
            hits.append(self.path)
            super().do_GET()

    handler = functools.partial(Handler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", hits
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def mirror(fgrn_source_dir: Path) -> Iterator[tuple[str, list[str]]]:
    with serve(fgrn_source_dir) as served:
        yield served


def _negatives(text: str) -> int:
    """The manifest states e.g. 'num_negative = 2046'."""
    return int(re.search(r"=\s*(\d+)", text).group(1))


# --- registry ---------------------------------------------------------------------------------


def test_registry_matches_manifest(manifest: dict) -> None:
    assert ds.list_datasets() == list(manifest)
    assert len(ds.DATASETS) == 9
    for name, entry in manifest.items():
        spec = ds.DATASETS[name]
        assert dict(spec.counts) == entry["counts"], name
        assert spec.files == {k: v["sha256"] for k, v in entry["files"].items()}, name
        for src, key in (
            (spec.expression_source, "expression_source"),
            (spec.regulations_source, "regulations_source"),
        ):
            assert (src.repository, src.commit, src.path, src.sha256) == (
                entry[key]["repository"],
                entry[key]["commit"],
                entry[key]["path"],
                entry[key]["sha256"],
            ), (name, key)
        assert spec.n_negatives == _negatives(entry["official_script"]["negatives_sampled"])
        assert spec.graph_dim == entry["official_script"]["dim_net"]
        assert spec.reference_script == entry["official_script"]["path"]
        reference_raw = entry["official_transform"].startswith("none")
        assert spec.preprocessing == ("none" if reference_raw else "log2_minmax"), name


def test_registry_is_read_only() -> None:
    spec = ds.DATASETS["ecoli_cold"]
    with pytest.raises(TypeError):
        spec.counts["genes"] = 1  # type: ignore[index]
    with pytest.raises(TypeError):
        ds.DATASETS["x"] = spec  # type: ignore[index]
    assert json.loads(json.dumps(spec.to_dict()))["counts"]["genes"] == spec.counts["genes"]


def test_source_urls_default_and_mirror() -> None:
    src = ds.DATASETS["dream5_net1"].expression_source
    assert src.url() == (
        f"https://raw.githubusercontent.com/aertslab/arboreto/{src.commit}/"
        "resources/dream5/net1/net1_expression_data.tsv"
    )
    assert src.url("http://h:1/") == (
        "http://h:1/aertslab/arboreto/resources/dream5/net1/net1_expression_data.tsv"
    )


def test_unknown_name_lists_valid_names() -> None:
    with pytest.raises(XatgrnInputError, match=r"unknown dataset 'ecoli'.*ecoli_cold.*human_lung"):
        ds.load_dataset("ecoli")


# --- locations --------------------------------------------------------------------------------


def test_resolution_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ds.DATA_ENV, str(tmp_path / "env"))
    assert ds.resolve_data_dir(tmp_path / "arg") == tmp_path / "arg"
    assert ds.resolve_data_dir() == tmp_path / "env"
    monkeypatch.delenv(ds.DATA_ENV)
    assert ds.resolve_data_dir() == tmp_path / "cache" / "fgrn"  # $XATGRN_CACHE (autouse)
    monkeypatch.delenv(ds.CACHE_ENV)
    import pooch

    assert ds.resolve_data_dir() == Path(pooch.os_cache("xatgrn")) / "fgrn"


def test_missing_dataset_says_where_and_how(tmp_path: Path) -> None:
    with pytest.raises(XatgrnInputError) as err:
        ds.load_dataset("ecoli_cold", tmp_path)
    msg = str(err.value)
    assert str(tmp_path / "ecoli_cold") in msg
    assert "xatgrn datasets fetch ecoli_cold" in msg
    assert "XATGRN_DATA_DIR" in msg


def test_missing_dream5_expression_gives_public_location(tmp_path: Path, fgrn_dir: Path) -> None:
    target = tmp_path / "dream5_net1"
    target.mkdir()
    shutil.copy(fgrn_dir / "dream5_net1" / ds.REGULATIONS_FILE, target)
    url = ds.DATASETS["dream5_net1"].expression_source.url()
    with pytest.raises(XatgrnInputError, match=re.escape(url)):
        ds.load_dataset("dream5_net1", tmp_path)


# --- conversion (synthetic text) --------------------------------------------------------------


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


# --- load -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(ds.DATASETS))
def test_load_dataset_matches_manifest(name: str, fgrn_dir: Path, manifest: dict) -> None:
    data = ds.load_dataset(name, fgrn_dir)
    counts = manifest[name]["counts"]
    assert data.expression.shape == (counts["genes"], counts["samples"])
    types = data.regulations["type"].value_counts()
    assert types["activation"] == counts["activation"]
    assert types["repression"] == counts["repression"]
    assert len(data.regulations) == counts["edges"]
    assert data.metadata["sha256"] == {k: v["sha256"] for k, v in manifest[name]["files"].items()}
    assert data.metadata["checksums_match_registry"] is True
    assert data.metadata["n_negatives"] == ds.DATASETS[name].n_negatives
    assert data.metadata["preprocessing_applied"] == "none"
    assert data.metadata["data_dir"] == str(fgrn_dir)


def test_load_with_reference_preprocessing(fgrn_dir: Path) -> None:
    raw = ds.load_dataset("ecoli_lactose", fgrn_dir)
    ref = ds.load_dataset("ecoli_lactose", fgrn_dir, preprocess=True)
    assert ref.metadata["preprocessing_applied"] == "log2_minmax"
    np.testing.assert_allclose(ref.expression.min(axis=0), 0.0)
    np.testing.assert_allclose(ref.expression.max(axis=0), 1.0)
    explicit = ds.load_dataset("ecoli_lactose", fgrn_dir, preprocess="none")
    np.testing.assert_array_equal(explicit.expression.to_numpy(), raw.expression.to_numpy())


def test_load_unknown_preprocessing_fails_fast(tmp_path: Path) -> None:
    with pytest.raises(XatgrnInputError, match=r"unknown preprocessing 'zscore'"):
        ds.load_dataset("ecoli_cold", tmp_path, preprocess="zscore")  # no files needed


def test_load_env_var_dir(fgrn_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ds.DATA_ENV, str(fgrn_dir))
    assert ds.load_dataset("human_liver").expression.shape[1] == 10


def test_load_rejects_files_that_differ_from_registry(tmp_path: Path, fgrn_dir: Path) -> None:
    target = tmp_path / "ecoli_lactose"
    target.mkdir()
    shutil.copy(fgrn_dir / "ecoli_lactose" / ds.EXPRESSION_FILE, target)
    lines = (fgrn_dir / "ecoli_lactose" / ds.REGULATIONS_FILE).read_text().splitlines(True)
    (target / ds.REGULATIONS_FILE).write_text("".join(lines[:-3]))  # three edges lost
    with pytest.raises(XatgrnInputError, match=r"does not match the registry.*edges 4101.*--force"):
        ds.load_dataset("ecoli_lactose", tmp_path)


# --- fetch (offline) --------------------------------------------------------------------------


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


def test_corrupted_source_gives_checksum_error(tmp_path: Path, fgrn_source_dir: Path) -> None:
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
    monkeypatch.setattr(ds, "convert_regulations", lambda raw, source="": b"regulator\n")
    with pytest.raises(XatgrnInputError, match=r"ecoli_lactose/regulations\.tsv: expected"):
        ds.fetch_dataset("ecoli_lactose", tmp_path, mirror=mirror[0])
    folder = tmp_path / "ecoli_lactose"
    assert [p.name for p in folder.iterdir()] == [ds.EXPRESSION_FILE]  # no temp file left


# --- CLI --------------------------------------------------------------------------------------


@pytest.fixture
def run_cli() -> Iterator:
    from xatgrn.cli import cli

    logger = logging.getLogger("xatgrn")
    saved = (logger.handlers[:], logger.level)
    yield functools.partial(CliRunner().invoke, cli)
    logger.handlers[:], logger.level = saved  # the CLI points a handler at the runner's stderr


def test_cli_list_and_info(run_cli, fgrn_dir: Path, tmp_path: Path) -> None:
    result = run_cli(["datasets", "list", "--data-dir", str(fgrn_dir)])
    assert result.exit_code == 0, result.output
    assert result.output.count("available locally") == 9
    empty = run_cli(["datasets", "--data-dir", str(tmp_path), "list"])
    assert empty.exit_code == 0 and empty.output.count("not fetched") == 9

    info = run_cli(["datasets", "info", "ecoli_cold", "--data-dir", str(fgrn_dir)])
    assert info.exit_code == 0, info.output
    spec = ds.DATASETS["ecoli_cold"]
    for expected in ("n_negatives: 2046", "RegulonDB", "DeepFGRN", spec.expression_source.url()):
        assert expected in info.output
    as_json = json.loads(run_cli(["datasets", "info", "human_lung", "--json"]).output)
    assert as_json["graph_dim"] == 256


def test_cli_fetch_via_env_mirror(
    run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mirror: tuple[str, list[str]]
) -> None:
    monkeypatch.setenv(ds.MIRROR_ENV, mirror[0])
    result = run_cli(["-q", "datasets", "fetch", "human_liver", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert str(tmp_path / "human_liver") in result.output
    assert ds.is_available("human_liver", tmp_path)


def test_cli_unknown_dataset_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    from xatgrn.cli import main

    logger = logging.getLogger("xatgrn")
    saved = (logger.handlers[:], logger.level)
    try:
        with pytest.raises(SystemExit) as exit_info:
            main(["datasets", "info", "nope"])
    finally:
        logger.handlers[:], logger.level = saved
    assert exit_info.value.code == 2
    assert "error: unknown dataset 'nope'" in capsys.readouterr().err
