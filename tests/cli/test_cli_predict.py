"""`xatgrn predict`: the printed count is what was written, in the edge-list schema."""

from __future__ import annotations

import json
import re

import networkx as nx
import pandas as pd
import pytest

from xatgrn.data.schema import EDGE_LIST_COLUMNS

WRITTEN = re.compile(r"^(\d+) scored pairs written to (.+) \(rule: (.+)\)$")


def predict(run, fitted, out, *extra):
    return run(["predict", "-m", str(fitted["model"]), "-o", str(out), *extra])


def written(stdout: str) -> tuple[int, str, str]:
    match = WRITTEN.match(stdout.splitlines()[0])
    assert match, stdout
    return int(match.group(1)), match.group(2), match.group(3)


@pytest.mark.parametrize(
    "name,fmt",
    [("net.tsv", None), ("net.tsv.gz", None), ("net.graphml", None), ("net.csv", "beeline")],
)
def test_formats_hold_the_printed_number_of_pairs(fitted, run, tmp_path, name, fmt):
    out = tmp_path / name
    code, stdout, err = predict(
        run, fitted, out, "--top", "15", *(["--format", fmt] if fmt else [])
    )
    assert code == 0, err
    n, path, rule = written(stdout)
    assert n == 15 and path == str(out) and rule == "top 15 by score"
    meta = json.loads((tmp_path / (name + ".meta.json")).read_text())
    assert meta["n_selected"] == n and meta["selection"]["rule"] == "top"
    if name.endswith(".graphml"):
        assert nx.read_graphml(out).number_of_edges() == n
    elif fmt == "beeline":
        df = pd.read_csv(out)
        assert list(df.columns) == ["Gene1", "Gene2", "Type", "EdgeWeight"] and len(df) == n
        assert set(df["Type"]) <= {"+", "-"}
    else:
        df = pd.read_csv(out, sep="\t")
        assert list(df.columns) == list(EDGE_LIST_COLUMNS) and len(df) == n
        assert df["rank"].tolist() == list(range(1, n + 1))
        assert df["score"].is_monotonic_decreasing
        assert (df["score"] - (1 - df["p_none"])).abs().max() < 1e-6


def test_regulator_file_limits_the_candidates(fitted, run, tmp_path):
    (tmp_path / "tfs.txt").write_text("# candidate TFs\ng0001\n\ng0002\n")
    out = tmp_path / "n.tsv"
    code, stdout, err = predict(run, fitted, out, "--regulators", str(tmp_path / "tfs.txt"))
    assert code == 0, err
    n, _, rule = written(stdout)
    df = pd.read_csv(out, sep="\t")
    assert set(df["regulator"]) == {"g0001", "g0002"} and len(df) == n == 2 * 30
    assert rule == "every candidate"
    code, stdout, err = predict(
        run, fitted, tmp_path / "b.tsv", "--regulators", str(tmp_path / "tfs.txt"),
        "--batch-size", "7",
    )  # fmt: skip
    assert code == 0, err
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "b.tsv", sep="\t"), df)


def test_bad_model_and_empty_regulator_file_are_clean_errors(fitted, run, tmp_path):
    code, _, err = run(["predict", "-m", str(tmp_path), "-o", str(tmp_path / "x.tsv")])
    assert code == 2 and "missing" in err and "Traceback" not in err
    (tmp_path / "empty.txt").write_text("# nothing\n\n")
    code, _, err = predict(
        run, fitted, tmp_path / "y.tsv", "--regulators", str(tmp_path / "empty.txt")
    )
    assert code == 2 and "no gene ids" in err
    assert not (tmp_path / "y.tsv").exists()


def test_refuses_to_overwrite_the_output(fitted, run, tmp_path):
    out = tmp_path / "k.tsv"
    out.write_text("keep me\n")
    code, _, err = predict(run, fitted, out, "--top-k", "3")
    assert code == 2 and f"{out}: output exists" in err
    assert out.read_text() == "keep me\n"
    assert predict(run, fitted, out, "--top-k", "3", "--force")[0] == 0


def test_top_k_prints_the_heldout_estimate_it_saved(fitted, run, tmp_path):
    out = tmp_path / "k.tsv"
    code, stdout, err = predict(run, fitted, out, "--top-k", "12")
    assert code == 0, err
    meta = json.loads((tmp_path / "k.tsv.meta.json").read_text())
    assert meta["selection"]["rule"] == "top" and meta["n_selected"] == 12
    df = pd.read_csv(out, sep="\t")
    assert meta["selection_threshold"] == pytest.approx(df["score"].min(), abs=1e-6)
    est = meta["selection_estimate"]
    assert est["available"] is True
    line = stdout.splitlines()[1]
    assert line.startswith(
        f"held-out prior pairs at score >= {meta['selection_threshold']:.3f}: "
        f"typed precision {est['heldout_typed_precision']:.3f}, "
        f"edge recall {est['heldout_edge_recall']:.3f}"
    )


def test_precision_target_becomes_the_models_threshold(fitted, run, tmp_path):
    from xatgrn.model.persist import load_model

    out = tmp_path / "p.tsv"
    code, stdout, err = predict(run, fitted, out, "--precision", "0.3")
    model = load_model(fitted["model"])
    if code != 0:  # a 2-epoch model may not reach it: then the message says so
        assert "no threshold reaches" in err and "Traceback" not in err
        with pytest.raises(ValueError, match="no threshold reaches"):
            model.selection(precision=0.3)
        return
    meta = json.loads((tmp_path / "p.tsv.meta.json").read_text())
    rule = model.selection(precision=0.3)
    assert meta["selection"] == json.loads(json.dumps(rule))
    t = rule["min_prob"]
    assert written(stdout)[2] == f"score >= {t:.3f} (held-out typed precision >= 0.3)"
    df = pd.read_csv(out, sep="\t")
    assert (df["score"] >= t - 1e-9).all() and len(df) == written(stdout)[0]


def test_two_rules_or_a_bad_target_are_clean_errors(fitted, run, tmp_path):
    code, _, err = predict(run, fitted, tmp_path / "x.tsv", "--top-k", "3", "--min-prob", "0.5")
    assert code == 2 and "choose one selection rule" in err
    code, _, err = predict(run, fitted, tmp_path / "y.tsv", "--precision", "2")
    assert code == 2 and "not in (0, 1]" in err


def test_pessimistic_precision_is_a_bound_below_the_point_estimate(fitted, run, tmp_path):
    out = tmp_path / "k.tsv"
    code, stdout, err = predict(run, fitted, out, "--top-k", "20")
    assert code == 0, err
    est = json.loads((tmp_path / "k.tsv.meta.json").read_text())["selection_estimate"]
    bound = est["prevalence_adjusted_typed_precision"]
    assert 0.0 <= bound <= est["prevalence_adjusted_point_estimate"] <= 1.0
    assert est["bound_confidence"] == 0.95 and est["heldout_pairs"] > 0
    assert f"{bound:.3f}" in stdout.splitlines()[1]  # what predict prints is the bound


def test_dask_local_writes_the_serial_file(fitted, run, tmp_path):
    serial, sharded = tmp_path / "serial.tsv", tmp_path / "dask.tsv"
    code, out_serial, err = predict(run, fitted, serial, "--top-k", "50")
    assert code == 0, err
    code, out_dask, err = predict(run, fitted, sharded, "--top-k", "50", "--dask", "local")
    assert code == 0, err
    assert sharded.read_bytes() == serial.read_bytes()
    assert written(out_dask)[0] == written(out_serial)[0] == 50


def test_compiled_trees_write_the_lightgbm_file(fitted, run, tmp_path):
    plain, native = tmp_path / "plain.tsv", tmp_path / "native.tsv"
    code, _, err = predict(run, fitted, plain, "--top-k", "50", "--compile-trees", "no")
    assert code == 0, err
    code, _, err = predict(run, fitted, native, "--top-k", "50", "--compile-trees", "yes")
    assert code == 0, err
    assert native.read_bytes() == plain.read_bytes()
    code, _, err = predict(run, fitted, tmp_path / "x.tsv", "--compile-trees", "fast")
    assert code != 0 and "'fast' is not one of" in err
