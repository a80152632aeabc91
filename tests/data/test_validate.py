"""Tests for xatgrn.data.validate: the one in-memory validator."""

from __future__ import annotations

import logging
import pickle

import numpy as np
import pandas as pd
import pytest

from xatgrn.data.preprocess import apply_preprocessing
from xatgrn.data.schema import REGULATION_COLUMNS
from xatgrn.data.synthetic import simulate
from xatgrn.data.validate import align, check_expression, gene_positions, validate_data
from xatgrn.errors import XatgrnInputError


def test_align_drop_warns_and_strict_raises(expr, caplog):
    regs = pd.DataFrame(
        {
            "regulator": ["fis", "crp", "fis", "zz"],
            "target": ["crp", "lacI", "yy", "fis"],
            "type": ["activation", "repression", "activation", "repression"],
        }
    )
    with caplog.at_level(logging.WARNING, logger="xatgrn"):
        out = align(expr, regs)
    assert out.values.tolist() == regs.iloc[:2].values.tolist()
    assert isinstance(out.index, pd.RangeIndex)
    assert "2 of 5 prior-network genes are absent" in caplog.text and "2 of 4 edges" in caplog.text
    with pytest.raises(XatgrnInputError, match=r"prior.tsv: 2 of 5 .*'yy', 'zz'.*--strict"):
        align(expr, regs, strict=True, source="prior.tsv")
    pd.testing.assert_frame_equal(align(expr, regs.iloc[:2]), regs.iloc[:2])


# --- validate_data: the canonical form -----------------------------------------------------


@pytest.fixture
def data() -> tuple[pd.DataFrame, pd.DataFrame]:
    """A small simulated dataset, with its rows shuffled so the canonical order is not a no-op."""
    ds = simulate(30, 6, seed=5)
    rng = np.random.default_rng(0)
    expression = ds.expression.iloc[rng.permutation(len(ds.expression))]
    prior = ds.regulations.iloc[rng.permutation(len(ds.regulations))]
    return expression, prior


def test_validated_data_is_canonical(data):
    expression, prior = data
    v = validate_data(expression, prior)
    assert v.expression.index.is_monotonic_increasing
    assert (v.expression.dtypes == np.float64).all()
    pd.testing.assert_frame_equal(v.expression, expression.sort_index(), check_exact=True)
    assert tuple(v.prior.columns) == REGULATION_COLUMNS
    assert isinstance(v.prior.index, pd.RangeIndex) and v.prior.index.start == 0
    keys = list(zip(v.prior["regulator"], v.prior["target"], strict=True))
    assert keys == sorted(keys)
    assert set(keys) == set(zip(prior["regulator"], prior["target"], strict=True))
    assert v.genes.name == "gene" and v.genes.tolist() == sorted(expression.index)
    assert v.samples.tolist() == [str(c) for c in expression.columns]


def test_validate_data_is_idempotent(data):
    v = validate_data(*data)
    again = validate_data(v.expression, v.prior)
    assert again == v
    pd.testing.assert_frame_equal(again.prior, v.prior, check_exact=True)


def test_row_order_of_the_inputs_changes_nothing(data):
    expression, prior = data
    v = validate_data(expression, prior)
    rng = np.random.default_rng(1)
    for _ in range(3):
        w = validate_data(
            expression.iloc[rng.permutation(len(expression))],
            prior.iloc[rng.permutation(len(prior))],
        )
        assert w == v


def test_inputs_are_not_modified(data):
    expression, prior = data
    before = expression.copy(), prior.copy()
    v = validate_data(expression, prior)
    v.expression.iloc[0, 0] = -1.0
    pd.testing.assert_frame_equal(expression, before[0])
    pd.testing.assert_frame_equal(prior, before[1])


def test_ids_become_str_and_extra_columns_are_dropped():
    expression = pd.DataFrame(
        [[1, 2], [3, 4], [5, 6]], index=[10, 2, 3], columns=["a", "b"], dtype=np.int64
    )
    prior = pd.DataFrame(
        {
            "regulator": np.array(["3", "10"], dtype=np.str_),
            "target": ["2", "3"],
            "type": ["repression", "activation"],
            "evidence": ["x", "y"],
        }
    )
    v = validate_data(expression, prior)
    assert v.expression.index.tolist() == ["10", "2", "3"]  # str order, not numeric
    assert v.expression.dtypes.tolist() == [np.float64, np.float64]
    assert v.prior.to_dict("list") == {
        "regulator": ["10", "3"],
        "target": ["3", "2"],
        "type": ["activation", "repression"],
    }
    assert all(type(g) is str for g in v.prior["regulator"])


def test_equality_compares_frames_not_sources_or_the_memo(data):
    v = validate_data(*data, sources={"expression": "a.csv"})
    w = validate_data(*data)
    assert v.sources == {"expression": "a.csv"} and w.sources == {}
    v.preprocessed("log2_minmax")
    assert v == w
    other = validate_data(data[0] * 2.0, data[1])
    assert other != v
    assert v != "not validated data"
    with pytest.raises(TypeError):
        hash(v)


def test_preprocessed_is_float32_memoised_and_exact(data):
    v = validate_data(*data)
    for method in ("none", "log2_minmax"):
        out = v.preprocessed(method)
        assert out is v.preprocessed(method)
        assert (out.dtypes == np.float32).all()
        expected = apply_preprocessing(v.expression, method).astype(np.float32)
        pd.testing.assert_frame_equal(out, expected, check_exact=True)
    with pytest.raises(XatgrnInputError, match="unknown preprocessing 'zscore'"):
        v.preprocessed("zscore")


def test_pickles_without_the_memo(data):
    v = validate_data(*data, sources={"k": 1})
    v.preprocessed("log2_minmax")
    w = pickle.loads(pickle.dumps(v))
    assert w == v and w.sources == {"k": 1}
    assert w._preprocessed == {}
    pd.testing.assert_frame_equal(
        w.preprocessed("log2_minmax"), v.preprocessed("log2_minmax"), check_exact=True
    )


def test_check_expression_sorts_and_copies():
    x = pd.DataFrame({"s1": [1.0, 2.0]}, index=pd.Index(["b", "a"], name="gene"))
    out = check_expression(x)
    assert out.index.tolist() == ["a", "b"] and out.index.name == "gene"
    out.iloc[0, 0] = 9.0
    assert x.loc["a", "s1"] == 2.0


# --- validate_data: messages ---------------------------------------------------------------

PRIOR = pd.DataFrame(
    {"regulator": ["a", "b"], "target": ["b", "c"], "type": ["activation", "repression"]}
)
EXPR = pd.DataFrame(np.ones((3, 2)), index=["a", "b", "c"], columns=["s1", "s2"])


@pytest.mark.parametrize(
    ("expression", "prior", "kwargs", "match"),
    [
        (
            EXPR.to_numpy(),
            PRIOR,
            {},
            r"expression must be a pandas DataFrame \(genes x samples\), got ndarray. "
            r"Fix: read it with xatgrn.data.io.read_expression",
        ),
        (
            EXPR.assign(s2=[1.0, np.nan, 1.0]),
            PRIOR,
            {},
            r"expression holds NaN or infinite values. Fix: impute or drop them",
        ),
        (
            EXPR.replace(1.0, np.inf),
            PRIOR,
            {},
            r"expression holds NaN or infinite values",
        ),
        (
            EXPR.set_axis(["a", "b", "a"]),
            PRIOR,
            {},
            r"^gene 'a': duplicate gene id in expression. Fix: make gene ids unique$",
        ),
        (EXPR, PRIOR.iloc[:0], {}, r"the prior network has no edges"),
        (
            EXPR,
            PRIOR.assign(type="activation"),
            {"source": "p.tsv"},
            r"^p.tsv: the prior network has fewer than 2 regulation classes "
            r"\(2 activation, 0 repression edges\)",
        ),
        (
            EXPR.iloc[:2],
            PRIOR,
            {"strict": True, "source": "p.tsv"},
            r"^p.tsv: 1 of 3 prior-network genes are absent from the expression matrix "
            r"\('c'\); 1 of 2 edges use them.*--strict",
        ),
        (
            EXPR.set_axis(["A", "B", "C"]),
            PRIOR,
            {},
            r"no prior edge has both genes in the expression matrix: 3 of the expression's "
            r"gene ids match the prior's genes only when letter case is ignored \('A' vs 'a'.*"
            r"3 of 3 .*\(some differ only in letter case\).*same letter case",
        ),
    ],
)
def test_validate_data_errors(expression, prior, kwargs, match):
    with pytest.raises(XatgrnInputError, match=match):
        validate_data(expression, prior, **kwargs)


def test_dropping_edges_warns_and_keeps_the_rest(caplog):
    with caplog.at_level(logging.WARNING, logger="xatgrn"):
        v = validate_data(EXPR, pd.concat([PRIOR, PRIOR.assign(target="zz")]))
    assert (
        "1 of 4 prior-network genes are absent from the expression matrix ('zz'); 2 of 4 "
        "edges use them; dropped those edges" in caplog.text
    )
    assert v.prior.equals(PRIOR)


def test_gene_positions_names_the_unknown_genes():
    genes = pd.Index(["a", "b", "c"], name="gene")
    np.testing.assert_array_equal(gene_positions(genes, ["c", "a"]), [2, 0])
    with pytest.raises(XatgrnInputError, match=r"2 regulator gene\(s\) are not in the model's"):
        gene_positions(genes, ["x", "a", "y"], "regulator")


def test_gene_positions_says_when_only_letter_case_differs():
    from xatgrn.data.validate import gene_positions

    genes = pd.Index(["fis", "crp", "lacI"])
    assert gene_positions(genes, ["crp", "fis"]).tolist() == [1, 0]
    with pytest.raises(
        XatgrnInputError, match=r"1 match only when letter case is ignored, e\.g\. 'FIS' vs 'fis'"
    ):
        gene_positions(genes, ["FIS", "zzz"], "regulator")
