"""Figure content on hand-made networks: titles, axis labels, legends, bars, points, lines.

Each figure is inspected as a matplotlib Figure before saving, and the SVG written by
save_figure is checked for the same texts (matplotlib writes each text as an SVG comment).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from xatgrn.analysis.degree import degree_table, hub_genes
from xatgrn.analysis.figures import (
    COLORS,
    _layout,
    _neighbourhood,
    degree_ccdf_figure,
    enrichment_figure,
    hub_bar_figure,
    save_figure,
    subnetwork_figure,
)


def edges(rows: str) -> pd.DataFrame:
    """'A>B+ A>C- ...' -> typed edge table (+ activation, - repression)."""
    parsed = [(r.split(">")[0], r.split(">")[1][:-1], r[-1]) for r in rows.split()]
    return pd.DataFrame(
        {
            "regulator": [p[0] for p in parsed],
            "target": [p[1] for p in parsed],
            "type": ["activation" if p[2] == "+" else "repression" for p in parsed],
            "score": np.nan,
        }
    )


# total degrees: A 4 (3 act, 1 rep), C 4 (1 act, 3 rep: C>C counts twice), B 2, D 2
NET = edges("A>B+ A>C- A>D+ B>C+ C>C- D>A+")
EMPTY = NET.iloc[:0]
ENRICH = pd.DataFrame(
    {
        "term": ["a long term name " * 4, "b"],
        "overlap": [3, 1],
        "fdr": [1e-4, 0.3],
        "odds_ratio": [12.0, 1.5],
    }
)


def _texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


def _legend(legend) -> list[str]:
    return [t.get_text() for t in legend.get_texts()]


def test_hub_bars_stack_activation_and_repression(tmp_path):
    hubs = hub_genes(degree_table(NET), 3)
    fig = hub_bar_figure({"predicted": hubs, "novel": hubs.iloc[:0]})
    ax, empty = fig.axes
    assert (ax.get_title(), ax.get_xlabel()) == ("predicted hubs", "total degree")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["A", "C", "B"]  # rank 1 on top
    assert ax.get_yticks().tolist() == [2, 1, 0]
    bars = [(float(p.get_x()), float(p.get_width())) for p in ax.patches]
    # activation bars from 0, then repression bars starting where activation ends
    assert bars == [(0, 3), (0, 1), (0, 2), (3, 1), (1, 3), (2, 0)]
    assert [p.get_facecolor() for p in ax.patches[:3]] == [ax.patches[0].get_facecolor()] * 3
    assert _texts(ax) == [" 4", " 4", " 2"]
    assert (empty.get_title(), _texts(empty), len(empty.patches)) == ("novel", ["no edges"], 0)
    assert _legend(fig.legends[0]) == ["activation", "repression"]
    svg = save_figure(fig, tmp_path, "hubs", ("svg",))["svg"].read_text()
    for text in ("predicted hubs", "total degree", "A", "C", "B", "novel", "no edges"):
        assert f"<!-- {text} -->" in svg, text
    assert "<!-- activation -->" in svg and "<!-- repression -->" in svg


def test_hub_bars_by_out_degree_label_the_axis():
    fig = hub_bar_figure({"prior": hub_genes(degree_table(NET), 1, "out")}, "out")
    assert fig.axes[0].get_xlabel() == "out degree"
    assert [float(p.get_width()) for p in fig.axes[0].patches] == [2, 1]  # A: 2 act, 1 rep


def test_degree_ccdf_lines_are_the_ccdf():
    fig = degree_ccdf_figure({"predicted": degree_table(NET), "empty": degree_table(EMPTY)})
    ax_in, ax_out = fig.axes
    assert [ax_in.get_title(), ax_in.get_xlabel(), ax_in.get_ylabel()] == [
        "in-degree CCDF",
        "in-degree k",
        "P(degree ≥ k)",
    ]
    assert (ax_out.get_title(), ax_out.get_xscale(), ax_out.get_yscale()) == (
        "out-degree CCDF",
        "log",
        "log",
    )
    # in-degrees A1 B1 C3 D1 -> P(>=1) = 1, P(>=3) = 1/4; the empty network draws no line
    (line,) = ax_in.get_lines()
    assert line.get_xdata().tolist() == [1, 3] and line.get_ydata().tolist() == [1.0, 0.25]
    assert _legend(ax_in.get_legend()) == ["predicted (n=4)"]
    (line,) = ax_out.get_lines()  # out-degrees A3 B1 C1 D1
    assert line.get_xdata().tolist() == [1, 3] and line.get_ydata().tolist() == [1.0, 0.25]


def test_degree_ccdf_of_no_edges_says_so():
    fig = degree_ccdf_figure({"prior": degree_table(EMPTY)})
    assert [_texts(ax) for ax in fig.axes] == [["no edges"], ["no edges"]]
    assert [ax.get_lines() for ax in fig.axes] == [[], []]


def test_enrichment_dots_are_minus_log10_fdr(tmp_path):
    fig = enrichment_figure(ENRICH, "toy")
    ax = fig.axes[0]
    assert (ax.get_title(), ax.get_xlabel()) == ("toy", "-log10 FDR (Benjamini-Hochberg)")
    (points,) = ax.collections
    xy = points.get_offsets()
    # best term on top: row 0 (fdr 1e-4) at y = 1, row 1 (fdr 0.3) at y = 0
    np.testing.assert_allclose(xy, [[-math.log10(0.3), 0.0], [4.0, 1.0]])
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["b", ("a long term name " * 4)[:47] + "…"]
    # dot area grows with the overlap: 30 + 220 * overlap / max overlap
    np.testing.assert_allclose(points.get_sizes(), [30 + 220 / 3, 250])
    np.testing.assert_allclose(points.get_array(), np.log10([1.5, 12.0]))
    (fdr_line,) = ax.get_lines()
    np.testing.assert_allclose(fdr_line.get_xdata(), [-math.log10(0.05)] * 2)
    assert fig.axes[1].get_ylabel() == "log10 odds ratio"  # the colour bar
    (legend,) = fig.legends
    assert legend.get_title().get_text() == "overlap"
    assert _legend(legend) == ["1 genes", "3 genes"]
    svg = save_figure(fig, tmp_path, "enrich", ("svg",))["svg"].read_text()
    for text in ("toy", "-log10 FDR (Benjamini-Hochberg)", "b", "overlap", "3 genes"):
        assert f"<!-- {text} -->" in svg, text


def test_enrichment_top_and_empty():
    assert len(enrichment_figure(ENRICH, top=1).axes[0].collections[0].get_offsets()) == 1
    empty = enrichment_figure(ENRICH.iloc[:0], "none here")
    assert _texts(empty.axes[0]) == ["no overlapping sets"]
    assert empty.axes[0].get_title() == "none here" and not empty.legends


def test_neighbourhood_ranks_neighbours_and_keeps_hub_hub_edges():
    net = edges("A>B+ A>C- A>D+ B>C+ C>C- D>A+ A>E+ E>F-")
    sub = _neighbourhood(net, ["A", "C"], 2)
    # A's neighbours by degree, then id: B (3), D (2; E also 2 but later by id); C's only
    # non-hub neighbour is B; hub-hub edges A>C and C>C are kept
    pairs = list(zip(sub["regulator"], sub["target"], strict=True))
    assert pairs == [("A", "B"), ("A", "D"), ("B", "C"), ("A", "C"), ("C", "C")]


def test_layout_puts_hubs_on_a_circle_rank_one_on_top():
    sub = edges("A>B+ C>D-")
    pos = _layout(["A", "B", "C", "D"], ["A", "C"], sub)
    np.testing.assert_allclose(pos["A"], [0, 1], atol=1e-12)
    np.testing.assert_allclose(pos["C"], [0, -1], atol=1e-12)
    np.testing.assert_allclose(pos["B"], [0, 1.42], atol=1e-12)  # fanned out beyond its hub
    np.testing.assert_allclose(pos["D"], [0, -1.42], atol=1e-12)


def test_subnetwork_draws_hubs_neighbours_and_typed_edges(tmp_path):
    net = edges("A>B+ A>C- A>D+ B>C+ C>C- D>A+ A>E+ E>F-")
    fig = subnetwork_figure(net, ["A", "C"], max_neighbours=2, title="around A and C")
    ax = fig.axes[0]
    assert ax.get_title() == "around A and C"
    assert _texts(ax) == ["A", "C", "B", "D"]  # hub labels, then neighbour labels
    others, hubs = ax.collections  # neighbour nodes first, hubs on top
    assert len(others.get_offsets()) == 2 and len(hubs.get_offsets()) == 2
    # 5 edges: A>B, A>D, B>C activation; A>C and the self-loop C>C repression
    colors = [p.get_edgecolor()[:3] for p in ax.patches]
    act = tuple(int(COLORS["activation"][i : i + 2], 16) / 255 for i in (1, 3, 5))
    assert len(colors) == 5
    assert sum(np.allclose(c, act) for c in colors) == 3
    assert _legend(ax.get_legend()) == ["activation", "repression"]
    svg = save_figure(fig, tmp_path, "sub", ("png", "svg"), dpi=50)
    assert svg["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<!-- around A and C -->" in svg["svg"].read_text()


@pytest.mark.parametrize("hubs", [[], ["Z"]])
def test_subnetwork_without_edges_says_so(hubs):
    ax = subnetwork_figure(NET.iloc[:0] if not hubs else NET, hubs).axes[0]
    assert _texts(ax) == ["no edges"] and not ax.collections
