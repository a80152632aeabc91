"""``xatgrn simulate`` and ``xatgrn demo``: simulated data, and the embedded default run."""

from __future__ import annotations

import click


@click.command("simulate")
@click.option(
    "--genes",
    "n_genes",
    type=click.IntRange(min=3),
    default=200,
    show_default=True,
    help="Number of genes (not with --network: genes come from the network).",
)
@click.option("--samples", "n_samples", type=click.IntRange(min=2), default=100, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True, help="One seed for everything.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    required=True,
    help="Folder for expression.csv.gz, regulations.tsv and metadata.json.",
)
@click.option(
    "--network",
    type=click.Path(dir_okay=False),
    default=None,
    help="Simulate expression on this typed network (regulator, target, type) instead of a "
    "simulated one.",
)
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
@click.pass_context
def simulate_command(
    ctx: click.Context,
    n_genes: int,
    n_samples: int,
    seed: int,
    out_dir: str,
    network: str | None,
    force: bool,
) -> None:
    """Simulate a ground-truth GRN and its expression (files the readers accept).

    The network has a skewed out-degree, bounded in-degree and both regulation types; expression
    comes from Hill-function steady states under per-sample perturbations and knock-downs
    (see xatgrn.data.synthetic). metadata.json records the parameters, seed and ground truth.
    """
    from pathlib import Path

    from xatgrn.data.io import read_regulations
    from xatgrn.data.synthetic import simulate, simulate_on_network
    from xatgrn.data.writers import write_dataset
    from xatgrn.errors import input_error
    from xatgrn.utils import sha256_file

    out = Path(out_dir)
    if network is not None:
        if ctx.get_parameter_source("n_genes") is click.core.ParameterSource.COMMANDLINE:
            raise input_error(
                "--genes cannot be combined with --network",
                path=network,
                fix="drop --genes: the genes are those of the network",
            )
        dataset = simulate_on_network(read_regulations(network), n_samples, seed)
        dataset.metadata["network"] = {"path": str(network), "sha256": sha256_file(network)}
    else:
        dataset = simulate(n_genes, n_samples, seed)
    write_dataset(dataset, out, overwrite=force)
    summary = dataset.metadata["ground_truth"]
    click.echo(
        f"simulated {dataset.expression.shape[0]} genes x {dataset.expression.shape[1]} samples, "
        f"{summary['n_edges']} edges ({summary['n_activation']} activation, "
        f"{summary['n_repression']} repression) -> {out}"
    )


@click.command()
@click.option(
    "--out",
    "-o",
    type=click.Path(),
    default="xatgrn-demo",
    show_default=True,
    help="Directory for the demo's outputs.",
)
@click.option("--genes", type=int, default=150, show_default=True)
@click.option("--samples", type=int, default=60, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--force", is_flag=True, help="Overwrite a previous demo directory.")
@click.pass_context
def demo(ctx, out, genes, samples, seed, force):
    """The embedded default: simulate a GRN, fit, evaluate on held-out pairs, write the predicted network."""
    from xatgrn.demo import run_demo

    run_demo(
        out,
        n_genes=genes,
        n_samples=samples,
        seed=seed,
        force=force,
        progress=not ctx.obj["quiet"],
        echo=click.echo,
    )
