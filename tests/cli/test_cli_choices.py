"""Every choice the CLI offers is the library's constant, read lazily."""

from __future__ import annotations

import subprocess
import sys

import click
import pandas as pd
import pytest

from xatgrn.cli import cli
from xatgrn.cli.choices import LibraryChoice


def choice_params(group: click.Group, path: tuple[str, ...] = ()):
    """(command path, option name, Choice type) for every choice option, recursively."""
    for name, command in group.commands.items():
        for param in command.params:
            if isinstance(param.type, click.Choice):
                yield (*path, name), param.opts[0], param.type
        if isinstance(command, click.Group):
            yield from choice_params(command, (*path, name))


def library_values() -> dict[tuple[str, str], tuple[str, ...]]:
    from xatgrn.analysis.degree import DEGREE_KINDS
    from xatgrn.data.edgelist import FORMATS
    from xatgrn.data.io import (
        AGGREGATIONS,
        CONFLICT_POLICIES,
        ORIENTATIONS,
        UNKNOWN_TYPE_POLICIES,
    )
    from xatgrn.data.preprocess import PREPROCESSING
    from xatgrn.evaluate.protocols import PROTOCOLS
    from xatgrn.methods import list_methods, persistent_methods
    from xatgrn.model.compiled_trees import MODES as COMPILE_MODES
    from xatgrn.model.config import FIT_PROFILES as PROFILES
    from xatgrn.model.xatgrn import MODES

    profiles = tuple(p for p in PROFILES if p != "smoke")
    preprocessing = ("none", *sorted(set(PREPROCESSING) - {"none"}))
    ablations = tuple(m.split("-", 1)[1] for m in list_methods() if m.startswith("xatgrn-"))
    cv_shared = {"--profile": profiles, "--negatives-from": ("all", "regulators")}
    reading = {
        "--orientation": ORIENTATIONS,
        "--aggregate": AGGREGATIONS,
        "--on-conflict": CONFLICT_POLICIES,
        "--unknown-types": UNKNOWN_TYPE_POLICIES,
    }
    return {
        **{(command, k): v for command in ("fit", "validate", "cv") for k, v in reading.items()},
        ("fit", "--method"): tuple(persistent_methods()),
        ("fit", "--profile"): profiles,
        ("fit", "--preprocessing"): preprocessing,
        ("fit", "--mode"): MODES,
        ("predict", "--format"): FORMATS,
        ("predict", "--compile-trees"): COMPILE_MODES,
        ("validate", "--preprocessing"): preprocessing,
        ("cv", "--preprocessing"): preprocessing,
        ("cv", "--protocol"): PROTOCOLS,
        ("cv", "--ablation"): ablations,
        **{("cv", k): v for k, v in cv_shared.items()},
        **{("benchmark", k): v for k, v in cv_shared.items()},
        ("analyze", "--degree"): DEGREE_KINDS,
    }


def test_every_choice_equals_its_library_constant():
    found = {(path[-1], opt): tuple(kind.choices) for path, opt, kind in choice_params(cli)}
    assert found == library_values()


def test_every_choice_names_its_library_source():
    sources = {
        (path[-1], opt): getattr(kind, "source", None) for path, opt, kind in choice_params(cli)
    }
    assert {k for k, v in sources.items() if v is None} == set()
    assert sources[("fit", "--profile")] == "xatgrn.model.config.FIT_PROFILES"
    assert sources[("cv", "--protocol")] == "xatgrn.evaluate.protocols.PROTOCOLS"
    assert sources[("cv", "--negatives-from")] == "xatgrn.data.pairs.NEGATIVE_SOURCES"


def test_negatives_from_choices_are_what_the_pair_sampler_accepts():
    from xatgrn.data.pairs import labelled_pairs
    from xatgrn.errors import XatgrnInputError

    prior = pd.DataFrame(
        {"regulator": ["a", "b"], "target": ["b", "c"], "type": ["activation"] * 2}
    )
    genes = ["a", "b", "c", "d"]
    (values,) = {tuple(t.choices) for _, opt, t in choice_params(cli) if opt == "--negatives-from"}
    for value in values:
        assert len(labelled_pairs(prior, genes, n_negatives=2, negatives_from=value)) == 4
    with pytest.raises(XatgrnInputError, match="unknown negatives_from"):
        labelled_pairs(prior, genes, negatives_from="targets")


def test_library_choice_reads_its_constant_once_and_only_when_asked(monkeypatch):
    calls = []

    def select(value):
        calls.append(value)
        return value

    kind = LibraryChoice("xatgrn.data.edgelist.FORMATS", select)
    assert calls == []
    assert kind.choices == ("tsv", "beeline", "graphml") == kind.choices
    assert len(calls) == 1
    assert kind.convert("beeline", None, None) == "beeline"
    with pytest.raises(click.BadParameter, match="'csv' is not one of 'tsv', 'beeline', 'graphml'"):
        kind.convert("csv", None, None)


def test_importing_the_cli_imports_no_library_constant():
    code = (
        "import sys, xatgrn.cli; "
        "print(sorted(m for m in ('torch', 'pandas', 'xatgrn.data.io', 'xatgrn.evaluate.protocols') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
