"""The cross-validation runner: plan a grid's unfinished folds, run them, write their files.

Each (dataset, protocol, method, repetition, fold) is a pure task: given the data it recomputes
its pairs from seeds, fits, and returns a JSON-able record; the driver writes
``<out>/<dataset>/<protocol>/<method>/rep{r}_fold{k}.json`` atomically as results arrive, so a
rerun skips finished folds and Ctrl-C loses at most the folds that were running. Graph
embeddings are content-addressed (:class:`~xatgrn.evaluate.cache.EmbeddingCache`): computed
once per unique (edge set, gene universe, graph config, seed) — first, as their own tasks, when
folds run in parallel — then loaded by every fold, dataset and method that needs them.
Executors: serial (default), ``workers=N`` processes (spawn context, one torch thread each), or
Dask (``dask=`` address, ``"local"`` or a ``Client``; a client passed in is never closed).
Results are identical whatever the executor.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from xatgrn.evaluate.cache import EmbeddingCache
from xatgrn.evaluate.data import CVData
from xatgrn.evaluate.executors import Executor, task_env
from xatgrn.evaluate.experiment import Experiment, fold_graph
from xatgrn.evaluate.folds import check_resumable, fold_path, run_fold, write_fold
from xatgrn.evaluate.protocols import CVConfig, repetition_pairs
from xatgrn.methods import MethodSpec, get_method
from xatgrn.model.config import FitConfig

log = logging.getLogger(__name__)

__all__ = ["run_cv", "run_experiments"]


# --- task functions (module level: they pickle to worker processes and Dask) --------------------


def _embed_task(payload: dict[str, Any], shared: dict[str, Any]) -> str:
    """Phase 1: fit one embedding and store it in the cache."""
    with task_env(payload["threads"]):
        cache = EmbeddingCache(payload["cache"])
        if not cache.has(payload["key"]):
            cache.fit(payload["edges"], payload["genes"], payload["config"], payload["key"])
    return payload["key"]


def _fold_task(payload: dict[str, Any], shared: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Phase 2: run one fold; the record goes back to the driver, which writes it."""
    exp = shared[payload["experiment"]]
    with task_env(payload["threads"]):
        record = run_fold(
            exp,
            payload["rep"],
            payload["fold"],
            EmbeddingCache(payload["cache"]),
            payload["verbose"],
        )
    return payload["path"], record


# --- the runner ---------------------------------------------------------------------------------


def _cache_root(out: Path, cache: str | Path | bool | None) -> Path | None:
    if cache is True:
        return out / "cache" / "embeddings"
    if cache in (None, False):
        return None
    return Path(cache)


def _log_fold(record: dict[str, Any]) -> None:
    m = record["metrics"]
    log.info(
        "%s %s %s rep %d fold %d: AUROC(macro-OvR) %.3f F1 %.3f (%.1f s)",
        record["dataset"],
        record["protocol"],
        record["method"],
        record["repetition"],
        record["fold"],
        m["auroc_macro_ovr"],
        m["f1"],
        record["timings"]["total_s"],
    )


def run_experiments(
    experiments: Iterable[Experiment],
    out: str | Path,
    *,
    workers: int = 1,
    dask: Any = None,
    cache: str | Path | bool | None = True,
    threads: int | None = None,
    force: bool = False,
    progress_bar: bool = True,
    verbose: bool = False,
    report: bool = True,
    paper_table: str | Path | None = None,
    data_dir: str | Path | None = None,
) -> dict[str, Any]:
    """Run every unfinished fold of ``experiments``; write fold files, then the report.

    Args:
        experiments: the grid cells (see :class:`~xatgrn.evaluate.experiment.Experiment`).
        out: output folder (fold files, ``cache/embeddings/``, results and tables).
        workers: processes (``1`` = serial, in this process).
        dask: a ``dask.distributed.Client`` (never closed here), a scheduler address, or
            ``"local"`` (a LocalCluster started and closed here, ``workers`` processes).
        cache: the embedding cache folder; ``True`` = ``<out>/cache/embeddings``; ``None`` /
            ``False`` = no cache (each fold fits its own embedding).
        threads: torch threads per task (default: untouched when serial, 1 otherwise).
        force: recompute finished folds too.
        progress_bar: a bar over tasks; ``verbose`` also shows per-fold training bars
            (serial only).
        report: write the results JSON / Markdown / PNG
            (:func:`xatgrn.evaluate.report.write_cv_report`).

    Returns:
        ``{"computed": [...paths], "skipped": [...paths], "embeddings": n, "report": {...}}``.
    """
    out = Path(out)
    experiments = list(experiments)
    parallel = workers > 1 or dask is not None
    if threads is None and parallel:
        threads = 1
    cache_root = _cache_root(out, cache)
    store = EmbeddingCache(cache_root)
    shared: dict[str, Experiment] = {}
    fold_payloads: list[dict[str, Any]] = []
    embed_payloads: dict[str, dict[str, Any]] = {}
    skipped: list[str] = []
    for i, exp in enumerate(experiments):
        exp.cv.check()
        shared[str(i)] = exp
        key = exp.task_key()
        for rep in range(exp.cv.repeats):
            pairs = None
            for fold in range(exp.cv.folds):
                path = fold_path(out, exp.data.name, exp.protocol, exp.method.name, rep, fold)
                if not force and check_resumable(path, key):
                    skipped.append(str(path))
                    continue
                fold_payloads.append(
                    {
                        "experiment": str(i),
                        "rep": rep,
                        "fold": fold,
                        "path": str(path),
                        "cache": cache_root,
                        "threads": threads,
                        "verbose": verbose and not parallel,
                    }
                )
                if not exp.method.uses_graph or cache_root is None:
                    continue
                pairs = repetition_pairs(exp.data, exp.cv, rep) if pairs is None else pairs
                _, gcfg, edges = fold_graph(
                    exp, pairs, rep, fold, progress=verbose and not parallel
                )
                gkey = store.key(edges, exp.data.genes, gcfg)
                if gkey not in embed_payloads and not store.has(gkey):
                    embed_payloads[gkey] = {
                        "key": gkey,
                        "edges": edges,
                        "genes": list(exp.data.genes),
                        "config": gcfg,
                        "cache": cache_root,
                        "threads": threads,
                    }
    if skipped:
        log.info("resuming: %d finished fold(s) skipped", len(skipped))
    log.info(
        "%d fold(s) to run, %d graph embedding(s) to fit%s",
        len(fold_payloads),
        len(embed_payloads),
        " first" if parallel else " as their folds come",
    )
    computed: list[str] = []

    def write(result: tuple[str, dict[str, Any]]) -> None:
        path, record = result
        write_fold(path, record)
        computed.append(path)
        _log_fold(record)

    # In parallel, phase 1 fits each missing embedding once (two concurrent folds sharing one
    # would both fit it); phase 2 runs the folds, which load them. Serially there is no such
    # race, so each fold fits (and caches) its own embedding when it comes: fold files appear
    # from the first fold on instead of after every embedding of the run.
    executor = Executor(shared, workers=workers, dask=dask)
    try:
        if parallel:
            executor.map(
                _embed_task,
                list(embed_payloads.values()),
                lambda _: None,
                desc="graph embeddings",
                show=progress_bar,
            )
        executor.map(_fold_task, fold_payloads, write, desc="folds", show=progress_bar)
    finally:
        executor.close()
    result: dict[str, Any] = {
        "computed": sorted(computed),
        "skipped": skipped,
        "embeddings": len(embed_payloads),
    }
    if report:
        from xatgrn.evaluate.report import write_cv_report

        first = next(iter(experiments), None)
        data_dir = data_dir or (first.data.source.get("data_dir") if first is not None else None)
        result["report"] = write_cv_report(out, paper_table=paper_table, data_dir=data_dir)
    return result


def run_cv(
    data: CVData,
    out: str | Path,
    *,
    method: str | MethodSpec = "xatgrn",
    cv: CVConfig | None = None,
    config: FitConfig | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """Cross-validate one method on one dataset (see :func:`run_experiments` for ``kwargs``).

    Example::

        data = benchmark_data("ecoli_cold")
        cv = CVConfig(protocol="inductive", repeats=2)
        run_cv(data, "results/", cv=cv, config=fast_profile())
    """
    spec = get_method(method) if isinstance(method, str) else method
    exp = Experiment(data, spec, (cv or CVConfig()).check(), config or FitConfig())
    return run_experiments([exp], out, **kwargs)
