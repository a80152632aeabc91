"""Analyse a predicted network (and its prior): degrees, hubs, overlaps, skew, enrichment.

:func:`analyze` (DataFrames in, :class:`AnalysisResult` out) does all the computing of a network
analysis; :mod:`xatgrn.analysis.report` writes the result as files and
:mod:`xatgrn.analysis.html` renders it as one page. Keeping the numbers apart from the writing
lets callers (the case-study benchmarks) analyse without touching the disk.

Gene lists for enrichment (``AnalysisConfig.lists``): ``hubs`` (of the predicted network),
``prior-hubs``, ``novel-hubs`` (hubs of the novel-only network), ``novel-targets`` (targets of
novel edges), ``targets:GENE`` (GENE's predicted targets). A list that is empty because its
network is (e.g. no novel edges) is skipped with a note in the report.
"""

from __future__ import annotations

import dataclasses
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
    hub_genes,
    hub_overlap,
    sign_consistency,
    type_summary,
)
from xatgrn.analysis.enrichment import Universe, ora, resolve_background
from xatgrn.analysis.gmt import GeneSetLibrary
from xatgrn.analysis.network import Networks, build_networks
from xatgrn.errors import XatgrnInputError, input_error

log = logging.getLogger(__name__)

__all__ = [
    "LIST_KINDS",
    "AnalysisConfig",
    "AnalysisResult",
    "analyze",
    "enrichment_stem",
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
    """Everything :func:`~xatgrn.analysis.report.write_analysis_report` needs; plain DataFrames."""

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


def enrichment_stem(list_name: str, library: str) -> str:
    """The file-safe name of one enrichment result: its TSV, its figure and the HTML use it."""
    return f"enrichment_{_slug(list_name)}_{_slug(library)}"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_")
