"""xatgrn.evaluate: metrics, the cross-validation runner and reports.

Names are imported lazily (the estimator imports :mod:`xatgrn.evaluate.metrics`, and the runner
imports the estimator), so ``import xatgrn.evaluate`` stays cheap and cycle-free.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "classification_metrics": "metrics",
    "aggregate": "metrics",
    "CVConfig": "cv",
    "CVData": "cv",
    "Experiment": "cv",
    "EmbeddingCache": "cv",
    "PROTOCOLS": "cv",
    "benchmark_data": "cv",
    "cv_data": "cv",
    "files_data": "cv",
    "run_cv": "cv",
    "run_experiments": "cv",
    "METHODS": "methods",
    "MethodSpec": "methods",
    "get_method": "methods",
    "list_methods": "methods",
    "register_method": "methods",
    "write_report": "report",
    "summarise": "report",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
