"""The method registry: every evaluated method is *data* (metadata) driven by one runner.

A method is a :class:`MethodSpec`: a name, a description, what of the prior network it reads,
configuration overrides, and a factory that turns the run's ``FitConfig`` into an estimator with
the contract of :mod:`xatgrn.core.contract`. :data:`BUILTIN_METHODS` lists XATGRN, its ablations
and every baseline; the CLI's ``--method`` / ``--methods`` choices and the benchmark grid both come
from it. :func:`fit_predict` is the one runner the cross-validation calls for every method.

This module sits above XATGRN and the baselines (it imports them); they never import it. The
built-ins name their estimator with a :class:`LazyFactory` (module and class name), imported on
first use: reading the registry — the CLI's choices, ``get_method`` — imports no estimator, and
so no torch. A new method is one :class:`MethodSpec` added to :data:`BUILTIN_METHODS` (or, from
outside the package, passed to :func:`register_method`; a plain class as factory is fine).
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from xatgrn.data.validate import ValidatedData
from xatgrn.errors import input_error
from xatgrn.model.config import FitConfig

__all__ = [
    "BUILTIN_METHODS",
    "METHODS",
    "LazyFactory",
    "MethodSpec",
    "configure",
    "fit_predict",
    "get_method",
    "list_methods",
    "persistent_methods",
    "register_method",
]


class LazyFactory:
    """An estimator class named by its module and name, imported on first use.

    Calling it builds the estimator; reading an attribute (``config_from``, ``default_params``,
    ``params_type``, ``save``, ...) reads the class's. ``__module__`` and ``__qualname__`` are the
    class's own, so :meth:`MethodSpec.to_dict` (hashed into the task keys) reads the same as with
    the class itself. Equal (and hashed) by ``(module, name)``; pickles as that pair.

    Args:
        module: the module defining the class, e.g. ``"xatgrn.baselines.cnngrn"``.
        name: the class's name in it, e.g. ``"CNNGRN"``.
    """

    def __init__(self, module: str, name: str) -> None:
        # instance attributes shadow the class's own (to_dict reads them)
        self.__module__ = module
        self.__qualname__ = name
        self.__name__ = name
        self._target = (module, name)
        self._resolved: Any = None

    def resolve(self) -> Any:
        """The class (imported on first use)."""
        if self._resolved is None:
            module, name = self._target
            self._resolved = getattr(importlib.import_module(module), name)
        return self._resolved

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.resolve()(*args, **kwargs)

    def __getattr__(self, attr: str) -> Any:
        # only attributes the instance lacks get here; dunders are never the class's to lend
        if attr.startswith("__") or attr in ("_target", "_resolved"):
            raise AttributeError(attr)
        return getattr(self.resolve(), attr)

    def __reduce__(self) -> tuple[Any, tuple[str, str]]:
        return (type(self), self._target)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LazyFactory):
            return NotImplemented
        return self._target == other._target

    def __hash__(self) -> int:
        return hash(self._target)

    def __repr__(self) -> str:
        module, name = self._target
        return f"LazyFactory({module!r}, {name!r})"


#: the paper's XATGRN estimator (MethodSpec's default factory)
_PAPER_XATGRN = LazyFactory("xatgrn.model.estimator", "XATGRN")
_SIGNED_XATGRN = LazyFactory("xatgrn.model.signed", "SignedXATGRN")


@dataclass(frozen=True)
class MethodSpec:
    """One evaluated method.

    Args:
        name: registry key (CLI choice), e.g. ``"xatgrn-fusion"``.
        description: one line for ``--help`` and reports.
        factory: ``FitConfig -> estimator`` (module-level, so it pickles for worker processes):
            the estimator class, or a :class:`LazyFactory` naming it (imported on first use).
        uses_graph: the estimator consumes a DUPLEX embedding of the graph the protocol allows
            (training-fold edges, or the whole prior for ``transductive``); the runner computes
            it through the shared embedding cache and passes it as ``graph=``.
        network: overrides of :class:`~xatgrn.model.xatgrn.XATGRNConfig` (the paper model's
            ablations).
        settings: overrides of the method's own configuration, for factories that build it
            from the run's shared settings (``factory.config_from``; the default model's
            ablations switch feature blocks off this way).
        uses_edges: the estimator reads the prior network itself (adjacency features, message
            passing, its own graph embedding); the runner passes ``graph_edges=``, a
            ``regulator, target, label`` frame of the edges the protocol allows (training-fold
            edges, or every prior edge for ``transductive``). Nothing else of the prior may be used.
        paper_name: the row of the paper's Table 1 this method reproduces, if any.
        family: ``"xatgrn"`` or ``"baseline"``.
    """

    name: str
    description: str
    factory: Callable[[FitConfig], Any] = _PAPER_XATGRN
    uses_graph: bool = True
    network: Mapping[str, Any] = field(default_factory=dict)
    uses_edges: bool = False
    paper_name: str | None = None
    family: str = "xatgrn"
    settings: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # plain dict copies (picklable for worker processes; the caller's mapping is not shared)
        object.__setattr__(self, "network", dict(self.network))
        object.__setattr__(self, "settings", dict(self.settings))

    def to_dict(self) -> dict[str, Any]:
        """JSON-able description (written into every fold result; hashed into its task key)."""
        factory = f"{self.factory.__module__}.{self.factory.__qualname__}"
        # keys added after the first results were written appear only when set, so the task
        # keys of finished folds stay valid
        extra: dict[str, Any] = {}
        if self.uses_edges:
            extra["uses_edges"] = True
        if self.family == "baseline" or getattr(self.factory, "params_type", None) is not None:
            extra["params"] = self.factory.default_params()
        if self.settings:
            extra["settings"] = dict(self.settings)
        return {
            **extra,
            "name": self.name,
            "description": self.description,
            "factory": factory,
            "uses_graph": self.uses_graph,
            "network": dict(self.network),
            "paper_name": self.paper_name,
            "family": self.family,
        }


def _baseline(name: str, description: str, factory: Any, **kw: Any) -> MethodSpec:
    return MethodSpec(name, description, factory=factory, uses_graph=False, family="baseline", **kw)


#: every built-in method, in the order the CLI and the reports list them
def _signed(name: str, description: str, **settings: Any) -> MethodSpec:
    return MethodSpec(
        name,
        description,
        factory=_SIGNED_XATGRN,
        uses_graph=False,
        uses_edges=True,
        settings=settings,
    )


BUILTIN_METHODS: tuple[MethodSpec, ...] = (
    _signed(
        "xatgrn",
        "XATGRN (default): signed graph embedding + cross-fitted prior evidence + expression "
        "fusion, boosted-trees head",
    ),
    MethodSpec(
        "xatgrn-paper",
        "XATGRN as published: cross-attention fusion of expression tokens + DUPLEX graph "
        "embedding + Conv1D head",
        paper_name="XATGRN",
    ),
    MethodSpec(
        "xatgrn-paper-fusion",
        "XATGRN (paper) ablation: fusion module only (no graph embedding)",
        uses_graph=False,
        network={"mode": "fusion"},
    ),
    MethodSpec(
        "xatgrn-paper-graph",
        "XATGRN (paper) ablation: DUPLEX graph embedding only (no expression fusion)",
        network={"mode": "graph"},
    ),
    MethodSpec(
        "xatgrn-paper-tokens1",
        "XATGRN (paper) with one token per gene (the reference code's fusion, which cannot "
        "tell R from T)",
        network={"tokens": 1},
    ),
    _signed(
        "xatgrn-no-graph",
        "XATGRN (default) ablation: without the signed graph embedding",
        blocks=("fusion", "prior", "neighbour"),
    ),
    _signed(
        "xatgrn-no-fusion",
        "XATGRN (default) ablation: without the expression fusion",
        blocks=("prior", "neighbour", "graph"),
    ),
    _signed(
        "xatgrn-no-prior",
        "XATGRN (default) ablation: without the per-gene prior statistics",
        blocks=("fusion", "neighbour", "graph"),
    ),
    _signed(
        "xatgrn-no-neighbour",
        "XATGRN (default) ablation: without the neighbourhood co-expression evidence",
        blocks=("fusion", "prior", "graph"),
    ),
    _signed(
        "xatgrn-ensemble3",
        "XATGRN (default) with three boosters averaged (their own inner folds and seeds)",
        ensemble=3,
    ),
    _baseline(
        "cnngrn",
        "CNNGRN (Gao et al. 2023): CNN over expression + adjacency row/column, own entry masked",
        LazyFactory("xatgrn.baselines.cnngrn", "CNNGRN"),
        uses_edges=True,
        paper_name="CNNGRN",
    ),
    _baseline(
        "deepfgrn",
        "DeepFGRN (Gao et al. 2024): DGGAN source/target embeddings of the readable edges + "
        "residual classifier on the two expression profiles and their correlation",
        LazyFactory("xatgrn.baselines.deepfgrn", "DeepFGRN"),
        uses_edges=True,
        paper_name="DeepFGRN",
    ),
    _baseline(
        "dgcgrn",
        "DGCGRN (Wei et al. 2024): DGCN first/second-order directed graph convolution over "
        "the readable edges, expression as node features, 3-class pair head",
        LazyFactory("xatgrn.baselines.dgcgrn", "DGCGRN"),
        uses_edges=True,
        paper_name="DGCGRN",
    ),
    _baseline(
        "logreg",
        "logistic regression on [expression_R, expression_T, correlations] (reference)",
        LazyFactory("xatgrn.baselines.simple", "LogRegBaseline"),
    ),
    _baseline(
        "gbm",
        "gradient boosting on [expression_R, expression_T, correlations] (reference)",
        LazyFactory("xatgrn.baselines.simple", "GBMBaseline"),
    ),
    _baseline(
        "gbm-prior",
        "gradient boosting on [expression_R, expression_T, correlations] + cross-fitted "
        "per-gene prior statistics (the strong reference of issue 17)",
        LazyFactory("xatgrn.baselines.gbm_prior", "GBMPriorBaseline"),
        uses_edges=True,
    ),
    _baseline(
        "correlation",
        "calibrated correlation: P(edge) from |corr|, type from its sign (reference)",
        LazyFactory("xatgrn.baselines.simple", "CorrelationBaseline"),
    ),
    _baseline(
        "sign-prior",
        "per-regulator majority sign x P(edge | degrees) from the readable edges (shortcut)",
        LazyFactory("xatgrn.baselines.simple", "SignPriorBaseline"),
        uses_edges=True,
    ),
    _baseline(
        "svd-mlp",
        "MLP on a rank-32 SVD of the readable adjacency + expression stats (method.md §4)",
        LazyFactory("xatgrn.baselines.simple", "SVDMLPBaseline"),
        uses_edges=True,
    ),
)

_REGISTRY: dict[str, MethodSpec] = {spec.name: spec for spec in BUILTIN_METHODS}
#: read-only view of the registry: name -> spec
METHODS: Mapping[str, MethodSpec] = MappingProxyType(_REGISTRY)


def register_method(spec: MethodSpec, *, replace: bool = False) -> MethodSpec:
    """Add a method defined outside the package (built-ins are listed in BUILTIN_METHODS)."""
    if spec.name in _REGISTRY and not replace:
        raise input_error(
            f"method {spec.name!r} is already registered", fix="pick another name or replace=True"
        )
    _REGISTRY[spec.name] = spec
    return spec


def _persistent(spec: MethodSpec) -> bool:
    if isinstance(spec.factory, LazyFactory):
        # without importing it: a lazy factory of XATGRN's family saves (the tests check each)
        return spec.family == "xatgrn"
    return hasattr(spec.factory, "save")


def persistent_methods() -> list[str]:
    """Methods whose fitted model can be saved (``xatgrn fit --method``): XATGRN's family.

    Imports no estimator (the CLI reads it to parse ``--method``).
    """
    return [name for name, spec in _REGISTRY.items() if _persistent(spec)]


def list_methods() -> list[str]:
    """Registered method names, built-ins first, in their listed order."""
    return list(_REGISTRY)


def get_method(name: str) -> MethodSpec:
    """The spec of ``name``; unknown names get an error listing the valid ones."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise input_error(
            f"unknown method {name!r}", fix=f"use one of: {', '.join(_REGISTRY)}"
        ) from None


def configure(spec: MethodSpec, config: FitConfig) -> Any:
    """The method's configuration for a run whose shared settings are ``config`` (a copy).

    Factories with ``config_from`` build their own configuration from the shared settings
    (seed, device, preprocessing, negatives, ...) and ``spec.settings``; the others get
    ``config`` with the method's network overrides applied.
    """
    if hasattr(spec.factory, "config_from"):
        return spec.factory.config_from(config, **spec.settings)
    if not spec.network:
        return dataclasses.replace(config)
    return dataclasses.replace(
        config, network=dataclasses.replace(config.network, **dict(spec.network))
    )


def fit_predict(
    spec: MethodSpec,
    config: FitConfig,
    data: ValidatedData,
    pairs: pd.DataFrame,
    train_rows: np.ndarray,
    test_rows: np.ndarray,
    graph: np.ndarray | None,
    graph_edges: pd.DataFrame | None = None,
) -> tuple[np.ndarray, Any]:
    """The one runner: fit ``spec`` on ``pairs[train_rows]``, return test probabilities.

    ``graph`` is the ``[amplitude | phase]`` table of the genes in sorted-id order, passed to
    methods with ``uses_graph``; ``graph_edges`` the typed edges the protocol allows, passed to
    methods with ``uses_edges``. The estimator's own validation split of the training rows does
    model selection; the test rows are only predicted.
    """
    model = spec.factory(configure(spec, config))
    cols = ["regulator", "target", "label"]
    inputs: dict[str, Any] = {}
    if spec.uses_edges:
        if graph_edges is None:
            raise ValueError(f"method {spec.name!r} reads the prior: pass graph_edges")
        inputs["graph_edges"] = graph_edges
    if spec.uses_graph:
        inputs["graph"] = graph
    model.fit_pairs(data, pairs[cols], np.asarray(train_rows), **inputs)
    proba = model.predict_proba(pairs.iloc[np.asarray(test_rows)][["regulator", "target"]])
    return np.asarray(proba, dtype=np.float64), model
