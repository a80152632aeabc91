"""Rename methods in finished fold files (issue 17: the paper's model became ``xatgrn-paper``).

A fold's task key hashes its method's registry entry, name included, so renaming a method would
stop its finished folds from resuming. This moves ``<root>/<dataset>/<protocol>/<old>/`` to
``.../<new>/`` and rewrites each fold file's ``method``, ``method_info`` and ``task_key``.
Metrics, seeds and everything else stay untouched. Before rewriting a file it recomputes the
file's *old* key from the file's own settings (the dataset's checksums, its CV design and the
profile whose key matches) and refuses to touch a file whose key it cannot reproduce.

    python benchmarks/migrate_method_names.py benchmarks/results/cv benchmarks/results/cv-paper

Renames: xatgrn -> xatgrn-paper, xatgrn-fusion -> xatgrn-paper-fusion, xatgrn-graph ->
xatgrn-paper-graph, xatgrn-tokens1 -> xatgrn-paper-tokens1. Idempotent (a migrated folder is
left alone).
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import sys
from pathlib import Path

RENAMES = {
    "xatgrn": "xatgrn-paper",
    "xatgrn-fusion": "xatgrn-paper-fusion",
    "xatgrn-graph": "xatgrn-paper-graph",
    "xatgrn-tokens1": "xatgrn-paper-tokens1",
}


@functools.cache
def _data(name: str, data_dir: str):
    from xatgrn.evaluate.data import benchmark_data

    return benchmark_data(name, data_dir)


def _experiment(record: dict, spec, data_dir: str, profile: str):
    from xatgrn.evaluate.experiment import Experiment
    from xatgrn.evaluate.protocols import CVConfig
    from xatgrn.model.config import FIT_PROFILES

    cv = CVConfig(**record["config"]["cv"])
    return Experiment(_data(record["dataset"], data_dir), spec, cv, FIT_PROFILES[profile]())


def migrated(path: Path, old: str, new: str, data_dir: str) -> dict | str:
    """The fold file's record under the new name, or why it cannot be migrated."""
    from xatgrn.methods import get_method

    record = json.loads(path.read_text())
    if record["method"] != old:
        return f"skipped (method {record['method']!r})"
    spec = get_method(new)
    old_spec = dataclasses.replace(spec, name=old)
    for profile in ("fast", "paper"):
        if _experiment(record, old_spec, data_dir, profile).task_key() == record["task_key"]:
            break
    else:
        return "refused: its old task key could not be reproduced"
    record["method"] = new
    record["method_info"] = spec.to_dict()
    record["task_key"] = _experiment(record, spec, data_dir, profile).task_key()
    return record


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("roots", nargs="+", type=Path, help="results folders (<dataset>/<protocol>/)")
    ap.add_argument("--data-dir", default=None, help="benchmark data (default $XATGRN_DATA_DIR)")
    args = ap.parse_args()
    import os

    from xatgrn.evaluate.folds import write_fold

    data_dir = args.data_dir or os.environ["XATGRN_DATA_DIR"]
    counts: dict[str, int] = {}
    for root in args.roots:
        for folder in sorted(p for p in root.glob("*/*/*") if p.is_dir() and p.name in RENAMES):
            target = folder.parent / RENAMES[folder.name]
            if target.exists():
                print(f"{folder}: {target} exists, left alone", file=sys.stderr)
                continue
            files = sorted(folder.glob("rep*_fold*.json"))
            records = [migrated(f, folder.name, target.name, data_dir) for f in files]
            problems = {r for r in records if isinstance(r, str)}
            if problems:  # all or nothing: a folder is never left half migrated
                print(f"{folder}: not migrated ({problems})", file=sys.stderr)
                counts["not migrated"] = counts.get("not migrated", 0) + len(files)
                continue
            for f, record in zip(files, records, strict=True):
                write_fold(f, record)  # the runner's own writer: same layout, atomic
            folder.rename(target)
            counts["migrated"] = counts.get("migrated", 0) + len(files)
    print(json.dumps(counts))
    return 0 if set(counts) <= {"migrated"} else 1


if __name__ == "__main__":
    sys.exit(main())
