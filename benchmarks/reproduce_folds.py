"""Rerun committed cross-validation folds from scratch and compare their metrics bit for bit.

Refactorings must not change any number: this reruns the folds of one dataset / protocol /
repetition for the given methods into a fresh folder (fresh embedding cache, one torch thread per
fold, as the committed CPU folds ran) with the public CLI, then compares every metric of every fold
with the committed file exactly (``==`` on the floats as JSON stored them), and the task keys
(a changed key would stop the committed grid from resuming).

    python benchmarks/reproduce_folds.py --dataset ecoli_cold --protocol inductive --rep 0 \
        --methods all --workers 2 --out scratch/repro

Writes ``OUT/reproduce.json`` and ``OUT/reproduce.md``; exit code 1 when a fold differs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from _common import RESULTS, environment, markdown_table, write_json


def _fold(path: Path) -> tuple[dict[str, float], str]:
    data = json.loads(path.read_text())
    return data["metrics"], data["task_key"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", default="ecoli_cold")
    ap.add_argument("--protocol", default="inductive")
    ap.add_argument("--rep", type=int, default=0)
    ap.add_argument(
        "--methods", default="all", help="comma-separated, or 'all' (every committed method)"
    )
    ap.add_argument("--committed", type=Path, default=RESULTS / "cv")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path, required=True, help="scratch folder (not committed)")
    ap.add_argument(
        "--compare-only", action="store_true", help="compare the fold files already in OUT"
    )
    args = ap.parse_args()

    base = args.committed / args.dataset / args.protocol
    methods = (
        sorted(p.name for p in base.iterdir() if p.is_dir())
        if args.methods == "all"
        else args.methods.split(",")
    )
    cmd = [
        sys.executable,
        "-c",
        "from xatgrn.cli import main; main()",
        "-q",
        "benchmark",
        "--datasets",
        args.dataset,
        "--protocols",
        args.protocol,
        "--methods",
        ",".join(methods),
        "--repeats",
        str(args.rep + 1),
        "--folds",
        "5",
        "--profile",
        "fast",
        "--workers",
        str(args.workers),
        "--threads",
        "1",
        "--out",
        str(args.out),
    ]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    t0 = time.perf_counter()
    if not args.compare_only:
        subprocess.run(cmd, check=True, env=env)
    seconds = time.perf_counter() - t0

    rows, n_diff = [], 0
    for method in methods:
        for fold in range(5):
            name = f"rep{args.rep}_fold{fold}.json"
            old, new = base / method / name, args.out / args.dataset / args.protocol / method / name
            if not old.is_file() or not new.is_file():
                rows.append({"method": method, "fold": fold, "status": "missing"})
                n_diff += 1
                continue
            (a, key_a), (b, key_b) = _fold(old), _fold(new)
            diff = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
            if key_a != key_b:  # a changed key would stop the committed grid from resuming
                diff.append("task_key")
            n_diff += bool(diff)
            rows.append(
                {
                    "method": method,
                    "fold": fold,
                    "status": "identical" if not diff else "differs: " + ",".join(diff),
                    "auroc_committed": a.get("auroc_macro_ovr"),
                    "auroc_rerun": b.get("auroc_macro_ovr"),
                }
            )
    result = {
        "dataset": args.dataset,
        "protocol": args.protocol,
        "repetition": args.rep,
        "command": cmd,
        "compare_only": args.compare_only,
        "seconds": None if args.compare_only else seconds,
        "n_folds": len(rows),
        "n_different": n_diff,
        "folds": rows,
        "environment": environment(),
    }
    write_json(args.out / "reproduce.json", result)
    table = markdown_table(rows, ["method", "fold", "status", "auroc_committed", "auroc_rerun"])
    (args.out / "reproduce.md").write_text(
        f"{len(rows) - n_diff} of {len(rows)} folds identical ({seconds:.0f} s)\n\n{table}"
    )
    print(f"{len(rows) - n_diff} of {len(rows)} folds identical; {args.out / 'reproduce.md'}")
    return 1 if n_diff else 0


if __name__ == "__main__":
    sys.exit(main())
