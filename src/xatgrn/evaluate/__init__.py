"""xatgrn.evaluate: the cross-validation protocols, runner and reports.

Metrics live in :mod:`xatgrn.core.metrics`, the method registry in :mod:`xatgrn.methods`.

Names are imported lazily (the runner imports the estimators and torch), so
``import xatgrn.evaluate`` stays cheap and cycle-free.
"""

from __future__ import annotations

from xatgrn.utils import lazy_exports

_EXPORTS = {
    "CVConfig": "protocols",
    "PROTOCOLS": "protocols",
    "LEAKING_PROTOCOLS": "protocols",
    "readable_edges": "protocols",
    "repetition_pairs": "protocols",
    "CVData": "data",
    "benchmark_data": "data",
    "cv_data": "data",
    "files_data": "data",
    "EmbeddingCache": "cache",
    "Experiment": "experiment",
    "fold_graph": "experiment",
    "run_fold": "folds",
    "run_cv": "runner",
    "run_experiments": "runner",
    "write_cv_report": "report",
    "summarise": "report",
}

__all__ = sorted(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)
