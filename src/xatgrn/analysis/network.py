"""Predicted network + prior: load, keep the typed edges, split into prior-supported and novel.

The analysis works on *typed edge tables*: columns ``regulator, target, type`` (activation /
repression), ``score`` (the model's ``1 - p_none``; missing for a plain prior) and
``in_prior`` (bool). A predicted edge list may hold every scored pair: only pairs whose
predicted type is activation or repression are edges; pairs predicted ``none`` are dropped.
A pair listed twice keeps its first row (the edge list is ranked, so the best one).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from xatgrn.errors import input_error

log = logging.getLogger(__name__)

__all__ = [
    "EDGE_COLUMNS",
    "Networks",
    "as_edges",
    "build_networks",
    "load_network",
    "split_by_prior",
]

#: columns of a typed edge table used throughout :mod:`xatgrn.analysis`
EDGE_COLUMNS = ("regulator", "target", "type", "score", "in_prior")


def _pairs(df: pd.DataFrame) -> pd.MultiIndex:
    return pd.MultiIndex.from_arrays([df["regulator"].to_numpy(), df["target"].to_numpy()])


def as_edges(df: pd.DataFrame) -> pd.DataFrame:
    """A typed edge table from an edge list (``predicted_type``) or a prior (``type``).

    Rows predicted ``none`` are dropped, duplicate pairs keep their first row.
    """
    type_col = "predicted_type" if "predicted_type" in df.columns else "type"
    out = pd.DataFrame(
        {
            "regulator": df["regulator"].astype(str).to_numpy(),
            "target": df["target"].astype(str).to_numpy(),
            "type": df[type_col].astype(str).to_numpy(),
            "score": (
                pd.to_numeric(df["score"], errors="coerce").to_numpy(dtype=float)
                if "score" in df.columns
                else np.full(len(df), np.nan)
            ),
            "in_prior": (
                pd.array(df["in_prior"], dtype="boolean")
                if "in_prior" in df.columns
                else pd.array([pd.NA] * len(df), dtype="boolean")
            ),
        }
    )
    typed = out["type"].isin(["activation", "repression"])
    if (~typed).any():
        log.info("dropped %d pairs predicted 'none'", int((~typed).sum()))
    out = out[typed]
    out = out[~_pairs(out).duplicated(keep="first")]
    return out.reset_index(drop=True)


def load_network(path: str | Path) -> pd.DataFrame:
    """Read a network file as a typed edge table.

    Edge lists written by ``xatgrn predict`` (TSV / BEELINE CSV / GraphML, via
    :func:`xatgrn.data.edgelist.read_edge_list`) and prior-style tables (``regulator, target,
    type`` and the other layouts :func:`xatgrn.data.io.read_regulations` accepts) both work, so
    a prior can be analysed as if it were a prediction.
    """
    from xatgrn.data.edgelist import read_edge_list
    from xatgrn.data.files import check_file, open_text, reading
    from xatgrn.data.regulations import read_regulations

    path = check_file(path)
    if not str(path).lower().endswith(".graphml"):
        with reading(path), open_text(path) as fh:
            header = fh.readline().lower()
        beeline_with_weights = header.startswith("gene1") and "edgeweight" in header
        if "predicted_type" not in header and not beeline_with_weights:
            prior = read_regulations(path)
            edges = as_edges(prior)
            log.info("%s: read as a typed network (%d edges, no scores)", path, len(edges))
            return edges
    edges = as_edges(read_edge_list(path))
    if edges.empty:
        raise input_error(
            "the network has no activation or repression edges",
            fix="predict with a lower --min-prob or a larger --top, or check the file",
            path=path,
        )
    return edges


def split_by_prior(
    predicted: pd.DataFrame, prior: pd.DataFrame | None
) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """(prior-supported, novel-only) predicted edges.

    A predicted pair is prior-supported when the prior holds the same (regulator, target),
    whatever its type. With ``prior=None`` the edge list's ``in_prior`` column decides; when
    that is unknown too, returns ``None``.
    """
    if prior is not None:
        in_prior = _pairs(predicted).isin(_pairs(prior))
    else:
        flags = predicted["in_prior"]
        if flags.isna().any():
            return None
        in_prior = flags.to_numpy(dtype=bool)
    return (
        predicted[in_prior].reset_index(drop=True),
        predicted[~in_prior].reset_index(drop=True),
    )


@dataclass
class Networks:
    """The networks an analysis compares. ``novel``/``supported`` are None when unknown."""

    predicted: pd.DataFrame
    prior: pd.DataFrame | None = None
    supported: pd.DataFrame | None = None
    novel: pd.DataFrame | None = None

    def named(self) -> dict[str, pd.DataFrame]:
        """The available networks by name, in report order (prior, predicted, novel)."""
        out = {"prior": self.prior, "predicted": self.predicted, "novel": self.novel}
        return {k: v for k, v in out.items() if v is not None}

    def genes(self) -> pd.Index:
        """Every gene of the predicted and prior networks (the default 'dataset' universe)."""
        frames = [f for f in (self.predicted, self.prior) if f is not None]
        return pd.Index(
            np.unique(
                np.concatenate(
                    [f[c].to_numpy(dtype=str) for f in frames for c in ("regulator", "target")]
                )
            )
        )

    def type_agreement(self) -> float | None:
        """Share of prior-supported edges whose predicted type equals the prior's type."""
        if self.prior is None or self.supported is None or self.supported.empty:
            return None
        prior_type = pd.Series(self.prior["type"].to_numpy(), index=_pairs(self.prior))
        prior_type = prior_type[~prior_type.index.duplicated()]
        expected = prior_type.reindex(_pairs(self.supported)).to_numpy()
        return float(np.mean(expected == self.supported["type"].to_numpy()))


def build_networks(predicted: pd.DataFrame, prior: pd.DataFrame | None = None) -> Networks:
    """Typed predicted network (+ prior) → :class:`Networks` with the prior split done.

    With a prior, ``in_prior`` of the predicted edges is recomputed from it (so a stale flag
    from another prior cannot mislead).
    """
    predicted = as_edges(predicted)
    prior_edges = as_edges(prior) if prior is not None else None
    if prior_edges is not None:
        predicted["in_prior"] = pd.array(
            _pairs(predicted).isin(_pairs(prior_edges)), dtype="boolean"
        )
        prior_edges["in_prior"] = pd.array(np.ones(len(prior_edges), bool), dtype="boolean")
    split = split_by_prior(predicted, prior_edges)
    supported, novel = split if split is not None else (None, None)
    return Networks(predicted=predicted, prior=prior_edges, supported=supported, novel=novel)
