"""The default model's head: multiclass LightGBM boosters, early-stopped on a validation split."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from xatgrn.data.pairs import stratified_split
from xatgrn.utils import current_threads

__all__ = ["BoosterConfig", "train_booster"]


@dataclass
class BoosterConfig:
    """The boosted-trees head (LightGBM, multiclass); early stopping on a validation split.

    Args:
        learning_rate, num_leaves, min_child_samples, feature_fraction, bagging_fraction,
            lambda_l2, max_bin: LightGBM's parameters of the same names.
        max_rounds: upper bound on boosting rounds; early stopping picks the number.
        early_stopping: rounds without improvement of the validation log-loss before stopping.
        validation_fraction: share of the training pairs (stratified) held out for stopping.
        class_weight: ``"balanced"`` weights each class by ``N / (3 N_c)`` (eq 27's weighting).
    """

    learning_rate: float = 0.05
    max_rounds: int = 2000
    num_leaves: int = 31
    min_child_samples: int = 20
    feature_fraction: float = 0.8
    bagging_fraction: float = 0.8
    lambda_l2: float = 1.0
    max_bin: int = 63
    early_stopping: int = 50
    validation_fraction: float = 0.1
    class_weight: str | None = "balanced"


def train_booster(
    x: np.ndarray, y: np.ndarray, rng: np.random.Generator, p: BoosterConfig
) -> tuple[Any, int]:
    """A multiclass LightGBM booster on ``(x, y)``; its rounds picked by early stopping on a
    stratified validation share (``p.validation_fraction``). Returns (booster, rounds)."""
    import lightgbm as lgb

    fit_rows, val_rows = stratified_split(
        np.arange(len(y)), y, p.validation_fraction, int(rng.integers(2**31))
    )
    weight = np.ones(len(y))
    if p.class_weight == "balanced":
        counts = np.bincount(y, minlength=3).astype(np.float64)
        weight = (len(y) / (3.0 * np.maximum(counts, 1.0)))[y]
    params = {
        "objective": "multiclass",
        "num_class": 3,
        "learning_rate": p.learning_rate,
        "num_leaves": p.num_leaves,
        "min_child_samples": p.min_child_samples,
        "feature_fraction": p.feature_fraction,
        "bagging_fraction": p.bagging_fraction,
        "bagging_freq": 1 if p.bagging_fraction < 1 else 0,
        "lambda_l2": p.lambda_l2,
        "max_bin": p.max_bin,
        "seed": int(rng.integers(2**31)),
        "deterministic": True,
        "force_row_wise": True,
        "num_threads": current_threads(),
        "verbosity": -1,
    }
    train = lgb.Dataset(x[fit_rows], y[fit_rows], weight=weight[fit_rows], free_raw_data=False)
    valid = lgb.Dataset(x[val_rows], y[val_rows], weight=weight[val_rows], reference=train)
    booster = lgb.train(
        params,
        train,
        num_boost_round=p.max_rounds,
        valid_sets=[valid],
        callbacks=[lgb.early_stopping(p.early_stopping, verbose=False)],
    )
    return booster, int(booster.best_iteration or booster.current_iteration())
