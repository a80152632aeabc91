"""Names and encodings shared by every module: one place, defined once.

Label encoding follows the benchmark's reference code: none 0, repression 1, activation 2.
"""

from __future__ import annotations

from typing import Final

NONE: Final = 0
REPRESSION: Final = 1
ACTIVATION: Final = 2

#: class index -> regulation type name
CLASS_NAMES: Final[tuple[str, str, str]] = ("none", "repression", "activation")
#: regulation type name -> class index
LABELS: Final[dict[str, int]] = {name: i for i, name in enumerate(CLASS_NAMES)}

#: the two regulation types a prior network may hold
REGULATION_TYPES: Final[tuple[str, str]] = ("activation", "repression")

#: columns of a regulations (prior network) table, in order
REGULATION_COLUMNS: Final[tuple[str, str, str]] = ("regulator", "target", "type")

#: columns of a predicted edge list (API and CLI output), in order
EDGE_LIST_COLUMNS: Final[tuple[str, ...]] = (
    "regulator",
    "target",
    "predicted_type",
    "score",
    "p_activation",
    "p_repression",
    "p_none",
    "rank",
    "in_prior",
    "known_regulator",
)

#: file names of a dataset folder (the benchmark layout; ``xatgrn simulate`` adds the metadata)
EXPRESSION_FILE: Final = "expression.csv.gz"
REGULATIONS_FILE: Final = "regulations.tsv"
METADATA_FILE: Final = "metadata.json"
