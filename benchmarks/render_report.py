"""Render an `xatgrn analyze` HTML report in headless Chromium and save a screenshot beside it.

Not a test: a way to *look* at the report (figures visible, labels readable, no broken
images). Needs Chromium (`apt-get install -y chromium`).

    # screenshot of an existing report -> <report dir>/report_screenshot.png
    python benchmarks/render_report.py path/to/report.html --height 6000

    # build a report from the human prior used as the 'predicted' network, time it, render it
    python benchmarks/render_report.py --build-human /tmp/human_report [--data-dir DIR]
        [--genesets-dir DIR] [--hide-prior-fraction 0.2]

``--hide-prior-fraction F`` passes the prior minus a seeded random fraction F of its edges as
``--prior``, so that those edges show up as 'novel' and every section of the report has
content; the report's note says so. It is a layout check, not a result.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def screenshot(html: Path, png: Path, width: int, height: int) -> Path:
    browser = next((shutil.which(b) for b in BROWSERS if shutil.which(b)), None)
    if browser is None:
        sys.exit("no Chromium found: apt-get install -y chromium")
    cmd = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--hide-scrollbars",
        f"--screenshot={png}",
        f"--window-size={width},{height}",
        html.resolve().as_uri(),
    ]
    subprocess.run(cmd, check=True, capture_output=True, timeout=180)
    return png


def build_human(out: Path, data_dir: Path, genesets_dir: Path | None, hide: float) -> Path:
    import pandas as pd

    from xatgrn.cli import main

    regs = data_dir / "human_breast" / "regulations.tsv"
    args = ["analyze", "--network", str(regs), "--out", str(out), "--force"]
    note = out.parent / f"{out.name}_note.txt"
    if hide > 0:
        prior = pd.read_csv(regs, sep="\t")
        kept = prior.sample(frac=1 - hide, random_state=0).sort_index()
        prior_path = out.parent / f"{out.name}_prior_minus_{hide:g}.tsv"
        kept.to_csv(prior_path, sep="\t", index=False)
        args += ["--prior", str(prior_path), "--lists", "hubs,prior-hubs,novel-hubs"]
        note.write_text(
            f"Layout check: the human_breast prior is analysed as the 'predicted' network, and "
            f"{hide:.0%} of its edges (seed 0) were hidden from the prior so that they appear as "
            "'novel'. Not a result.\n"
        )
    else:
        args += ["--lists", "hubs"]
        note.write_text("The human_breast prior analysed as if it were a predicted network.\n")
    args += ["--note-file", str(note), "--title", "human_breast prior as a network"]
    if genesets_dir is not None:
        args += ["--genesets-dir", str(genesets_dir)]
    t0 = time.perf_counter()
    try:
        main(args)
    except SystemExit as exc:
        if exc.code:
            raise
    print(f"xatgrn analyze: {time.perf_counter() - t0:.1f} s (in-process, imports warm)")
    return out / "report.html"


def main_() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("report", nargs="?", type=Path, help="report.html to render")
    ap.add_argument("--build-human", type=Path, default=None, help="build a report here first")
    ap.add_argument(
        "--data-dir", type=Path, default=None, help="FGRN data (default $XATGRN_DATA_DIR)"
    )
    ap.add_argument("--genesets-dir", type=Path, default=None)
    ap.add_argument("--hide-prior-fraction", type=float, default=0.0)
    ap.add_argument("--width", type=int, default=1400)
    ap.add_argument("--height", type=int, default=4000)
    args = ap.parse_args()
    if args.build_human is not None:
        data_dir = args.data_dir or Path(
            os.environ.get(
                "XATGRN_DATA_DIR", Path(__file__).resolve().parents[2] / "shared/data/fgrn"
            )
        )
        html = build_human(args.build_human, data_dir, args.genesets_dir, args.hide_prior_fraction)
    elif args.report is not None:
        html = args.report
    else:
        ap.error("give a report.html or --build-human DIR")
    png = screenshot(html, html.with_name("report_screenshot.png"), args.width, args.height)
    print(f"screenshot: {png}")


if __name__ == "__main__":
    main_()
