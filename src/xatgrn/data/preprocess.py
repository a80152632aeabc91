"""Expression transforms used by the benchmark's reference code (pure functions, no I/O).

The reference scripts transform E. coli and human expression with ``log2(x + 1)`` followed by
scikit-learn's ``MinMaxScaler`` on the *genes x samples* matrix, so each **sample** (column) is
scaled to [0, 1] across genes — not each gene. DREAM5 is used raw. Keeping the transform here,
by name, lets a dataset spec say which one reproduces the paper's protocol.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from xatgrn.errors import input_error

log = logging.getLogger(__name__)


def check_log_domain(expression: pd.DataFrame, path: str | Path | None = None) -> None:
    """``log2(x + 1)`` needs values > -1: refuse others, naming the file, gene and sample."""
    values = expression.to_numpy(dtype=np.float64)
    if values.size and np.nanmin(values) <= -1.0:
        bad_row, bad_col = np.argwhere(values <= -1.0)[0]
        raise input_error(
            f"log2(x + 1) (preprocessing log2_minmax) needs values > -1; "
            f"{int((values <= -1.0).sum())} value(s) are <= -1, the first "
            f"{float(values[bad_row, bad_col]):g} in sample {str(expression.columns[bad_col])!r} "
            "(the data look log-scale or centred already)",
            gene=str(expression.index[bad_row]),
            fix="pass --preprocessing none (preprocessing='none') for log-scale data, or give "
            "non-negative expression (counts, TPM, intensities)",
            path=path,
        )


def log2_minmax(expression: pd.DataFrame) -> pd.DataFrame:
    """``log2(x + 1)``, then min-max scale every sample (column) to [0, 1] across genes.

    Equals ``MinMaxScaler().fit_transform(np.log2(X + 1))`` on the genes x samples matrix ``X``.
    A constant column maps to 0 (as in scikit-learn). Values <= -1 have no logarithm: error.
    """
    check_log_domain(expression)
    values = expression.to_numpy(dtype=np.float64)
    logged = np.log2(values + 1.0)
    lo = logged.min(axis=0, keepdims=True) if logged.size else logged
    span = (logged.max(axis=0, keepdims=True) - lo) if logged.size else logged
    # scikit-learn treats a zero range as 1 so the column becomes 0, not NaN
    span = np.where(span == 0.0, 1.0, span)
    return pd.DataFrame((logged - lo) / span, index=expression.index, columns=expression.columns)


def no_preprocessing(expression: pd.DataFrame) -> pd.DataFrame:
    """Identity (DREAM5's reference protocol): a float64 copy, so callers may modify it freely."""
    return expression.astype(np.float64).copy()


#: name -> what it does (shown by ``xatgrn datasets info``)
PREPROCESSING_DESCRIPTIONS: dict[str, str] = {
    "log2_minmax": "log2(x + 1), then each sample (column) min-max scaled to [0, 1] across genes "
    "(the reference code's `standard`)",
    "none": "raw values, no transform",
}

#: name -> transform; the dataset registry refers to these names
PREPROCESSING: dict[str, Callable[[pd.DataFrame], pd.DataFrame]] = {
    "log2_minmax": log2_minmax,
    "none": no_preprocessing,
}


def apply_preprocessing(
    expression: pd.DataFrame, method: str, path: str | Path | None = None
) -> pd.DataFrame:
    """Apply the named transform (``"log2_minmax"`` or ``"none"``); ``path`` names the file in
    errors."""
    try:
        func = PREPROCESSING[method]
    except KeyError:
        raise input_error(
            f"unknown preprocessing {method!r}",
            fix=f"use one of: {', '.join(sorted(PREPROCESSING))}",
            path=path,
        ) from None
    if method == "log2_minmax":
        check_log_domain(expression, path)
    log.debug("preprocessing %d x %d expression with %s", *expression.shape, method)
    return func(expression)
