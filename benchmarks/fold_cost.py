"""Cost of one inductive cross-validation fold on one CPU thread: the default model against the
paper's model (issue 18), on the same fold, in one run.

Runs repetition 0, fold 0 of the committed grid (same pairs, folds, seeds and task key as
``benchmarks/results/cv``) for each method, one at a time, with one torch / BLAS / LightGBM
thread and a fresh embedding cache (so the paper model's DUPLEX fit is timed too). Checks each
fold's metrics against the committed fold file of the same task (equal task key: the same
computation), and writes ``benchmarks/results/fold_cost/fold_cost.{json,md}``:

    python benchmarks/fold_cost.py --datasets ecoli_cold,human_covid --methods xatgrn-paper,xatgrn
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time

from _common import RESULTS, environment, markdown_table, write_json

OUT = RESULTS / "fold_cost"


def one_fold(dataset: str, method: str, cache_dir: str) -> dict:
    """Run rep 0 / fold 0 of ``method`` on ``dataset`` (inductive, fast profile)."""
    from xatgrn.evaluate.cache import EmbeddingCache
    from xatgrn.evaluate.data import benchmark_data
    from xatgrn.evaluate.experiment import Experiment
    from xatgrn.evaluate.folds import run_fold
    from xatgrn.evaluate.protocols import CVConfig
    from xatgrn.methods import get_method
    from xatgrn.model.config import fit_config

    exp = Experiment(
        data=benchmark_data(dataset),
        method=get_method(method),
        cv=CVConfig(protocol="inductive", repeats=2, folds=5, seed=0).check(),
        fit=fit_config("fast", progress=False),
    )
    t0 = time.perf_counter()
    record = run_fold(exp, 0, 0, EmbeddingCache(cache_dir))
    wall = time.perf_counter() - t0
    same, reference = None, None
    for root in ("reproduce", "cv"):  # the bit-for-bit reference set first, then the grid
        committed = RESULTS / root / dataset / "inductive" / method / "rep0_fold0.json"
        if committed.is_file():
            old = json.loads(committed.read_text())
            if old["task_key"] == record["task_key"]:
                same = old["metrics"] == json.loads(json.dumps(record["metrics"]))
                reference = f"benchmarks/results/{root}"
                break
    return {
        "dataset": dataset,
        "method": method,
        "wall_s": round(wall, 2),
        "embedding_s": round(record["timings"]["embedding_s"], 2),
        "classifier_s": round(record["timings"]["classifier_s"], 2),
        "auroc_macro_ovr": record["metrics"]["auroc_macro_ovr"],
        "f1": record["metrics"]["f1"],
        "task_key": record["task_key"],
        "equals_committed_fold": same,
        "committed_fold_in": reference,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", default="ecoli_cold,human_covid")
    ap.add_argument("--methods", default="xatgrn-paper,xatgrn")
    args = ap.parse_args()
    os.environ["OMP_NUM_THREADS"] = "1"
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(1)  # xatgrn.utils.current_threads (LightGBM's too) reads it
    # rows of earlier runs (other datasets / methods) are kept; this run's replace theirs
    previous = OUT / "fold_cost.json"
    kept = json.loads(previous.read_text())["folds"] if previous.is_file() else []
    rows = []
    with threadpool_limits(1), tempfile.TemporaryDirectory() as cache:
        for dataset in args.datasets.split(","):
            for method in args.methods.split(","):
                rows.append(one_fold(dataset, method, cache))
                print(json.dumps(rows[-1]), flush=True)
    done = {(r["dataset"], r["method"]) for r in rows}
    rows = [r for r in kept if (r["dataset"], r["method"]) not in done] + rows
    result = {
        "command": "python benchmarks/fold_cost.py "
        f"--datasets {args.datasets} --methods {args.methods}",
        "threads": 1,
        "folds": rows,
        "environment": environment(),
    }
    write_json(OUT / "fold_cost.json", result)
    cols = ["dataset", "method", "wall_s", "embedding_s", "classifier_s", "auroc_macro_ovr"]
    cols += ["equals_committed_fold", "committed_fold_in"]
    table = markdown_table(rows, cols)
    (OUT / "fold_cost.md").write_text(
        "# One inductive fold (rep 0, fold 0), one CPU thread\n\n"
        f"`{result['command']}`\n\n{table}\n"
    )


if __name__ == "__main__":
    main()
