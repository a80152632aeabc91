"""Aggregate per-fold result files into a results JSON, Markdown tables and an AUROC plot.

Aggregation (one rule, stated in every output): a repetition's value is the **mean over its K
folds**; we report the **mean and standard deviation over complete repetitions** (all K fold
files present) with ``ddof=1`` (as the reference does for AUROC; it used ddof=0 for the other
metrics — we use one ddof for all). Incomplete repetitions are listed, not averaged.

Tables put our numbers next to the paper's Table 1 (XATGRN, CNNGRN, DGCGRN, DeepFGRN), found at
``paper_table=``, else ``$XATGRN_REFERENCE`` (the file or its folder), else
``<data_dir>/../../reference/paper_table1.json``. The paper's "AUROC (ovo)" is compared with our
``auroc_macro_ovr`` (what the reference code really computes; method.md §4). Every row says its
protocol; ``transductive`` rows and the paper's rows are marked as leaking.
"""

from __future__ import annotations

import json
import logging
import math
import os
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from xatgrn.core.metrics import aggregate
from xatgrn.errors import input_error
from xatgrn.utils import atomic_path, atomic_write

if TYPE_CHECKING:
    from matplotlib.figure import Figure

log = logging.getLogger(__name__)

__all__ = [
    "AGGREGATION",
    "PAPER_METHODS",
    "auroc_figure",
    "find_paper_table",
    "markdown_table",
    "plot_auroc",
    "read_fold_results",
    "read_paper_table",
    "summarise",
    "write_cv_report",
]

REFERENCE_ENV = "XATGRN_REFERENCE"
PAPER_FILE = "paper_table1.json"
#: the paper's rows, in the order shown
PAPER_METHODS = ("XATGRN", "CNNGRN", "DGCGRN", "DeepFGRN")
AGGREGATION = (
    "mean ± std over complete repetitions; each repetition's value is the mean over its folds; "
    "std with ddof={ddof}"
)
#: (our metric, column title, the paper's metric name or None)
COLUMNS = (
    ("auroc_macro_ovr", "AUROC†", "auroc"),
    ("auroc_ovo", "AUROC (true OvO)", None),
    ("recall", "Recall", "recall"),
    ("precision", "Precision", "precision"),
    ("f1", "F1", "f1"),
    ("mcc", "MCC", None),
    ("accuracy", "Accuracy", None),
)
_TIMINGS = ("embedding_s", "classifier_s", "total_s")


# --- reading ------------------------------------------------------------------------------------


def read_fold_results(out: str | Path) -> pd.DataFrame:
    """One row per fold file under ``out`` (``<dataset>/<protocol>/<method>/rep*_fold*.json``).

    Columns: ``dataset, protocol, method, leaks, repetition, fold, n_folds, task_key, path``,
    one per metric and one per timing (``t_`` prefix).
    """
    rows = []
    for path in sorted(Path(out).glob("*/*/*/rep*_fold*.json")):
        try:
            rec = json.loads(path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            log.warning("skipping unreadable fold file %s (%s)", path, err)
            continue
        if rec.get("format") != "xatgrn.cv-fold":
            continue
        row = {
            k: rec.get(k)
            for k in ("dataset", "protocol", "method", "leaks", "repetition", "fold", "n_folds")
        }
        row["task_key"] = rec.get("task_key")
        row["path"] = str(path)
        row.update(
            {k: (math.nan if v is None else float(v)) for k, v in rec.get("metrics", {}).items()}
        )
        row.update({f"t_{k}": rec.get("timings", {}).get(k) for k in _TIMINGS})
        rows.append(row)
    return pd.DataFrame(rows)


def _metric_columns(folds: pd.DataFrame) -> list[str]:
    skip = {"dataset", "protocol", "method", "leaks", "repetition", "fold", "n_folds", "task_key"}
    return [c for c in folds.columns if c not in skip and c != "path" and not c.startswith("t_")]


def summarise(folds: pd.DataFrame, ddof: int = 1) -> list[dict[str, Any]]:
    """Per (dataset, protocol, method): mean/std over complete repetitions of fold means."""
    if folds.empty:
        return []
    metrics = _metric_columns(folds)
    out = []
    for (dataset, protocol, method), g in folds.groupby(
        ["dataset", "protocol", "method"], sort=True
    ):
        n_folds = int(g["n_folds"].max())
        per_rep = g.groupby("repetition")
        n_found = per_rep["fold"].nunique()
        complete = sorted(int(r) for r in n_found.index[n_found == n_folds])
        partial = sorted(int(r) for r in n_found.index[n_found < n_folds])
        rep_means = g[g["repetition"].isin(complete)].groupby("repetition")[metrics].mean()
        agg = aggregate(rep_means.to_dict("records"), ddof=ddof) if complete else {}
        timings = {k: float(pd.to_numeric(g[f"t_{k}"], errors="coerce").mean()) for k in _TIMINGS}
        out.append(
            {
                "dataset": dataset,
                "protocol": protocol,
                "method": method,
                "leaks": bool(g["leaks"].fillna(False).any()),
                "n_folds": n_folds,
                "n_repeats": len(complete),
                "complete_repetitions": complete,
                "incomplete_repetitions": partial,
                "n_fold_files": len(g),
                "metrics": agg,
                "mean_fold_timings_s": timings,
            }
        )
    return out


def find_paper_table(
    paper_table: str | Path | None = None, data_dir: str | Path | None = None
) -> Path | None:
    """Where the paper's Table 1 is: the argument, ``$XATGRN_REFERENCE``, or beside the data."""
    if paper_table is not None:
        path = Path(paper_table)
        path = path / PAPER_FILE if path.is_dir() else path
        if not path.is_file():
            raise input_error(
                "paper table not found", path=path, fix=f"pass the path of {PAPER_FILE}"
            )
        return path
    env = os.environ.get(REFERENCE_ENV)
    candidates = []
    if env:
        candidates.append(Path(env) / PAPER_FILE if Path(env).is_dir() else Path(env))
    if data_dir is None:
        from xatgrn.data.datasets import resolve_data_dir

        data_dir = resolve_data_dir(None)
    candidates.append(Path(data_dir) / ".." / ".." / "reference" / PAPER_FILE)
    for cand in candidates:
        if cand.is_file():
            return cand.resolve()
    return None


def read_paper_table(path: str | Path) -> dict[str, dict[str, dict[str, float]]]:
    """``{dataset: {method: {metric: value}}}`` from the paper table JSON."""
    path = Path(path)
    try:
        raw = json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise input_error(
            f"not valid JSON ({err.msg})", path=path, line=err.lineno, fix="check the file"
        ) from None
    results = raw.get("results") if isinstance(raw, dict) else None
    if not isinstance(results, dict):
        raise input_error(
            "no 'results' mapping (dataset -> method -> metric -> value)",
            path=path,
            fix=f"point to {PAPER_FILE} from the shared reference folder",
        )
    return results


# --- tables -------------------------------------------------------------------------------------


def _fmt(mean: float, std: float | None = None) -> str:
    if mean is None or (isinstance(mean, float) and math.isnan(mean)):
        return "–"
    if std is None or math.isnan(std):
        return f"{mean:.4f}"
    return f"{mean:.4f} ± {std:.4f}"


def _protocol_label(protocol: str, leaks: bool) -> str:
    return f"{protocol} (**leaks**: graph saw test edges)" if leaks else protocol


def markdown_table(
    dataset: str,
    rows: Sequence[dict[str, Any]],
    paper: dict[str, dict[str, float]] | None,
    ddof: int = 1,
) -> str:
    """A Markdown section for one dataset: our rows (by protocol) and the paper's rows."""
    head = [
        "method",
        "protocol",
        "reps × folds",
        *(title for _, title, _ in COLUMNS),
        "s / fold‡",
    ]
    lines = [f"### {dataset}", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        if r["n_repeats"]:
            reps = f"{r['n_repeats']} × {r['n_folds']}"
        else:
            reps = f"0 complete ({r['n_fold_files']} fold files)"
        cells = [
            _fmt(r["metrics"].get(m, {}).get("mean"), r["metrics"].get(m, {}).get("std"))
            if r["metrics"]
            else "–"
            for m, _, _ in COLUMNS
        ]
        lines.append(
            "| "
            + " | ".join(
                [
                    f"{r['method']} (ours)",
                    _protocol_label(r["protocol"], r["leaks"]),
                    reps,
                    *cells,
                    _cost(r.get("mean_fold_timings_s", {})),
                ]
            )
            + " |"
        )
    paper = paper or {}
    names = [m for m in PAPER_METHODS if m in paper] + [m for m in paper if m not in PAPER_METHODS]
    for name in names:
        vals = paper[name]
        cells = [_fmt(vals.get(pm)) if pm else "–" for _, _, pm in COLUMNS]
        protocol = "paper: transductive (**leaks**)"
        lines.append("| " + " | ".join([f"{name} (paper)", protocol, "10 × 5", *cells, "–"]) + " |")
    lines += [
        "",
        "† AUROC = macro average of the three one-vs-rest AUROCs: what the paper's table calls "
        '"AUROC (ovo)" (its code passes one-hot labels, so scikit-learn ignores `multi_class`); '
        "compare with the paper in this column. Recall, precision and F1 are support-weighted.",
        f"Ours: {AGGREGATION.format(ddof=ddof)}. The paper's numbers are means over 10 × 5-fold "
        "CV with the graph embedding trained on the whole prior (transductive).",
        "‡ Mean wall seconds per fold: graph embedding fit (shared through the cache by the folds "
        "and datasets that see the same edges) + classifier fit and prediction; the hardware is in "
        "each fold file (`hardware`, `config.fit.device`).",
        "",
    ]
    return "\n".join(lines)


def _cost(t: dict[str, float]) -> str:
    emb, clf = t.get("embedding_s"), t.get("classifier_s")
    if clf is None or math.isnan(clf):
        return "–"
    if emb is None or math.isnan(emb) or emb == 0:
        return f"{clf:.0f}"
    return f"{emb:.0f} + {clf:.0f}"


def auroc_figure(
    summary: Sequence[dict[str, Any]],
    paper: dict[str, dict[str, dict[str, float]]] | None = None,
) -> Figure | None:
    """Bar chart of per-dataset AUROC (macro-OvR) with std error bars, one bar per (method,
    protocol), the paper's XATGRN value as a black tick; ``None`` when nothing is complete."""
    from matplotlib.figure import Figure

    rows = [r for r in summary if r["n_repeats"] and "auroc_macro_ovr" in r["metrics"]]
    if not rows:
        return None
    datasets = sorted({r["dataset"] for r in rows})
    series = sorted({(r["method"], r["protocol"]) for r in rows})
    width = 0.8 / max(len(series), 1)
    x = np.arange(len(datasets))
    fig = Figure(figsize=(max(7.5, 1.4 * len(datasets) + 4), 4.2))
    ax = fig.add_subplot(1, 1, 1)
    for i, (method, protocol) in enumerate(series):
        by_ds = {
            r["dataset"]: r for r in rows if (r["method"], r["protocol"]) == (method, protocol)
        }
        mean = [
            by_ds[d]["metrics"]["auroc_macro_ovr"]["mean"] if d in by_ds else np.nan
            for d in datasets
        ]
        std = [
            by_ds[d]["metrics"]["auroc_macro_ovr"]["std"] if d in by_ds else np.nan
            for d in datasets
        ]
        std = np.nan_to_num(np.asarray(std, dtype=float))
        leaks = any(r["leaks"] for r in by_ds.values())
        label = f"{method} / {protocol}" + (" (leaks)" if leaks else "")
        ax.bar(x - 0.4 + width * (i + 0.5), mean, width, yerr=std, capsize=3, label=label)
    if paper:
        ref = [paper.get(d, {}).get("XATGRN", {}).get("auroc", np.nan) for d in datasets]
        ax.scatter(
            x, ref, marker="_", s=600, color="black", zorder=3, label="XATGRN (paper; leaks)"
        )
    ax.set_xticks(x)
    ax.set_xticklabels(datasets, rotation=30, ha="right")
    ax.set_ylabel("AUROC (macro one-vs-rest)")
    ax.set_ylim(0.5, 1.0)
    ax.set_title("Cross-validated AUROC (mean ± std over repetitions)")
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    fig.tight_layout()
    return fig


def plot_auroc(
    summary: Sequence[dict[str, Any]],
    path: str | Path,
    paper: dict[str, dict[str, dict[str, float]]] | None = None,
) -> Path | None:
    """Write :func:`auroc_figure` as a PNG; ``None`` without matplotlib or complete results."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        log.info("matplotlib not installed: no plot (pip install 'xatgrn[plot]')")
        return None
    fig = auroc_figure(summary, paper)
    if fig is None:
        return None
    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=120, format="png")
    return path


def _benchmark_names() -> set[str]:
    from xatgrn.data.registry import DATASETS

    return set(DATASETS)


def write_cv_report(
    out: str | Path,
    *,
    paper_table: str | Path | None = None,
    data_dir: str | Path | None = None,
    ddof: int = 1,
) -> dict[str, Any]:
    """Write ``results.json``, ``report.md``, ``<dataset>/report.md`` and ``auroc.png`` in ``out``."""
    out = Path(out)
    folds = read_fold_results(out)
    summary = summarise(folds, ddof=ddof)
    table_path = find_paper_table(paper_table, data_dir)
    paper = read_paper_table(table_path) if table_path else {}
    if table_path is None and any(r["dataset"] in _benchmark_names() for r in summary):
        # only the benchmark's datasets have paper numbers: a user's own data needs no table
        log.warning("paper table not found: tables show our numbers only (pass --paper-table)")
    written: dict[str, Any] = {}
    results = {
        "format": "xatgrn.cv-results",
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "aggregation": AGGREGATION.format(ddof=ddof),
        "ddof": ddof,
        "auroc_note": "auroc_macro_ovr is comparable with the paper's 'AUROC (ovo)'",
        "paper_table": None if table_path is None else str(table_path),
        "results": summary,
    }
    with atomic_write(out / "results.json") as fh:
        json.dump(_finite(results), fh, indent=1, allow_nan=False)
        fh.write("\n")
    written["results"] = str(out / "results.json")
    sections = []
    for dataset in sorted({r["dataset"] for r in summary}):
        rows = [r for r in summary if r["dataset"] == dataset]
        text = markdown_table(dataset, rows, paper.get(dataset), ddof=ddof)
        with atomic_write(out / dataset / "report.md") as fh:
            fh.write(text)
        sections.append(text)
        written.setdefault("tables", []).append(str(out / dataset / "report.md"))
    intro = [
        "# Cross-validation results",
        "",
        "Protocols: `inductive` = graph embedding fitted on each training fold's edges only "
        "(leak-free); `transductive` = the paper's protocol, graph embedding fitted on the whole "
        "prior (test edges visible: **leaks**); `tf-disjoint` = test regulators unseen.",
        "",
    ]
    with atomic_write(out / "report.md") as fh:
        fh.write("\n".join(intro + sections))
    written["report"] = str(out / "report.md")
    png = plot_auroc(summary, out / "auroc.png", paper)
    if png is not None:
        written["plot"] = str(png)
    written["summary"] = summary
    return written


def _finite(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj
