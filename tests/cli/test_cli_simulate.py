"""`xatgrn simulate` and `xatgrn demo`: printed summaries match the files written."""

from __future__ import annotations

import json

import pandas as pd

from xatgrn.utils import sha256_file


def test_simulate_prints_the_ground_truth_it_wrote(run, tmp_path):
    out = tmp_path / "sim"
    code, stdout, err = run(["simulate", "--genes", "25", "--samples", "6", "--seed", "4", "--out", str(out)])  # fmt: skip
    assert code == 0, err
    meta = json.loads((out / "metadata.json").read_text())
    regs = pd.read_csv(out / "regulations.tsv", sep="\t")
    counts = regs["type"].value_counts()
    assert stdout == (
        f"simulated 25 genes x 6 samples, {len(regs)} edges ({counts['activation']} activation, "
        f"{counts['repression']} repression) -> {out}\n"
    )
    assert meta["ground_truth"]["n_edges"] == len(regs) and meta["seed"] == 4
    assert sorted(p.name for p in out.iterdir()) == [
        "expression.csv.gz", "metadata.json", "regulations.tsv",
    ]  # fmt: skip


def test_simulate_is_byte_reproducible(run, tmp_path):
    args = ["-q", "simulate", "--genes", "12", "--samples", "5", "--seed", "2"]
    for name in ("a", "b"):
        assert run([*args, "--out", str(tmp_path / name)])[0] == 0
    for f in ("expression.csv.gz", "regulations.tsv"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes()


def test_simulate_on_a_network_records_it_and_refuses_genes(run, tmp_path):
    net = tmp_path / "net.tsv"
    net.write_text(
        "regulator\ttarget\ttype\nA\tB\tactivation\nA\tC\trepression\nC\tB\tactivation\n"
    )
    out = tmp_path / "sim"
    code, stdout, err = run(["-q", "simulate", "--network", str(net), "--samples", "4", "--out", str(out)])  # fmt: skip
    assert code == 0, err
    assert stdout.startswith("simulated 3 genes x 4 samples, 3 edges (2 activation, 1 repression)")
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["network"] == {"path": str(net), "sha256": sha256_file(net)}
    code, _, err = run(["simulate", "--network", str(net), "--genes", "5", "--out", str(tmp_path / "x")])  # fmt: skip
    assert code == 2 and "--genes cannot be combined with --network" in err


def test_simulate_names_the_file_it_will_not_overwrite(run, tmp_path):
    out = tmp_path / "sim"
    args = ["-q", "simulate", "--genes", "10", "--samples", "4", "--out", str(out)]
    assert run(args)[0] == 0
    code, _, err = run(args)
    assert code == 2 and f"{out / 'expression.csv.gz'}: file already exists" in err
    assert "--force" in err


def test_demo_prints_what_its_summary_holds(run, tmp_path):
    out = tmp_path / "demo"
    args = ["-q", "demo", "--genes", "20", "--samples", "8", "--seed", "3", "--out", str(out)]
    code, stdout, err = run(args)
    assert code == 0, err
    summary = json.loads((out / "summary.json").read_text())
    lines = stdout.splitlines()
    regs = pd.read_csv(out / "data" / "regulations.tsv", sep="\t")
    assert lines[0].startswith(f"simulated 20 genes x 8 samples, {len(regs)} regulations")
    metrics = summary["holdout_metrics"]
    for key in ("accuracy", "auroc_macro_ovr", "auroc_ovo", "f1", "mcc", "auroc_edge"):
        assert f"  {key:<16} {metrics[key]:.3f}" in lines
    network = pd.read_csv(out / "predicted_network.tsv", sep="\t")
    assert summary["n_scored_pairs"] == len(network) > 0
    assert f"({len(network)} scored pairs)" in lines[-1]
    assert (out / "model" / "model.safetensors").is_file()
    code, _, err = run(args)
    assert code == 2 and "a previous demo run is there" in err
    assert run([*args, "--force"])[0] == 0
