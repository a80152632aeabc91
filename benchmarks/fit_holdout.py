"""Held-out quality of `XATGRN.fit` on benchmark datasets (issue 4).

A stratified 20 % of the labelled pairs (prior edges + the dataset's reference number of sampled
non-edges) is held out; held-out edges never reach the graph embedding or the classifier. The
expression uses the dataset's reference preprocessing. One JSON per (dataset, profile, seed)
under ``benchmarks/results/fit_holdout/``; reruns skip finished ones; a Markdown table is
rewritten from all result files.

    python benchmarks/fit_holdout.py --datasets ecoli_cold,human_covid --profile paper --seeds 0
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time

from _common import RESULTS, environment, markdown_table, peak_rss_mb, write_json

OUT = RESULTS / "fit_holdout"


def run_one(name: str, profile: str, seed: int, holdout: float) -> dict:
    from xatgrn.data.datasets import load_dataset
    from xatgrn.model.config import FIT_PROFILES
    from xatgrn.model.estimator import XATGRN

    ds = load_dataset(name)
    spec = ds.metadata
    cfg = dataclasses.replace(
        FIT_PROFILES[profile](),
        n_negatives=int(spec["n_negatives"]),
        preprocessing=spec["preprocessing"],
        holdout=holdout,
        seed=seed,
        progress=False,
    )
    t0 = time.perf_counter()
    model = XATGRN(cfg).fit(ds.expression, ds.regulations)
    total = time.perf_counter() - t0
    emb = model.embedder_
    return {
        "dataset": name,
        "profile": profile,
        "seed": seed,
        "holdout": holdout,
        "n_pairs": len(model.pairs_),
        "n_holdout": int((model.pairs_["split"] == "holdout").sum()),
        "metrics": model.holdout_metrics_,
        "seconds": {
            "total": round(total, 2),
            "graph_embedding": round(emb.fit_seconds_, 2) if emb is not None else 0.0,
            "graph_epochs": emb.n_epochs_ if emb is not None else 0,
            "classifier": round(model.train_result_.seconds, 2),
            "classifier_epochs": len(model.train_result_.history),
        },
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "config": cfg.to_dict(),
        "environment": environment(),
    }


def table() -> str:
    rows = []
    for f in sorted(OUT.glob("*.json")):
        r = json.loads(f.read_text())
        m, s = r["metrics"], r["seconds"]
        rows.append(
            {
                "dataset": r["dataset"],
                "profile": r["profile"],
                "seed": r["seed"],
                "held-out pairs": r["n_holdout"],
                "AUROC macro-OvR": m["auroc_macro_ovr"],
                "AUROC OvO": m["auroc_ovo"],
                "F1 (weighted)": m["f1"],
                "MCC": m["mcc"],
                "accuracy": m["accuracy"],
                "fit s": s["total"],
                "graph s (epochs)": f"{s['graph_embedding']:.0f} ({s['graph_epochs']})",
                "classifier s (epochs)": f"{s['classifier']:.0f} ({s['classifier_epochs']})",
            }
        )
    cols = list(rows[0]) if rows else []
    return markdown_table(rows, cols)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--datasets", default="ecoli_cold,human_covid")
    ap.add_argument("--profile", default="paper", choices=["paper", "fast"])
    ap.add_argument("--seeds", default="0")
    ap.add_argument("--holdout", type=float, default=0.2)
    args = ap.parse_args()
    for name in args.datasets.split(","):
        for seed in (int(s) for s in args.seeds.split(",")):
            path = OUT / f"{name}_{args.profile}_seed{seed}.json"
            if path.exists():
                print(f"skip {path.name} (done)")
                continue
            res = run_one(name, args.profile, seed, args.holdout)
            write_json(path, res)
            m = res["metrics"]
            print(
                f"{name} {args.profile} seed {seed}: AUROC {m['auroc_macro_ovr']:.3f} "
                f"F1 {m['f1']:.3f} MCC {m['mcc']:.3f} in {res['seconds']['total']:.0f} s",
                flush=True,
            )
    (OUT / "table.md").write_text(table())
    print(table())


if __name__ == "__main__":
    main()
