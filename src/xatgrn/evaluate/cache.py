"""The content-addressed cache of fitted graph embeddings, shared by folds, datasets and methods.

A fold's graph embedding depends only on the graph's edge set, the gene universe, the graph
config with its seed and the embedding code, not on expression, the negatives or the method;
so the four E. coli (and the four human) datasets and every graph-reading method share one
entry per (prior, repetition, fold).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from xatgrn.graph.config import DuplexConfig
from xatgrn.model.config import FitConfig
from xatgrn.utils import atomic_write

log = logging.getLogger(__name__)

__all__ = ["EmbeddingCache", "graph_code_sha256", "graph_config", "hash_json"]


def hash_json(obj: Any) -> str:
    """SHA-256 of ``obj`` as canonical JSON (sorted keys): a content key."""
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()


def graph_config(config: FitConfig, seed: int, *, progress: bool = False) -> DuplexConfig:
    """The embedder's config for one fold: the profile's graph settings with the fold's seed."""
    return dataclasses.replace(
        config.graph, seed=int(seed), device=config.device, progress=progress
    )


@functools.lru_cache(maxsize=1)
def graph_code_sha256() -> str:
    """Hash of the graph-embedding source (``xatgrn/graph/*.py``): edited code, fresh entries."""
    import xatgrn.graph

    h = hashlib.sha256()
    for f in sorted(Path(xatgrn.graph.__file__).parent.glob("*.py")):
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def _genes_sha256(genes: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(map(str, genes)).encode()).hexdigest()


class EmbeddingCache:
    """Content-addressed store of fitted DUPLEX embedders (safe to delete at any time).

    The key hashes the graph's edge set, the gene universe, the graph config with its seed, and
    the embedding source code: everything the embedding depends on (not expression, not the
    negatives, not the method), so datasets sharing a prior and every method that uses the
    graph reuse one entry. Entries are ``<root>/<key>/`` holding ``weights.safetensors`` +
    ``config.json`` (:meth:`DuplexEmbedder.save`) and ``key.json`` (the key's inputs); each is
    written to a temporary folder and renamed into place, so a half-written entry is never read.
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
        return hash_json(
            {
                "format": 1,
                "edges": hashlib.sha256(ekeys.astype("<i8").tobytes()).hexdigest(),
                "n_edges": len(ekeys),
                "genes": _genes_sha256(genes),
                "n_genes": n,
                "graph": cfg,
                "code": graph_code_sha256(),
            }
        )[:32]

    def path(self, key: str) -> Path | None:
        return None if self.root is None else self.root / key

    def has(self, key: str) -> bool:
        p = self.path(key)
        return p is not None and (p / "key.json").is_file()

    def load(self, key: str):
        """The cached :class:`DuplexEmbedder`, or ``None`` (missing or unreadable entry)."""
        from xatgrn.graph.embedder import DuplexEmbedder

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
        from xatgrn.graph.embedder import DuplexEmbedder

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
                "genes_sha256": _genes_sha256(genes),
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
