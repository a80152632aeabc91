"""``xatgrn validate``: check the user's files load, align and can train (xatgrn.data.io)."""

from __future__ import annotations

import click

from xatgrn.cli import choices, options


@click.command("validate")
@options.expression_option(required=True)
@options.regulations_option(required=True)
@options.orientation_option()
@options.strict_option()
@click.option(
    "--on-conflict",
    type=choices.conflict_policies(),
    default="last",
    show_default=True,
    help="A pair listed with both types: last row wins, fail, or drop.",
)
@click.option(
    "--unknown-types",
    type=choices.unknown_type_policies(),
    default="error",
    show_default=True,
    help="Regulation labels other than activation/repression.",
)
def validate_cmd(
    expression: str,
    regulations: str,
    orientation: str,
    strict: bool,
    on_conflict: str,
    unknown_types: str,
) -> None:
    """Check that an expression matrix and a prior network load, align and can train a model."""
    from xatgrn.data.io import load_user_data

    ds = load_user_data(
        expression,
        regulations,
        orientation=orientation,
        strict=strict,
        on_conflict=on_conflict,
        unknown_types=unknown_types,
    )
    md = ds.metadata
    click.echo(f"expression:  {expression} ({md['orientation']})")
    click.echo(f"  genes {md['genes']}, samples {md['samples']}")
    click.echo(f"regulations: {regulations} (layout {md['regulations_read']['layout']})")
    click.echo(
        f"  edges {md['edges']}: activation {md['activation']}, repression {md['repression']}"
    )
    dropped = md["dropped_genes"]
    shown = ", ".join(dropped[:5]) + (", ..." if len(dropped) > 5 else "")
    click.echo(
        f"  dropped: {len(dropped)} prior genes absent from the expression"
        + (f" ({shown})" if dropped else "")
        + f", {md['dropped_edges']} edges"
    )
    click.echo("ok")
