"""Genome-scale scoring with the default model: pairs/s, peak memory, FLOPs, Dask speed-up
(issue 18).

Fits the default model once (``xatgrn``, held-out 20 %) and scores a candidate set:

* ``--data human_breast`` — its 756 regulators x 2,476 genes (1.87 M pairs), top 8,772 kept;
* ``--data large`` — a simulated 5,000-gene network, every gene as a regulator (25 M pairs, a
  CollecTRI-sized candidate set), streamed to a TSV.gz with the top 1 M pairs kept.

Each run is one JSON under ``benchmarks/results/scoring/`` (pairs/s, peak RSS before and after
scoring, threads, Dask workers, the feature FLOPs per pair and the share of this machine's
measured float32 matmul peak that they reach):

    OMP_NUM_THREADS=1 python benchmarks/scoring.py --data human_breast --threads 1
    python benchmarks/scoring.py --data human_breast --threads 2
    python benchmarks/scoring.py --data human_breast --threads 1 --dask 2
    OMP_NUM_THREADS=1 python benchmarks/scoring.py --data large --threads 1

Each run scores the same fitted model once per ``--compile`` mode (default ``no,auto``: LightGBM,
then the boosters compiled to native code, compiling included in the time) and checks that
every mode wrote the same file.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np
from _common import RESULTS, environment, markdown_table, peak_rss_mb, write_json

OUT = RESULTS / "scoring"


def matmul_peak_gflops(threads: int, n: int = 1024, repeats: int = 5) -> float:
    """Measured float32 GEMM rate of this machine (numpy/BLAS) with ``threads`` threads."""
    from threadpoolctl import threadpool_limits

    a = np.random.default_rng(0).standard_normal((n, n)).astype(np.float32)
    with threadpool_limits(threads):
        a @ a
        t0 = time.perf_counter()
        for _ in range(repeats):
            a @ a
        secs = (time.perf_counter() - t0) / repeats
    return 2 * n**3 / secs / 1e9


def feature_flops(model) -> dict[str, int]:
    """Floating-point operations per scored pair, by feature block (trees: comparisons only)."""
    s = model.tables_.z.shape[1]
    k = model.evidence_.u.shape[1]
    blocks = sum(b.shape[1] for b in model.tables_.blocks)
    return {
        "fusion": 2 * s * 2 + 2 * blocks + 8 * len(model.tables_.blocks),
        "neighbour": 4 * 2 * s,
        "graph": 4 * 2 * k + 2 * (8 * k),  # 4 real dot products, 2 complex weighted sums
        "trees": 0,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", choices=["human_breast", "large"], default="human_breast")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--dask", type=int, default=0, help="LocalCluster workers (1 thread each)")
    ap.add_argument(
        "--compile",
        default="no,auto",
        help="compile_trees modes to run one after the other on the same fitted model "
        "(before/after: 'no' is LightGBM, 'auto'/'yes' the native build)",
    )
    args = ap.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    from xatgrn.data.datasets import load_dataset
    from xatgrn.data.synthetic import simulate
    from xatgrn.model.signed import SignedConfig, SignedXATGRN

    if args.data == "human_breast":
        ds = load_dataset("human_breast")
        cfg = SignedConfig(
            n_negatives=int(ds.metadata["n_negatives"]),
            preprocessing=ds.metadata["preprocessing"],
            holdout=0.2,
            progress=False,
        )
        regulators, top = None, 8772
    else:
        ds = simulate(n_genes=5000, n_samples=100, seed=0)
        cfg = SignedConfig(holdout=0.2, progress=False)
        regulators, top = list(ds.expression.index), 1_000_000
    t0 = time.perf_counter()
    model = SignedXATGRN(cfg).fit(ds.expression, ds.regulations)
    fit_s = time.perf_counter() - t0
    n_reg = len(set(regulators or model.prior_["regulator"]))
    n_pairs = n_reg * len(model.genes_)

    client = cluster = None
    if args.dask:
        from distributed import Client, LocalCluster

        cluster = LocalCluster(n_workers=args.dask, threads_per_worker=1, processes=True)
        client = Client(cluster)
    runs, files = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for mode in args.compile.split(","):  # before / after, same fitted model, same process
            rss_before = peak_rss_mb()
            path = os.path.join(tmp, f"network_{mode}.tsv.gz")
            t0 = time.perf_counter()
            selected = model.write_network(
                path, regulators, top=top, client=client, compile_trees=mode
            )
            secs = time.perf_counter() - t0
            compiled = getattr(model, "_compiled", None)
            runs.append(
                {
                    "compile_trees": mode,
                    "compiled": None  # built on the workers
                    if args.dask
                    else (mode != "no" and compiled is not None and not compiled.failed),
                    "compile_seconds": None
                    if compiled is None or mode == "no" or args.dask
                    else round(compiled.compile_seconds, 1),
                    "seconds": round(secs, 1),
                    "pairs_per_second": round(n_pairs / secs),
                    "peak_rss_mb_before_scoring": round(rss_before),
                    "peak_rss_mb": round(peak_rss_mb()),
                    "kept": selected["n_selected"],
                }
            )
            files[mode] = _decompressed(path)
            model.__dict__.pop("_compiled", None)  # each mode builds (or not) from scratch
    if client is not None:
        client.close()
        cluster.close()
    flops = feature_flops(model)
    per_pair = sum(flops.values())
    peak = matmul_peak_gflops(max(args.threads, args.dask))
    best = max(runs, key=lambda r: r["pairs_per_second"])
    res = {
        "data": args.data,
        "pairs_scored": n_pairs,
        "threads": args.threads,
        "dask_workers": args.dask,
        "fit_seconds": round(fit_s, 1),
        "runs": runs,
        "same_file_every_mode": len({hash(f) for f in files.values()}) == 1,
        "feature_flops_per_pair": flops,
        "boosters": len(model.boosters_),
        "trees_per_pair": int(3 * sum(model.best_rounds_)),
        "gflops_achieved": round(per_pair * best["pairs_per_second"] / 1e9, 3),
        "matmul_peak_gflops": round(peak, 1),
        "peak_fraction": round(per_pair * best["pairs_per_second"] / 1e9 / peak, 5),
        "environment": environment(),
    }
    tag = f"{args.data}_t{args.threads}" + (f"_dask{args.dask}" if args.dask else "")
    write_json(OUT / f"{tag}.json", res)
    print(
        markdown_table(
            [
                {**{k: res[k] for k in ("data", "pairs_scored", "threads", "dask_workers")}, **r}
                for r in runs
            ],
            [
                "data",
                "pairs_scored",
                "threads",
                "dask_workers",
                "compile_trees",
                "compiled",
                "compile_seconds",
                "seconds",
                "pairs_per_second",
                "peak_rss_mb",
            ],
        )
    )
    print(f"same file in every mode: {res['same_file_every_mode']}")


def _decompressed(path: str) -> bytes:
    import gzip

    with gzip.open(path, "rb") as fh:
        return fh.read()


if __name__ == "__main__":
    main()
