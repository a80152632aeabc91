"""Every method's CUDA path on a small dataset, against the same fold on the CPU (issue 18).

Prepared for a lent GPU machine; not run in CI (no GPU there). For each registered method:
one inductive fold (repetition 0, fold 0) of ``--dataset`` on ``cuda`` and on ``cpu`` (same
seeds), the fold's metrics side by side and their largest difference (target: <= 0.01); then
genome-scale scoring of the paper model on the GPU (pairs/s, target >= 1 M). The default model's
head is LightGBM, CPU-only: its row says so. Writes ``$OUT/cuda_paths.json``.

    OUT=results python benchmarks/device/cuda_paths.py --dataset ecoli_cold

Dry run without a GPU (checks the script, not CUDA; what the CPU-only sessions ran):

    OUT=/tmp python benchmarks/device/cuda_paths.py --devices cpu --methods gbm,xatgrn \
        --scoring-dataset none
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import time
from pathlib import Path

import pandas as pd


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", default="ecoli_cold")
    ap.add_argument("--methods", default="all")
    ap.add_argument("--devices", default="cuda,cpu", help="first one scores; 'cpu' dry-runs")
    ap.add_argument("--scoring-pairs", type=int, default=0, help="score only about this many pairs")
    ap.add_argument(
        "--scoring-dataset", default="human_breast", help="'none' skips the scoring part"
    )
    args = ap.parse_args()
    devices = args.devices.split(",")

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
        for device in devices:
            exp = Experiment(data, spec, CVConfig(repeats=1, folds=5), fast_profile(device=device))
            t0 = time.perf_counter()
            rec = run_fold(exp, 0, 0, EmbeddingCache(None))
            row[device] = {
                "seconds": time.perf_counter() - t0,
                "ran_on": rec["hardware"]["device"],
                "metrics": rec["metrics"],
            }
        if "cuda" in row and "cpu" in row:
            row["max_metric_difference"] = max(
                abs(row["cuda"]["metrics"][k] - row["cpu"]["metrics"][k])
                for k in row["cpu"]["metrics"]
            )
        row["note"] = "CPU-only head (LightGBM)" if hasattr(spec.factory, "config_from") else ""
        rows.append(row)
        print(
            name,
            {d: round(row[d]["seconds"], 1) for d in devices},
            row.get("max_metric_difference"),
        )

    from xatgrn.data.datasets import load_dataset
    from xatgrn.model.estimator import XATGRN

    result = {
        "dataset": args.dataset,
        "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        "devices": devices,
        "folds": rows,
    }
    if args.scoring_dataset == "none":
        (out / "cuda_paths.json").write_text(json.dumps(result, indent=1, default=str))
        return
    ds = load_dataset(args.scoring_dataset)
    cfg = dataclasses.replace(
        fast_profile(device=devices[0], progress=False),
        preprocessing=ds.metadata["preprocessing"],
        n_negatives=int(ds.metadata["n_negatives"]),
    )
    model = XATGRN(cfg).fit(ds.expression, ds.regulations)
    model.net_.to(devices[0])  # scoring follows the network's device
    regulators = pd.unique(model.prior_["regulator"])
    if args.scoring_pairs:
        regulators = regulators[: max(1, args.scoring_pairs // len(model.genes_))]
    n_pairs = len(regulators) * len(model.genes_)
    t0 = time.perf_counter()
    model.predict_network(regulators, top=8772, batch_size=65536)
    secs = time.perf_counter() - t0
    result["scoring"] = {"pairs": n_pairs, "seconds": secs, "pairs_per_second": n_pairs / secs}
    (out / "cuda_paths.json").write_text(json.dumps(result, indent=1, default=str))


if __name__ == "__main__":
    main()
