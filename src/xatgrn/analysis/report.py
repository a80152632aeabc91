"""Run a whole network analysis and write it as tables, figures and one self-contained HTML file.

:func:`analyze` (DataFrames in, :class:`AnalysisResult` out) computes degrees, hubs, hub
overlaps, per-type summaries, degree skew and the enrichment of the requested gene lists;
:func:`write_report` writes::

    OUT/report.html          one file: figures embedded as base64 PNG, tables inline, no links out
    OUT/summary.json         counts, hubs, overlaps, skew fits, top terms, config, versions
    OUT/degrees.tsv          per gene: <network>_in/_out/_total
    OUT/hubs.tsv             network, rank, gene, degree (+ in/out, activation/repression)
    OUT/sign_consistency.tsv network, regulator, n_edges, activation, repression, majority, ...
    OUT/degree_skew.tsv      network, degree kind, alpha, xmin, R, p, ...
    OUT/novel_edges.tsv      the predicted edges absent from the prior (when known)
    OUT/enrichment_<list>_<library>.tsv
    OUT/figures/*.png|svg    degree CCDFs, hub bars, enrichment dot plots, hub subnetwork

Gene lists for enrichment (``AnalysisConfig.lists``): ``hubs`` (of the predicted network),
``prior-hubs``, ``novel-hubs`` (hubs of the novel-only network), ``novel-targets`` (targets of
novel edges), ``targets:GENE`` (GENE's predicted targets). A list that is empty because its
network is (e.g. no novel edges) is skipped with a note in the report.
"""

from __future__ import annotations

import base64
import dataclasses
import html
import json
import logging
import math
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from xatgrn.analysis.degree import (
    DEGREE_KINDS,
    SkewResult,
    cutoff_ties,
    degree_skew,
    degree_table,
    degree_tables,
    hub_genes,
    hub_overlap,
    sign_consistency,
    type_summary,
)
from xatgrn.analysis.enrichment import Universe, ora, resolve_background
from xatgrn.analysis.gmt import GeneSetLibrary
from xatgrn.analysis.network import Networks, build_networks
from xatgrn.errors import XatgrnInputError, input_error
from xatgrn.utils import atomic_write

log = logging.getLogger(__name__)

__all__ = [
    "LIST_KINDS",
    "AnalysisConfig",
    "AnalysisResult",
    "analyze",
    "render_html",
    "write_report",
]

LIST_KINDS = ("hubs", "prior-hubs", "novel-hubs", "novel-targets", "targets:GENE")


@dataclass
class AnalysisConfig:
    """Settings of one analysis. Defaults follow the paper's case study (10 hubs by degree).

    Args:
        top_k: hubs per network (paper: 10).
        degree: degree that ranks hubs: ``total`` (paper), ``in`` or ``out``.
        lists: gene lists to test for enrichment (see the module docstring).
        background: ``'dataset'`` (genes of the analysed networks, or ``dataset_genes``), an
            int genome size (sets not intersected), or a gene-list file.
        min_set_size, max_set_size: test only sets of this size within the universe.
        annotated_only: with a gene-list background, keep only genes some set mentions.
        on_no_overlap: ``'error'`` (an input error) or ``'skip'`` (a note) when a list shares no
            gene with a library.
        top_terms: terms shown in figures and HTML tables (the TSVs hold all).
        subnetwork_neighbours: neighbours per hub drawn in the subnetwork figure.
        figure_formats: formats written for each figure (PNG is always embedded in the HTML).
    """

    top_k: int = 10
    degree: str = "total"
    lists: tuple[str, ...] = ("hubs", "novel-hubs")
    background: str | int = "dataset"
    min_set_size: int = 1
    max_set_size: int | None = None
    annotated_only: bool = True
    on_no_overlap: str = "error"
    top_terms: int = 15
    subnetwork_neighbours: int = 6
    figure_formats: tuple[str, ...] = ("png", "svg")

    def validate(self) -> AnalysisConfig:
        if self.degree not in DEGREE_KINDS:
            raise input_error(
                f"unknown degree {self.degree!r}", fix=f"use one of {list(DEGREE_KINDS)}"
            )
        if self.top_k < 1:
            raise input_error(f"top-k must be >= 1, got {self.top_k}", fix="pass --top-k 1 or more")
        if self.on_no_overlap not in ("error", "skip"):
            raise input_error(f"on_no_overlap {self.on_no_overlap!r}", fix="use 'error' or 'skip'")
        for name in self.lists:
            if name not in LIST_KINDS[:-1] and not (name.startswith("targets:") and len(name) > 8):
                raise input_error(
                    f"unknown gene list {name!r}", fix=f"use any of {', '.join(LIST_KINDS)}"
                )
        return self


@dataclass
class AnalysisResult:
    """Everything :func:`write_report` needs; tables are plain DataFrames."""

    config: AnalysisConfig
    networks: Networks
    degrees: dict[str, pd.DataFrame]
    hubs: dict[str, pd.DataFrame]
    hub_ties: dict[str, int]
    hub_overlaps: dict[str, dict[str, Any]]
    summaries: dict[str, dict[str, Any]]
    consistency: dict[str, pd.DataFrame]
    skew: dict[str, dict[str, SkewResult]]
    gene_lists: dict[str, list[str]]
    enrichment: dict[tuple[str, str], pd.DataFrame]
    universe: Universe | None
    libraries: dict[str, dict[str, Any]]
    notes: list[str] = field(default_factory=list)
    inputs: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        """The JSON-ready summary (also written as summary.json)."""
        from xatgrn import __version__

        top = self.config.top_terms
        return _jsonable(
            {
                "xatgrn_version": __version__,
                "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "inputs": self.inputs,
                "config": dataclasses.asdict(self.config),
                "networks": self.summaries,
                "type_agreement_with_prior": self.networks.type_agreement(),
                "hub_degree": self.config.degree,
                "hubs": {k: v["gene"].tolist() for k, v in self.hubs.items()},
                "hub_cutoff_ties": self.hub_ties,
                "hub_overlap": self.hub_overlaps,
                "degree_skew": {
                    net: {kind: r.to_dict() for kind, r in d.items()}
                    for net, d in self.skew.items()
                },
                "background": self.universe.describe() if self.universe else None,
                "gene_lists": self.gene_lists,
                "enrichment": {
                    f"{lst}|{lib}": {
                        "list": lst,
                        "library": lib,
                        "tested_with_overlap": len(t),
                        "fdr_below_0.05": int((t["fdr"] < 0.05).sum()),
                        "top_terms": t["term"].head(top).tolist(),
                    }
                    for (lst, lib), t in self.enrichment.items()
                },
                "libraries": self.libraries,
                "notes": self.notes,
                "seconds": round(self.seconds, 3),
            }
        )


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return float(obj) if math.isfinite(obj) else None
    if isinstance(obj, Path):
        return str(obj)
    return obj


def _gene_list(
    name: str, result_hubs: Mapping[str, pd.DataFrame], nets: Networks
) -> list[str] | None:
    """Genes of a named list, or None when its network is unknown."""
    if name == "hubs":
        return result_hubs["predicted"]["gene"].tolist()
    if name == "prior-hubs":
        return result_hubs["prior"]["gene"].tolist() if "prior" in result_hubs else None
    if name == "novel-hubs":
        return result_hubs["novel"]["gene"].tolist() if "novel" in result_hubs else None
    if name == "novel-targets":
        if nets.novel is None:
            return None
        return sorted(set(nets.novel["target"]))
    gene = name.split(":", 1)[1]
    return sorted(set(nets.predicted.loc[nets.predicted["regulator"] == gene, "target"]))


def analyze(
    predicted: pd.DataFrame,
    prior: pd.DataFrame | None = None,
    libraries: Iterable[GeneSetLibrary] = (),
    config: AnalysisConfig | None = None,
    *,
    dataset_genes: Sequence[str] | None = None,
    inputs: Mapping[str, Any] | None = None,
) -> AnalysisResult:
    """Analyse a predicted network (and its prior): degrees, hubs, skew, enrichment.

    Args:
        predicted: an edge list (``xatgrn predict`` schema) or a typed table
            (``regulator, target, type``).
        prior: the prior network (``regulator, target, type``), optional.
        libraries: gene-set libraries to test the gene lists against.
        config: see :class:`AnalysisConfig`.
        dataset_genes: the universe behind ``background='dataset'`` (default: every gene of the
            predicted and prior networks).
        inputs: free-form provenance (paths, checksums) copied into the summary.
    """
    t0 = time.perf_counter()
    cfg = (config or AnalysisConfig()).validate()
    nets = build_networks(predicted, prior)
    named = nets.named()
    notes: list[str] = []
    if nets.novel is None:
        notes.append(
            "No prior and no in_prior column: prior-supported and novel edges are unknown."
        )
    degrees = {name: degree_table(edges) for name, edges in named.items()}
    hubs = {name: hub_genes(d, cfg.top_k, cfg.degree) for name, d in degrees.items()}
    ties = {name: cutoff_ties(d, cfg.top_k, cfg.degree) for name, d in degrees.items()}
    for name, n_tied in ties.items():
        if n_tied:
            notes.append(
                f"{name}: {n_tied} more gene(s) share the degree of hub #{cfg.top_k} and were cut "
                "by the tie rule (gene id ascending)."
            )
    overlaps = {
        f"{a}_vs_{b}": hub_overlap(hubs[a]["gene"], hubs[b]["gene"])
        for a, b in (("prior", "predicted"), ("prior", "novel"), ("predicted", "novel"))
        if a in hubs and b in hubs
    }
    summaries = {name: type_summary(edges) for name, edges in named.items()}
    if nets.supported is not None:
        summaries["prior_supported"] = type_summary(nets.supported)
    consistency = {name: sign_consistency(edges) for name, edges in named.items()}
    skew = {
        name: {kind: degree_skew(d[f"{kind}_degree"].to_numpy()) for kind in ("in", "out")}
        for name, d in degrees.items()
    }
    libraries = list(libraries)
    universe = None
    gene_lists: dict[str, list[str]] = {}
    enrichment: dict[tuple[str, str], pd.DataFrame] = {}
    if libraries:
        universe = resolve_background(
            cfg.background, dataset_genes if dataset_genes is not None else nets.genes()
        )
        for name in cfg.lists:
            genes = _gene_list(name, hubs, nets)
            if not genes:
                why = "its network is unknown (no prior)" if genes is None else "it is empty"
                notes.append(f"Enrichment of '{name}' skipped: {why}.")
                continue
            gene_lists[name] = genes
            for lib in libraries:
                try:
                    enrichment[(name, lib.name)] = ora(
                        genes,
                        lib,
                        background=universe,
                        min_size=cfg.min_set_size,
                        max_size=cfg.max_set_size,
                        annotated_only=cfg.annotated_only,
                        list_name=f"list '{name}'",
                    )
                except XatgrnInputError as err:
                    if cfg.on_no_overlap == "error" or "none of the" not in str(err):
                        raise
                    notes.append(f"Enrichment of '{name}' in {lib.name} skipped: {err}")
                    log.warning("enrichment of %r in %s skipped: no overlap", name, lib.name)
    lib_info = {
        lib.name: {
            "source": lib.source,
            "sha256": lib.sha256,
            "sets": len(lib),
            "genes": len(lib.genes),
            "citation": lib.citation,
        }
        for lib in libraries
    }
    result = AnalysisResult(
        config=cfg,
        networks=nets,
        degrees=degrees,
        hubs=hubs,
        hub_ties=ties,
        hub_overlaps=overlaps,
        summaries=summaries,
        consistency=consistency,
        skew=skew,
        gene_lists=gene_lists,
        enrichment=enrichment,
        universe=universe,
        libraries=lib_info,
        notes=notes,
        inputs=dict(inputs or {}),
    )
    result.seconds = time.perf_counter() - t0
    log.info("analysis done in %.1f s", result.seconds)
    return result


# --- writing ------------------------------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_")


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
        stem = f"enrichment_{_slug(lst)}_{_slug(lib)}"
        fig = enrichment_figure(table, f"{lib}: list '{lst}' (top {cfg.top_terms})", cfg.top_terms)
        out[stem] = save_figure(fig, fig_dir, stem, fmts)
    return out


def write_report(
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
        name = f"enrichment_{_slug(lst)}_{_slug(lib)}.tsv"
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


# --- HTML ---------------------------------------------------------------------------------

_CSS = """
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:0 auto;max-width:1200px;
padding:1.5em 2em;color:#222;line-height:1.45;font-size:15px}
h1{font-size:1.7em;margin-bottom:.2em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:1.8em}
h3{margin-bottom:.3em}table{border-collapse:collapse;margin:.6em 0 1em;font-size:13.5px}
th,td{border:1px solid #ccc;padding:3px 8px;text-align:right;vertical-align:top}
th{background:#f2f2f2}td.l,th.l{text-align:left}tr:nth-child(even) td{background:#fafafa}
img{max-width:100%;height:auto;display:block;margin:.5em 0 1em;border:1px solid #eee}
.note{background:#fff8e1;border-left:4px solid #f0b400;padding:.6em 1em;margin:1em 0}
.muted{color:#666;font-size:.92em}.flex{display:flex;gap:1.5em;flex-wrap:wrap;align-items:flex-start}
code{background:#f4f4f4;padding:0 3px}td.genes{text-align:left;max-width:420px;word-break:break-word}
"""


def _esc(x: Any) -> str:
    return html.escape(str(x))


def _fmt(x: Any) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    if isinstance(x, (float, np.floating)):
        x = float(x)
        if x == 0:
            return "0"
        if abs(x) < 1e-3 or abs(x) >= 1e5:
            return f"{x:.3g}"
        return f"{x:.4g}"
    if isinstance(x, (int, np.integer)):
        return f"{int(x):,}"
    return _esc(x)


def _table(
    rows: Sequence[Sequence[Any]],
    header: Sequence[str],
    left: Sequence[int] = (0,),
    wide: Sequence[int] = (),
) -> str:
    def cell(tag: str, i: int, v: Any) -> str:
        cls = "genes" if i in wide else ("l" if i in left else "")
        attr = f' class="{cls}"' if cls else ""
        return f"<{tag}{attr}>{_fmt(v) if tag == 'td' else _esc(v)}</{tag}>"

    head = "".join(cell("th", i, h) for i, h in enumerate(header))
    body = "".join(
        "<tr>" + "".join(cell("td", i, v) for i, v in enumerate(r)) + "</tr>" for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _img(path: Path, alt: str, dpi: int = 150) -> str:
    """A PNG as a data URI, shown at its natural size (pixels / dpi inches, 96 CSS px per inch)."""
    raw = Path(path).read_bytes()
    width = int.from_bytes(raw[16:20], "big") if raw[:8] == b"\x89PNG\r\n\x1a\n" else 0
    style = f' style="width:{round(width / dpi * 96)}px"' if width else ""
    data = base64.b64encode(raw).decode("ascii")
    return f'<img alt="{_esc(alt)}"{style} src="data:image/png;base64,{data}">'


def _note_block(note: str, note_html: str | None) -> str:
    if note_html:
        return f'<div class="note">{note_html}</div>'
    if note.strip():
        paras = [p.strip() for p in re.split(r"\n\s*\n", note) if p.strip()]
        return (
            '<div class="note">'
            + "".join(f"<p>{_esc(p).replace(chr(10), '<br>')}</p>" for p in paras)
            + "</div>"
        )
    return '<p class="muted">(no note)</p>'


def render_html(
    result: AnalysisResult,
    figures: Mapping[str, Path],
    summary: Mapping[str, Any],
    *,
    note: str = "",
    note_html: str | None = None,
    title: str = "xatgrn network analysis",
    enrichment_files: Mapping[tuple[str, str], str] | None = None,
) -> str:
    """The report as one HTML string; PNG figures embedded as data URIs, nothing external."""
    cfg = result.config
    nets = list(result.summaries)
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{_esc(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_esc(title)}</h1>",
        f"<p class='muted'>xatgrn {_esc(summary['xatgrn_version'])} · {_esc(summary['created'])}"
        f" · analysis {result.seconds:.1f} s</p>",
    ]
    if result.inputs:
        parts.append(
            _table([(k, v) for k, v in result.inputs.items()], ["input", "value"], left=(0, 1))
        )
    parts.append("<h2>Note</h2>" + _note_block(note, note_html))

    # summary counts
    keys = [
        "edges",
        "genes",
        "regulators",
        "targets",
        "activation",
        "repression",
        "self_loops",
        "mean_sign_consistency",
        "share_single_sign",
    ]
    rows = [[k.replace("_", " ")] + [result.summaries[n][k] for n in nets] for k in keys]
    agree = summary.get("type_agreement_with_prior")
    parts += [
        "<h2>Summary</h2>",
        _table(rows, ["", *[n.replace("_", "-") for n in nets]]),
        "<p class='muted'>novel = predicted edges absent from the prior; prior-supported = "
        "predicted edges the prior holds (any type). Sign consistency: share of a regulator's "
        "out-edges with its majority sign, over regulators with at least 2 edges.</p>",
    ]
    if agree is not None:
        parts.append(
            f"<p>Predicted type equals the prior's type on {agree:.1%} of the "
            "prior-supported edges.</p>"
        )
    if result.notes:
        parts.append("<ul>" + "".join(f"<li>{_esc(n)}</li>" for n in result.notes) + "</ul>")

    # hubs
    names = list(result.hubs)
    k = max((len(h) for h in result.hubs.values()), default=0)
    hub_rows = []
    for i in range(k):
        row: list[Any] = [i + 1]
        for n in names:
            h = result.hubs[n]
            row.append(f"{h['gene'].iloc[i]} ({h['degree'].iloc[i]})" if i < len(h) else "")
        hub_rows.append(row)
    ov_rows = [
        (
            name.replace("_", " "),
            o["shared"],
            f"{o['jaccard']:.2f}" if o["jaccard"] == o["jaccard"] else "–",
            ", ".join(o["genes"]),
        )
        for name, o in result.hub_overlaps.items()
    ]
    parts += [
        f"<h2>Hub genes (top {cfg.top_k} by {cfg.degree} degree)</h2>",
        "<p class='muted'>Ties are broken by gene id (ascending); degree in parentheses.</p>",
        "<div class='flex'>",
        _table(hub_rows, ["rank", *names], left=tuple(range(1, len(names) + 1))),
    ]
    if ov_rows:
        parts.append(
            _table(
                ov_rows, ["hub lists", "shared", "Jaccard", "shared genes"], left=(0, 3), wide=(3,)
            )
        )
    parts.append("</div>")
    parts.append(_img(figures["hubs"], "hub genes, activation/repression split"))
    parts.append(_img(figures["subnetwork"], "hub-centred subnetwork"))
    cons = result.consistency.get("predicted")
    if cons is not None and not cons.empty:
        top = cons.head(15)
        parts += [
            "<h3>Sign consistency of the predicted network's largest regulators</h3>",
            _table(
                top[
                    ["regulator", "n_edges", "activation", "repression", "majority", "consistency"]
                ].itertuples(index=False),
                ["regulator", "edges", "activation", "repression", "majority", "consistency"],
                left=(0, 4),
            ),
        ]

    # degree skew
    skew_rows = []
    for n, d in result.skew.items():
        for kind, r in d.items():
            skew_rows.append(
                [
                    n,
                    kind,
                    r.n,
                    r.status if r.status != "ok" else (r.preferred or ""),
                    r.alpha,
                    r.xmin,
                    r.n_tail,
                    r.loglikelihood_ratio,
                    r.p_value,
                    r.reason or "",
                ]
            )
    parts += [
        "<h2>Degree distributions</h2>",
        _img(figures["degree_ccdf"], "degree CCDFs"),
        _table(
            skew_rows,
            [
                "network",
                "degree",
                "genes (deg>0)",
                "verdict",
                "alpha",
                "xmin",
                "tail n",
                "R (PL vs LN)",
                "p",
                "reason",
            ],
            left=(0, 1, 3, 9),
        ),
        "<p class='muted'>Discrete power law (xmin by minimum KS distance) vs log-normal, "
        "<code>powerlaw</code> package (Alstott et al. 2014; Clauset et al. 2009). R &gt; 0 "
        "favours the power law; the verdict names a distribution only when p &lt; 0.1.</p>",
    ]

    # enrichment
    parts.append("<h2>Enrichment (over-representation)</h2>")
    if result.universe is None:
        parts.append("<p>No gene-set library was given.</p>")
    else:
        parts.append(
            f"<p>Background: {_esc(result.universe.describe())}. Hypergeometric test (one-sided), "
            "Benjamini–Hochberg FDR over all tested sets, odds ratio with a Haldane correction "
            "only for tables with a zero cell.</p>"
        )
        if result.gene_lists:
            parts.append(
                _table(
                    [
                        (n, len(g), ", ".join(g[:30]) + (" …" if len(g) > 30 else ""))
                        for n, g in result.gene_lists.items()
                    ],
                    ["list", "genes", "members"],
                    left=(0, 2),
                    wide=(2,),
                )
            )
        for (lst, lib), table in result.enrichment.items():
            stem = f"enrichment_{_slug(lst)}_{_slug(lib)}"
            file = (enrichment_files or {}).get((lst, lib), "")
            top = table.head(cfg.top_terms)
            parts += [
                f"<h3>{_esc(lib)} — list '{_esc(lst)}'</h3>",
                f"<p class='muted'>{len(table):,} sets share at least one gene with the list; "
                f"{int((table['fdr'] < 0.05).sum()):,} at FDR &lt; 0.05. Full table: "
                f"<code>{_esc(file)}</code></p>",
                _img(figures[stem], f"enrichment dot plot {lib} {lst}"),
                _table(
                    [
                        (
                            i + 1,
                            r.term,
                            r.overlap,
                            r.set_size,
                            r.p_value,
                            r.fdr,
                            r.odds_ratio,
                            r.genes.replace(";", ", "),
                        )
                        for i, r in enumerate(top.itertuples(index=False))
                    ],
                    ["#", "term", "overlap", "set size", "p", "FDR", "odds ratio", "genes"],
                    left=(1, 7),
                    wide=(7,),
                ),
            ]
        cites = sorted({v["citation"] for v in result.libraries.values() if v.get("citation")})
        if cites:
            parts.append("<p class='muted'>Cite: " + " ".join(_esc(c) for c in cites) + "</p>")
    parts.append(
        "<h2>Files</h2><p class='muted'>"
        + ", ".join(f"<code>{_esc(f)}</code>" for f in summary.get("files", []))
        + "</p>"
    )
    parts.append("</body></html>")
    return "\n".join(parts)
