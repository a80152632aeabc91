"""Writing predicted networks: the one edge-list schema, in TSV, BEELINE CSV and GraphML.

The schema (``xatgrn.data.schema.EDGE_LIST_COLUMNS``) is shared by the API and the CLI:
``regulator, target, predicted_type, score, p_activation, p_repression, p_none, rank, in_prior,
known_regulator`` (``known_regulator``: the regulator has an edge in the model's prior).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from xatgrn.data.files import check_file, open_text, reading
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
        plain = df.astype(
            {"in_prior": bool, "known_regulator": bool, "rank": "int64", "score": "float64"}
        ).astype({c: "float64" for c in ("p_activation", "p_repression", "p_none")})
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


#: ``predicted_type`` values an edge list may hold
_PREDICTED_TYPES = frozenset({"activation", "repression", "none"})
_BOOL_TEXT = {"true": True, "false": False, "1": True, "0": False}


def read_edge_list(path: str | Path, fmt: str | None = None) -> pd.DataFrame:
    """Read back a predicted network written by :func:`write_edge_list` (any of its formats).

    ``fmt`` defaults to the content: ``.graphml`` by suffix, a header starting ``Gene1`` is
    BEELINE CSV, anything else the full-schema table (tab or comma separated, optionally
    gzip'd). The result always has the :data:`EDGE_LIST_COLUMNS`; columns a format does not
    carry are missing values (BEELINE: the probabilities, ``in_prior`` and ``known_regulator``;
    ``rank`` is the file order). ``in_prior`` and ``known_regulator`` are nullable booleans.
    """
    path = check_file(path)
    if fmt is None and str(path).lower().endswith(".graphml"):
        fmt = "graphml"
    if fmt == "graphml":
        import networkx as nx

        with reading(path):
            try:
                graph = nx.read_graphml(path)
            except Exception as err:  # networkx raises several parser exception types
                raise input_error(
                    f"not a readable GraphML file ({err})", fix="re-export the network", path=path
                ) from None
        df = nx.to_pandas_edgelist(graph, source="regulator", target="target")
        return _finish_edge_list(df, path)
    with reading(path), open_text(path) as fh:
        header = fh.readline().rstrip("\r\n")
    sep = "\t" if "\t" in header else ","
    first = header.split(sep)[0].strip().strip('"')
    if fmt is None:
        fmt = "beeline" if first == "Gene1" else "tsv"
    with reading(path), open_text(path) as fh:
        df = pd.read_csv(
            fh,
            sep=sep,
            dtype={"regulator": str, "target": str, "Gene1": str, "Gene2": str},
            keep_default_na=False,
            na_values={c: ["", "nan", "NaN", "NA"] for c in EDGE_LIST_COLUMNS[3:8]},
        )
    if fmt == "beeline":
        missing = [c for c in ("Gene1", "Gene2", "Type") if c not in df.columns]
        if missing:
            raise input_error(
                f"BEELINE edge list lacks columns {missing}",
                fix="use the header Gene1,Gene2,Type[,EdgeWeight]",
                path=path,
            )
        signs = df["Type"].astype(str).str.strip()
        bad = ~signs.isin(["+", "-"])
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise input_error(
                f"Type {signs.iloc[i]!r} is not '+' or '-'",
                fix="write activation as '+' and repression as '-'",
                path=path,
                line=i + 2,
            )
        df = pd.DataFrame(
            {
                "regulator": df["Gene1"].to_numpy(),
                "target": df["Gene2"].to_numpy(),
                "predicted_type": np.where(signs == "+", "activation", "repression"),
                "score": df["EdgeWeight"].to_numpy() if "EdgeWeight" in df else np.nan,
                "rank": np.arange(1, len(df) + 1),
            }
        )
    return _finish_edge_list(df, path)


def _finish_edge_list(df: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Check the schema's name and type columns; fill what a format lacks; fix dtypes."""
    missing = [c for c in ("regulator", "target", "predicted_type") if c not in df.columns]
    if missing:
        raise input_error(
            f"edge list lacks columns {missing}",
            fix=f"write it with `xatgrn predict` (columns {list(EDGE_LIST_COLUMNS)}); a prior "
            "network (regulator, target, type) is read with read_regulations",
            path=path,
        )
    df = df.copy()
    for col in ("regulator", "target"):
        df[col] = df[col].astype(str).str.strip()
    types = df["predicted_type"].astype(str).str.strip().str.lower()
    bad = ~types.isin(list(_PREDICTED_TYPES))
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise input_error(
            f"predicted_type {df['predicted_type'].iloc[i]!r} is not one of "
            f"{sorted(_PREDICTED_TYPES)}",
            fix="use the types written by `xatgrn predict`",
            path=path,
            line=i + 2 if not str(path).lower().endswith(".graphml") else None,
        )
    df["predicted_type"] = types
    for col in ("score", "p_activation", "p_repression", "p_none"):
        df[col] = pd.to_numeric(df[col], errors="coerce") if col in df else np.nan
    df["rank"] = (
        pd.to_numeric(df["rank"], errors="coerce").astype("Int64")
        if "rank" in df
        else pd.array(np.arange(1, len(df) + 1), dtype="Int64")
    )
    for col in (
        "in_prior",
        "known_regulator",
    ):  # nullable booleans; files before 0.2 lack the second
        if col in df:
            text = df[col].astype(str).str.strip().str.lower()
            df[col] = pd.array(text.map(_BOOL_TEXT), dtype="boolean")
        else:
            df[col] = pd.array([pd.NA] * len(df), dtype="boolean")
    return df[list(EDGE_LIST_COLUMNS)].reset_index(drop=True)
