"""The estimator contract: what XATGRN and every baseline share, so one runner drives them all.

It is scikit-learn's contract, for pairs of genes:

* ``__init__(config=None, params=None)`` only stores its arguments, unmodified;
  :meth:`Estimator.get_params` returns them.
* ``fit(expression, regulations)`` and ``fit_pairs(data, pairs, train_rows, ...)`` learn and
  return ``self``. Inputs are validated once, at the boundary (:func:`xatgrn.data.validate.
  validate_data`); ``fit_pairs`` receives an already :class:`~xatgrn.data.validate.ValidatedData`.
* Fitted state lives in attributes ending in ``_``: ``genes_`` (sorted gene ids), ``samples_``,
  ``prior_`` (the aligned prior, canonical order), ``expression_`` (preprocessed, float32, genes
  x samples), ``seeds_`` (child seeds of the one seed), ``input_sources_`` (the inputs' paths and
  SHA-256 when the caller knows them), ``fit_seconds_``.
* ``predict_proba(pairs) -> (n, 3)`` in the order none, repression, activation, rows summing to
  one; ``predict(pairs)`` the class names. Before fitting both raise :class:`~xatgrn.errors.
  NotFittedError`, the one not-fitted error.
* What an estimator may read of the prior network is decided by its caller: ``graph_edges``
  (``regulator, target, label``, the edges the protocol allows; default: the edges among the
  training pairs, :func:`xatgrn.data.pairs.training_edges`) and, for estimators with
  ``accepts_graph``, a precomputed graph-embedding table ``graph``.

``tests/core/test_contract.py`` runs these checks over every registered method.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from xatgrn.data.pairs import labelled_pairs, stratified_split, training_edges
from xatgrn.data.schema import CLASS_NAMES
from xatgrn.data.validate import ValidatedData, gene_positions, validate_data
from xatgrn.errors import NotFittedError

log = logging.getLogger(__name__)

__all__ = ["Estimator", "Settings", "child_seeds", "pair_frame"]


@dataclass
class Settings:
    """The settings every estimator shares (XATGRN's ``FitConfig`` extends them).

    Args:
        n_negatives: exact number of sampled non-edges for :meth:`Estimator.fit` (benchmark:
            2,046 / 6,000 / 7,000); ``None`` uses ``neg_ratio``.
        neg_ratio: non-edges per prior edge when ``n_negatives`` is ``None``.
        negatives_from: ``"all"`` (reference) or ``"regulators"`` (harder negatives).
        preprocessing: ``"none"`` or ``"log2_minmax"`` (the benchmark's reference transform).
        holdout: fraction of labelled pairs :meth:`Estimator.fit` holds out (stratified) to
            report held-out quality; 0 trains on all pairs.
        seed: the one seed every random choice flows from.
        device: ``"auto"`` (CUDA when present), ``"cpu"``, ``"cuda"``.
        progress: show progress bars.
    """

    n_negatives: int | None = None
    neg_ratio: float = 1.0
    negatives_from: str = "all"
    preprocessing: str = "none"
    holdout: float = 0.0
    seed: int = 0
    device: str = "auto"
    progress: bool = True


def child_seeds(seed: int) -> dict[str, int]:
    """Independent child seeds for each random stage of a fit, all derived from the one seed."""
    names = ("pairs", "holdout", "graph", "train")
    children = np.random.SeedSequence(seed).spawn(len(names))
    return {n: int(c.generate_state(1)[0]) for n, c in zip(names, children, strict=True)}


def pair_frame(pairs: Any) -> pd.DataFrame:
    """``pairs`` as a ``regulator, target`` DataFrame (it may be (regulator, target) tuples)."""
    if isinstance(pairs, pd.DataFrame):
        return pairs
    return pd.DataFrame(list(pairs), columns=["regulator", "target"])


class Estimator:
    """Base class of every method (see the module docstring for the contract).

    Subclasses set ``name`` and implement :meth:`_fit_pairs` and :meth:`_proba`; those that
    have their own hyper-parameters set ``params_type`` (a dataclass with paper defaults).
    """

    #: the method's name in messages
    name: ClassVar[str] = "estimator"
    #: the dataclass of the method's own hyper-parameters, if it has one
    params_type: ClassVar[type | None] = None
    #: the method can read a precomputed graph-embedding table (``fit_pairs(graph=...)``)
    accepts_graph: ClassVar[bool] = False
    #: what ``fit`` / ``load`` to call, for the not-fitted message
    fit_hint: ClassVar[str] = "call fit() or fit_pairs() first"

    def __init__(self, config: Any = None, params: Any = None) -> None:
        """``config``: the shared :class:`Settings` (or a subclass such as ``FitConfig``);
        ``params``: the method's own hyper-parameters (an instance of ``params_type``)."""
        if params is not None and (
            self.params_type is None or not isinstance(params, self.params_type)
        ):
            expected = self.params_type.__name__ if self.params_type else "None"
            raise TypeError(f"{self.name}: params must be a {expected}")
        self.config = config
        self.params = params

    # -- parameters ---------------------------------------------------------------------------
    @classmethod
    def default_config(cls) -> Any:
        """The settings used when ``config`` is ``None``."""
        return Settings()

    @classmethod
    def default_params(cls) -> dict[str, Any]:
        """The method's default hyper-parameters as JSON-able data.

        They enter the cross-validation task key (``MethodSpec.to_dict``), so changing a
        method's defaults can never mix old and new fold results.
        """
        return {} if cls.params_type is None else dataclasses.asdict(cls.params_type())

    def get_params(self) -> dict[str, Any]:
        """The constructor arguments, as given (``type(m)(**m.get_params())`` is a clone)."""
        return {"config": self.config, "params": self.params}

    @property
    def _cfg(self) -> Any:
        """The settings in force: ``config`` or the defaults."""
        return self.config if self.config is not None else self.default_config()

    @property
    def _params(self) -> Any:
        """The hyper-parameters in force: ``params`` or the ``params_type`` defaults."""
        if self.params is not None:
            return self.params
        return self.params_type() if self.params_type is not None else None

    # -- fitting ------------------------------------------------------------------------------
    def fit(self, expression: pd.DataFrame | ValidatedData, regulations: Any = None) -> Any:
        """Learn from an expression table (genes x samples) and a typed prior network.

        Labelled pairs are the prior's edges plus sampled non-edges; with ``holdout > 0`` a
        stratified fraction is held out and :attr:`holdout_metrics_` reports on it.
        """
        from xatgrn.core.metrics import classification_metrics
        from xatgrn.core.selection import selection_curve

        cfg = self._cfg
        t0 = time.perf_counter()
        data = self._validated(expression, regulations)
        seeds = child_seeds(cfg.seed)
        pairs = labelled_pairs(
            data.prior,
            data.genes,
            n_negatives=cfg.n_negatives,
            neg_ratio=None if cfg.n_negatives is not None else cfg.neg_ratio,
            seed=seeds["pairs"],
            negatives_from=cfg.negatives_from,
        )
        labels = pairs["label"].to_numpy()
        if cfg.holdout > 0:
            train_rows, held_rows = stratified_split(
                np.arange(len(pairs)), labels, cfg.holdout, seeds["holdout"]
            )
        else:
            train_rows, held_rows = np.arange(len(pairs)), np.empty(0, dtype=np.int64)
        self._fit_validated(data, pairs, train_rows, training_edges(pairs, train_rows), None)
        self.pairs_ = pairs.assign(split="train")
        self.pairs_.loc[held_rows, "split"] = "holdout"
        self.holdout_metrics_: dict[str, float] = {}
        self.holdout_curve_: pd.DataFrame | None = None
        if len(held_rows):
            proba = self.predict_proba(pairs.iloc[held_rows][["regulator", "target"]])
            self.holdout_metrics_ = classification_metrics(labels[held_rows], proba)
            self.holdout_proba_ = proba
            self.holdout_curve_ = selection_curve(labels[held_rows], proba)
            log.info(
                "held-out (%d pairs): accuracy %.3f, AUROC(macro-OvR) %.3f, F1 %.3f",
                len(held_rows),
                self.holdout_metrics_["accuracy"],
                self.holdout_metrics_["auroc_macro_ovr"],
                self.holdout_metrics_["f1"],
            )
        self.fit_seconds_ = time.perf_counter() - t0
        return self

    def fit_pairs(
        self,
        data: ValidatedData,
        pairs: pd.DataFrame,
        train_rows: np.ndarray,
        *,
        graph_edges: pd.DataFrame | None = None,
        graph: np.ndarray | None = None,
    ) -> Any:
        """Lower-level fit for evaluation: the caller decides the pairs and what is readable.

        Args:
            data: the validated inputs (:func:`xatgrn.data.validate.validate_data`).
            pairs: labelled pairs (``regulator, target, label``); positions are derived by name.
            train_rows: rows of ``pairs`` the method learns from.
            graph_edges: the typed prior edges (``regulator, target, label``) the method may
                read; default: the edges among ``pairs[train_rows]`` (the leak-free choice).
            graph: a precomputed ``[amplitude | phase]`` table (genes in sorted-id order), for
                estimators with ``accepts_graph``.
        """
        if graph is not None and not self.accepts_graph:
            raise TypeError(f"{self.name} does not read a graph embedding (graph=)")
        if not isinstance(data, ValidatedData):
            raise TypeError(
                f"{self.name}.fit_pairs needs a ValidatedData (xatgrn.data.validate.validate_data)"
            )
        t0 = time.perf_counter()
        pairs = pairs.reset_index(drop=True)
        train_rows = np.asarray(train_rows, dtype=np.int64)
        if graph_edges is None:
            graph_edges = training_edges(pairs, train_rows)
        self._fit_validated(data, pairs, train_rows, graph_edges, graph)
        self.holdout_metrics_ = {}
        self.fit_seconds_ = time.perf_counter() - t0
        log.info("%s fitted on %d pairs in %.1f s", self.name, len(train_rows), self.fit_seconds_)
        return self

    def _validated(self, expression: Any, regulations: Any) -> ValidatedData:
        if isinstance(expression, ValidatedData):
            if regulations is not None:
                raise TypeError("pass either a ValidatedData or (expression, regulations)")
            return expression
        return validate_data(expression, regulations)

    def _fit_validated(
        self,
        data: ValidatedData,
        pairs: pd.DataFrame,
        train_rows: np.ndarray,
        graph_edges: pd.DataFrame,
        graph: np.ndarray | None,
    ) -> None:
        """Set the data attributes every estimator has, then fit the method."""
        self._set_data(data)
        self._fit_pairs(pairs, train_rows, graph_edges, graph)

    def _set_data(self, data: ValidatedData) -> None:
        """The data attributes every fitted estimator has (genes, samples, prior, expression)."""
        cfg = self._cfg
        self.genes_ = data.genes
        self.samples_ = data.samples
        self.prior_ = data.prior
        # a private copy: the validated data (and its memo) is shared by every fold of a run
        self.expression_ = data.preprocessed(cfg.preprocessing).copy()
        self.seeds_ = child_seeds(cfg.seed)
        self.input_sources_ = dict(data.sources)

    # -- prediction ---------------------------------------------------------------------------
    def check_fitted(self) -> None:
        """Raise :class:`~xatgrn.errors.NotFittedError` unless the method is fitted."""
        if not self._is_fitted():
            raise NotFittedError(self.name, self.fit_hint)

    def _is_fitted(self) -> bool:
        return hasattr(self, "genes_")

    def positions(self, names: Any, what: str) -> np.ndarray:
        """Gene positions in ``genes_`` of ``names``; unknown genes get a clear error."""
        return gene_positions(self.genes_, names, what)

    def predict_proba(self, pairs: pd.DataFrame | Any, **options: Any) -> np.ndarray:
        """Class probabilities ``(n, 3)``: none, repression, activation.

        ``pairs``: a DataFrame with ``regulator`` and ``target`` columns, or (regulator,
        target) tuples. ``options`` go to the method's scorer (e.g. XATGRN's ``batch_size``).
        """
        self.check_fitted()
        pairs = pair_frame(pairs)
        reg = self.positions(pairs["regulator"], "regulator")
        tgt = self.positions(pairs["target"], "target")
        if len(reg) == 0:  # no pairs: nothing to run the model on
            return np.empty((0, 3))
        proba = np.asarray(self._proba(reg, tgt, **options))
        if proba.shape != (len(reg), 3):
            raise RuntimeError(f"{self.name}._proba returned shape {proba.shape}")
        return proba

    def predict(self, pairs: pd.DataFrame | Any) -> np.ndarray:
        """Predicted class names (``none`` / ``repression`` / ``activation``)."""
        return np.asarray(CLASS_NAMES, dtype=object)[self.predict_proba(pairs).argmax(1)]

    # -- to implement -------------------------------------------------------------------------
    def _fit_pairs(
        self,
        pairs: pd.DataFrame,
        train_rows: np.ndarray,
        graph_edges: pd.DataFrame,
        graph: np.ndarray | None,
    ) -> None:  # pragma: no cover - abstract
        """Fit on ``pairs[train_rows]`` (the data attributes are set), reading only
        ``graph_edges`` (``regulator, target[, label]``) of the prior network."""
        raise NotImplementedError

    def _proba(self, reg: np.ndarray, tgt: np.ndarray) -> np.ndarray:  # pragma: no cover
        """``(n, 3)`` probabilities for gene positions ``reg``, ``tgt`` (n >= 1); subclasses
        may take keyword options (passed through :meth:`predict_proba`)."""
        raise NotImplementedError
