"""Reading, validating and writing user data: expression matrices and typed prior networks.

Everything a user hands us passes through here, so every problem becomes one
:func:`~xatgrn.errors.input_error` naming the file, the 1-based file line and/or the gene, and
the fix. Downstream code can then trust the two tables:

* expression: float64 DataFrame, genes (index ``"gene"``, str) x samples (columns, str),
  finite values, unique labels, at least 2 samples;
* regulations: columns ``regulator, target, type`` with ``type`` in
  {``"activation"``, ``"repression"``}, each (regulator, target) pair at most once, rows in
  order of first appearance.

Policies (documented because they change results):

* duplicate (regulator, target) pairs with *different* types: ``on_conflict="last"`` keeps the
  type of the last row in file order -- what the benchmark's reference code does when it fills
  its label matrix row by row -- at the position where the pair first appears;
* regulation labels outside the accepted vocabulary (e.g. RegulonDB's dual
  ``activatorrepressor``) are an error unless ``unknown_types="drop"``;
* prior edges whose genes are not in the expression matrix are dropped with a warning, or
  are an error with ``strict=True``; self-loops are kept.

Writers produce files the readers accept (atomic, reproducible gzip).
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import logging
import math
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from xatgrn.data.schema import REGULATION_COLUMNS, REGULATION_TYPES
from xatgrn.data.types import GRNDataset
from xatgrn.errors import input_error
from xatgrn.utils import atomic_path, atomic_write, sha256_file

# pandas < 3 needs the round-trip float parser for bit-exact reads; pandas 3 is exact by
# default and deprecates the argument.
_ROUND_TRIP: dict[str, str] = (
    {"float_precision": "round_trip"} if int(pd.__version__.split(".")[0]) < 3 else {}
)
log = logging.getLogger(__name__)

#: accepted values of ``orientation=``
ORIENTATIONS: tuple[str, str, str] = ("auto", "genes-by-samples", "samples-by-genes")
#: accepted values of ``on_conflict=`` and ``unknown_types=``
CONFLICT_POLICIES: tuple[str, str, str] = ("last", "error", "drop")
UNKNOWN_TYPE_POLICIES: tuple[str, str] = ("error", "drop")

#: delimited-text suffixes (each optionally followed by ``.gz``) and their default separator
_TEXT_SUFFIXES: dict[str, str] = {".csv": ",", ".tsv": "\t", ".txt": "\t", ".tab": "\t"}
_SEPARATORS: tuple[str, ...] = ("\t", ",", ";")
_SEP_NAMES: dict[str, str] = {"\t": "tab", ",": "comma", ";": "semicolon"}

#: cell values read as "missing" (compared after strip + lower)
_MISSING_TOKENS: frozenset[str] = frozenset(
    {"", "na", "nan", "-nan", "n/a", "#n/a", "null", "none", "missing"}
)

#: regulation labels (compared after strip + lower) -> normalised type
TYPE_LABELS: dict[str, str] = {
    **dict.fromkeys(
        ("activation", "activator", "activate", "+", "1", "+1", "positive"), "activation"
    ),
    **dict.fromkeys(("repression", "repressor", "repress", "-", "-1", "negative"), "repression"),
}

#: header aliases (lower case), in priority order, for the three regulation columns
_REGULATOR_ALIASES = ("regulator", "tf", "source", "gene1")
_TARGET_ALIASES = ("target", "gene2")
_TYPE_ALIASES = ("type", "weight", "mor", "sign", "regulation", "mode")
_LAYOUTS_HELP = (
    "accepted layouts: 'regulator,target,type' (TF also accepted for regulator); "
    "BEELINE 'Gene1,Gene2,Type' with +/-; decoupler/CollecTRI 'source,target,weight' "
    "(sign of the weight); or three columns without a header 'regulator,target,label' "
    "(e.g. 'fis,adhE,activator')"
)


def _labels(values: Any, name: str | None = None) -> pd.Index:
    """Labels as a str Index built from a plain array (the same on pandas 2 and 3)."""
    return pd.Index(np.asarray(values, dtype=object).astype(str), name=name)


# --- files --------------------------------------------------------------------------------


def _check_file(path: str | Path) -> Path:
    """The file exists, is a file and is not 0 bytes."""
    path = Path(path)
    if not path.exists():
        raise input_error(
            "file not found",
            fix=f"check the path (relative paths start from {Path.cwd()})",
            path=path,
        )
    if not path.is_file():
        raise input_error("is a folder, not a file", fix="pass the file inside it", path=path)
    if path.stat().st_size == 0:
        raise input_error(
            "file is empty (0 bytes)",
            fix="re-create the file; an interrupted download or export leaves empty files",
            path=path,
        )
    return path


def _text_format(path: Path, *, h5ad_ok: bool = False) -> tuple[str, bool]:
    """(default separator, gzip?) for a delimited-text path, from its suffixes (any case)."""
    suffixes = [s.lower() for s in path.suffixes]
    gz = bool(suffixes) and suffixes[-1] == ".gz"
    stem_suffixes = suffixes[:-1] if gz else suffixes
    base = stem_suffixes[-1] if stem_suffixes else ""
    if base not in _TEXT_SUFFIXES:
        accepted = ".csv, .tsv, .txt (each optionally .gz)" + (", .h5ad" if h5ad_ok else "")
        raise input_error(
            f"unsupported file format {''.join(path.suffixes) or '(no suffix)'!r}",
            fix=f"save the table as one of {accepted}",
            path=path,
        )
    return _TEXT_SUFFIXES[base], gz


@contextlib.contextmanager
def _reading(path: Path) -> Iterator[None]:
    """Turn low-level read failures (encoding, gzip, tokenizer) into input errors."""
    try:
        yield
    except pd.errors.EmptyDataError:
        raise input_error(
            "file has no data (only blank lines)", fix="re-create the file", path=path
        ) from None
    except pd.errors.ParserError as err:
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(err))
        if m:
            expected, line, saw = (int(g) for g in m.groups())
            raise input_error(
                f"row has {saw} fields but the rows above have {expected}",
                fix="give every row the same number of fields (look for a stray separator "
                "or an unclosed quote)",
                path=path,
                line=line,
            ) from None
        raise input_error(
            f"cannot parse as delimited text ({err})",
            fix="check the separator and quoting",
            path=path,
        ) from None
    except UnicodeDecodeError as err:
        raise input_error(
            f"not UTF-8 text (byte {err.start} cannot be decoded)",
            fix="save the file with UTF-8 encoding",
            path=path,
        ) from None
    except PermissionError:
        raise input_error(
            "permission denied", fix="make the file readable for this user", path=path
        ) from None
    except (EOFError, OSError, zlib.error) as err:
        raise input_error(
            f"cannot read the (gzip) data: {err}",
            fix="re-create or re-download the file; it looks truncated or corrupt",
            path=path,
        ) from None


def _open_text(path: Path) -> IO[str]:
    """Text handle on a plain or gzip file (detected by its magic bytes, not its name)."""
    with open(path, "rb") as fh:
        magic = fh.read(2)
    raw: IO[bytes] = gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")
    return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")


def _sniff_separator(path: Path, default: str) -> str:
    """Pick tab, comma or semicolon by which occurs most in the first line (ties: suffix)."""
    with _reading(path), _open_text(path) as fh:
        first = fh.readline()
    counts = {sep: first.count(sep) for sep in _SEPARATORS}
    best = max(counts, key=lambda sep: counts[sep])
    if counts[best] == 0 or counts.get(default, 0) == counts[best]:
        return default
    return best


def _read_header(path: Path, sep: str) -> list[str]:
    """Fields of the first line, stripped (quoting handled as in the body)."""
    with _reading(path), _open_text(path) as fh:
        first = fh.readline().rstrip("\r\n")
    return [field.strip() for field in next(csv.reader([first], delimiter=sep), [])]


def _read_cells(path: Path, sep: str, *, skiprows: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """All fields as stripped strings plus the 1-based file line of each non-blank row.

    Slow but exact: used for prior networks and to locate problems in expression files.
    Returns empty arrays when there is nothing after ``skiprows`` lines.
    """
    with _reading(path), _open_text(path) as fh:
        try:
            raw = pd.read_csv(
                fh,
                sep=sep,
                header=None,
                skiprows=skiprows,
                dtype=str,
                na_filter=False,
                keep_default_na=False,
                skip_blank_lines=False,
                index_col=False,
            )
        except pd.errors.EmptyDataError:
            return np.empty((0, 0), dtype=object), np.empty(0, dtype=np.int64)
    shape = raw.shape
    flat = pd.Series(raw.to_numpy(dtype=object).ravel(), dtype=object).fillna("")
    cells = flat.astype(str).str.strip().to_numpy(dtype=object).reshape(shape)
    lines = np.arange(1 + skiprows, shape[0] + 1 + skiprows)
    nonblank = (cells != "").any(axis=1)
    return cells[nonblank], lines[nonblank]


# --- expression ---------------------------------------------------------------------------


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
    path = _check_file(path)
    if orientation not in ORIENTATIONS:
        raise input_error(
            f"unknown orientation {orientation!r}",
            fix=f"use one of {', '.join(ORIENTATIONS)}",
            path=path,
        )
    hint = None if genes_hint is None else _labels(pd.unique(_labels(list(genes_hint))))
    if path.suffix.lower() == ".h5ad":
        df, used = _read_h5ad(path, orientation, hint, layer)
    else:
        if layer is not None:
            raise input_error(
                f"layer={layer!r} only applies to .h5ad files",
                fix="drop the layer argument for CSV/TSV files",
                path=path,
            )
        default_sep, _ = _text_format(path, h5ad_ok=True)
        sep = _sniff_separator(path, default_sep)
        fast = _parse_expression_fast(path, sep)
        if fast is None:  # something is wrong: re-read slowly to say exactly what
            df, used = _parse_expression_strict(path, sep, orientation, hint)
        else:
            ids, cols, values = fast
            used = _resolve_orientation(ids, cols, orientation, hint, path, "genes-by-samples")
            df = _to_genes_by_samples(ids, cols, values, used)
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


def _to_genes_by_samples(
    ids: pd.Index, cols: pd.Index, values: np.ndarray, orientation: str
) -> pd.DataFrame:
    """Assemble the canonical frame from the file's row ids, header ids and values."""
    if orientation == "samples-by-genes":
        ids, cols, values = cols, ids, values.T
    df = pd.DataFrame(
        np.ascontiguousarray(values, dtype=np.float64),
        index=_labels(ids, name="gene"),
        columns=_labels(cols),
    )
    df.columns.name = None
    return df


def _parse_expression_fast(path: Path, sep: str) -> tuple[pd.Index, pd.Index, np.ndarray] | None:
    """C-parser read of a well-formed matrix; ``None`` when anything looks wrong.

    Well-formed files (the common case, possibly large) never build per-cell Python strings;
    everything else goes to :func:`_parse_expression_strict`, which names the problem.
    """
    try:
        header = _read_header(path, sep)
        with _open_text(path) as fh:
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
        cols = _labels(header[1:])
    elif len(header) == df.shape[1]:  # R's write.table: no name above the id column
        cols = _labels(header)
    else:
        return None
    if df.shape[0] == 0 or df.shape[1] == 0 or not all(dt.kind in "fiu" for dt in df.dtypes):
        return None
    values = df.to_numpy(dtype=np.float64)
    if not np.isfinite(values).all() or df.index.isna().any():
        return None
    ids = _labels(df.index).str.strip()
    if (ids == "").any() or (cols == "").any() or not ids.is_unique or not cols.is_unique:
        return None
    return ids, cols, values


def _parse_expression_strict(
    path: Path, sep: str, orientation: str, hint: pd.Index | None
) -> tuple[pd.DataFrame, str]:
    """Read every cell as text and raise the first problem with its line, gene and sample."""
    header = _read_header(path, sep)
    if not any(header):
        raise input_error(
            "line 1 is empty; expected the header",
            fix="put the sample (or gene) names on line 1",
            path=path,
            line=1,
        )
    body, body_lines = _read_cells(path, sep, skiprows=1)
    if body.shape[0] == 0:
        raise input_error(
            "no data rows (only a header line)",
            fix="add one row per gene (or per sample) below the header",
            path=path,
            line=1,
        )
    if body.shape[1] < 2:
        raise input_error(
            f"only one column was found when reading the file as {_SEP_NAMES[sep]}-separated",
            fix="use comma- or tab-separated values: ids in the first column, then one column "
            "per sample (or per gene)",
            path=path,
        )
    if len(header) == body.shape[1]:
        offset, cols = 1, _labels(header[1:])
    elif len(header) == body.shape[1] - 1:  # R's write.table: no name above the id column
        offset, cols = 0, _labels(header)
    else:
        raise input_error(
            f"the first data row has {body.shape[1]} fields but the header has {len(header)}",
            fix="give the header one name per column (the first one may be empty)",
            path=path,
            line=int(body_lines[0]),
        )
    ids = _labels(body[:, 0])
    used = _resolve_orientation(ids, cols, orientation, hint, path, "genes-by-samples")
    genes_on_rows = used == "genes-by-samples"

    def row_at(k: int) -> tuple[str, int | None]:
        return f"line {body_lines[k]}", int(body_lines[k])

    def col_at(k: int) -> tuple[str, int | None]:
        return f"header field {k + 1 + offset}", 1

    _check_labels(ids, is_gene=genes_on_rows, where=row_at, path=path, axis="first column")
    _check_labels(cols, is_gene=not genes_on_rows, where=col_at, path=path, axis="header")

    raw = body[:, 1:]
    flat = pd.Series(raw.ravel(), dtype=object)
    numbers = pd.to_numeric(flat, errors="coerce").to_numpy(dtype=np.float64)
    missing = flat.str.lower().isin(_MISSING_TOKENS).to_numpy()
    _check_values(
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
    return _to_genes_by_samples(ids, cols, values, used), used


def _read_h5ad(
    path: Path, orientation: str, hint: pd.Index | None, layer: str | None
) -> tuple[pd.DataFrame, str]:
    """Read an AnnData file (obs x var) and validate it like a text matrix."""
    anndata = _import_anndata(path)
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
    obs = _labels(adata.obs_names)
    var = _labels(adata.var_names)
    used = _resolve_orientation(obs, var, orientation, hint, path, "samples-by-genes")
    genes_on_rows = used == "genes-by-samples"
    _check_labels(
        obs,
        is_gene=genes_on_rows,
        where=lambda k: (f"obs_names[{k}]", None),
        path=path,
        axis="obs_names",
    )
    _check_labels(
        var,
        is_gene=not genes_on_rows,
        where=lambda k: (f"var_names[{k}]", None),
        path=path,
        axis="var_names",
    )
    _check_values(
        values,
        np.isnan(values),
        None,
        obs,
        var,
        genes_on_rows=genes_on_rows,
        row_line=lambda i: None,
        path=path,
    )
    return _to_genes_by_samples(obs, var, values, used), used


def _resolve_orientation(
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
        if rows_ok and cols_ok:
            problem = f"ambiguous orientation: {counts}, comparably many on both axes"
            fix = "pass orientation='genes-by-samples' or 'samples-by-genes' (CLI: --orientation)"
        else:
            problem = f"cannot detect the orientation: {counts} (at least {need} needed)"
            fix = (
                "pass orientation='genes-by-samples' or 'samples-by-genes' (CLI: --orientation); "
                "if neither axis holds the prior's genes, use the same gene ids in both files "
                "(e.g. symbols vs Ensembl ids)"
            )
        raise input_error(problem, fix=fix, path=path)
    log.info(
        "%s: %d row labels and %d column labels are prior genes -> %s", path, n_rows, n_cols, used
    )
    return used


def _check_labels(
    labels: pd.Index,
    *,
    is_gene: bool,
    where: Callable[[int], tuple[str, int | None]],
    path: Path,
    axis: str,
) -> None:
    """Labels on one axis are non-empty and unique; errors say where both copies are."""
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
    if dup.size:
        second = int(dup[0])
        label = str(labels[second])
        first = int(np.flatnonzero(np.asarray(labels == label))[0])
        (text1, _), (text2, line) = where(first), where(second)
        fix = (
            "aggregate the duplicate genes (e.g. mean of their rows) or make the ids unique"
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


def _check_values(
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


# --- regulations --------------------------------------------------------------------------


def read_regulations(
    path: str | Path, *, on_conflict: str = "last", unknown_types: str = "error"
) -> pd.DataFrame:
    """Read a typed prior network as ``regulator, target, type`` (activation / repression).

    Layouts (column names case-insensitive; CSV/TSV, optionally gzip'd, separator sniffed):
    ``regulator,target,type`` (``TF`` also names the regulator); BEELINE ``Gene1,Gene2,Type``
    with ``+``/``-``; decoupler/CollecTRI ``source,target,weight`` (the weight's sign gives
    the type; 0 is not a type); three columns without a header, detected when the first row's
    third field is itself a type label (the FGRN source files: ``fis,adhE,activator``).
    Labels: activation/activator/activate/+/1/positive and repression/repressor/repress/-/-1/
    negative, any case, or any non-zero signed number.

    Args:
        path: the file.
        on_conflict: a (regulator, target) pair listed with different types: ``"last"``
            (default) keeps the last row's type in file order, as the benchmark's reference
            code does, and warns with the number of such pairs; ``"error"`` raises naming the
            first such pair and its lines; ``"drop"`` removes those pairs with a warning.
        unknown_types: ``"error"`` raises naming the first unknown label, its line and all
            distinct unknown labels; ``"drop"`` removes those rows with a warning.

    Returns:
        DataFrame with exactly the columns ``regulator, target, type`` (str) and a RangeIndex,
        pairs in order of first appearance; exact duplicate rows are collapsed; self-loops
        are kept.
    """
    return _read_regulations(path, on_conflict=on_conflict, unknown_types=unknown_types)[0]


def _normalise_types(values: pd.Series) -> pd.Series:
    """Labels (any case) or non-zero signed numbers -> activation / repression; else NaN."""
    lowered = values.astype(str).str.lower()
    out = lowered.map(TYPE_LABELS).to_numpy(dtype=object)
    numbers = pd.to_numeric(lowered, errors="coerce").to_numpy(dtype=np.float64)
    unlabelled = pd.isna(out) & np.isfinite(numbers)
    out = np.where(unlabelled & (numbers > 0), "activation", out)
    out = np.where(unlabelled & (numbers < 0), "repression", out)
    return pd.Series(out, index=values.index, dtype=object)


def _read_regulations(
    path: str | Path, *, on_conflict: str = "last", unknown_types: str = "error"
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """:func:`read_regulations` plus counts of what was dropped or merged (for metadata)."""
    if on_conflict not in CONFLICT_POLICIES:
        raise input_error(
            f"unknown on_conflict policy {on_conflict!r}",
            fix=f"use one of {', '.join(CONFLICT_POLICIES)}",
            path=path,
        )
    if unknown_types not in UNKNOWN_TYPE_POLICIES:
        raise input_error(
            f"unknown unknown_types policy {unknown_types!r}",
            fix=f"use one of {', '.join(UNKNOWN_TYPE_POLICIES)}",
            path=path,
        )
    path = _check_file(path)
    default_sep, _ = _text_format(path)
    sep = _sniff_separator(path, default_sep)
    cells, lines = _read_cells(path, sep)
    if cells.shape[0] == 0:
        raise input_error(
            "file has no data (only blank lines)", fix="re-create the file", path=path
        )
    first = [str(c) for c in cells[0]]
    if len(first) < 3:
        raise input_error(
            f"{len(first)} column(s) {first} when read as {_SEP_NAMES[sep]}-separated; "
            f"a prior network needs 3 ({_LAYOUTS_HELP})",
            fix="add the missing column(s) or use one of the accepted layouts",
            path=path,
            line=int(lines[0]),
        )
    if _normalise_types(pd.Series([first[2]], dtype=object)).notna().all():
        layout, (i_reg, i_tgt, i_type) = "headerless", (0, 1, 2)
        body, body_lines = cells, lines
    else:
        lower = [c.lower() for c in first]
        found = [
            next((lower.index(a) for a in aliases if a in lower), None)
            for aliases in (_REGULATOR_ALIASES, _TARGET_ALIASES, _TYPE_ALIASES)
        ]
        if any(k is None for k in found):
            hint = ""
            if len(first) == 3:
                hint = (
                    f"; if the file has no header, its first row's type {first[2]!r} is "
                    "not a known label"
                )
            raise input_error(
                f"unknown columns {first}{hint}; {_LAYOUTS_HELP}",
                fix="rename the columns to regulator,target,type (or another accepted layout)",
                path=path,
                line=int(lines[0]),
            )
        i_reg, i_tgt, i_type = (int(k) for k in found)  # type: ignore[arg-type]
        layout = f"{first[i_reg]},{first[i_tgt]},{first[i_type]}"
        body, body_lines = cells[1:], lines[1:]
    if body.shape[0] == 0:
        raise input_error(
            "no edges (only a header line)",
            fix="add one row per regulation below the header",
            path=path,
            line=int(lines[0]),
        )
    edges = pd.DataFrame(
        {
            "regulator": body[:, i_reg],
            "target": body[:, i_tgt],
            "label": body[:, i_type],
            "line": body_lines,
        }
    )
    empty = np.flatnonzero(((edges["regulator"] == "") | (edges["target"] == "")).to_numpy())
    if empty.size:
        k = int(empty[0])
        role = "regulator" if edges["regulator"].iat[k] == "" else "target"
        raise input_error(
            f"empty {role} name ({empty.size} row(s) with an empty gene name)",
            fix="fill in the gene name or delete the row",
            path=path,
            line=int(edges["line"].iat[k]),
        )
    edges["type"] = _normalise_types(edges["label"])
    unknown = edges["type"].isna().to_numpy()
    stats: dict[str, Any] = {"layout": layout, "rows": len(edges), "unknown_type_rows": 0}
    if unknown.any():
        distinct = edges.loc[unknown, "label"].value_counts(sort=False)
        shown = ", ".join(f"{v!r} ({n})" for v, n in list(distinct.items())[:10])
        k = int(np.flatnonzero(unknown)[0])
        value = edges["label"].iat[k]
        numbers = pd.to_numeric(pd.Series([value]), errors="coerce")
        if (numbers == 0).all():
            what = f"weight {value!r} has no sign (0 is neither activation nor repression)"
        else:
            what = f"unknown regulation type {value!r}"
        if unknown_types == "error":
            raise input_error(
                f"{what} ({int(unknown.sum())} row(s) with unknown types; distinct "
                f"values: {shown})",
                fix="map them to activation/repression (accepted: "
                f"{'/'.join(lab for lab, t in TYPE_LABELS.items() if t == 'activation')}, "
                f"{'/'.join(lab for lab, t in TYPE_LABELS.items() if t == 'repression')}, or a "
                "signed number), or pass unknown_types='drop' (CLI: --unknown-types drop) to "
                "drop those rows",
                path=path,
                line=int(edges["line"].iat[k]),
            )
        log.warning(
            "%s: dropped %d row(s) with unknown regulation types: %s",
            path,
            int(unknown.sum()),
            shown,
        )
        stats["unknown_type_rows"] = int(unknown.sum())
        stats["unknown_types"] = {str(v): int(n) for v, n in distinct.items()}
        edges = edges.loc[~unknown]
        if edges.empty:
            raise input_error(
                "no edges left after dropping unknown regulation types",
                fix="map the labels to activation/repression",
                path=path,
            )
    edges, conflict_stats = _deduplicate(edges, on_conflict, path)
    stats.update(conflict_stats)
    stats["edges"] = len(edges)
    return edges, stats


def _deduplicate(
    edges: pd.DataFrame, on_conflict: str, path: Path
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """One row per (regulator, target): collapse repeats, resolve conflicting types by policy."""
    keys = ["regulator", "target"]
    exact = int(edges.duplicated([*keys, "type"]).sum())
    n_types = edges.groupby(keys, sort=False)["type"].transform("nunique").to_numpy()
    conflict = n_types > 1
    n_conflict_pairs = int(edges.loc[conflict, keys].drop_duplicates().shape[0])
    if n_conflict_pairs:
        k = int(np.flatnonzero(conflict)[0])
        reg, tgt = edges["regulator"].iat[k], edges["target"].iat[k]
        same = edges[(edges["regulator"] == reg) & (edges["target"] == tgt)]
        shown = same.head(5)
        where = ", ".join(
            f"line {ln}: {t}" for ln, t in zip(shown["line"], shown["type"], strict=True)
        ) + (", ..." if len(same) > 5 else "")
        differs = int(np.flatnonzero((same["type"] != same["type"].iat[0]).to_numpy())[0])
        if on_conflict == "error":
            raise input_error(
                f"pair {reg!r} -> {tgt!r} is listed with conflicting types ({where}); "
                f"{n_conflict_pairs} pair(s) conflict",
                fix="keep one type per pair, or pass on_conflict='last' (last row wins) or "
                "'drop' (CLI: --on-conflict)",
                path=path,
                line=int(same["line"].iat[differs]),
                gene=str(reg),
            )
        if on_conflict == "drop":
            log.warning(
                "%s: dropped %d (regulator, target) pair(s) listed with conflicting types "
                "(first: %r -> %r)",
                path,
                n_conflict_pairs,
                reg,
                tgt,
            )
            edges = edges.loc[~conflict]
        else:
            log.warning(
                "%s: %d (regulator, target) pair(s) are listed with conflicting types; kept the "
                "type of the last row for each (on_conflict='last'; first: %r -> %r)",
                path,
                n_conflict_pairs,
                reg,
                tgt,
            )
    out = (
        edges.groupby(keys, sort=False)
        .agg(type=("type", "last"))
        .reset_index()
        .loc[:, list(REGULATION_COLUMNS)]
    )
    for col in REGULATION_COLUMNS:
        out[col] = out[col].astype(str)
    merged = len(edges) - len(out)
    if merged:
        log.info("%s: collapsed %d repeated row(s) of the same pair", path, merged)
    stats = {
        "exact_duplicate_rows": exact,
        "conflicting_pairs": n_conflict_pairs,
        "on_conflict": on_conflict,
        "collapsed_rows": merged,
    }
    return out.reset_index(drop=True), stats


# --- alignment and checks -----------------------------------------------------------------


def _prior_genes(regulations: pd.DataFrame) -> pd.Index:
    """Genes of a prior network in order of first appearance (row by row)."""
    pairs = regulations.loc[:, ["regulator", "target"]].to_numpy(dtype=object).ravel()
    return _labels(pd.unique(pairs))


def _absent_genes(expression: pd.DataFrame, regulations: pd.DataFrame) -> pd.Index:
    """Prior genes (first-appearance order) that are not in the expression index."""
    prior = _prior_genes(regulations)
    return prior[~prior.isin(expression.index)]


def align(
    expression: pd.DataFrame,
    regulations: pd.DataFrame,
    *,
    strict: bool = False,
    source: str | Path | None = None,
) -> pd.DataFrame:
    """Keep the prior edges whose regulator and target both have expression.

    Missing genes are reported by count with the first few names: a warning (edges dropped)
    by default, an error with ``strict=True``. No edge left is always an error, usually a
    gene-id namespace mismatch. ``source`` names the regulations file in messages.
    """
    if len(regulations) == 0:
        raise input_error(
            "the prior network has no edges", fix="pass a non-empty prior network", path=source
        )
    genes = expression.index
    keep = (regulations["regulator"].isin(genes) & regulations["target"].isin(genes)).to_numpy()
    if keep.all():
        return regulations.loc[:, list(REGULATION_COLUMNS)].reset_index(drop=True)
    absent = _absent_genes(expression, regulations)
    n_prior = len(_prior_genes(regulations))
    first = ", ".join(repr(g) for g in absent[:5]) + (", ..." if len(absent) > 5 else "")
    case_hint = ""
    if _labels(absent).str.lower().isin(_labels(genes).str.lower()).any():
        case_hint = " (some differ only in letter case)"
    counts = (
        f"{len(absent)} of {n_prior} prior-network genes are absent from the expression matrix"
        f"{case_hint} ({first}); {int((~keep).sum())} of {len(keep)} edges use them"
    )
    if not keep.any():
        raise input_error(
            f"no prior edge has both genes in the expression matrix: {counts}",
            fix="use the same gene ids in both files (e.g. gene symbols vs Ensembl ids, "
            "letter case, version suffixes)",
            path=source,
        )
    if strict:
        raise input_error(
            counts,
            fix="add those genes to the expression, map both files to the same gene ids, or "
            "run without strict / --strict to drop those edges with a warning",
            path=source,
        )
    log.warning("%s; dropped those edges", counts)
    return regulations.loc[keep, list(REGULATION_COLUMNS)].reset_index(drop=True)


def check_trainable(regulations: pd.DataFrame, *, source: str | Path | None = None) -> None:
    """The 3-class model needs both activation and repression edges in the prior."""
    counts = regulations["type"].value_counts()
    n = {t: int(counts.get(t, 0)) for t in REGULATION_TYPES}
    missing = [t for t in REGULATION_TYPES if n[t] == 0]
    if missing:
        raise input_error(
            f"the prior network has fewer than 2 regulation classes "
            f"({n['activation']} activation, {n['repression']} repression edges); the "
            "3-class model (none / repression / activation) needs both",
            fix=f"add {' and '.join(missing)} edges to the prior (signed edges, e.g. from "
            "TRRUST, RegulonDB or CollecTRI)",
            path=source,
        )


def load_user_data(
    expression_path: str | Path,
    regulations_path: str | Path,
    *,
    orientation: str = "auto",
    strict: bool = False,
    on_conflict: str = "last",
    unknown_types: str = "error",
) -> GRNDataset:
    """Read, validate and align a user's expression matrix and prior network.

    The prior is read first so its genes can tell the expression's orientation. Metadata
    records both paths and sha256 sums, the counts, and what was dropped.
    """
    regulations, reg_stats = _read_regulations(
        regulations_path, on_conflict=on_conflict, unknown_types=unknown_types
    )
    hint = _prior_genes(regulations)
    expression, used = _read_expression(expression_path, orientation=orientation, genes_hint=hint)
    absent = _absent_genes(expression, regulations)
    aligned = align(expression, regulations, strict=strict, source=regulations_path)
    check_trainable(aligned, source=regulations_path)
    counts = aligned["type"].value_counts()
    name = Path(expression_path).name
    for suffix in (".gz", ".csv", ".tsv", ".txt", ".tab", ".h5ad"):
        name = name[: -len(suffix)] if name.lower().endswith(suffix) else name
    metadata = {
        "source": "user",
        "expression_path": str(expression_path),
        "regulations_path": str(regulations_path),
        "expression_sha256": sha256_file(expression_path),
        "regulations_sha256": sha256_file(regulations_path),
        "orientation": used,
        "genes": int(expression.shape[0]),
        "samples": int(expression.shape[1]),
        "edges": len(aligned),
        "activation": int(counts.get("activation", 0)),
        "repression": int(counts.get("repression", 0)),
        "regulations_read": reg_stats,
        "dropped_genes": [str(g) for g in absent],
        "dropped_edges": len(regulations) - len(aligned),
        "strict": strict,
    }
    return GRNDataset(name=name, expression=expression, regulations=aligned, metadata=metadata)


# --- writers ------------------------------------------------------------------------------


def _write_table(df: pd.DataFrame, path: Path, *, index_label: str | None) -> None:
    """Write ``df`` as CSV/TSV(.gz) atomically; gzip with mtime 0 so the bytes are reproducible."""
    sep, gz = _text_format(path)
    kwargs = {"sep": sep, "lineterminator": "\n"}
    if index_label is None:
        kwargs["index"] = False
    else:
        kwargs["index_label"] = index_label
    with atomic_write(path, "wb") as raw:
        if gz:
            with (
                gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as zf,
                io.TextIOWrapper(zf, encoding="utf-8", newline="") as fh,
            ):
                df.to_csv(fh, **kwargs)
        else:
            fh = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            df.to_csv(fh, **kwargs)
            fh.flush()
            fh.detach()  # atomic_write closes (and moves) the file itself


def write_expression(df: pd.DataFrame, path: str | Path) -> Path:
    """Write a genes x samples expression table that :func:`read_expression` reads back exactly.

    Format by suffix: ``.csv`` / ``.tsv`` / ``.txt`` (tab), each optionally ``.gz``; or
    ``.h5ad`` (AnnData, obs = samples, var = genes; needs the ``h5ad`` extra). Floats are written
    at full precision, so a round trip is bit-exact. The file appears atomically.
    """
    path = Path(path)
    if not df.index.is_unique or not df.columns.is_unique:
        raise input_error(
            "expression to write has duplicate gene ids or sample names",
            fix="make the index (genes) and columns (samples) unique before writing",
            path=path,
        )
    out = df.astype("float64")
    out.index = out.index.astype(str)
    out.columns = out.columns.astype(str)
    if path.suffix.lower() == ".h5ad":
        anndata = _import_anndata(path)
        adata = anndata.AnnData(
            X=out.to_numpy().T.copy(),
            # object-dtype names: anndata < 0.11 cannot write pandas' new string arrays
            obs=pd.DataFrame(index=pd.Index(out.columns.to_numpy(object), dtype=object)),
            var=pd.DataFrame(index=pd.Index(out.index.to_numpy(object), dtype=object)),
        )
        with atomic_path(path) as tmp:
            adata.write_h5ad(tmp)
        return path
    _write_table(out, path, index_label="gene")
    return path


def write_regulations(df: pd.DataFrame, path: str | Path) -> Path:
    """Write a prior network (columns ``regulator, target, type``) as CSV/TSV(.gz), atomically.

    Extra columns are dropped; ``type`` must already be ``activation`` or ``repression`` so
    that what we write is exactly what :func:`read_regulations` returns.
    """
    path = Path(path)
    missing = [c for c in REGULATION_COLUMNS if c not in df.columns]
    if missing:
        raise input_error(
            f"regulations to write lack the column(s) {missing}",
            fix=f"pass a DataFrame with columns {list(REGULATION_COLUMNS)}",
            path=path,
        )
    out = df.loc[:, list(REGULATION_COLUMNS)].astype(str)
    bad = ~out["type"].isin(REGULATION_TYPES)
    if bad.any():
        raise input_error(
            f"regulations to write have type {out['type'][bad].iloc[0]!r}",
            fix=f"use only {list(REGULATION_TYPES)} (read_regulations normalises other labels)",
            path=path,
        )
    _write_table(out, path, index_label=None)
    return path


def _import_anndata(path: Path):
    """Import the optional ``anndata`` package or explain how to install it."""
    try:
        import anndata
    except ImportError:
        raise input_error(
            ".h5ad files need the optional package 'anndata', which is not installed",
            fix='pip install "xatgrn[h5ad]" (or save the matrix as CSV/TSV)',
            path=path,
        ) from None
    return anndata


def gene_positions(genes: pd.Index, names: Any, what: str = "") -> np.ndarray:
    """Positions of gene ids ``names`` in ``genes``; unknown ids are a clear error naming them.

    Used wherever pairs given by name meet a fitted model's gene order.
    """
    names = pd.Index(pd.Series(list(names), dtype=object).astype(str))
    pos = genes.get_indexer(names)
    if (pos < 0).any():
        missing = list(names[pos < 0][:5])
        label = f"{what} gene(s)" if what else "gene(s)"
        raise input_error(
            f"{int((pos < 0).sum())} {label} are not in the model's genes, e.g. {missing}",
            fix="use gene ids from the expression matrix the model was fitted on",
        )
    return pos.astype(np.int64)


def read_gene_list(path: str | Path) -> list[str]:
    """Genes, one per line (first whitespace/comma/tab-separated field); ``#`` comments and blank
    lines ignored; duplicates dropped keeping the first. For ``--regulators`` / ``--targets``."""
    path = _check_file(path)
    with _open_text(path) as fh:
        lines = fh.read().splitlines()
    genes: list[str] = []
    for line in lines:
        field = re.split(r"[\s,]+", line.split("#", 1)[0].strip())[0]
        if field:
            genes.append(field)
    if not genes:
        raise input_error("no gene ids in the file", fix="list one gene id per line", path=path)
    return list(dict.fromkeys(genes))
