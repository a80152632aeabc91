"""The CLI turns bad input into one `error: ...` line on stderr and exit code 2, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from xatgrn.cli import main

BAD = Path(__file__).parent / "data" / "bad_inputs"
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
def test_bad_input_exits_2_without_traceback(
    capsys, good, expression, regulations, extra, fragment
):
    expr = str(BAD / expression) if expression else good[0]
    regs = str(BAD / regulations) if regulations else good[1]
    with pytest.raises(SystemExit) as info:
        main(["validate", "--expression", expr, "--regulations", regs, *extra])
    assert info.value.code == 2
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and fragment in errors[0] and ". Fix: " in errors[0]
    assert "Traceback" not in err


def test_good_files_exit_0_with_summary(capsys, good):
    try:
        main(["validate", "--expression", good[0], "--regulations", good[1]])
    except SystemExit as exc:  # click may exit 0 explicitly
        assert exc.code in (0, None)
    captured = capsys.readouterr()
    assert "genes 3, samples 3" in captured.out
    assert "edges 2: activation 1, repression 1" in captured.out
    assert "dropped: 1 prior genes absent from the expression (lacZ), 1 edges" in captured.out
    assert "1 of 4 prior-network genes are absent" in captured.err  # the warning
    assert "Traceback" not in captured.err
