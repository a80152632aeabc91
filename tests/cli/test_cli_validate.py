"""`xatgrn validate`: bad input is one `error: ...` line and exit code 2; good input a summary."""

from __future__ import annotations

from pathlib import Path

import pytest

BAD = Path(__file__).parents[1] / "data" / "bad_inputs"
GOOD_EXPR = (
    "gene,s1,s2,s3\nfis,1.5,2.0,3.1\nadhE,0.4,0.8,1.2\ncrp,2.2,1.0,0.9\n"
    "lacI,1.1,1.9,0.7\nlacY,0.3,0.5,2.2\naraC,1.7,0.2,0.6\n"
)
GOOD_REGS = (
    "regulator\ttarget\ttype\nfis\tadhE\tactivation\ncrp\tfis\trepression\nfis\tlacZ\t-\n"
    "lacI\tlacY\trepression\nlacI\tlacI\trepression\naraC\tlacY\tactivation\n"
    "crp\tadhE\tactivation\n"
)


@pytest.fixture
def good(tmp_path) -> tuple[str, str]:
    (tmp_path / "expr.csv").write_text(GOOD_EXPR)
    (tmp_path / "prior.tsv").write_text(GOOD_REGS)
    return str(tmp_path / "expr.csv"), str(tmp_path / "prior.tsv")


@pytest.mark.parametrize(
    ("expression", "regulations", "extra", "fragment"),
    [
        ("expr_non_numeric.csv", None, [], "non-numeric value 'abc' in sample 's2'"),
        ("expr_duplicate_gene.csv", None, [], "duplicate gene id 'fis'"),
        (None, "regs_unknown_type.tsv", [], "unknown regulation type 'activatorrepressor'"),
        (None, "regs_empty.tsv", [], "file is empty"),
        (None, "regs_tiny_prior.tsv", [], "at least 3 of each are needed to fit"),
        (None, None, ["--strict"], "1 of 7 prior-network genes are absent"),
        ("missing.csv", None, [], "missing.csv: file not found"),
        ("expr_numeric_first_column.tsv", None, [], "the first column holds numbers"),
    ],
)
def test_bad_input_exits_2_without_traceback(run, good, expression, regulations, extra, fragment):
    expr = str(BAD / expression) if expression else good[0]
    regs = str(BAD / regulations) if regulations else good[1]
    code, _, err = run(["validate", "--expression", expr, "--regulations", regs, *extra])
    assert code == 2
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and fragment in errors[0] and ". Fix: " in errors[0]
    assert "Traceback" not in err


def test_good_files_exit_0_with_summary(run, good):
    code, out, err = run(["validate", "--expression", good[0], "--regulations", good[1]])
    assert code == 0, err
    assert out.splitlines() == [
        f"expression:  {good[0]} (genes-by-samples)",
        "  genes 6, samples 3",
        "  read as: table, comma-separated, ids in column 1",
        "  values: min 0.2, max 3.1, 0 negative, 0 constant gene(s)",
        f"regulations: {good[1]} (layout regulator,target,type)",
        "  edges 6: activation 3, repression 3",
        "  self-loops: 1 kept (a gene regulating itself is a labelled pair)",
        "  dropped: 1 prior genes absent from the expression (lacZ), 1 edges",
        "ok",
    ]
    assert "1 of 7 prior-network genes are absent" in err  # the warning
    assert "only 3 activation and 3 repression edges" in err  # few edges: a warning
    assert "Traceback" not in err


def test_conflict_and_unknown_type_policies_reach_the_reader(run, good, tmp_path):
    regs = tmp_path / "conflict.tsv"
    extra = "adhE\tcrp\tactivation\nfis\tadhE\trepression\ncrp\tadhE\t?\n"
    regs.write_text(GOOD_REGS.replace("fis\tlacZ\t-\n", extra))
    base = ["validate", "--expression", good[0], "--regulations", str(regs)]
    code, _, err = run(base)
    assert code == 2 and "unknown regulation type '?'" in err
    code, out, err = run([*base, "--unknown-types", "drop", "--on-conflict", "last"])
    assert code == 0, err
    assert "  edges 7: activation 3, repression 4" in out.splitlines()  # last row wins
    assert "kept the last row's type: 0 activation, 1 repression" in out
    assert "0 became activation, 1 repression" in err  # the warning says which type was kept
    code, out, err = run([*base, "--unknown-types", "drop"])  # default: drop dual pairs
    assert code == 0, err
    assert "  edges 6: activation 3, repression 3" in out.splitlines()
    assert "dropped 1 (regulator, target) pair(s) listed with both types" in err
    code, _, err = run([*base, "--unknown-types", "drop", "--on-conflict", "error"])
    assert code == 2 and "conflicting types" in err.splitlines()[-1]


def test_preprocessing_is_checked_up_front(run, tmp_path):
    expr, regs = (
        BAD / "pair_log2_minmax_negative.expression.csv",
        BAD / "pair_log2_minmax_negative.regulations.tsv",
    )
    base = ["validate", "-e", str(expr), "-r", str(regs)]
    code, _, err = run([*base, "--preprocessing", "log2_minmax"])
    assert code == 2 and "needs values > -1" in err and "np.float64" not in err
    assert "pair_log2_minmax_negative.expression.csv, gene 'TP53'" in err
    code, _, err = run([*base, "--preprocessing", "none"])
    assert code == 2 and "at least 3 of each" in err  # the scale is fine, the prior too small


def test_quiet_after_the_subcommand_hides_info(run, good):
    code, out, err = run(["validate", "-e", good[0], "-r", good[1], "-q"])
    assert code == 0 and out.splitlines()[-1] == "ok"
    assert "INFO" not in err and "WARNING" in err
