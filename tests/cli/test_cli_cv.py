"""`xatgrn cv` / `xatgrn benchmark`: argument checks (the runner itself: tests/evaluate)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["cv"], "give either --dataset or both --expression and --regulations"),
        (["cv", "--dataset", "ecoli_cold", "-e", "x.csv"], "give either --dataset or both"),
        (["cv", "-e", "x.csv"], "--expression and --regulations go together"),
        (["cv", "--dataset", "d", "--method", "gbm", "--ablation", "no-graph"],
         "--ablation applies to xatgrn, not 'gbm'"),
        (["cv", "--dataset", "d", "--method", "nope"], "unknown method 'nope'"),
        (["cv", "--dataset", "d", "--graph-dim", "wide"], "--graph-dim 'wide'"),
        (["benchmark", "--protocols", "inductive,paper"], "unknown protocol(s) ['paper']"),
        (["benchmark", "--methods", "xatgrn,nope"], "unknown method 'nope'"),
    ],
)  # fmt: skip
def test_bad_arguments_are_one_error_line(run, tmp_path, args, message):
    code, out, err = run([*args, "--out", str(tmp_path / "res")])
    assert out == ""
    errors = [x for x in err.splitlines() if x.startswith("error: ")]
    assert code == 2 and len(errors) == 1 and message in errors[0], err
    assert not (tmp_path / "res").exists()


def test_benchmark_protocol_error_lists_the_library_protocols(run, tmp_path):
    from xatgrn.evaluate.protocols import PROTOCOLS

    _, _, err = run(["benchmark", "--protocols", "x", "--out", str(tmp_path)])
    assert err.rstrip().endswith(f"Fix: use {', '.join(PROTOCOLS)}")


def test_ablation_is_the_registered_xatgrn_variant(run, tmp_path, monkeypatch):
    """`--ablation no-graph` runs the method `xatgrn-no-graph` (stopped before any fitting)."""
    import xatgrn.cli.cv as cv_module

    seen = []
    monkeypatch.setattr(cv_module, "_cv_run", lambda ctx, exps, out, opts: seen.extend(exps))
    sim = tmp_path / "sim"
    assert run(["-q", "simulate", "--genes", "12", "--samples", "5", "--out", str(sim)])[0] == 0
    files = ["-e", str(sim / "expression.csv.gz"), "-r", str(sim / "regulations.tsv")]
    code, _, err = run(["cv", *files, "--ablation", "no-graph", "--out", str(tmp_path / "r")])
    assert code == 0, err
    (exp,) = seen
    assert exp.method.name == "xatgrn-no-graph" and exp.cv.protocol == "inductive"


def test_user_files_take_a_name_and_the_reading_options(run, tmp_path, monkeypatch):
    import xatgrn.cli.cv as cv_module

    seen = []
    monkeypatch.setattr(cv_module, "_cv_run", lambda ctx, exps, out, opts: seen.extend(exps))
    sim = tmp_path / "sim"
    assert run(["-q", "simulate", "--genes", "12", "--samples", "5", "--out", str(sim)])[0] == 0
    regs = (sim / "regulations.tsv").read_text() + "g0001\tg0002\tdual\n"
    (tmp_path / "prior.tsv").write_text(regs)
    files = ["-e", str(sim / "expression.csv.gz"), "-r", str(tmp_path / "prior.tsv")]
    out = ["--out", str(tmp_path / "r")]
    code, _, err = run(["cv", *files, *out])
    assert code == 2 and "unknown regulation type 'dual'" in err and seen == []
    code, _, err = run(["cv", *files, *out, "--unknown-types", "drop", "--name", "mine"])
    assert code == 0, err
    assert seen[0].data.name == "mine"
    code, _, err = run(["cv", *files, *out, "--unknown-types", "drop"])
    assert code == 0, err
    assert seen[1].data.name == "sim"  # expression.csv.gz: its folder names it


def test_log2_minmax_on_negative_values_fails_before_any_fold(run, tmp_path, monkeypatch):
    import xatgrn.cli.cv as cv_module

    monkeypatch.setattr(cv_module, "_cv_run", lambda *a: pytest.fail("no fold may run"))
    bad = Path(__file__).parents[1] / "data" / "bad_inputs"
    expr, regs = (
        bad / "pair_log2_minmax_negative.expression.csv",
        bad / "pair_log2_minmax_negative.regulations.tsv",
    )
    args = ["cv", "-e", str(expr), "-r", str(regs), "--preprocessing", "log2_minmax"]
    code, _, err = run([*args, "--out", str(tmp_path / "r")])
    assert code == 2 and "needs values > -1" in err and "Traceback" not in err
