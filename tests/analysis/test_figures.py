"""Every figure renders to PNG and SVG, also for empty inputs."""

from __future__ import annotations

import pandas as pd

from xatgrn.analysis.degree import degree_table, hub_genes
from xatgrn.analysis.figures import (
    degree_ccdf_figure,
    enrichment_figure,
    hub_bar_figure,
    save_figure,
    subnetwork_figure,
)
from xatgrn.analysis.network import as_edges

EMPTY = pd.DataFrame({"regulator": [], "target": [], "type": [], "score": []})


def test_figures_write_png_and_svg(tmp_path, toy_case):
    edges = as_edges(toy_case["predicted"])
    deg = degree_table(edges)
    hubs = hub_genes(deg, 5)
    enrichment = pd.DataFrame(
        {
            "term": ["a long term name " * 4, "b"],
            "overlap": [3, 1],
            "fdr": [1e-4, 0.3],
            "odds_ratio": [12.0, 1.5],
        }
    )
    figs = {
        "ccdf": degree_ccdf_figure({"predicted": deg, "empty": degree_table(EMPTY)}),
        "hubs": hub_bar_figure({"predicted": hubs, "novel": hubs.iloc[:0]}),
        "enrich": enrichment_figure(enrichment, "toy"),
        "sub": subnetwork_figure(edges, hubs["gene"].tolist(), max_neighbours=3),
        "sub1": subnetwork_figure(edges, hubs["gene"].tolist()[:1]),
        "sub0": subnetwork_figure(EMPTY, []),
        "enrich0": enrichment_figure(enrichment.iloc[:0]),
    }
    for stem, fig in figs.items():
        formats = ("png", "svg") if stem == "sub" else ("png",)
        paths = save_figure(fig, tmp_path, stem, formats, dpi=50)
        assert paths["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in (tmp_path / "sub.svg").read_bytes()[:2000]
