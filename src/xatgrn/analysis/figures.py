"""Figures of a network analysis (matplotlib, no pyplot state): CCDFs, hubs, enrichment, subnetwork.

Every function returns a :class:`matplotlib.figure.Figure` built without ``pyplot`` (so no
global backend or figure registry is touched; rendering is Agg); :func:`save_figure` writes
PNG and SVG atomically. Colours follow the Okabe-Ito palette (readable with colour-vision
deficiency): activation blue, repression vermillion.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from xatgrn.analysis.degree import ccdf
from xatgrn.utils import atomic_path

__all__ = [
    "COLORS",
    "degree_ccdf_figure",
    "enrichment_figure",
    "hub_bar_figure",
    "save_figure",
    "subnetwork_figure",
]

COLORS = {"activation": "#0072B2", "repression": "#D55E00"}
NETWORK_COLORS = {"prior": "#555555", "predicted": "#009E73", "novel": "#CC79A7"}
NETWORK_MARKERS = {"prior": "o", "predicted": "s", "novel": "^"}
_FONT = 11


def _style(ax) -> None:
    ax.tick_params(labelsize=_FONT - 1)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _short(text: str, width: int = 48) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def save_figure(
    fig: Figure,
    directory: str | Path,
    stem: str,
    formats: Sequence[str] = ("png", "svg"),
    dpi: int = 150,
) -> dict[str, Path]:
    """Write ``<directory>/<stem>.<fmt>`` for each format, atomically; returns the paths."""
    out = {}
    for fmt in formats:
        path = Path(directory) / f"{stem}.{fmt}"
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=fmt, dpi=dpi)
        out[fmt] = path
    return out


def degree_ccdf_figure(degrees: Mapping[str, pd.DataFrame]) -> Figure:
    """Log-log CCDF of in- and out-degree (two panels), one line per network.

    ``degrees``: network name -> :func:`~xatgrn.analysis.degree.degree_table`.
    """
    fig = Figure(figsize=(11, 4.4), layout="constrained")
    axes = fig.subplots(1, 2)
    for ax, kind in zip(axes, ("in", "out"), strict=True):
        plotted = 0
        for name, table in degrees.items():
            x, y = ccdf(table[f"{kind}_degree"].to_numpy())
            if x.size == 0:
                continue
            ax.loglog(
                x,
                y,
                marker=NETWORK_MARKERS.get(name, "o"),
                markersize=4,
                linestyle="-",
                linewidth=1,
                color=NETWORK_COLORS.get(name),
                label=f"{name} (n={int((table[f'{kind}_degree'] > 0).sum()):,})",
            )
            plotted += 1
        if plotted:
            ax.legend(fontsize=_FONT - 1, frameon=False)
        else:
            ax.text(0.5, 0.5, "no edges", ha="center", va="center", transform=ax.transAxes)
        ax.set_xlabel(f"{kind}-degree k", fontsize=_FONT)
        ax.set_ylabel("P(degree ≥ k)", fontsize=_FONT)
        ax.set_title(f"{kind}-degree CCDF", fontsize=_FONT + 1)
        ax.grid(True, which="major", alpha=0.3)
        _style(ax)
    return fig


def hub_bar_figure(hubs: Mapping[str, pd.DataFrame], degree: str = "total") -> Figure:
    """Horizontal bars of each network's hubs (rank 1 on top), split by activation / repression."""
    names = [n for n, h in hubs.items() if h is not None]
    k = max((len(hubs[n]) for n in names), default=1) or 1
    fig = Figure(figsize=(4.2 * max(len(names), 1) + 0.6, 0.36 * k + 1.6), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, max(len(names), 1)))
    for ax, name in zip(axes, names or [None], strict=True):
        table = hubs[name] if name is not None else pd.DataFrame()
        _style(ax)
        if name is None or table.empty:
            ax.text(0.5, 0.5, "no edges", ha="center", va="center", transform=ax.transAxes)
            ax.set_title(name or "", fontsize=_FONT + 1)
            ax.set_yticks([])
            continue
        y = np.arange(len(table))[::-1]
        act = table["activation"].to_numpy()
        rep = table["repression"].to_numpy()
        ax.barh(y, act, color=COLORS["activation"], label="activation")
        ax.barh(y, rep, left=act, color=COLORS["repression"], label="repression")
        ax.set_yticks(y, table["gene"].tolist(), fontsize=_FONT)
        ax.set_xlabel(f"{degree} degree", fontsize=_FONT)
        ax.set_title(f"{name} hubs", fontsize=_FONT + 1)
        ax.set_ylim(-0.6, k - 0.4)
        for yi, total in zip(y, act + rep, strict=True):
            ax.text(total, yi, f" {total}", va="center", fontsize=_FONT - 2)
        ax.margins(x=0.12)
    handles = [Line2D([], [], color=c, linewidth=8, label=t) for t, c in COLORS.items()]
    fig.legend(handles=handles, loc="outside lower center", ncol=2, frameon=False, fontsize=_FONT)
    return fig


def enrichment_figure(table: pd.DataFrame, title: str = "", top: int = 15) -> Figure:
    """Dot plot of the ``top`` terms: x = -log10 FDR, y = term, dot size = overlap.

    The dashed line marks FDR = 0.05; colour shows the odds ratio (log10).
    """
    shown = table.head(top).iloc[::-1]
    fig = Figure(figsize=(9.5, 0.34 * max(len(shown), 3) + 1.6), layout="constrained")
    ax = fig.subplots()
    _style(ax)
    if shown.empty:
        ax.text(0.5, 0.5, "no overlapping sets", ha="center", va="center", transform=ax.transAxes)
        ax.set_title(title, fontsize=_FONT + 1)
        return fig
    x = -np.log10(np.clip(shown["fdr"].to_numpy(dtype=float), 1e-300, 1.0))
    y = np.arange(len(shown))
    overlap = shown["overlap"].to_numpy()
    sizes = 30 + 220 * overlap / max(overlap.max(), 1)
    color = np.log10(np.clip(shown["odds_ratio"].to_numpy(dtype=float), 1e-3, 1e6))
    points = ax.scatter(x, y, s=sizes, c=color, cmap="viridis", edgecolors="black", linewidths=0.4)
    ax.set_yticks(y, [_short(t) for t in shown["term"]], fontsize=_FONT - 1)
    ax.axvline(-np.log10(0.05), color="grey", linestyle="--", linewidth=1)
    ax.set_xlabel("-log10 FDR (Benjamini-Hochberg)", fontsize=_FONT)
    ax.set_title(title, fontsize=_FONT + 1)
    ax.set_xlim(left=0, right=max(x.max(), 1.5) * 1.08)
    ax.set_ylim(-0.7, len(shown) - 0.3)
    bar = fig.colorbar(points, ax=ax, pad=0.01, shrink=0.8)
    bar.set_label("log10 odds ratio", fontsize=_FONT - 1)
    sizes_legend = sorted({int(overlap.min()), int(overlap.max())})
    handles = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markerfacecolor="white",
            markeredgecolor="black",
            markersize=np.sqrt(30 + 220 * s / max(overlap.max(), 1)),
            label=f"{s} genes",
        )
        for s in sizes_legend
    ]
    fig.legend(
        handles=handles,
        title="overlap",
        fontsize=_FONT - 1,
        title_fontsize=_FONT - 1,
        loc="outside lower center",
        ncol=len(handles),
        frameon=False,
    )
    return fig


def _neighbourhood(edges: pd.DataFrame, hubs: Sequence[str], max_neighbours: int) -> pd.DataFrame:
    """Edges from each hub to its ``max_neighbours`` best neighbours, plus hub-hub edges.

    Neighbours are ranked by edge score (descending; missing last), then by their number of
    edges in ``edges``, then id: deterministic.
    """
    hubs = list(hubs)
    deg = pd.concat([edges["regulator"], edges["target"]]).value_counts()
    out_e = edges[edges["regulator"].isin(hubs)].assign(
        hub=lambda d: d["regulator"], nb=lambda d: d["target"]
    )
    in_e = edges[edges["target"].isin(hubs)].assign(
        hub=lambda d: d["target"], nb=lambda d: d["regulator"]
    )
    both = pd.concat([out_e, in_e], ignore_index=True)
    both = both[~both["nb"].isin(hubs)]
    rank = {h: i for i, h in enumerate(hubs)}
    both = both.assign(
        hub_rank=both["hub"].map(rank).to_numpy(),
        nb_degree=both["nb"].map(deg).fillna(0).to_numpy(),
        neg_score=-both["score"],
    )
    both = both.sort_values(
        ["hub_rank", "neg_score", "nb_degree", "nb"],
        ascending=[True, True, False, True],
        na_position="last",
        kind="mergesort",
    )
    picked = both.groupby("hub", sort=False).head(max_neighbours)
    hub_hub = edges[edges["regulator"].isin(hubs) & edges["target"].isin(hubs)]
    keep = pd.concat([picked[list(edges.columns)], hub_hub], ignore_index=True)
    return keep.drop_duplicates(["regulator", "target"])


def _layout(graph, hubs: Sequence[str], sub: pd.DataFrame) -> dict:
    """Hubs on a circle (rank 1 on top, clockwise), each hub's neighbours on a fan outside it.

    Deterministic. Hubs of real GRNs regulate each other densely, so a (seeded) spring layout
    piles them into one unreadable knot, and even a spring relaxation with the hubs held
    fixed drags shared neighbours into the middle; the fan keeps every hub's neighbours beside
    it. A neighbour of several hubs sits by the first (best-ranked) of them.
    """
    n_hubs = len(hubs)
    angles = np.pi / 2 - 2 * np.pi * np.arange(n_hubs) / max(n_hubs, 1)
    radius = 0.0 if n_hubs == 1 else 1.0
    pos = {h: radius * np.array([np.cos(a), np.sin(a)]) for h, a in zip(hubs, angles, strict=True)}
    hub_set = set(hubs)
    links = pd.concat(
        [
            sub.loc[sub["regulator"].isin(hub_set), ["target", "regulator"]].set_axis(
                ["nb", "hub"], axis=1
            ),
            sub.loc[sub["target"].isin(hub_set), ["regulator", "target"]].set_axis(
                ["nb", "hub"], axis=1
            ),
        ]
    )
    links = links[~links["nb"].isin(hub_set)].drop_duplicates("nb")
    width = min(0.6, 2 * np.pi / max(n_hubs, 1) * 0.8)  # lateral room per hub (circle units)
    for hub, group in links.groupby("hub", sort=False):
        j = np.arange(len(group))
        if n_hubs == 1:  # one hub: its neighbours on a circle around it
            ang = np.pi / 2 - 2 * np.pi * j / len(group)
            xy = np.column_stack([np.cos(ang), np.sin(ang)])
        else:  # rows of 3 on the outside of the hub, across its share of the circle
            centre = pos[hub]
            u = centre / np.linalg.norm(centre)
            v = np.array([-u[1], u[0]])
            row, col = j // 3, j % 3
            in_row = np.minimum(3, len(group) - row * 3)
            lateral = ((col + 0.5) / in_row - 0.5) * width
            radial = 0.42 + 0.28 * row
            xy = centre + radial[:, None] * u + lateral[:, None] * v
        for nb, point in zip(group["nb"], xy, strict=True):
            pos[nb] = point
    for node in graph:
        pos.setdefault(node, np.zeros(2))
    return pos


def subnetwork_figure(
    edges: pd.DataFrame,
    hubs: Sequence[str],
    *,
    max_neighbours: int = 8,
    title: str = "",
) -> Figure:
    """Hub-centred subnetwork: hubs, their best ``max_neighbours`` neighbours, typed edges.

    Hubs sit on a circle with their neighbours fanned out beside them (deterministic: see
    :func:`_layout`); hubs are large and labelled, neighbours small (labelled
    while the drawing has at most 90 nodes); edges are coloured by type.
    """
    import networkx as nx

    fig = Figure(figsize=(11, 9), layout="constrained")
    ax = fig.subplots()
    ax.set_axis_off()
    ax.set_title(title, fontsize=_FONT + 2)
    sub = _neighbourhood(edges, hubs, max_neighbours) if len(hubs) else edges.iloc[:0]
    if sub.empty:
        ax.text(0.5, 0.5, "no edges", ha="center", va="center", transform=ax.transAxes)
        return fig
    graph = nx.DiGraph()
    graph.add_nodes_from(sorted(set(sub["regulator"]) | set(sub["target"]) | set(hubs)))
    graph.add_edges_from(zip(sub["regulator"], sub["target"], strict=True))
    hub_set = [h for h in hubs if h in graph]
    pos = _layout(graph, hub_set, sub)
    others = [n for n in graph if n not in set(hub_set)]
    nx.draw_networkx_nodes(
        graph,
        pos,
        nodelist=others,
        node_size=90,
        node_color="#dddddd",
        edgecolors="#777777",
        linewidths=0.5,
        ax=ax,
    )
    nx.draw_networkx_nodes(
        graph,
        pos,
        nodelist=hub_set,
        node_size=1200,
        node_color="#F0E442",
        edgecolors="black",
        linewidths=1.0,
        ax=ax,
    )
    for kind, color in COLORS.items():
        part = sub[sub["type"] == kind]
        nx.draw_networkx_edges(
            graph,
            pos,
            edgelist=list(zip(part["regulator"], part["target"], strict=True)),
            edge_color=color,
            width=1.1,
            alpha=0.75,
            arrows=True,
            arrowsize=9,
            node_size=[1200 if n in set(hub_set) else 90 for n in graph],
            connectionstyle="arc3,rad=0.08",
            ax=ax,
        )
    nx.draw_networkx_labels(
        graph, pos, labels={h: h for h in hub_set}, font_size=_FONT, font_weight="bold", ax=ax
    )
    if graph.number_of_nodes() <= 90:
        shifted = {n: (x, y - 0.035) for n, (x, y) in pos.items()}
        nx.draw_networkx_labels(
            graph,
            shifted,
            labels={n: n for n in others},
            font_size=_FONT - 3,
            verticalalignment="top",
            ax=ax,
        )
    handles = [Line2D([], [], color=c, linewidth=2, label=t) for t, c in COLORS.items()]
    ax.legend(handles=handles, loc="lower right", fontsize=_FONT, frameon=False)
    return fig
