"""The container every data source returns (benchmark loader, simulator, user files)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd


@dataclass
class GRNDataset:
    """Expression + typed prior network, addressed by gene name.

    Attributes:
        name: dataset name (``"ecoli_cold"``, ``"simulated"``, a file stem, ...).
        expression: float64 DataFrame, genes (index, ``str``) x samples (columns).
        regulations: DataFrame with columns ``regulator, target, type``; ``type`` is
            ``"activation"`` or ``"repression"``; each (regulator, target) pair at most once.
        metadata: free-form provenance: source, counts, preprocessing, seed, ...
    """

    name: str
    expression: pd.DataFrame
    regulations: pd.DataFrame
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def genes(self) -> pd.Index:
        return self.expression.index

    def __repr__(self) -> str:  # short: DataFrames are large
        n_genes, n_samples = self.expression.shape
        counts = self.regulations["type"].value_counts().to_dict() if len(self.regulations) else {}
        return (
            f"GRNDataset(name={self.name!r}, genes={n_genes}, samples={n_samples}, "
            f"edges={len(self.regulations)}, types={counts})"
        )
