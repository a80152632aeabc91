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
on_conflict_option = _option(
    "--on-conflict",
    type=choices.conflict_policies(),
    default="drop",
    show_default=True,
    help="A pair listed with both types (dual regulation, e.g. TRRUST, RegulonDB): drop it, keep "
    "the last row's type, or fail.",
)
unknown_types_option = _option(
    "--unknown-types",
    type=choices.unknown_type_policies(),
    default="error",
    show_default=True,
    help="Regulation labels other than activation/repression (TRRUST 'Unknown', RegulonDB "
    "'?', '+-'): fail, or drop those rows.",
)
index_col_option = _option(
    "--index-col",
    default=None,
    metavar="NAME|N|none",
    help="Expression text file: the column holding the ids (header name or 1-based number), or "
    "'none' when there is none (samples as rows, gene ids in the header, as in DREAM5/GENIE3). "
    "Default: recognised from the content.",
)
aggregate_option = _option(
    "--aggregate",
    type=choices.aggregations(),
    default=None,
    help="Combine rows sharing a gene id (e.g. probes of one gene): mean or median per sample, "
    "or max = the row with the highest mean. Default: repeated ids are an error.",
)
layer_option = _option(
    "--layer",
    default=None,
    help=".h5ad input: the matrix to read instead of X: a layer name, or 'raw' for .raw.",
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


#: the reading options of :func:`reading_options`, as ``load_user_data`` keywords
READING_KEYS: tuple[str, ...] = (
    "orientation",
    "index_col",
    "aggregate",
    "layer",
    "strict",
    "on_conflict",
    "unknown_types",
)


def reading_options(**overrides: dict[str, Any]) -> Callable[[F], F]:
    """How to read the user's expression and prior files (``load_user_data``'s keywords).

    ``overrides`` maps an option's keyword (e.g. ``"strict"``) to keyword overrides for it.
    """
    factories = {
        "orientation": orientation_option,
        "index_col": index_col_option,
        "aggregate": aggregate_option,
        "layer": layer_option,
        "strict": strict_option,
        "on_conflict": on_conflict_option,
        "unknown_types": unknown_types_option,
    }

    def decorate(func: F) -> F:
        for key in reversed(READING_KEYS):
            func = factories[key](**overrides.get(key, {}))(func)
        return func

    return decorate


def pop_reading(opts: dict[str, Any]) -> dict[str, Any]:
    """Remove the reading options from a command's ``**opts`` and return them."""
    return {key: opts.pop(key) for key in READING_KEYS if key in opts}
