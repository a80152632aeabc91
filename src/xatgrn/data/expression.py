"""Reading expression matrices: delimited text (:mod:`~xatgrn.data.expression_text`) and AnnData.

The result is always float64 genes x samples with str labels; repeated gene ids are an error
unless ``aggregate=`` says how to combine them; gene ids that are row numbers are refused and
ids a spreadsheet turned into dates are warned about (:mod:`~xatgrn.data.expression_quality`).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from xatgrn.data.expression_checks import (
    check_labels,
    check_values,
    resolve_orientation,
    to_genes_by_samples,
)
from xatgrn.data.expression_quality import AGGREGATIONS, aggregate_duplicates, check_gene_ids
from xatgrn.data.expression_text import read_text_matrix
from xatgrn.data.files import check_file, import_anndata, text_format, text_layout
from xatgrn.data.validate import str_labels
from xatgrn.errors import input_error

log = logging.getLogger(__name__)

#: accepted values of ``orientation=``
ORIENTATIONS: tuple[str, str, str] = ("auto", "genes-by-samples", "samples-by-genes")
#: ``layer=`` values that read an AnnData's ``.raw`` (when it has no layer of that name)
RAW_LAYERS: tuple[str, str] = ("raw", ".raw")


def read_expression(
    path: str | Path,
    *,
    orientation: str = "auto",
    genes_hint: Iterable[str] | None = None,
    layer: str | None = None,
    index_col: str | None = None,
    aggregate: str | None = None,
) -> pd.DataFrame:
    """Read an expression matrix as a float64 genes x samples DataFrame.

    Args:
        path: ``.csv`` / ``.tsv`` / ``.txt`` (tab, comma, semicolon or whitespace, sniffed),
            each optionally gzip'd; ``#`` comment lines, GEO series matrices and GCT files are
            understood; or ``.h5ad`` (AnnData: obs = samples, var = genes; needs
            ``pip install "xatgrn[h5ad]"``). Text layouts: see :mod:`xatgrn.data.expression_text`.
        orientation: ``"genes-by-samples"``, ``"samples-by-genes"`` or ``"auto"``. ``auto``
            with ``genes_hint`` picks the axis whose labels clearly match more of those genes
            (at least 2 and 1 % of them, and twice as many as the other axis), else raises;
            ``auto`` without a hint assumes the file's usual layout (genes x samples for text,
            samples x genes for AnnData).
        genes_hint: genes expected on the gene axis, typically the prior network's genes.
        layer: AnnData matrix to read instead of ``X``: a layer name, or ``"raw"`` for
            ``.raw`` (``.h5ad`` only).
        index_col: text files: the column holding the ids (a header name or a 1-based number),
            or ``"none"`` when there is none (samples as rows, gene ids in the header, as in
            DREAM5 / GENIE3 files); default: recognised from the content.
        aggregate: combine rows that share a gene id: ``"mean"``, ``"median"`` or ``"max"``
            (the row with the highest mean); default: repeated gene ids are an error.

    Returns:
        DataFrame with gene ids (str) as index named ``"gene"`` and sample names (str) as
        columns; all values finite.

    Raises:
        XatgrnInputError: missing/empty file, non-numeric / missing / infinite value,
            duplicate gene ids or sample names, fewer than 2 samples, ambiguous orientation or
            id column.
    """
    return _read_expression(
        path,
        orientation=orientation,
        genes_hint=genes_hint,
        layer=layer,
        index_col=index_col,
        aggregate=aggregate,
    )[0]


def _read_expression(
    path: str | Path,
    *,
    orientation: str = "auto",
    genes_hint: Iterable[str] | None = None,
    layer: str | None = None,
    index_col: str | None = None,
    aggregate: str | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """:func:`read_expression` plus what was recognised (orientation, layout, matrix, ...)."""
    path = check_file(path)
    if orientation not in ORIENTATIONS:
        raise input_error(
            f"unknown orientation {orientation!r}",
            fix=f"use one of {', '.join(ORIENTATIONS)}",
            path=path,
        )
    if aggregate is not None and aggregate not in AGGREGATIONS:
        raise input_error(
            f"unknown aggregate {aggregate!r}",
            fix=f"use one of {', '.join(AGGREGATIONS)}",
            path=path,
        )
    hint = None if genes_hint is None else str_labels(pd.unique(str_labels(list(genes_hint))))
    if path.suffix.lower() == ".h5ad":
        if index_col not in (None, "auto"):
            raise input_error(
                f"index_col={index_col!r} only applies to text files",
                fix="drop --index-col for .h5ad files (ids are its obs_names / var_names)",
                path=path,
            )
        df, info = _read_h5ad(path, orientation, hint, layer, aggregate is not None)
    else:
        if layer is not None:
            raise input_error(
                f"layer={layer!r} only applies to .h5ad files",
                fix="drop the layer argument (--layer) for CSV/TSV files",
                path=path,
            )
        default_sep, _ = text_format(path, h5ad_ok=True)
        df, info = read_text_matrix(
            path,
            text_layout(path, default_sep),
            orientation=orientation,
            hint=hint,
            index_col=index_col,
            allow_duplicate_genes=aggregate is not None,
        )
    used = info["orientation"]
    check_gene_ids(df.index, path)
    if aggregate is not None:
        n_rows = len(df)
        df = aggregate_duplicates(df, aggregate, path)
        info["aggregated_rows"] = n_rows - len(df)
    if df.shape[1] < 2:
        raise input_error(
            f"only {df.shape[1]} sample(s): at least 2 samples are needed to compare expression "
            f"profiles (read as {used}, {df.shape[0]} genes)",
            fix="add samples, or pass orientation= / --orientation if genes and samples are "
            "swapped",
            path=path,
        )
    log.info("%s: %d genes x %d samples (%s)", path, df.shape[0], df.shape[1], used)
    return df, info


def _read_h5ad(
    path: Path, orientation: str, hint: pd.Index | None, layer: str | None, allow_dups: bool
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Read an AnnData file (obs x var) and validate it like a text matrix.

    anndata's own warnings (e.g. "variable names are not unique") are logged at debug level:
    the checks below report the same problems as one clear line.
    """
    anndata = import_anndata(path)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            adata = anndata.read_h5ad(path)
    except Exception as err:
        raise input_error(
            f"cannot read as AnnData ({type(err).__name__}: {err})",
            fix="check that the file is a complete .h5ad written by anndata / scanpy",
            path=path,
        ) from None
    for w in caught:
        log.debug("%s: anndata: %s", path, w.message)
    matrix, var_names, used_matrix = _anndata_matrix(adata, layer, path)
    if hasattr(matrix, "toarray"):  # scipy sparse
        matrix = matrix.toarray()
    try:
        values = np.asarray(matrix, dtype=np.float64)
    except (TypeError, ValueError):
        raise input_error(
            f"the matrix {used_matrix} holds non-numeric values",
            fix="store numbers in X (or the chosen layer)",
            path=path,
        ) from None
    obs = str_labels(adata.obs_names)
    var = str_labels(var_names)
    used = resolve_orientation(obs, var, orientation, hint, path, "samples-by-genes")
    genes_on_rows = used == "genes-by-samples"
    check_labels(
        obs,
        is_gene=genes_on_rows,
        where=lambda k: (f"obs_names[{k}]", None),
        path=path,
        axis="obs_names",
        allow_duplicates=allow_dups and genes_on_rows,
    )
    check_labels(
        var,
        is_gene=not genes_on_rows,
        where=lambda k: (f"var_names[{k}]", None),
        path=path,
        axis="var_names",
        allow_duplicates=allow_dups and not genes_on_rows,
    )
    check_values(
        values,
        np.isnan(values),
        None,
        obs,
        var,
        genes_on_rows=genes_on_rows,
        row_line=lambda i: None,
        path=path,
    )
    others = [f"layer {name!r}" for name in adata.layers.keys() if name != layer]
    if adata.raw is not None and layer not in RAW_LAYERS:
        others.append("raw")
    log.info("%s: read the AnnData matrix %s (others: %s)", path, used_matrix, others or "none")
    info = {
        "orientation": used,
        "layout": "anndata",
        "matrix": used_matrix,
        "other_matrices": others,
    }
    return to_genes_by_samples(obs, var, values, used), info


def _anndata_matrix(adata: Any, layer: str | None, path: Path) -> tuple[Any, pd.Index, str]:
    """(matrix, its var names, its name in messages) for ``layer`` (``None``: X)."""
    layers = list(adata.layers.keys())
    choices = f"layers {layers}" + (", or 'raw' for .raw" if adata.raw is not None else "")
    if layer is None or layer == "X":
        if adata.X is None:
            raise input_error(
                "the AnnData object has no X matrix",
                fix=f"pass layer= (CLI: --layer) with one of its {choices}",
                path=path,
            )
        return adata.X, adata.var_names, "X"
    if layer in adata.layers:
        return adata.layers[layer], adata.var_names, f"layers[{layer!r}]"
    if layer in RAW_LAYERS:
        if adata.raw is None:
            raise input_error(
                "the AnnData object has no .raw matrix",
                fix=f"pass no layer to read X, or one of its layers {layers}",
                path=path,
            )
        return adata.raw.X, adata.raw.var_names, ".raw.X"
    raise input_error(
        f"no layer {layer!r} (layers: {layers})",
        fix=f"pass one of its {choices}, or no layer to read X",
        path=path,
    )
