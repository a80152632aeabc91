"""Datasets prepared for CV: validated once, canonical whatever the input order, with checksums."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from xatgrn.data.io import write_expression, write_regulations
from xatgrn.data.synthetic import simulate
from xatgrn.data.validate import ValidatedData, validate_data
from xatgrn.errors import XatgrnInputError
from xatgrn.evaluate.data import CVData, cv_data, files_data


@pytest.fixture(scope="module")
def sim():
    return simulate(n_genes=30, n_samples=10, seed=4)


def test_cv_data_holds_the_validated_inputs(sim):
    data = cv_data(sim)
    assert isinstance(data.validated, ValidatedData)
    assert data.validated == validate_data(sim.expression, sim.regulations)
    # the old attributes read the validated frames (the runner passes them to estimators)
    assert data.expression is data.validated.expression
    assert data.regulations is data.validated.prior
    assert list(data.genes) == sorted(map(str, sim.expression.index))
    assert data.expression.dtypes.eq(np.float64).all()
    assert data.source == {"kind": "in-memory"}
    assert set(data.sha256) == {"expression(content)", "regulations(content)"}


def test_input_row_order_changes_nothing(sim):
    """Same content in another row order: same frames, same checksums, hence same task keys."""
    permuted = dataclasses.replace(
        sim,
        expression=sim.expression.sample(frac=1.0, random_state=1),
        regulations=sim.regulations.sample(frac=1.0, random_state=2),
    )
    a, b = cv_data(sim), cv_data(permuted)
    assert a.validated == b.validated and a.sha256 == b.sha256


def test_content_checksum_follows_the_values(sim):
    changed = dataclasses.replace(sim, expression=sim.expression * 2.0)
    a, b = cv_data(sim), cv_data(changed)
    assert a.sha256["expression(content)"] != b.sha256["expression(content)"]
    assert a.sha256["regulations(content)"] == b.sha256["regulations(content)"]
    given = cv_data(sim, sha256={"expr.csv": "0" * 64})
    assert given.sha256 == {"expr.csv": "0" * 64}


def test_summary_counts_the_prior(sim):
    data = cv_data(sim, preprocessing="log2_minmax", n_negatives=12)
    s = data.summary()
    counts = sim.regulations["type"].value_counts()
    assert (s["n_genes"], s["n_samples"]) == sim.expression.shape
    assert s["n_prior_edges"] == len(sim.regulations) == s["activation"] + s["repression"]
    assert s["activation"] == counts["activation"] and s["repression"] == counts["repression"]
    assert s["preprocessing"] == "log2_minmax" and s["sha256"] == data.sha256


def test_replace_keeps_the_validated_data(sim):
    """The CLI swaps the preprocessing with dataclasses.replace."""
    data = cv_data(sim)
    other = dataclasses.replace(data, preprocessing="log2_minmax")
    assert isinstance(other, CVData) and other.validated is data.validated
    assert other.preprocessing == "log2_minmax" and other.sha256 == data.sha256


def test_duplicate_gene_ids_are_a_clear_error(sim):
    expr = sim.expression.copy()
    expr.index = [expr.index[1], *expr.index[1:]]
    with pytest.raises(XatgrnInputError, match="duplicate gene id in expression"):
        cv_data(dataclasses.replace(sim, expression=expr))


def test_files_data_records_file_checksums(sim, tmp_path):
    write_expression(sim.expression, tmp_path / "expr.csv")
    write_regulations(sim.regulations, tmp_path / "prior.tsv")
    data = files_data(tmp_path / "expr.csv", tmp_path / "prior.tsv", name="mine")
    assert data.name == "mine" and data.source["kind"] == "files"
    assert set(data.sha256) == {"expr.csv", "prior.tsv"}
    assert all(len(v) == 64 for v in data.sha256.values())
    assert data.validated == cv_data(sim).validated
