"""Where the default model's time goes: one CV fold and genome-scale scoring, one CPU thread
(issue 18: "profile first").

* fold: ``fit_pairs`` on repetition 0 / fold 0's training pairs of ``--dataset`` (inductive),
  under cProfile; the table groups the cumulative time of the model's stages (signed graph
  embedding, per-gene evidence, cross-fitted features, boosting, prediction).
* scoring: ``--pairs`` candidate pairs of the fitted ``fit`` model (8 members), in the order
  ``predict`` scores them (regulator by regulator, every target), split into feature
  computation and tree evaluation, by LightGBM and by the boosters' native build
  (:mod:`xatgrn.model.compiled_trees`; compiling timed apart).

    OMP_NUM_THREADS=1 python benchmarks/profile_default.py --dataset ecoli_cold
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import time

import numpy as np
from _common import RESULTS, environment, markdown_table, write_json

OUT = RESULTS / "profile"
#: stage -> the function whose cumulative time is the stage's
STAGES = {
    "expression tables (principal-axis tokens, standardised profiles)": "build",
    "per-gene evidence of the readable edges, all (incl. the two below)": "_evidence",
    "  signed SVD": "_signed_svd",
    "  Hermitian eigenvectors": "_hermitian_eig",
    "pair features (all blocks)": "_features",
    "LightGBM training": "train",
    "LightGBM prediction": "predict",
}


def _cumulative(stats: pstats.Stats, name: str) -> float:
    return sum(v[3] for (_, _, fn), v in stats.stats.items() if fn == name)


def profile_fold(dataset: str) -> list[dict]:
    from xatgrn.evaluate.data import benchmark_data
    from xatgrn.evaluate.experiment import Experiment
    from xatgrn.evaluate.protocols import CVConfig, readable_edges, repetition_pairs
    from xatgrn.methods import get_method
    from xatgrn.model.config import fit_config

    exp = Experiment(
        data=benchmark_data(dataset),
        method=get_method("xatgrn"),
        cv=CVConfig(protocol="inductive", repeats=2, folds=5, seed=0).check(),
        fit=fit_config("fast", progress=False),
    )
    cfg = exp.fit_config()
    pairs = repetition_pairs(exp.data, exp.cv, 0)
    folds = pairs["fold"].to_numpy()
    train, test = np.flatnonzero(folds != 0), np.flatnonzero(folds == 0)
    model = exp.method.factory(cfg)
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    model.fit_pairs(
        exp.data.validated,
        pairs[["regulator", "target", "label"]],
        train,
        graph_edges=readable_edges("inductive", pairs, 0),
    )
    model.predict_proba(pairs.iloc[test][["regulator", "target"]])
    prof.disable()
    total = time.perf_counter() - t0
    stats = pstats.Stats(prof)
    rows = [{"stage": "fold total (fit_pairs + predict)", "seconds": round(total, 2), "share": 1.0}]
    for stage, fn in STAGES.items():
        s = _cumulative(stats, fn)
        rows.append({"stage": stage, "seconds": round(s, 2), "share": round(s / total, 3)})
    return rows


def profile_scoring(dataset: str, n_pairs: int) -> list[dict]:
    from xatgrn.data.datasets import load_dataset
    from xatgrn.model.compiled_trees import CompiledBoosters
    from xatgrn.model.signed import SignedConfig, SignedXATGRN

    ds = load_dataset(dataset)
    cfg = SignedConfig(
        n_negatives=int(ds.metadata["n_negatives"]),
        preprocessing=ds.metadata["preprocessing"],
        holdout=0.0,
        progress=False,
    )
    model = SignedXATGRN(cfg).fit(ds.expression, ds.regulations)
    n = len(model.genes_)
    regs = np.unique(model.positions(model.prior_["regulator"], "regulator"))
    regs = regs[: max(1, -(-n_pairs // n))]  # as predict scores: regulator by regulator
    reg, tgt = np.repeat(regs, n)[:n_pairs], np.tile(np.arange(n), len(regs))[:n_pairs]
    t0 = time.perf_counter()
    x = model._features(model.evidence_, reg, tgt)
    t_feat = time.perf_counter() - t0
    t0 = time.perf_counter()
    for booster, r in zip(model.boosters_, model.best_rounds_, strict=True):
        booster.predict(x, num_iteration=r, num_threads=1)
    t_trees = time.perf_counter() - t0
    trees = sum(3 * r for r in model.best_rounds_)
    total = t_feat + t_trees
    compiled = CompiledBoosters(model.boosters_, model.best_rounds_, threads=1)
    t0 = time.perf_counter()
    compiled.probabilities(x)
    t_native = time.perf_counter() - t0
    native_total = t_feat + t_native
    return [
        {"part": "features", "seconds": round(t_feat, 2), "share": round(t_feat / total, 3)},
        {
            "part": f"trees ({trees} per pair), LightGBM",
            "seconds": round(t_trees, 2),
            "share": round(t_trees / total, 3),
        },
        {"part": "pairs/s, LightGBM", "seconds": round(n_pairs / total), "share": None},
        {
            "part": f"trees, compiled (after {compiled.compile_seconds:.1f} s compiling)",
            "seconds": round(t_native, 2),
            "share": round(t_native / native_total, 3),
        },
        {"part": "pairs/s, compiled", "seconds": round(n_pairs / native_total), "share": None},
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", default="ecoli_cold")
    ap.add_argument("--pairs", type=int, default=200_000)
    args = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import torch

    torch.set_num_threads(1)
    fold = profile_fold(args.dataset)
    scoring = profile_scoring(args.dataset, args.pairs)
    result = {
        "command": f"python benchmarks/profile_default.py --dataset {args.dataset} "
        f"--pairs {args.pairs}",
        "fold": fold,
        "scoring": scoring,
        "environment": environment(),
    }
    write_json(OUT / f"{args.dataset}.json", result)
    (OUT / f"{args.dataset}.md").write_text(
        f"# Where the default model's time goes ({args.dataset}, one thread)\n\n"
        f"`{result['command']}`\n\n"
        + markdown_table(fold, ["stage", "seconds", "share"])
        + "\n\n"
        + markdown_table(scoring, ["part", "seconds", "share"])
        + "\n"
    )
    print((OUT / f"{args.dataset}.md").read_text())


if __name__ == "__main__":
    main()
