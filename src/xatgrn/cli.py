"""Command line interface: thin over the Python API.

Every command turns bad input into one clear message on stderr and a non-zero exit code,
never a traceback (set ``XATGRN_DEBUG=1`` to see the traceback).
"""

from __future__ import annotations

import logging
import os
import sys

import click

from xatgrn import __version__
from xatgrn.errors import XatgrnInputError

log = logging.getLogger("xatgrn")


def _configure_logging(verbose: int, quiet: bool) -> None:
    level = logging.WARNING if quiet else (logging.DEBUG if verbose > 1 else logging.INFO)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    root = logging.getLogger("xatgrn")
    root.handlers[:] = [h for h in root.handlers if isinstance(h, logging.NullHandler)]
    root.addHandler(handler)
    root.setLevel(level)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="xatgrn")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors; no progress bars.")
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """xatgrn: infer typed, directed gene regulatory networks (activation / repression / none)."""
    _configure_logging(verbose, quiet)
    ctx.ensure_object(dict)
    ctx.obj["quiet"] = quiet


# --- commands: datasets -------------------------------------------------------------------
# (anchor: datasets commands go here)
_DATA_DIR_HELP = (
    "Folder holding <name>/expression.csv.gz and <name>/regulations.tsv "
    "(default: $XATGRN_DATA_DIR, else the download cache; $XATGRN_CACHE moves the cache)."
)


def _datasets_dir(ctx: click.Context, data_dir: str | None) -> str | None:
    """A subcommand's --data-dir wins over the group's ``xatgrn datasets --data-dir``."""
    return data_dir if data_dir is not None else ctx.obj.get("data_dir")


@cli.group("datasets")
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
    from xatgrn.data.datasets import DATASETS, is_available, resolve_data_dir

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


# --- commands: simulate -------------------------------------------------------------------
# (anchor: simulate command goes here)
_SIMULATED_FILES = ("expression.csv.gz", "regulations.tsv", "metadata.json")


@cli.command("simulate")
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
    import json
    from pathlib import Path

    from xatgrn.data.io import read_regulations, write_expression, write_regulations
    from xatgrn.data.synthetic import simulate, simulate_on_network
    from xatgrn.errors import input_error
    from xatgrn.utils import atomic_write, sha256_file

    out = Path(out_dir)
    if not force:
        for name in _SIMULATED_FILES:
            if (out / name).exists():
                raise input_error(
                    "file already exists",
                    path=out / name,
                    fix="pass --force to overwrite it, or choose another --out folder",
                )
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
    dataset.metadata["xatgrn_version"] = __version__
    write_expression(dataset.expression, out / _SIMULATED_FILES[0])
    write_regulations(dataset.regulations, out / _SIMULATED_FILES[1])
    with atomic_write(out / _SIMULATED_FILES[2]) as fh:
        json.dump(dataset.metadata, fh, indent=2)
        fh.write("\n")
    summary = dataset.metadata["ground_truth"]
    click.echo(
        f"simulated {dataset.expression.shape[0]} genes x {dataset.expression.shape[1]} samples, "
        f"{summary['n_edges']} edges ({summary['n_activation']} activation, "
        f"{summary['n_repression']} repression) -> {out}"
    )


# --- commands: model (fit / predict / demo) -----------------------------------------------
# (anchor: model commands go here)

_PROFILE_CHOICES = ("paper", "fast")


def _fit_config(profile: str, **opts):
    """Build a FitConfig from a named profile plus the CLI's explicit overrides."""
    import dataclasses

    from xatgrn.model.estimator import PROFILES

    cfg = PROFILES[profile]()
    top = {k: v for k, v in opts.items() if k in {f.name for f in dataclasses.fields(cfg)}}
    cfg = dataclasses.replace(cfg, **{k: v for k, v in top.items() if v is not None})
    if opts.get("epochs") is not None:
        cfg.train = dataclasses.replace(cfg.train, epochs=opts["epochs"])
    if opts.get("graph_epochs") is not None:
        cfg.graph = dataclasses.replace(cfg.graph, max_epochs=opts["graph_epochs"])
    net = {k: opts[k] for k in ("mode", "tokens") if opts.get(k) is not None}
    if net:
        if "tokens" in net and net["tokens"] != "auto":
            net["tokens"] = int(net["tokens"])
        cfg.network = dataclasses.replace(cfg.network, **net)
    return cfg


def _refuse_overwrite(path, force: bool) -> None:
    from pathlib import Path

    from xatgrn.errors import input_error

    if Path(path).exists() and not force:
        raise input_error("output exists", path=path, fix="choose another path or pass --force")


@cli.command()
@click.option(
    "--expression",
    "-e",
    required=True,
    type=click.Path(),
    help="Expression table (CSV/TSV[.gz], .h5ad).",
)
@click.option(
    "--regulations",
    "-r",
    required=True,
    type=click.Path(),
    help="Prior network (regulator, target, type).",
)
@click.option("--out", "-o", required=True, type=click.Path(), help="Model directory to write.")
@click.option(
    "--orientation",
    type=click.Choice(["auto", "genes-by-samples", "samples-by-genes"]),
    default="auto",
    show_default=True,
)
@click.option(
    "--strict",
    is_flag=True,
    help="Error (instead of warn and drop) when prior genes are absent from the expression.",
)
@click.option(
    "--profile",
    type=click.Choice(_PROFILE_CHOICES),
    default="paper",
    show_default=True,
    help="Named defaults: paper settings or a cheaper 'fast' profile.",
)
@click.option(
    "--preprocessing",
    type=click.Choice(["none", "log2_minmax"]),
    default=None,
    help="Expression transform (default none; the benchmark's reference uses log2_minmax for E. coli / human).",
)
@click.option(
    "--holdout",
    type=float,
    default=0.2,
    show_default=True,
    help="Fraction of labelled pairs held out to report quality (0 = train on all).",
)
@click.option(
    "--n-negatives",
    type=int,
    default=None,
    help="Number of sampled non-edges (default: one per prior edge).",
)
@click.option("--neg-ratio", type=float, default=None, help="Non-edges per prior edge.")
@click.option(
    "--mode",
    type=click.Choice(["both", "fusion", "graph"]),
    default=None,
    help="Ablation: fusion only, graph only, both.",
)
@click.option(
    "--tokens",
    default=None,
    help="Expression tokens per gene ('auto' or an integer; 1 = reference behaviour).",
)
@click.option("--epochs", type=int, default=None, help="Classifier epochs.")
@click.option("--graph-epochs", type=int, default=None, help="Maximum DUPLEX epochs.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--device", default="auto", show_default=True, help="auto (CUDA when present), cpu, cuda."
)
@click.option("--force", is_flag=True, help="Overwrite an existing model directory.")
@click.pass_context
def fit(ctx, expression, regulations, out, orientation, strict, profile, force, **opts):
    """Fit XATGRN on an expression table and a typed prior network; write a model directory."""
    from xatgrn.data.io import load_user_data
    from xatgrn.model.estimator import XATGRN

    data = load_user_data(expression, regulations, orientation=orientation, strict=strict)
    cfg = _fit_config(profile, progress=not ctx.obj["quiet"], **opts)
    model = XATGRN(cfg).fit(data.expression, data.regulations)
    model.save(out, overwrite=force)
    m = model.holdout_metrics_
    click.echo(
        f"model written to {out} ({len(model.genes_)} genes, {len(model.prior_)} prior edges, {model.fit_seconds_:.1f} s)"
    )
    if m:
        click.echo(
            f"held-out pairs ({cfg.holdout:.0%}): accuracy {m['accuracy']:.3f}  AUROC(macro-OvR) {m['auroc_macro_ovr']:.3f}  "
            f"F1 {m['f1']:.3f}  MCC {m['mcc']:.3f}"
        )


@cli.command()
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
@click.option("--top", type=int, default=None, help="Keep the N highest-scoring pairs.")
@click.option("--min-prob", type=float, default=None, help="Keep pairs with 1 - p_none >= this.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["tsv", "beeline", "graphml"]),
    default=None,
    help="Output format (default from the suffix).",
)
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
@click.pass_context
def predict(ctx, model_dir, out, regulators, targets, all_pairs, top, min_prob, fmt, force):
    """Score candidate (regulator, target) pairs with a fitted model; write a ranked typed edge list."""
    from xatgrn.data.edgelist import write_edge_list
    from xatgrn.data.io import read_gene_list
    from xatgrn.model.estimator import XATGRN

    _refuse_overwrite(out, force)
    model = XATGRN.load(model_dir)
    model.config.progress = not ctx.obj["quiet"]
    regs = read_gene_list(regulators) if regulators else (list(model.genes_) if all_pairs else None)
    tgts = read_gene_list(targets) if targets else None
    net = model.predict_network(regs, tgts, top=top, min_prob=min_prob)
    meta = {
        "model": str(model_dir),
        "selection": {"top": top, "min_prob": min_prob},
        "n_edges": len(net),
        "holdout_metrics": model.holdout_metrics_,
    }
    write_edge_list(net, out, fmt, metadata=meta)
    click.echo(f"{len(net)} scored pairs written to {out}")


@cli.command()
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


# --- commands: validate (data.io) ---------------------------------------------------------
@cli.command("validate")
@click.option(
    "--expression",
    "expression",
    required=True,
    type=click.Path(dir_okay=False),
    help="Expression matrix: .csv/.tsv/.txt (optionally .gz) or .h5ad.",
)
@click.option(
    "--regulations",
    "regulations",
    required=True,
    type=click.Path(dir_okay=False),
    help="Prior network: regulator,target,type (or BEELINE / decoupler layouts).",
)
@click.option(
    "--orientation",
    type=click.Choice(["auto", "genes-by-samples", "samples-by-genes"]),
    default="auto",
    show_default=True,
    help="Layout of the expression matrix; auto matches ids against the prior's genes.",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Fail (instead of warn and drop) when prior genes are missing from the expression.",
)
@click.option(
    "--on-conflict",
    type=click.Choice(["last", "error", "drop"]),
    default="last",
    show_default=True,
    help="A pair listed with both types: last row wins, fail, or drop.",
)
@click.option(
    "--unknown-types",
    type=click.Choice(["error", "drop"]),
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


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the CLI, turning input errors into clean exits."""
    try:
        rv = cli.main(args=argv, prog_name="xatgrn", standalone_mode=False)
        if isinstance(rv, int) and rv != 0:
            sys.exit(rv)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as err:
        err.show()
        sys.exit(err.exit_code)
    except XatgrnInputError as err:
        if os.environ.get("XATGRN_DEBUG"):
            raise
        click.echo(f"error: {err}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    main()
