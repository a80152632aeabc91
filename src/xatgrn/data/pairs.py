"""Labelled (regulator, target) pairs, negative sampling and cross-validation folds.

A labelled pair table is a DataFrame with columns ``regulator, target, label`` (label: none 0,
repression 1, activation 2) and integer positions ``reg_idx, tgt_idx`` into a gene index.
Genes are addressed by name; the positions are derived, never trusted from input.

Fold assignment follows design.md: prior edges are assigned to folds from the seed
*independently of the negatives*, so that datasets sharing one prior and gene universe (the four
E. coli sets, the four human sets) get the same edge folds even when their negative counts
differ (6,000 vs 7,000), and one cached graph embedding per (prior, repetition, fold) serves all.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from xatgrn.data.schema import LABELS, NONE
from xatgrn.errors import input_error

log = logging.getLogger(__name__)

PAIR_COLUMNS = ("regulator", "target", "label", "reg_idx", "tgt_idx")
#: where sampled non-edges take their regulator from: any gene (reference) or known regulators
NEGATIVE_SOURCES = ("all", "regulators")


def gene_positions(genes: Sequence[str] | pd.Index, names: Sequence[str] | pd.Series) -> np.ndarray:
    """Positions of ``names`` in ``genes``; unknown names raise a clear error."""
    index = pd.Index(genes)
    pos = index.get_indexer(pd.Index(names))
    if (pos < 0).any():
        missing = pd.Index(names)[pos < 0].unique()
        raise input_error(
            f"{len(missing)} gene(s) not in the gene index, e.g. {list(missing[:5])}",
            fix="use gene ids that appear in the expression matrix",
        )
    return pos.astype(np.int64)


def edge_pairs(regulations: pd.DataFrame, genes: Sequence[str] | pd.Index) -> pd.DataFrame:
    """The prior's typed edges as a labelled pair table (activation 2, repression 1)."""
    out = pd.DataFrame(
        {
            "regulator": regulations["regulator"].astype(str).to_numpy(),
            "target": regulations["target"].astype(str).to_numpy(),
            "label": regulations["type"].map(LABELS).to_numpy(dtype=np.int64),
        }
    )
    out["reg_idx"] = gene_positions(genes, out["regulator"])
    out["tgt_idx"] = gene_positions(genes, out["target"])
    return out


def sample_non_edges(
    n_genes: int,
    edges: np.ndarray,
    n: int,
    rng: np.random.Generator,
    *,
    sources: np.ndarray | None = None,
    exclude: np.ndarray | None = None,
    allow_self: bool = True,
) -> np.ndarray:
    """Sample ``n`` distinct ordered pairs (2 x n) that are not edges, uniformly.

    Args:
        n_genes: size of the gene universe.
        edges: (2, E) positions of the prior's directed edges (never sampled).
        n: how many non-edges to draw.
        rng: the random generator (all randomness flows from the caller's seed).
        sources: restrict the regulator side to these positions (e.g. known regulators);
            default: any gene, as the reference code does.
        exclude: further (2, K) pairs never to sample (e.g. held-out test pairs).
        allow_self: whether (g, g) may be sampled.
    """
    src_pool = np.arange(n_genes) if sources is None else np.unique(np.asarray(sources))
    forbidden = [np.asarray(edges, dtype=np.int64).reshape(2, -1)]
    if exclude is not None:
        forbidden.append(np.asarray(exclude, dtype=np.int64).reshape(2, -1))
    forb = np.concatenate(forbidden, axis=1)
    forb_keys = np.unique(forb[0] * n_genes + forb[1])
    n_candidates = len(src_pool) * n_genes - (0 if allow_self else len(src_pool))
    n_forbidden_in_pool = int(np.isin(forb_keys // n_genes, src_pool).sum())
    available = n_candidates - n_forbidden_in_pool
    if n > available:
        raise input_error(
            f"cannot sample {n} non-edges: only {available} candidate pairs are not edges",
            fix="ask for fewer negatives (a smaller ratio or count)",
        )
    chosen = np.empty(0, dtype=np.int64)
    # Rejection sampling in vectorised batches: the prior is sparse, so few rounds are needed.
    while len(chosen) < n:
        need = n - len(chosen)
        batch = max(2 * need, 1024)
        s = src_pool[rng.integers(0, len(src_pool), size=batch)]
        t = rng.integers(0, n_genes, size=batch)
        keys = s * n_genes + t
        ok = ~np.isin(keys, forb_keys) & ~np.isin(keys, chosen)
        if not allow_self:
            ok &= s != t
        keys = keys[ok]
        # keep first occurrences in draw order (np.unique would sort and bias nothing, but
        # order-preserving keeps the sample a uniform draw without replacement)
        _, first = np.unique(keys, return_index=True)
        keys = keys[np.sort(first)][:need]
        chosen = np.concatenate([chosen, keys])
    return np.stack([chosen // n_genes, chosen % n_genes])


def negative_count(n_edges: int, n_negatives: int | None, neg_ratio: float | None) -> int:
    """Non-edges to sample: ``n_negatives`` when given, else ``neg_ratio`` (default 1.0) per edge."""
    if n_negatives is not None:
        return int(n_negatives)
    return round(n_edges * (1.0 if neg_ratio is None else neg_ratio))


def labelled_pairs(
    regulations: pd.DataFrame,
    genes: Sequence[str] | pd.Index,
    *,
    n_negatives: int | None = None,
    neg_ratio: float | None = None,
    seed: int | np.random.Generator = 0,
    negatives_from: str = "all",
    exclude: np.ndarray | None = None,
) -> pd.DataFrame:
    """All prior edges plus sampled non-edges (label 0).

    Args:
        regulations: the prior (``regulator, target, type``), aligned to ``genes``.
        genes: the gene universe (expression index).
        n_negatives: exact number of non-edges (the benchmark's reference counts: 2,046,
            6,000, 7,000). Mutually exclusive with ``neg_ratio``.
        neg_ratio: non-edges per prior edge (default 1.0 when neither is given).
        seed: seed or generator for the negative draw.
        negatives_from: ``"all"`` (any gene as regulator, as the reference) or
            ``"regulators"`` (only genes that regulate something in the prior: harder negatives
            that a model cannot reject just because the source is not a TF).
        exclude: (2, K) positions never to sample as negatives.
    """
    if n_negatives is not None and neg_ratio is not None:
        raise input_error("give n_negatives or neg_ratio, not both", fix="drop one of them")
    pos = edge_pairs(regulations, genes)
    n_negatives = negative_count(len(pos), n_negatives, neg_ratio)
    if negatives_from not in NEGATIVE_SOURCES:
        raise input_error(
            f"unknown negatives_from {negatives_from!r}", fix="use 'all' or 'regulators'"
        )
    rng = np.random.default_rng(seed) if not isinstance(seed, np.random.Generator) else seed
    edges = pos[["reg_idx", "tgt_idx"]].to_numpy().T
    sources = np.unique(edges[0]) if negatives_from == "regulators" else None
    neg = sample_non_edges(
        len(genes), edges, int(n_negatives), rng, sources=sources, exclude=exclude
    )
    gene_arr = np.asarray(pd.Index(genes).astype(str))
    negatives = pd.DataFrame(
        {
            "regulator": gene_arr[neg[0]],
            "target": gene_arr[neg[1]],
            "label": np.full(neg.shape[1], NONE, dtype=np.int64),
            "reg_idx": neg[0],
            "tgt_idx": neg[1],
        }
    )
    return pd.concat([pos, negatives], ignore_index=True)[list(PAIR_COLUMNS)]


def stratified_folds(labels: np.ndarray, n_folds: int, rng: np.random.Generator) -> np.ndarray:
    """Fold id per row, balanced within each class (a stratified K-fold assignment)."""
    labels = np.asarray(labels)
    folds = np.empty(len(labels), dtype=np.int64)
    for c in np.unique(labels):
        rows = np.flatnonzero(labels == c)
        perm = rng.permutation(len(rows))
        folds[rows[perm]] = np.arange(len(rows)) % n_folds
    return folds


def assign_folds(pairs: pd.DataFrame, n_folds: int, seed: int) -> np.ndarray:
    """Stratified fold ids for a labelled pair table.

    Edges (label > 0) get folds from a stream that depends only on the seed and the edges;
    negatives from an independent stream. Same prior + same seed → same edge folds, whatever the
    number of negatives.
    """
    if n_folds < 2:
        raise input_error(f"n_folds must be >= 2, got {n_folds}", fix="use at least 2 folds")
    edge_seq, neg_seq = np.random.SeedSequence([seed, 0xF01D]).spawn(2)
    labels = pairs["label"].to_numpy()
    folds = np.empty(len(pairs), dtype=np.int64)
    is_edge = labels != NONE
    folds[is_edge] = stratified_folds(labels[is_edge], n_folds, np.random.default_rng(edge_seq))
    folds[~is_edge] = stratified_folds(labels[~is_edge], n_folds, np.random.default_rng(neg_seq))
    return folds


def stratified_split(
    rows: np.ndarray, y: np.ndarray, fraction: float, seed: int | np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Split ``rows`` into (train, val) with ``round(fraction * N_c)`` of each class in val.

    A class keeps at least one training row. Both outputs are sorted.
    """
    gen = np.random.default_rng(seed) if not isinstance(seed, np.random.Generator) else seed
    labels = y[rows]
    val = []
    for c in np.unique(labels):  # one step per class, not per row
        members = gen.permutation(rows[labels == c])
        n_val = min(round(fraction * members.size), members.size - 1)
        val.append(members[:n_val])
    val_rows = np.sort(np.concatenate(val)) if val else np.empty(0, dtype=np.int64)
    train_rows = np.setdiff1d(rows, val_rows)
    return train_rows, val_rows


def training_edges(pairs: pd.DataFrame, rows: np.ndarray | Sequence[int]) -> pd.DataFrame:
    """The prior edges among the training pairs ``pairs.iloc[rows]``: what a model may read.

    The one home of the default rule "a model reads only the edges of its training pairs" (no
    held-out edge leaks into a graph embedding or a neighbourhood feature). Rows keep their order
    and index; every column of ``pairs`` is kept.
    """
    train = pairs.iloc[rows]
    return train[train["label"] != NONE]
