"""Tests for xatgrn.data.registry: the benchmark datasets as data, and where they live."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from xatgrn.data import datasets as ds
from xatgrn.errors import XatgrnInputError

pytestmark = pytest.mark.usefixtures("isolated_cache")


def _negatives(text: str) -> int:
    """The manifest states e.g. 'num_negative = 2046'."""
    return int(re.search(r"=\s*(\d+)", text).group(1))


# --- registry -------------------------------------------------------------------------------------


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


# --- locations ------------------------------------------------------------------------------------


def test_resolution_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ds.DATA_ENV, str(tmp_path / "env"))
    assert ds.resolve_data_dir(tmp_path / "arg") == tmp_path / "arg"
    assert ds.resolve_data_dir() == tmp_path / "env"
    monkeypatch.delenv(ds.DATA_ENV)
    assert ds.resolve_data_dir() == tmp_path / "cache" / "fgrn"  # $XATGRN_CACHE (isolated_cache)
    monkeypatch.delenv(ds.CACHE_ENV)
    import pooch

    assert ds.resolve_data_dir() == Path(pooch.os_cache("xatgrn")) / "fgrn"


def test_find_local_copy_looks_in_shared_style_folders(tmp_path):
    from xatgrn.data.registry import find_local_copy

    work = tmp_path / "work" / "main"
    work.mkdir(parents=True)
    assert find_local_copy(work) is None
    copy = tmp_path / "work" / "shared" / "data" / "fgrn"
    copy.mkdir(parents=True)
    (copy / "manifest.json").write_text("{}")
    assert find_local_copy(work) == copy  # ../shared/data/fgrn from work/main


def test_missing_data_error_points_at_a_local_copy(tmp_path, monkeypatch):
    work = tmp_path / "work" / "main"
    work.mkdir(parents=True)
    copy = tmp_path / "work" / "shared" / "data" / "fgrn"
    copy.mkdir(parents=True)
    (copy / "manifest.json").write_text("{}")
    monkeypatch.chdir(work)
    with pytest.raises(XatgrnInputError, match=rf"a local copy is at {re.escape(str(copy))}"):
        ds.load_dataset("ecoli_cold", data_dir=tmp_path / "empty")
