"""Reading text files safely: existence checks, formats, encodings, separators, cells.

Every low-level failure (missing or empty file, bad gzip, wrong encoding, ragged rows) becomes one
:func:`~xatgrn.errors.input_error` naming the file and, where known, the 1-based line, so the
readers built on these helpers (expression, regulations, edge lists) never leak a parser traceback.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import functools
import gzip
import io
import itertools
import logging
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from xatgrn.errors import input_error

log = logging.getLogger(__name__)

#: delimited-text suffixes (each optionally followed by ``.gz``) and their default separator
TEXT_SUFFIXES: dict[str, str] = {
    ".csv": ",",
    ".tsv": "\t",
    ".txt": "\t",
    ".tab": "\t",
    ".gct": "\t",
}
_SEPARATORS: tuple[str, ...] = ("\t", ",", ";")
#: the separator of whitespace-aligned tables (runs of spaces/tabs), as pandas spells it
WHITESPACE = r"\s+"
#: separator -> its name in messages
SEP_NAMES: dict[str, str] = {"\t": "tab", ",": "comma", ";": "semicolon", WHITESPACE: "whitespace"}
#: first line of a GEO series matrix's table, and its last
_SERIES_BEGIN, _SERIES_END = "!series_matrix_table_begin", "!series_matrix_table_end"


def check_file(path: str | Path) -> Path:
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


def text_format(path: Path, *, h5ad_ok: bool = False) -> tuple[str, bool]:
    """(default separator, gzip?) for a delimited-text path, from its suffixes (any case)."""
    suffixes = [s.lower() for s in path.suffixes]
    gz = bool(suffixes) and suffixes[-1] == ".gz"
    stem_suffixes = suffixes[:-1] if gz else suffixes
    base = stem_suffixes[-1] if stem_suffixes else ""
    if base not in TEXT_SUFFIXES:
        accepted = ".csv, .tsv, .txt, .gct (each optionally .gz)" + (", .h5ad" if h5ad_ok else "")
        raise input_error(
            f"unsupported file format {''.join(path.suffixes) or '(no suffix)'!r}",
            fix=f"save the table as one of {accepted}",
            path=path,
        )
    return TEXT_SUFFIXES[base], gz


@contextlib.contextmanager
def reading(path: Path) -> Iterator[None]:
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


def _open_binary(path: Path) -> IO[bytes]:
    """Byte handle on a plain or gzip file (detected by its magic bytes, not its name)."""
    with open(path, "rb") as fh:
        magic = fh.read(2)
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")


def text_encoding(path: Path) -> str:
    """``utf-8-sig``, ``utf-16`` (BOM) or ``latin-1`` (with a warning): what the file decodes as.

    Spreadsheets and older tools still write Latin-1 (e.g. accented sample names); every byte
    string is valid Latin-1, so such a file is read, and the warning says how.
    """
    st = path.stat()
    return _encoding(str(path), st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=64)
def _encoding(path: str, _mtime: int, _size: int) -> str:
    with _open_binary(Path(path)) as fh:
        head = fh.read(2)
        if head in (b"\xff\xfe", b"\xfe\xff"):
            return "utf-16"
        decoder = codecs.getincrementaldecoder("utf-8")()
        offset, chunk = 0, head
        while True:
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as err:
                log.warning(
                    "%s: not UTF-8 text (byte %d cannot be decoded); read as Latin-1 (ISO-8859-1)"
                    " -- check non-ASCII gene and sample names, or save the file as UTF-8",
                    path,
                    offset + err.start,
                )
                return "latin-1"
            if not chunk:
                return "utf-8-sig"
            offset += len(chunk)
            chunk = fh.read(1 << 20)


def open_text(path: Path) -> IO[str]:
    """Text handle on a plain or gzip file, decoded as :func:`text_encoding` says."""
    encoding = text_encoding(path)
    return io.TextIOWrapper(_open_binary(path), encoding=encoding, newline="")


@dataclass(frozen=True)
class TextLayout:
    """Where the table is in a text file, and how its fields are separated.

    Attributes:
        sep: ``"\\t"``, ``","``, ``";"`` or :data:`WHITESPACE`.
        skip: lines before the header: ``#`` comments (RegulonDB), a GEO series matrix's ``!``
            metadata, a GCT file's version and size lines.
        nrows: lines after the header that belong to the table (``None``: to the end).
        kind: ``"table"``, ``"geo-series-matrix"`` or ``"gct"`` (for messages and logs).
    """

    sep: str
    skip: int = 0
    nrows: int | None = None
    kind: str = "table"


def _split_line(line: str, sep: str) -> list[str]:
    """Fields of one line, stripped; quotes handled as in the body."""
    line = line.rstrip("\r\n")
    if sep == WHITESPACE:
        return [f[1:-1] if f[:1] == f[-1:] == '"' and len(f) > 1 else f for f in _tokens(line)]
    return [field.strip() for field in next(csv.reader([line], delimiter=sep), [])]


def _tokens(line: str) -> list[str]:
    return re.findall(r'"[^"]*"|\S+', line)


def _choose_separator(line: str, default: str) -> str:
    """Tab, comma or semicolon by count (ties: the suffix's); whitespace if none occurs."""
    counts = {sep: line.count(sep) for sep in _SEPARATORS}
    best = max(counts, key=lambda sep: counts[sep])
    if counts[best] == 0:
        return WHITESPACE if len(_tokens(line.strip())) > 1 else default
    if counts.get(default, 0) == counts[best]:
        return default
    return best


def text_layout(path: Path, default_sep: str) -> TextLayout:
    """Find the table: skip comment / metadata lines, sniff the separator from its header line.

    Leading blank lines and lines starting with ``#`` or ``!`` are skipped (RegulonDB's comment
    block, GEO series-matrix metadata); a series matrix's table ends at
    ``!series_matrix_table_end``; a GCT file's two header lines (``#1.2`` and the sizes) are
    skipped.
    """
    skip, header, kind, nrows = 0, "", "table", None
    with reading(path), open_text(path) as fh:
        for line in fh:
            text = line.strip().strip('"')
            if skip == 0 and re.fullmatch(r"#1\.[23]", text):
                kind = "gct"
            if kind == "gct" and skip == 1:  # the "rows<TAB>columns" line
                skip += 1
                continue
            if text == "" or text.startswith(("#", "!")):
                if text.lower() == _SERIES_BEGIN:
                    kind = "geo-series-matrix"
                skip += 1
                continue
            header = line
            break
        if kind == "geo-series-matrix":
            for k, line in enumerate(fh):
                if line.strip().strip('"').lower() == _SERIES_END:
                    nrows = k
                    break
    sep = _choose_separator(header, default_sep)
    if kind != "table" or skip:
        log.info(
            "%s: %s; the table starts at line %d (%s-separated)",
            path,
            kind,
            skip + 1,
            SEP_NAMES[sep],
        )
    return TextLayout(sep=sep, skip=skip, nrows=nrows, kind=kind)


def sniff_separator(path: Path, default: str) -> str:
    """Pick tab, comma or semicolon by which occurs most in the table's first line (ties:
    suffix); whitespace when none occurs but the line has several fields."""
    return text_layout(path, default).sep


def read_header(path: Path, sep: str, skip: int = 0) -> list[str]:
    """Fields of the table's first line (after ``skip`` lines), stripped."""
    with reading(path), open_text(path) as fh:
        line = next(itertools.islice(fh, skip, None), "")
    return _split_line(line, sep)


def read_cells(
    path: Path, sep: str, *, skiprows: int = 0, nrows: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """All fields as stripped strings plus the 1-based file line of each non-blank row.

    Slow but exact: used for prior networks and to locate problems in expression files.
    Returns empty arrays when there is nothing after ``skiprows`` lines; reads at most ``nrows``
    lines.
    """
    with reading(path), open_text(path) as fh:
        try:
            raw = pd.read_csv(
                fh,
                sep=sep,
                header=None,
                skiprows=skiprows,
                nrows=nrows,
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


def import_anndata(path: Path):
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
