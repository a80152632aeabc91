"""Registered libraries: offline folder first (hash-checked), else a pinned pooch download."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from xatgrn.analysis import genesets
from xatgrn.analysis.genesets import LIBRARIES, get_library_spec, library_path, load_library
from xatgrn.errors import XatgrnInputError


def test_registry_matches_the_shared_checksums(genesets_dir):
    sums = dict(
        reversed(line.split()) for line in (genesets_dir / "SHA256SUMS").read_text().splitlines()
    )
    assert {s.file: s.sha256 for s in LIBRARIES.values()} == sums
    spec = get_library_spec("dsigdb.gmt.gz")
    assert spec.name == "DSigDB"
    assert spec.url.endswith(f"/{genesets.COMMIT}/gene_sets/DSigDB.gmt.gz")


def test_offline_folder_is_used_first(genesets_dir, monkeypatch):
    monkeypatch.setattr(genesets, "_download", lambda *a, **k: pytest.fail("no download"))
    assert (
        library_path("MSigDB_Hallmark", genesets_dir) == genesets_dir / "h.all.v6.2.symbols.gmt.gz"
    )
    monkeypatch.setenv("XATGRN_GENESETS_DIR", str(genesets_dir))
    lib = load_library("MSigDB_Hallmark")
    assert len(lib) == 50 and lib.sha256 == LIBRARIES["MSigDB_Hallmark"].sha256
    assert "MSigDB" in lib.citation


def test_wrong_offline_file_is_an_error(tmp_path, genesets_dir):
    shutil.copy(
        genesets_dir / "c2.cp.kegg.v6.2.symbols.gmt.gz", tmp_path / "h.all.v6.2.symbols.gmt.gz"
    )
    with pytest.raises(XatgrnInputError, match="SHA-256 mismatch for MSigDB_Hallmark"):
        library_path("MSigDB_Hallmark", tmp_path)


def test_missing_offline_file_downloads_with_the_pinned_hash(tmp_path, monkeypatch, genesets_dir):
    import pooch

    calls = {}

    def fake_retrieve(url, known_hash, fname, path, progressbar):
        calls.update(url=url, known_hash=known_hash)
        dest = Path(path) / fname
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(genesets_dir / fname, dest)
        return str(dest)

    monkeypatch.setattr(pooch, "retrieve", fake_retrieve)
    monkeypatch.setenv("XATGRN_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("XATGRN_GENESETS_DIR", raising=False)
    got = library_path("MSigDB_KEGG", tmp_path / "empty", progress=False)
    assert got.is_file() and str(got).startswith(str(tmp_path / "cache"))
    assert calls["known_hash"] == "sha256:" + LIBRARIES["MSigDB_KEGG"].sha256
    assert calls["url"].startswith("https://raw.githubusercontent.com/khughitt/snakes-cca/")


def test_unknown_library():
    with pytest.raises(XatgrnInputError, match=r"unknown gene-set library 'GO'.*DSigDB"):
        get_library_spec("GO")
