"""Writing expression matrices, prior networks and dataset folders the readers accept back.

Files appear atomically (a temporary file moved into place) and gzip output has mtime 0, so the
same table always gives the same bytes.
"""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pandas as pd

from xatgrn import __version__
from xatgrn.data.files import import_anndata, text_format
from xatgrn.data.schema import (
    EXPRESSION_FILE,
    METADATA_FILE,
    REGULATION_COLUMNS,
    REGULATION_TYPES,
    REGULATIONS_FILE,
)
from xatgrn.data.types import GRNDataset
from xatgrn.errors import input_error
from xatgrn.utils import atomic_path, atomic_write


def _write_table(df: pd.DataFrame, path: Path, *, index_label: str | None) -> None:
    """Write ``df`` as CSV/TSV(.gz) atomically; gzip with mtime 0 so the bytes are reproducible."""
    sep, gz = text_format(path)
    kwargs = {"sep": sep, "lineterminator": "\n"}
    if index_label is None:
        kwargs["index"] = False
    else:
        kwargs["index_label"] = index_label
    with atomic_write(path, "wb") as raw:
        if gz:
            with (
                gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as zf,
                io.TextIOWrapper(zf, encoding="utf-8", newline="") as fh,
            ):
                df.to_csv(fh, **kwargs)
        else:
            fh = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            df.to_csv(fh, **kwargs)
            fh.flush()
            fh.detach()  # atomic_write closes (and moves) the file itself


def write_expression(df: pd.DataFrame, path: str | Path) -> Path:
    """Write a genes x samples expression table that :func:`read_expression` reads back exactly.

    Format by suffix: ``.csv`` / ``.tsv`` / ``.txt`` (tab), each optionally ``.gz``; or
    ``.h5ad`` (AnnData, obs = samples, var = genes; needs the ``h5ad`` extra). Floats are written
    at full precision, so a round trip is bit-exact. The file appears atomically.
    """
    path = Path(path)
    if not df.index.is_unique or not df.columns.is_unique:
        raise input_error(
            "expression to write has duplicate gene ids or sample names",
            fix="make the index (genes) and columns (samples) unique before writing",
            path=path,
        )
    out = df.astype("float64")
    out.index = out.index.astype(str)
    out.columns = out.columns.astype(str)
    if path.suffix.lower() == ".h5ad":
        anndata = import_anndata(path)
        adata = anndata.AnnData(
            X=out.to_numpy().T.copy(),
            # object-dtype names: anndata < 0.11 cannot write pandas' new string arrays
            obs=pd.DataFrame(index=pd.Index(out.columns.to_numpy(object), dtype=object)),
            var=pd.DataFrame(index=pd.Index(out.index.to_numpy(object), dtype=object)),
        )
        with atomic_path(path) as tmp:
            adata.write_h5ad(tmp)
        return path
    _write_table(out, path, index_label="gene")
    return path


def write_regulations(df: pd.DataFrame, path: str | Path) -> Path:
    """Write a prior network (columns ``regulator, target, type``) as CSV/TSV(.gz), atomically.

    Extra columns are dropped; ``type`` must already be ``activation`` or ``repression`` so
    that what we write is exactly what :func:`read_regulations` returns.
    """
    path = Path(path)
    missing = [c for c in REGULATION_COLUMNS if c not in df.columns]
    if missing:
        raise input_error(
            f"regulations to write lack the column(s) {missing}",
            fix=f"pass a DataFrame with columns {list(REGULATION_COLUMNS)}",
            path=path,
        )
    out = df.loc[:, list(REGULATION_COLUMNS)].astype(str)
    bad = ~out["type"].isin(REGULATION_TYPES)
    if bad.any():
        raise input_error(
            f"regulations to write have type {out['type'][bad].iloc[0]!r}",
            fix=f"use only {list(REGULATION_TYPES)} (read_regulations normalises other labels)",
            path=path,
        )
    _write_table(out, path, index_label=None)
    return path


#: what :func:`write_dataset` writes: role -> file name inside the folder
DATASET_FILES: dict[str, str] = {
    "expression": EXPRESSION_FILE,
    "regulations": REGULATIONS_FILE,
    "metadata": METADATA_FILE,
}


def write_dataset(
    dataset: GRNDataset, directory: str | Path, *, overwrite: bool = False
) -> dict[str, Path]:
    """Write a dataset folder: ``expression.csv.gz``, ``regulations.tsv``, ``metadata.json``.

    The layout of the benchmark folders (so :func:`~xatgrn.data.datasets.load_dataset` and
    ``xatgrn fit`` read it back) plus the metadata as indented JSON, with ``xatgrn_version``
    recorded. Each file appears atomically and the bytes depend only on the dataset. Existing
    files are an error naming them unless ``overwrite=True``; nothing is written then.

    Returns:
        role (``expression``, ``regulations``, ``metadata``) -> path written.
    """
    directory = Path(directory)
    paths = {role: directory / name for role, name in DATASET_FILES.items()}
    existing = [p for p in paths.values() if p.exists()]
    if existing and not overwrite:
        also = f" (also: {', '.join(p.name for p in existing[1:])})" if len(existing) > 1 else ""
        raise input_error(
            f"file already exists{also}",
            path=existing[0],
            fix="pass overwrite=True (CLI: --force) to replace the files, or choose another "
            "folder (CLI: --out)",
        )
    metadata = {**dataset.metadata, "xatgrn_version": __version__}
    write_expression(dataset.expression, paths["expression"])
    write_regulations(dataset.regulations, paths["regulations"])
    with atomic_write(paths["metadata"]) as fh:
        json.dump(metadata, fh, indent=2)
        fh.write("\n")
    return paths
