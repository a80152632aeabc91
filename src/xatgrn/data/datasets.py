"""The 9 FGRN benchmark datasets: load one, checked against the registry (the public API).

Every dataset is one expression matrix (genes x samples) and one typed prior network, taken from the
files the official XATGRN scripts read. The registry (data, not code) lives in
:mod:`xatgrn.data.registry`, the checksum-pinned download and conversion in :mod:`xatgrn.data.fetch`;
their public names are re-exported here. ``load_dataset`` reads a folder laid out as
``<data_dir>/<name>/{expression.csv.gz,regulations.tsv}``.

Where the data lives: ``data_dir=`` argument, then ``$XATGRN_DATA_DIR``, then the pooch cache
(``pooch.os_cache("xatgrn")``, moved by ``$XATGRN_CACHE``).
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from xatgrn.data.expression import read_expression
from xatgrn.data.fetch import (
    CONVERSIONS,
    SOURCE_LABELS,
    convert_expression,
    convert_regulations,
    fetch_all,
    fetch_dataset,
    gzip_bytes,
)
from xatgrn.data.preprocess import PREPROCESSING, apply_preprocessing
from xatgrn.data.registry import (
    CACHE_ENV,
    DATA_ENV,
    DATASETS,
    DEFAULT_URL,
    MIRROR_ENV,
    DatasetSpec,
    SourceFile,
    cache_dir,
    dataset_files,
    find_local_copy,
    get_spec,
    is_available,
    list_datasets,
    resolve_data_dir,
)
from xatgrn.data.regulations import read_regulations
from xatgrn.data.schema import EXPRESSION_FILE, REGULATIONS_FILE
from xatgrn.data.types import GRNDataset
from xatgrn.errors import input_error
from xatgrn.utils import sha256_file

log = logging.getLogger(__name__)

__all__ = [
    "CACHE_ENV",
    "CONVERSIONS",
    "DATASETS",
    "DATA_ENV",
    "DEFAULT_URL",
    "EXPRESSION_FILE",
    "MIRROR_ENV",
    "REGULATIONS_FILE",
    "SOURCE_LABELS",
    "DatasetSpec",
    "SourceFile",
    "cache_dir",
    "convert_expression",
    "convert_regulations",
    "dataset_files",
    "fetch_all",
    "fetch_dataset",
    "find_local_copy",
    "get_spec",
    "gzip_bytes",
    "is_available",
    "list_datasets",
    "load_dataset",
    "resolve_data_dir",
]

# --- load -----------------------------------------------------------------------------------


def _missing_error(spec: DatasetSpec, root: Path, missing: list[str]) -> Exception:
    problem = f"dataset {spec.name!r} is not there: missing {', '.join(missing)}"
    if spec.name == "dream5_net1" and EXPRESSION_FILE in missing:
        problem += (
            f" (the DREAM5 net1 expression file is not in the reference repositories; its public "
            f"location is {spec.expression_source.url()})"
        )
    local = find_local_copy()
    if local is not None and local.resolve() != Path(root).resolve():
        return input_error(
            problem,
            path=root,
            fix=f"a local copy is at {local}: set {DATA_ENV}={local} or pass --data-dir {local} "
            f"(data_dir=); or run `xatgrn datasets fetch {spec.name}`",
        )
    return input_error(
        problem,
        path=root,
        fix=f"run `xatgrn datasets fetch {spec.name}` (downloads and converts it), or set "
        f"${DATA_ENV} / pass data_dir= to a folder holding {spec.name}/{EXPRESSION_FILE} and "
        f"{spec.name}/{REGULATIONS_FILE}",
    )


def _check_counts(
    spec: DatasetSpec, expression: pd.DataFrame, regulations: pd.DataFrame, root: Path
) -> None:
    types = regulations["type"].value_counts()
    loaded = {
        "genes": expression.shape[0],
        "samples": expression.shape[1],
        "activation": int(types.get("activation", 0)),
        "repression": int(types.get("repression", 0)),
        "edges": len(regulations),
    }
    wrong = {k: v for k, v in loaded.items() if v != spec.counts[k]}
    if wrong:
        detail = ", ".join(f"{k} {v} (expected {spec.counts[k]})" for k, v in wrong.items())
        raise input_error(
            f"dataset {spec.name!r} does not match the registry: {detail}",
            path=root,
            fix=f"re-fetch it with `xatgrn datasets fetch {spec.name} --force`",
        )


def load_dataset(
    name: str, data_dir: str | Path | None = None, *, preprocess: bool | str = False
) -> GRNDataset:
    """Load a benchmark dataset as a :class:`GRNDataset`, checked against the registry counts.

    ``preprocess=True`` applies the spec's reference transform (``log2_minmax`` for E. coli and
    human, ``none`` for DREAM5); a string names one explicitly; ``False`` keeps the raw values.
    """
    spec = get_spec(name)
    method = spec.preprocessing if preprocess is True else (preprocess or "none")
    if method not in PREPROCESSING:  # fail before reading files
        apply_preprocessing(pd.DataFrame(), method)
    paths = dataset_files(name, data_dir)
    root = paths[EXPRESSION_FILE].parent
    missing = [fname for fname, p in paths.items() if not p.is_file()]
    if missing:
        raise _missing_error(spec, root, missing)
    expression = read_expression(paths[EXPRESSION_FILE], orientation="genes-by-samples")
    regulations = read_regulations(paths[REGULATIONS_FILE])
    _check_counts(spec, expression, regulations, root)
    if method != "none":
        expression = apply_preprocessing(expression, method)
    hashes = {fname: sha256_file(p) for fname, p in paths.items()}
    metadata = spec.to_dict() | {
        "data_dir": str(root.parent),
        "sha256": hashes,
        "checksums_match_registry": hashes == dict(spec.files),
        "preprocessing_applied": method,
    }
    log.info(
        "loaded %s from %s (%d genes x %d samples, %d edges, preprocessing %s)",
        name,
        root,
        *expression.shape,
        len(regulations),
        method,
    )
    return GRNDataset(name=name, expression=expression, regulations=regulations, metadata=metadata)
