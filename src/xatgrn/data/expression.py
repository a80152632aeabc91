"""Reading expression matrices: delimited text (fast and strict parsers) and AnnData.

A well-formed text matrix (the common case, possibly large) is read by pandas' C parser without
building per-cell Python strings; anything else is re-read cell by cell so that the error names the
first problem exactly. The result is always float64 genes x samples with str labels.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from xatgrn.data.expression_checks import (
    check_labels,
    check_values,
    resolve_orientation,
    to_genes_by_samples,
)
from xatgrn.data.files import (
    SEP_NAMES,
    check_file,
    import_anndata,
    open_text,
    read_cells,
    read_header,
    sniff_separator,
    text_format,
)
from xatgrn.data.validate import str_labels
from xatgrn.errors import input_error

# pandas < 3 needs the round-trip float parser for bit-exact reads; pandas 3 is exact by
# default and deprecates the argument.
_ROUND_TRIP: dict[str, str] = (
    {"float_precision": "round_trip"} if int(pd.__version__.split(".")[0]) < 3 else {}
)
log = logging.getLogger(__name__)

#: accepted values of ``orientation=``
ORIENTATIONS: tuple[str, str, str] = ("auto", "genes-by-samples", "samples-by-genes")

#: cell values read as "missing" (compared after strip + lower)
_MISSING_TOKENS: frozenset[str] = frozenset(
    {"", "na", "nan", "-nan", "n/a", "#n/a", "null", "none", "missing"}
)


def read_expression(
    path: str | Path,
    *,
    orientation: str = "auto",
    genes_hint: Iterable[str] | None = None,
    layer: str | None = None,
) -> pd.DataFrame:
    """Read an expression matrix as a float64 genes x samples DataFrame.

    Args:
        path: ``.csv`` / ``.tsv`` / ``.txt`` (tab or comma, sniffed), each optionally gzip'd,
            with the ids in the first column and the other axis' ids in the header row; or
            ``.h5ad`` (AnnData: obs = samples, var = genes; needs ``pip install "xatgrn[h5ad]"``).
        orientation: ``"genes-by-samples"``, ``"samples-by-genes"`` or ``"auto"``. ``auto``
            with ``genes_hint`` picks the axis whose labels clearly match more of those genes
            (at least 2 and 1 % of them, and twice as many as the other axis), else raises;
            ``auto`` without a hint assumes the file's usual layout (genes x samples for text,
            samples x genes for AnnData).
        genes_hint: genes expected on the gene axis, typically the prior network's genes.
        layer: AnnData layer to read instead of ``X`` (``.h5ad`` only).

    Returns:
        DataFrame with gene ids (str) as index named ``"gene"`` and sample names (str) as
        columns; all values finite.

    Raises:
        XatgrnInputError: missing/empty file, non-numeric / missing / infinite value,
            duplicate gene ids or sample names, fewer than 2 samples, ambiguous orientation.
    """
    return _read_expression(path, orientation=orientation, genes_hint=genes_hint, layer=layer)[0]


def _read_expression(
    path: str | Path,
    *,
    orientation: str = "auto",
    genes_hint: Iterable[str] | None = None,
    layer: str | None = None,
) -> tuple[pd.DataFrame, str]:
    """:func:`read_expression` plus the orientation it used."""
    path = check_file(path)
    if orientation not in ORIENTATIONS:
        raise input_error(
            f"unknown orientation {orientation!r}",
            fix=f"use one of {', '.join(ORIENTATIONS)}",
            path=path,
        )
    hint = None if genes_hint is None else str_labels(pd.unique(str_labels(list(genes_hint))))
    if path.suffix.lower() == ".h5ad":
        df, used = _read_h5ad(path, orientation, hint, layer)
    else:
        if layer is not None:
            raise input_error(
                f"layer={layer!r} only applies to .h5ad files",
                fix="drop the layer argument for CSV/TSV files",
                path=path,
            )
        default_sep, _ = text_format(path, h5ad_ok=True)
        sep = sniff_separator(path, default_sep)
        fast = _parse_expression_fast(path, sep)
        if fast is None:  # something is wrong: re-read slowly to say exactly what
            df, used = _parse_expression_strict(path, sep, orientation, hint)
        else:
            ids, cols, values = fast
            used = resolve_orientation(ids, cols, orientation, hint, path, "genes-by-samples")
            df = to_genes_by_samples(ids, cols, values, used)
    if df.shape[1] < 2:
        raise input_error(
            f"only {df.shape[1]} sample(s): at least 2 samples are needed to compare expression "
            f"profiles (read as {used}, {df.shape[0]} genes)",
            fix="add samples, or pass orientation= / --orientation if genes and samples are "
            "swapped",
            path=path,
        )
    log.info("%s: %d genes x %d samples (%s)", path, df.shape[0], df.shape[1], used)
    return df, used


def _parse_expression_fast(path: Path, sep: str) -> tuple[pd.Index, pd.Index, np.ndarray] | None:
    """C-parser read of a well-formed matrix; ``None`` when anything looks wrong.

    Well-formed files (the common case, possibly large) never build per-cell Python strings;
    everything else goes to :func:`_parse_expression_strict`, which names the problem.
    """
    try:
        header = read_header(path, sep)
        with open_text(path) as fh:
            df = pd.read_csv(
                fh,
                sep=sep,
                header=None,
                skiprows=1,
                index_col=0,
                dtype={0: str},
                na_filter=False,  # gene "NA" stays a name; NaN cells make the column non-numeric
                **_ROUND_TRIP,
            )
    except Exception:  # any parse problem: the strict reader finds and reports it
        return None
    if len(header) == df.shape[1] + 1:
        cols = str_labels(header[1:])
    elif len(header) == df.shape[1]:  # R's write.table: no name above the id column
        cols = str_labels(header)
    else:
        return None
    if df.shape[0] == 0 or df.shape[1] == 0 or not all(dt.kind in "fiu" for dt in df.dtypes):
        return None
    values = df.to_numpy(dtype=np.float64)
    if not np.isfinite(values).all() or df.index.isna().any():
        return None
    ids = str_labels(df.index).str.strip()
    if (ids == "").any() or (cols == "").any() or not ids.is_unique or not cols.is_unique:
        return None
    return ids, cols, values


def _parse_expression_strict(
    path: Path, sep: str, orientation: str, hint: pd.Index | None
) -> tuple[pd.DataFrame, str]:
    """Read every cell as text and raise the first problem with its line, gene and sample."""
    header = read_header(path, sep)
    if not any(header):
        raise input_error(
            "line 1 is empty; expected the header",
            fix="put the sample (or gene) names on line 1",
            path=path,
            line=1,
        )
    body, body_lines = read_cells(path, sep, skiprows=1)
    if body.shape[0] == 0:
        raise input_error(
            "no data rows (only a header line)",
            fix="add one row per gene (or per sample) below the header",
            path=path,
            line=1,
        )
    if body.shape[1] < 2:
        raise input_error(
            f"only one column was found when reading the file as {SEP_NAMES[sep]}-separated",
            fix="use comma- or tab-separated values: ids in the first column, then one column "
            "per sample (or per gene)",
            path=path,
        )
    if len(header) == body.shape[1]:
        offset, cols = 1, str_labels(header[1:])
    elif len(header) == body.shape[1] - 1:  # R's write.table: no name above the id column
        offset, cols = 0, str_labels(header)
    else:
        raise input_error(
            f"the first data row has {body.shape[1]} fields but the header has {len(header)}",
            fix="give the header one name per column (the first one may be empty)",
            path=path,
            line=int(body_lines[0]),
        )
    ids = str_labels(body[:, 0])
    used = resolve_orientation(ids, cols, orientation, hint, path, "genes-by-samples")
    genes_on_rows = used == "genes-by-samples"

    def row_at(k: int) -> tuple[str, int | None]:
        return f"line {body_lines[k]}", int(body_lines[k])

    def col_at(k: int) -> tuple[str, int | None]:
        return f"header field {k + 1 + offset}", 1

    check_labels(ids, is_gene=genes_on_rows, where=row_at, path=path, axis="first column")
    check_labels(cols, is_gene=not genes_on_rows, where=col_at, path=path, axis="header")

    raw = body[:, 1:]
    flat = pd.Series(raw.ravel(), dtype=object)
    numbers = pd.to_numeric(flat, errors="coerce").to_numpy(dtype=np.float64)
    missing = flat.str.lower().isin(_MISSING_TOKENS).to_numpy()
    check_values(
        numbers.reshape(raw.shape),
        missing.reshape(raw.shape),
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


def _read_h5ad(
    path: Path, orientation: str, hint: pd.Index | None, layer: str | None
) -> tuple[pd.DataFrame, str]:
    """Read an AnnData file (obs x var) and validate it like a text matrix."""
    anndata = import_anndata(path)
    try:
        adata = anndata.read_h5ad(path)
    except Exception as err:
        raise input_error(
            f"cannot read as AnnData ({type(err).__name__}: {err})",
            fix="check that the file is a complete .h5ad written by anndata / scanpy",
            path=path,
        ) from None
    if layer is None:
        matrix = adata.X
        if matrix is None:
            raise input_error(
                "the AnnData object has no X matrix",
                fix=f"pass layer= with one of its layers {list(adata.layers.keys())}",
                path=path,
            )
    elif layer not in adata.layers:
        raise input_error(
            f"no layer {layer!r} (layers: {list(adata.layers.keys())})",
            fix="pass one of the listed layers, or no layer to read X",
            path=path,
        )
    else:
        matrix = adata.layers[layer]
    if hasattr(matrix, "toarray"):  # scipy sparse
        matrix = matrix.toarray()
    try:
        values = np.asarray(matrix, dtype=np.float64)
    except (TypeError, ValueError):
        raise input_error(
            "the matrix holds non-numeric values",
            fix="store numbers in X (or the chosen layer)",
            path=path,
        ) from None
    obs = str_labels(adata.obs_names)
    var = str_labels(adata.var_names)
    used = resolve_orientation(obs, var, orientation, hint, path, "samples-by-genes")
    genes_on_rows = used == "genes-by-samples"
    check_labels(
        obs,
        is_gene=genes_on_rows,
        where=lambda k: (f"obs_names[{k}]", None),
        path=path,
        axis="obs_names",
    )
    check_labels(
        var,
        is_gene=not genes_on_rows,
        where=lambda k: (f"var_names[{k}]", None),
        path=path,
        axis="var_names",
    )
    check_values(
        values,
        np.isnan(values),
        None,
        obs,
        var,
        genes_on_rows=genes_on_rows,
        row_line=lambda i: None,
        path=path,
    )
    return to_genes_by_samples(obs, var, values, used), used
