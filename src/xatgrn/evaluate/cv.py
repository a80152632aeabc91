"""Repeated K-fold cross-validation: protocols, pure fold tasks, resumable runs, executors.

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

Each (dataset, protocol, method, repetition, fold) is a pure task: given the data it recomputes
its pairs from seeds, fits, and returns a JSON-able record; the driver writes
``<out>/<dataset>/<protocol>/<method>/rep{r}_fold{k}.json`` atomically as results arrive, so a
rerun skips finished folds and Ctrl-C loses at most the folds that were running. Graph
embeddings are content-addressed (:class:`EmbeddingCache`): computed once per unique (edge set,
gene universe, graph config, seed) — first, as their own tasks — then loaded by every fold,
dataset and method that needs them. Executors: serial (default), ``workers=N`` processes (spawn
context, one torch thread each), or Dask (``dask=`` address, ``"local"`` or a ``Client``; a
client passed in is never closed). Results are identical whatever the executor.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import logging
import math
import os
import platform
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from xatgrn.data import io as dio
from xatgrn.data.pairs import assign_folds, labelled_pairs
from xatgrn.data.schema import NONE
from xatgrn.data.types import GRNDataset
from xatgrn.errors import input_error
from xatgrn.evaluate.methods import MethodSpec, configure, fit_predict, get_method
from xatgrn.evaluate.metrics import classification_metrics
from xatgrn.graph.duplex import DuplexConfig
from xatgrn.model.estimator import FitConfig
from xatgrn.utils import atomic_write, progress, resolve_device

log = logging.getLogger(__name__)

__all__ = [
    "LEAKING_PROTOCOLS",
    "LEAK_NOTE",
    "PROTOCOLS",
    "CVConfig",
    "CVData",
    "EmbeddingCache",
    "Experiment",
    "benchmark_data",
    "cv_data",
    "derive_seed",
    "files_data",
    "fold_path",
    "graph_edge_index",
    "regulator_folds",
    "repetition_pairs",
    "run_cv",
    "run_experiments",
]

PROTOCOLS = ("inductive", "transductive", "tf-disjoint")
LEAKING_PROTOCOLS = frozenset({"transductive"})
LEAK_NOTE = (
    "transductive protocol (the paper's): the graph embedding was fitted on the whole prior "
    "network, including this fold's test edges, so the numbers are optimistic (leaking)"
)
FOLD_FORMAT = "xatgrn.cv-fold"
FOLD_FORMAT_VERSION = 1
_STAGES = {"pairs": 1, "folds": 2, "graph": 3, "model": 4}


# --- configuration ------------------------------------------------------------------------------


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


# --- data ---------------------------------------------------------------------------------------


@dataclass
class CVData:
    """A dataset prepared for CV: genes sorted by id, prior aligned and in canonical order.

    Canonical order makes every position-based random choice (negatives, folds) depend on the
    content only, so datasets sharing a prior and gene universe get the same edge folds.
    ``expression`` is raw; ``preprocessing`` is applied per fold by the estimator (a per-sample
    transform). ``sha256`` holds the data files' checksums (or a content hash).
    """

    name: str
    expression: pd.DataFrame
    regulations: pd.DataFrame
    preprocessing: str = "none"
    n_negatives: int | None = None
    graph_dim: int | None = None
    sha256: dict[str, str] = field(default_factory=dict)
    source: dict[str, Any] = field(default_factory=dict)

    @property
    def genes(self) -> pd.Index:
        return self.expression.index

    def summary(self) -> dict[str, Any]:
        """Provenance written into every fold file."""
        counts = self.regulations["type"].value_counts()
        return {
            "name": self.name,
            "sha256": dict(self.sha256),
            "n_genes": int(self.expression.shape[0]),
            "n_samples": int(self.expression.shape[1]),
            "n_prior_edges": len(self.regulations),
            "activation": int(counts.get("activation", 0)),
            "repression": int(counts.get("repression", 0)),
            "preprocessing": self.preprocessing,
            "source": dict(self.source),
        }


def _content_sha256(expression: pd.DataFrame, regulations: pd.DataFrame) -> dict[str, str]:
    """Checksums of in-memory data (no files): gene/sample ids + values, and the prior rows."""
    h = hashlib.sha256()
    h.update("\n".join(map(str, expression.index)).encode())
    h.update("\n".join(map(str, expression.columns)).encode())
    h.update(np.ascontiguousarray(expression.to_numpy(dtype=np.float64)).tobytes())
    text = regulations.to_csv(sep="\t", index=False, lineterminator="\n")
    return {
        "expression(content)": h.hexdigest(),
        "regulations(content)": hashlib.sha256(text.encode()).hexdigest(),
    }


def cv_data(
    dataset: GRNDataset,
    *,
    preprocessing: str = "none",
    n_negatives: int | None = None,
    graph_dim: int | None = None,
    sha256: dict[str, str] | None = None,
    source: dict[str, Any] | None = None,
) -> CVData:
    """Prepare a :class:`~xatgrn.data.types.GRNDataset` (any source) for cross-validation."""
    expression = dataset.expression.copy()
    expression.index = expression.index.astype(str)
    if expression.index.has_duplicates:
        dup = expression.index[expression.index.duplicated()][0]
        raise input_error(
            "duplicate gene id in expression", gene=str(dup), fix="make gene ids unique"
        )
    expression = expression.sort_index(kind="stable")
    prior = dio.align(expression, dataset.regulations)
    dio.check_trainable(prior)
    prior = prior.astype({"regulator": str, "target": str})
    prior = prior.sort_values(["regulator", "target"], kind="stable").reset_index(drop=True)
    return CVData(
        name=dataset.name,
        expression=expression,
        regulations=prior,
        preprocessing=preprocessing,
        n_negatives=n_negatives,
        graph_dim=graph_dim,
        sha256=dict(sha256) if sha256 else _content_sha256(expression, prior),
        source=dict(source or {"kind": "in-memory"}),
    )


def benchmark_data(name: str, data_dir: str | Path | None = None) -> CVData:
    """A benchmark dataset with its reference settings (preprocessing, negatives, graph dim)."""
    from xatgrn.data.datasets import get_spec, load_dataset

    spec = get_spec(name)
    ds = load_dataset(name, data_dir, preprocess=False)
    log.info(
        "%s: raw values loaded; the reference preprocessing (%s) is applied inside each fit",
        name,
        spec.preprocessing,
    )
    return cv_data(
        ds,
        preprocessing=spec.preprocessing,
        n_negatives=spec.n_negatives,
        graph_dim=spec.graph_dim,
        sha256=ds.metadata["sha256"],
        source={"kind": "benchmark", "data_dir": ds.metadata["data_dir"]},
    )


def files_data(
    expression: str | Path,
    regulations: str | Path,
    *,
    preprocessing: str = "none",
    name: str | None = None,
    **read_kwargs: Any,
) -> CVData:
    """A user's expression + prior files (validated by :func:`xatgrn.data.io.load_user_data`)."""
    ds = dio.load_user_data(expression, regulations, **read_kwargs)
    md = ds.metadata
    return cv_data(
        ds if name is None else dataclasses.replace(ds, name=name),
        preprocessing=preprocessing,
        sha256={
            Path(expression).name: md["expression_sha256"],
            Path(regulations).name: md["regulations_sha256"],
        },
        source={"kind": "files", "expression": str(expression), "regulations": str(regulations)},
    )


# --- pairs, folds, graph inputs -----------------------------------------------------------------


def _negative_args(data: CVData, cv: CVConfig) -> dict[str, Any]:
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
        **_negative_args(data, cv),
    )
    if cv.protocol == "tf-disjoint":
        folds = regulator_folds(pairs, cv.folds, derive_seed(rep_seed, "folds"))
    else:
        folds = assign_folds(pairs, cv.folds, derive_seed(rep_seed, "folds"))
    return pairs.assign(fold=folds)


def graph_edge_index(protocol: str, pairs: pd.DataFrame, fold: int) -> np.ndarray:
    """The directed edges (``2 x E`` gene positions, sorted) the graph embedding may see.

    ``transductive``: every prior edge (the leak). Otherwise: the edges of the training folds.
    """
    sel = pairs["label"].to_numpy() != NONE
    if protocol not in LEAKING_PROTOCOLS:
        sel &= pairs["fold"].to_numpy() != fold
    keys = np.unique(
        pairs["reg_idx"].to_numpy()[sel] * np.int64(2**31) + pairs["tgt_idx"].to_numpy()[sel]
    )
    return np.stack([keys // np.int64(2**31), keys % np.int64(2**31)]).astype(np.int64)


def allowed_edges(protocol: str, pairs: pd.DataFrame, fold: int) -> pd.DataFrame:
    """The typed prior edges (``regulator, target, label``) a method may read in ``fold``.

    The same rule as :func:`graph_edge_index`: training-fold edges, or all for ``transductive``.
    """
    sel = pairs["label"].to_numpy() != NONE
    if protocol not in LEAKING_PROTOCOLS:
        sel &= pairs["fold"].to_numpy() != fold
    cols = ["regulator", "target", "label"]
    return pairs.loc[sel, cols].drop_duplicates(["regulator", "target"]).reset_index(drop=True)


def _pair_keys(pairs: pd.DataFrame, rows: np.ndarray, n: int) -> np.ndarray:
    sub = pairs.iloc[rows]
    return sub["reg_idx"].to_numpy(dtype=np.int64) * n + sub["tgt_idx"].to_numpy(dtype=np.int64)


# --- the embedding cache ------------------------------------------------------------------------


def _hash_json(obj: Any) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()


def graph_config(config: FitConfig, seed: int, *, progress: bool = False) -> DuplexConfig:
    """The embedder's config for one fold: the profile's graph settings with the fold's seed."""
    return dataclasses.replace(
        config.graph, seed=int(seed), device=config.device, progress=progress
    )


@functools.lru_cache(maxsize=1)
def _graph_code_sha256() -> str:
    """Hash of the graph-embedding source (``xatgrn/graph/*.py``): edited code, fresh entries."""
    import xatgrn.graph

    h = hashlib.sha256()
    for f in sorted(Path(xatgrn.graph.__file__).parent.glob("*.py")):
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


class EmbeddingCache:
    """Content-addressed store of fitted DUPLEX embedders (safe to delete at any time).

    The key hashes the graph's edge set, the gene universe, the graph config with its seed, and
    the embedding source code: everything the embedding depends on (not expression, not the
    negatives, not the method), so datasets sharing a prior and every method that uses the
    graph reuse one entry. Entries are ``<root>/<key>/`` holding ``weights.safetensors`` + ``config.json``
    (:meth:`DuplexEmbedder.save`) and ``key.json`` (the key's inputs); each is written to a
    temporary folder and renamed into place, so a half-written entry is never read.
    ``root=None`` disables storing (every request fits afresh).
    """

    def __init__(self, root: str | Path | None) -> None:
        self.root = None if root is None else Path(root)

    @staticmethod
    def key(edges: np.ndarray, genes: Sequence[str], config: DuplexConfig) -> str:
        """Hex key of (edge set, gene universe, graph config incl. seed)."""
        edges = np.asarray(edges, dtype=np.int64).reshape(2, -1)
        n = len(genes)
        ekeys = np.unique(edges[0] * n + edges[1])
        cfg = {
            k: v for k, v in dataclasses.asdict(config).items() if k not in ("progress", "device")
        }
        return _hash_json(
            {
                "format": 1,
                "edges": hashlib.sha256(ekeys.astype("<i8").tobytes()).hexdigest(),
                "n_edges": len(ekeys),
                "genes": hashlib.sha256("\n".join(map(str, genes)).encode()).hexdigest(),
                "n_genes": n,
                "graph": cfg,
                "code": _graph_code_sha256(),
            }
        )[:32]

    def path(self, key: str) -> Path | None:
        return None if self.root is None else self.root / key

    def has(self, key: str) -> bool:
        p = self.path(key)
        return p is not None and (p / "key.json").is_file()

    def load(self, key: str):
        """The cached :class:`DuplexEmbedder`, or ``None`` (missing or unreadable entry)."""
        from xatgrn.graph.duplex import DuplexEmbedder

        if not self.has(key):
            return None
        try:
            return DuplexEmbedder.load(self.path(key))
        except (ValueError, OSError, KeyError) as err:
            log.warning("embedding cache entry %s unreadable (%s): recomputing", key, err)
            return None

    def fit(
        self, edges: np.ndarray, genes: Sequence[str], config: DuplexConfig, key: str | None = None
    ):
        """Fit an embedder on ``edges`` and store it; returns ``(embedder, key)``."""
        from xatgrn.graph.duplex import DuplexEmbedder

        key = key or self.key(edges, genes, config)
        embedder = DuplexEmbedder(config).fit(np.asarray(edges, dtype=np.int64), len(genes))
        if self.root is not None:
            self._store(key, embedder, edges, genes, config)
        return embedder, key

    def _store(self, key, embedder, edges, genes, config) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=self.root))
        try:
            embedder.save(tmp)
            info = {
                "key": key,
                "n_edges": int(np.asarray(edges).shape[1]),
                "n_genes": len(genes),
                "genes_sha256": hashlib.sha256("\n".join(map(str, genes)).encode()).hexdigest(),
                "graph": dataclasses.asdict(config),
                "fit_seconds": embedder.fit_seconds_,
                "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            }
            with atomic_write(tmp / "key.json") as fh:
                json.dump(info, fh, indent=1)
            os.rename(tmp, self.root / key)  # atomic; fails if another task stored it first
        except OSError:
            if not self.has(key):
                raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def get_or_fit(self, edges: np.ndarray, genes: Sequence[str], config: DuplexConfig):
        """``(embedder, key, computed_now)``: the cached entry, or a fresh fit (then stored)."""
        key = self.key(edges, genes, config)
        cached = self.load(key)
        if cached is not None:
            return cached, key, False
        embedder, key = self.fit(edges, genes, config, key)
        return embedder, key, True


# --- experiments and fold tasks -----------------------------------------------------------------


@dataclass
class Experiment:
    """One cell of a benchmark grid: a dataset, a method, a CV design and a base FitConfig."""

    data: CVData
    method: MethodSpec
    cv: CVConfig
    fit: FitConfig

    @property
    def protocol(self) -> str:
        return self.cv.protocol

    def fit_config(self) -> FitConfig:
        """The effective config: method overrides + the dataset's preprocessing/negatives."""
        cfg = configure(self.method, self.fit)
        neg = _negative_args(self.data, self.cv)
        cfg = dataclasses.replace(
            cfg,
            preprocessing=self.data.preprocessing,
            n_negatives=neg.get("n_negatives"),
            neg_ratio=neg.get("neg_ratio", cfg.neg_ratio),
            negatives_from=self.cv.negatives_from,
        )
        dim = self.cv.graph_dim
        if dim == "reference":
            dim = self.data.graph_dim
        if isinstance(dim, int):
            cfg.graph = dataclasses.replace(cfg.graph, out_dim=dim)
        return cfg

    def task_key(self) -> str:
        """Hash of everything a fold's result depends on, except the repetition count.

        A rerun resumes only folds whose key matches (more repetitions extend a run).
        """
        cfg = {
            k: v
            for k, v in dataclasses.asdict(self.fit_config()).items()
            if k not in ("progress", "device")
        }
        cv = {k: v for k, v in self.cv.to_dict().items() if k != "repeats"}
        method = {k: v for k, v in self.method.to_dict().items() if k != "description"}
        data = {"name": self.data.name, "sha256": self.data.sha256}
        return _hash_json({"cv": cv, "fit": cfg, "method": method, "data": data})[:16]


def _hardware(device: Any) -> dict[str, Any]:
    """Where a fold ran (the device is not part of the task key: results resume across hosts)."""
    import torch

    info: dict[str, Any] = {
        "device": str(resolve_device(device)),
        "torch_threads": torch.get_num_threads(),
        "cpu_count": os.cpu_count(),
        "machine": platform.machine(),
    }
    if info["device"].startswith("cuda"):
        info["gpu"] = torch.cuda.get_device_name(resolve_device(device))
    return info


def fold_path(
    out: str | Path, dataset: str, protocol: str, method: str, rep: int, fold: int
) -> Path:
    """``<out>/<dataset>/<protocol>/<method>/rep{r}_fold{k}.json``."""
    return Path(out) / dataset / protocol / method / f"rep{rep}_fold{fold}.json"


def _versions() -> dict[str, str]:
    import sklearn
    import torch

    from xatgrn import __version__

    return {
        "xatgrn": __version__,
        "torch": torch.__version__,
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "scikit-learn": sklearn.__version__,
        "python": platform.python_version(),
    }


def _class_counts(labels: np.ndarray) -> dict[str, int]:
    from xatgrn.data.schema import CLASS_NAMES

    counts = np.bincount(labels, minlength=len(CLASS_NAMES))
    return {name: int(c) for name, c in zip(CLASS_NAMES, counts, strict=True)}


def _graph_for_fold(
    exp: Experiment, pairs: pd.DataFrame, rep: int, fold: int, cache: EmbeddingCache, verbose: bool
) -> tuple[np.ndarray, dict[str, Any], float, float]:
    """Edges the protocol allows, the embedding (cached), and a record of what it saw.

    The record counts test pairs present in the embedder's edge set; a non-zero count of test
    edges outside the leaking protocol stops the run (a bug guard, not a user error).
    """
    rep_seed = exp.cv.seed + rep
    seed = derive_seed(rep_seed, "graph", None if exp.protocol in LEAKING_PROTOCOLS else fold)
    gcfg = graph_config(exp.fit_config(), seed, progress=verbose)
    edges = graph_edge_index(exp.protocol, pairs, fold)
    t0 = time.perf_counter()
    embedder, key, computed = cache.get_or_fit(edges, exp.data.genes, gcfg)
    spent = time.perf_counter() - t0
    n = len(exp.data.genes)
    graph_keys = np.unique(edges[0] * n + edges[1])
    test = np.flatnonzero(pairs["fold"].to_numpy() == fold)
    test_keys = _pair_keys(pairs, test, n)
    is_edge = pairs["label"].to_numpy()[test] != NONE
    seen = np.isin(test_keys, graph_keys)
    info = {
        "cache_key": key,
        "source": "computed" if computed else "cache",
        "seed": seed,
        "n_edges": int(edges.shape[1]),
        "test_edges_in_graph": int((seen & is_edge).sum()),
        "test_negatives_in_graph": int((seen & ~is_edge).sum()),
    }
    if exp.protocol not in LEAKING_PROTOCOLS and info["test_edges_in_graph"]:
        raise RuntimeError(f"isolation broken: {info['test_edges_in_graph']} test edges in graph")
    table = np.concatenate([embedder.amplitude, embedder.phase], axis=1)
    return table, info, float(embedder.fit_seconds_), spent


def run_fold(
    exp: Experiment, rep: int, fold: int, cache: EmbeddingCache, verbose: bool = False
) -> dict[str, Any]:
    """Run one fold (pure: the result depends on the arguments only); return its record.

    Timings in the record: ``embedding_s`` the seconds the fold's graph embedding took to fit
    (read from its cache entry when it was fitted earlier), ``embedding_here_s`` the seconds
    this task spent getting it, ``classifier_s`` fit + predict of the method, ``total_s`` the
    task's wall time.
    """
    t_start = time.perf_counter()
    cfg = exp.fit_config()
    rep_seed = exp.cv.seed + rep
    model_seed = derive_seed(rep_seed, "model", fold)
    cfg = dataclasses.replace(cfg, seed=model_seed, progress=verbose)
    pairs = repetition_pairs(exp.data, exp.cv, rep)
    folds = pairs["fold"].to_numpy()
    train_rows, test_rows = np.flatnonzero(folds != fold), np.flatnonzero(folds == fold)
    labels = pairs["label"].to_numpy()
    graph, graph_info, emb_fit_s, emb_spent = None, None, 0.0, 0.0
    if exp.method.uses_graph:
        graph, graph_info, emb_fit_s, emb_spent = _graph_for_fold(
            exp, pairs, rep, fold, cache, verbose
        )
    t0 = time.perf_counter()
    proba, model = fit_predict(
        exp.method,
        cfg,
        exp.data.expression,
        exp.data.regulations,
        pairs,
        train_rows,
        test_rows,
        graph,
        allowed_edges(exp.protocol, pairs, fold) if exp.method.uses_edges else None,
    )
    clf_s = time.perf_counter() - t0
    val_rows = getattr(getattr(model, "train_result_", None), "val_rows", None)
    leaks = exp.protocol in LEAKING_PROTOCOLS
    record = {
        "format": FOLD_FORMAT,
        "format_version": FOLD_FORMAT_VERSION,
        "dataset": exp.data.name,
        "protocol": exp.protocol,
        "leaks": leaks,
        "leak_note": LEAK_NOTE if leaks else None,
        "method": exp.method.name,
        "method_info": exp.method.to_dict(),
        "repetition": rep,
        "fold": fold,
        "n_folds": exp.cv.folds,
        "task_key": exp.task_key(),
        "seeds": {
            "base": exp.cv.seed,
            "repetition": rep_seed,
            "pairs": derive_seed(rep_seed, "pairs"),
            "folds": derive_seed(rep_seed, "folds"),
            "graph": None if graph_info is None else graph_info["seed"],
            "model": model_seed,
        },
        "config": {"cv": exp.cv.to_dict(), "fit": dataclasses.asdict(cfg)},
        "data": exp.data.summary(),
        "versions": _versions(),
        "hardware": _hardware(cfg.device),
        "n_train": len(train_rows),
        "n_test": len(test_rows),
        "n_validation": None if val_rows is None else len(val_rows),
        "n_train_by_class": _class_counts(labels[train_rows]),
        "n_test_by_class": _class_counts(labels[test_rows]),
        "graph": graph_info,
        "metrics": classification_metrics(labels[test_rows], proba),
        "timings": {
            "embedding_s": emb_fit_s,
            "embedding_here_s": emb_spent,
            "classifier_s": clf_s,
            "total_s": time.perf_counter() - t_start,
        },
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    return record


# --- task functions (module level: they pickle to worker processes and Dask) --------------------
_WORKER_SHARED: dict[str, Any] = {}
# torch's random state is per process: tasks sharing a process (a Dask worker with several
# threads, an in-process client) run one at a time, or their seeds would interleave.
_TASK_LOCK = threading.Lock()


@contextlib.contextmanager
def _task_env(threads: int | None) -> Iterator[None]:
    """One task at a time per process, with ``threads`` torch threads (restored after)."""
    import torch

    with _TASK_LOCK:
        before = torch.get_num_threads()
        if threads:
            torch.set_num_threads(int(threads))
        try:
            yield
        finally:
            torch.set_num_threads(before)


def _init_worker(shared: dict[str, Any]) -> None:
    """Process-pool initializer: the experiments arrive once per worker, not once per task."""
    _WORKER_SHARED.clear()
    _WORKER_SHARED.update(shared)


def _embed_task(payload: dict[str, Any], shared: dict[str, Any]) -> str:
    """Phase 1: fit one embedding and store it in the cache."""
    with _task_env(payload["threads"]):
        cache = EmbeddingCache(payload["cache"])
        if not cache.has(payload["key"]):
            cache.fit(payload["edges"], payload["genes"], payload["config"], payload["key"])
    return payload["key"]


def _fold_task(payload: dict[str, Any], shared: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Phase 2: run one fold; the record goes back to the driver, which writes it."""
    exp = shared[payload["experiment"]]
    with _task_env(payload["threads"]):
        record = run_fold(
            exp,
            payload["rep"],
            payload["fold"],
            EmbeddingCache(payload["cache"]),
            payload["verbose"],
        )
    return payload["path"], record


def _pool_call(fn: Callable, payload: dict[str, Any]):
    return fn(payload, _WORKER_SHARED)


def _dask_call(fn: Callable, payload: dict[str, Any], shared: dict[str, Any]):
    return fn(payload, shared)


# --- executors ----------------------------------------------------------------------------------


def _dask_client(dask: Any, workers: int):
    """``(client, owned_objects)``; a Client passed in is used as is and never closed."""
    from dask.distributed import Client, LocalCluster

    if isinstance(dask, Client):
        return dask, []
    if dask == "local":
        n = workers if workers > 1 else (os.cpu_count() or 1)
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True)
        client = Client(cluster)
        return client, [client, cluster]
    client = Client(dask)
    return client, [client]


class _Executor:
    """Runs ``fn(payload, shared)`` tasks serially, in worker processes, or on Dask.

    ``shared`` (the experiments) reaches each worker once: through the pool initializer, or one
    broadcast Dask future. Pool / cluster start lazily (a fully resumed run starts nothing) and
    serve every phase of a run; ``close`` ends only what was started here.
    """

    def __init__(self, shared: dict[str, Any], *, workers: int = 1, dask: Any = None) -> None:
        self.shared, self.workers, self.dask = shared, workers, dask
        self._pool: ProcessPoolExecutor | None = None
        self._client, self._owned, self._shared_f = None, [], None

    def _start(self) -> None:
        if self.dask is not None and self._client is None:
            self._client, self._owned = _dask_client(self.dask, self.workers)
            # one future for the whole dict (scattering a dict would scatter its values)
            [self._shared_f] = self._client.scatter([self.shared], broadcast=True)
        elif self.dask is None and self.workers > 1 and self._pool is None:
            import multiprocessing as mp

            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=mp.get_context("spawn"),
                initializer=_init_worker,
                initargs=(self.shared,),
            )

    def map(
        self,
        fn: Callable,
        payloads: list[dict[str, Any]],
        on_result: Callable[[Any], None],
        *,
        desc: str,
        show: bool,
    ) -> None:
        """Run every payload; ``on_result`` is called in this process as each one finishes."""
        if not payloads:
            return
        self._start()
        bar = progress(total=len(payloads), enabled=show, desc=desc, unit="task")
        try:
            if self._client is not None:
                from dask.distributed import as_completed as dask_completed

                futures = [
                    self._client.submit(_dask_call, fn, p, self._shared_f, pure=False)
                    for p in payloads
                ]
                try:
                    for fut in dask_completed(futures):
                        on_result(fut.result())
                        bar.update(1)
                except BaseException:
                    self._client.cancel(futures)
                    raise
            elif self._pool is not None:
                futures = [self._pool.submit(_pool_call, fn, p) for p in payloads]
                try:
                    for fut in as_completed(futures):
                        on_result(fut.result())
                        bar.update(1)
                except BaseException:
                    self._pool.shutdown(wait=False, cancel_futures=True)
                    self._pool = None
                    raise
            else:
                for p in payloads:
                    on_result(fn(p, self.shared))
                    bar.update(1)
        finally:
            bar.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        for obj in self._owned:  # never a client the caller passed in
            obj.close()
        self._owned, self._client = [], None


# --- the runner ---------------------------------------------------------------------------------


def _check_resumable(path: Path, key: str) -> bool:
    """True when ``path`` is a finished fold of the same task (skip it); error on a mismatch."""
    if not path.is_file():
        return False
    try:
        old = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError, OSError):
        log.warning("%s is unreadable: recomputing it", path)
        return False
    if old.get("task_key") != key:
        raise input_error(
            f"this fold was written by a run with different settings (task key "
            f"{old.get('task_key')!r}, now {key!r}: data, method, profile, folds, seed or "
            "negatives differ)",
            path=path,
            fix="use another --out folder, or pass --force to recompute every fold",
        )
    return True


def run_experiments(
    experiments: Iterable[Experiment],
    out: str | Path,
    *,
    workers: int = 1,
    dask: Any = None,
    cache: str | Path | bool | None = True,
    threads: int | None = None,
    force: bool = False,
    progress_bar: bool = True,
    verbose: bool = False,
    report: bool = True,
    paper_table: str | Path | None = None,
    data_dir: str | Path | None = None,
) -> dict[str, Any]:
    """Run every unfinished fold of ``experiments``; write fold files, then the report.

    Args:
        experiments: the grid cells (see :class:`Experiment`).
        out: output folder (fold files, ``cache/embeddings/``, results and tables).
        workers: processes (``1`` = serial, in this process).
        dask: a ``dask.distributed.Client`` (never closed here), a scheduler address, or
            ``"local"`` (a LocalCluster started and closed here, ``workers`` processes).
        cache: the embedding cache folder; ``True`` = ``<out>/cache/embeddings``; ``None`` /
            ``False`` = no cache (each fold fits its own embedding).
        threads: torch threads per task (default: untouched when serial, 1 otherwise).
        force: recompute finished folds too.
        progress_bar: a bar over tasks; ``verbose`` also shows per-fold training bars
            (serial only).
        report: write the results JSON / Markdown / PNG (:func:`xatgrn.evaluate.report.write_report`).

    Returns:
        ``{"computed": [...paths], "skipped": [...paths], "embeddings": n, "report": {...}}``.
    """
    out = Path(out)
    experiments = list(experiments)
    parallel = workers > 1 or dask is not None
    if threads is None and parallel:
        threads = 1
    if cache is True:
        cache_root: Path | None = out / "cache" / "embeddings"
    elif cache in (None, False):
        cache_root = None
    else:
        cache_root = Path(cache)
    store = EmbeddingCache(cache_root)
    shared: dict[str, Experiment] = {}
    fold_payloads: list[dict[str, Any]] = []
    embed_payloads: dict[str, dict[str, Any]] = {}
    skipped: list[str] = []
    for i, exp in enumerate(experiments):
        exp.cv.check()
        shared[str(i)] = exp
        key = exp.task_key()
        for rep in range(exp.cv.repeats):
            pairs = None
            for fold in range(exp.cv.folds):
                path = fold_path(out, exp.data.name, exp.protocol, exp.method.name, rep, fold)
                if not force and _check_resumable(path, key):
                    skipped.append(str(path))
                    continue
                fold_payloads.append(
                    {
                        "experiment": str(i),
                        "rep": rep,
                        "fold": fold,
                        "path": str(path),
                        "cache": cache_root,
                        "threads": threads,
                        "verbose": verbose and not parallel,
                    }
                )
                if not exp.method.uses_graph or cache_root is None:
                    continue
                pairs = repetition_pairs(exp.data, exp.cv, rep) if pairs is None else pairs
                leaking = exp.protocol in LEAKING_PROTOCOLS
                seed = derive_seed(exp.cv.seed + rep, "graph", None if leaking else fold)
                gcfg = graph_config(exp.fit_config(), seed, progress=verbose and not parallel)
                edges = graph_edge_index(exp.protocol, pairs, fold)
                gkey = store.key(edges, exp.data.genes, gcfg)
                if gkey not in embed_payloads and not store.has(gkey):
                    embed_payloads[gkey] = {
                        "key": gkey,
                        "edges": edges,
                        "genes": list(exp.data.genes),
                        "config": gcfg,
                        "cache": cache_root,
                        "threads": threads,
                    }
    if skipped:
        log.info("resuming: %d finished fold(s) skipped", len(skipped))
    log.info(
        "%d fold(s) to run, %d graph embedding(s) to fit%s",
        len(fold_payloads),
        len(embed_payloads),
        " first" if parallel else " as their folds come",
    )
    computed: list[str] = []

    def write(result: tuple[str, dict[str, Any]]) -> None:
        path, record = result
        with atomic_write(path) as fh:
            json.dump(_finite(record), fh, indent=1, default=_json_default, allow_nan=False)
            fh.write("\n")
        computed.append(path)
        m = record["metrics"]
        log.info(
            "%s %s %s rep %d fold %d: AUROC(macro-OvR) %.3f F1 %.3f (%.1f s)",
            record["dataset"],
            record["protocol"],
            record["method"],
            record["repetition"],
            record["fold"],
            m["auroc_macro_ovr"],
            m["f1"],
            record["timings"]["total_s"],
        )

    # In parallel, phase 1 fits each missing embedding once (two concurrent folds sharing one
    # would both fit it); phase 2 runs the folds, which load them. Serially there is no such
    # race, so each fold fits (and caches) its own embedding when it comes: fold files appear
    # from the first fold on instead of after every embedding of the run.
    executor = _Executor(shared, workers=workers, dask=dask)
    try:
        if parallel:
            executor.map(
                _embed_task,
                list(embed_payloads.values()),
                lambda _: None,
                desc="graph embeddings",
                show=progress_bar,
            )
        executor.map(_fold_task, fold_payloads, write, desc="folds", show=progress_bar)
    finally:
        executor.close()
    result: dict[str, Any] = {
        "computed": sorted(computed),
        "skipped": skipped,
        "embeddings": len(embed_payloads),
    }
    if report:
        from xatgrn.evaluate.report import write_report

        first = next(iter(experiments), None)
        data_dir = data_dir or (first.data.source.get("data_dir") if first is not None else None)
        result["report"] = write_report(out, paper_table=paper_table, data_dir=data_dir)
    return result


def run_cv(
    data: CVData,
    out: str | Path,
    *,
    method: str | MethodSpec = "xatgrn",
    cv: CVConfig | None = None,
    config: FitConfig | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """Cross-validate one method on one dataset (see :func:`run_experiments` for ``kwargs``).

    Example::

        data = benchmark_data("ecoli_cold")
        run_cv(data, "results/", cv=CVConfig(protocol="inductive", repeats=2), config=fast_profile())
    """
    spec = get_method(method) if isinstance(method, str) else method
    exp = Experiment(data, spec, (cv or CVConfig()).check(), config or FitConfig())
    return run_experiments([exp], out, **kwargs)


def _finite(obj: Any) -> Any:
    """NaN/inf (an undefined metric, e.g. a class absent from a fold) -> ``null``: strict JSON."""
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    if isinstance(obj, (float, np.floating)) and not math.isfinite(float(obj)):
        return None
    return obj


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return _finite(obj.item())
    if isinstance(obj, np.ndarray):
        return _finite(obj.tolist())
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")
