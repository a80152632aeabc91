"""How many members the default model needs: novel-edge stability against scoring cost (issue 18).

Scoring cost grows with the members ``fit`` keeps (``SignedConfig.bags``, 8: trees are 96 % of
scoring), so fewer members would be the simplest speed-up. This measures what it would cost.
Member ``b`` of a fitted model draws its non-edges and seeds from ``(seed, b)`` alone, so the
first ``k`` members of an 8-member model *are* the ``k``-member model: each saved case-study
model (``benchmarks/case_study_breast.py --stage infer --seeds 0,1,2`` keeps them under
``--models``) is scored with its first ``k`` members, the top 8,772 pairs kept, and the novel
edges (not in the prior) of the seeds compared (Jaccard). Writes
``benchmarks/results/members_stability/human_breast.json`` and a table:

    OMP_NUM_THREADS=1 python benchmarks/members_stability.py --models scratch/case_study_models
"""

from __future__ import annotations

import argparse
import itertools
import time
from pathlib import Path

from _common import RESULTS, environment, markdown_table, write_json

OUT = RESULTS / "members_stability"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="scratch/case_study_models")
    ap.add_argument("--dataset", default="human_breast")
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--members", default="4,5,6,7,8")
    ap.add_argument("--top-k", type=int, default=8772)
    args = ap.parse_args()

    from xatgrn.model.signed import SignedXATGRN

    seeds = [int(s) for s in args.seeds.split(",")]
    ks = [int(k) for k in args.members.split(",")]
    novel: dict[tuple[int, int], set] = {}
    rows = []
    for seed in seeds:
        model = SignedXATGRN.load(Path(args.models) / f"xatgrn_{args.dataset}_seed{seed}")
        model.config.progress = False
        boosters, rounds = list(model.boosters_), list(model.best_rounds_)
        for k in ks:
            model.boosters_, model.best_rounds_ = boosters[:k], rounds[:k]
            t0 = time.perf_counter()
            net = model.predict_network(top=args.top_k)
            secs = time.perf_counter() - t0
            new = net[~net["in_prior"]]
            novel[(seed, k)] = set(zip(new["regulator"], new["target"], strict=True))
            rows.append(
                {
                    "seed": seed,
                    "members": k,
                    "trees_per_pair": 3 * sum(rounds[:k]),
                    "novel_edges": len(new),
                    "seconds": round(secs, 1),
                }
            )
    table = []
    for k in ks:
        pairs = itertools.combinations(seeds, 2)
        jac = {
            f"{a}-{b}": round(
                len(novel[(a, k)] & novel[(b, k)]) / len(novel[(a, k)] | novel[(b, k)]), 3
            )
            for a, b in pairs
        }
        trees = [r["trees_per_pair"] for r in rows if r["members"] == k]
        table.append(
            {
                "members": k,
                "trees_per_pair": f"{min(trees)}-{max(trees)}",
                "novel_edge_jaccard": " / ".join(f"{v:.3f}" for v in jac.values()),
                "jaccard": jac,
            }
        )
    write_json(
        OUT / f"{args.dataset}.json",
        {
            "dataset": args.dataset,
            "top_k": args.top_k,
            "seeds": seeds,
            "runs": rows,
            "stability": table,
            "environment": environment(),
        },
    )
    text = markdown_table(table, ["members", "trees_per_pair", "novel_edge_jaccard"])
    (OUT / f"{args.dataset}.md").write_text(
        f"# Novel-edge stability vs members ({args.dataset}, top {args.top_k}, seeds "
        f"{args.seeds})\n\n`python benchmarks/members_stability.py`\n\n{text}\n"
    )
    print(text)


if __name__ == "__main__":
    main()
