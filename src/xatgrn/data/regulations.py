"""Reading typed prior networks (regulator, target, type) and gene lists.

Policies (documented because they change results):

* duplicate (regulator, target) pairs with *different* types (dual regulation, as TRRUST and
  RegulonDB list it: one row per type): ``on_conflict="drop"`` (the default) removes those pairs
  with a warning that counts them, so no dual pair silently becomes one sign; ``"last"`` keeps
  the type of the last row in file order -- what the benchmark's reference code does when it
  fills its label matrix row by row -- at the position where the pair first appears, and the
  warning says how many became activation and how many repression; ``"error"`` refuses;
* regulation labels outside the accepted vocabulary (e.g. RegulonDB's dual
  ``activatorrepressor`` / ``+-`` / ``?``, TRRUST's ``Unknown``) are an error unless
  ``unknown_types="drop"``.

Files may start with ``#`` comment lines (RegulonDB); extra columns (TRRUST's PubMed ids,
CollecTRI's resources) are ignored.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from xatgrn.data.files import (
    SEP_NAMES,
    check_file,
    open_text,
    read_cells,
    text_format,
    text_layout,
)
from xatgrn.data.gene_ids import date_like, examples
from xatgrn.data.schema import REGULATION_COLUMNS
from xatgrn.errors import input_error

log = logging.getLogger(__name__)

#: accepted values of ``on_conflict=`` and ``unknown_types=``
CONFLICT_POLICIES: tuple[str, str, str] = ("last", "error", "drop")
UNKNOWN_TYPE_POLICIES: tuple[str, str] = ("error", "drop")

#: regulation labels (compared after strip + lower) -> normalised type
TYPE_LABELS: dict[str, str] = {
    **dict.fromkeys(
        ("activation", "activator", "activate", "+", "1", "+1", "positive"), "activation"
    ),
    **dict.fromkeys(("repression", "repressor", "repress", "-", "-1", "negative"), "repression"),
}

#: header aliases (lower case), in priority order, for the three regulation columns
_REGULATOR_ALIASES = ("regulator", "tf", "source", "gene1")
_TARGET_ALIASES = ("target", "gene2")
_TYPE_ALIASES = ("type", "weight", "mor", "sign", "regulation", "mode")
_LAYOUTS_HELP = (
    "accepted layouts: 'regulator,target,type' (TF also accepted for regulator); "
    "BEELINE 'Gene1,Gene2,Type' with +/-; decoupler/CollecTRI 'source,target,weight' "
    "(sign of the weight); or three columns without a header 'regulator,target,label' "
    "(e.g. 'fis,adhE,activator')"
)


def read_regulations(
    path: str | Path, *, on_conflict: str = "drop", unknown_types: str = "error"
) -> pd.DataFrame:
    """Read a typed prior network as ``regulator, target, type`` (activation / repression).

    Layouts (column names case-insensitive; CSV/TSV, optionally gzip'd, separator sniffed):
    ``regulator,target,type`` (``TF`` also names the regulator); BEELINE ``Gene1,Gene2,Type``
    with ``+``/``-``; decoupler/CollecTRI ``source,target,weight`` (the weight's sign gives
    the type; 0 is not a type); three columns without a header, detected when the first row's
    third field is itself a type label (the FGRN source files: ``fis,adhE,activator``).
    Labels: activation/activator/activate/+/1/positive and repression/repressor/repress/-/-1/
    negative, any case, or any non-zero signed number. Leading ``#`` comment lines are skipped.

    Args:
        path: the file.
        on_conflict: a (regulator, target) pair listed with different types: ``"drop"``
            (default) removes those pairs and warns with their number; ``"last"`` keeps the
            last row's type in file order, as the benchmark's reference code does, and warns
            with the number of such pairs and the types kept; ``"error"`` raises naming the
            first such pair and its lines.
        unknown_types: ``"error"`` raises naming the first unknown label, its line and all
            distinct unknown labels; ``"drop"`` removes those rows with a warning.

    Returns:
        DataFrame with exactly the columns ``regulator, target, type`` (str) and a RangeIndex,
        pairs in order of first appearance; exact duplicate rows are collapsed; self-loops
        are kept.
    """
    return _read_regulations(path, on_conflict=on_conflict, unknown_types=unknown_types)[0]


def _normalise_types(values: pd.Series) -> pd.Series:
    """Labels (any case) or non-zero signed numbers -> activation / repression; else NaN."""
    lowered = values.astype(str).str.lower()
    out = lowered.map(TYPE_LABELS).to_numpy(dtype=object)
    numbers = pd.to_numeric(lowered, errors="coerce").to_numpy(dtype=np.float64)
    unlabelled = pd.isna(out) & np.isfinite(numbers)
    out = np.where(unlabelled & (numbers > 0), "activation", out)
    out = np.where(unlabelled & (numbers < 0), "repression", out)
    return pd.Series(out, index=values.index, dtype=object)


def _read_regulations(
    path: str | Path, *, on_conflict: str = "drop", unknown_types: str = "error"
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """:func:`read_regulations` plus counts of what was dropped or merged (for metadata)."""
    if on_conflict not in CONFLICT_POLICIES:
        raise input_error(
            f"unknown on_conflict policy {on_conflict!r}",
            fix=f"use one of {', '.join(CONFLICT_POLICIES)}",
            path=path,
        )
    if unknown_types not in UNKNOWN_TYPE_POLICIES:
        raise input_error(
            f"unknown unknown_types policy {unknown_types!r}",
            fix=f"use one of {', '.join(UNKNOWN_TYPE_POLICIES)}",
            path=path,
        )
    path = check_file(path)
    default_sep, _ = text_format(path)
    layout = text_layout(path, default_sep)
    sep = layout.sep
    cells, lines = read_cells(path, sep, skiprows=layout.skip, nrows=layout.nrows)
    if cells.shape[0] == 0:
        raise input_error(
            "file has no data (only blank lines)", fix="re-create the file", path=path
        )
    first = [str(c) for c in cells[0]]
    if len(first) < 3:
        raise input_error(
            f"{len(first)} column(s) {first} when read as {SEP_NAMES[sep]}-separated; "
            f"a prior network needs 3 ({_LAYOUTS_HELP})",
            fix="add the missing column(s) or use one of the accepted layouts",
            path=path,
            line=int(lines[0]),
        )
    if _normalise_types(pd.Series([first[2]], dtype=object)).notna().all():
        layout, (i_reg, i_tgt, i_type) = "headerless", (0, 1, 2)
        body, body_lines = cells, lines
    else:
        lower = [c.lower() for c in first]
        found = [
            next((lower.index(a) for a in aliases if a in lower), None)
            for aliases in (_REGULATOR_ALIASES, _TARGET_ALIASES, _TYPE_ALIASES)
        ]
        if any(k is None for k in found):
            hint = ""
            if len(first) == 3:
                hint = (
                    f"; if the file has no header, its first row's type {first[2]!r} is "
                    "not a known label"
                )
            raise input_error(
                f"unknown columns {first}{hint}; {_LAYOUTS_HELP}",
                fix="rename the columns to regulator,target,type (or another accepted layout)",
                path=path,
                line=int(lines[0]),
            )
        i_reg, i_tgt, i_type = (int(k) for k in found)  # type: ignore[arg-type]
        layout = f"{first[i_reg]},{first[i_tgt]},{first[i_type]}"
        body, body_lines = cells[1:], lines[1:]
    if body.shape[0] == 0:
        raise input_error(
            "no edges (only a header line)",
            fix="add one row per regulation below the header",
            path=path,
            line=int(lines[0]),
        )
    edges = pd.DataFrame(
        {
            "regulator": body[:, i_reg],
            "target": body[:, i_tgt],
            "label": body[:, i_type],
            "line": body_lines,
        }
    )
    empty = np.flatnonzero(((edges["regulator"] == "") | (edges["target"] == "")).to_numpy())
    if empty.size:
        k = int(empty[0])
        role = "regulator" if edges["regulator"].iat[k] == "" else "target"
        raise input_error(
            f"empty {role} name ({empty.size} row(s) with an empty gene name)",
            fix="fill in the gene name or delete the row",
            path=path,
            line=int(edges["line"].iat[k]),
        )
    edges["type"] = _normalise_types(edges["label"])
    unknown = edges["type"].isna().to_numpy()
    stats: dict[str, Any] = {"layout": layout, "rows": len(edges), "unknown_type_rows": 0}
    if unknown.any():
        distinct = edges.loc[unknown, "label"].value_counts(sort=False)
        shown = ", ".join(f"{v!r} ({n})" for v, n in list(distinct.items())[:10])
        k = int(np.flatnonzero(unknown)[0])
        value = edges["label"].iat[k]
        numbers = pd.to_numeric(pd.Series([value]), errors="coerce")
        if (numbers == 0).all():
            what = f"weight {value!r} has no sign (0 is neither activation nor repression)"
        else:
            what = f"unknown regulation type {value!r}"
        if unknown_types == "error":
            raise input_error(
                f"{what} ({int(unknown.sum())} row(s) with unknown types; distinct "
                f"values: {shown})",
                fix="map them to activation/repression (accepted: "
                f"{'/'.join(lab for lab, t in TYPE_LABELS.items() if t == 'activation')}, "
                f"{'/'.join(lab for lab, t in TYPE_LABELS.items() if t == 'repression')}, or a "
                "signed number), or pass unknown_types='drop' (CLI: --unknown-types drop) to "
                "drop those rows",
                path=path,
                line=int(edges["line"].iat[k]),
            )
        log.warning(
            "%s: dropped %d row(s) with unknown regulation types: %s",
            path,
            int(unknown.sum()),
            shown,
        )
        stats["unknown_type_rows"] = int(unknown.sum())
        stats["unknown_types"] = {str(v): int(n) for v, n in distinct.items()}
        edges = edges.loc[~unknown]
        if edges.empty:
            raise input_error(
                "no edges left after dropping unknown regulation types",
                fix="map the labels to activation/repression",
                path=path,
            )
    edges, conflict_stats = _deduplicate(edges, on_conflict, path)
    stats.update(conflict_stats)
    stats["edges"] = len(edges)
    stats["self_loops"] = int((edges["regulator"] == edges["target"]).sum())
    dates = date_like(pd.unique(edges[["regulator", "target"]].to_numpy().ravel()))
    if dates:
        log.warning(
            "%s: %d gene name(s) look like dates a spreadsheet made of gene symbols (%s; "
            "'1-Dec' was DEC1, '7-Sep' SEPT7): fix them in the source (open text files as "
            "text, not through a spreadsheet)",
            path,
            len(dates),
            examples(dates, 5),
        )
    return edges, stats


def _deduplicate(
    edges: pd.DataFrame, on_conflict: str, path: Path
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """One row per (regulator, target): collapse repeats, resolve conflicting types by policy."""
    keys = ["regulator", "target"]
    kept: dict[str, int] = {}
    exact = int(edges.duplicated([*keys, "type"]).sum())
    n_types = edges.groupby(keys, sort=False)["type"].transform("nunique").to_numpy()
    conflict = n_types > 1
    n_conflict_pairs = int(edges.loc[conflict, keys].drop_duplicates().shape[0])
    if n_conflict_pairs:
        k = int(np.flatnonzero(conflict)[0])
        reg, tgt = edges["regulator"].iat[k], edges["target"].iat[k]
        same = edges[(edges["regulator"] == reg) & (edges["target"] == tgt)]
        shown = same.head(5)
        where = ", ".join(
            f"line {ln}: {t}" for ln, t in zip(shown["line"], shown["type"], strict=True)
        ) + (", ..." if len(same) > 5 else "")
        differs = int(np.flatnonzero((same["type"] != same["type"].iat[0]).to_numpy())[0])
        if on_conflict == "error":
            raise input_error(
                f"pair {reg!r} -> {tgt!r} is listed with conflicting types ({where}); "
                f"{n_conflict_pairs} pair(s) conflict",
                fix="keep one type per pair, or pass on_conflict='drop' (leave such pairs out) "
                "or 'last' (last row wins) (CLI: --on-conflict)",
                path=path,
                line=int(same["line"].iat[differs]),
                gene=str(reg),
            )
        if on_conflict == "drop":
            log.warning(
                "%s: dropped %d (regulator, target) pair(s) listed with both types (dual "
                "regulation; first: %r -> %r, %s); pass on_conflict='last' (CLI: --on-conflict "
                "last) to keep the last row's type instead",
                path,
                n_conflict_pairs,
                reg,
                tgt,
                where,
            )
            edges = edges.loc[~conflict]
        else:
            last = edges.loc[conflict].groupby(keys, sort=False)["type"].last().value_counts()
            kept = {str(t): int(n) for t, n in last.items()}
            log.warning(
                "%s: %d (regulator, target) pair(s) are listed with both types; kept the type of "
                "the last row for each (on_conflict='last'): %d became activation, %d repression "
                "(first: %r -> %r); pass on_conflict='drop' (CLI: --on-conflict drop) to leave "
                "them out",
                path,
                n_conflict_pairs,
                int(last.get("activation", 0)),
                int(last.get("repression", 0)),
                reg,
                tgt,
            )
    out = (
        edges.groupby(keys, sort=False)
        .agg(type=("type", "last"))
        .reset_index()
        .loc[:, list(REGULATION_COLUMNS)]
    )
    for col in REGULATION_COLUMNS:
        out[col] = out[col].astype(str)
    merged = len(edges) - len(out)
    if merged:
        log.info("%s: collapsed %d repeated row(s) of the same pair", path, merged)
    stats = {
        "exact_duplicate_rows": exact,
        "conflicting_pairs": n_conflict_pairs,
        "on_conflict": on_conflict,
        "conflict_types_kept": kept,
        "collapsed_rows": merged,
    }
    return out.reset_index(drop=True), stats


def read_gene_list(path: str | Path) -> list[str]:
    """Genes, one per line (first whitespace/comma/tab-separated field); ``#`` comments and blank
    lines ignored; duplicates dropped keeping the first. For ``--regulators`` / ``--targets``."""
    path = check_file(path)
    with open_text(path) as fh:
        lines = fh.read().splitlines()
    genes: list[str] = []
    for line in lines:
        field = re.split(r"[\s,]+", line.split("#", 1)[0].strip())[0]
        if field:
            genes.append(field)
    if not genes:
        raise input_error("no gene ids in the file", fix="list one gene id per line", path=path)
    return list(dict.fromkeys(genes))
