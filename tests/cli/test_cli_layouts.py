"""`xatgrn validate` reads every layout of the corpus (tests/data/layouts) and prints its counts."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location(
    "layout_corpus", Path(__file__).parents[1] / "data" / "test_layouts.py"
)
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)


def cli_args(kwargs: dict) -> list[str]:
    return [a for k, v in kwargs.items() for a in (f"--{k.replace('_', '-')}", str(v))]


@pytest.mark.parametrize("stem", sorted(corpus.LAYOUTS))
def test_validate_prints_the_layouts_counts(run, stem):
    kwargs, (genes, samples, edges, act, rep, loops), orientation, _ = corpus.LAYOUTS[stem]
    expr, regs = corpus.layout_files(stem)
    code, out, err = run(["validate", "-e", str(expr), "-r", str(regs), *cli_args(kwargs)])
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == f"expression:  {expr} ({orientation})"
    assert re.match(rf"  genes {genes}, samples {samples}\b", lines[1])
    assert f"  edges {edges}: activation {act}, repression {rep}" in lines
    assert f"  self-loops: {loops} kept (a gene regulating itself is a labelled pair)" in lines
    assert lines[-1] == "ok" and "Traceback" not in err


def test_validate_names_what_it_recognised(run):
    expr, regs = corpus.layout_files("dream5_no_id_column")
    code, out, _ = run(["-q", "validate", "-e", str(expr), "-r", str(regs)])
    assert code == 0
    assert "  read as: table, tab-separated, no id column (samples as rows named s1..sN" in out
    expr, regs = corpus.layout_files("probes_aggregate")
    code, out, err = run(["validate", "-e", str(expr), "-r", str(regs), "--aggregate", "mean"])
    assert code == 0, err
    assert "  genes 10, samples 4 (4 repeated gene rows combined by --aggregate)" in out
    assert "ids in column 2, ignored annotation column(s) ID_REF" in out
    code, _, err = run(["validate", "-e", str(expr), "-r", str(regs)])  # no --aggregate
    assert code == 2 and "duplicate gene id 'fis'" in err and "--aggregate mean" in err
