"""Every method's CUDA path on a small dataset, against the same fold on the CPU (issue 18).

Prepared for a lent GPU machine; not run in CI (no GPU there). For each registered method:
one inductive fold (repetition 0, fold 0) of ``--dataset`` on ``cuda`` and on ``cpu`` (same
seeds), the fold's metrics side by side and their largest difference (target: <= 0.01); then
genome-scale scoring of the paper model on the GPU (pairs/s, target >= 1 M). The default model's
head is LightGBM, CPU-only: its row says so. Writes ``$OUT/cuda_paths.json``.

    OUT=results python benchmarks/device/cuda_paths.py --dataset ecoli_cold
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", default="ecoli_cold")
    ap.add_argument("--methods", default="all")
    args = ap.parse_args()

    import torch

    from xatgrn.evaluate.cache import EmbeddingCache
    from xatgrn.evaluate.data import benchmark_data
    from xatgrn.evaluate.experiment import Experiment
    from xatgrn.evaluate.folds import run_fold
    from xatgrn.evaluate.protocols import CVConfig
    from xatgrn.methods import METHODS, get_method
    from xatgrn.model.config import fast_profile

    out = Path(os.environ.get("OUT", "."))
    torch.set_num_threads(1)
    data = benchmark_data(args.dataset)
    names = list(METHODS) if args.methods == "all" else args.methods.split(",")
    rows = []
    for name in names:
        spec = get_method(name)
        row: dict = {"method": name}
        for device in ("cuda", "cpu"):
            exp = Experiment(data, spec, CVConfig(repeats=1, folds=5), fast_profile(device=device))
            t0 = time.perf_counter()
            rec = run_fold(exp, 0, 0, EmbeddingCache(None))
            row[device] = {
                "seconds": time.perf_counter() - t0,
                "ran_on": rec["hardware"]["device"],
                "metrics": rec["metrics"],
            }
        row["max_metric_difference"] = max(
            abs(row["cuda"]["metrics"][k] - row["cpu"]["metrics"][k]) for k in row["cpu"]["metrics"]
        )
        row["note"] = "CPU-only head (LightGBM)" if hasattr(spec.factory, "config_from") else ""
        rows.append(row)
        print(name, row["cuda"]["seconds"], row["cpu"]["seconds"], row["max_metric_difference"])

    from xatgrn.data.datasets import load_dataset
    from xatgrn.model.estimator import XATGRN

    ds = load_dataset("human_breast")
    cfg = dataclasses.replace(
        fast_profile(device="cuda", progress=False),
        preprocessing=ds.metadata["preprocessing"],
        n_negatives=int(ds.metadata["n_negatives"]),
    )
    model = XATGRN(cfg).fit(ds.expression, ds.regulations)
    model.net_.cuda()  # scoring follows the network's device
    n_pairs = model.prior_["regulator"].nunique() * len(model.genes_)
    t0 = time.perf_counter()
    model.predict_network(top=8772, batch_size=65536)
    secs = time.perf_counter() - t0
    result = {
        "dataset": args.dataset,
        "gpu": torch.cuda.get_device_name(0),
        "folds": rows,
        "scoring": {"pairs": n_pairs, "seconds": secs, "pairs_per_second": n_pairs / secs},
    }
    (out / "cuda_paths.json").write_text(json.dumps(result, indent=1, default=str))


if __name__ == "__main__":
    main()
