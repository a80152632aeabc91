"""Cross-validation protocols: the CV design, per-repetition pairs and folds, readable edges.

Protocols (method.md §4):

* ``inductive`` (default, leak-free): per fold, the DUPLEX graph embedding is fitted on the
  **training fold's edges only**. Its input is that edge list, the number of genes and a seed,
  nothing else; the non-edges it samples as its own negatives are drawn from non-edges of that
  graph with its own seed, so neither the test edges nor the test negatives (nor which pairs are
  in the test fold) can change it. Model selection uses the trainer's validation split of the
  training rows; preprocessing is a per-sample transform (nothing is fitted on data).
* ``transductive`` (the paper's): the graph embedding is fitted once per repetition on the
  **whole prior network**, so the test edges were visible to it. It **leaks**; every fold file
  and table says so. Use it only to compare with the published numbers.
* ``tf-disjoint`` (harder, optional): folds group pairs by regulator, so a test pair's regulator
  has no training pair at all; the graph sees training edges only, as ``inductive``.

Per repetition ``r`` (seed ``seed + r``): labelled pairs = every prior edge (activation 2,
repression 1) + sampled non-edges (none 0; the dataset's reference count or a ratio); folds via
:func:`~xatgrn.data.pairs.assign_folds` (edges get folds independently of the negatives, so the
four E. coli and the four human datasets share edge folds and hence graph embeddings).

:func:`readable_edges` is the one home of "the edges a protocol lets a fold read": the typed
edges an edge-reading method receives and, through :func:`graph_edge_index`, the graph the
embedding is fitted on.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from xatgrn.data.pairs import assign_folds, labelled_pairs, training_edges
from xatgrn.data.schema import NONE
from xatgrn.errors import input_error

if TYPE_CHECKING:
    from xatgrn.evaluate.data import CVData

__all__ = [
    "EDGE_COLUMNS",
    "LEAKING_PROTOCOLS",
    "LEAK_NOTE",
    "PROTOCOLS",
    "CVConfig",
    "derive_seed",
    "graph_edge_index",
    "negative_args",
    "pair_keys",
    "readable_edges",
    "regulator_folds",
    "repetition_pairs",
]

PROTOCOLS = ("inductive", "transductive", "tf-disjoint")
LEAKING_PROTOCOLS = frozenset({"transductive"})
LEAK_NOTE = (
    "transductive protocol (the paper's): the graph embedding was fitted on the whole prior "
    "network, including this fold's test edges, so the numbers are optimistic (leaking)"
)
#: the columns of a readable-edge table (what edge-reading methods receive)
EDGE_COLUMNS = ["regulator", "target", "label"]
_STAGES = {"pairs": 1, "folds": 2, "graph": 3, "model": 4}
# positions are packed as reg * 2**31 + tgt into one int64 key (genes < 2**31)
_KEY_BASE = np.int64(2**31)


@dataclass
class CVConfig:
    """The cross-validation design (the paper: 10 repetitions of 5-fold CV).

    Args:
        protocol: ``"inductive"`` (default, leak-free), ``"transductive"`` (the paper's, leaks)
            or ``"tf-disjoint"`` (test regulators unseen in training).
        repeats: repetitions; repetition ``r`` draws everything from seed ``seed + r``.
        folds: K of the K-fold split.
        seed: the base seed.
        n_negatives: sampled non-edges per repetition; ``None``: the dataset's reference count
            (2,046 / 6,000 / 7,000), else ``neg_ratio``.
        neg_ratio: non-edges per prior edge (used when no count applies; default 1.0).
        negatives_from: ``"all"`` (reference) or ``"regulators"``.
        graph_dim: DUPLEX embedding width: ``None`` keeps the profile's (paper: 128),
            ``"reference"`` uses the dataset's reference-script setting (256 for human liver and
            lung; then those two no longer share embeddings with covid / breast), or an int.
    """

    protocol: str = "inductive"
    repeats: int = 10
    folds: int = 5
    seed: int = 0
    n_negatives: int | None = None
    neg_ratio: float | None = None
    negatives_from: str = "all"
    graph_dim: int | str | None = None

    def check(self) -> CVConfig:
        """Validate (one place, clear messages); returns ``self``."""
        if self.protocol not in PROTOCOLS:
            raise input_error(
                f"unknown protocol {self.protocol!r}", fix=f"use one of: {', '.join(PROTOCOLS)}"
            )
        if self.repeats < 1 or self.folds < 2:
            raise input_error(
                f"repeats={self.repeats}, folds={self.folds}",
                fix="use at least 1 repetition and 2 folds",
            )
        if self.n_negatives is not None and self.neg_ratio is not None:
            raise input_error("give n_negatives or neg_ratio, not both", fix="drop one of them")
        if self.graph_dim not in (None, "reference") and not (
            isinstance(self.graph_dim, int) and self.graph_dim > 0
        ):
            raise input_error(
                f"graph_dim={self.graph_dim!r}", fix="use a positive int, 'reference' or None"
            )
        return self

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def derive_seed(rep_seed: int, stage: str, fold: int | None = None) -> int:
    """An independent seed for one random stage of one repetition (and fold), from one seed."""
    entropy = [int(rep_seed), _STAGES[stage]] + ([] if fold is None else [int(fold) + 1])
    return int(np.random.SeedSequence(entropy).generate_state(1)[0])


def negative_args(data: CVData, cv: CVConfig) -> dict[str, Any]:
    """Count or ratio of negatives: explicit count > explicit ratio > dataset's count > 1.0."""
    if cv.n_negatives is not None:
        return {"n_negatives": int(cv.n_negatives)}
    if cv.neg_ratio is not None:
        return {"neg_ratio": float(cv.neg_ratio)}
    if data.n_negatives is not None:
        return {"n_negatives": int(data.n_negatives)}
    return {"neg_ratio": 1.0}


def regulator_folds(pairs: pd.DataFrame, n_folds: int, seed: int) -> np.ndarray:
    """Fold per pair such that all pairs of one regulator share a fold (TF-disjoint split).

    Regulators are shuffled (seeded) and cut into ``n_folds`` runs of about equal edge count
    (cumulative out-degree); genes that regulate nothing in the prior (sources of negatives only)
    are dealt round-robin in shuffled order. Depends on the edges only, like ``assign_folds``.
    """
    regs = np.unique(pairs["regulator"].to_numpy(dtype=str))
    order = regs[np.random.default_rng(seed).permutation(len(regs))]
    edges = pairs["label"].to_numpy() != NONE
    degree = (
        pairs.loc[edges, "regulator"].astype(str).value_counts().reindex(order, fill_value=0)
    ).to_numpy(dtype=np.float64)
    fold_of = np.empty(len(order), dtype=np.int64)
    w = degree > 0
    mid = np.cumsum(degree[w]) - degree[w] / 2.0
    fold_of[w] = np.minimum((mid / degree.sum() * n_folds).astype(np.int64), n_folds - 1)
    fold_of[~w] = np.arange(int((~w).sum())) % n_folds
    lookup = pd.Series(fold_of, index=order)
    return lookup.reindex(pairs["regulator"].astype(str)).to_numpy(dtype=np.int64)


def repetition_pairs(data: CVData, cv: CVConfig, rep: int) -> pd.DataFrame:
    """Labelled pairs of repetition ``rep`` with a ``fold`` column (pure: seeds only)."""
    rep_seed = cv.seed + rep
    pairs = labelled_pairs(
        data.regulations,
        data.genes,
        seed=derive_seed(rep_seed, "pairs"),
        negatives_from=cv.negatives_from,
        **negative_args(data, cv),
    )
    if cv.protocol == "tf-disjoint":
        folds = regulator_folds(pairs, cv.folds, derive_seed(rep_seed, "folds"))
    else:
        folds = assign_folds(pairs, cv.folds, derive_seed(rep_seed, "folds"))
    return pairs.assign(fold=folds)


def readable_edges(protocol: str, pairs: pd.DataFrame, fold: int) -> pd.DataFrame:
    """The typed prior edges (``regulator, target, label``) a method may read in ``fold``.

    ``transductive``: every prior edge (the leak). Otherwise: the edges of the training folds
    (:func:`~xatgrn.data.pairs.training_edges` of every row outside ``fold``). One row per
    (regulator, target), in pair order, index ``0..n-1``.
    """
    if protocol in LEAKING_PROTOCOLS:
        rows = np.arange(len(pairs))
    else:
        rows = np.flatnonzero(pairs["fold"].to_numpy() != fold)
    edges = training_edges(pairs, rows)[EDGE_COLUMNS]
    return edges.drop_duplicates(["regulator", "target"]).reset_index(drop=True)


def _gene_positions(pairs: pd.DataFrame) -> pd.Series:
    """Gene id -> position in the gene universe, as the pair table itself records them."""
    names = np.concatenate(
        [pairs["regulator"].to_numpy(dtype=str), pairs["target"].to_numpy(dtype=str)]
    )
    pos = np.concatenate(
        [pairs["reg_idx"].to_numpy(dtype=np.int64), pairs["tgt_idx"].to_numpy(dtype=np.int64)]
    )
    table = pd.Series(pos, index=names)
    return table[~table.index.duplicated()]


def graph_edge_index(protocol: str, pairs: pd.DataFrame, fold: int) -> np.ndarray:
    """The directed edges (``2 x E`` gene positions, sorted) the graph embedding may see.

    Exactly the edges of :func:`readable_edges`, as gene positions (the pairs' ``reg_idx`` /
    ``tgt_idx`` of those genes), unique and sorted by (regulator, target) position.
    """
    edges = readable_edges(protocol, pairs, fold)
    positions = _gene_positions(pairs)
    reg = positions.reindex(edges["regulator"].astype(str)).to_numpy(dtype=np.int64)
    tgt = positions.reindex(edges["target"].astype(str)).to_numpy(dtype=np.int64)
    keys = np.unique(reg * _KEY_BASE + tgt)
    return np.stack([keys // _KEY_BASE, keys % _KEY_BASE]).astype(np.int64)


def pair_keys(pairs: pd.DataFrame, rows: np.ndarray, n: int) -> np.ndarray:
    """One int64 key ``reg_idx * n + tgt_idx`` per row of ``pairs.iloc[rows]``."""
    sub = pairs.iloc[rows]
    return sub["reg_idx"].to_numpy(dtype=np.int64) * n + sub["tgt_idx"].to_numpy(dtype=np.int64)
