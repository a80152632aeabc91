"""One cell of a benchmark grid, its effective config, task key, and the graph of each fold."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from xatgrn.evaluate.cache import graph_config, hash_json
from xatgrn.evaluate.data import CVData
from xatgrn.evaluate.protocols import (
    LEAKING_PROTOCOLS,
    CVConfig,
    derive_seed,
    graph_edge_index,
    negative_args,
)
from xatgrn.graph.config import DuplexConfig
from xatgrn.methods import MethodSpec, configure
from xatgrn.model.config import FitConfig

__all__ = ["Experiment", "fold_graph"]


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

    def fit_config(self) -> Any:
        """The effective config: method overrides + the dataset's preprocessing/negatives.

        A ``FitConfig`` for XATGRN and the baselines; the method's own configuration for
        methods that build one from the shared settings (``MethodSpec.settings``).
        """
        cfg = configure(self.method, self.fit)
        neg = negative_args(self.data, self.cv)
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
        if isinstance(dim, int) and hasattr(cfg, "graph"):
            cfg.graph = dataclasses.replace(cfg.graph, out_dim=dim)
        return cfg

    def task_key(self) -> str:
        """Hash of everything a fold's result depends on, except the repetition count.

        A rerun resumes only folds whose key matches (more repetitions extend a run). Settings
        a configuration declares ``FIT_ONLY`` (used by ``fit`` alone, never by the ``fit_pairs``
        a fold runs) do not enter it.
        """
        fit = self.fit_config()
        skip = {"progress", "device", *getattr(type(fit), "FIT_ONLY", ())}
        cfg = {k: v for k, v in dataclasses.asdict(fit).items() if k not in skip}
        cv = {k: v for k, v in self.cv.to_dict().items() if k != "repeats"}
        method = {k: v for k, v in self.method.to_dict().items() if k != "description"}
        data = {"name": self.data.name, "sha256": self.data.sha256}
        return hash_json({"cv": cv, "fit": cfg, "method": method, "data": data})[:16]


def fold_graph(
    exp: Experiment, pairs: pd.DataFrame, rep: int, fold: int, *, progress: bool = False
) -> tuple[int, DuplexConfig, np.ndarray]:
    """``(seed, graph config, edge index)`` of the graph embedding of ``fold`` in ``rep``.

    The one derivation of a fold's graph, used both to plan the embed-first phase and by the
    fold itself (a drift between the two would silently refit embeddings). A leaking protocol
    has one graph per repetition (seed without the fold); otherwise one per fold.
    """
    leaking = exp.protocol in LEAKING_PROTOCOLS
    seed = derive_seed(exp.cv.seed + rep, "graph", None if leaking else fold)
    config = graph_config(exp.fit_config(), seed, progress=progress)
    return seed, config, graph_edge_index(exp.protocol, pairs, fold)
