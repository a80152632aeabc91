"""Reference expression transforms: log2(x+1) + per-sample min-max, and the identity."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xatgrn.data.preprocess import apply_preprocessing, log2_minmax
from xatgrn.errors import XatgrnInputError


def _random_expression(seed: int = 0, genes: int = 30, samples: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    values = rng.gamma(2.0, 50.0, size=(genes, samples))
    return pd.DataFrame(
        values,
        index=[f"g{i}" for i in range(genes)],
        columns=[f"s{j}" for j in range(samples)],
    )


def test_log2_minmax_hand_computed() -> None:
    # log2(x+1): column a -> 0, 1, 2; column b -> 1, 2, 4
    expr = pd.DataFrame({"a": [0.0, 1.0, 3.0], "b": [1.0, 3.0, 15.0]}, index=["g1", "g2", "g3"])
    out = log2_minmax(expr)
    expected = np.array([[0.0, 0.0], [0.5, 1.0 / 3.0], [1.0, 1.0]])
    np.testing.assert_allclose(out.to_numpy(), expected)
    assert list(out.index) == ["g1", "g2", "g3"]
    assert list(out.columns) == ["a", "b"]


def test_log2_minmax_scales_each_sample_not_each_gene() -> None:
    out = log2_minmax(_random_expression())
    np.testing.assert_allclose(out.min(axis=0).to_numpy(), 0.0)
    np.testing.assert_allclose(out.max(axis=0).to_numpy(), 1.0)
    # genes (rows) are not individually scaled
    assert not np.allclose(out.max(axis=1).to_numpy(), 1.0)


def test_log2_minmax_matches_sklearn() -> None:
    from sklearn.preprocessing import MinMaxScaler

    expr = _random_expression(seed=3)
    expected = MinMaxScaler().fit_transform(np.log2(expr.to_numpy() + 1.0))
    np.testing.assert_allclose(log2_minmax(expr).to_numpy(), expected, rtol=1e-12, atol=1e-12)


def test_constant_sample_becomes_zero_like_sklearn() -> None:
    expr = pd.DataFrame({"a": [2.0, 2.0, 2.0], "b": [0.0, 1.0, 3.0]}, index=["x", "y", "z"])
    out = log2_minmax(expr)
    assert (out["a"] == 0.0).all()
    assert not out.isna().any().any()


def test_none_is_identity_copy() -> None:
    expr = _random_expression(seed=1)
    out = apply_preprocessing(expr, "none")
    pd.testing.assert_frame_equal(out, expr)
    assert out is not expr


def test_apply_preprocessing_by_name() -> None:
    expr = _random_expression(seed=2)
    pd.testing.assert_frame_equal(apply_preprocessing(expr, "log2_minmax"), log2_minmax(expr))


def test_unknown_method_is_a_clear_error() -> None:
    with pytest.raises(XatgrnInputError, match=r"unknown preprocessing 'zscore'.*log2_minmax"):
        apply_preprocessing(_random_expression(), "zscore")


def test_values_without_a_logarithm_name_the_gene() -> None:
    expr = pd.DataFrame({"a": [1.0, -2.0], "b": [1.0, 2.0]}, index=["ok", "bad"])
    with pytest.raises(XatgrnInputError, match=r"gene 'bad'.*values > -1.*sample 'a'"):
        log2_minmax(expr)
