"""Per-fold classification metrics for the 3-class task (none 0, repression 1, activation 2).

Names are honest about what they compute (method.md §4):

- ``auroc_macro_ovr``: the macro average of the three one-vs-rest AUROCs. This is what the
  paper's table calls "AUROC (ovo)" (the reference passes one-hot ``y_true`` to scikit-learn,
  which then ignores ``multi_class``); compare with the paper using this one.
- ``auroc_ovo``: a true one-vs-one AUROC (Hand & Till) on probabilities.
- ``precision`` / ``recall`` / ``f1``: support-weighted over the 3 classes, as the paper.
- per-class: ``auroc_activation`` / ``auprc_activation`` (activation vs rest), the same for
  repression, and ``auroc_edge`` / ``auprc_edge`` (any regulation vs none).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from sklearn import metrics as skm

from xatgrn.data.schema import ACTIVATION, NONE, REPRESSION

CLASSES = (NONE, REPRESSION, ACTIVATION)


def _safe(fn, *args, **kwargs) -> float:
    """Metric value, or NaN when undefined (e.g. a class absent from the fold)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return float(fn(*args, **kwargs))
        except ValueError:
            return math.nan


def _binary(fn, positive: np.ndarray, score: np.ndarray) -> float:
    """A binary ranking metric; NaN when the fold holds only one of the two groups."""
    if positive.all() or not positive.any():
        return math.nan
    return _safe(fn, positive, score)


def classification_metrics(y_true: np.ndarray, proba: np.ndarray) -> dict[str, float]:
    """All per-fold metrics from true labels (n,) and class probabilities (n, 3)."""
    y_true = np.asarray(y_true, dtype=np.int64)
    proba = np.asarray(proba, dtype=np.float64)
    if proba.ndim != 2 or proba.shape[1] != 3 or len(proba) != len(y_true):
        raise ValueError(f"proba must be (n, 3) aligned with y_true; got {proba.shape}")
    y_pred = proba.argmax(axis=1)
    onehot = np.eye(3, dtype=np.int64)[y_true]
    all_present = len(np.unique(y_true)) == 3
    out: dict[str, float] = {
        "accuracy": float(skm.accuracy_score(y_true, y_pred)),
        "auroc_macro_ovr": _safe(skm.roc_auc_score, onehot, proba, average="macro")
        if all_present
        else math.nan,
        "auroc_ovo": _safe(
            skm.roc_auc_score, y_true, proba, multi_class="ovo", labels=list(CLASSES)
        )
        if all_present
        else math.nan,
        "auprc_macro": _safe(skm.average_precision_score, onehot, proba, average="macro")
        if all_present
        else math.nan,
        "precision": float(
            skm.precision_score(y_true, y_pred, average="weighted", labels=CLASSES, zero_division=0)
        ),
        "recall": float(
            skm.recall_score(y_true, y_pred, average="weighted", labels=CLASSES, zero_division=0)
        ),
        "f1": float(
            skm.f1_score(y_true, y_pred, average="weighted", labels=CLASSES, zero_division=0)
        ),
        "mcc": _safe(skm.matthews_corrcoef, y_true, y_pred),
    }
    for name, c in (("activation", ACTIVATION), ("repression", REPRESSION)):
        out[f"auroc_{name}"] = _binary(skm.roc_auc_score, y_true == c, proba[:, c])
        out[f"auprc_{name}"] = _binary(skm.average_precision_score, y_true == c, proba[:, c])
    edge_score = 1.0 - proba[:, NONE]
    out["auroc_edge"] = _binary(skm.roc_auc_score, y_true != NONE, edge_score)
    out["auprc_edge"] = _binary(skm.average_precision_score, y_true != NONE, edge_score)
    return out


def aggregate(per_fold: list[dict[str, float]], ddof: int = 1) -> dict[str, dict[str, float]]:
    """Mean and standard deviation (with the stated ``ddof``) of each metric over folds/runs."""
    keys = sorted({k for row in per_fold for k in row})
    out = {}
    for k in keys:
        vals = np.array([row.get(k, math.nan) for row in per_fold], dtype=np.float64)
        vals = vals[~np.isnan(vals)]
        n = len(vals)
        out[k] = {
            "mean": float(vals.mean()) if n else math.nan,
            "std": float(vals.std(ddof=ddof)) if n > ddof else math.nan,
            "n": n,
            "ddof": ddof,
        }
    return out
