"""How far to trust a predicted edge list: selection rules measured on held-out prior pairs.

A predicted network is a *selection* of scored pairs (``score = 1 - p_none``): the top k, those
above a probability, or those above the threshold that reaches a stated precision. ``fit`` holds
out labelled pairs (prior edges and sampled non-edges); :func:`selection_curve` measures every
threshold on them once, and the curve travels with the model, so ``predict`` can say what its rule
is worth.

Two precisions are reported, because the held-out set is not the candidate set:

* ``typed_precision`` — among held-out pairs scored >= t, the share that are prior edges *and* get
  the right type. The held-out set has the training ratio of non-edges (about 1:1), so this is
  the precision on a balanced problem: optimistic for genome-wide prediction.
* ``precision_at_prevalence(curve, prevalence)`` — the same rates re-weighted to the candidate
  set's prevalence ``pi`` (prior edges / candidate pairs), treating every unlabelled candidate as
  a non-edge. Unknown true edges count as errors, so this is pessimistic. The truth lies between.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from xatgrn.data.schema import NONE
from xatgrn.errors import input_error

__all__ = [
    "CURVE_COLUMNS",
    "precision_at_prevalence",
    "selection_curve",
    "selection_estimate",
    "threshold_for_precision",
]

CURVE_COLUMNS = (
    "threshold",
    "n_selected",
    "typed_precision",
    "edge_precision",
    "edge_recall",
    "typed_recall",
    "mistyped_rate",
    "false_positive_rate",
)


def selection_curve(labels: np.ndarray, proba: np.ndarray, n_points: int = 201) -> pd.DataFrame:
    """Precision / recall of "keep pairs with score >= t" on held-out labelled pairs.

    Args:
        labels: true classes (0 none, 1 repression, 2 activation).
        proba: ``(n, 3)`` predicted probabilities.
        n_points: thresholds on an even grid over [0, 1].

    Returns:
        One row per threshold with :data:`CURVE_COLUMNS`; rates are ``nan`` where undefined
        (e.g. precision when nothing is selected).
    """
    labels = np.asarray(labels)
    proba = np.asarray(proba, dtype=np.float64)
    if proba.ndim != 2 or proba.shape != (len(labels), 3):
        raise ValueError(f"proba must be (n, 3) for n={len(labels)} labels, got {proba.shape}")
    score = 1.0 - proba[:, NONE]
    edge = labels != NONE
    typed_ok = edge & (proba[:, 1:].argmax(1) + 1 == labels)
    t = np.round(np.linspace(0.0, 1.0, n_points), 12)
    # selected[i, j] = score_j >= t_i, counted by sorting once instead of a pairs x thresholds matrix
    order = np.argsort(score)
    s_sorted = score[order]
    first = np.searchsorted(s_sorted, t, side="left")  # pairs before `first` are below t

    def above(mask: np.ndarray) -> np.ndarray:
        cum = np.concatenate([[0], np.cumsum(mask[order])])
        return cum[-1] - cum[first]

    n_sel = len(score) - first
    n_edge_sel, n_typed_sel = above(edge), above(typed_ok)
    n_non_sel = n_sel - n_edge_sel
    n_edge, n_non = int(edge.sum()), int((~edge).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        curve = pd.DataFrame(
            {
                "threshold": t,
                "n_selected": n_sel,
                "typed_precision": np.where(n_sel > 0, n_typed_sel / n_sel, np.nan),
                "edge_precision": np.where(n_sel > 0, n_edge_sel / n_sel, np.nan),
                "edge_recall": n_edge_sel / n_edge if n_edge else np.nan,
                "typed_recall": n_typed_sel / n_edge if n_edge else np.nan,
                "mistyped_rate": (n_edge_sel - n_typed_sel) / n_edge if n_edge else np.nan,
                "false_positive_rate": n_non_sel / n_non if n_non else np.nan,
            }
        )
    return curve


def precision_at_prevalence(curve: pd.DataFrame, prevalence: float) -> np.ndarray:
    """Typed precision re-weighted to a candidate set where a fraction ``prevalence`` are edges."""
    if not 0.0 < prevalence < 1.0:
        raise ValueError(f"prevalence must be in (0, 1), got {prevalence}")
    tp = prevalence * curve["typed_recall"].to_numpy()
    wrong = prevalence * curve["mistyped_rate"].to_numpy()
    fp = (1.0 - prevalence) * curve["false_positive_rate"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(tp + wrong + fp > 0, tp / (tp + wrong + fp), np.nan)


def threshold_for_precision(curve: pd.DataFrame, target: float, min_support: int = 10) -> float:
    """The lowest threshold whose held-out typed precision is >= ``target`` (and stays so above).

    Thresholds selecting fewer than ``min_support`` held-out pairs are too noisy to veto a rule.
    """
    if not 0.0 < target <= 1.0:
        raise input_error(f"precision {target} is not in (0, 1]", fix="pass e.g. --precision 0.9")
    prec = curve["typed_precision"].to_numpy()
    small = curve["n_selected"].to_numpy() < min_support
    ok = np.where(np.isnan(prec) | small, True, prec >= target)
    # the smallest t such that every threshold >= t also meets the target (a stable rule)
    bad = np.flatnonzero(~ok)
    start = 0 if len(bad) == 0 else bad[-1] + 1
    if start >= len(curve) or curve["n_selected"].to_numpy()[start] < min_support:
        best = np.nanmax(prec) if np.isfinite(prec).any() else float("nan")
        raise input_error(
            f"no threshold reaches a held-out typed precision of {target:.2f} "
            f"(the best is {best:.2f})",
            fix="ask for a lower --precision, or use --top-k / --min-prob",
        )
    return float(curve["threshold"].to_numpy()[start])


def selection_estimate(
    curve: pd.DataFrame | None, threshold: float, n_candidates: int, n_prior_edges: int
) -> dict[str, Any]:
    """What a rule selecting ``score >= threshold`` is worth, from the held-out curve.

    ``n_prior_edges`` among ``n_candidates`` scored pairs gives the prevalence for the
    pessimistic estimate (see the module docstring).
    """
    if curve is None or len(curve) == 0:
        return {"available": False, "why": "the model was fitted without held-out pairs"}
    t = curve["threshold"].to_numpy()
    i = int(np.clip(np.searchsorted(t, threshold, side="right") - 1, 0, len(t) - 1))
    row = curve.iloc[i]
    out: dict[str, Any] = {
        "available": True,
        "curve_threshold": float(t[i]),
        "heldout_typed_precision": _num(row["typed_precision"]),
        "heldout_edge_precision": _num(row["edge_precision"]),
        "heldout_edge_recall": _num(row["edge_recall"]),
        "heldout_typed_recall": _num(row["typed_recall"]),
        "note": (
            "held-out precision is measured at the training ratio of non-edges (optimistic); "
            "the prevalence-adjusted value counts every unlabelled candidate as a non-edge "
            "(pessimistic)"
        ),
    }
    if 0 < n_prior_edges < n_candidates:
        prev = n_prior_edges / n_candidates
        out["prevalence"] = prev
        out["prevalence_adjusted_typed_precision"] = _num(
            precision_at_prevalence(curve.iloc[[i]], prev)[0]
        )
    return out


def _num(x: Any) -> float | None:
    x = float(x)
    return None if np.isnan(x) else x
