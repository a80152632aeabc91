"""Options shared by several commands, declared once.

Each is a factory: call it to get the decorator, overriding any keyword (``help``, ``default``,
``required``) for that command, so a command's help can differ without restating the option.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from xatgrn.cli import choices

F = TypeVar("F", bound=Callable[..., Any])


def _option(*decls: str, **defaults: Any) -> Callable[..., Callable[[F], F]]:
    def make(**override: Any) -> Callable[[F], F]:
        return click.option(*decls, **{**defaults, **override})

    return make


expression_option = _option(
    "--expression",
    "-e",
    type=click.Path(dir_okay=False),
    help="Expression matrix: .csv/.tsv/.txt (optionally .gz) or .h5ad.",
)
regulations_option = _option(
    "--regulations",
    "-r",
    type=click.Path(dir_okay=False),
    help="Prior network: regulator,target,type (or BEELINE / decoupler layouts).",
)
orientation_option = _option(
    "--orientation",
    type=choices.orientations(),
    default="auto",
    show_default=True,
    help="Layout of the expression matrix; auto matches ids against the prior's genes.",
)
strict_option = _option(
    "--strict",
    is_flag=True,
    help="Fail (instead of warn and drop) when prior genes are missing from the expression.",
)
profile_option = _option(
    "--profile",
    type=choices.profiles(),
    default="paper",
    show_default=True,
    help="Named defaults: paper settings or a cheaper 'fast' profile.",
)
preprocessing_option = _option(
    "--preprocessing", type=choices.preprocessing_methods(), default=None
)
epochs_option = _option(
    "--epochs", type=int, default=None, help="Classifier epochs (overrides the profile)."
)
graph_epochs_option = _option(
    "--graph-epochs", type=int, default=None, help="Maximum DUPLEX epochs (overrides the profile)."
)
device_option = _option(
    "--device", default="auto", show_default=True, help="auto (CUDA when present), cpu, cuda."
)
