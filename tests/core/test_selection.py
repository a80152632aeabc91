"""Selection rules measured on held-out pairs: hand-computed curve points and thresholds."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from xatgrn.core.selection import (
    binomial_bounds,
    heldout_counts,
    precision_at_prevalence,
    prior_edges_among,
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
    assert est["prevalence_adjusted_typed_precision"] <= est["prevalence_adjusted_point_estimate"]


# --- honest precision estimates (issue 19) --------------------------------------------------


def test_binomial_bounds_are_clopper_pearson():
    lo, hi = binomial_bounds(0, 100)
    assert lo == 0.0 and hi == pytest.approx(1 - 0.05 ** (1 / 100))  # about 3 / n, not 0
    lo, hi = binomial_bounds(100, 100)
    assert lo == pytest.approx(0.05 ** (1 / 100)) and hi == 1.0
    lo, hi = binomial_bounds(10, 100)
    assert lo < 0.1 < hi and binomial_bounds(10, 100, 0.99)[1] > hi
    assert binomial_bounds(3, 0) == (0.0, 1.0)


def test_heldout_counts_read_back_from_the_curve():
    c = selection_curve(LABELS, PROBA, n_points=11)
    assert heldout_counts(c) == {"pairs": 6, "edges": 4, "non_edges": 2}


def big_heldout(n_edges: int = 400, n_non: int = 400, seed: int = 0):
    """A held-out set where the top scores are all edges: the FPR is 0 at high thresholds."""
    rng = np.random.default_rng(seed)
    labels = np.r_[rng.integers(1, 3, n_edges), np.zeros(n_non, dtype=int)]
    score = np.r_[rng.uniform(0.3, 1.0, n_edges), rng.uniform(0.0, 0.6, n_non)]
    proba = np.zeros((len(labels), 3))
    proba[:, 0] = 1 - score
    proba[np.arange(len(labels)), np.where(labels > 0, labels, 1)] += score
    return labels, proba


def test_pessimistic_precision_is_a_lower_bound_even_when_no_non_edge_is_selected():
    c = selection_curve(*big_heldout())
    n_candidates, n_prior = 300_000, 4_000
    est = selection_estimate(c, 0.9, n_candidates, n_prior)
    assert est["heldout_typed_precision"] == pytest.approx(1.0)  # no held-out error above 0.9
    point = est["prevalence_adjusted_point_estimate"]
    bound = est["prevalence_adjusted_typed_precision"]
    assert point == pytest.approx(1.0)  # the old "pessimistic" value: FPR 0 re-weighted is 0
    # by hand: typed recall at its lower bound, FPR at its upper bound (0 of 400 -> ~3/400)
    row = c.iloc[int(np.argmin(np.abs(c["threshold"].to_numpy() - 0.9)))]
    tr_lo = binomial_bounds(row["typed_recall"] * 400, 400)[0]
    fpr_hi = binomial_bounds(0, 400)[1]
    pi = n_prior / n_candidates
    assert bound == pytest.approx(
        pi * tr_lo / (pi * tr_lo + pi * binomial_bounds(0, 400)[1] + (1 - pi) * fpr_hi)
    )
    assert bound < 0.5 < point  # rare edges: most selected candidates could be non-edges
    assert "warning" not in est and est["heldout_pairs"] == 800


def test_bound_grows_with_prevalence_and_never_exceeds_the_point_estimate():
    c = selection_curve(*big_heldout())
    bounds = []
    for n_prior in (100, 1_000, 10_000, 100_000):
        est = selection_estimate(c, 0.7, 300_000, n_prior)
        assert (
            est["prevalence_adjusted_typed_precision"] <= est["prevalence_adjusted_point_estimate"]
        )
        bounds.append(est["prevalence_adjusted_typed_precision"])
    assert bounds == sorted(bounds) and bounds[0] < bounds[-1]


def test_small_heldout_sets_are_flagged(caplog):
    with caplog.at_level(logging.WARNING, logger="xatgrn"):
        c = selection_curve(LABELS, PROBA, n_points=11)
    assert "held-out metrics rest on only 6 pairs (4 prior edges, 2 non-edges)" in caplog.text
    est = selection_estimate(c, 0.5, 1000, 10)
    assert "only 6 pairs (4 prior edges)" in est["warning"]
    with pytest.raises(XatgrnInputError) as info:
        threshold_for_precision(c, 0.9)
    msg = str(info.value)
    assert "no threshold selects 10 or more held-out pairs" in msg  # not "the best is 1.00"
    assert "the held-out set has 6 pairs, 4 of them prior edges" in msg and "larger prior" in msg


def test_prior_edges_among_the_candidates():
    reg, tgt = np.array([0, 0, 1, 2, 3]), np.array([1, 2, 2, 2, 0])
    assert prior_edges_among(reg, tgt, np.array([0, 1, 2, 3]), None) == 5
    assert prior_edges_among(reg, tgt, np.array([0, 1]), None) == 3  # --regulators 0, 1
    assert prior_edges_among(reg, tgt, np.array([0, 1]), np.array([2])) == 2
    assert prior_edges_among(reg, tgt, np.array([0, 1, 2]), None, include_self=False) == 3
