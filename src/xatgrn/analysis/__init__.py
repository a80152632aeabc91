"""Network analysis of predicted GRNs: degrees, hubs, degree skew, gene-set enrichment, report.

``analyze(predicted, prior, libraries, config)`` computes everything
(:mod:`~xatgrn.analysis.pipeline`); ``write_analysis_report`` writes the TSV tables, PNG/SVG
figures and one self-contained HTML file (:mod:`~xatgrn.analysis.report`, with the page from
:mod:`~xatgrn.analysis.html`; ``xatgrn analyze`` on the command line). The pieces are usable
alone: :mod:`~xatgrn.analysis.degree`, :mod:`~xatgrn.analysis.enrichment`,
:mod:`~xatgrn.analysis.gmt`, :mod:`~xatgrn.analysis.genesets`, :mod:`~xatgrn.analysis.figures`.

Imports here are lazy so that ``import xatgrn.analysis`` stays cheap (matplotlib, scipy and
powerlaw load on first use).
"""

from __future__ import annotations

from xatgrn.utils import lazy_exports

_EXPORTS = {
    "AnalysisConfig": "pipeline",
    "AnalysisResult": "pipeline",
    "analyze": "pipeline",
    "render_html": "html",
    "write_analysis_report": "report",
    "Networks": "network",
    "build_networks": "network",
    "load_network": "network",
    "degree_table": "degree",
    "degree_skew": "degree",
    "hub_genes": "degree",
    "hub_overlap": "degree",
    "sign_consistency": "degree",
    "GeneSetLibrary": "gmt",
    "read_gmt": "gmt",
    "LIBRARIES": "genesets",
    "load_library": "genesets",
    "ora": "enrichment",
}

__all__ = sorted(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)
