"""One fold as a pure task, and its record: the fold file's content, path, writing and resuming.

A fold file ``<out>/<dataset>/<protocol>/<method>/rep{r}_fold{k}.json`` holds the fold's
config, seeds, versions, hardware, data checksums, what its graph embedding saw, metrics and
timings. It is written atomically (strict JSON: undefined metrics are ``null``) and carries the
experiment's task key, so a rerun skips finished folds of the same task only.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import os
import platform
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from xatgrn.core.metrics import classification_metrics
from xatgrn.data.schema import NONE
from xatgrn.errors import input_error
from xatgrn.evaluate.cache import EmbeddingCache
from xatgrn.evaluate.experiment import Experiment, fold_graph
from xatgrn.evaluate.protocols import (
    LEAK_NOTE,
    LEAKING_PROTOCOLS,
    derive_seed,
    pair_keys,
    readable_edges,
    repetition_pairs,
)
from xatgrn.methods import fit_predict
from xatgrn.utils import atomic_write, resolve_device

log = logging.getLogger(__name__)

__all__ = [
    "FOLD_FORMAT",
    "FOLD_FORMAT_VERSION",
    "check_resumable",
    "fold_path",
    "run_fold",
    "write_fold",
]

FOLD_FORMAT = "xatgrn.cv-fold"
FOLD_FORMAT_VERSION = 1


def fold_path(
    out: str | Path, dataset: str, protocol: str, method: str, rep: int, fold: int
) -> Path:
    """``<out>/<dataset>/<protocol>/<method>/rep{r}_fold{k}.json``."""
    return Path(out) / dataset / protocol / method / f"rep{rep}_fold{fold}.json"


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
    seed, gcfg, edges = fold_graph(exp, pairs, rep, fold, progress=verbose)
    t0 = time.perf_counter()
    embedder, key, computed = cache.get_or_fit(edges, exp.data.genes, gcfg)
    spent = time.perf_counter() - t0
    n = len(exp.data.genes)
    graph_keys = np.unique(edges[0] * n + edges[1])
    test = np.flatnonzero(pairs["fold"].to_numpy() == fold)
    test_keys = pair_keys(pairs, test, n)
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
        exp.data.validated,
        pairs,
        train_rows,
        test_rows,
        graph,
        readable_edges(exp.protocol, pairs, fold) if exp.method.uses_edges else None,
    )
    clf_s = time.perf_counter() - t0
    val_rows = getattr(getattr(model, "train_result_", None), "val_rows", None)
    leaks = exp.protocol in LEAKING_PROTOCOLS
    return {
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


def write_fold(path: str | Path, record: dict[str, Any]) -> None:
    """Write a fold record atomically: a failure leaves neither a partial nor a temporary file."""
    with atomic_write(path) as fh:
        json.dump(_finite(record), fh, indent=1, default=_json_default, allow_nan=False)
        fh.write("\n")


def check_resumable(path: Path, key: str) -> bool:
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
