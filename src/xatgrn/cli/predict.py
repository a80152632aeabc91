"""``xatgrn predict``: score candidate pairs with a fitted model; write a ranked edge list."""

from __future__ import annotations

from pathlib import Path

import click

from xatgrn.cli import choices, formatting


def _refuse_overwrite(path, force: bool) -> None:
    from xatgrn.errors import input_error

    if Path(path).exists() and not force:
        raise input_error("output exists", path=path, fix="choose another path or pass --force")


@click.command()
@click.option(
    "--model",
    "-m",
    "model_dir",
    required=True,
    type=click.Path(),
    help="Directory written by `xatgrn fit`.",
)
@click.option(
    "--out",
    "-o",
    required=True,
    type=click.Path(),
    help="Output edge list (.tsv, .tsv.gz, .csv for beeline, .graphml).",
)
@click.option(
    "--regulators",
    type=click.Path(),
    default=None,
    help="File with candidate regulators, one per line (default: the prior's regulators).",
)
@click.option(
    "--targets",
    type=click.Path(),
    default=None,
    help="File with candidate targets, one per line (default: every gene).",
)
@click.option("--all-pairs", is_flag=True, help="Every gene as a candidate regulator.")
@click.option(
    "--top-k", "--top", "top", type=int, default=None, help="Keep the K highest-scoring pairs."
)
@click.option("--min-prob", type=float, default=None, help="Keep pairs with 1 - p_none >= this.")
@click.option(
    "--precision",
    type=float,
    default=None,
    help="Keep pairs above the threshold that reached this typed precision on the model's "
    "held-out prior pairs (needs a model fitted with --holdout > 0).",
)
@click.option(
    "--format",
    "fmt",
    type=choices.edge_list_formats(),
    default=None,
    help="Output format (default from the suffix).",
)
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=8192,
    show_default=True,
    help="Pairs per forward pass; peak memory grows with it.",
)
@click.option(
    "--dask",
    default=None,
    help="Shard the scoring over Dask workers: a scheduler ADDRESS, or 'local' for a "
    "LocalCluster of one single-threaded worker per core. The output is the serial one.",
)
@click.option(
    "--compile-trees",
    type=choices.compile_modes(),
    default="auto",
    show_default=True,
    help="Compile the default model's boosters to native code with gcc/clang before scoring "
    "(same output, ~2x faster trees; 'auto': from 1 M candidate pairs on, when a compiler "
    "is found).",
)
@click.pass_context
def predict(
    ctx,
    model_dir,
    out,
    regulators,
    targets,
    all_pairs,
    top,
    min_prob,
    precision,
    fmt,
    force,
    batch_size,
    dask,
    compile_trees,
):
    """Score candidate (regulator, target) pairs with a fitted model; write a ranked typed edge list."""
    from xatgrn.data.io import read_gene_list
    from xatgrn.model.persist import load_model

    _refuse_overwrite(out, force)
    model = load_model(model_dir)
    client, cluster = _dask_client(dask)
    model.config.progress = not ctx.obj["quiet"]
    regs = read_gene_list(regulators) if regulators else (list(model.genes_) if all_pairs else None)
    tgts = read_gene_list(targets) if targets else None
    rule = model.selection(top=top, min_prob=min_prob, precision=precision)
    meta = {
        "model": str(model_dir),
        "selection": rule,
        "holdout_metrics": model.holdout_metrics_,
    }
    selected = model.write_network(
        out,
        regs,
        tgts,
        top=rule["top_k"],
        min_prob=rule["min_prob"],
        fmt=fmt,
        metadata=meta,
        batch_size=batch_size,
        client=client,
        compile_trees=compile_trees,
    )
    if client is not None:  # ours only: a cluster the user runs is left running
        client.close()
        if cluster is not None:
            cluster.close()
    n = selected["n_selected"]
    click.echo(f"{n} scored pairs written to {out} (rule: {_describe_rule(rule)})")
    est = selected["selection_estimate"]
    if est.get("available"):
        line = (
            f"held-out prior pairs at score >= {selected['selection_threshold']:.3f}: "
            f"typed precision {formatting.fmt(est['heldout_typed_precision'])}, "
            f"edge recall {formatting.fmt(est['heldout_edge_recall'])}"
        )
        if "prevalence_adjusted_typed_precision" in est:
            adjusted = formatting.fmt(est["prevalence_adjusted_typed_precision"])
            line += (
                f"; at this candidate set's prevalence ({est['prevalence']:.4f}) "
                f"{adjusted} (pessimistic lower bound, 95 %: unlabelled pairs counted as errors)"
            )
        click.echo(line)
        if est.get("warning"):
            click.echo(f"warning: {est['warning']}", err=True)


def _dask_client(dask: str | None):
    """(client, cluster we started or None) for ``--dask``; (None, None) without it."""
    if dask is None:
        return None, None
    from xatgrn.utils import default_threads

    try:
        from distributed import Client, LocalCluster
    except ImportError:
        from xatgrn.errors import input_error

        raise input_error(
            "--dask needs dask.distributed", fix='pip install "xatgrn[dask]"'
        ) from None
    if dask == "local":
        cluster = LocalCluster(n_workers=default_threads(), threads_per_worker=1, processes=True)
        return Client(cluster), cluster
    return Client(dask), None


def _describe_rule(rule: dict) -> str:
    if rule["rule"] == "top":
        return f"top {rule['top_k']} by score"
    if rule["rule"] == "precision":
        target = rule["precision_target"]
        return f"score >= {rule['min_prob']:.3f} (held-out typed precision >= {target})"
    if rule["rule"] == "min_prob":
        return f"score >= {rule['min_prob']}"
    return "every candidate"
