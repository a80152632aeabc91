"""Shared options: declared once, each command may override a keyword."""

from __future__ import annotations

from xatgrn.cli import cli


def option(command: str, name: str):
    (param,) = [p for p in cli.commands[command].params if name in p.opts]
    return param


def test_one_declaration_with_per_command_overrides():
    fit, cv = option("fit", "--expression"), option("cv", "--expression")
    assert fit.opts == cv.opts == ["--expression", "-e"]
    assert fit.required and not cv.required
    assert fit.help == "Expression matrix: .csv/.tsv/.txt (optionally .gz) or .h5ad."
    assert cv.help == "Or: your expression table."
    # the same option everywhere it is not overridden
    for name in ("--profile", "--epochs", "--graph-epochs", "--device"):
        params = [option(c, name) for c in ("fit", "cv", "benchmark")]
        assert len({(p.default, p.help, p.type.name) for p in params}) == 1, name
