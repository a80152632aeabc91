"""Data layer: readers and validation, benchmark datasets, simulator, labelled pairs.

The bottom layer: from the rest of xatgrn it imports only ``errors``, ``utils`` and the version.
Where things live:

* ``io`` -- the public reading API (re-exports the readers, the validator and the writers);
* ``files`` (file checks, formats, encodings, separators, comment / metadata lines),
  ``expression``, ``expression_text`` (text layouts recognised by content),
  ``expression_checks`` (labels, values, orientation) and ``expression_quality`` (scale checks,
  duplicate-gene aggregation), ``gene_ids`` (id namespaces, spreadsheet dates, letter case),
  ``regulations`` (prior networks, gene lists), ``inputs`` (``load_user_data``), ``writers``
  (tables and dataset folders);
* ``validate`` -- the one in-memory validator (``validate_data`` -> ``ValidatedData``);
* ``datasets`` (load a benchmark dataset), ``registry`` (the datasets as data), ``fetch``
  (pinned downloads and conversions);
* ``synthetic`` (simulated networks and datasets) and ``kinetics`` (expression of a network);
* ``pairs`` (labelled pairs, negatives, folds, the training-edges rule), ``preprocess``,
  ``edgelist`` (predicted networks), ``schema`` (names and encodings), ``types`` (``GRNDataset``).
"""

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
