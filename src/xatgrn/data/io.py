"""The public reading, validating and writing API for user data (one import for users).

Everything a user hands us passes through the readers re-exported here, so every problem becomes
one :func:`~xatgrn.errors.input_error` naming the file, the 1-based file line and/or the gene, and
the fix. Downstream code can then trust the two tables:

* expression: float64 DataFrame, genes (index ``"gene"``, str) x samples (columns, str),
  finite values, unique labels, at least 2 samples;
* regulations: columns ``regulator, target, type`` with ``type`` in
  {``"activation"``, ``"repression"``}, each (regulator, target) pair at most once, rows in
  order of first appearance.

Where each part lives: :mod:`~xatgrn.data.files` (file checks, formats, encodings, separators),
:mod:`~xatgrn.data.expression` (expression matrices, text and AnnData),
:mod:`~xatgrn.data.regulations` (prior networks: layouts, type labels, duplicate/conflict
policies; gene lists), :mod:`~xatgrn.data.validate` (the in-memory validator: alignment,
trainability, canonical order), :mod:`~xatgrn.data.inputs` (:func:`load_user_data`) and
:mod:`~xatgrn.data.writers`.
"""

from __future__ import annotations

from xatgrn.data.expression import ORIENTATIONS, read_expression
from xatgrn.data.expression_quality import AGGREGATIONS, check_scale
from xatgrn.data.inputs import load_user_data
from xatgrn.data.regulations import (
    CONFLICT_POLICIES,
    TYPE_LABELS,
    UNKNOWN_TYPE_POLICIES,
    read_gene_list,
    read_regulations,
)
from xatgrn.data.validate import (
    ValidatedData,
    align,
    check_expression,
    check_fittable,
    check_trainable,
    gene_positions,
    validate_data,
)
from xatgrn.data.writers import write_dataset, write_expression, write_regulations

__all__ = [
    "AGGREGATIONS",
    "CONFLICT_POLICIES",
    "ORIENTATIONS",
    "TYPE_LABELS",
    "UNKNOWN_TYPE_POLICIES",
    "ValidatedData",
    "align",
    "check_expression",
    "check_fittable",
    "check_scale",
    "check_trainable",
    "gene_positions",
    "load_user_data",
    "read_expression",
    "read_gene_list",
    "read_regulations",
    "validate_data",
    "write_dataset",
    "write_expression",
    "write_regulations",
]
