"""Selection rules measured on held-out pairs: hand-computed curve points and thresholds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xatgrn.core.selection import (
    precision_at_prevalence,
    selection_curve,
    selection_estimate,
    threshold_for_precision,
)
from xatgrn.errors import XatgrnInputError

# labels: none 0, repression 1, activation 2; score = 1 - p_none
LABELS = np.array([2, 2, 1, 1, 0, 0])
PROBA = np.array(
    [
        [0.1, 0.2, 0.7],  # score .9, activation, right
        [0.25, 0.5, 0.25],  # score .75, says repression, truly activation: mistyped
        [0.2, 0.6, 0.2],  # score .8, repression, right
        [0.8, 0.1, 0.1],  # score .2, missed
        [0.35, 0.35, 0.3],  # score .65, non-edge selected at t <= .6
        [0.9, 0.05, 0.05],  # score .1
    ]
)


def row(curve: pd.DataFrame, t: float) -> pd.Series:
    return curve.iloc[int(np.argmin(np.abs(curve["threshold"].to_numpy() - t)))]


def test_curve_matches_hand_counts():
    c = selection_curve(LABELS, PROBA, n_points=11)
    r = row(c, 0.7)  # selects scores .9, .8, .75 (edges; one mistyped)
    assert r["n_selected"] == 3
    assert r["typed_precision"] == pytest.approx(2 / 3)
    assert r["edge_precision"] == pytest.approx(1.0)
    assert r["edge_recall"] == pytest.approx(3 / 4)
    assert r["typed_recall"] == pytest.approx(2 / 4)
    assert r["mistyped_rate"] == pytest.approx(1 / 4)
    assert r["false_positive_rate"] == pytest.approx(0.0)
    r = row(c, 0.6)  # adds the non-edge at .65
    assert r["n_selected"] == 4 and r["typed_precision"] == pytest.approx(2 / 4)
    assert r["false_positive_rate"] == pytest.approx(1 / 2)
    assert row(c, 0.0)["n_selected"] == 6
    assert np.isnan(row(c, 1.0)["typed_precision"])


def test_prevalence_adjustment_by_hand():
    c = selection_curve(LABELS, PROBA, n_points=11)
    r = c.iloc[[6]]  # t = 0.6: typed recall 1/2, mistyped 1/4, FPR 1/2
    pi = 0.01
    expected = pi * 0.5 / (pi * 0.5 + pi * 0.25 + (1 - pi) * 0.5)
    assert precision_at_prevalence(r, pi)[0] == pytest.approx(expected)
    with pytest.raises(ValueError):
        precision_at_prevalence(r, 0.0)


def test_threshold_for_precision_is_the_lowest_stable_one():
    rng = np.random.default_rng(0)
    n = 2000
    labels = rng.integers(0, 3, n)
    score = np.clip(np.where(labels > 0, 0.7, 0.3) + rng.normal(0, 0.2, n), 0, 1)
    proba = np.zeros((n, 3))
    proba[:, 0] = 1 - score
    proba[np.arange(n), np.where(labels > 0, labels, 2)] += score
    c = selection_curve(labels, proba)
    t = threshold_for_precision(c, 0.8)
    prec = c["typed_precision"].to_numpy()
    ok = (c["threshold"].to_numpy() >= t) & (c["n_selected"].to_numpy() >= 10)
    assert (prec[ok] >= 0.8).all()
    below = c["threshold"].to_numpy() < t
    assert (prec[below] < 0.8).any()  # a lower threshold would break the target somewhere
    with pytest.raises(XatgrnInputError, match="no threshold reaches"):
        threshold_for_precision(c, 0.8, min_support=n + 1)  # never enough support
    worst = selection_curve(np.zeros(n, dtype=int), proba)  # no true edge at all
    with pytest.raises(XatgrnInputError, match="no threshold reaches"):
        threshold_for_precision(worst, 0.5)
    with pytest.raises(XatgrnInputError, match="not in"):
        threshold_for_precision(c, 1.5)


def test_estimate_without_curve_says_so():
    est = selection_estimate(None, 0.5, 100, 10)
    assert est == {"available": False, "why": "the model was fitted without held-out pairs"}
    c = selection_curve(LABELS, PROBA, n_points=11)
    est = selection_estimate(c, 0.7, 1000, 10)
    assert est["heldout_typed_precision"] == pytest.approx(2 / 3)
    est = selection_estimate(c, 0.6, 1000, 10)  # one held-out non-edge selected
    assert est["heldout_typed_precision"] == pytest.approx(2 / 4)
    assert est["prevalence"] == pytest.approx(0.01)
    assert est["prevalence_adjusted_typed_precision"] < est["heldout_typed_precision"]
