"""Tests for xatgrn.data.expression: formats, round trips, parsers, orientation, AnnData."""

from __future__ import annotations

import logging
import re
import sys

import numpy as np
import pandas as pd
import pytest

from xatgrn.data.expression import (
    _parse_expression_fast,
    _parse_expression_strict,
    read_expression,
)
from xatgrn.data.expression_checks import to_genes_by_samples
from xatgrn.data.writers import write_expression
from xatgrn.errors import XatgrnInputError


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".txt", ".csv.gz", ".TSV.GZ", ".h5ad"])
def test_expression_round_trip_is_exact(tmp_path, expr, suffix):
    path = write_expression(expr, tmp_path / f"x{suffix}")
    back = read_expression(path)
    pd.testing.assert_frame_equal(back, expr)
    assert back.index.map(type).unique().tolist() == [str]  # "001" stays a string
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temp files left behind


def test_fast_and_strict_parsers_agree(tmp_path, expr):
    path = write_expression(expr, tmp_path / "x.csv")
    ids, cols, values = _parse_expression_fast(path, ",")
    fast = to_genes_by_samples(ids, cols, values, "genes-by-samples")
    strict, used = _parse_expression_strict(path, ",", "auto", None)
    assert used == "genes-by-samples"
    pd.testing.assert_frame_equal(fast, strict)


def test_r_write_table_layout(tmp_path):
    # R's write.table(): quoted names and no header field above the id column
    (tmp_path / "r.txt").write_text('"s1"\t"s2"\n"g1"\t1\t2\n"g2"\t3\t4\n')
    (tmp_path / "bad.txt").write_text('"s1"\t"s2"\n"g1"\t1\tx\n"g2"\t3\t4\n')
    df = read_expression(tmp_path / "r.txt")
    assert df.index.tolist() == ["g1", "g2"] and df.columns.tolist() == ["s1", "s2"]
    with pytest.raises(
        XatgrnInputError, match="line 2, gene 'g1': non-numeric value 'x' in sample 's2'"
    ):
        read_expression(tmp_path / "bad.txt")


def test_orientation_auto_explicit_and_default(tmp_path, expr, caplog):
    genes_by_samples = write_expression(expr, tmp_path / "gs.csv")
    samples_by_genes = write_expression(expr.T, tmp_path / "sg.tsv")
    hint = ["fis", "crp", "lacI", "other"]
    for path in (genes_by_samples, samples_by_genes):
        pd.testing.assert_frame_equal(
            read_expression(path, genes_hint=hint), expr, check_names=False
        )
    sg = read_expression(samples_by_genes, orientation="samples-by-genes")
    pd.testing.assert_frame_equal(sg, expr, check_names=False)
    with caplog.at_level(logging.INFO, logger="xatgrn"):
        assert read_expression(samples_by_genes).shape == (4, 6)  # no hint: genes x samples
    assert "assuming genes-by-samples" in caplog.text
    # explicit orientation wins over a hint that says otherwise
    assert read_expression(
        genes_by_samples, orientation="samples-by-genes", genes_hint=hint
    ).shape == (4, 6)


def test_h5ad_orientation_sparse_and_layers(tmp_path, expr, monkeypatch):
    anndata = pytest.importorskip("anndata")
    sparse = pytest.importorskip("scipy.sparse")
    adata = anndata.AnnData(
        X=sparse.csr_matrix(expr.to_numpy().T),
        obs=pd.DataFrame(index=pd.Index(expr.columns.to_numpy(object), dtype=object)),
        var=pd.DataFrame(index=pd.Index(expr.index.to_numpy(object), dtype=object)),
        layers={"raw": np.ones((4, 6))},
    )
    adata.write_h5ad(tmp_path / "a.h5ad")
    pd.testing.assert_frame_equal(read_expression(tmp_path / "a.h5ad"), expr)
    assert (read_expression(tmp_path / "a.h5ad", layer="raw").to_numpy() == 1).all()
    with pytest.raises(XatgrnInputError, match=r"no layer 'counts' \(layers: \['raw'\]\)"):
        read_expression(tmp_path / "a.h5ad", layer="counts")
    adata.T.write_h5ad(tmp_path / "t.h5ad")  # genes stored as obs: detected via the hint
    back = read_expression(tmp_path / "t.h5ad", genes_hint=["fis", "crp", "lacI"])
    pd.testing.assert_frame_equal(back, expr)
    monkeypatch.setitem(sys.modules, "anndata", None)
    with pytest.raises(XatgrnInputError, match=re.escape('pip install "xatgrn[h5ad]"')):
        read_expression(tmp_path / "a.h5ad")


def test_h5ad_nan_names_gene_and_sample(tmp_path, expr):
    pytest.importorskip("anndata")
    bad = expr.copy()
    bad.loc["crp", "s2"] = np.nan
    write_expression(bad, tmp_path / "b.h5ad")
    with pytest.raises(XatgrnInputError, match=r"gene 'crp': missing value .* sample 's2'"):
        read_expression(tmp_path / "b.h5ad")
