"""CLI end to end on simulated data: simulate -> fit -> predict (tsv, tsv.gz, beeline, graphml)."""

import networkx as nx
import pandas as pd
import pytest

from xatgrn.cli import main
from xatgrn.data.schema import EDGE_LIST_COLUMNS


def run(args, capsys):
    with pytest.raises(SystemExit) as exc:
        main([*args])
        raise SystemExit(0)
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


FAST = ["--profile", "fast", "--epochs", "2", "--graph-epochs", "10", "--tokens", "2"]


def fit_args(d):
    data = d / "data"
    return ["fit", "-e", str(data / "expression.csv.gz"), "-r", str(data / "regulations.tsv"),
            "-o", str(d / "model"), *FAST]  # fmt: skip


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    main(
        [
            "-q",
            "simulate",
            "--genes",
            "30",
            "--samples",
            "12",
            "--seed",
            "1",
            "--out",
            str(d / "data"),
        ]
    )
    main(["-q", *fit_args(d)])
    return d


def test_fit_writes_model_and_refuses_overwrite(model_dir, capsys):
    assert (model_dir / "model" / "model.safetensors").is_file()
    code, _, err = run(fit_args(model_dir), capsys)
    assert code == 2 and "already exist" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "name,fmt",
    [("net.tsv", None), ("net.tsv.gz", None), ("net.graphml", None), ("net.csv", "beeline")],
)
def test_predict_formats(model_dir, capsys, name, fmt):
    out = model_dir / name
    args = ["-q", "predict", "-m", str(model_dir / "model"), "-o", str(out), "--top", "15"]
    code, _, err = run(args + (["--format", fmt] if fmt else []), capsys)
    assert code == 0, err
    assert out.is_file() and (model_dir / (name + ".meta.json")).is_file()
    if name.endswith(".graphml"):
        assert nx.read_graphml(out).number_of_edges() == 15
    elif fmt == "beeline":
        df = pd.read_csv(out)
        assert list(df.columns) == ["Gene1", "Gene2", "Type", "EdgeWeight"]
        assert set(df["Type"]) <= {"+", "-"}
    else:
        df = pd.read_csv(out, sep="\t")
        assert list(df.columns) == list(EDGE_LIST_COLUMNS) and len(df) == 15


def test_predict_with_regulator_file_and_bad_model(model_dir, tmp_path, capsys):
    (tmp_path / "tfs.txt").write_text("# candidate TFs\ng0001\n\ng0002\n")
    out = tmp_path / "n.tsv"
    code, _, err = run(
        [
            "-q",
            "predict",
            "-m",
            str(model_dir / "model"),
            "--regulators",
            str(tmp_path / "tfs.txt"),
            "-o",
            str(out),
        ],
        capsys,
    )
    assert code == 0, err
    df = pd.read_csv(out, sep="\t")
    assert set(df["regulator"]) == {"g0001", "g0002"} and len(df) == 2 * 30
    code, _, err = run(["predict", "-m", str(tmp_path), "-o", str(tmp_path / "x.tsv")], capsys)
    assert code == 2 and "missing" in err and "Traceback" not in err
    (tmp_path / "empty.txt").write_text("# nothing\n\n")
    args = ["predict", "-m", str(model_dir / "model"), "-o", str(tmp_path / "y.tsv")]
    code, _, err = run([*args, "--regulators", str(tmp_path / "empty.txt")], capsys)
    assert code == 2 and "no gene ids" in err
    code, _, err = run(
        [*args, "--regulators", str(tmp_path / "tfs.txt"), "--batch-size", "7"], capsys
    )
    assert code == 0, err


def test_predict_selection_rules_and_their_estimates(model_dir, tmp_path, capsys):
    import json

    base = ["predict", "-m", str(model_dir / "model")]
    out = tmp_path / "k.tsv"
    code, stdout, err = run([*base, "-o", str(out), "--top-k", "12"], capsys)
    assert code == 0, err
    meta = json.loads((tmp_path / "k.tsv.meta.json").read_text())
    assert meta["selection"]["rule"] == "top" and meta["n_selected"] == 12
    df = pd.read_csv(out, sep="\t")
    assert meta["selection_threshold"] == pytest.approx(df["score"].min(), abs=1e-6)
    assert meta["selection_estimate"]["available"] is True
    assert "typed precision" in stdout
    # a precision target becomes a threshold; every kept pair is above it
    out = tmp_path / "p.tsv"
    code, stdout, err = run([*base, "-o", str(out), "--precision", "0.3"], capsys)
    if code == 0:
        meta = json.loads((tmp_path / "p.tsv.meta.json").read_text())
        t = meta["selection"]["min_prob"]
        assert meta["selection"]["rule"] == "precision" and 0 <= t <= 1
        assert (pd.read_csv(out, sep="\t")["score"] >= t - 1e-9).all()
    else:  # a 2-epoch model may not reach it: then the message says so
        assert "no threshold reaches" in err and "Traceback" not in err
    code, _, err = run(
        [*base, "-o", str(tmp_path / "x.tsv"), "--top-k", "3", "--min-prob", "0.5"], capsys
    )
    assert code == 2 and "choose one selection rule" in err
    code, _, err = run([*base, "-o", str(tmp_path / "y.tsv"), "--precision", "2"], capsys)
    assert code == 2 and "not in (0, 1]" in err
