"""analyze + write_report on a small simulated case: tables, summary, self-contained HTML."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from xatgrn.analysis.gmt import read_gmt
from xatgrn.analysis.report import AnalysisConfig, analyze, write_report
from xatgrn.errors import XatgrnInputError


@pytest.fixture(scope="module")
def report(toy_case, tmp_path_factory):
    lib = read_gmt(toy_case["gmt"])
    cfg = AnalysisConfig(
        top_k=4,
        lists=("hubs", "prior-hubs", "novel-hubs", "targets:g0001"),
        figure_formats=("png",),
    )
    result = analyze(toy_case["predicted"], toy_case["prior"], [lib], cfg)
    out = tmp_path_factory.mktemp("report") / "rep"
    html = write_report(result, out, note="Compared with the paper:\n\nline <b>two</b>")
    return result, out, html


def test_analysis_numbers_are_consistent(report, toy_case):
    result, _, _ = report
    nets = result.networks
    assert len(nets.supported) + len(nets.novel) == len(nets.predicted)
    assert result.summaries["prior"]["edges"] == len(toy_case["prior"])
    typed = toy_case["predicted"]["predicted_type"] != "none"
    assert result.summaries["predicted"]["edges"] == int(typed.sum())
    for name in ("prior", "predicted", "novel"):
        assert len(result.hubs[name]) <= 4
    assert result.hub_overlaps["prior_vs_predicted"]["shared"] <= 4
    assert ("hubs", "toy") in result.enrichment


def test_report_files_and_summary(report):
    result, out, _ = report
    for name in (
        "degrees.tsv",
        "hubs.tsv",
        "sign_consistency.tsv",
        "degree_skew.tsv",
        "novel_edges.tsv",
    ):
        assert (out / name).is_file(), name
    hubs = pd.read_csv(out / "hubs.tsv", sep="\t")
    assert set(hubs["network"]) == {"prior", "predicted", "novel"}
    summary = json.loads((out / "summary.json").read_text())
    assert summary["hubs"]["predicted"] == result.hubs["predicted"]["gene"].tolist()
    assert summary["degree_skew"]["prior"]["out"]["status"] in ("ok", "not enough data")
    for f in summary["files"]:
        assert (out / f).exists(), f
    enrich = pd.read_csv(out / "enrichment_hubs_toy.tsv", sep="\t")
    assert enrich["p_value"].is_monotonic_increasing


def test_html_is_self_contained(report):
    _, _, html_path = report
    page = html_path.read_text(encoding="utf-8")
    imgs = re.findall(r"<img[^>]*>", page)
    assert len(imgs) >= 4
    assert all('src="data:image/png;base64,' in tag for tag in imgs)
    assert not re.search(r"""(src|href)=["']?(https?:|file:|/)""", page)
    assert "<link" not in page and "<script" not in page
    assert "line &lt;b&gt;two&lt;/b&gt;" in page  # the note is escaped text
    for section in ("Summary", "Hub genes", "Degree distributions", "Enrichment"):
        assert f"<h2>{section}" in page


def test_refuses_to_overwrite(report):
    result, out, _ = report
    with pytest.raises(XatgrnInputError, match=r"report folder exists and is not empty.*--force"):
        write_report(result, out)


def test_prior_as_prediction_skips_empty_lists(toy_case, tmp_path):
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
    with pytest.raises(XatgrnInputError, match="unknown degree"):
        AnalysisConfig(degree="both").validate()
