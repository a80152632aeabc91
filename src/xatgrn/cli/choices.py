"""Option choices read from the library, never copied by hand.

Each choice names the library constant it comes from and is read on first use, so ``xatgrn
--help`` and commands that never touch an option do not import torch or pandas for it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import Any

import click

#: profiles in ``xatgrn.model.config.FIT_PROFILES`` that the CLI does not offer (tests and CI only)
HIDDEN_PROFILES = frozenset({"smoke"})
#: the ablation methods are the registry's ``xatgrn-<ablation>`` names
ABLATION_PREFIX = "xatgrn-"


def _attribute(path: str) -> Any:
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


class LibraryChoice(click.Choice):
    """A :class:`click.Choice` whose values come from a library constant, read lazily.

    Args:
        source: dotted path of the constant (shown by ``repr`` and checked by the tests).
        select: turns the constant into the choices (default: its items, in order).
    """

    def __init__(
        self,
        source: str,
        select: Callable[[Any], Iterable[str]] = iter,
        case_sensitive: bool = True,
    ) -> None:
        self.source = source
        self._select = select
        self._choices: tuple[str, ...] | None = None
        self.case_sensitive = case_sensitive

    @property  # type: ignore[override]
    def choices(self) -> tuple[str, ...]:
        if self._choices is None:
            self._choices = tuple(self._select(_attribute(self.source)))
        return self._choices

    @choices.setter
    def choices(self, value: Iterable[str]) -> None:
        self._choices = tuple(value)

    def __repr__(self) -> str:
        return f"LibraryChoice({self.source})"


def _none_first(methods: Iterable[str]) -> list[str]:
    # the help has always listed the identity first: `[none|log2_minmax]`
    return sorted(methods, key=lambda m: m != "none")


def _visible_profiles(profiles: Iterable[str]) -> list[str]:
    return [p for p in profiles if p not in HIDDEN_PROFILES]


def _ablations(list_methods: Callable[[], list[str]]) -> list[str]:
    names = list_methods()
    return [n.removeprefix(ABLATION_PREFIX) for n in names if n.startswith(ABLATION_PREFIX)]


def orientations() -> LibraryChoice:
    return LibraryChoice("xatgrn.data.io.ORIENTATIONS")


def conflict_policies() -> LibraryChoice:
    return LibraryChoice("xatgrn.data.io.CONFLICT_POLICIES")


def unknown_type_policies() -> LibraryChoice:
    return LibraryChoice("xatgrn.data.io.UNKNOWN_TYPE_POLICIES")


def aggregations() -> LibraryChoice:
    return LibraryChoice("xatgrn.data.io.AGGREGATIONS")


def preprocessing_methods() -> LibraryChoice:
    return LibraryChoice("xatgrn.data.preprocess.PREPROCESSING", _none_first)


def profiles() -> LibraryChoice:
    return LibraryChoice("xatgrn.model.config.FIT_PROFILES", _visible_profiles)


def network_modes() -> LibraryChoice:
    return LibraryChoice("xatgrn.model.network_config.MODES")


def protocols() -> LibraryChoice:
    return LibraryChoice("xatgrn.evaluate.protocols.PROTOCOLS")


def fit_methods() -> LibraryChoice:
    return LibraryChoice("xatgrn.methods.persistent_methods", lambda f: f())


def ablations() -> LibraryChoice:
    return LibraryChoice("xatgrn.methods.list_methods", _ablations)


def edge_list_formats() -> LibraryChoice:
    return LibraryChoice("xatgrn.data.edgelist.FORMATS")


def degree_kinds() -> LibraryChoice:
    return LibraryChoice("xatgrn.analysis.degree.DEGREE_KINDS")


def negative_sources() -> LibraryChoice:
    return LibraryChoice("xatgrn.data.pairs.NEGATIVE_SOURCES")


def compile_modes() -> LibraryChoice:
    return LibraryChoice("xatgrn.model.compiled_trees.MODES")
