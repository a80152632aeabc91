"""``xatgrn datasets list|info|fetch``: the FGRN benchmark registry (xatgrn.data.datasets)."""

from __future__ import annotations

import click

_DATA_DIR_HELP = (
    "Folder holding <name>/expression.csv.gz and <name>/regulations.tsv "
    "(default: $XATGRN_DATA_DIR, else the download cache; $XATGRN_CACHE moves the cache)."
)


def _datasets_dir(ctx: click.Context, data_dir: str | None) -> str | None:
    """A subcommand's --data-dir wins over the group's ``xatgrn datasets --data-dir``."""
    return data_dir if data_dir is not None else ctx.obj.get("data_dir")


@click.group("datasets")
@click.option("--data-dir", type=click.Path(file_okay=False), default=None, help=_DATA_DIR_HELP)
@click.pass_context
def datasets_group(ctx: click.Context, data_dir: str | None) -> None:
    """The 9 FGRN benchmark datasets (DeepFGRN / XATGRN): list, describe, download."""
    ctx.obj["data_dir"] = data_dir


@datasets_group.command("list")
@click.option("--data-dir", type=click.Path(file_okay=False), default=None, help=_DATA_DIR_HELP)
@click.pass_context
def datasets_list(ctx: click.Context, data_dir: str | None) -> None:
    """List the datasets and whether they are here.

    A table of organism/condition, genes, samples, edges and local status.
    """
    from xatgrn.data.datasets import DATASETS, find_local_copy, is_available, resolve_data_dir

    data_dir = _datasets_dir(ctx, data_dir)
    header = ("name", "organism / condition", "genes", "samples", "edges", "status")
    rows = [header] + [
        (
            spec.name,
            f"{spec.organism} / {spec.condition}",
            str(spec.counts["genes"]),
            str(spec.counts["samples"]),
            str(spec.counts["edges"]),
            "available locally" if is_available(spec.name, data_dir) else "not fetched",
        )
        for spec in DATASETS.values()
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    click.echo(f"\ndata dir: {resolve_data_dir(data_dir)}")
    if not any(is_available(name, data_dir) for name in DATASETS):
        local = find_local_copy()
        if local is not None:
            click.echo(
                f"a local copy is at {local}: pass --data-dir {local} or set XATGRN_DATA_DIR"
            )


@datasets_group.command("info")
@click.argument("name")
@click.option("--data-dir", type=click.Path(file_okay=False), default=None, help=_DATA_DIR_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print the metadata as JSON.")
@click.pass_context
def datasets_info(ctx: click.Context, name: str, data_dir: str | None, as_json: bool) -> None:
    """Show all metadata of dataset NAME.

    Sources and URLs, citation, reference preprocessing, negatives, counts, local status.
    """
    import json

    from xatgrn.data.datasets import dataset_files, get_spec, is_available

    data_dir = _datasets_dir(ctx, data_dir)
    info = get_spec(name).to_dict()
    info["status"] = "available locally" if is_available(name, data_dir) else "not fetched"
    info["local_files"] = {k: str(v) for k, v in dataset_files(name, data_dir).items()}
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    for key, value in info.items():
        if isinstance(value, dict):
            click.echo(f"{key}:")
            for sub, item in value.items():
                click.echo(f"  {sub}: {item}")
        else:
            click.echo(f"{key}: {value}")


@datasets_group.command("fetch")
@click.argument("name")
@click.option("--data-dir", type=click.Path(file_okay=False), default=None, help=_DATA_DIR_HELP)
@click.option("--force", is_flag=True, help="Rebuild files that already exist.")
@click.option(
    "--mirror",
    default=None,
    help="Base URL laid out as <mirror>/<repository>/<path> (default: $XATGRN_MIRROR, else "
    "raw.githubusercontent.com at the pinned commits).",
)
@click.pass_context
def datasets_fetch(
    ctx: click.Context, name: str, data_dir: str | None, force: bool, mirror: str | None
) -> None:
    """Download, convert and verify NAME (or `all`).

    Fetches the original public source files (sha256-pinned), converts them to the benchmark
    format and checks the result against the registry; existing files are kept unless --force.
    """
    from xatgrn.data.datasets import fetch_all, fetch_dataset

    data_dir = _datasets_dir(ctx, data_dir)
    progress = not ctx.obj.get("quiet", False)
    if name == "all":
        folders = fetch_all(data_dir, force=force, mirror=mirror, progress=progress)
    else:
        folders = {
            name: fetch_dataset(name, data_dir, force=force, mirror=mirror, progress=progress)
        }
    for ds_name, folder in folders.items():
        click.echo(f"{ds_name}: {folder.resolve()}")
