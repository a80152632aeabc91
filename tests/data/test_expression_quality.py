"""Scale checks, gene-id kinds, spreadsheet dates and fittability (issue 19)."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from xatgrn.data.expression_quality import check_gene_ids, check_scale, scale_report
from xatgrn.data.gene_ids import date_like, mismatch_reason, namespace, row_numbers
from xatgrn.data.regulations import read_regulations
from xatgrn.data.validate import check_fittable
from xatgrn.errors import XatgrnInputError


def frame(values: np.ndarray) -> pd.DataFrame:
    genes = pd.Index([f"g{i}" for i in range(values.shape[0])], name="gene")
    return pd.DataFrame(values, index=genes, columns=[f"s{j}" for j in range(values.shape[1])])


def warnings_of(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.fixture
def rng():
    return np.random.default_rng(19)


def test_log_scale_data_pass_without_a_word(rng, caplog):
    with caplog.at_level(logging.INFO, logger="xatgrn"):
        report = check_scale(frame(rng.uniform(4, 12, (50, 8))), "x.csv")
    assert not report["unlogged"] and not report["standardised"] and report["negative"] == 0
    assert warnings_of(caplog) == []


def test_unlogged_counts_warn_unless_log2_minmax_is_asked(rng, caplog):
    counts = frame(np.round(rng.lognormal(3, 2.5, (200, 8))))
    with caplog.at_level(logging.WARNING, logger="xatgrn"):
        assert check_scale(counts, "c.csv")["unlogged"]
    (msg,) = warnings_of(caplog)
    assert msg.startswith("c.csv: values up to") and "--preprocessing log2_minmax" in msg
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="xatgrn"):
        check_scale(counts, "c.csv", preprocessing="log2_minmax")
    assert warnings_of(caplog) == []


def test_raw_intensities_with_negative_values_warn(rng, caplog):
    values = rng.lognormal(6, 2, (300, 8)) - 150.0  # background-subtracted intensities
    with caplog.at_level(logging.WARNING, logger="xatgrn"):
        report = check_scale(frame(values), "mas5.txt")
    assert report["negative"] > 0 and report["unlogged"]
    (msg,) = warnings_of(caplog)
    assert "negative value(s)" in msg and "raw intensities with background subtraction" in msg


def test_standardised_data_warn_and_name_the_unscaled_matrix(rng, caplog):
    x = rng.normal(size=(100, 30))
    z = (x - x.mean(1, keepdims=True)) / x.std(1, keepdims=True)
    with caplog.at_level(logging.WARNING, logger="xatgrn"):
        assert check_scale(frame(z), "a.h5ad", unscaled_hint="layer 'counts'")["standardised"]
    (msg,) = warnings_of(caplog)
    assert "every gene looks standardised" in msg and "(layer 'counts')" in msg


def test_constant_genes_and_log_domain(caplog):
    values = np.array([[1.0, 1.0, 1.0], [0.5, -2.0, 3.0], [2.0, 4.0, 8.0]])
    with caplog.at_level(logging.WARNING, logger="xatgrn"):
        assert scale_report(values)["constant_genes"] == 1
        check_scale(frame(values), "x.csv")
    assert any(
        "1 gene(s) have the same value in every sample ('g0')" in m for m in warnings_of(caplog)
    )
    with pytest.raises(
        XatgrnInputError, match=r"^x\.csv, gene 'g1': log2\(x \+ 1\).*the first -2 in sample 's1'"
    ):
        check_scale(frame(values), "x.csv", preprocessing="log2_minmax")


def test_gene_id_kinds():
    assert namespace(["ENSG00000141510", "ENSG00000135679"]) == "Ensembl gene ids"
    assert (
        namespace(["ENSG00000141510.17", "ENSG00000135679.4"])
        == "Ensembl ids with version suffixes"
    )
    assert namespace(["1007_s_at", "1053_at", "ILMN_1343291"]) == "microarray probe ids"
    assert namespace(["7157", "4193"]) == "Entrez ids (numbers)"
    assert namespace(["TP53", "MDM2", "fis", "G12"]) == "gene symbols"
    reason, fix = mismatch_reason({"row labels": ["7157", "4193"]}, ["TP53", "MDM2"])
    assert "row labels look like Entrez ids (numbers) ('7157', '4193')" in reason and "map" in fix
    assert mismatch_reason({"row labels": ["TP53", "XYZ"]}, ["TP53", "MDM2"]) is None


def test_spreadsheet_dates_and_row_numbers(caplog):
    assert date_like(["1-Dec", "7-Sep", "SEPT7", "Mar-1", "2019-12-01", "DEC1", "1-Dec-19"]) == [
        "1-Dec", "7-Sep", "Mar-1", "2019-12-01", "1-Dec-19",
    ]  # fmt: skip
    with caplog.at_level(logging.WARNING, logger="xatgrn"):
        check_gene_ids(pd.Index(["TP53", "1-Dec", "7-Sep"]), "e.csv")
    assert (
        "2 gene id(s) look like dates a spreadsheet made of gene symbols ('1-Dec', '7-Sep'"
        in caplog.text
    )
    assert row_numbers(["0", "1", "2"]) and row_numbers(["1", "2", "3"])
    assert not row_numbers(["7157", "4193", "1"]) and not row_numbers(["0", "1"])
    with pytest.raises(XatgrnInputError, match=r"the gene ids are the numbers 1\.\.3"):
        check_gene_ids(pd.Index(["1", "2", "3"]), "e.csv")


def test_dates_in_a_prior_are_warned(tmp_path, caplog):
    (tmp_path / "p.csv").write_text("TP53,1-Dec,activator\nMDM2,TP53,repressor\n")
    with caplog.at_level(logging.WARNING, logger="xatgrn"):
        read_regulations(tmp_path / "p.csv")
    assert (
        "1 gene name(s) look like dates a spreadsheet made of gene symbols ('1-Dec';" in caplog.text
    )


def test_fittable_needs_three_edges_of_each_type_and_warns_below_25(caplog):
    def prior(n_act: int, n_rep: int) -> pd.DataFrame:
        n = n_act + n_rep
        return pd.DataFrame(
            {
                "regulator": [f"r{i}" for i in range(n)],
                "target": [f"t{i}" for i in range(n)],
                "type": ["activation"] * n_act + ["repression"] * n_rep,
            }
        )

    with pytest.raises(XatgrnInputError, match="only 5 activation and 2 repression edges"):
        check_fittable(prior(5, 2), source="p.tsv")
    with caplog.at_level(logging.WARNING, logger="xatgrn"):
        check_fittable(prior(3, 30), source="p.tsv")
    assert "only 3 activation and 30 repression edges" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="xatgrn"):
        check_fittable(prior(25, 30), source="p.tsv")
    assert caplog.text == ""
