r"""Over-representation analysis (ORA) of a gene list against a gene-set library.

For each set with :math:`K` genes in the universe of :math:`N` genes, a list of :math:`n`
genes of which :math:`k` fall in the set gets the one-sided hypergeometric p-value

.. math::
    p = P(X \ge k) = \sum_{i=k}^{\min(n, K)} \binom{K}{i}\binom{N-K}{n-i} \Big/ \binom{N}{n}

(``scipy.stats.hypergeom.sf(k - 1, N, K, n)``), Benjamini-Hochberg FDR over every tested set
(``scipy.stats.false_discovery_control``; sets with no overlap are tested too, with p = 1),
and the odds ratio of the 2x2 table (in list / not) x (in set / not),
:math:`OR = k (N - K - n + k) / ((n - k)(K - k))`, with the Haldane-Anscombe correction
(0.5 added to every cell) applied only to tables with a zero cell.

**Background** (the universe), explicit because it changes every p-value:

* a gene list (``"dataset"``: the genes of the analysed networks; or a file): the universe is
  the background genes that occur in the library (genes no set mentions carry no
  information: the clusterProfiler convention; ``annotated_only=False`` keeps them); sets
  *and* the query list are intersected with it;
* an integer ``N`` (e.g. 20,000 for a genome): sets and list are used as they are, ``N`` is
  the universe size (the Enrichr-style setting the paper's numbers come from).

Enrichr's "combined score" needs its server-side rank tables and is deliberately not imitated.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import false_discovery_control, hypergeom

from xatgrn.analysis.gmt import GeneSetLibrary
from xatgrn.errors import input_error

log = logging.getLogger(__name__)

__all__ = ["ENRICHMENT_COLUMNS", "Universe", "odds_ratio", "ora", "resolve_background"]

ENRICHMENT_COLUMNS = (
    "term",
    "overlap",
    "set_size",
    "list_size",
    "background_size",
    "p_value",
    "fdr",
    "odds_ratio",
    "genes",
)


@dataclass(frozen=True)
class Universe:
    """The ORA universe: ``genes`` (intersect sets and list with them) or only a ``size``."""

    kind: str  # "dataset", "file", "size"
    genes: tuple[str, ...] | None = None
    size: int | None = None
    source: str | None = None

    def describe(self) -> str:
        if self.genes is None:
            return f"{self.size:,} genes (a fixed genome size; sets not intersected)"
        where = f" from {self.source}" if self.source else ""
        return f"{len(self.genes):,} {self.kind} genes{where} (sets intersected)"


def resolve_background(
    background: str | int | Path | Iterable[str] = "dataset",
    dataset_genes: Iterable[str] | None = None,
) -> Universe:
    """Turn ``'dataset'``, an int / digit string ``N``, a file path or a gene list into a Universe."""
    if isinstance(background, Universe):
        return background
    if isinstance(background, (int, np.integer)) or (
        isinstance(background, str) and background.strip().isdigit()
    ):
        size = int(background)
        if size < 1:
            raise input_error(
                f"background size must be positive, got {size}", fix="pass e.g. 20000"
            )
        return Universe("size", size=size)
    if isinstance(background, str) and background == "dataset":
        if dataset_genes is None:
            raise input_error(
                "background 'dataset' needs the dataset's genes",
                fix="pass dataset_genes=, or a background size or gene file",
            )
        return Universe("dataset", genes=tuple(dict.fromkeys(map(str, dataset_genes))))
    if isinstance(background, (str, Path)):
        from xatgrn.data.io import read_gene_list

        return Universe("file", genes=tuple(read_gene_list(background)), source=str(background))
    return Universe("list", genes=tuple(dict.fromkeys(map(str, background))))


def odds_ratio(k: np.ndarray, n: int | np.ndarray, K: np.ndarray, N: int) -> np.ndarray:
    """Odds ratio of the 2x2 tables; Haldane-Anscombe +0.5 only where a cell is zero."""
    a = np.asarray(k, dtype=float)
    b = n - a
    c = np.asarray(K, dtype=float) - a
    d = N - np.asarray(K, dtype=float) - n + a
    zero = (a == 0) | (b == 0) | (c == 0) | (d == 0)
    shift = np.where(zero, 0.5, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return ((a + shift) * (d + shift)) / ((b + shift) * (c + shift))


def ora(
    genes: Sequence[str],
    library: GeneSetLibrary,
    *,
    background: Universe | str | int | Path | Iterable[str] = "dataset",
    dataset_genes: Iterable[str] | None = None,
    min_size: int = 1,
    max_size: int | None = None,
    annotated_only: bool = True,
    report_all: bool = False,
    list_name: str = "gene list",
) -> pd.DataFrame:
    """Over-representation of ``genes`` in each set of ``library`` (vectorised over sets).

    Args:
        genes: the query list (duplicates ignored).
        library: the gene sets.
        background: see the module docstring (default: ``dataset_genes``).
        dataset_genes: the genes behind ``background='dataset'``.
        min_size, max_size: test only sets with this many genes in the universe.
        annotated_only: with a gene-list background, keep only background genes that occur
            in the library (default, the clusterProfiler convention).
        report_all: also return tested sets with no overlap (p = 1).
        list_name: names the list in error messages.

    Returns:
        DataFrame with :data:`ENRICHMENT_COLUMNS` (``genes``: the overlapping genes, sorted,
        ``;``-joined) sorted by p-value, then overlap (descending), then term.

    Raises:
        XatgrnInputError: when no gene of the list is in the library (within the universe).
    """
    universe = resolve_background(background, dataset_genes)
    query = np.asarray(list(dict.fromkeys(map(str, genes))), dtype=str)
    if query.size == 0:
        raise input_error(f"{list_name} is empty", fix="pass at least one gene")
    lib_genes = library.genes.astype(str)
    membership = library.membership.tocsc()
    in_lib = np.isin(query, lib_genes)

    if universe.genes is None:
        N = int(universe.size)  # type: ignore[arg-type]
        set_sizes = np.asarray(library.membership.sum(axis=1)).ravel()
        query_used = query
        col_mask = np.ones(lib_genes.size, dtype=bool)
    else:
        bg = np.asarray(universe.genes, dtype=str)
        col_mask = np.isin(lib_genes, bg)
        N = int(col_mask.sum()) if annotated_only else int(np.unique(bg).size)
        keep = np.isin(query, bg) & (in_lib if annotated_only else True)
        if (~keep).any():
            log.info(
                "%s: %d of %d genes are outside the universe and are ignored",
                list_name,
                int((~keep).sum()),
                query.size,
            )
        query_used = query[keep]
        set_sizes = np.asarray(membership[:, np.flatnonzero(col_mask)].sum(axis=1)).ravel()

    hit_cols = np.flatnonzero(np.isin(lib_genes, query_used) & col_mask)
    if hit_cols.size == 0:
        shown = ", ".join(query[:5]) + (", ..." if query.size > 5 else "")
        raise input_error(
            f"none of the {query.size} genes of {list_name} ({shown}) is in library "
            f"{library.name!r} within the background ({universe.describe()})",
            fix="check the gene ids (the library uses HGNC symbols for human), the library, "
            "or the background",
        )
    n = int(query_used.size)
    if universe.genes is None and (N < n or N < int(set_sizes.max(initial=0))):
        raise input_error(
            f"background size {N} is smaller than the list ({n}) or the largest set "
            f"({int(set_sizes.max())})",
            fix="pass a background size at least the genome size (e.g. 20000)",
        )
    hits = membership[:, hit_cols].tocsr()
    k = np.asarray(hits.sum(axis=1)).ravel()
    tested = set_sizes >= max(min_size, 1)
    if max_size is not None:
        tested &= set_sizes <= max_size
    idx = np.flatnonzero(tested)
    if idx.size == 0:
        raise input_error(
            f"no gene set of {library.name!r} has between {min_size} and {max_size} genes "
            "in the background",
            fix="widen the set-size limits or change the background",
        )
    K, kk = set_sizes[idx], k[idx]
    p = hypergeom.sf(kk - 1, N, K, n)
    p = np.clip(p, 0.0, 1.0)
    fdr = false_discovery_control(p, method="bh")
    table = pd.DataFrame(
        {
            "term": library.terms[idx].astype(str),
            "overlap": kk.astype("int64"),
            "set_size": K.astype("int64"),
            "list_size": n,
            "background_size": N,
            "p_value": p,
            "fdr": fdr,
            "odds_ratio": odds_ratio(kk, n, K, N),
        }
    )
    if not report_all:
        table = table[table["overlap"] > 0]
    # overlapping genes of the reported sets: one pass over the sparse hits (sets x hit genes)
    rows = idx[table.index.to_numpy()]
    sub = hits[rows]
    sub.sort_indices()
    hit_names = lib_genes[hit_cols]
    joined = [
        ";".join(hit_names[sub.indices[s:e]])
        for s, e in zip(sub.indptr[:-1], sub.indptr[1:], strict=True)
    ]
    table = table.assign(genes=joined)
    table = table.sort_values(
        ["p_value", "overlap", "term"], ascending=[True, False, True], kind="mergesort"
    )
    return table[list(ENRICHMENT_COLUMNS)].reset_index(drop=True)
