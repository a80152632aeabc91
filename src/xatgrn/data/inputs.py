"""Loading a user's files: expression + prior network -> an aligned :class:`GRNDataset`."""

from __future__ import annotations

from pathlib import Path

from xatgrn.data.expression import _read_expression
from xatgrn.data.regulations import _read_regulations
from xatgrn.data.types import GRNDataset
from xatgrn.data.validate import absent_genes, align, check_trainable, prior_genes
from xatgrn.utils import sha256_file


def load_user_data(
    expression_path: str | Path,
    regulations_path: str | Path,
    *,
    orientation: str = "auto",
    strict: bool = False,
    on_conflict: str = "last",
    unknown_types: str = "error",
) -> GRNDataset:
    """Read, validate and align a user's expression matrix and prior network.

    The prior is read first so its genes can tell the expression's orientation. Metadata
    records both paths and sha256 sums, the counts, and what was dropped.
    """
    regulations, reg_stats = _read_regulations(
        regulations_path, on_conflict=on_conflict, unknown_types=unknown_types
    )
    hint = prior_genes(regulations)
    expression, used = _read_expression(expression_path, orientation=orientation, genes_hint=hint)
    absent = absent_genes(expression, regulations)
    aligned = align(expression, regulations, strict=strict, source=regulations_path)
    check_trainable(aligned, source=regulations_path)
    counts = aligned["type"].value_counts()
    name = Path(expression_path).name
    for suffix in (".gz", ".csv", ".tsv", ".txt", ".tab", ".h5ad"):
        name = name[: -len(suffix)] if name.lower().endswith(suffix) else name
    metadata = {
        "source": "user",
        "expression_path": str(expression_path),
        "regulations_path": str(regulations_path),
        "expression_sha256": sha256_file(expression_path),
        "regulations_sha256": sha256_file(regulations_path),
        "orientation": used,
        "genes": int(expression.shape[0]),
        "samples": int(expression.shape[1]),
        "edges": len(aligned),
        "activation": int(counts.get("activation", 0)),
        "repression": int(counts.get("repression", 0)),
        "regulations_read": reg_stats,
        "dropped_genes": [str(g) for g in absent],
        "dropped_edges": len(regulations) - len(aligned),
        "strict": strict,
    }
    return GRNDataset(name=name, expression=expression, regulations=aligned, metadata=metadata)
