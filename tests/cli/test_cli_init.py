"""The group and `main`: commands, logging levels, exit codes, `python -m xatgrn.cli`."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest

from xatgrn import __version__
from xatgrn.cli import _StderrHandler, cli, main
from xatgrn.errors import XatgrnInputError


def test_commands_are_registered():
    assert sorted(cli.commands) == [
        "analyze", "benchmark", "cv", "datasets", "demo", "fit", "predict", "simulate", "validate",
    ]  # fmt: skip
    assert sorted(cli.commands["datasets"].commands) == ["fetch", "info", "list"]


def test_python_dash_m_runs_the_cli():
    out = subprocess.run(
        [sys.executable, "-m", "xatgrn.cli", "--version"], capture_output=True, text=True
    )
    assert out.returncode == 0 and out.stdout.strip() == f"xatgrn, version {__version__}"


@pytest.mark.parametrize(
    ("flags", "level"),
    [
        ([], logging.INFO),
        (["-v"], logging.INFO),
        (["-vv"], logging.DEBUG),
        (["-q"], logging.WARNING),
    ],
)
def test_verbosity_sets_the_xatgrn_logger(flags, level):
    logger = logging.getLogger("xatgrn")
    for _ in range(2):  # a second run replaces the handler instead of adding one
        with pytest.raises(SystemExit) as info:
            main([*flags, "datasets", "info", "nope"])
        assert info.value.code == 2
    assert logger.level == level
    handlers = [h for h in logger.handlers if not isinstance(h, logging.NullHandler)]
    assert len(handlers) == 1 and isinstance(handlers[0], _StderrHandler)


def test_input_errors_are_one_line_unless_debugging(run, monkeypatch):
    code, out, err = run(["datasets", "info", "nope"])
    assert code == 2 and out == ""
    assert err.startswith("error: unknown dataset 'nope'") and err.count("\n") == 1
    monkeypatch.setenv("XATGRN_DEBUG", "1")
    with pytest.raises(XatgrnInputError, match="unknown dataset 'nope'"):
        main(["datasets", "info", "nope"])


def test_usage_errors_keep_clicks_message(run):
    code, _, err = run(["fit", "--no-such-option"])
    assert code == 2 and err.startswith("Usage: xatgrn fit [OPTIONS]")
    assert "Error: No such option" in err and "Traceback" not in err


def test_quiet_is_read_after_the_subcommand_too():
    from xatgrn.cli import _hoist_quiet

    assert _hoist_quiet(["fit", "-e", "x", "-q"]) == ["-q", "fit", "-e", "x"]
    assert _hoist_quiet(["-q", "fit"]) == ["-q", "fit"]
    assert _hoist_quiet(["fit", "--quiet", "--", "-q"]) == ["--quiet", "fit", "--", "-q"]
    assert _hoist_quiet(["datasets", "list"]) == ["datasets", "list"]
    logger = logging.getLogger("xatgrn")
    with pytest.raises(SystemExit):
        main(["datasets", "info", "nope", "-q"])
    assert logger.level == logging.WARNING


def test_quiet_silences_libraries_python_warnings():
    """anndata / h5py warn through ``warnings``, not logging: ``-q`` must hide those too."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:  # restores the filters afterwards
        warnings.simplefilter("always")
        with pytest.raises(SystemExit):
            main(["datasets", "info", "nope", "-q"])
        warnings.warn("a library's warning", UserWarning, stacklevel=1)
    assert caught == []
