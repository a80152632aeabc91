"""The analysis report as one self-contained HTML page: CSS inline, figures as data URIs.

Nothing is linked: the page opens anywhere (e-mail, an air-gapped machine) and stays whole when
moved. :func:`render_html` only formats; the numbers come from
:func:`~xatgrn.analysis.pipeline.analyze` and the files from
:func:`~xatgrn.analysis.report.write_analysis_report`.
"""

from __future__ import annotations

import base64
import html
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from xatgrn.analysis.pipeline import AnalysisResult, enrichment_stem

__all__ = ["render_html"]

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
            stem = enrichment_stem(lst, lib)
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
