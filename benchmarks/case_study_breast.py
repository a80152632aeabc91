"""The paper's breast-cancer case study, reproduced and extended (issue 8).

Stage ``infer`` (resumable; one folder per dataset and seed): fit XATGRN on a human dataset with a
20 % held-out split of its labelled pairs (the selection curve), then score every candidate pair
(the prior's regulators x every gene) and keep the paper's network size (top 8,772 by score) —
the rule and its held-out precision go into the network's ``.meta.json``.

Stage ``analyze``: hubs, degree skew and DSigDB drug enrichment of every network with
:mod:`xatgrn.analysis`, the comparison with the paper (hub and drug overlap, network size), the
stability of hub / drug lists across seeds, and what differs between the four human datasets
(same prior, different expression). Outputs under ``benchmarks/results/case_study_breast/``.

    OMP_NUM_THREADS=1 python benchmarks/case_study_breast.py --stage infer --seeds 0,1,2
    (``--method xatgrn`` — the default — or ``xatgrn-paper``, the first published run)
    OMP_NUM_THREADS=1 python benchmarks/case_study_breast.py --stage infer --seeds 0 \
        --datasets human_covid,human_liver,human_lung
    python benchmarks/case_study_breast.py --stage analyze
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import time
from pathlib import Path

from _common import RESULTS, environment, peak_rss_mb, write_json

OUT = RESULTS / "case_study_breast"
#: the paper's case study (XATGRN, section "Case study"; method.md section 5)
PAPER = {
    "n_genes": 2478,
    "n_relationships": 8772,
    "hubs": ["RELA", "NFKB1", "SP1", "MYC", "JUN", "TP53", "STAT3", "CDKN1A", "HIF1A", "FOS"],
    "drugs": [
        "capsaicin",
        "ritonavir",
        "N-acetyl-L-cysteine",
        "andrographolide",
        "PD 98059",
        "hyperbaric oxygen",
        "curcumin",
    ],
}


def infer_one(
    name: str, seed: int, top_k: int, profile: str, scratch: Path, method: str, out: Path
) -> dict:
    """Fit ``method`` on ``name`` with ``seed``; write the top-k network; return the record."""
    from xatgrn.data.datasets import load_dataset
    from xatgrn.methods import configure, get_method
    from xatgrn.model.config import FIT_PROFILES

    run_dir = out / "networks"
    net_path = run_dir / f"{name}_seed{seed}.tsv.gz"
    rec_path = run_dir / f"{name}_seed{seed}.json"
    if rec_path.is_file() and net_path.is_file():
        logging.info("%s seed %d: done, skipped", name, seed)
        return json.loads(rec_path.read_text())
    ds = load_dataset(name)
    cfg = dataclasses.replace(
        FIT_PROFILES[profile](),
        n_negatives=int(ds.metadata["n_negatives"]),
        preprocessing=ds.metadata["preprocessing"],
        holdout=0.2,
        seed=seed,
        progress=False,
    )
    spec = get_method(method)
    t0 = time.perf_counter()
    model = spec.factory(configure(spec, cfg)).fit(ds.expression, ds.regulations)
    fit_s = time.perf_counter() - t0
    model.save(scratch / f"{method}_{name}_seed{seed}", overwrite=True)
    rule = model.selection(top=top_k)
    meta = {
        "dataset": name,
        "seed": seed,
        "method": method,
        "profile": profile,
        "selection": rule,
    }
    t1 = time.perf_counter()
    selected = model.write_network(net_path, top=top_k, metadata=meta)
    n = selected["n_selected"]
    predict_s = time.perf_counter() - t1
    record = {
        "dataset": name,
        "seed": seed,
        "method": method,
        "profile": profile,
        "top_k": top_k,
        "n_edges_written": n,
        "n_genes": len(model.genes_),
        "n_prior_edges": len(model.prior_),
        "holdout_metrics": model.holdout_metrics_,
        "selection": {**meta, **selected},
        "seconds": {"fit": fit_s, "predict": predict_s},
        "peak_rss_mb": peak_rss_mb(),
        "environment": environment(),
    }
    write_json(rec_path, record)
    logging.info(
        "%s seed %d: AUROC %.3f, %d edges, fit %.0f s, predict %.0f s",
        name,
        seed,
        model.holdout_metrics_["auroc_macro_ovr"],
        n,
        fit_s,
        predict_s,
    )
    return record


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--stage", choices=["infer", "analyze", "all"], default="all")
    p.add_argument("--datasets", default="human_breast")
    p.add_argument("--seeds", default="0")
    p.add_argument("--top-k", type=int, default=PAPER["n_relationships"])
    p.add_argument("--profile", default="fast", help="the paper model's profile")
    p.add_argument(
        "--method",
        default="xatgrn",
        help="xatgrn (the default model; results under case_study_breast/xatgrn/) or "
        "xatgrn-paper (results in case_study_breast/ itself, as first published)",
    )
    p.add_argument("--scratch", default="scratch/case_study_models")
    args = p.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    names = [d.strip() for d in args.datasets.split(",") if d.strip()]
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    out = OUT if args.method == "xatgrn-paper" else OUT / args.method
    if args.stage in ("infer", "all"):
        for name in names:
            for seed in seeds:
                infer_one(
                    name, seed, args.top_k, args.profile, Path(args.scratch), args.method, out
                )
    if args.stage in ("analyze", "all"):
        from case_study_analysis import analyze_all

        analyze_all(out, PAPER)


if __name__ == "__main__":
    main()
