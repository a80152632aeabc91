"""Data layer: readers and validation, benchmark datasets, simulator, labelled pairs."""

from __future__ import annotations

from xatgrn.data.schema import (
    ACTIVATION,
    CLASS_NAMES,
    EDGE_LIST_COLUMNS,
    LABELS,
    NONE,
    REGULATION_COLUMNS,
    REGULATION_TYPES,
    REPRESSION,
)

__all__ = [
    "ACTIVATION",
    "CLASS_NAMES",
    "EDGE_LIST_COLUMNS",
    "LABELS",
    "NONE",
    "REGULATION_COLUMNS",
    "REGULATION_TYPES",
    "REPRESSION",
]
