"""What every baseline shares: input alignment, preprocessing, pair indexing, the evaluation contract.

A baseline is an estimator with the contract the cross-validation runner calls
(:func:`xatgrn.evaluate.methods.fit_predict`):

* ``fit_pairs(expression, regulations, pairs, train_rows, *, graph_edges=None, graph=None)``
* ``predict_proba(pairs[["regulator", "target"]]) -> (n, 3)`` in the order none, repression,
  activation.

:class:`PairBaseline` does the common part once — validate and align the inputs exactly as
XATGRN does (same genes, same preprocessing), map pair names to gene positions, decide which prior
edges the method may read — so a subclass only implements ``_fit(rows)`` and ``_proba(reg, tgt)``
on integer gene positions. ``graph_edges`` (a ``regulator, target, label`` frame) is the *only*
network information a baseline may use: the runner passes the training-fold edges (inductive) or
every prior edge (transductive); when it is not given, the edges among the training pairs are used
(the leak-free default).
"""

from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np
import pandas as pd

from xatgrn.data import io as dio
from xatgrn.data.preprocess import apply_preprocessing
from xatgrn.data.schema import NONE
from xatgrn.errors import input_error
from xatgrn.model.estimator import FitConfig, _check_expression, _seeds

log = logging.getLogger(__name__)

__all__ = ["PairBaseline"]


class PairBaseline:
    """Base class of the baselines (see the module docstring for the contract).

    Attributes set by ``fit_pairs``: ``genes_`` (sorted gene ids), ``expression_`` (preprocessed,
    float32, genes x samples, rows in ``genes_`` order), ``edges_`` (``reg_idx, tgt_idx, label``
    of the prior edges the method may read), ``seeds_`` (child seeds of ``config.seed``),
    ``fit_seconds_``.
    """

    #: registry name; subclasses set it (used in messages)
    name = "baseline"
    #: the dataclass of the method's own hyper-parameters (paper defaults), if it has one
    params_type: type | None = None

    @classmethod
    def default_params(cls) -> dict[str, Any]:
        """The method's default hyper-parameters as JSON-able data.

        They enter the cross-validation task key (through ``MethodSpec.to_dict``), so changing a
        baseline's defaults can never mix old and new fold results.
        """
        import dataclasses

        if cls.params_type is None:
            return {}
        return dataclasses.asdict(cls.params_type())

    def __init__(self, config: FitConfig | None = None, params: Any = None) -> None:
        """``config``: the shared settings (seed, device, progress, preprocessing); ``params``:
        the method's own hyper-parameters (an instance of ``params_type``; default: its defaults).
        """
        self.config = config if config is not None else FitConfig()
        if params is not None and self.params_type is not None:
            if not isinstance(params, self.params_type):
                raise TypeError(f"{self.name}: params must be a {self.params_type.__name__}")
        self.params = params

    @property
    def _params(self) -> Any:
        """The hyper-parameters in force: ``params`` or the ``params_type`` defaults."""
        if self.params is not None:
            return self.params
        return self.params_type() if self.params_type is not None else None

    # -- the contract -----------------------------------------------------------------------
    def fit_pairs(
        self,
        expression: pd.DataFrame,
        regulations: pd.DataFrame,
        pairs: pd.DataFrame,
        train_rows: np.ndarray,
        *,
        graph_edges: pd.DataFrame | None = None,
        graph: np.ndarray | None = None,
    ) -> PairBaseline:
        """Learn from ``pairs[train_rows]`` (``regulator, target, label``); see the module doc."""
        t0 = time.perf_counter()
        del graph  # baselines do not consume XATGRN's DUPLEX embedding
        expression = _check_expression(expression)
        prior = dio.align(expression, regulations)
        dio.check_trainable(prior)
        self.genes_ = pd.Index(sorted(expression.index.astype(str)), name="gene")
        expr = expression.copy()
        expr.index = expr.index.astype(str)
        expr = expr.loc[self.genes_]
        self.expression_ = apply_preprocessing(expr, self.config.preprocessing).astype(np.float32)
        self.seeds_ = _seeds(self.config.seed)
        pairs = pairs.reset_index(drop=True)
        train_rows = np.asarray(train_rows, dtype=np.int64)
        self.reg_ = self.positions(pairs["regulator"], "regulator")
        self.tgt_ = self.positions(pairs["target"], "target")
        self.labels_ = pairs["label"].to_numpy().astype(np.int64)
        if graph_edges is None:
            tr = pairs.iloc[train_rows]
            graph_edges = tr[tr["label"] != NONE]
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
        self.fit_seconds_ = time.perf_counter() - t0
        log.info("%s fitted on %d pairs in %.1f s", self.name, len(train_rows), self.fit_seconds_)
        return self

    def predict_proba(self, pairs: pd.DataFrame | Any) -> np.ndarray:
        """Class probabilities ``(n, 3)``: none, repression, activation."""
        if not hasattr(self, "genes_"):
            raise input_error(f"this {self.name} model is not fitted", fix="call fit_pairs() first")
        if not isinstance(pairs, pd.DataFrame):
            pairs = pd.DataFrame(list(pairs), columns=["regulator", "target"])
        reg = self.positions(pairs["regulator"], "regulator")
        tgt = self.positions(pairs["target"], "target")
        if len(reg) == 0:  # no pairs: nothing to run the model on
            return np.empty((0, 3))
        proba = np.asarray(self._proba(reg, tgt), dtype=np.float64)
        if proba.shape != (len(reg), 3):
            raise RuntimeError(f"{self.name}._proba returned shape {proba.shape}")
        return proba

    def predict(self, pairs: pd.DataFrame | Any) -> np.ndarray:
        """Predicted class names (``none`` / ``repression`` / ``activation``)."""
        from xatgrn.data.schema import CLASS_NAMES

        return np.asarray(CLASS_NAMES, dtype=object)[self.predict_proba(pairs).argmax(1)]

    # -- helpers for subclasses -------------------------------------------------------------
    def positions(self, names: Any, what: str) -> np.ndarray:
        """Gene positions in ``genes_`` of ``names``; unknown genes get a clear error."""
        return dio.gene_positions(self.genes_, names, what)

    def adjacency(self, *, signed: bool = False) -> np.ndarray:
        """Dense ``n x n`` adjacency of the readable edges (``A[r, t]``).

        ``signed=False``: 1 for an edge; ``signed=True``: +1 activation, -1 repression.
        Only ``edges_`` enter, so test-fold edges never do in the inductive protocol.
        """
        n = len(self.genes_)
        a = np.zeros((n, n), dtype=np.float32)
        e = self.edges_
        if signed:
            from xatgrn.data.schema import ACTIVATION

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
        import dataclasses

        from xatgrn.train import train_classifier

        tcfg = dataclasses.replace(
            train,
            seed=self.seeds_["train"],
            device=self.config.device,
            progress=self.config.progress,
        )
        self.train_result_ = train_classifier(net, forward, self.labels_, train_rows, None, tcfg)
        return self.train_result_.model.eval()

    # -- to implement -----------------------------------------------------------------------
    def _fit(self, train_rows: np.ndarray) -> None:  # pragma: no cover - abstract
        """Fit on rows ``train_rows`` of ``reg_``/``tgt_``/``labels_`` (positions into genes_)."""
        raise NotImplementedError

    def _proba(self, reg: np.ndarray, tgt: np.ndarray) -> np.ndarray:  # pragma: no cover
        """``(n, 3)`` probabilities for gene positions ``reg``, ``tgt``."""
        raise NotImplementedError
