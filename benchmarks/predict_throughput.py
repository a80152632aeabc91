"""Genome-scale prediction throughput on CPU (issue 4).

Scores every candidate pair of the human_breast prior — its 756 regulators x 2,476 genes
(about 1.87 M pairs) — with a paper-sized XATGRN and reports pairs/second and peak memory.
Throughput does not depend on the learned weights, so the model is trained only briefly
(stated in the result); use ``--model DIR`` to time a fully fitted model instead.

    python benchmarks/predict_throughput.py [--model DIR] [--batch-size 8192] [--top 100000]
"""

from __future__ import annotations

import argparse
import dataclasses
import time

from _common import RESULTS, environment, markdown_table, peak_rss_mb, write_json

OUT = RESULTS / "predict_throughput"


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--dataset", default="human_breast")
    ap.add_argument("--model", default=None, help="a fitted model directory (default: brief fit)")
    ap.add_argument("--batch-size", type=int, default=8192)
    ap.add_argument("--top", type=int, default=None, help="keep only the top N (bounded memory)")
    ap.add_argument("--tag", default="default")
    ap.add_argument(
        "--stream",
        action="store_true",
        help="write the ranked TSV.gz with write_network (the CLI path) instead of a DataFrame",
    )
    args = ap.parse_args()

    from xatgrn.data.datasets import load_dataset
    from xatgrn.model.config import FitConfig
    from xatgrn.model.estimator import XATGRN

    if args.model:
        model, trained = XATGRN.load(args.model), "loaded"
    else:
        ds = load_dataset(args.dataset, preprocess=True)
        cfg = FitConfig(progress=False)
        cfg.graph = dataclasses.replace(cfg.graph, max_epochs=5)
        cfg.train = dataclasses.replace(cfg.train, epochs=1)
        model, trained = (
            XATGRN(cfg).fit(ds.expression, ds.regulations),
            "brief (5 graph / 1 classifier epochs)",
        )
    rss_before = peak_rss_mb()
    t0 = time.perf_counter()
    if args.stream:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            n_rows = model.write_network(
                f"{tmp}/network.tsv.gz", top=args.top, batch_size=args.batch_size
            )["n_selected"]
    else:
        n_rows = len(model.predict_network(top=args.top, batch_size=args.batch_size))
    secs = time.perf_counter() - t0
    n_reg = model.prior_["regulator"].nunique()
    n_pairs = n_reg * len(model.genes_)
    res = {
        "dataset": args.dataset,
        "regulators": n_reg,
        "genes": len(model.genes_),
        "pairs_scored": n_pairs,
        "rows_returned": n_rows,
        "output": "streamed TSV.gz (write_network)"
        if args.stream
        else "DataFrame (predict_network)",
        "seconds": round(secs, 2),
        "pairs_per_second": round(n_pairs / secs),
        "batch_size": args.batch_size,
        "top": args.top,
        "peak_rss_mb_before_predict": round(rss_before, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "model_training": trained,
        "environment": environment(),
    }
    write_json(OUT / f"{args.dataset}_{args.tag}.json", res)
    print(
        markdown_table(
            [res],
            [
                "dataset",
                "pairs_scored",
                "seconds",
                "pairs_per_second",
                "batch_size",
                "top",
                "peak_rss_mb_before_predict",
                "peak_rss_mb",
            ],
        )
    )


if __name__ == "__main__":
    main()
