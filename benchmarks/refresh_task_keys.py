"""Recompute the task keys of finished fold files after a change that cannot alter them.

A fold's task key hashes its configuration. When a setting is declared ``FIT_ONLY`` (used by
``fit`` alone, never by the ``fit_pairs`` a fold runs — e.g. the default model's refit ``bags``),
finished folds are still valid but their stored keys were computed with it. This rewrites
``task_key`` (and the recorded method entry) of the fold files of ``--methods`` with the current
code, leaving metrics, seeds and everything else untouched; it refuses a file whose configuration
differs from the current one in anything but ``FIT_ONLY`` settings.

    python benchmarks/refresh_task_keys.py benchmarks/results/cv --methods xatgrn,xatgrn-no-graph
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from pathlib import Path

from migrate_method_names import _experiment


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("root", type=Path)
    ap.add_argument("--methods", required=True)
    args = ap.parse_args()
    from xatgrn.evaluate.folds import write_fold
    from xatgrn.methods import get_method

    data_dir = os.environ["XATGRN_DATA_DIR"]
    counts = {"refreshed": 0, "unchanged": 0, "refused": 0}
    for method in args.methods.split(","):
        spec = get_method(method)
        for path in sorted(args.root.glob(f"*/*/{method}/rep*_fold*.json")):
            record = json.loads(path.read_text())
            exp = _experiment(record, spec, data_dir, "fast")
            current = json.loads(json.dumps(dataclasses.asdict(exp.fit_config()), default=str))
            fit_only = set(getattr(type(exp.fit_config()), "FIT_ONLY", ()))
            stored = record["config"]["fit"]
            differs = {
                k
                for k in current.keys() | stored.keys()
                if k not in fit_only | {"seed", "progress", "device"}
                and current.get(k) != stored.get(k)
            }
            if differs:
                print(f"{path}: refused, its settings differ in {sorted(differs)}", file=sys.stderr)
                counts["refused"] += 1
                continue
            key = exp.task_key()
            if key == record["task_key"]:
                counts["unchanged"] += 1
                continue
            record["task_key"], record["method_info"] = key, spec.to_dict()
            write_fold(path, record)
            counts["refreshed"] += 1
    print(json.dumps(counts))
    return 1 if counts["refused"] else 0


if __name__ == "__main__":
    sys.exit(main())
