"""Network analysis of predicted GRNs: degrees, hubs, degree skew, gene-set enrichment, report.

``analyze(predicted, prior, libraries, config)`` computes everything; ``write_report`` writes
the TSV tables, PNG/SVG figures and one self-contained HTML file (``xatgrn analyze`` on the
command line). The pieces are usable alone: :mod:`~xatgrn.analysis.degree`,
:mod:`~xatgrn.analysis.enrichment`, :mod:`~xatgrn.analysis.gmt`,
:mod:`~xatgrn.analysis.genesets`, :mod:`~xatgrn.analysis.figures`.

Imports here are lazy so that ``import xatgrn.analysis`` stays cheap (matplotlib, scipy and
powerlaw load on first use).
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "AnalysisConfig": "report",
    "AnalysisResult": "report",
    "analyze": "report",
    "write_report": "report",
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


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
