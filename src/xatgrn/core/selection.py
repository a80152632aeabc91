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
  set's prevalence ``pi`` (prior edges *among the candidates* / candidate pairs), treating every
  unlabelled candidate as a non-edge (unknown true edges count as errors).

The re-weighted point estimate is still optimistic where it matters: at the high thresholds of a
top-k rule few held-out pairs are selected, the held-out false-positive rate is often exactly 0,
and a rate of 0 re-weighted by any prevalence stays 0. :func:`precision_lower_bound` therefore
uses one-sided Clopper-Pearson bounds (95 % each by default): the upper bound of the held-out
false-positive and mistyping rates and the lower bound of the typed recall. With 0 false
positives among ``n`` held-out non-edges the rate's bound is about ``3 / n``, not 0. That bound is
what ``predict`` reports as the pessimistic precision; the truth for the unlabelled candidates
lies between it and the held-out precision.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from xatgrn.data.schema import NONE
from xatgrn.errors import input_error

__all__ = [
    "CURVE_COLUMNS",
    "SMALL_HELDOUT_PAIRS",
    "binomial_bounds",
    "heldout_counts",
    "precision_at_prevalence",
    "precision_lower_bound",
    "prior_edges_among",
    "selection_curve",
    "selection_estimate",
    "threshold_for_precision",
]

log = logging.getLogger(__name__)

#: held-out sets smaller than this (pairs), or with fewer than a fifth of it in either class,
#: are too small to estimate anything: fit warns and ``predict`` says so
SMALL_HELDOUT_PAIRS = 50

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
    if _too_small(len(score), n_edge, n_non):
        log.warning(
            "held-out metrics rest on only %d pairs (%d prior edges, %d non-edges): too few to "
            "estimate precision or recall; use a larger prior (or a larger --holdout)",
            len(score),
            n_edge,
            n_non,
        )
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


def _too_small(n_pairs: int, n_edges: int, n_non: int) -> bool:
    least = SMALL_HELDOUT_PAIRS // 5
    return n_pairs < SMALL_HELDOUT_PAIRS or min(n_edges, n_non) < least


def heldout_counts(curve: pd.DataFrame) -> dict[str, int]:
    """Held-out pairs, prior edges and non-edges, read back from a curve (its ``t = 0`` row
    selects every pair, so its edge precision is the share of edges)."""
    first = curve.iloc[int(np.argmin(curve["threshold"].to_numpy()))]
    n = int(first["n_selected"])
    edges = round(float(first["edge_precision"]) * n) if n else 0
    return {"pairs": n, "edges": edges, "non_edges": n - edges}


def binomial_bounds(k: float, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """One-sided Clopper-Pearson bounds on a rate seen ``k`` times in ``n``: (lower, upper),
    each holding with probability ``confidence``. ``n = 0`` gives (0, 1): nothing is known."""
    from scipy.stats import beta

    if n <= 0:
        return 0.0, 1.0
    k = float(np.clip(round(k), 0, n))
    lower = 0.0 if k == 0 else float(beta.ppf(1.0 - confidence, k, n - k + 1))
    upper = 1.0 if k == n else float(beta.ppf(confidence, k + 1, n - k))
    return lower, upper


def precision_lower_bound(
    row: pd.Series, prevalence: float, counts: dict[str, int], confidence: float = 0.95
) -> float:
    """Typed precision at ``prevalence``, from the pessimistic ends of the held-out rates.

    Typed recall at its lower bound, mistyping and false-positive rates at their upper bounds
    (:func:`binomial_bounds` on the held-out counts ``counts``), so a threshold where no held-out
    non-edge was selected still pays for the non-edges it would select among many candidates.
    """
    if not 0.0 < prevalence < 1.0:
        raise ValueError(f"prevalence must be in (0, 1), got {prevalence}")
    e, n = counts["edges"], counts["non_edges"]
    typed, _ = binomial_bounds(_nan0(row["typed_recall"]) * e, e, confidence)
    _, mistyped = binomial_bounds(_nan0(row["mistyped_rate"]) * e, e, confidence)
    _, false_pos = binomial_bounds(_nan0(row["false_positive_rate"]) * n, n, confidence)
    tp = prevalence * typed
    wrong = prevalence * mistyped + (1.0 - prevalence) * false_pos
    return float(tp / (tp + wrong)) if tp + wrong > 0 else 0.0


def prior_edges_among(
    prior_reg: np.ndarray,
    prior_tgt: np.ndarray,
    candidate_regs: np.ndarray,
    candidate_tgts: np.ndarray | None,
    include_self: bool = True,
) -> int:
    """How many prior edges (given as gene positions) are candidate pairs: the numerator of the
    candidate set's prevalence (all prior edges would overstate it under ``--regulators``)."""
    inside = np.isin(prior_reg, candidate_regs)
    if candidate_tgts is not None:
        inside &= np.isin(prior_tgt, candidate_tgts)
    if not include_self:
        inside &= np.asarray(prior_reg) != np.asarray(prior_tgt)
    return int(inside.sum())


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
        supported = np.where(small, np.nan, prec)
        counts = heldout_counts(curve)
        best = (
            f"the best with at least {min_support} held-out pairs selected is "
            f"{np.nanmax(supported):.2f}"
            if np.isfinite(supported).any()
            else f"no threshold selects {min_support} or more held-out pairs"
        )
        raise input_error(
            f"no threshold reaches a held-out typed precision of {target:.2f} ({best}; the "
            f"held-out set has {counts['pairs']} pairs, {counts['edges']} of them prior edges)",
            fix="ask for a lower --precision, or use --top-k / --min-prob"
            + (
                "; the held-out set is too small to measure precision: fit on a larger prior"
                if _too_small(counts["pairs"], counts["edges"], counts["non_edges"])
                else ""
            ),
        )
    return float(curve["threshold"].to_numpy()[start])


def selection_estimate(
    curve: pd.DataFrame | None,
    threshold: float,
    n_candidates: int,
    n_prior_edges: int,
    *,
    confidence: float = 0.95,
) -> dict[str, Any]:
    """What a rule selecting ``score >= threshold`` is worth, from the held-out curve.

    Args:
        curve: :func:`selection_curve` of the held-out pairs (``None``: fitted without).
        threshold: the lowest score the rule keeps.
        n_candidates: candidate pairs scored.
        n_prior_edges: prior edges **among those candidates**
            (:func:`prior_edges_among`); with the default candidates (the prior's regulators x
            every gene) that is every prior edge.
        confidence: of each one-sided bound in :func:`precision_lower_bound`.

    Returns:
        ``available``; the held-out precision / recall at the threshold; the held-out counts;
        with ``0 < n_prior_edges < n_candidates`` also ``prevalence``,
        ``prevalence_adjusted_point_estimate`` (the re-weighted rates) and
        ``prevalence_adjusted_typed_precision``: the pessimistic value, a lower bound
        (unlabelled candidates counted as errors, the held-out rates at their pessimistic
        ends); ``warning`` when the held-out set is too small to estimate anything.
    """
    if curve is None or len(curve) == 0:
        return {"available": False, "why": "the model was fitted without held-out pairs"}
    t = curve["threshold"].to_numpy()
    i = int(np.clip(np.searchsorted(t, threshold, side="right") - 1, 0, len(t) - 1))
    row = curve.iloc[i]
    counts = heldout_counts(curve)
    out: dict[str, Any] = {
        "available": True,
        "curve_threshold": float(t[i]),
        "heldout_typed_precision": _num(row["typed_precision"]),
        "heldout_edge_precision": _num(row["edge_precision"]),
        "heldout_edge_recall": _num(row["edge_recall"]),
        "heldout_typed_recall": _num(row["typed_recall"]),
        "heldout_pairs": counts["pairs"],
        "heldout_edges": counts["edges"],
        "heldout_selected": int(row["n_selected"]),
        "note": (
            "held-out precision is measured at the training ratio of non-edges (optimistic); "
            "the prevalence-adjusted value is a lower bound: every unlabelled candidate counts "
            f"as a non-edge and the held-out rates are taken at their one-sided "
            f"{confidence:.0%} Clopper-Pearson bounds (pessimistic)"
        ),
    }
    if _too_small(counts["pairs"], counts["edges"], counts["non_edges"]):
        out["warning"] = (
            f"the held-out set has only {counts['pairs']} pairs ({counts['edges']} prior edges): "
            "too few to estimate precision; the numbers are shown but mean little"
        )
    if 0 < n_prior_edges < n_candidates:
        prev = n_prior_edges / n_candidates
        out["prevalence"] = prev
        out["prevalence_adjusted_point_estimate"] = _num(
            precision_at_prevalence(curve.iloc[[i]], prev)[0]
        )
        out["prevalence_adjusted_typed_precision"] = precision_lower_bound(
            row, prev, counts, confidence
        )
        out["bound_confidence"] = confidence
    return out


def _nan0(x: Any) -> float:
    x = float(x)
    return 0.0 if np.isnan(x) else x


def _num(x: Any) -> float | None:
    x = float(x)
    return None if np.isnan(x) else x
