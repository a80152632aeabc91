"""Write a network analysis as tables, figures, summary.json and one self-contained HTML file.

:func:`write_analysis_report` takes the :class:`~xatgrn.analysis.pipeline.AnalysisResult` of
:func:`~xatgrn.analysis.pipeline.analyze` and writes::

    OUT/report.html          one file: figures embedded as base64 PNG, tables inline, no links out
    OUT/summary.json         counts, hubs, overlaps, skew fits, top terms, config, versions
    OUT/degrees.tsv          per gene: <network>_in/_out/_total
    OUT/hubs.tsv             network, rank, gene, degree (+ in/out, activation/repression)
    OUT/sign_consistency.tsv network, regulator, n_edges, activation, repression, majority, ...
    OUT/degree_skew.tsv      network, degree kind, alpha, xmin, R, p, ...
    OUT/novel_edges.tsv      the predicted edges absent from the prior (when known)
    OUT/enrichment_<list>_<library>.tsv
    OUT/figures/*.png|svg    degree CCDFs, hub bars, enrichment dot plots, hub subnetwork

``AnalysisConfig``, ``AnalysisResult``, ``analyze`` and ``render_html`` stay importable from
here (their homes are :mod:`~xatgrn.analysis.pipeline` and :mod:`~xatgrn.analysis.html`).
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import pandas as pd

from xatgrn.analysis.degree import degree_tables
from xatgrn.analysis.html import render_html
from xatgrn.analysis.pipeline import (
    AnalysisResult,
    enrichment_stem,
)
from xatgrn.errors import input_error
from xatgrn.utils import atomic_write

log = logging.getLogger(__name__)

__all__ = ["write_analysis_report"]


def _write_tsv(df: pd.DataFrame, path: Path, index: bool = False) -> None:
    with atomic_write(path, newline="") as fh:
        df.to_csv(fh, sep="\t", index=index, float_format="%.6g")


def _figures(result: AnalysisResult, fig_dir: Path) -> dict[str, dict[str, Path]]:
    from xatgrn.analysis.figures import (
        degree_ccdf_figure,
        enrichment_figure,
        hub_bar_figure,
        save_figure,
        subnetwork_figure,
    )

    cfg = result.config
    fmts = tuple(dict.fromkeys(("png", *cfg.figure_formats)))
    out = {
        "degree_ccdf": save_figure(
            degree_ccdf_figure(result.degrees), fig_dir, "degree_ccdf", fmts
        ),
        "hubs": save_figure(hub_bar_figure(result.hubs, cfg.degree), fig_dir, "hubs", fmts),
    }
    hubs = result.hubs["predicted"]["gene"].tolist()
    sub = subnetwork_figure(
        result.networks.predicted,
        hubs,
        max_neighbours=cfg.subnetwork_neighbours,
        title=f"Predicted network around its top {len(hubs)} hubs "
        f"(up to {cfg.subnetwork_neighbours} neighbours each)",
    )
    out["subnetwork"] = save_figure(sub, fig_dir, "subnetwork", fmts)
    for (lst, lib), table in result.enrichment.items():
        stem = enrichment_stem(lst, lib)
        fig = enrichment_figure(table, f"{lib}: list '{lst}' (top {cfg.top_terms})", cfg.top_terms)
        out[stem] = save_figure(fig, fig_dir, stem, fmts)
    return out


def write_analysis_report(
    result: AnalysisResult,
    out_dir: str | Path,
    *,
    note: str = "",
    note_html: str | None = None,
    title: str = "xatgrn network analysis",
    force: bool = False,
) -> Path:
    """Write tables, figures, summary.json and report.html into ``out_dir``; returns the HTML path.

    Refuses a folder that exists and is not empty unless ``force`` (then files are replaced one
    by one, each atomically; other files in the folder are left alone). ``note`` (plain text,
    escaped; blank lines separate paragraphs) or ``note_html`` (trusted HTML) fills the
    report's note section.
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise input_error("output path is a file", path=out, fix="pass a folder for --out")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise input_error(
            "report folder exists and is not empty",
            path=out,
            fix="choose another --out folder or pass --force to overwrite the report",
        )
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    files: list[str] = []

    def tsv(df: pd.DataFrame, name: str, index: bool = False) -> None:
        _write_tsv(df, out / name, index=index)
        files.append(name)

    named = result.networks.named()
    tsv(degree_tables(named), "degrees.tsv", index=True)
    tsv(
        pd.concat([h.assign(network=n) for n, h in result.hubs.items()], ignore_index=True)[
            [
                "network",
                "rank",
                "gene",
                "degree",
                "in_degree",
                "out_degree",
                "activation",
                "repression",
            ]
        ],
        "hubs.tsv",
    )
    tsv(
        pd.concat([c.assign(network=n) for n, c in result.consistency.items()], ignore_index=True)[
            [
                "network",
                "regulator",
                "n_edges",
                "activation",
                "repression",
                "majority",
                "consistency",
            ]
        ],
        "sign_consistency.tsv",
    )
    tsv(
        pd.DataFrame(
            [
                {"network": n, "degree": kind, **r.to_dict()}
                for n, d in result.skew.items()
                for kind, r in d.items()
            ]
        ),
        "degree_skew.tsv",
    )
    if result.networks.novel is not None:
        tsv(result.networks.novel.drop(columns="in_prior"), "novel_edges.tsv")
    enrich_files = {}
    for (lst, lib), table in result.enrichment.items():
        name = f"{enrichment_stem(lst, lib)}.tsv"
        tsv(table, name)
        enrich_files[(lst, lib)] = name
    figures = _figures(result, out / "figures")
    for paths in figures.values():
        files.extend(str(p.relative_to(out)) for p in paths.values())
    summary = result.summary()
    summary["files"] = [*sorted(files), "summary.json", "report.html"]
    with atomic_write(out / "summary.json") as fh:
        json.dump(summary, fh, indent=2)
        fh.write("\n")
    page = render_html(
        result,
        {k: v["png"] for k, v in figures.items()},
        summary,
        note=note,
        note_html=note_html,
        title=title,
        enrichment_files=enrich_files,
    )
    with atomic_write(out / "report.html", encoding="utf-8") as fh:
        fh.write(page)
    log.info("report written to %s (%.1f s)", out, time.perf_counter() - t0)
    return out / "report.html"
