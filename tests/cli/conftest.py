"""Fixtures for the CLI tests: a runner, simulated files, and one model fitted through the CLI."""

from __future__ import annotations

import contextlib
import io
import logging
from pathlib import Path

import pytest

from xatgrn.cli import main

FAST: list[str] = []  # the default model fits 30 genes in about a second


def invoke(args: list[str]) -> tuple[int, str, str]:
    """Run ``xatgrn ARGS`` in this process: (exit code, stdout, stderr).

    Restores the ``xatgrn`` logger afterwards (the CLI points a handler at stderr), so it can
    be used from fixtures of any scope.
    """
    logger = logging.getLogger("xatgrn")
    saved = (logger.handlers[:], logger.level)
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main([*args])
    except SystemExit as exc:
        code = 0 if exc.code is None else int(exc.code)
    finally:
        logger.handlers[:], logger.level = saved
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def run():
    """``run(args) -> (code, stdout, stderr)``."""
    return invoke


def fit_args(directory: Path) -> list[str]:
    data = directory / "data"
    return ["fit", "-e", str(data / "expression.csv.gz"), "-r", str(data / "regulations.tsv"),
            "-o", str(directory / "model"), *FAST]  # fmt: skip


@pytest.fixture
def fit_command():
    """``fit_command(folder) -> args`` of the fast fit of ``folder/data`` into ``folder/model``."""
    return fit_args


@pytest.fixture(scope="session")
def fitted(tmp_path_factory) -> dict:
    """30 simulated genes, fitted by ``xatgrn fit`` (the default model).

    Returns the folder (``data/``, ``model/``) and what ``fit`` printed.
    """
    d = tmp_path_factory.mktemp("cli")
    sim = ["-q", "simulate", "--genes", "30", "--samples", "12", "--seed", "1"]
    code, _, err = invoke([*sim, "--out", str(d / "data")])
    assert code == 0, err
    code, out, err = invoke(["-q", *fit_args(d)])
    assert code == 0, err
    return {"dir": d, "model": d / "model", "stdout": out}
