"""Does a default ``xatgrn fit`` survive a busy machine? (issue 18)

Times ``xatgrn fit`` (the default model, ``--holdout 0.2``) on ``--dataset`` twice in one run:
alone, then with ``--busy`` other processes spinning on the CPU. The CLI picks its threads itself
(the cores its quota allows minus the machine's load, ``OMP_WAIT_POLICY=PASSIVE``); the slowdown
should stay under 2x. Writes ``benchmarks/results/contention/<dataset>.json``.

    python benchmarks/contention.py --dataset ecoli_cold --busy 1
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import subprocess
import sys
import tempfile
import time

from _common import RESULTS, environment, write_json


def _spin(stop) -> None:
    while not stop.is_set():
        sum(i * i for i in range(10_000))


def _fit(dataset: str, data_dir: str) -> float:
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS",)}
    base = os.path.join(data_dir, dataset)
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [
            sys.executable,
            "-c",
            "from xatgrn.cli import main; main()",
            "-q",
            "fit",
            "-e",
            os.path.join(base, "expression.csv.gz"),
            "-r",
            os.path.join(base, "regulations.tsv"),
            "--preprocessing",
            "log2_minmax",
            "-o",
            os.path.join(tmp, "model"),
        ]
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, env=env, capture_output=True)
        return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", default="ecoli_cold")
    ap.add_argument("--busy", type=int, default=1, help="spinning processes during the 2nd fit")
    args = ap.parse_args()
    data_dir = os.environ["XATGRN_DATA_DIR"]
    alone = _fit(args.dataset, data_dir)
    stop = mp.Event()
    spinners = [mp.Process(target=_spin, args=(stop,)) for _ in range(args.busy)]
    for p in spinners:
        p.start()
    time.sleep(65)  # let the 1-minute load average see them, as it would on a shared server
    try:
        busy = _fit(args.dataset, data_dir)
    finally:
        stop.set()
        for p in spinners:
            p.join()
    res = {
        "dataset": args.dataset,
        "busy_processes": args.busy,
        "fit_seconds_alone": round(alone, 1),
        "fit_seconds_busy": round(busy, 1),
        "slowdown": round(busy / alone, 2),
        "environment": environment(),
    }
    write_json(RESULTS / "contention" / f"{args.dataset}.json", res)
    print(res)


if __name__ == "__main__":
    main()
