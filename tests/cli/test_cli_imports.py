"""A bad input is reported before torch is imported (issue 19, item 12).

Parsing the options (``--method``, ``--profile``, ``--mode`` are read from library constants) and
checking the user's files import no estimator: torch costs seconds, a typo should not. Each
check runs in a fresh interpreter, as ``sys.modules`` of the test process already holds torch.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

NON_NUMERIC = "non-numeric value 'abc' in sample 's2'"


def _fresh(code: str) -> dict:
    """Run ``code`` in a new interpreter; it prints one JSON line last."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return {**json.loads(out.stdout.strip().splitlines()[-1]), "stderr": out.stderr}


def _cli(args: list[str]) -> dict:
    """Run ``xatgrn ARGS`` in a new interpreter: exit code, stderr, whether torch was imported."""
    code = (
        "import json, sys\n"
        "from xatgrn.cli import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "    code = 0\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        "print(json.dumps({'code': code, 'torch': 'torch' in sys.modules}))\n"
    )
    return _fresh(code)


@pytest.fixture
def bad_files(tmp_path: Path) -> dict[str, str]:
    expression = tmp_path / "bad.csv"
    expression.write_text("gene,s1,s2,s3\nA,1,2,3\nB,1,abc,3\nC,4,5,6\n")
    prior = tmp_path / "prior.tsv"
    prior.write_text("regulator\ttarget\ttype\nA\tB\tactivation\nB\tC\trepression\n")
    return {"e": str(expression), "r": str(prior), "out": str(tmp_path / "out")}


@pytest.mark.parametrize(
    "extra",
    [
        [],
        ["--method", "xatgrn", "--profile", "fast"],
        ["--method", "xatgrn-paper", "--profile", "paper", "--mode", "fusion"],
    ],
    ids=["defaults", "xatgrn-fast", "paper-mode"],
)
def test_fit_reports_a_bad_expression_file_without_importing_torch(bad_files, extra):
    f = bad_files
    res = _cli(["fit", "-e", f["e"], "-r", f["r"], "-o", f["out"], *extra])
    assert res["code"] == 2
    assert NON_NUMERIC in res["stderr"]
    assert not res["torch"], "torch imported before the input error was reported"


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (["validate"], NON_NUMERIC),
        (["cv", "--profile", "fast", "--ablation", "no-graph"], NON_NUMERIC),
        (["benchmark", "--protocols", "nonsense", "--methods", "cnngrn"], "unknown protocol"),
        (["predict", "-m", "{out}", "--all-pairs"], "model directory not found"),
    ],
    ids=["validate", "cv", "benchmark", "predict"],
)
def test_other_commands_report_bad_inputs_without_importing_torch(bad_files, command, message):
    f = bad_files
    if command[0] in ("validate", "cv"):
        command = [*command, "-e", f["e"], "-r", f["r"]]
    if command[0] != "validate":
        command = [a.format(**f) for a in command] + ["-o", f["out"] + "2"]
    res = _cli(command)
    assert res["code"] == 2
    assert message in res["stderr"]
    assert not res["torch"], "torch imported before the input error was reported"


def test_the_registry_and_the_configs_import_no_torch():
    res = _fresh(
        "import json, sys\n"
        "import xatgrn.methods as m\n"
        "import xatgrn.model.config, xatgrn.graph.config, xatgrn.train_config\n"
        "from xatgrn.model.network_config import MODES\n"
        "names = (m.list_methods(), m.persistent_methods(), m.get_method('cnngrn').name)\n"
        "profiles = [p() for p in xatgrn.model.config.FIT_PROFILES.values()]\n"
        "print(json.dumps({'torch': 'torch' in sys.modules, 'n': len(names[0])}))\n"
    )
    assert res["n"] > 0
    assert not res["torch"]
