"""Datasets prepared for cross-validation: validated once, with their provenance.

Every source (the benchmark, a user's files, in-memory data) goes through
:func:`~xatgrn.data.validate.validate_data` once, here; folds, graph embeddings and methods then
share the one canonical form (genes sorted by id, prior aligned and sorted), so every
position-based random choice depends on the content only.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from xatgrn.data.io import load_user_data
from xatgrn.data.types import GRNDataset
from xatgrn.data.validate import ValidatedData, validate_data

log = logging.getLogger(__name__)

__all__ = ["CVData", "benchmark_data", "cv_data", "files_data"]


@dataclass
class CVData:
    """A dataset prepared for CV: a :class:`~xatgrn.data.validate.ValidatedData` + provenance.

    Canonical order makes every position-based random choice (negatives, folds) depend on the
    content only, so datasets sharing a prior and gene universe get the same edge folds.
    ``expression`` is raw (validated, not preprocessed); ``preprocessing`` is applied per fold by
    the estimator (a per-sample transform). ``sha256`` holds the data files' checksums (or a
    content hash).
    """

    name: str
    validated: ValidatedData
    preprocessing: str = "none"
    n_negatives: int | None = None
    graph_dim: int | None = None
    sha256: dict[str, str] = field(default_factory=dict)
    source: dict[str, Any] = field(default_factory=dict)

    @property
    def expression(self) -> pd.DataFrame:
        """Genes (sorted str ids) x samples, float64, not preprocessed."""
        return self.validated.expression

    @property
    def regulations(self) -> pd.DataFrame:
        """The aligned prior (``regulator, target, type``), sorted by (regulator, target)."""
        return self.validated.prior

    @property
    def genes(self) -> pd.Index:
        return self.expression.index

    def summary(self) -> dict[str, Any]:
        """Provenance written into every fold file."""
        counts = self.regulations["type"].value_counts()
        return {
            "name": self.name,
            "sha256": dict(self.sha256),
            "n_genes": int(self.expression.shape[0]),
            "n_samples": int(self.expression.shape[1]),
            "n_prior_edges": len(self.regulations),
            "activation": int(counts.get("activation", 0)),
            "repression": int(counts.get("repression", 0)),
            "preprocessing": self.preprocessing,
            "source": dict(self.source),
        }


def _content_sha256(expression: pd.DataFrame, regulations: pd.DataFrame) -> dict[str, str]:
    """Checksums of in-memory data (no files): gene/sample ids + values, and the prior rows."""
    h = hashlib.sha256()
    h.update("\n".join(map(str, expression.index)).encode())
    h.update("\n".join(map(str, expression.columns)).encode())
    h.update(np.ascontiguousarray(expression.to_numpy(dtype=np.float64)).tobytes())
    text = regulations.to_csv(sep="\t", index=False, lineterminator="\n")
    return {
        "expression(content)": h.hexdigest(),
        "regulations(content)": hashlib.sha256(text.encode()).hexdigest(),
    }


def cv_data(
    dataset: GRNDataset,
    *,
    preprocessing: str = "none",
    n_negatives: int | None = None,
    graph_dim: int | None = None,
    sha256: dict[str, str] | None = None,
    source: dict[str, Any] | None = None,
) -> CVData:
    """Prepare a :class:`~xatgrn.data.types.GRNDataset` (any source) for cross-validation."""
    data = validate_data(dataset.expression, dataset.regulations)
    return CVData(
        name=dataset.name,
        validated=data,
        preprocessing=preprocessing,
        n_negatives=n_negatives,
        graph_dim=graph_dim,
        sha256=dict(sha256) if sha256 else _content_sha256(data.expression, data.prior),
        source=dict(source or {"kind": "in-memory"}),
    )


def benchmark_data(name: str, data_dir: str | Path | None = None) -> CVData:
    """A benchmark dataset with its reference settings (preprocessing, negatives, graph dim)."""
    from xatgrn.data.datasets import get_spec, load_dataset

    spec = get_spec(name)
    ds = load_dataset(name, data_dir, preprocess=False)
    log.info(
        "%s: raw values loaded; the reference preprocessing (%s) is applied inside each fit",
        name,
        spec.preprocessing,
    )
    return cv_data(
        ds,
        preprocessing=spec.preprocessing,
        n_negatives=spec.n_negatives,
        graph_dim=spec.graph_dim,
        sha256=ds.metadata["sha256"],
        source={"kind": "benchmark", "data_dir": ds.metadata["data_dir"]},
    )


def files_data(
    expression: str | Path,
    regulations: str | Path,
    *,
    preprocessing: str = "none",
    name: str | None = None,
    **read_kwargs: Any,
) -> CVData:
    """A user's expression + prior files (validated by :func:`xatgrn.data.io.load_user_data`)."""
    # the reader checks the values against the preprocessing too (e.g. log2 of negatives)
    ds = load_user_data(expression, regulations, preprocessing=preprocessing, **read_kwargs)
    md = ds.metadata
    return cv_data(
        ds if name is None else dataclasses.replace(ds, name=name),
        preprocessing=preprocessing,
        sha256={
            Path(expression).name: md["expression_sha256"],
            Path(regulations).name: md["regulations_sha256"],
        },
        source={"kind": "files", "expression": str(expression), "regulations": str(regulations)},
    )
