"""`xatgrn analyze` end to end on a simulated prior and a fake predicted edge list."""

from __future__ import annotations

import json

import pytest

from xatgrn.cli import main
from xatgrn.data.edgelist import write_edge_list


def run(args, capsys):
    with pytest.raises(SystemExit) as exc:
        main([*args])
        raise SystemExit(0)
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


def test_analyze_writes_report(toy_case, tmp_path, capsys):
    net = write_edge_list(toy_case["predicted"], tmp_path / "predicted.tsv")
    out = tmp_path / "rep"
    args = ["-q", "analyze", "--network", str(net), "--prior", str(toy_case["prior_path"]),
            "--gmt", str(toy_case["gmt"]), "--top-k", "5", "--lists", "hubs,novel-targets",
            "--background", "1000", "--no-svg", "--out", str(out)]  # fmt: skip
    code, stdout, stderr = run(args, capsys)
    assert code == 0, stderr
    assert "predicted hubs:" in stdout and "report:" in stdout
    summary = json.loads((out / "summary.json").read_text())
    assert summary["config"]["top_k"] == 5
    assert "1,000 genes" in summary["background"]
    assert (out / "report.html").is_file() and (out / "enrichment_novel-targets_toy.tsv").is_file()
    # a second run refuses the folder, then --force replaces it
    code, _, stderr = run(args, capsys)
    assert (
        code == 2
        and "report folder exists and is not empty" in stderr
        and "Traceback" not in stderr
    )
    assert run([*args, "--force"], capsys)[0] == 0


def test_default_library_without_matches_is_skipped(toy_case, tmp_path, capsys, genesets_dir):
    net = write_edge_list(toy_case["predicted"], tmp_path / "predicted.graphml")
    args = ["-q", "analyze", "--network", str(net), "--genesets-dir", str(genesets_dir),
            "--no-svg", "--out", str(tmp_path / "rep")]  # fmt: skip
    code, stdout, stderr = run(args, capsys)
    assert code == 0, stderr
    assert "skipped" in stdout  # DSigDB has no g0001-style genes: a note, not a failure


def test_explicit_library_without_matches_is_an_error(toy_case, tmp_path, capsys, genesets_dir):
    net = write_edge_list(toy_case["predicted"], tmp_path / "predicted.tsv")
    args = ["analyze", "--network", str(net), "--library", "MSigDB_Hallmark",
            "--genesets-dir", str(genesets_dir), "--out", str(tmp_path / "rep")]  # fmt: skip
    code, _, stderr = run(args, capsys)
    assert code == 2
    assert "error: none of the" in stderr and "Fix:" in stderr


def test_bad_network_file(tmp_path, capsys):
    bad = tmp_path / "x.tsv"
    bad.write_text("a\tb\n1\t2\n")
    code, _, stderr = run(
        ["analyze", "--network", str(bad), "--library", "none", "--out", str(tmp_path / "r")],
        capsys,
    )
    assert code == 2 and stderr.startswith("error: ") and "x.tsv" in stderr
