"""``xatgrn fit``: fit XATGRN on the user's files and write a model directory."""

from __future__ import annotations

import click

from xatgrn.cli import choices, formatting, options


@click.command()
@options.expression_option(required=True)
@options.regulations_option(required=True)
@click.option("--out", "-o", required=True, type=click.Path(), help="Model directory to write.")
@options.reading_options()
@click.option(
    "--method",
    type=choices.fit_methods(),
    default="xatgrn",
    show_default=True,
    help="xatgrn: the default (signed graph evidence + expression fusion, boosted trees); "
    "xatgrn-paper: the published model (its --profile, --mode, --tokens, --epochs, "
    "--graph-epochs apply).",
)
@options.profile_option()
@options.preprocessing_option(
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
    type=choices.network_modes(),
    default=None,
    help="Ablation: fusion only, graph only, both.",
)
@click.option(
    "--tokens",
    default=None,
    help="Expression tokens per gene ('auto' or an integer; 1 = reference behaviour).",
)
@options.epochs_option()
@options.graph_epochs_option()
@click.option("--seed", type=int, default=0, show_default=True)
@options.device_option()
@click.option("--force", is_flag=True, help="Overwrite an existing model directory.")
@click.pass_context
def fit(ctx, expression, regulations, out, orientation, strict, method, profile, force, **opts):
    """Fit XATGRN on an expression table and a typed prior network; write a model directory."""
    from xatgrn.data.io import check_fittable, load_user_data
    from xatgrn.data.validate import validate_data
    from xatgrn.errors import input_error
    from xatgrn.model.persist import check_writable

    check_writable(out, overwrite=force)  # before any work
    read = options.pop_reading(opts)
    ds = load_user_data(
        expression,
        regulations,
        orientation=orientation,
        strict=strict,
        preprocessing=opts.get("preprocessing"),
        **read,
    )
    check_fittable(ds.regulations, source=regulations)
    # the registry imports every method (torch among them): only once the inputs are known good
    from xatgrn.methods import configure, get_method
    from xatgrn.model.config import fit_config

    spec = get_method(method)
    paper_only = ("mode", "tokens", "epochs", "graph_epochs")
    given = [f"--{k.replace('_', '-')}" for k in paper_only if opts.get(k) is not None]
    if given and hasattr(spec.factory, "config_from"):
        raise input_error(
            f"{', '.join(given)} apply to the paper's model, not to --method {method}",
            fix="drop them, or pass --method xatgrn-paper",
        )
    cfg = configure(spec, fit_config(profile, progress=not ctx.obj["quiet"], **opts))
    md = ds.metadata
    sources = {
        kind: {"path": md[f"{kind}_path"], "sha256": md[f"{kind}_sha256"]}
        for kind in ("expression", "regulations")
    }
    model = spec.factory(cfg).fit(validate_data(ds.expression, ds.regulations, sources=sources))
    model.save(out, overwrite=force)
    m = model.holdout_metrics_
    click.echo(
        f"model written to {out} ({len(model.genes_)} genes, {len(model.prior_)} prior edges, "
        f"{model.fit_seconds_:.1f} s)"
    )
    if m:
        click.echo(
            f"held-out pairs ({cfg.holdout:.0%}): accuracy {m['accuracy']:.3f}  "
            f"AUROC(macro-OvR) {m['auroc_macro_ovr']:.3f}  F1 {m['f1']:.3f}  MCC {m['mcc']:.3f}"
        )
        curve = model.holdout_curve_
        click.echo("selection rule 'score >= t' on the held-out pairs:")
        for t in (0.5, 0.7, 0.9):
            row = curve.iloc[int(abs(curve["threshold"] - t).idxmin())]
            precision = formatting.fmt(formatting.nan_none(row["typed_precision"]))
            recall = formatting.fmt(formatting.nan_none(row["edge_recall"]))
            click.echo(
                f"  t={t:.1f}: typed precision {precision}, edge recall {recall}, "
                f"{int(row['n_selected'])} pairs selected"
            )
