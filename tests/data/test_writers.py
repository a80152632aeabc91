"""Tests for xatgrn.data.writers: reproducible bytes, round trips, dataset folders."""

from __future__ import annotations

import json
import logging

import pandas as pd
import pytest
from click.testing import CliRunner

from xatgrn import __version__
from xatgrn.data.datasets import load_dataset
from xatgrn.data.expression import read_expression
from xatgrn.data.regulations import read_regulations
from xatgrn.data.synthetic import simulate, simulate_on_network
from xatgrn.data.writers import DATASET_FILES, write_dataset, write_expression, write_regulations
from xatgrn.errors import XatgrnInputError
from xatgrn.utils import sha256_file

EXPECTED_EDGES = pd.DataFrame(
    {
        "regulator": ["fis", "crp", "fis", "lacI"],
        "target": ["adhE", "fis", "fis", "lacZ"],
        "type": ["activation", "repression", "repression", "activation"],
    }
)


def test_gzip_output_is_reproducible(tmp_path, expr):
    a = write_expression(expr, tmp_path / "a.csv.gz").read_bytes()
    b = write_expression(expr, tmp_path / "b.csv.gz").read_bytes()
    assert a == b and a[:2] == b"\x1f\x8b"


@pytest.mark.parametrize("suffix", [".csv", ".tsv.gz"])
def test_regulations_round_trip(tmp_path, suffix):
    path = write_regulations(EXPECTED_EDGES.assign(extra=1), tmp_path / f"r{suffix}")
    pd.testing.assert_frame_equal(read_regulations(path), EXPECTED_EDGES)
    with pytest.raises(XatgrnInputError, match="have type 'dual'"):
        write_regulations(EXPECTED_EDGES.assign(type="dual"), tmp_path / "bad.tsv")
    assert not (tmp_path / "bad.tsv").exists()


# --- write_dataset ---------------------------------------------------------------------------


def _simulate_cli(args: list[str]) -> None:
    """``xatgrn -q simulate ...`` through click's runner (restoring the logger the CLI configures)."""
    from xatgrn.cli import cli

    logger = logging.getLogger("xatgrn")
    saved = (logger.handlers[:], logger.level)
    try:
        result = CliRunner().invoke(cli, ["-q", "simulate", *args])
    finally:
        logger.handlers[:], logger.level = saved
    assert result.exit_code == 0, result.output


def _bytes(folder) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in DATASET_FILES.values()}


def test_write_dataset_gives_the_bytes_of_xatgrn_simulate(tmp_path):
    _simulate_cli(
        ["--genes", "30", "--samples", "7", "--seed", "4", "--out", str(tmp_path / "cli")]
    )
    paths = write_dataset(simulate(30, 7, seed=4), tmp_path / "lib")
    assert paths == {role: tmp_path / "lib" / name for role, name in DATASET_FILES.items()}
    assert _bytes(tmp_path / "lib") == _bytes(tmp_path / "cli")
    assert sorted(p.name for p in (tmp_path / "lib").iterdir()) == sorted(DATASET_FILES.values())


def test_write_dataset_on_a_given_network_matches_the_cli(tmp_path):
    net = tmp_path / "prior.tsv"
    net.write_text("regulator\ttarget\ttype\nTF1\tgA\tactivation\nTF1\tgB\trepression\n")
    _simulate_cli(["--samples", "5", "--network", str(net), "--out", str(tmp_path / "cli")])
    ds = simulate_on_network(read_regulations(net), 5, 0)
    ds.metadata["network"] = {"path": str(net), "sha256": sha256_file(net)}
    write_dataset(ds, tmp_path / "lib")
    assert _bytes(tmp_path / "lib") == _bytes(tmp_path / "cli")


def test_write_dataset_reads_back_and_records_the_version(tmp_path):
    ds = simulate(20, 4, seed=1)
    paths = write_dataset(ds, tmp_path)
    pd.testing.assert_frame_equal(read_expression(paths["expression"]), ds.expression)
    pd.testing.assert_frame_equal(read_regulations(paths["regulations"]), ds.regulations)
    meta = json.loads(paths["metadata"].read_text())
    assert meta == {**json.loads(json.dumps(ds.metadata)), "xatgrn_version": __version__}
    assert "xatgrn_version" not in ds.metadata  # the dataset itself is left alone


def test_write_dataset_refuses_to_overwrite(tmp_path):
    write_dataset(simulate(20, 4, seed=1), tmp_path)
    before = _bytes(tmp_path)
    (tmp_path / DATASET_FILES["metadata"]).unlink()
    other = simulate(20, 4, seed=2)
    with pytest.raises(
        XatgrnInputError,
        match=r"expression\.csv\.gz: file already exists \(also: regulations\.tsv\)\. "
        r"Fix: pass overwrite=True \(CLI: --force\)",
    ):
        write_dataset(other, tmp_path)
    assert not (tmp_path / DATASET_FILES["metadata"]).exists()  # nothing written
    kept = {k: v for k, v in before.items() if k != DATASET_FILES["metadata"]}
    assert {k: (tmp_path / k).read_bytes() for k in kept} == kept
    write_dataset(other, tmp_path, overwrite=True)
    assert _bytes(tmp_path) != before
    pd.testing.assert_frame_equal(
        read_regulations(tmp_path / DATASET_FILES["regulations"]), other.regulations
    )


def test_written_benchmark_folder_loads_back(tmp_path, fgrn_dir):
    real = load_dataset("human_liver", fgrn_dir)
    write_dataset(real, tmp_path / "human_liver")
    back = load_dataset("human_liver", tmp_path)  # the registry's count checks pass
    pd.testing.assert_frame_equal(back.expression, real.expression, check_exact=True)
    pd.testing.assert_frame_equal(back.regulations, real.regulations)
