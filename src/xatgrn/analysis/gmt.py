"""Gene-set libraries in GMT format: a forgiving reader for the quirks real files have.

GMT: one set per line, ``name TAB description TAB gene1 TAB gene2 ...``. Quirks handled
(all seen in public libraries):

* gzip or plain text (detected by the magic bytes, not the name);
* Enrichr files: an empty description and a trailing TAB (an empty last field, not a gene);
* Windows (CRLF) or old Mac (CR) line ends; blank lines;
* a record split by a stray line break: a line that *starts with a TAB* continues the previous
  record (its fields are genes), as in DSigDB_All's ``coenzyme A_BOSS``;
* Enrichr's weighted genes ``GENE,1.0``: the ``,weight`` suffix is dropped;
* a gene listed twice in one set counts once.

Errors (``XatgrnInputError`` naming file and line): empty file, duplicate set names, a set
with no genes, a continuation line before any set, text that is not UTF-8.
"""

from __future__ import annotations

import gzip
import itertools
import logging
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from xatgrn.errors import input_error

log = logging.getLogger(__name__)

__all__ = ["GeneSetLibrary", "read_gmt"]

_WEIGHT_SUFFIX = re.compile(r",\s*[-+]?\d*\.?\d+(?:[eE][-+]?\d+)?$")


@dataclass(frozen=True)
class GeneSetLibrary:
    """Named gene sets (``name -> genes``, file order kept) plus where they came from.

    ``membership`` is the sets x genes 0/1 sparse matrix that enrichment multiplies with; it is
    built once per library and cached.
    """

    name: str
    sets: dict[str, tuple[str, ...]]
    descriptions: dict[str, str] = field(default_factory=dict)
    source: str | None = None
    sha256: str | None = None
    citation: str | None = None

    def __len__(self) -> int:
        return len(self.sets)

    @cached_property
    def terms(self) -> np.ndarray:
        """Set names in file order (rows of :attr:`membership`)."""
        return np.asarray(list(self.sets), dtype=object)

    @cached_property
    def _index(self) -> tuple[np.ndarray, sp.csr_matrix]:
        """Sorted genes and the sets x genes membership matrix, built together in one pass."""
        sizes = np.fromiter((len(g) for g in self.sets.values()), dtype=np.int64, count=len(self))
        flat = list(itertools.chain.from_iterable(self.sets.values()))
        codes, uniques = pd.factorize(pd.Series(flat, dtype=object), sort=True)
        genes = np.asarray(uniques, dtype=object)
        rows = np.repeat(np.arange(len(self)), sizes)
        data = np.ones(len(codes), dtype=np.int64)
        matrix = sp.csr_matrix((data, (rows, codes)), shape=(len(self), len(genes)))
        return genes, matrix

    @property
    def genes(self) -> np.ndarray:
        """Every gene in any set, sorted (columns of :attr:`membership`)."""
        return self._index[0]

    @property
    def membership(self) -> sp.csr_matrix:
        """Sets x genes CSR matrix of ones (``membership[i, j] = 1``: gene j is in set i)."""
        return self._index[1]


def _decode(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise input_error(f"cannot read the file: {err}", fix="check the path", path=path) from None
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as err:
            raise input_error(
                f"corrupt gzip data ({err})", fix="re-download the library", path=path
            ) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise input_error(
            f"not UTF-8 text (byte {err.start} cannot be decoded)",
            fix="save the GMT file with UTF-8 encoding",
            path=path,
        ) from None


def _genes(fields: list[str]) -> list[str]:
    out = []
    for f in fields:
        g = f.strip()
        if "," in g:
            g = _WEIGHT_SUFFIX.sub("", g).strip()
        if g:
            out.append(g)
    return out


def read_gmt(path: str | Path, name: str | None = None) -> GeneSetLibrary:
    """Read a GMT file (plain or gzip) into a :class:`GeneSetLibrary`.

    Args:
        path: the GMT file.
        name: the library's name (default: the file name without ``.gmt``/``.gz``).
    """
    path = Path(path)
    if not path.is_file():
        raise input_error("GMT file not found", fix="check the path", path=path)
    text = _decode(path)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    sets: dict[str, list[str]] = {}
    descriptions: dict[str, str] = {}
    first_line: dict[str, int] = {}
    current: str | None = None
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        fields = line.split("\t")
        if line.startswith("\t"):
            if current is None:
                raise input_error(
                    "line starts with a TAB (a continuation) but no gene set precedes it",
                    fix="start every record with its set name",
                    path=path,
                    line=lineno,
                )
            sets[current].extend(_genes(fields))
            continue
        set_name = fields[0].strip()
        if set_name in sets:
            raise input_error(
                f"duplicate gene-set name {set_name!r} (first on line {first_line[set_name]})",
                fix="give every set a unique name (merge or rename the duplicates)",
                path=path,
                line=lineno,
            )
        current = set_name
        first_line[set_name] = lineno
        descriptions[set_name] = fields[1].strip() if len(fields) > 1 else ""
        sets[set_name] = _genes(fields[2:])
    if not sets:
        raise input_error(
            "the GMT file holds no gene sets",
            fix="check the file (one set per line: name TAB description TAB genes...)",
            path=path,
        )
    empty = [s for s, genes in sets.items() if not genes]
    if empty:
        raise input_error(
            f"gene set {empty[0]!r} has no genes"
            + (f" ({len(empty) - 1} more sets too)" if len(empty) > 1 else ""),
            fix="each line needs name TAB description TAB at least one gene; remove empty sets",
            path=path,
            line=first_line[empty[0]],
        )
    if name is None:
        name = re.sub(r"(\.gmt)?(\.gz)?$", "", path.name, flags=re.IGNORECASE)
    log.debug("read %d gene sets from %s", len(sets), path)
    return GeneSetLibrary(
        name=name,
        sets={s: tuple(dict.fromkeys(g)) for s, g in sets.items()},
        descriptions=descriptions,
        source=str(path),
    )
