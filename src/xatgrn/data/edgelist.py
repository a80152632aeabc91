"""Writing predicted networks: the one edge-list schema, in TSV, BEELINE CSV and GraphML.

The schema (``xatgrn.data.schema.EDGE_LIST_COLUMNS``) is shared by the API and the CLI:
``regulator, target, predicted_type, score, p_activation, p_repression, p_none, rank, in_prior``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from xatgrn.data.schema import EDGE_LIST_COLUMNS
from xatgrn.errors import input_error
from xatgrn.utils import atomic_path, atomic_write

FORMATS = ("tsv", "beeline", "graphml")


def infer_format(path: str | Path, fmt: str | None = None) -> str:
    """``fmt`` if given, else from the suffix: ``.graphml`` → graphml, anything else → tsv."""
    if fmt is not None:
        if fmt not in FORMATS:
            raise input_error(f"unknown output format {fmt!r}", fix=f"use one of {list(FORMATS)}")
        return fmt
    return "graphml" if str(path).lower().endswith(".graphml") else "tsv"


def check_edge_list(df: pd.DataFrame) -> None:
    missing = [c for c in EDGE_LIST_COLUMNS if c not in df.columns]
    if missing:
        raise input_error(
            f"edge list lacks columns {missing}",
            fix=f"produce it with XATGRN.predict_network (columns {list(EDGE_LIST_COLUMNS)})",
        )


def write_edge_list(
    df: pd.DataFrame,
    path: str | Path,
    fmt: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> Path:
    """Write an edge list atomically; ``metadata`` goes to ``<path>.meta.json`` beside it.

    Formats: ``tsv`` (``.tsv`` or ``.tsv.gz``: the full schema), ``beeline`` (CSV
    ``Gene1,Gene2,Type,EdgeWeight`` with ``+``/``-``, edges predicted ``none`` dropped),
    ``graphml`` (a directed graph; every schema column becomes an edge attribute).
    """
    check_edge_list(df)
    path = Path(path)
    fmt = infer_format(path, fmt)
    df = df[list(EDGE_LIST_COLUMNS)]
    if fmt == "tsv":
        compression = "gzip" if path.suffix.lower() == ".gz" else None
        with atomic_path(path) as tmp:
            df.to_csv(tmp, sep="\t", index=False, float_format="%.6g", compression=compression)
    elif fmt == "beeline":
        typed = df[df["predicted_type"] != "none"]
        out = pd.DataFrame(
            {
                "Gene1": typed["regulator"].to_numpy(),
                "Gene2": typed["target"].to_numpy(),
                "Type": np.where(typed["predicted_type"] == "activation", "+", "-"),
                "EdgeWeight": typed["score"].to_numpy(),
            }
        )
        with atomic_path(path) as tmp:
            out.to_csv(tmp, index=False, float_format="%.6g")
    else:
        import networkx as nx

        attrs = [c for c in EDGE_LIST_COLUMNS if c not in ("regulator", "target")]
        plain = df.astype({"in_prior": bool, "rank": "int64", "score": "float64"}).astype(
            {c: "float64" for c in ("p_activation", "p_repression", "p_none")}
        )
        graph = nx.from_pandas_edgelist(
            plain, "regulator", "target", edge_attr=attrs, create_using=nx.DiGraph
        )
        with atomic_path(path) as tmp:
            nx.write_graphml(graph, tmp)
    if metadata is not None:
        with atomic_write(path.with_name(path.name + ".meta.json")) as fh:
            json.dump(metadata, fh, indent=2, default=str)
    return path


def write_edge_list_chunks(
    chunks: Iterable[pd.DataFrame], path: str | Path, metadata: dict[str, Any] | None = None
) -> Path:
    """Stream ranked edge-list chunks to one TSV (``.gz`` compressed by suffix), atomically."""
    import gzip

    path = Path(path)
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    with atomic_path(path) as tmp, opener(tmp, "wt", newline="") as fh:
        for i, chunk in enumerate(chunks):
            check_edge_list(chunk)
            chunk[list(EDGE_LIST_COLUMNS)].to_csv(
                fh, sep="\t", index=False, header=i == 0, float_format="%.6g"
            )
    if metadata is not None:
        with atomic_write(path.with_name(path.name + ".meta.json")) as fh:
            json.dump(metadata, fh, indent=2, default=str)
    return path
