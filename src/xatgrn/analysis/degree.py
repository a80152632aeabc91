"""Degrees, hubs, per-type summaries and degree-distribution skew of typed networks.

Conventions (they change numbers, so they are stated once here):

* degrees count distinct (regulator, target) edges; a self-loop adds 1 to the gene's in-degree
  and 1 to its out-degree, so 2 to its total degree (the networkx convention);
* hubs are the top ``k`` genes by the chosen degree, ties broken by gene id ascending
  (byte order), so the list is deterministic; genes tied with the k-th hub but cut by the id
  rule are counted by :func:`cutoff_ties`;
* sign consistency of a regulator = share of its out-edges that carry its majority sign
  (1.0: all activation or all repression; 0.5: an even split);
* degree skew: a discrete power law vs a log-normal fitted above ``xmin`` by the ``powerlaw``
  package (Alstott et al. 2014; Clauset et al. 2009): ``alpha``, ``xmin``, the normalised
  log-likelihood ratio ``R`` (> 0 favours the power law) and its p-value.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from xatgrn.errors import input_error

log = logging.getLogger(__name__)

__all__ = [
    "DEGREE_KINDS",
    "SkewResult",
    "ccdf",
    "cutoff_ties",
    "degree_skew",
    "degree_table",
    "degree_tables",
    "hub_genes",
    "hub_overlap",
    "sign_consistency",
    "type_summary",
]

DEGREE_KINDS = ("total", "in", "out")
_TYPES = ("activation", "repression")
_DEGREE_COLUMNS = (
    "in_degree",
    "out_degree",
    "total_degree",
    "in_activation",
    "in_repression",
    "out_activation",
    "out_repression",
)


def _check_kind(by: str) -> str:
    if by not in DEGREE_KINDS:
        raise input_error(f"unknown degree {by!r}", fix=f"use one of {list(DEGREE_KINDS)}")
    return by


def _typed_counts(edges: pd.DataFrame, column: str) -> pd.DataFrame:
    counts = edges.groupby([column, "type"]).size().unstack("type", fill_value=0)
    return counts.reindex(columns=list(_TYPES), fill_value=0)


def degree_table(edges: pd.DataFrame, genes: Sequence[str] | None = None) -> pd.DataFrame:
    """Per-gene in-, out- and total degree, each also split by type.

    Args:
        edges: typed edge table (``regulator, target, type``).
        genes: genes to report (default: those of the edges); genes without edges get 0.

    Returns:
        DataFrame indexed by ``gene`` (sorted) with int columns ``in_degree, out_degree,
        total_degree, in_activation, in_repression, out_activation, out_repression``.
    """
    if genes is None:
        genes = np.union1d(edges["regulator"].to_numpy(str), edges["target"].to_numpy(str))
    index = pd.Index(np.sort(np.asarray(genes, dtype=str)), name="gene")
    out_c = _typed_counts(edges, "regulator").reindex(index, fill_value=0)
    in_c = _typed_counts(edges, "target").reindex(index, fill_value=0)
    table = pd.DataFrame(
        {
            "in_activation": in_c["activation"],
            "in_repression": in_c["repression"],
            "out_activation": out_c["activation"],
            "out_repression": out_c["repression"],
        },
        index=index,
    ).astype("int64")
    table["in_degree"] = table["in_activation"] + table["in_repression"]
    table["out_degree"] = table["out_activation"] + table["out_repression"]
    table["total_degree"] = table["in_degree"] + table["out_degree"]
    return table[list(_DEGREE_COLUMNS)]


def degree_tables(networks: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One wide table over the union of genes: ``<network>_in``, ``_out``, ``_total`` columns."""
    genes = (
        np.unique(
            np.concatenate(
                [e[c].to_numpy(str) for e in networks.values() for c in ("regulator", "target")]
            )
        )
        if networks
        else np.empty(0, dtype=str)
    )
    parts = {}
    for name, edges in networks.items():
        t = degree_table(edges, genes)
        for kind in DEGREE_KINDS:
            parts[f"{name}_{kind}"] = t[f"{kind}_degree"]
    return pd.DataFrame(parts, index=pd.Index(np.sort(genes.astype(str)), name="gene"))


def _ranked(degrees: pd.DataFrame, by: str) -> pd.DataFrame:
    col = f"{_check_kind(by)}_degree"
    table = degrees.rename_axis("gene").reset_index()
    table = table[table[col] > 0]
    return table.sort_values([col, "gene"], ascending=[False, True], kind="mergesort")


def hub_genes(degrees: pd.DataFrame, k: int = 10, by: str = "total") -> pd.DataFrame:
    """The ``k`` genes of highest degree (``by``: total, in, out); ties: gene id ascending.

    Returns columns ``rank, gene, degree, in_degree, out_degree, activation, repression``
    where ``activation``/``repression`` split the chosen degree by edge type.
    """
    if k < 1:
        raise input_error(f"top-k must be at least 1, got {k}", fix="pass --top-k 1 or more")
    top = _ranked(degrees, by).head(k)
    if by == "total":
        act = top["in_activation"] + top["out_activation"]
        rep = top["in_repression"] + top["out_repression"]
    else:
        act, rep = top[f"{by}_activation"], top[f"{by}_repression"]
    return pd.DataFrame(
        {
            "rank": np.arange(1, len(top) + 1),
            "gene": top["gene"].to_numpy(),
            "degree": top[f"{by}_degree"].to_numpy(),
            "in_degree": top["in_degree"].to_numpy(),
            "out_degree": top["out_degree"].to_numpy(),
            "activation": act.to_numpy(),
            "repression": rep.to_numpy(),
        }
    )


def cutoff_ties(degrees: pd.DataFrame, k: int = 10, by: str = "total") -> int:
    """Genes outside the top ``k`` whose degree equals the k-th hub's (cut only by gene id)."""
    ranked = _ranked(degrees, by)
    if len(ranked) <= k:
        return 0
    col = f"{by}_degree"
    kth = ranked[col].iloc[k - 1]
    return int((ranked[col].iloc[k:] == kth).sum())


def hub_overlap(a: Sequence[str], b: Sequence[str]) -> dict[str, Any]:
    """Overlap of two hub lists: sizes, shared count, Jaccard index, shared genes (sorted)."""
    sa, sb = set(a), set(b)
    union = sa | sb
    shared = sorted(sa & sb)
    return {
        "n_a": len(sa),
        "n_b": len(sb),
        "shared": len(shared),
        "jaccard": len(shared) / len(union) if union else float("nan"),
        "genes": shared,
    }


def sign_consistency(edges: pd.DataFrame) -> pd.DataFrame:
    """Per regulator: out-edges by type, majority sign and its share (sign consistency).

    Sorted by number of edges (descending), then regulator id.
    """
    counts = _typed_counts(edges, "regulator")
    n = counts["activation"] + counts["repression"]
    majority = np.where(
        counts["activation"] > counts["repression"],
        "activation",
        np.where(counts["activation"] < counts["repression"], "repression", "tie"),
    )
    out = pd.DataFrame(
        {
            "n_edges": n,
            "activation": counts["activation"],
            "repression": counts["repression"],
            "majority": majority,
            "consistency": np.maximum(counts["activation"], counts["repression"]) / n,
        },
        index=counts.index.rename("regulator"),
    )
    out = out.rename_axis("regulator").reset_index()
    return out.sort_values(["n_edges", "regulator"], ascending=[False, True], kind="mergesort")


def type_summary(edges: pd.DataFrame) -> dict[str, Any]:
    """Counts of a typed network and how sign-consistent its regulators are.

    ``mean_sign_consistency`` and ``share_single_sign`` are over regulators with >= 2 edges.
    """
    regs = edges["regulator"].to_numpy(str)
    tgts = edges["target"].to_numpy(str)
    types = edges["type"].to_numpy(str)
    sc = sign_consistency(edges) if len(edges) else None
    multi = sc[sc["n_edges"] >= 2] if sc is not None else None
    has_multi = multi is not None and len(multi) > 0
    return {
        "edges": len(edges),
        "genes": len(np.union1d(regs, tgts)),
        "regulators": len(np.unique(regs)),
        "targets": len(np.unique(tgts)),
        "activation": int(np.sum(types == "activation")),
        "repression": int(np.sum(types == "repression")),
        "self_loops": int(np.sum(regs == tgts)),
        "mean_sign_consistency": float(multi["consistency"].mean()) if has_multi else None,
        "share_single_sign": float((multi["consistency"] == 1).mean()) if has_multi else None,
    }


def ccdf(values: Sequence[int] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Empirical CCDF of positive values: distinct ``x`` and ``P(X >= x)``."""
    v = np.sort(np.asarray(values, dtype=float))
    v = v[v > 0]
    if v.size == 0:
        return np.empty(0), np.empty(0)
    x = np.unique(v)
    return x, 1.0 - np.searchsorted(v, x, side="left") / v.size


@dataclass
class SkewResult:
    """Power law vs log-normal on one degree distribution; ``status`` 'ok' or 'not enough data'."""

    status: str
    n: int
    n_distinct: int
    reason: str | None = None
    alpha: float | None = None
    sigma_alpha: float | None = None
    xmin: float | None = None
    n_tail: int | None = None
    lognormal_mu: float | None = None
    lognormal_sigma: float | None = None
    loglikelihood_ratio: float | None = None
    p_value: float | None = None
    preferred: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _finite(x: Any) -> float | None:
    x = float(x)
    return x if np.isfinite(x) else None


def degree_skew(
    values: Sequence[int] | np.ndarray,
    *,
    min_points: int = 20,
    min_distinct: int = 3,
    min_tail: int = 10,
    significance: float = 0.1,
) -> SkewResult:
    """Fit a discrete power law (``xmin`` by minimum KS distance) and compare with a log-normal.

    Only positive degrees are used. With fewer than ``min_points`` values, fewer than
    ``min_distinct`` distinct values, or fewer than ``min_tail`` values above the fitted
    ``xmin`` the result is ``status='not enough data'`` with the reason, never an exception;
    without the ``powerlaw`` package it is ``status='unavailable'``.
    ``preferred`` is the favoured distribution when the ratio test's p < ``significance``,
    else ``'undecided'``.
    """
    v = np.asarray(values, dtype=float)
    v = v[v > 0]
    n, n_distinct = int(v.size), int(np.unique(v).size)
    if n < min_points or n_distinct < min_distinct:
        return SkewResult(
            "not enough data",
            n,
            n_distinct,
            reason=f"{n} nonzero degrees with {n_distinct} distinct values "
            f"(need >= {min_points} and >= {min_distinct})",
        )
    try:
        import powerlaw
    except ImportError:
        return SkewResult(
            "unavailable",
            n,
            n_distinct,
            reason='the powerlaw package is not installed (pip install "xatgrn[analysis]")',
        )
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            fit = powerlaw.Fit(v, discrete=True, verbose=0)
            ratio, p = fit.distribution_compare("power_law", "lognormal", normalized_ratio=True)
            tail = int(np.sum(v >= fit.power_law.xmin))
            result = SkewResult(
                "ok",
                n,
                n_distinct,
                alpha=_finite(fit.power_law.alpha),
                sigma_alpha=_finite(fit.power_law.sigma),
                xmin=_finite(fit.power_law.xmin),
                n_tail=tail,
                lognormal_mu=_finite(fit.lognormal.mu),
                lognormal_sigma=_finite(fit.lognormal.sigma),
                loglikelihood_ratio=_finite(ratio),
                p_value=_finite(p),
            )
    except (ValueError, ZeroDivisionError, FloatingPointError) as err:
        return SkewResult("not enough data", n, n_distinct, reason=f"fit failed: {err}")
    if result.alpha is None or result.loglikelihood_ratio is None or tail < min_tail:
        return SkewResult(
            "not enough data",
            n,
            n_distinct,
            reason=f"tail above xmin has {tail} values (need >= {min_tail})"
            if tail < min_tail
            else "the fit returned no finite estimate",
            xmin=result.xmin,
            n_tail=tail,
        )
    if result.p_value is not None and result.p_value < significance:
        result.preferred = "power_law" if result.loglikelihood_ratio > 0 else "lognormal"
    else:
        result.preferred = "undecided"
    return result
