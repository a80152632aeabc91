"""`xatgrn analyze` end to end: what it prints is what the report holds."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from xatgrn.data.edgelist import write_edge_list
from xatgrn.data.synthetic import simulate


@pytest.fixture(scope="module")
def case(tmp_path_factory) -> dict:
    """A simulated network analysed as the 'prediction', its first 80 % rows as the prior."""
    d = tmp_path_factory.mktemp("analyze")
    network = simulate(40, 12, seed=3).regulations
    prior = network.iloc[: int(0.8 * len(network))]
    network.to_csv(d / "network.tsv", sep="\t", index=False)
    prior.to_csv(d / "prior.tsv", sep="\t", index=False)
    hubs = network["regulator"].value_counts().index[:3]
    genes = sorted(set(network["regulator"]) | set(network["target"]))
    sets = [f"set{i}\t\t" + "\t".join(genes[i::5]) for i in range(5)]
    (d / "toy.gmt").write_text("\n".join([*sets, "hubs\ttop regulators\t" + "\t".join(hubs)]))
    return {"dir": d, "network": network, "prior": prior}


def analyze_args(case, out, *extra) -> list[str]:
    d = case["dir"]
    return ["-q", "analyze", "--network", str(d / "network.tsv"), "--prior", str(d / "prior.tsv"),
            "--gmt", str(d / "toy.gmt"), "--top-k", "3", "--lists", "hubs,novel-targets",
            "--background", "1000", "--no-svg", "--out", str(out), *extra]  # fmt: skip


def test_printed_summary_is_the_reports(case, run, tmp_path):
    out = tmp_path / "rep"
    code, stdout, err = run(analyze_args(case, out))
    assert code == 0, err
    summary = json.loads((out / "summary.json").read_text())
    net, prior = case["network"], case["prior"]
    counts = net["type"].value_counts()
    n_genes = len(set(net["regulator"]) | set(net["target"]))
    lines = stdout.splitlines()
    assert lines[0] == (
        f"predicted network: {len(net)} edges, {n_genes} genes "
        f"({counts['activation']} activation, {counts['repression']} repression)"
    )
    assert lines[1] == f"novel (not in prior): {len(net) - len(prior)} edges"
    for name, hubs in summary["hubs"].items():
        assert f"{name} hubs: {', '.join(hubs)}" in lines
    assert summary["config"]["top_k"] == 3 and len(summary["hubs"]["predicted"]) == 3
    for key, table in summary["enrichment"].items():
        lst, lib = key.split("|")
        top = ", ".join(table["top_terms"][:3])
        assert (
            f"enrichment {lst} / {lib}: {table['tested_with_overlap']} sets overlap; top: {top}"
            in lines
        )
    assert [x.removeprefix("note: ") for x in lines if x.startswith("note: ")] == summary["notes"]
    assert lines[-1].startswith(f"report: {out / 'report.html'} (")
    assert "1,000 genes" in summary["background"]
    assert (out / "report.html").is_file() and (out / "enrichment_novel-targets_toy.tsv").is_file()


def test_refuses_a_full_folder_unless_forced(case, run, tmp_path):
    out = tmp_path / "rep"
    assert run(analyze_args(case, out))[0] == 0
    code, _, err = run(analyze_args(case, out))
    assert code == 2 and "report folder exists and is not empty" in err and "Traceback" not in err
    assert run(analyze_args(case, out, "--force"))[0] == 0


def test_pairs_predicted_none_are_not_edges(case, run, tmp_path):
    pred = pd.DataFrame(
        {
            "regulator": ["g0001", "g0001", "g0002"],
            "target": ["g0002", "g0003", "g0003"],
            "p_activation": [0.7, 0.1, 0.2],
            "p_repression": [0.2, 0.1, 0.6],
            "p_none": [0.1, 0.8, 0.2],
        }
    )
    pred["predicted_type"] = ["activation", "none", "repression"]
    pred["score"] = 1 - pred["p_none"]
    pred["rank"] = [1, 3, 2]
    pred["in_prior"] = False
    pred["known_regulator"] = True
    net = write_edge_list(pred, tmp_path / "pred.graphml")
    args = ["analyze", "--network", str(net), "--library", "none", "--no-svg",
            "--out", str(tmp_path / "rep")]  # fmt: skip
    code, stdout, err = run(args)
    assert code == 0, err
    assert (
        stdout.splitlines()[0] == "predicted network: 2 edges, 3 genes (1 activation, 1 repression)"
    )


def test_default_library_without_matches_is_skipped(case, run, tmp_path, genesets_dir):
    args = ["-q", "analyze", "--network", str(case["dir"] / "network.tsv"),
            "--genesets-dir", str(genesets_dir), "--no-svg", "--out", str(tmp_path / "rep")]  # fmt: skip
    code, stdout, err = run(args)
    assert code == 0, err
    # DSigDB has no g0001-style genes: a note, not a failure
    assert any(x.startswith("note: ") and "skipped" in x for x in stdout.splitlines())


def test_explicit_library_without_matches_is_an_error(case, run, tmp_path, genesets_dir):
    args = ["analyze", "--network", str(case["dir"] / "network.tsv"), "--library",
            "MSigDB_Hallmark", "--genesets-dir", str(genesets_dir), "--out", str(tmp_path / "rep")]  # fmt: skip
    code, _, err = run(args)
    errors = [x for x in err.splitlines() if x.startswith("error: ")]
    assert code == 2 and len(errors) == 1
    assert errors[0].startswith("error: none of the") and ". Fix: " in errors[0]


def test_bad_network_file(run, tmp_path):
    bad = tmp_path / "x.tsv"
    bad.write_text("a\tb\n1\t2\n")
    code, _, err = run(
        ["analyze", "--network", str(bad), "--library", "none", "--out", str(tmp_path / "r")]
    )
    assert code == 2 and err.startswith("error: ") and "x.tsv" in err
