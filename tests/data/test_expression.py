"""Tests for xatgrn.data.expression: formats, round trips, parsers, orientation, AnnData."""

from __future__ import annotations

import logging
import re
import sys

import numpy as np
import pandas as pd
import pytest

from xatgrn.data.expression import read_expression
from xatgrn.data.expression_checks import to_genes_by_samples
from xatgrn.data.expression_text import (
    _parse_fast,
    _parse_strict,
    plan_columns,
)
from xatgrn.data.files import read_cells, read_header, text_layout
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
    layout = text_layout(path, ",")
    sample, lines = read_cells(path, ",", skiprows=1)
    plan = plan_columns(
        read_header(path, ","), sample, lines, path=path, header_line=1, hint=None, index_col=None
    )
    ids, cols, values = _parse_fast(path, layout, plan, sample.shape[1], False)
    fast = to_genes_by_samples(ids, cols, values, "genes-by-samples")
    strict, used = _parse_strict(path, layout, plan, "auto", None, False, sample.shape[1])
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


# --- layouts recognised by content (issue 19) -----------------------------------------------


def test_no_id_column_needs_the_prior_or_index_col(tmp_path):
    (tmp_path / "d5.tsv").write_text(
        "G1\tG2\tG3\n0.42\t0.50\t1.05\n0.44\t0.61\t1.11\n0.31\t0.52\t0.97\n"
    )
    with pytest.raises(XatgrnInputError, match=r"line 2: the first column holds numbers"):
        read_expression(tmp_path / "d5.tsv")  # nothing says the header holds genes
    df = read_expression(tmp_path / "d5.tsv", index_col="none")
    assert df.index.tolist() == ["G1", "G2", "G3"] and df.columns.tolist() == ["s1", "s2", "s3"]
    assert df.loc["G1"].tolist() == [0.42, 0.44, 0.31]  # the first gene is kept, not labels
    hinted = read_expression(tmp_path / "d5.tsv", genes_hint=["G1", "G2"])
    pd.testing.assert_frame_equal(hinted, df)
    # --index-col 1 on the same file: the numbers are taken as ids, on request only
    assert read_expression(tmp_path / "d5.tsv", index_col="1").index.tolist() == [
        "0.42",
        "0.44",
        "0.31",
    ]


def test_time_points_in_the_first_column_are_not_guessed(tmp_path):
    # a corner field ('time') over sorted numbers: labels, not a gene -> ask, never guess
    (tmp_path / "ts.csv").write_text("time,G1,G2\n0,1.5,2.5\n0.5,1.7,2.1\n1,1.9,2.0\n")
    with pytest.raises(XatgrnInputError, match=r"the first column holds numbers.*--index-col"):
        read_expression(tmp_path / "ts.csv", genes_hint=["G1", "G2"])
    df = read_expression(tmp_path / "ts.csv", genes_hint=["G1", "G2"], index_col="time")
    assert df.columns.tolist() == ["0", "0.5", "1"] and df.index.tolist() == ["G1", "G2"]


def test_integer_sample_names_are_fine_but_a_numeric_header_is_data(tmp_path):
    (tmp_path / "ints.csv").write_text("0,1,2,3\nfis,1.5,2.0,3.1\ncrp,0.4,0.8,1.2\n")
    assert read_expression(tmp_path / "ints.csv").columns.tolist() == ["1", "2", "3"]
    (tmp_path / "floats.csv").write_text("fis,1.5,0.2,3.1\ncrp,0.4,0.8,1.2\n")
    with pytest.raises(XatgrnInputError, match="line 1: the header holds numbers"):
        read_expression(tmp_path / "floats.csv")
    (tmp_path / "sorted.csv").write_text("fis,1.5,2.0,3.1\ncrp,0.4,0.8,1.2\n")
    with pytest.raises(XatgrnInputError, match="line 1: the header holds numbers"):
        read_expression(tmp_path / "sorted.csv", genes_hint=["fis", "crp"])  # 'fis' is a gene
    (tmp_path / "hours.csv").write_text(
        "gene,0,0.5,1,2\nfis,1.5,0.2,3.1,2.2\ncrp,0.4,0.8,1.2,0.1\n"
    )
    hours = read_expression(tmp_path / "hours.csv", genes_hint=["fis", "crp"])
    assert hours.columns.tolist() == ["0", "0.5", "1", "2"]  # time points as sample names


def test_annotation_columns_are_ignored_or_chosen(tmp_path, caplog):
    text = "ID_REF\tIDENTIFIER\tGSM1\tGSM2\n1000_at\tfis\t7.1\t7.4\n1001_at\tcrp\t5.2\t5.9\n"
    (tmp_path / "gds.tsv").write_text(text)
    with caplog.at_level(logging.WARNING, logger="xatgrn"):
        plain = read_expression(tmp_path / "gds.tsv")  # no prior: probe ids, symbols ignored
    assert plain.index.tolist() == ["1000_at", "1001_at"]
    assert plain.columns.tolist() == ["GSM1", "GSM2"]
    assert "ignored 1 annotation column(s) of text, not expression: 'IDENTIFIER'" in caplog.text
    hinted = read_expression(tmp_path / "gds.tsv", genes_hint=["fis", "crp"])
    assert hinted.index.tolist() == ["fis", "crp"]  # the column holding the prior's genes
    chosen = read_expression(tmp_path / "gds.tsv", index_col="IDENTIFIER")
    assert chosen.index.tolist() == ["fis", "crp"]


@pytest.mark.parametrize(
    ("how", "fis"), [("mean", [7.5, 8.0]), ("median", [7.5, 8.0]), ("max", [7.9, 8.6])]
)
def test_aggregate_duplicate_gene_ids(tmp_path, caplog, how, fis):
    text = "gene,s1,s2\nfis,7.1,7.4\ncrp,5.2,5.9\nfis,7.9,8.6\n"
    (tmp_path / "dup.csv").write_text(text)
    with pytest.raises(XatgrnInputError, match=r"duplicate gene id 'fis'.*--aggregate mean"):
        read_expression(tmp_path / "dup.csv")
    with caplog.at_level(logging.WARNING, logger="xatgrn"):
        df = read_expression(tmp_path / "dup.csv", aggregate=how)
    assert df.index.tolist() == ["fis", "crp"]  # first-appearance order
    assert df.loc["fis"].tolist() == pytest.approx(fis) and df.loc["crp"].tolist() == [5.2, 5.9]
    assert "1 gene id(s) occur on 2 rows" in caplog.text
    with pytest.raises(XatgrnInputError, match="unknown aggregate 'sum'"):
        read_expression(tmp_path / "dup.csv", aggregate="sum")


def test_h5ad_layer_raw_and_scaled_x(tmp_path, expr, caplog):
    anndata = pytest.importorskip("anndata")
    counts = np.abs(expr.to_numpy().T) + 1.0
    scaled = (counts - counts.mean(0)) / counts.std(0)
    adata = anndata.AnnData(
        X=scaled,
        obs=pd.DataFrame(index=pd.Index(expr.columns.to_numpy(object), dtype=object)),
        var=pd.DataFrame(index=pd.Index(expr.index.to_numpy(object), dtype=object)),
        layers={"counts": counts},
    )
    adata.raw = anndata.AnnData(X=counts * 2, obs=adata.obs, var=adata.var)
    adata.write_h5ad(tmp_path / "sc.h5ad")
    x = read_expression(tmp_path / "sc.h5ad")
    assert x.to_numpy().min() < 0
    assert read_expression(tmp_path / "sc.h5ad", layer="counts").to_numpy() == pytest.approx(
        counts.T
    )
    assert read_expression(tmp_path / "sc.h5ad", layer="raw").to_numpy() == pytest.approx(
        2 * counts.T
    )
    with pytest.raises(
        XatgrnInputError, match=r"no layer 'spliced' \(layers: \['counts'\]\).*'raw' for \.raw"
    ):
        read_expression(tmp_path / "sc.h5ad", layer="spliced")
    with pytest.raises(XatgrnInputError, match=r"layer='counts' only applies to \.h5ad"):
        read_expression(write_expression(expr, tmp_path / "x.csv"), layer="counts")
    from xatgrn.data.expression import _read_expression

    _, info = _read_expression(tmp_path / "sc.h5ad")
    assert info["matrix"] == "X" and info["other_matrices"] == ["layer 'counts'", "raw"]


def test_h5ad_reading_leaks_no_python_warnings(tmp_path, expr):
    anndata = pytest.importorskip("anndata")
    import warnings

    var = pd.DataFrame(index=pd.Index(["fis", "crp", "fis", "lacI", "NA", "x"], dtype=object))
    with warnings.catch_warnings():  # anndata warns about the repeated names it is given
        warnings.simplefilter("ignore")
        adata = anndata.AnnData(
            X=np.abs(expr.to_numpy().T) + 1,
            obs=pd.DataFrame(index=pd.Index(expr.columns.to_numpy(object), dtype=object)),
            var=var,
        )
        adata.write_h5ad(tmp_path / "dup.h5ad")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(XatgrnInputError, match=r"duplicate gene id 'fis' \(var_names\[0\]"):
            read_expression(tmp_path / "dup.h5ad")  # anndata's own warning: debug log only
        df = read_expression(tmp_path / "dup.h5ad", aggregate="mean")
    assert [str(w.message) for w in caught] == [] and df.shape == (5, 4)
