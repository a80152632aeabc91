"""Reading text files safely: existence checks, formats, encodings, separators, cells.

Every low-level failure (missing or empty file, bad gzip, wrong encoding, ragged rows) becomes one
:func:`~xatgrn.errors.input_error` naming the file and, where known, the 1-based line, so the
readers built on these helpers (expression, regulations, edge lists) never leak a parser traceback.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from xatgrn.errors import input_error

#: delimited-text suffixes (each optionally followed by ``.gz``) and their default separator
TEXT_SUFFIXES: dict[str, str] = {".csv": ",", ".tsv": "\t", ".txt": "\t", ".tab": "\t"}
_SEPARATORS: tuple[str, ...] = ("\t", ",", ";")
#: separator -> its name in messages
SEP_NAMES: dict[str, str] = {"\t": "tab", ",": "comma", ";": "semicolon"}


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
        accepted = ".csv, .tsv, .txt (each optionally .gz)" + (", .h5ad" if h5ad_ok else "")
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


def open_text(path: Path) -> IO[str]:
    """Text handle on a plain or gzip file (detected by its magic bytes, not its name)."""
    with open(path, "rb") as fh:
        magic = fh.read(2)
    raw: IO[bytes] = gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")
    return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")


def sniff_separator(path: Path, default: str) -> str:
    """Pick tab, comma or semicolon by which occurs most in the first line (ties: suffix)."""
    with reading(path), open_text(path) as fh:
        first = fh.readline()
    counts = {sep: first.count(sep) for sep in _SEPARATORS}
    best = max(counts, key=lambda sep: counts[sep])
    if counts[best] == 0 or counts.get(default, 0) == counts[best]:
        return default
    return best


def read_header(path: Path, sep: str) -> list[str]:
    """Fields of the first line, stripped (quoting handled as in the body)."""
    with reading(path), open_text(path) as fh:
        first = fh.readline().rstrip("\r\n")
    return [field.strip() for field in next(csv.reader([first], delimiter=sep), [])]


def read_cells(path: Path, sep: str, *, skiprows: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """All fields as stripped strings plus the 1-based file line of each non-blank row.

    Slow but exact: used for prior networks and to locate problems in expression files.
    Returns empty arrays when there is nothing after ``skiprows`` lines.
    """
    with reading(path), open_text(path) as fh:
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
