"""The method registry: every evaluated method is *data* (metadata) driven by one runner.

A method is a :class:`MethodSpec`: a name, a description, whether it needs a graph embedding of
the (fold's) prior network, configuration overrides, and a factory that turns a
:class:`~xatgrn.model.estimator.FitConfig` into an estimator with the evaluation contract

* ``fit_pairs(expression, regulations, pairs, train_rows, graph=None) -> self`` (methods with
  ``uses_edges`` also get ``graph_edges=``: the typed prior edges the protocol lets them see) and
* ``predict_proba(pairs[["regulator", "target"]]) -> (n, 3)``.

:func:`fit_predict` is the one runner the cross-validation calls for every method, so a baseline
only has to register a spec (``register_method``) to appear in ``xatgrn cv --method`` and
``xatgrn benchmark --methods``. The ablations of the paper (fusion only, graph only) and the
reference's one-token fusion are XATGRN with different network settings.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from xatgrn.errors import input_error
from xatgrn.model.estimator import XATGRN, FitConfig

__all__ = [
    "METHODS",
    "MethodSpec",
    "configure",
    "fit_predict",
    "get_method",
    "list_methods",
    "register_method",
]


@dataclass(frozen=True)
class MethodSpec:
    """One evaluated method.

    Args:
        name: registry key (CLI choice), e.g. ``"xatgrn-fusion"``.
        description: one line for ``--help`` and reports.
        factory: ``FitConfig -> estimator`` (module-level, so it pickles for worker processes).
        uses_graph: the estimator consumes a DUPLEX embedding of the graph the protocol allows
            (training-fold edges, or the whole prior for ``transductive``); the runner computes
            it through the shared embedding cache and passes it as ``graph=``.
        network: overrides of :class:`~xatgrn.model.xatgrn.XATGRNConfig` (ablations).
        uses_edges: the estimator reads the prior network itself (adjacency features, message
            passing, its own graph embedding); the runner passes ``graph_edges=``, a
            ``regulator, target, label`` frame of the edges the protocol allows (training-fold
            edges, or every prior edge for ``transductive``). Nothing else of the prior may be used.
        paper_name: the row of the paper's Table 1 this method reproduces, if any.
        family: ``"xatgrn"`` or ``"baseline"``.
    """

    name: str
    description: str
    factory: Callable[[FitConfig], Any] = XATGRN
    uses_graph: bool = True
    network: Mapping[str, Any] = field(default_factory=dict)
    uses_edges: bool = False
    paper_name: str | None = None
    family: str = "xatgrn"

    def __post_init__(self) -> None:
        # a plain dict copy (picklable for worker processes; the caller's mapping is not shared)
        object.__setattr__(self, "network", dict(self.network))

    def to_dict(self) -> dict[str, Any]:
        """JSON-able description (written into every fold result)."""
        factory = f"{self.factory.__module__}.{self.factory.__qualname__}"
        # keys added after the first results are written only when set, so the task keys of
        # finished XATGRN folds stay valid (they hash this dict)
        extra: dict[str, Any] = {}
        if self.uses_edges:
            extra["uses_edges"] = True
        if hasattr(self.factory, "default_params"):  # baselines: their own hyper-parameters
            extra["params"] = self.factory.default_params()
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


_REGISTRY: dict[str, MethodSpec] = {}
#: read-only view of the registry: name -> spec
METHODS: Mapping[str, MethodSpec] = MappingProxyType(_REGISTRY)


def register_method(spec: MethodSpec, *, replace: bool = False) -> MethodSpec:
    """Add ``spec`` to the registry (baselines call this on import)."""
    if spec.name in _REGISTRY and not replace:
        raise input_error(
            f"method {spec.name!r} is already registered", fix="pick another name or replace=True"
        )
    _REGISTRY[spec.name] = spec
    return spec


def list_methods() -> list[str]:
    """Registered method names, in registration order."""
    return list(_REGISTRY)


def get_method(name: str) -> MethodSpec:
    """The spec of ``name``; unknown names get an error listing the valid ones."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise input_error(
            f"unknown method {name!r}", fix=f"use one of: {', '.join(_REGISTRY)}"
        ) from None


def configure(spec: MethodSpec, config: FitConfig) -> FitConfig:
    """``config`` with the method's network overrides applied (a copy; input unchanged)."""
    if not spec.network:
        return dataclasses.replace(config)
    return dataclasses.replace(
        config, network=dataclasses.replace(config.network, **dict(spec.network))
    )


def fit_predict(
    spec: MethodSpec,
    config: FitConfig,
    expression: pd.DataFrame,
    regulations: pd.DataFrame,
    pairs: pd.DataFrame,
    train_rows: np.ndarray,
    test_rows: np.ndarray,
    graph: np.ndarray | None,
    graph_edges: pd.DataFrame | None = None,
) -> tuple[np.ndarray, Any]:
    """The one runner: fit ``spec`` on ``pairs[train_rows]``, return test probabilities.

    ``graph`` is the ``[amplitude | phase]`` table of the genes in sorted-id order (``None`` for
    methods that do not use it); ``graph_edges`` the typed edges the protocol allows, passed to
    methods with ``uses_edges``. The estimator's own validation split of the training rows does
    model selection; the test rows are only predicted.
    """
    model = spec.factory(configure(spec, config))
    cols = ["regulator", "target", "label"]
    extra: dict[str, Any] = {}
    if spec.uses_edges:
        if graph_edges is None:
            raise ValueError(f"method {spec.name!r} reads the prior: pass graph_edges")
        extra["graph_edges"] = graph_edges
    model.fit_pairs(
        expression,
        regulations,
        pairs[cols],
        np.asarray(train_rows),
        graph=graph if spec.uses_graph else None,
        **extra,
    )
    proba = model.predict_proba(pairs.iloc[np.asarray(test_rows)][["regulator", "target"]])
    return np.asarray(proba, dtype=np.float64), model


# --- the built-in methods (data) ----------------------------------------------------------------
register_method(
    MethodSpec(
        "xatgrn",
        "XATGRN: cross-attention fusion of expression tokens + DUPLEX graph embedding",
        paper_name="XATGRN",
    )
)
register_method(
    MethodSpec(
        "xatgrn-fusion",
        "XATGRN ablation: fusion module only (no graph embedding)",
        uses_graph=False,
        network={"mode": "fusion"},
    )
)
register_method(
    MethodSpec(
        "xatgrn-graph",
        "XATGRN ablation: DUPLEX graph embedding only (no expression fusion)",
        network={"mode": "graph"},
    )
)
register_method(
    MethodSpec(
        "xatgrn-tokens1",
        "XATGRN with one token per gene (the reference code's fusion, which cannot tell R from T)",
        network={"tokens": 1},
    )
)


# the baselines register themselves on import (after the registry exists: no import cycle)
import xatgrn.baselines  # noqa: E402, F401
