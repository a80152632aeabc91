"""What kind of gene ids a file holds: namespaces, spreadsheet dates, letter case, row numbers.

When the expression and the prior share no genes, the usual cause is that they name genes in
different namespaces (Ensembl ids against symbols, probe ids against symbols) or in a different
letter case; saying *which* is the fix a user needs, so every "no shared genes" error asks
:func:`mismatch_reason` first. Spreadsheets silently turn some symbols into dates (``SEPT7`` ->
``7-Sep``); :func:`date_like` finds them so the readers can warn.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

#: (namespace, pattern) in the order they are tried; the first that fits most labels wins
_NAMESPACES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Ensembl ids with version suffixes", re.compile(r"ENS[A-Z]*[GTP]\d{6,}\.\d+")),
    ("Ensembl gene ids", re.compile(r"ENS[A-Z]*G\d{6,}")),
    ("Ensembl transcript/protein ids", re.compile(r"ENS[A-Z]*[TP]\d{6,}")),
    ("RefSeq accessions", re.compile(r"[NX][MRP]_\d+(\.\d+)?")),
    (
        "microarray probe ids",
        re.compile(r"\d+(_[a-z]+)?_at|ILMN_\d+|A_\d+_P\d+|\d{7}|[A-Z]{2,4}\d*_\d+_[a-z]_at"),
    ),
    ("Entrez ids (numbers)", re.compile(r"\d+")),
    ("UniProt accessions", re.compile(r"[OPQ][0-9][A-Z0-9]{3}[0-9]|[A-NR-Z][0-9][A-Z0-9]{3}[0-9]")),
)
SYMBOLS = "gene symbols"
_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec"
_DATE = re.compile(
    rf"(\d{{1,2}}-({_MONTHS})(-\d{{2,4}})?|({_MONTHS})-\d{{1,4}}|\d{{4}}-\d{{2}}-\d{{2}}"
    rf"(\s00:00:00)?|\d{{1,2}}/\d{{1,2}}/\d{{2,4}})",
    re.IGNORECASE,
)


def _labels(values: Iterable[str]) -> pd.Index:
    return pd.Index(np.asarray(list(values), dtype=object).astype(str))


def namespace(values: Iterable[str], sample: int = 500) -> str:
    """The id namespace most of ``values`` fit (``"gene symbols"`` when none fits 80 %)."""
    labels = _labels(values)[:sample]
    if len(labels) == 0:
        return SYMBOLS
    for name, pattern in _NAMESPACES:
        hits = sum(bool(pattern.fullmatch(v)) for v in labels)
        if hits >= 0.8 * len(labels):
            return name
    return SYMBOLS


def examples(values: Iterable[str], k: int = 3) -> str:
    """The first ``k`` labels, quoted, for messages."""
    labels = list(_labels(values)[:k])
    return ", ".join(repr(v) for v in labels) + (", ..." if len(labels) == k else "")


def case_only_matches(labels: Iterable[str], genes: Iterable[str]) -> list[tuple[str, str]]:
    """(label, gene) pairs that are equal only when letter case is ignored."""
    genes_ix = _labels(genes)
    exact = set(genes_ix)
    lower = dict(zip(genes_ix.str.lower(), genes_ix, strict=True))
    out = []
    for label in _labels(labels):
        if label not in exact and label.lower() in lower:
            out.append((label, lower[label.lower()]))
    return out


def mismatch_reason(axes: dict[str, Iterable[str]], genes: Iterable[str]) -> tuple[str, str] | None:
    """Why labels on some axis do not name the prior's ``genes``: namespaces or case.

    Args:
        axes: description (e.g. ``"row labels"``) -> labels of the expression.
        genes: the prior network's genes.

    Returns:
        (the reason, the fix) for the message, or ``None`` when no namespace or case difference
        explains it.
    """
    genes = _labels(genes)
    prior_ns = namespace(genes)
    for what, labels in axes.items():
        labels = _labels(labels)
        pairs = case_only_matches(labels, genes)
        if len(pairs) >= max(2, 0.5 * min(len(labels), len(genes))):
            shown = ", ".join(f"{a!r} vs {b!r}" for a, b in pairs[:3])
            return (
                f"{len(pairs)} of the expression's {what} match the prior's genes only when "
                f"letter case is ignored ({shown})",
                "write the gene ids in the same letter case in both files (gene ids are "
                "case-sensitive: 'Fis' and 'fis' are different genes)",
            )
    for what, labels in axes.items():
        labels = _labels(labels)
        ns = namespace(labels)
        if ns != prior_ns:
            return (
                f"the expression's {what} look like {ns} ({examples(labels)}) but the prior's "
                f"genes look like {prior_ns} ({examples(genes)})",
                f"map both files to the same kind of gene id (e.g. {ns} to {prior_ns} with "
                "biomaRt, mygene or the platform's annotation; several ids per gene can be "
                "combined with --aggregate mean)",
            )
    return None


def date_like(values: Iterable[str]) -> list[str]:
    """Labels that look like dates a spreadsheet made of gene symbols (``1-Dec``, ``7-Sep``)."""
    return [v for v in _labels(values) if _DATE.fullmatch(v)]


def row_numbers(values: Iterable[str]) -> bool:
    """True when the labels are 0..n-1 or 1..n (pandas / R default row or column names)."""
    labels = _labels(values)
    if len(labels) < 3 or not labels.str.fullmatch(r"\d+").all():
        return False
    numbers = labels.astype(np.int64)
    return bool(
        (numbers == np.arange(len(numbers))).all()
        or (numbers == np.arange(1, len(numbers) + 1)).all()
    )
