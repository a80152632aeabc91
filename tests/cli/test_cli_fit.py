"""`xatgrn fit`: what it prints is what it saved, and it refuses to overwrite a model."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

SUMMARY = re.compile(r"^model written to (.+) \((\d+) genes, (\d+) prior edges, ([\d.]+) s\)$")
HELDOUT = re.compile(
    r"^held-out pairs \((\d+)%\): accuracy (-?[\d.]+)  AUROC\(macro-OvR\) (-?[\d.]+)  "
    r"F1 (-?[\d.]+)  MCC (-?[\d.]+)$"
)
RULE = re.compile(
    r"^  t=([\d.]+): typed precision (n/a|[\d.]+), edge recall (n/a|[\d.]+), (\d+) pairs selected$"
)


@pytest.fixture(scope="module")
def saved(fitted) -> dict:
    return json.loads((fitted["model"] / "metadata.json").read_text())


def test_summary_line_matches_the_saved_model(fitted, saved):
    lines = fitted["stdout"].splitlines()
    match = SUMMARY.match(lines[0])
    assert match, lines[0]
    path, genes, edges, seconds = match.groups()
    prior = pd.read_csv(fitted["dir"] / "data" / "regulations.tsv", sep="\t")
    assert path == str(fitted["model"])
    assert int(genes) == saved["n_genes"] == 30
    assert int(edges) == saved["n_prior_edges"] == len(prior)
    assert seconds == f"{saved['fit_seconds']:.1f}"


def test_heldout_line_equals_the_saved_heldout_metrics(fitted, saved):
    match = HELDOUT.match(fitted["stdout"].splitlines()[1])
    assert match, fitted["stdout"]
    share, *printed = match.groups()
    assert share == "20"  # the default --holdout 0.2
    metrics = saved["holdout_metrics"]
    keys = ("accuracy", "auroc_macro_ovr", "f1", "mcc")
    assert printed == [f"{metrics[k]:.3f}" for k in keys]
    for text, key in zip(printed, keys, strict=True):
        assert float(text) == pytest.approx(metrics[key], abs=5e-4)


def test_selection_lines_read_the_saved_heldout_curve(fitted, saved):
    lines = fitted["stdout"].splitlines()
    assert lines[2] == "selection rule 'score >= t' on the held-out pairs:"
    curve = pd.DataFrame(saved["holdout_curve"])
    rows = [RULE.match(line) for line in lines[3:]]
    assert [m.group(1) for m in rows if m] == ["0.5", "0.7", "0.9"] and len(lines) == 6
    for m in rows:
        t = float(m.group(1))
        row = curve.iloc[int(abs(curve["threshold"] - t).idxmin())]
        assert int(m.group(4)) == int(row["n_selected"])
        for group, column in ((2, "typed_precision"), (3, "edge_recall")):
            expected = "n/a" if pd.isna(row[column]) else f"{row[column]:.3f}"
            assert m.group(group) == expected


def test_refuses_to_overwrite_the_model(fitted, fit_command, run):
    before = (fitted["model"] / "model.safetensors").read_bytes()
    # the refusal comes before reading or training anything
    code, _, err = run([*fit_command(fitted["dir"]), "-e", "no-such-file.csv"])
    assert code == 2 and "already exist" in err and "Traceback" not in err
    assert (fitted["model"] / "model.safetensors").read_bytes() == before


def test_holdout_zero_prints_no_heldout_lines(fitted, fit_command, run, tmp_path):
    args = fit_command(fitted["dir"])
    args[args.index("-o") + 1] = str(tmp_path / "m")
    code, out, err = run(["-q", *args, "--holdout", "0"])
    assert code == 0, err
    assert len(out.splitlines()) == 1 and SUMMARY.match(out.splitlines()[0])
    assert json.loads((tmp_path / "m" / "metadata.json").read_text())["holdout_metrics"] == {}


def test_the_papers_model_fits_saves_and_predicts(fitted, fit_command, run, tmp_path):
    args = fit_command(fitted["dir"])
    args[args.index("-o") + 1] = str(tmp_path / "paper")
    paper_fast = ["--method", "xatgrn-paper", "--profile", "fast", "--epochs", "2"]
    code, _, err = run(["-q", *args, *paper_fast, "--graph-epochs", "10", "--tokens", "2"])
    assert code == 0, err
    config = json.loads((tmp_path / "paper" / "config.json").read_text())
    assert config["estimator"] == "XATGRN" and config["train"]["epochs"] == 2
    code, _, err = run(["-q", "predict", "--model", str(tmp_path / "paper"), "--top-k", "5",
                        "--out", str(tmp_path / "net.tsv")])  # fmt: skip
    assert code == 0, err
    assert len(pd.read_csv(tmp_path / "net.tsv", sep="\t")) == 5


def test_paper_only_options_are_refused_for_the_default(fitted, fit_command, run, tmp_path):
    args = fit_command(fitted["dir"])
    args[args.index("-o") + 1] = str(tmp_path / "m")
    code, _, err = run([*args, "--tokens", "2"])
    assert code == 2 and "--tokens apply to the paper's model" in err


def test_prior_policies_and_tiny_priors_are_cli_options(fitted, fit_command, run, tmp_path):
    """TRRUST-style labels need --unknown-types drop; dual pairs are dropped; tiny priors refused."""
    prior = pd.read_csv(fitted["dir"] / "data" / "regulations.tsv", sep="\t")
    label = {"activation": "Activation", "repression": "Repression"}
    rows = [f"{r}\t{t}\t{label[k]}\t1" for r, t, k in prior.itertuples(index=False)]
    first = prior.iloc[0]
    dual = f"{first['regulator']}\t{first['target']}\t"
    dual += "Repression" if first["type"] == "activation" else "Activation"
    rows += [f"{dual}\t2", f"{prior.iloc[1]['regulator']}\t{prior.iloc[2]['target']}\tUnknown\t3"]
    trrust = tmp_path / "trrust.tsv"
    trrust.write_text("\n".join(rows) + "\n")
    args = fit_command(fitted["dir"])
    args[args.index("-r") + 1] = str(trrust)
    args[args.index("-o") + 1] = str(tmp_path / "m")
    code, _, err = run(args)
    assert code == 2 and "unknown regulation type 'Unknown'" in err
    assert "--unknown-types drop" in err and not (tmp_path / "m").exists()
    code, out, err = run([*args, "--unknown-types", "drop", "-q"])
    assert code == 0, err
    assert "dropped 1 (regulator, target) pair(s) listed with both types" in err
    assert SUMMARY.match(out.splitlines()[0]).group(3) == str(len(prior) - 1)
    tiny = tmp_path / "tiny.tsv"
    two_each = prior.groupby("type").head(2)
    tiny.write_text(two_each.to_csv(sep="\t", index=False))
    args[args.index("-r") + 1] = str(tiny)
    code, _, err = run([*args, "--force"])
    assert code == 2 and "only 2 activation and 2 repression edges" in err
    assert "at least 3 of each are needed to fit" in err and "Traceback" not in err
