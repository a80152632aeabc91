"""Tests for xatgrn.data.datasets: loading a benchmark dataset, and the `xatgrn datasets` CLI."""

from __future__ import annotations

import functools
import json
import logging
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from xatgrn.data import datasets as ds
from xatgrn.errors import XatgrnInputError

pytestmark = pytest.mark.usefixtures("isolated_cache")


# --- missing data ---------------------------------------------------------------------------------


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


# --- load -----------------------------------------------------------------------------------------


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


# --- CLI ------------------------------------------------------------------------------------------


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
