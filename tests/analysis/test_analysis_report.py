"""write_analysis_report: the files, their content, the summary, refusing to overwrite.

(Named test_analysis_report.py, not test_report.py: tests/evaluate has a test_report.py and
the test folders are not packages.)
"""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from xatgrn.analysis.gmt import read_gmt
from xatgrn.analysis.pipeline import AnalysisConfig, analyze
from xatgrn.analysis.report import write_analysis_report
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
    html = write_analysis_report(result, out, note="Compared with the paper:\n\nline <b>two</b>")
    return result, out, html


@pytest.fixture(scope="module")
def tiny_report(tiny_case, tmp_path_factory):
    t = tiny_case
    cfg = AnalysisConfig(top_k=2, lists=("hubs",), figure_formats=("png", "svg"))
    result = analyze(t["predicted"], t["prior"], [t["library"]], cfg)
    out = tmp_path_factory.mktemp("tiny") / "rep"
    return result, out, write_analysis_report(result, out, title="Tiny")


def test_tiny_report_tables_by_hand(tiny_report):
    _, out, html = tiny_report
    assert html == out / "report.html"
    hubs = pd.read_csv(out / "hubs.tsv", sep="\t")
    assert hubs.columns.tolist() == [
        "network",
        "rank",
        "gene",
        "degree",
        "in_degree",
        "out_degree",
        "activation",
        "repression",
    ]
    assert hubs[["network", "gene", "degree"]].values.tolist() == [
        ["prior", "A", 3],
        ["prior", "B", 3],
        ["predicted", "A", 3],
        ["predicted", "B", 3],
        ["novel", "E", 3],
        ["novel", "A", 1],
    ]
    degrees = pd.read_csv(out / "degrees.tsv", sep="\t", index_col=0)
    assert degrees.loc[
        "E", ["prior_total", "predicted_in", "predicted_out", "novel_total"]
    ].tolist() == [0, 1, 2, 3]
    novel = pd.read_csv(out / "novel_edges.tsv", sep="\t")
    assert novel[["regulator", "target", "type"]].values.tolist() == [
        ["A", "E", "activation"],
        ["E", "F", "repression"],
        ["E", "B", "repression"],
    ]
    assert "in_prior" not in novel.columns
    sc = pd.read_csv(out / "sign_consistency.tsv", sep="\t")
    assert sc[sc["network"] == "predicted"][
        ["regulator", "n_edges", "consistency"]
    ].values.tolist() == [
        ["A", 3, 1.0],
        ["E", 2, 1.0],
        ["B", 1, 1.0],
    ]
    skew = pd.read_csv(out / "degree_skew.tsv", sep="\t")
    assert skew[["network", "degree"]].values.tolist() == [
        [net, kind] for net in ("prior", "predicted", "novel") for kind in ("in", "out")
    ]
    enrich = pd.read_csv(out / "enrichment_hubs_lib.tsv", sep="\t")
    assert enrich["term"].tolist() == ["S1"] and enrich["p_value"].tolist() == [0.1]


def test_tiny_report_file_list_and_figures(tiny_report):
    _, out, _ = tiny_report
    summary = json.loads((out / "summary.json").read_text())
    figures = [
        f"figures/{stem}.{fmt}"
        for stem in ("degree_ccdf", "enrichment_hubs_lib", "hubs", "subnetwork")
        for fmt in ("png", "svg")
    ]
    assert summary["files"] == [
        "degree_skew.tsv",
        "degrees.tsv",
        "enrichment_hubs_lib.tsv",
        *figures,
        "hubs.tsv",
        "novel_edges.tsv",
        "sign_consistency.tsv",
        "summary.json",
        "report.html",
    ]
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()) == sorted(
        summary["files"]
    )
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<h1>Tiny</h1>" in page and len(re.findall(r"<img ", page)) == 4


def test_report_files_and_summary(report):
    result, out, _ = report
    hubs = pd.read_csv(out / "hubs.tsv", sep="\t")
    assert set(hubs["network"]) == {"prior", "predicted", "novel"}
    summary = json.loads((out / "summary.json").read_text())
    assert summary["hubs"]["predicted"] == result.hubs["predicted"]["gene"].tolist()
    assert summary["degree_skew"]["prior"]["out"] == json.loads(
        json.dumps(result.skew["prior"]["out"].to_dict())
    )
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


def test_refuses_to_overwrite_unless_forced(tiny_case, tmp_path):
    result = analyze(tiny_case["predicted"], None, [], AnalysisConfig(top_k=1, figure_formats=()))
    out = tmp_path / "rep"
    out.mkdir()
    (out / "mine.txt").write_text("keep")
    with pytest.raises(XatgrnInputError, match=r"report folder exists and is not empty.*--force"):
        write_analysis_report(result, out)
    write_analysis_report(result, out, force=True)
    assert (out / "mine.txt").read_text() == "keep" and (out / "report.html").is_file()
    with pytest.raises(XatgrnInputError, match=r"output path is a file.*pass a folder for --out"):
        write_analysis_report(result, out / "mine.txt")


def test_package_exports_resolve():
    import xatgrn.analysis as analysis

    assert analysis.write_analysis_report is write_analysis_report
    assert analysis.analyze is analyze
    for name in analysis.__all__:
        assert getattr(analysis, name) is not None, name
