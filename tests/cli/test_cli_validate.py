"""`xatgrn validate`: bad input is one `error: ...` line and exit code 2; good input a summary."""

from __future__ import annotations

from pathlib import Path

import pytest

BAD = Path(__file__).parents[1] / "data" / "bad_inputs"
GOOD_EXPR = "gene,s1,s2,s3\nfis,1.5,2.0,3.1\nadhE,0.4,0.8,1.2\ncrp,2.2,1.0,0.9\n"
GOOD_REGS = "regulator\ttarget\ttype\nfis\tadhE\tactivation\ncrp\tfis\trepression\nfis\tlacZ\t-\n"


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
        (None, None, ["--strict"], "1 of 4 prior-network genes are absent"),
        ("missing.csv", None, [], "missing.csv: file not found"),
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
        "  genes 3, samples 3",
        f"regulations: {good[1]} (layout regulator,target,type)",
        "  edges 2: activation 1, repression 1",
        "  dropped: 1 prior genes absent from the expression (lacZ), 1 edges",
        "ok",
    ]
    assert "1 of 4 prior-network genes are absent" in err  # the warning
    assert "Traceback" not in err


def test_conflict_and_unknown_type_policies_reach_the_reader(run, good, tmp_path):
    regs = tmp_path / "conflict.tsv"
    extra = "adhE\tcrp\tactivation\nfis\tadhE\trepression\ncrp\tadhE\t?\n"
    regs.write_text(GOOD_REGS.replace("fis\tlacZ\t-\n", extra))
    base = ["validate", "--expression", good[0], "--regulations", str(regs)]
    code, _, err = run(base)
    assert code == 2 and "unknown regulation type '?'" in err
    code, out, err = run([*base, "--unknown-types", "drop"])
    assert code == 0, err
    assert "  edges 3: activation 1, repression 2" in out.splitlines()  # last row wins
    code, out, err = run([*base, "--unknown-types", "drop", "--on-conflict", "drop"])
    assert code == 0, err
    assert "  edges 2: activation 1, repression 1" in out.splitlines()
    code, _, err = run([*base, "--unknown-types", "drop", "--on-conflict", "error"])
    assert code == 2 and "conflicting types" in err.splitlines()[-1]
