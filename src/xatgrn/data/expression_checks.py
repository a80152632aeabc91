"""Checks on a parsed expression matrix: orientation, gene/sample labels, cell values.

Shared by the text and AnnData readers in :mod:`xatgrn.data.expression`, so both name the first
problem the same way (file, line or ``obs_names[k]``, gene, sample) and assemble the same frame.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from xatgrn.data.gene_ids import mismatch_reason
from xatgrn.data.validate import str_labels
from xatgrn.errors import input_error

log = logging.getLogger(__name__)


def to_genes_by_samples(
    ids: pd.Index, cols: pd.Index, values: np.ndarray, orientation: str
) -> pd.DataFrame:
    """Assemble the canonical frame from the file's row ids, header ids and values."""
    if orientation == "samples-by-genes":
        ids, cols, values = cols, ids, values.T
    df = pd.DataFrame(
        np.ascontiguousarray(values, dtype=np.float64),
        index=str_labels(ids, name="gene"),
        columns=str_labels(cols),
    )
    df.columns.name = None
    return df


def resolve_orientation(
    rows: pd.Index,
    cols: pd.Index,
    orientation: str,
    hint: pd.Index | None,
    path: Path,
    default: str,
) -> str:
    """Explicit orientation wins; ``auto`` counts labels found in ``hint`` on each axis."""
    if orientation != "auto":
        return orientation
    if hint is None:
        log.info(
            "%s: no gene list to detect the orientation; assuming %s (pass orientation= to "
            "override)",
            path,
            default,
        )
        return default
    n_rows = int(rows.isin(hint).sum())
    n_cols = int(cols.isin(hint).sum())
    need = max(2, math.ceil(0.01 * len(hint)))
    rows_ok, cols_ok = n_rows >= need, n_cols >= need
    if rows_ok and (not cols_ok or n_rows >= 2 * n_cols):
        used = "genes-by-samples"
    elif cols_ok and (not rows_ok or n_cols >= 2 * n_rows):
        used = "samples-by-genes"
    else:
        counts = (
            f"{n_rows} of {len(rows)} row labels and {n_cols} of {len(cols)} column labels "
            f"are genes of the prior network"
        )
        reason = (
            None
            if rows_ok or cols_ok
            else mismatch_reason({"row labels": rows, "column labels": cols}, hint)
        )
        if rows_ok and cols_ok:
            problem = f"ambiguous orientation: {counts}, comparably many on both axes"
            fix = "pass orientation='genes-by-samples' or 'samples-by-genes' (CLI: --orientation)"
        elif reason is not None:
            problem = f"the expression and the prior network name genes differently: {reason[0]}"
            fix = reason[1]
        else:
            problem = f"cannot detect the orientation: {counts} (at least {need} needed)"
            fix = (
                "use the same gene ids in both files (e.g. symbols in both, not symbols and "
                "Ensembl ids); if they already are, pass orientation='genes-by-samples' or "
                "'samples-by-genes' (CLI: --orientation)"
            )
        raise input_error(problem, fix=fix, path=path)
    log.info(
        "%s: %d row labels and %d column labels are prior genes -> %s", path, n_rows, n_cols, used
    )
    return used


def check_labels(
    labels: pd.Index,
    *,
    is_gene: bool,
    where: Callable[[int], tuple[str, int | None]],
    path: Path,
    axis: str,
    allow_duplicates: bool = False,
) -> None:
    """Labels on one axis are non-empty and unique; errors say where both copies are.

    ``allow_duplicates``: repeated gene ids are fine (they will be aggregated).
    """
    what = "gene id" if is_gene else "sample name"
    empty = np.flatnonzero(np.asarray(labels == ""))
    if empty.size:
        text, line = where(int(empty[0]))
        loc = "" if line is not None and text == f"line {line}" else f" ({text})"
        raise input_error(
            f"empty {what} in the {axis}{loc}",
            fix=f"give every {what.split()[0]} a name",
            path=path,
            line=line,
        )
    dup = np.flatnonzero(labels.duplicated(keep="first"))
    if dup.size and not allow_duplicates:
        second = int(dup[0])
        label = str(labels[second])
        first = int(np.flatnonzero(np.asarray(labels == label))[0])
        (text1, _), (text2, line) = where(first), where(second)
        fix = (
            "combine the rows of each gene with aggregate='mean', 'median' or 'max' (CLI: "
            "--aggregate mean; e.g. probes of one gene), or make the ids unique"
            if is_gene
            else "make sample names unique"
        )
        raise input_error(
            f"duplicate {what} {label!r} ({text1} and {text2}; "
            f"{int(labels.duplicated(keep='first').sum())} duplicate(s) in the {axis})",
            fix=fix,
            path=path,
            line=line,
            gene=label if is_gene else None,
        )


def check_values(
    numbers: np.ndarray,
    missing: np.ndarray,
    raw: np.ndarray | None,
    rows: pd.Index,
    cols: pd.Index,
    *,
    genes_on_rows: bool,
    row_line: Callable[[int], int | None],
    path: Path,
) -> None:
    """Every cell is a finite number; the error names the first bad cell (file order)."""
    nonnumeric = np.isnan(numbers) & ~missing
    infinite = np.isinf(numbers)
    bad = missing | nonnumeric | infinite
    if not bad.any():
        return
    first = int(np.flatnonzero(bad.ravel())[0])
    i, j = divmod(first, numbers.shape[1])
    gene, sample = (rows[i], cols[j]) if genes_on_rows else (cols[j], rows[i])
    shown = repr(raw[i, j]) if raw is not None else repr(float(numbers[i, j]))
    if missing[i, j]:
        kind, count = "missing value (NaN or empty cell)", int(missing.sum())
        fix = "fill in or impute missing values, or remove the gene, before loading"
        shown = repr(raw[i, j]) if raw is not None else "NaN"
    elif infinite[i, j]:
        kind, count = "infinite value", int(infinite.sum())
        fix = "replace infinite values (e.g. from log(0): use log(x + 1))"
    else:
        kind, count = "non-numeric value", int(nonnumeric.sum())
        fix = (
            "expression must be numbers with '.' as decimal mark; remove annotation columns "
            "or rows (e.g. gene descriptions)"
        )
    more = f"; {count} such cells in the file" if count > 1 else ""
    raise input_error(
        f"{kind} {shown} in sample {str(sample)!r}{more}",
        fix=fix,
        path=path,
        line=row_line(i),
        gene=str(gene),
    )
