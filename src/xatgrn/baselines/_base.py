"""What every baseline shares on top of the estimator contract: pair indexing, readable edges.

A baseline keeps the contract of :mod:`xatgrn.core.contract` (one input path, one preprocessing,
one not-fitted error, the same ``fit`` / ``fit_pairs`` / ``predict_proba`` as XATGRN).
:class:`PairBaseline` maps pair names to gene positions and the readable prior edges to a table,
so a subclass only implements ``_fit(rows)`` and ``_proba(reg, tgt)`` on integer gene positions.
``edges_`` (built from the caller's ``graph_edges``) is the *only* network information a baseline
may use: the runner passes the training-fold edges (inductive) or every prior edge
(transductive); by default the edges among the training pairs (the leak-free choice).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from xatgrn.core.contract import Estimator
from xatgrn.data.schema import ACTIVATION

__all__ = ["PairBaseline"]


class PairBaseline(Estimator):
    """Base class of the baselines (see the module docstring).

    Fitted attributes (besides the contract's ``genes_``, ``expression_``, ``seeds_``, ...):
    ``reg_`` / ``tgt_`` / ``labels_`` (positions and labels of the pairs ``fit_pairs`` got),
    ``edges_`` (``reg_idx, tgt_idx, label`` of the prior edges the method may read).
    """

    name = "baseline"

    def _fit_pairs(
        self,
        pairs: pd.DataFrame,
        train_rows: np.ndarray,
        graph_edges: pd.DataFrame,
        graph: np.ndarray | None,
    ) -> None:
        self.reg_ = self.positions(pairs["regulator"], "regulator")
        self.tgt_ = self.positions(pairs["target"], "target")
        self.labels_ = pairs["label"].to_numpy().astype(np.int64)
        self.edges_ = pd.DataFrame(
            {
                "reg_idx": self.positions(graph_edges["regulator"], "regulator"),
                "tgt_idx": self.positions(graph_edges["target"], "target"),
                "label": graph_edges["label"].to_numpy().astype(np.int64)
                if "label" in graph_edges
                else np.full(len(graph_edges), -1, dtype=np.int64),
            }
        )
        self._fit(train_rows)

    # -- helpers for subclasses -------------------------------------------------------------
    def adjacency(self, *, signed: bool = False) -> np.ndarray:
        """Dense ``n x n`` adjacency of the readable edges (``A[r, t]``).

        ``signed=False``: 1 for an edge; ``signed=True``: +1 activation, -1 repression.
        Only ``edges_`` enter, so test-fold edges never do in the inductive protocol.
        """
        n = len(self.genes_)
        a = np.zeros((n, n), dtype=np.float32)
        e = self.edges_
        if signed:
            val = np.where(e["label"].to_numpy() == ACTIVATION, 1.0, -1.0).astype(np.float32)
        else:
            val = np.ones(len(e), dtype=np.float32)
        a[e["reg_idx"].to_numpy(), e["tgt_idx"].to_numpy()] = val
        return a

    def train_net(self, net: Any, forward: Any, train_rows: np.ndarray, train: Any) -> Any:
        """Train ``net`` with the shared trainer on this fit's labels, seeds, device and progress.

        ``train`` is the method's own :class:`~xatgrn.train.TrainConfig`. Sets ``train_result_``;
        returns the selected model in eval mode (on the training device).
        """
        from xatgrn.train import train_classifier

        tcfg = dataclasses.replace(
            train,
            seed=self.seeds_["train"],
            device=self._cfg.device,
            progress=self._cfg.progress,
        )
        self.train_result_ = train_classifier(net, forward, self.labels_, train_rows, None, tcfg)
        return self.train_result_.model.eval()

    # -- to implement -----------------------------------------------------------------------
    def _fit(self, train_rows: np.ndarray) -> None:  # pragma: no cover - abstract
        """Fit on rows ``train_rows`` of ``reg_``/``tgt_``/``labels_`` (positions into genes_)."""
        raise NotImplementedError
