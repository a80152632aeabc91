"""Expression matrices in delimited text: the layout is recognised by content, never by luck.

Tab, comma, semicolon or whitespace separated, optionally gzip'd, UTF-8 or Latin-1, after ``#``
comment lines, a GEO series matrix's ``!`` metadata or a GCT file's two size lines
(:func:`xatgrn.data.files.text_layout`). Then, from the header and the first rows:

* **ids in the first column** and the other axis' ids in the header (the corner field named or
  empty), the usual layout and BEELINE's ``ExpressionData.csv``;
* **R's write.table**: one header field fewer than the rows (no name above the id column);
* **no id column** (DREAM5 / GENIE3 / arboreto ``net1_expression_data.tsv``): samples as rows,
  gene ids in the header; samples are named ``s1..sN`` (their row order);
* **annotation columns** (GEO GDS ``IDENTIFIER``, GCT ``Description``): text columns beside the id
  column are ignored with a warning, or hold the ids when ``index_col=`` names one or when its
  labels, unlike the first column's, are the prior's genes.

A column of numbers is never taken as labels silently: a first column of numbers is an id
column only in R's layout or when its labels are prior genes, else the reader stops and asks for
``index_col`` (CLI ``--index-col``).

A well-formed matrix (the common case, possibly large) is read by pandas' C parser without
per-cell Python strings; anything else is re-read cell by cell so the error names the first
problem exactly.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from xatgrn.data.expression_checks import (
    check_labels,
    check_values,
    resolve_orientation,
    to_genes_by_samples,
)
from xatgrn.data.files import SEP_NAMES, TextLayout, open_text, read_cells, read_header
from xatgrn.data.gene_ids import examples
from xatgrn.data.validate import str_labels
from xatgrn.errors import input_error

log = logging.getLogger(__name__)

# pandas < 3 needs the round-trip float parser for bit-exact reads; pandas 3 is exact by
# default and deprecates the argument.
_ROUND_TRIP: dict[str, str] = (
    {"float_precision": "round_trip"} if int(pd.__version__.split(".")[0]) < 3 else {}
)
#: cell values read as "missing" (compared after strip + lower)
MISSING_TOKENS: frozenset[str] = frozenset(
    {"", "na", "nan", "-nan", "n/a", "#n/a", "null", "none", "missing"}
)
#: rows read to decide the layout
_SAMPLE_ROWS = 200
_INDEX_COL_FIX = (
    "pass index_col='none' (CLI: --index-col none) if the file has no id column (samples as "
    "rows, gene ids in the header, as in DREAM5/GENIE3 files), or index_col='1' "
    "(--index-col 1) if the numbers are ids"
)


@dataclass(frozen=True)
class ColumnPlan:
    """Which body columns hold the ids, the values and annotations (decided once per file).

    Attributes:
        id_col: body column of the ids (``None``: no id column).
        data_cols: body columns holding values.
        names: the header names of ``data_cols``.
        fields: 1-based header field number of each of ``data_cols``.
        ignored: header names of ignored annotation columns.
    """

    id_col: int | None
    data_cols: tuple[int, ...]
    names: tuple[str, ...]
    fields: tuple[int, ...]
    ignored: tuple[str, ...]


def _numbers(cells: np.ndarray) -> np.ndarray:
    flat = pd.Series(cells.ravel(), dtype=object)
    return pd.to_numeric(flat, errors="coerce").to_numpy(dtype=np.float64).reshape(cells.shape)


def _missing(cells: np.ndarray) -> np.ndarray:
    flat = pd.Series(cells.ravel(), dtype=object).str.lower()
    return flat.isin(MISSING_TOKENS).to_numpy().reshape(cells.shape)


def _text_columns(sample: np.ndarray) -> np.ndarray:
    """Columns whose (non-missing) cells are mostly not numbers: labels or annotations."""
    missing = _missing(sample)
    words = np.isnan(_numbers(sample)) & ~missing
    present = np.maximum((~missing).sum(axis=0), 1)
    return words.sum(axis=0) > 0.5 * present


def _need(hint: pd.Index) -> int:
    return max(2, math.ceil(0.01 * len(hint)))


def plan_columns(
    header: list[str],
    sample: np.ndarray,
    sample_lines: np.ndarray,
    *,
    path: Path,
    header_line: int,
    hint: pd.Index | None,
    index_col: str | None,
    annotations: tuple[int, ...] = (),
) -> ColumnPlan:
    """Decide the id column, the data columns and the annotation columns (see the module doc).

    ``annotations``: body columns known to be annotations from the format (GCT's Description).
    """
    n_h, n_r = len(header), sample.shape[1]
    if n_h == n_r - 1:  # R's write.table: no name above the id column
        r_layout, names = True, ["", *header]
    elif n_h == n_r:
        r_layout, names = False, list(header)
    else:
        raise input_error(
            f"the first data row has {n_r} fields but the header has {n_h}",
            fix="give the header one name per column (the first one may be empty)",
            path=path,
            line=int(sample_lines[0]),
        )
    text = _text_columns(sample)
    text[[j for j in annotations if j < n_r]] = True
    if index_col not in (None, "auto"):
        id_col = _explicit_index_col(index_col, names, r_layout, path)
    else:
        id_col = _auto_index_col(names, sample, sample_lines, text, r_layout, path, hint)
    ignored = [j for j in range(n_r) if text[j] and j != id_col]
    data = [j for j in range(n_r) if j != id_col and j not in ignored]
    if not data:
        raise input_error(
            "no column of numbers besides the id and annotation columns",
            fix="put one column of values per sample (or per gene) in the file",
            path=path,
        )
    if ignored:
        log.warning(
            "%s: ignored %d annotation column(s) of text, not expression: %s",
            path,
            len(ignored),
            ", ".join(repr(names[j]) for j in ignored[:5]) + (", ..." if len(ignored) > 5 else ""),
        )
    data_names = [names[j] for j in data]
    header_numbers = pd.to_numeric(pd.Series(data_names, dtype=object), errors="coerce")
    decimals = header_numbers.notna().all() and (header_numbers % 1 != 0).any()
    # increasing decimals under a corner name may be time points (0, 0.5, 1, 2 h); a data row
    # is not sorted, and its first field is a gene
    times = header_numbers.is_monotonic_increasing and header_numbers.is_unique
    first_is_gene = hint is not None and names[0] in set(hint)
    if decimals and (first_is_gene or not times):
        raise input_error(
            f"the header holds numbers ({examples(data_names)}), not names: the file seems to "
            "have no header line, so its first data row would be lost",
            fix="add a header line: a name for the id column, then one name per sample (or gene)",
            path=path,
            line=header_line,
        )
    return ColumnPlan(
        id_col=id_col,
        data_cols=tuple(data),
        names=tuple(data_names),
        fields=tuple(j + (0 if r_layout else 1) for j in data),
        ignored=tuple(names[j] for j in ignored),
    )


def _explicit_index_col(index_col: str, names: list[str], r_layout: bool, path: Path) -> int | None:
    if index_col == "none":
        if r_layout:
            raise input_error(
                "index_col='none', but the header has one name fewer than the rows, so the first "
                "column holds ids",
                fix="drop --index-col (or give the header one name per column)",
                path=path,
            )
        return None
    if index_col.isdigit():
        k = int(index_col)
        if not 1 <= k <= len(names):
            raise input_error(
                f"index_col={index_col!r}: the file has {len(names)} columns",
                fix=f"pass a column number from 1 to {len(names)}, a column name, or 'none'",
                path=path,
            )
        return k - 1
    lowered = [n.lower() for n in names]
    if index_col.lower() not in lowered:
        shown = ", ".join(repr(n) for n in names[:8]) + (", ..." if len(names) > 8 else "")
        raise input_error(
            f"index_col={index_col!r} is not a column name (header: {shown})",
            fix="pass a name from the header, a 1-based column number, or 'none'",
            path=path,
        )
    return lowered.index(index_col.lower())


def _auto_index_col(
    names: list[str],
    sample: np.ndarray,
    sample_lines: np.ndarray,
    text: np.ndarray,
    r_layout: bool,
    path: Path,
    hint: pd.Index | None,
) -> int | None:
    first = str_labels(sample[:, 0])
    if text[0] or r_layout or names[0] == "":
        id_col = 0
    elif hint is not None and int(first.isin(hint).sum()) >= min(2, len(first)):
        id_col = 0  # numeric ids (e.g. Entrez) that are the prior's genes
    elif hint is not None and _header_is_genes(names, first, hint):
        log.info(
            "%s: no id column (the first column holds numbers and the header holds genes): "
            "samples as rows, gene ids in the header",
            path,
        )
        return None
    else:
        raise input_error(
            f"the first column holds numbers ({examples(first)}), not ids, and a column of "
            "numbers is never taken as labels silently",
            fix=_INDEX_COL_FIX,
            path=path,
            line=int(sample_lines[0]),
        )
    if hint is not None:  # an annotation column may hold the prior's genes (probes -> symbols)
        hits = {j: int(str_labels(sample[:, j]).isin(hint).sum()) for j in np.flatnonzero(text)}
        best = max(hits, key=lambda j: hits[j], default=id_col)
        if best != id_col and hits[best] >= 2 and hits[best] > 2 * hits.get(id_col, 0):
            log.warning(
                "%s: gene ids read from column %r (%d of the first %d rows are prior genes, "
                "%d in column %r); pass index_col / --index-col to choose another",
                path,
                names[best],
                hits[best],
                len(first),
                hits.get(id_col, 0),
                names[id_col],
            )
            return int(best)
    return id_col


def _header_is_genes(names: list[str], first: pd.Index, hint: pd.Index) -> bool:
    """The header names genes and its first field is one of them, not a corner label.

    The first field is a gene when it is a prior gene itself, or when the first column (its
    values) is not sorted the way time points or sample numbers are.
    """
    header = str_labels(names)
    if int(header.isin(hint).sum()) < _need(hint):
        return False
    if names[0] in set(hint):
        return True
    values = pd.to_numeric(pd.Series(first, dtype=object), errors="coerce")
    return not values.is_monotonic_increasing


def read_text_matrix(
    path: Path,
    layout: TextLayout,
    *,
    orientation: str,
    hint: pd.Index | None,
    index_col: str | None,
    allow_duplicate_genes: bool,
) -> tuple[pd.DataFrame, dict]:
    """Read a delimited-text matrix as genes x samples; also what was recognised (for logs)."""
    header_line = layout.skip + 1
    header = read_header(path, layout.sep, layout.skip)
    if not any(header):
        raise input_error(
            f"line {header_line} is empty; expected the header",
            fix="put the sample (or gene) names on the table's first line",
            path=path,
            line=header_line,
        )
    nrows = _SAMPLE_ROWS if layout.nrows is None else min(layout.nrows, _SAMPLE_ROWS)
    sample, sample_lines = read_cells(path, layout.sep, skiprows=header_line, nrows=nrows)
    if sample.shape[0] == 0:
        raise input_error(
            "no data rows (only a header line)",
            fix="add one row per gene (or per sample) below the header",
            path=path,
            line=header_line,
        )
    if sample.shape[1] < 2:
        raise input_error(
            f"only one column was found when reading the file as {SEP_NAMES[layout.sep]}-separated",
            fix="use tab-, comma- or space-separated values: ids in the first column, then one "
            "column per sample (or per gene)",
            path=path,
        )
    plan = plan_columns(
        header,
        sample,
        sample_lines,
        path=path,
        header_line=header_line,
        hint=hint,
        index_col=index_col,
        annotations=(1,) if layout.kind == "gct" else (),
    )
    df, used = None, ""
    fast = _parse_fast(path, layout, plan, sample.shape[1], allow_duplicate_genes)
    if fast is not None:
        ids, cols, values = fast
        ids, used = _orient(ids, cols, len(values), orientation, hint, path)
        if ids.is_unique or used == "genes-by-samples":  # repeated sample names: strict says so
            df = to_genes_by_samples(ids, cols, values, used)
    if df is None:  # something is wrong: re-read slowly to say exactly what
        df, used = _parse_strict(
            path, layout, plan, orientation, hint, allow_duplicate_genes, sample.shape[1]
        )
    info = {
        "orientation": used,
        "layout": layout.kind,
        "separator": SEP_NAMES[layout.sep],
        "id_column": None if plan.id_col is None else int(plan.id_col) + 1,
        "ignored_columns": list(plan.ignored),
    }
    return df, info


def _orient(
    ids: pd.Index | None,
    cols: pd.Index,
    n_rows: int,
    orientation: str,
    hint: pd.Index | None,
    path: Path,
) -> tuple[pd.Index, str]:
    """Orientation and row ids; a file without an id column has genes in its header."""
    if ids is not None:
        return ids, resolve_orientation(ids, cols, orientation, hint, path, "genes-by-samples")
    if orientation == "genes-by-samples":
        raise input_error(
            "genes-by-samples needs gene ids in an id column, but the file has none (its first "
            "column holds numbers, its header the gene ids)",
            fix="drop --orientation genes-by-samples (the file is samples x genes), or pass "
            "--index-col 1 if the first column holds ids",
            path=path,
        )
    log.info("%s: %d samples named s1..s%d in row order", path, n_rows, n_rows)
    return str_labels([f"s{k}" for k in range(1, n_rows + 1)]), "samples-by-genes"


def _parse_fast(
    path: Path, layout: TextLayout, plan: ColumnPlan, width: int, allow_dups: bool
) -> tuple[pd.Index | None, pd.Index, np.ndarray] | None:
    """C-parser read of a well-formed matrix; ``None`` when anything looks wrong."""
    text_cols = {j for j in range(width) if j not in plan.data_cols}
    try:
        with open_text(path) as fh:
            df = pd.read_csv(
                fh,
                sep=layout.sep,
                header=None,
                skiprows=layout.skip + 1,
                nrows=layout.nrows,
                dtype=dict.fromkeys(text_cols, str),
                na_filter=False,  # gene "NA" stays a name; NaN cells make the column non-numeric
                **_ROUND_TRIP,
            )
    except Exception:  # any parse problem: the strict reader finds and reports it
        return None
    if df.shape[0] == 0 or df.shape[1] != width:
        return None
    data = df.iloc[:, list(plan.data_cols)]
    if not all(dt.kind in "fiu" for dt in data.dtypes):
        return None
    values = data.to_numpy(dtype=np.float64)
    if not np.isfinite(values).all():
        return None
    ids = None
    if plan.id_col is not None:
        column = df.iloc[:, plan.id_col]
        if column.isna().any():
            return None
        ids = str_labels(column).str.strip()
        if (ids == "").any() or (not ids.is_unique and not allow_dups):
            return None
    cols = str_labels(plan.names)
    if (cols == "").any() or not cols.is_unique:
        return None
    return ids, cols, values


def _parse_strict(
    path: Path,
    layout: TextLayout,
    plan: ColumnPlan,
    orientation: str,
    hint: pd.Index | None,
    allow_dups: bool,
    width: int,
) -> tuple[pd.DataFrame, str]:
    """Read every cell as text and raise the first problem with its line, gene and sample."""
    body, body_lines = read_cells(path, layout.sep, skiprows=layout.skip + 1, nrows=layout.nrows)
    if body.shape[1] != width:
        raise input_error(
            f"rows have {body.shape[1]} fields but the first rows have {width}",
            fix="give every row the same number of fields",
            path=path,
        )
    cols = str_labels(plan.names)
    ids = None if plan.id_col is None else str_labels(body[:, plan.id_col])
    ids, used = _orient(ids, cols, body.shape[0], orientation, hint, path)
    genes_on_rows = used == "genes-by-samples"

    def row_at(k: int) -> tuple[str, int | None]:
        return f"line {body_lines[k]}", int(body_lines[k])

    def col_at(k: int) -> tuple[str, int | None]:
        return f"header field {plan.fields[k]}", layout.skip + 1

    if plan.id_col is not None:
        check_labels(
            ids,
            is_gene=genes_on_rows,
            where=row_at,
            path=path,
            axis="first column" if plan.id_col == 0 else f"id column {plan.id_col + 1}",
            allow_duplicates=allow_dups and genes_on_rows,
        )
    check_labels(
        cols,
        is_gene=not genes_on_rows,
        where=col_at,
        path=path,
        axis="header",
        allow_duplicates=allow_dups and not genes_on_rows,
    )
    raw = body[:, list(plan.data_cols)]
    check_values(
        _numbers(raw),
        _missing(raw),
        raw,
        ids,
        cols,
        genes_on_rows=genes_on_rows,
        row_line=lambda i: int(body_lines[i]),
        path=path,
    )
    # exact conversion (Python float semantics), now that every cell is known to be a number
    values = raw.astype(np.float64)
    return to_genes_by_samples(ids, cols, values, used), used
