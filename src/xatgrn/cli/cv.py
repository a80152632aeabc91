"""``xatgrn cv`` and ``xatgrn benchmark``: repeated K-fold cross-validation (xatgrn.evaluate)."""

from __future__ import annotations

import click

from xatgrn.cli import choices, options


def _cv_options(func):
    """Options shared by `xatgrn cv` and `xatgrn benchmark`."""
    decorators = [
        click.option("--repeats", type=click.IntRange(min=1), default=10, show_default=True),
        click.option("--folds", type=click.IntRange(min=2), default=5, show_default=True),
        click.option(
            "--seed",
            type=int,
            default=0,
            show_default=True,
            help="Base seed; repetition r uses seed + r.",
        ),
        options.profile_option(),
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
            type=choices.negative_sources(),
            default="all",
            show_default=True,
        ),
        click.option(
            "--graph-dim",
            default=None,
            help="DUPLEX embedding width: an integer or 'reference' (default: the profile's).",
        ),
        options.epochs_option(),
        options.graph_epochs_option(),
        options.device_option(),
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
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def _cv_run(ctx, experiments, out, opts) -> None:
    """Run the experiments, then print one line per result and where the tables are."""
    from xatgrn.evaluate.protocols import LEAK_NOTE
    from xatgrn.evaluate.runner import run_experiments

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
            std = auroc.get("std", float("nan"))
            spread = f" ± {std:.4f}" if r["n_repeats"] > 1 else ""  # one repetition has no std
            click.echo(
                f"{r['dataset']} {r['protocol']} {r['method']}: AUROC(macro-OvR) "
                f"{auroc.get('mean', float('nan')):.4f}{spread}  "
                f"F1 {f1.get('mean', float('nan')):.4f}  ({r['n_repeats']} x {r['n_folds']}){leak}"
            )
        else:
            click.echo(f"{r['dataset']} {r['protocol']} {r['method']}: no complete repetition yet")
    click.echo(f"results: {report['results']}; tables: {report['report']}")
    if "plot" in report:
        click.echo(f"plot: {report['plot']}")


def _cv_base(opts, protocol: str):
    """(CVConfig, FitConfig) from the shared options."""
    from xatgrn.evaluate.protocols import CVConfig

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
    from xatgrn.model.config import fit_config

    fit_cfg = fit_config(
        opts["profile"],
        epochs=opts["epochs"],
        graph_epochs=opts["graph_epochs"],
        device=opts["device"],
        progress=False,
    )
    return cv, fit_cfg


@click.command("cv")
@click.option(
    "--dataset", default=None, help="Benchmark dataset name (see `xatgrn datasets list`)."
)
@options.expression_option(help="Or: your expression table.")
@options.regulations_option(help="Or: your typed prior network.")
@click.option(
    "--name",
    default=None,
    help="Name of your dataset in results and tables (default: the expression file's name, "
    "or its folder's when the file is generic like expression.csv).",
)
@options.reading_options()
@options.preprocessing_option(
    help="Expression transform (default: the dataset's reference; none for your files)."
)
@click.option(
    "--protocol",
    type=choices.protocols(),
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
    type=choices.ablations(),
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
    from xatgrn.evaluate.data import benchmark_data, files_data
    from xatgrn.evaluate.experiment import Experiment
    from xatgrn.methods import get_method

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
        from xatgrn.data.preprocess import check_log_domain

        data = files_data(
            expression,
            regulations,
            preprocessing=preprocessing or "none",
            name=opts.pop("name"),
            **options.pop_reading(opts),
        )
        if data.preprocessing == "log2_minmax":  # before any fold, not minutes later
            check_log_domain(data.expression, expression)
    _cv_run(ctx, [Experiment(data, spec, cv, fit_cfg)], opts["out"], opts)


@click.command("benchmark")
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
    from xatgrn.evaluate.data import benchmark_data
    from xatgrn.evaluate.experiment import Experiment
    from xatgrn.evaluate.protocols import PROTOCOLS
    from xatgrn.methods import get_method

    if report_only:
        from xatgrn.evaluate.report import write_cv_report

        _echo_summary(
            write_cv_report(opts["out"], paper_table=opts["paper_table"], data_dir=opts["data_dir"])
        )
        return
    names = (
        list_datasets()
        if datasets == "all"
        else [d.strip() for d in datasets.split(",") if d.strip()]
    )
    protos = [p.strip() for p in protocols.split(",") if p.strip()]
    bad = [p for p in protos if p not in PROTOCOLS]
    if bad:
        raise input_error(f"unknown protocol(s) {bad}", fix=f"use {', '.join(PROTOCOLS)}")
    specs = [get_method(m.strip()) for m in methods.split(",") if m.strip()]
    loaded = {name: benchmark_data(name, opts["data_dir"]) for name in names}
    experiments = []
    for protocol in protos:
        cv, fit_cfg = _cv_base(opts, protocol)
        experiments += [Experiment(loaded[n], s, cv, fit_cfg) for n in names for s in specs]
    _cv_run(ctx, experiments, opts["out"], opts)
