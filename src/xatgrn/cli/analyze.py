"""``xatgrn analyze``: degrees, hubs, enrichment and an HTML report of a predicted network."""

from __future__ import annotations

import click

from xatgrn.cli import choices


@click.command("analyze")
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
    type=choices.degree_kinds(),
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
    into --out (see xatgrn.analysis.pipeline and xatgrn.analysis.report).
    """
    import time
    from pathlib import Path

    from xatgrn.analysis.genesets import DEFAULT_LIBRARY, load_library
    from xatgrn.analysis.gmt import read_gmt
    from xatgrn.analysis.network import load_network
    from xatgrn.analysis.pipeline import AnalysisConfig, analyze
    from xatgrn.analysis.report import write_analysis_report
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
    html_path = write_analysis_report(result, out_path, note=note, title=title, force=force)
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
