"""What a readable expression matrix can still get wrong: scale, duplicate genes, odd gene ids.

A matrix of finite numbers can still make the model learn nothing: raw intensities with negative
values, unlogged counts whose few huge values dominate every correlation, per-gene z-scores
(scanpy's scaled ``X``), constant genes. These checks warn (or, when the requested preprocessing
cannot run, refuse) up front, naming the file and the fix, instead of a poor model later.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from xatgrn.data.gene_ids import date_like, examples, row_numbers
from xatgrn.data.preprocess import check_log_domain
from xatgrn.errors import input_error

log = logging.getLogger(__name__)

#: accepted values of ``aggregate=`` (CLI ``--aggregate``): how rows of one gene id combine
AGGREGATIONS: tuple[str, str, str] = ("mean", "median", "max")
AGGREGATION_DESCRIPTIONS: dict[str, str] = {
    "mean": "the mean of the rows, sample by sample",
    "median": "the median of the rows, sample by sample",
    "max": "the row with the highest mean expression (WGCNA's MaxMean: a measured profile)",
}
#: values sampled for the scale statistics of large matrices
_SCALE_SAMPLE = 1_000_000


def aggregate_duplicates(df: pd.DataFrame, how: str, path: Path | str | None) -> pd.DataFrame:
    """Combine rows that share a gene id (first-appearance order kept); warn with the counts."""
    if how not in AGGREGATIONS:
        raise input_error(
            f"unknown aggregate {how!r}", fix=f"use one of {', '.join(AGGREGATIONS)}", path=path
        )
    if df.index.is_unique:
        return df
    repeated = df.index.duplicated(keep=False)
    n_ids, n_rows = int(pd.Index(df.index[repeated]).nunique()), int(repeated.sum())
    if how == "max":
        frame = pd.DataFrame({"gene": df.index, "mean": df.mean(axis=1).to_numpy()})
        best = frame.sort_values(["mean"], ascending=False, kind="stable").drop_duplicates("gene")
        out = df.iloc[best.index.to_numpy()].loc[pd.unique(df.index)]
    else:
        out = df.groupby(level=0, sort=False).agg(how)
    out.index.name = df.index.name
    log.warning(
        "%s: %d gene id(s) occur on %d rows (e.g. %s); combined into one row each: %s "
        "(aggregate=%r)",
        path,
        n_ids,
        n_rows,
        examples(pd.unique(df.index[repeated])),
        AGGREGATION_DESCRIPTIONS[how],
        how,
    )
    return out.astype(np.float64)


def check_gene_ids(genes: pd.Index, path: Path | str | None) -> None:
    """Refuse row numbers as gene ids; warn about gene symbols a spreadsheet turned into dates."""
    if row_numbers(genes):
        raise input_error(
            f"the gene ids are the numbers {genes[0]}..{genes[-1]}: default row (or column) "
            "numbers, not gene ids",
            fix="write the gene ids into the file (pandas: a named index with index=True; "
            "R: row.names), or pass --orientation if genes and samples are swapped",
            path=path,
        )
    dates = date_like(genes)
    if dates:
        log.warning(
            "%s: %d gene id(s) look like dates a spreadsheet made of gene symbols (%s; "
            "'1-Dec' was DEC1, '7-Sep' SEPT7): they match no prior gene; fix them in the source "
            "(open text files as text, not through a spreadsheet)",
            path,
            len(dates),
            examples(dates, 5),
        )


def scale_report(values: np.ndarray) -> dict[str, Any]:
    """Statistics that tell raw / logged / standardised data apart (genes x samples values)."""
    flat = values.ravel()
    if flat.size > _SCALE_SAMPLE:
        flat = flat[np.random.default_rng(0).choice(flat.size, _SCALE_SAMPLE, replace=False)]
    positive = flat[flat > 0]
    sd = values.std(axis=1)
    mean = values.mean(axis=1)
    varying = sd > 0
    z = bool(
        varying.sum() >= 2
        and np.mean(np.abs(mean[varying]) < 0.1) > 0.9
        and np.mean(np.abs(sd[varying] - 1.0) < 0.1) > 0.9
    )
    high = float(np.quantile(flat, 0.999)) if flat.size else 0.0
    median = float(np.median(positive)) if positive.size else 0.0
    return {
        "min": float(values.min()) if values.size else 0.0,
        "max": float(values.max()) if values.size else 0.0,
        "negative": int((values < 0).sum()),
        "q999": high,
        "median_positive": median,
        "unlogged": bool(high > 100.0 and median > 0 and high / median > 100.0),
        "standardised": z,
        "constant_genes": int((~varying).sum()),
    }


def check_scale(
    expression: pd.DataFrame,
    path: Path | str | None,
    *,
    preprocessing: str | None = None,
    unscaled_hint: str = "",
) -> dict[str, Any]:
    """Warn when the scale is one the model learns little from; refuse what cannot be processed.

    Args:
        expression: genes x samples.
        path: the file, for messages.
        preprocessing: the transform that will be applied (``"log2_minmax"`` needs values > -1
            and makes unlogged data fine; ``None`` / ``"none"`` uses the values as they are).
        unscaled_hint: where an unscaled matrix may be (e.g. an AnnData's layers), for the fix.

    Returns:
        :func:`scale_report`'s statistics.
    """
    values = expression.to_numpy(dtype=np.float64)
    report = scale_report(values)
    if preprocessing == "log2_minmax":
        check_log_domain(expression, path)
    if report["constant_genes"]:
        constant = expression.index[values.std(axis=1) == 0]
        log.warning(
            "%s: %d gene(s) have the same value in every sample (%s): they carry no expression "
            "signal",
            path,
            report["constant_genes"],
            examples(constant, 5),
        )
    unscaled = f" ({unscaled_hint})" if unscaled_hint else ""
    transforms = preprocessing == "log2_minmax"
    if report["negative"] and report["unlogged"]:
        log.warning(
            "%s: %d negative value(s) (min %g) and values up to %g: looks like raw intensities "
            "with background subtraction, a scale the model learns little from; normalise and "
            "log-transform first (e.g. RMA, or log2 of values clipped at 1)",
            path,
            report["negative"],
            report["min"],
            report["max"],
        )
    elif report["standardised"]:
        log.warning(
            "%s: every gene looks standardised (mean 0, sd 1 across samples; %d negative "
            "values): expression levels are lost; pass the unscaled matrix%s",
            path,
            report["negative"],
            unscaled,
        )
    elif report["negative"]:
        log.info(
            "%s: %d negative value(s) (min %g): read as log-scale data (log-ratios)",
            path,
            report["negative"],
            report["min"],
        )
    elif report["unlogged"] and not transforms:
        log.warning(
            "%s: values up to %g with a median of %g: looks unlogged (counts or intensities), so "
            "a few huge values dominate every correlation; pass --preprocessing log2_minmax (or "
            "log-transform the file: log2(x + 1))",
            path,
            report["max"],
            report["median_positive"],
        )
    return report
