"""``xatgrn validate``: check the user's files load, align and can train (xatgrn.data.io)."""

from __future__ import annotations

from typing import Any

import click

from xatgrn.cli import options


@click.command("validate")
@options.expression_option(required=True)
@options.regulations_option(required=True)
@options.reading_options()
@options.preprocessing_option(
    help="The transform `fit` / `cv` will apply: log2_minmax needs values > -1 and makes "
    "unlogged data fine (default none)."
)
def validate_cmd(expression: str, regulations: str, preprocessing: str | None, **read: Any) -> None:
    """Check that an expression matrix and a prior network load, align and can train a model.

    Prints what was recognised (layout, id column, matrix, counts) and what was dropped; refuses
    with one line naming the file, the cause and the fix.
    """
    from xatgrn.data.io import check_fittable, load_user_data

    ds = load_user_data(expression, regulations, preprocessing=preprocessing, **read)
    check_fittable(ds.regulations, source=regulations)
    md = ds.metadata
    click.echo(f"expression:  {expression} ({md['orientation']})")
    aggregated = md["expression_read"].get("aggregated_rows", 0)
    click.echo(
        f"  genes {md['genes']}, samples {md['samples']}"
        + (f" ({aggregated} repeated gene rows combined by --aggregate)" if aggregated else "")
    )
    click.echo(f"  read as: {_describe_expression(md['expression_read'])}")
    scale = md["scale"]
    click.echo(
        f"  values: min {scale['min']:g}, max {scale['max']:g}, {scale['negative']} negative, "
        f"{scale['constant_genes']} constant gene(s)"
        + ("; looks unlogged" if scale["unlogged"] else "")
        + ("; looks standardised per gene" if scale["standardised"] else "")
    )
    read = md["regulations_read"]
    click.echo(f"regulations: {regulations} (layout {read['layout']})")
    click.echo(
        f"  edges {md['edges']}: activation {md['activation']}, repression {md['repression']}"
    )
    click.echo(
        f"  self-loops: {md['self_loops']} kept (a gene regulating itself is a labelled pair)"
    )
    unknown, conflicts = read["unknown_type_rows"], read["conflicting_pairs"]
    if unknown or conflicts:
        kept = read.get("conflict_types_kept") or {}
        what = (
            f"kept the last row's type: {kept.get('activation', 0)} activation, "
            f"{kept.get('repression', 0)} repression"
            if read["on_conflict"] == "last"
            else "dropped"
        )
        click.echo(
            f"  read: {unknown} row(s) with unknown types dropped; {conflicts} pair(s) listed "
            f"with both types ({what})"
        )
    dropped = md["dropped_genes"]
    shown = ", ".join(dropped[:5]) + (", ..." if len(dropped) > 5 else "")
    click.echo(
        f"  dropped: {len(dropped)} prior genes absent from the expression"
        + (f" ({shown})" if dropped else "")
        + f", {md['dropped_edges']} edges"
    )
    click.echo("ok")


def _describe_expression(info: dict[str, Any]) -> str:
    """One line: which matrix, layout, id column and ignored columns were read."""
    if info["layout"] == "anndata":
        others = ", ".join(info["other_matrices"]) or "none"
        return f"AnnData, matrix {info['matrix']} (others: {others}; choose with --layer)"
    text = {"table": "table", "gct": "GCT file", "geo-series-matrix": "GEO series matrix"}
    out = f"{text.get(info['layout'], info['layout'])}, {info['separator']}-separated, "
    if info["id_column"] is None:
        out += "no id column (samples as rows named s1..sN, gene ids in the header)"
    else:
        out += f"ids in column {info['id_column']}"
    if info["ignored_columns"]:
        out += f", ignored annotation column(s) {', '.join(info['ignored_columns'])}"
    return out
