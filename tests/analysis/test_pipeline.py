"""analyze() on a hand-made case (every number checked by hand), config checks, the summary."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from xatgrn.analysis.gmt import read_gmt
from xatgrn.analysis.pipeline import (
    LIST_KINDS,
    AnalysisConfig,
    _jsonable,
    analyze,
    enrichment_stem,
)
from xatgrn.errors import XatgrnInputError


@pytest.fixture(scope="module")
def result(tiny_case):
    cfg = AnalysisConfig(
        top_k=2, lists=("hubs", "prior-hubs", "novel-hubs", "novel-targets", "targets:E")
    )
    t = tiny_case
    return analyze(t["predicted"], t["prior"], [t["library"]], cfg, inputs={"predicted": "p.tsv"})


def test_networks_split_and_type_agreement(result):
    nets = result.networks
    pairs = lambda df: list(zip(df["regulator"], df["target"], strict=True))  # noqa: E731
    assert pairs(nets.supported) == [("A", "B"), ("A", "C"), ("B", "C")]
    assert pairs(nets.novel) == [("A", "E"), ("E", "F"), ("E", "B")]
    assert nets.type_agreement() == pytest.approx(2 / 3)
    assert list(result.summaries) == ["prior", "predicted", "novel", "prior_supported"]
    assert result.summaries["predicted"] == {
        "edges": 6,
        "genes": 5,
        "regulators": 3,
        "targets": 4,
        "activation": 4,
        "repression": 2,
        "self_loops": 0,
        "mean_sign_consistency": 1.0,  # A: 3 activations, E: 2 repressions (B has 1 edge)
        "share_single_sign": 1.0,
    }
    assert result.summaries["prior_supported"]["edges"] == 3


def test_hubs_ties_overlaps_and_notes(result):
    hubs = {name: h["gene"].tolist() for name, h in result.hubs.items()}
    # predicted total degree: A 3, B 3, E 3, C 2, F 1 -> A, B (E cut by the id rule)
    assert hubs == {"prior": ["A", "B"], "predicted": ["A", "B"], "novel": ["E", "A"]}
    assert result.hub_ties == {"prior": 0, "predicted": 1, "novel": 2}
    assert result.hub_overlaps == {
        "prior_vs_predicted": {
            "n_a": 2,
            "n_b": 2,
            "shared": 2,
            "jaccard": 1.0,
            "genes": ["A", "B"],
        },
        "prior_vs_novel": {"n_a": 2, "n_b": 2, "shared": 1, "jaccard": 1 / 3, "genes": ["A"]},
        "predicted_vs_novel": {"n_a": 2, "n_b": 2, "shared": 1, "jaccard": 1 / 3, "genes": ["A"]},
    }
    assert result.notes == [
        "predicted: 1 more gene(s) share the degree of hub #2 and were cut by the tie rule "
        "(gene id ascending).",
        "novel: 2 more gene(s) share the degree of hub #2 and were cut by the tie rule "
        "(gene id ascending).",
    ]
    assert result.consistency["predicted"]["regulator"].tolist() == ["A", "E", "B"]
    assert set(result.skew) == {"prior", "predicted", "novel"}
    assert result.skew["predicted"]["in"].status == "not enough data"


def test_gene_lists_and_enrichment(result):
    assert result.gene_lists == {
        "hubs": ["A", "B"],
        "prior-hubs": ["A", "B"],
        "novel-hubs": ["E", "A"],
        "novel-targets": ["B", "E", "F"],
        "targets:E": ["B", "F"],
    }
    # universe: the dataset genes A..F; ORA keeps those the library mentions (N = 5, not D)
    assert result.universe.genes == ("A", "B", "C", "D", "E", "F")
    hubs = result.enrichment[("hubs", "lib")]
    assert hubs["term"].tolist() == ["S1"]
    assert hubs["p_value"].iloc[0] == pytest.approx(1 / math.comb(5, 2))  # both of S1's genes
    targets = result.enrichment[("targets:E", "lib")]  # B, F: one gene each of S1 and S2
    assert targets["term"].tolist() == ["S1", "S2"] and targets["genes"].tolist() == ["B", "F"]
    np.testing.assert_allclose(targets["p_value"], 1 - math.comb(3, 2) / math.comb(5, 2))
    assert result.libraries["lib"]["sets"] == 3 and result.inputs == {"predicted": "p.tsv"}


def test_summary_is_json_ready(result):
    s = result.summary()
    json.dumps(s, allow_nan=False)
    assert s["hubs"] == {"prior": ["A", "B"], "predicted": ["A", "B"], "novel": ["E", "A"]}
    assert s["hub_cutoff_ties"] == {"prior": 0, "predicted": 1, "novel": 2}
    assert s["type_agreement_with_prior"] == pytest.approx(2 / 3)
    assert s["enrichment"]["hubs|lib"] == {
        "list": "hubs",
        "library": "lib",
        "tested_with_overlap": 1,
        "fdr_below_0.05": 0,
        "top_terms": ["S1"],
    }
    assert s["config"]["top_k"] == 2 and s["config"]["lists"][-1] == "targets:E"
    assert s["background"] == "6 dataset genes (sets intersected)"


def test_jsonable_cleans_numpy_nan_paths_and_tuples():
    got = _jsonable({1: (np.int64(3), np.float64("nan"), Path("a/b"), float("inf"), 0.5)})
    assert got == {"1": [3, None, "a/b", None, 0.5]}
    assert type(got["1"][0]) is int


def test_enrichment_stem_is_file_safe():
    assert enrichment_stem("targets:GENE 1", "GO/BP 2023") == "enrichment_targets_GENE_1_GO_BP_2023"
    assert (
        enrichment_stem("novel-hubs", "MSigDB_Hallmark") == "enrichment_novel-hubs_MSigDB_Hallmark"
    )


def test_no_prior_and_no_flags_leaves_novel_unknown(tiny_case):
    cfg = AnalysisConfig(top_k=2, lists=("hubs", "novel-hubs"))
    result = analyze(tiny_case["predicted"], None, [tiny_case["library"]], cfg)
    assert result.networks.novel is None and list(result.hubs) == ["predicted"]
    assert result.notes[0].startswith("No prior and no in_prior column")
    assert "Enrichment of 'novel-hubs' skipped: its network is unknown (no prior)." in result.notes
    assert list(result.gene_lists) == ["hubs"]


def test_without_libraries_no_enrichment(tiny_case):
    result = analyze(tiny_case["predicted"], tiny_case["prior"], [], AnalysisConfig(top_k=1))
    assert result.universe is None and result.enrichment == {} and result.gene_lists == {}


def test_prior_as_prediction_skips_empty_lists(toy_case):
    lib = read_gmt(toy_case["gmt"])
    result = analyze(toy_case["prior"], toy_case["prior"], [lib], AnalysisConfig(top_k=3))
    assert result.networks.novel.empty
    assert any("novel-hubs" in n and "empty" in n for n in result.notes)
    assert result.skew["novel"]["in"].status == "not enough data"


def test_no_overlap_with_library_errors_or_skips(toy_case, genesets_dir):
    from xatgrn.analysis.genesets import load_library

    lib = load_library("MSigDB_Hallmark", genesets_dir)  # human symbols vs g0001...
    with pytest.raises(XatgrnInputError, match=r"none of the .* genes of list 'hubs'"):
        analyze(toy_case["predicted"], toy_case["prior"], [lib], AnalysisConfig(lists=("hubs",)))
    result = analyze(
        toy_case["predicted"],
        toy_case["prior"],
        [lib],
        AnalysisConfig(lists=("hubs",), on_no_overlap="skip"),
    )
    assert not result.enrichment and any("skipped" in n for n in result.notes)


def test_bad_config_values():
    with pytest.raises(XatgrnInputError, match="unknown gene list 'hub'"):
        AnalysisConfig(lists=("hub",)).validate()
    with pytest.raises(XatgrnInputError, match="unknown gene list 'targets:'"):
        AnalysisConfig(lists=("targets:",)).validate()
    with pytest.raises(XatgrnInputError, match="unknown degree"):
        AnalysisConfig(degree="both").validate()
    with pytest.raises(XatgrnInputError, match="top-k must be >= 1, got 0"):
        AnalysisConfig(top_k=0).validate()
    with pytest.raises(XatgrnInputError, match="on_no_overlap 'warn'"):
        AnalysisConfig(on_no_overlap="warn").validate()
    cfg = AnalysisConfig(lists=(*LIST_KINDS[:-1], "targets:g1"))
    assert cfg.validate() is cfg
