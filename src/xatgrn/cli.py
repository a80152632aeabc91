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


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is *now* (not the stream at configuration time), so a
    CLI invoked repeatedly in one process (tests, notebooks) never logs to a closed stream."""

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def _configure_logging(verbose: int, quiet: bool) -> None:
    level = logging.WARNING if quiet else (logging.DEBUG if verbose > 1 else logging.INFO)
    handler = _StderrHandler()
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

# (anchor: analyze command goes here)


@cli.command("analyze")
@click.option(
    "--network",
    "network",
    required=True,
    type=click.Path(dir_okay=False),
    help="Predicted edge list from `xatgrn predict` (.tsv[.gz], BEELINE .csv, .graphml) or a "
    "typed table (regulator, target, type). Pairs predicted 'none' are not edges.",
)
@click.option(
    "--prior",
    type=click.Path(dir_okay=False),
    default=None,
    help="Prior network (regulator, target, type): adds prior and novel-only networks.",
)
@click.option(
    "--gmt",
    "gmt_files",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Gene-set library file (GMT, plain or .gz); repeatable.",
)
@click.option(
    "--library",
    "library_names",
    multiple=True,
    help="Registered library (DSigDB, DSigDB_All, MSigDB_Hallmark, MSigDB_KEGG) or 'none'; "
    "repeatable. Default: DSigDB when no --gmt is given (skipped with a note if no gene matches).",
)
@click.option(
    "--genesets-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder holding the registered libraries (default $XATGRN_GENESETS_DIR, else "
    "download with a pinned checksum and cache).",
)
@click.option(
    "--top-k", type=click.IntRange(min=1), default=10, show_default=True, help="Hubs per network."
)
@click.option(
    "--degree",
    type=click.Choice(["total", "in", "out"]),
    default="total",
    show_default=True,
    help="Degree that ranks hubs (ties: gene id ascending).",
)
@click.option(
    "--background",
    default="dataset",
    show_default=True,
    help="Enrichment universe: 'dataset' (genes of the networks; sets intersected with it), "
    "an integer genome size N (sets not intersected), or a file of genes.",
)
@click.option(
    "--lists",
    default="hubs,novel-hubs",
    show_default=True,
    help="Gene lists to test, comma-separated: hubs, prior-hubs, novel-hubs, novel-targets, "
    "targets:GENE.",
)
@click.option(
    "--note-file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Plain-text file for the report's note section.",
)
@click.option("--title", default="xatgrn network analysis", show_default=True)
@click.option("--no-svg", is_flag=True, help="Write figures as PNG only (faster).")
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False), help="Report folder.")
@click.option("--force", is_flag=True, help="Overwrite an existing report folder.")
@click.pass_context
def analyze_cmd(
    ctx,
    network,
    prior,
    gmt_files,
    library_names,
    genesets_dir,
    top_k,
    degree,
    background,
    lists,
    note_file,
    title,
    no_svg,
    out,
    force,
):
    """Analyse a predicted network: degrees, hubs, degree skew, enrichment, HTML report.

    Writes TSV tables, PNG/SVG figures, summary.json and one self-contained report.html
    into --out (see xatgrn.analysis.report).
    """
    import time
    from pathlib import Path

    from xatgrn.analysis.genesets import DEFAULT_LIBRARY, load_library
    from xatgrn.analysis.gmt import read_gmt
    from xatgrn.analysis.network import load_network
    from xatgrn.analysis.report import AnalysisConfig, analyze, write_report
    from xatgrn.data.io import read_regulations
    from xatgrn.errors import input_error
    from xatgrn.utils import sha256_file

    t0 = time.perf_counter()
    out_path = Path(out)
    if out_path.is_dir() and any(out_path.iterdir()) and not force:
        raise input_error(
            "report folder exists and is not empty",
            path=out_path,
            fix="choose another --out folder or pass --force to overwrite the report",
        )
    names = [n for n in library_names if n.lower() != "none"]
    defaulted = not gmt_files and not library_names
    if defaulted:
        names = [DEFAULT_LIBRARY]
    progress = not ctx.obj.get("quiet", False)
    libraries = [read_gmt(p) for p in gmt_files]
    libraries += [load_library(n, genesets_dir, progress=progress) for n in names]
    cfg = AnalysisConfig(
        top_k=top_k,
        degree=degree,
        lists=tuple(x.strip() for x in lists.split(",") if x.strip()),
        background=background,
        on_no_overlap="skip" if defaulted else "error",
        figure_formats=("png",) if no_svg else ("png", "svg"),
    )
    inputs = {"network": network, "network_sha256": sha256_file(network)}
    if prior:
        inputs.update(prior=prior, prior_sha256=sha256_file(prior))
    for lib in libraries:
        inputs[f"library {lib.name}"] = lib.source
    result = analyze(
        load_network(network),
        read_regulations(prior) if prior else None,
        libraries,
        cfg,
        inputs=inputs,
    )
    note = Path(note_file).read_text(encoding="utf-8") if note_file else ""
    html_path = write_report(result, out_path, note=note, title=title, force=force)
    s = result.summaries["predicted"]
    click.echo(
        f"predicted network: {s['edges']} edges, {s['genes']} genes "
        f"({s['activation']} activation, {s['repression']} repression)"
    )
    if "novel" in result.summaries:
        click.echo(f"novel (not in prior): {result.summaries['novel']['edges']} edges")
    for name, hubs in result.hubs.items():
        click.echo(f"{name} hubs: {', '.join(hubs['gene']) or '(none)'}")
    for (lst, lib), table in result.enrichment.items():
        top = ", ".join(table["term"].head(3))
        click.echo(f"enrichment {lst} / {lib}: {len(table)} sets overlap; top: {top}")
    for line in result.notes:
        click.echo(f"note: {line}")
    click.echo(f"report: {html_path} ({time.perf_counter() - t0:.1f} s)")


_PROFILE_CHOICES = ("paper", "fast")


def _option(*decls, **defaults):
    """A click option declared once and reused by several commands; call it to get the
    decorator, overriding any keyword (``help``, ``default``, ``required``) for that command."""

    def make(**override):
        return click.option(*decls, **{**defaults, **override})

    return make


_expression_option = _option(
    "--expression",
    "-e",
    type=click.Path(dir_okay=False),
    help="Expression matrix: .csv/.tsv/.txt (optionally .gz) or .h5ad.",
)
_regulations_option = _option(
    "--regulations",
    "-r",
    type=click.Path(dir_okay=False),
    help="Prior network: regulator,target,type (or BEELINE / decoupler layouts).",
)
_orientation_option = _option(
    "--orientation",
    type=click.Choice(["auto", "genes-by-samples", "samples-by-genes"]),
    default="auto",
    show_default=True,
    help="Layout of the expression matrix; auto matches ids against the prior's genes.",
)
_strict_option = _option(
    "--strict",
    is_flag=True,
    help="Fail (instead of warn and drop) when prior genes are missing from the expression.",
)
_profile_option = _option(
    "--profile",
    type=click.Choice(_PROFILE_CHOICES),
    default="paper",
    show_default=True,
    help="Named defaults: paper settings or a cheaper 'fast' profile.",
)
_preprocessing_option = _option(
    "--preprocessing", type=click.Choice(["none", "log2_minmax"]), default=None
)
_epochs_option = _option(
    "--epochs", type=int, default=None, help="Classifier epochs (overrides the profile)."
)
_graph_epochs_option = _option(
    "--graph-epochs", type=int, default=None, help="Maximum DUPLEX epochs (overrides the profile)."
)
_device_option = _option(
    "--device", default="auto", show_default=True, help="auto (CUDA when present), cpu, cuda."
)


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


# --- commands: cross-validation (cv / benchmark; xatgrn.evaluate) ----------------------------
_PROTOCOL_CHOICES = ("inductive", "transductive", "tf-disjoint")


def _cv_options(func):
    """Options shared by `xatgrn cv` and `xatgrn benchmark`."""
    options = [
        click.option("--repeats", type=click.IntRange(min=1), default=10, show_default=True),
        click.option("--folds", type=click.IntRange(min=2), default=5, show_default=True),
        click.option(
            "--seed",
            type=int,
            default=0,
            show_default=True,
            help="Base seed; repetition r uses seed + r.",
        ),
        _profile_option(),
        click.option(
            "--out",
            "-o",
            required=True,
            type=click.Path(file_okay=False),
            help="Results folder (fold files, cache, tables).",
        ),
        click.option(
            "--workers",
            type=click.IntRange(min=1),
            default=1,
            show_default=True,
            help="Parallel processes (1 = serial).",
        ),
        click.option(
            "--dask",
            default=None,
            help="Run folds on Dask: a scheduler ADDRESS, or 'local' for a LocalCluster.",
        ),
        click.option(
            "--threads",
            type=click.IntRange(min=1),
            default=None,
            help="Torch threads per fold (default: all when serial, 1 in parallel).",
        ),
        click.option(
            "--data-dir",
            type=click.Path(file_okay=False),
            default=None,
            help="Benchmark data folder (default $XATGRN_DATA_DIR).",
        ),
        click.option(
            "--n-negatives",
            type=click.IntRange(min=1),
            default=None,
            help="Non-edges per repetition (default: the dataset's reference count).",
        ),
        click.option(
            "--neg-ratio",
            type=float,
            default=None,
            help="Non-edges per prior edge (instead of a count).",
        ),
        click.option(
            "--negatives-from",
            type=click.Choice(["all", "regulators"]),
            default="all",
            show_default=True,
        ),
        click.option(
            "--graph-dim",
            default=None,
            help="DUPLEX embedding width: an integer or 'reference' (default: the profile's).",
        ),
        _epochs_option(),
        _graph_epochs_option(),
        _device_option(),
        click.option(
            "--paper-table",
            type=click.Path(),
            default=None,
            help="paper_table1.json (default $XATGRN_REFERENCE, else beside the data).",
        ),
        click.option(
            "--cache-dir",
            type=click.Path(file_okay=False),
            default=None,
            help="Graph-embedding cache (default OUT/cache/embeddings; safe to delete).",
        ),
        click.option("--no-cache", is_flag=True, help="Do not store graph embeddings."),
        click.option("--force", is_flag=True, help="Recompute folds that are already finished."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _cv_run(ctx, experiments, out, opts) -> None:
    """Run the experiments, then print one line per result and where the tables are."""
    from xatgrn.evaluate.cv import LEAK_NOTE, run_experiments

    quiet = ctx.obj.get("quiet", False)
    res = run_experiments(
        experiments,
        out,
        workers=opts["workers"],
        dask=opts["dask"],
        threads=opts["threads"],
        cache=False if opts["no_cache"] else (opts["cache_dir"] or True),
        force=opts["force"],
        progress_bar=not quiet,
        verbose=not quiet and opts["workers"] == 1 and opts["dask"] is None,
        paper_table=opts["paper_table"],
        data_dir=opts["data_dir"],
    )
    click.echo(
        f"{len(res['computed'])} fold(s) computed, {len(res['skipped'])} already finished, "
        f"{res['embeddings']} graph embedding(s) fitted"
    )
    _echo_summary(res["report"])
    if any(e.protocol == "transductive" for e in experiments):
        click.echo(f"warning: {LEAK_NOTE}", err=True)


def _echo_summary(report) -> None:
    for r in report["summary"]:
        auroc = r["metrics"].get("auroc_macro_ovr", {})
        f1 = r["metrics"].get("f1", {})
        leak = "  [LEAKS]" if r["leaks"] else ""
        if r["n_repeats"]:
            click.echo(
                f"{r['dataset']} {r['protocol']} {r['method']}: AUROC(macro-OvR) "
                f"{auroc.get('mean', float('nan')):.4f} ± {auroc.get('std', float('nan')):.4f}  "
                f"F1 {f1.get('mean', float('nan')):.4f}  ({r['n_repeats']} x {r['n_folds']}){leak}"
            )
        else:
            click.echo(f"{r['dataset']} {r['protocol']} {r['method']}: no complete repetition yet")
    click.echo(f"results: {report['results']}; tables: {report['report']}")
    if "plot" in report:
        click.echo(f"plot: {report['plot']}")


def _cv_base(opts, protocol: str):
    """(CVConfig, FitConfig) from the shared options."""
    from xatgrn.evaluate.cv import CVConfig

    graph_dim = opts["graph_dim"]
    if graph_dim is not None and graph_dim != "reference":
        try:
            graph_dim = int(graph_dim)
        except ValueError:
            from xatgrn.errors import input_error

            raise input_error(
                f"--graph-dim {graph_dim!r}", fix="give an integer or 'reference'"
            ) from None
    cv = CVConfig(
        protocol=protocol,
        repeats=opts["repeats"],
        folds=opts["folds"],
        seed=opts["seed"],
        n_negatives=opts["n_negatives"],
        neg_ratio=opts["neg_ratio"],
        negatives_from=opts["negatives_from"],
        graph_dim=graph_dim,
    ).check()
    fit_cfg = _fit_config(
        opts["profile"],
        epochs=opts["epochs"],
        graph_epochs=opts["graph_epochs"],
        device=opts["device"],
        progress=False,
    )
    return cv, fit_cfg


@cli.command("cv")
@click.option(
    "--dataset", default=None, help="Benchmark dataset name (see `xatgrn datasets list`)."
)
@_expression_option(help="Or: your expression table.")
@_regulations_option(help="Or: your typed prior network.")
@_preprocessing_option(
    help="Expression transform (default: the dataset's reference; none for your files)."
)
@click.option(
    "--protocol",
    type=click.Choice(_PROTOCOL_CHOICES),
    default="inductive",
    show_default=True,
    help="inductive: leak-free; transductive: the paper's (leaks); tf-disjoint: unseen test regulators.",
)
@click.option(
    "--method",
    default="xatgrn",
    show_default=True,
    help="Registered method (xatgrn, xatgrn-fusion, xatgrn-graph, xatgrn-tokens1, ...).",
)
@click.option(
    "--ablation",
    type=click.Choice(["fusion", "graph", "tokens1"]),
    default=None,
    help="XATGRN ablation (same as --method xatgrn-<ablation>).",
)
@_cv_options
@click.pass_context
def cv_command(
    ctx, dataset, expression, regulations, preprocessing, protocol, method, ablation, **opts
):
    """Repeated K-fold cross-validation of one method on one dataset.

    Every fold writes OUT/<dataset>/<protocol>/<method>/rep{r}_fold{k}.json atomically; a rerun
    skips finished folds. Ends with OUT/results.json, OUT/report.md (next to the paper's
    numbers) and OUT/auroc.png.
    """
    from dataclasses import replace

    from xatgrn.errors import input_error
    from xatgrn.evaluate.cv import Experiment, benchmark_data, files_data
    from xatgrn.evaluate.methods import get_method

    if (dataset is None) == (expression is None and regulations is None):
        raise input_error(
            "give either --dataset or both --expression and --regulations",
            fix="e.g. `xatgrn cv --dataset ecoli_cold --out results/`",
        )
    if dataset is None and (expression is None or regulations is None):
        raise input_error("--expression and --regulations go together", fix="pass both files")
    if ablation is not None:
        if method != "xatgrn":
            raise input_error(
                f"--ablation applies to xatgrn, not {method!r}", fix="drop --ablation"
            )
        method = f"xatgrn-{ablation}"
    spec = get_method(method)
    cv, fit_cfg = _cv_base(opts, protocol)
    if dataset is not None:
        data = benchmark_data(dataset, opts["data_dir"])
        if preprocessing is not None:
            data = replace(data, preprocessing=preprocessing)
    else:
        data = files_data(expression, regulations, preprocessing=preprocessing or "none")
    _cv_run(ctx, [Experiment(data, spec, cv, fit_cfg)], opts["out"], opts)


@cli.command("benchmark")
@click.option(
    "--datasets", default="all", show_default=True, help="'all' or comma-separated dataset names."
)
@click.option(
    "--protocols",
    default="inductive,transductive",
    show_default=True,
    help="Comma-separated protocols.",
)
@click.option(
    "--methods", default="xatgrn", show_default=True, help="Comma-separated registered methods."
)
@click.option(
    "--report-only",
    is_flag=True,
    help="Only rebuild results.json / report.md / auroc.png from the fold files in OUT.",
)
@_cv_options
@click.pass_context
def benchmark_command(ctx, datasets, protocols, methods, report_only, **opts):
    """The benchmark grid (the paper's Table 1): datasets x protocols x methods, resumable.

    Graph embeddings are shared through OUT/cache/embeddings across datasets with one prior
    (the four E. coli sets, the four human sets) and across methods.
    """
    from xatgrn.data.datasets import list_datasets
    from xatgrn.errors import input_error
    from xatgrn.evaluate.cv import Experiment, benchmark_data
    from xatgrn.evaluate.methods import get_method

    if report_only:
        from xatgrn.evaluate.report import write_report

        _echo_summary(
            write_report(opts["out"], paper_table=opts["paper_table"], data_dir=opts["data_dir"])
        )
        return
    names = (
        list_datasets()
        if datasets == "all"
        else [d.strip() for d in datasets.split(",") if d.strip()]
    )
    protos = [p.strip() for p in protocols.split(",") if p.strip()]
    bad = [p for p in protos if p not in _PROTOCOL_CHOICES]
    if bad:
        raise input_error(f"unknown protocol(s) {bad}", fix=f"use {', '.join(_PROTOCOL_CHOICES)}")
    specs = [get_method(m.strip()) for m in methods.split(",") if m.strip()]
    loaded = {name: benchmark_data(name, opts["data_dir"]) for name in names}
    experiments = []
    for protocol in protos:
        cv, fit_cfg = _cv_base(opts, protocol)
        experiments += [Experiment(loaded[n], s, cv, fit_cfg) for n in names for s in specs]
    _cv_run(ctx, experiments, opts["out"], opts)


@cli.command()
@_expression_option(required=True)
@_regulations_option(required=True)
@click.option("--out", "-o", required=True, type=click.Path(), help="Model directory to write.")
@_orientation_option()
@_strict_option()
@_profile_option()
@_preprocessing_option(
    help="Expression transform (default none; the benchmark's reference uses log2_minmax "
    "for E. coli / human)."
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
@_epochs_option()
@_graph_epochs_option()
@click.option("--seed", type=int, default=0, show_default=True)
@_device_option()
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
        curve = model.holdout_curve_
        click.echo("selection rule 'score >= t' on the held-out pairs:")
        for t in (0.5, 0.7, 0.9):
            row = curve.iloc[int(abs(curve["threshold"] - t).idxmin())]
            click.echo(
                f"  t={t:.1f}: typed precision {_fmt(_nan_none(row['typed_precision']))}, "
                f"edge recall {_fmt(_nan_none(row['edge_recall']))}, "
                f"{int(row['n_selected'])} pairs selected"
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
    type=click.Choice(["tsv", "beeline", "graphml"]),
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
):
    """Score candidate (regulator, target) pairs with a fitted model; write a ranked typed edge list."""
    from xatgrn.data.io import read_gene_list
    from xatgrn.model.estimator import XATGRN

    _refuse_overwrite(out, force)
    model = XATGRN.load(model_dir)
    model.config.progress = not ctx.obj["quiet"]
    regs = read_gene_list(regulators) if regulators else (list(model.genes_) if all_pairs else None)
    tgts = read_gene_list(targets) if targets else None
    rule = model.selection(top=top, min_prob=min_prob, precision=precision)
    meta = {
        "model": str(model_dir),
        "selection": rule,
        "holdout_metrics": model.holdout_metrics_,
    }
    n = model.write_network(
        out,
        regs,
        tgts,
        top=rule["top_k"],
        min_prob=rule["min_prob"],
        fmt=fmt,
        metadata=meta,
        batch_size=batch_size,
    )
    click.echo(f"{n} scored pairs written to {out} (rule: {_describe_rule(rule)})")
    est = model.last_selection_["selection_estimate"]
    if est.get("available"):
        line = (
            f"held-out prior pairs at score >= {model.last_selection_['selection_threshold']:.3f}: "
            f"typed precision {_fmt(est['heldout_typed_precision'])}, "
            f"edge recall {_fmt(est['heldout_edge_recall'])}"
        )
        if "prevalence_adjusted_typed_precision" in est:
            line += (
                f"; at this candidate set's prevalence ({est['prevalence']:.4f}) "
                f"{_fmt(est['prevalence_adjusted_typed_precision'])} (unlabelled pairs counted as errors)"
            )
        click.echo(line)


def _describe_rule(rule: dict) -> str:
    if rule["rule"] == "top":
        return f"top {rule['top_k']} by score"
    if rule["rule"] == "precision":
        return f"score >= {rule['min_prob']:.3f} (held-out typed precision >= {rule['precision_target']})"
    if rule["rule"] == "min_prob":
        return f"score >= {rule['min_prob']}"
    return "every candidate"


def _nan_none(x):
    return None if x != x else float(x)


def _fmt(x) -> str:
    return "n/a" if x is None else f"{x:.3f}"


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
@_expression_option(required=True)
@_regulations_option(required=True)
@_orientation_option()
@_strict_option()
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
