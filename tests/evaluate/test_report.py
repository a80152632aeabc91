"""Aggregation over repetitions, tables next to the paper's numbers, paper-table lookup, plot."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from xatgrn.cli import main
from xatgrn.errors import XatgrnInputError
from xatgrn.evaluate.report import (
    auroc_figure,
    find_paper_table,
    markdown_table,
    read_fold_results,
    summarise,
    write_cv_report,
)

PAPER = {
    "source": "fake",
    "results": {
        "toy": {
            "XATGRN": {"auroc": 0.9111, "recall": 0.8222, "f1": 0.8333, "precision": 0.8444},
            "CNNGRN": {"auroc": 0.7555, "recall": 0.6, "f1": 0.55, "precision": 0.5},
            "DGCGRN": {"auroc": 0.8123, "recall": 0.7, "f1": 0.7, "precision": 0.7},
            "DeepFGRN": {"auroc": 0.8999, "recall": 0.78, "f1": 0.79, "precision": 0.8},
        }
    },
}
# auroc per (repetition, fold) for the fake inductive run: rep 2 is incomplete
AUROC = {(0, 0): 0.80, (0, 1): 0.84, (0, 2): 0.82, (1, 0): 0.90, (1, 1): 0.86, (1, 2): 0.88}
AUROC[(2, 0)] = 0.10


def _write_fold(out, protocol, rep, fold, auroc, f1=0.5, mcc=None):
    rec = {
        "format": "xatgrn.cv-fold",
        "dataset": "toy",
        "protocol": protocol,
        "leaks": protocol == "transductive",
        "method": "xatgrn",
        "repetition": rep,
        "fold": fold,
        "n_folds": 3,
        "task_key": "k",
        "metrics": {"auroc_macro_ovr": auroc, "f1": f1, "mcc": mcc},
        "timings": {"embedding_s": 2.0, "classifier_s": 1.0, "total_s": 3.5},
    }
    path = out / "toy" / protocol / "xatgrn" / f"rep{rep}_fold{fold}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(rec))


@pytest.fixture
def results(tmp_path):
    for (rep, fold), auroc in AUROC.items():
        _write_fold(tmp_path, "inductive", rep, fold, auroc, f1=0.6 + 0.01 * fold)
    for fold in range(3):
        _write_fold(tmp_path, "transductive", 0, fold, 0.95)
    (tmp_path / "paper.json").write_text(json.dumps(PAPER))
    return tmp_path


def test_mean_of_repetition_means_over_complete_repetitions_with_stated_ddof(results):
    rows = {r["protocol"]: r for r in summarise(read_fold_results(results), ddof=1)}
    ind = rows["inductive"]
    assert ind["n_repeats"] == 2 and ind["incomplete_repetitions"] == [2]
    rep_means = [np.mean([0.80, 0.84, 0.82]), np.mean([0.90, 0.86, 0.88])]
    auroc = ind["metrics"]["auroc_macro_ovr"]
    assert auroc["mean"] == pytest.approx(np.mean(rep_means))
    assert auroc["std"] == pytest.approx(np.std(rep_means, ddof=1)) and auroc["ddof"] == 1
    assert math.isnan(ind["metrics"].get("mcc", {"mean": math.nan})["mean"])  # all null
    assert ind["mean_fold_timings_s"]["embedding_s"] == pytest.approx(2.0)
    trans = rows["transductive"]
    assert (
        trans["leaks"]
        and trans["n_repeats"] == 1
        and math.isnan(trans["metrics"]["auroc_macro_ovr"]["std"])
    )


def test_table_puts_our_rows_by_protocol_next_to_the_papers(results):
    summary = summarise(read_fold_results(results))
    text = markdown_table("toy", summary, PAPER["results"]["toy"])
    lines = text.splitlines()
    ours = next(line for line in lines if line.startswith("| xatgrn (ours) | inductive |"))
    assert "2 × 3" in ours and "0.8500 ± 0.0424" in ours
    leak = next(line for line in lines if "| transductive" in line)
    assert "**leaks**" in leak and "1 × 3" in leak
    paper_rows = [line for line in lines if "(paper)" in line]
    assert [r.split(" |")[0] for r in paper_rows] == [
        "| XATGRN (paper)",
        "| CNNGRN (paper)",
        "| DGCGRN (paper)",
        "| DeepFGRN (paper)",
    ]
    assert "0.9111" in paper_rows[0] and "0.8444" in paper_rows[0]
    assert "ddof=1" in text and "macro average of the three one-vs-rest" in text


def test_write_cv_report_outputs_strict_json_tables_and_plot(results):
    written = write_cv_report(results, paper_table=results / "paper.json")
    data = json.loads((results / "results.json").read_text(), parse_constant=_reject)
    assert data["ddof"] == 1 and "ddof=1" in data["aggregation"]
    assert data["paper_table"] == str(results / "paper.json")
    assert [(r["protocol"], r["n_repeats"]) for r in data["results"]] == [
        ("inductive", 2),
        ("transductive", 1),
    ]
    assert data["results"][1]["metrics"]["auroc_macro_ovr"]["std"] is None  # NaN -> null
    assert "0.9111" in (results / "toy" / "report.md").read_text()
    assert "### toy" in (results / "report.md").read_text()
    assert written["results"] == str(results / "results.json")
    assert written["tables"] == [str(results / "toy" / "report.md")]
    pytest.importorskip("matplotlib")
    assert written["plot"] == str(results / "auroc.png")
    assert (results / "auroc.png").read_bytes()[:4] == b"\x89PNG"


def test_auroc_figure_bars_errors_and_paper_ticks(results):
    pytest.importorskip("matplotlib")
    from matplotlib.container import BarContainer

    summary = summarise(read_fold_results(results))
    fig = auroc_figure(summary, PAPER["results"])
    (ax,) = fig.axes
    assert ax.get_title() == "Cross-validated AUROC (mean ± std over repetitions)"
    assert ax.get_ylabel() == "AUROC (macro one-vs-rest)" and ax.get_ylim() == (0.5, 1.0)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["toy"]
    # one bar per (method, protocol), in sorted order, height = mean over repetitions
    bars = [c for c in ax.containers if isinstance(c, BarContainer)]
    assert [len(b.patches) for b in bars] == [1, 1]
    assert [b.patches[0].get_height() for b in bars] == pytest.approx([0.85, 0.95])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "XATGRN (paper; leaks)",  # matplotlib lists the scatter first
        "xatgrn / inductive",
        "xatgrn / transductive (leaks)",
    ]
    # the inductive error bar spans mean ± std (ddof=1 over the two repetition means); the
    # single transductive repetition has no std, so a zero-length bar
    spans = [b.errorbar.lines[2][0].get_segments()[0][:, 1] for b in bars]
    assert spans[0] == pytest.approx([0.85 - 0.0424264, 0.85 + 0.0424264], abs=1e-6)
    assert spans[1] == pytest.approx([0.95, 0.95])
    (ticks,) = ax.collections[-1:]
    assert ticks.get_offsets().tolist() == [[0.0, 0.9111]]
    no_paper = auroc_figure(summary, None).axes[0]
    assert [t.get_text() for t in no_paper.get_legend().get_texts()] == [
        "xatgrn / inductive",
        "xatgrn / transductive (leaks)",
    ]
    assert auroc_figure([{**r, "n_repeats": 0} for r in summary]) is None


def _reject(token):
    raise ValueError(f"non-standard JSON constant {token}")


def test_paper_table_lookup_order(results, tmp_path_factory, monkeypatch):
    shared = tmp_path_factory.mktemp("shared")
    (shared / "reference").mkdir()
    (shared / "data" / "fgrn").mkdir(parents=True)
    beside = shared / "reference" / "paper_table1.json"
    beside.write_text(json.dumps(PAPER))
    monkeypatch.delenv("XATGRN_REFERENCE", raising=False)
    assert find_paper_table(None, shared / "data" / "fgrn") == beside.resolve()
    monkeypatch.setenv("XATGRN_REFERENCE", str(results / "paper.json"))
    assert find_paper_table(None, shared / "data" / "fgrn") == (results / "paper.json").resolve()
    explicit = find_paper_table(shared / "reference", None)  # a folder holding the file
    assert explicit == beside
    with pytest.raises(XatgrnInputError, match=r"paper table not found.*Fix: pass the path"):
        find_paper_table(results / "missing.json")


def test_missing_paper_table_still_writes_our_numbers(results, monkeypatch):
    monkeypatch.delenv("XATGRN_REFERENCE", raising=False)
    write_cv_report(results, data_dir=results / "nowhere")
    text = (results / "toy" / "report.md").read_text()
    assert "xatgrn (ours)" in text and "(paper)" not in text
    bad = results / "bad.json"
    bad.write_text('{"results": [1, 2]}')
    with pytest.raises(XatgrnInputError, match="no 'results' mapping"):
        write_cv_report(results, paper_table=bad)


def test_benchmark_report_only_rebuilds_tables_from_fold_files(results, capsys):
    main(
        [
            "benchmark",
            "--report-only",
            "--out",
            str(results),
            "--paper-table",
            str(results / "paper.json"),
        ]
    )
    out = capsys.readouterr().out
    assert "toy inductive xatgrn: AUROC(macro-OvR) 0.8500 ± 0.0424" in out
    assert "toy transductive xatgrn" in out and "[LEAKS]" in out
    assert "0.9111" in (results / "toy" / "report.md").read_text()
