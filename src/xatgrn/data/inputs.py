"""Loading a user's files: expression + prior network -> an aligned :class:`GRNDataset`."""

from __future__ import annotations

from pathlib import Path

from xatgrn.data.expression import _read_expression
from xatgrn.data.expression_quality import check_scale
from xatgrn.data.regulations import _read_regulations
from xatgrn.data.types import GRNDataset
from xatgrn.data.validate import absent_genes, align, check_trainable, prior_genes
from xatgrn.utils import sha256_file

#: file stems that say nothing about the dataset: its folder names it instead
_GENERIC_STEMS = frozenset(
    {"expression", "expressiondata", "data", "counts", "matrix", "x", "adata"}
)


def dataset_name(expression_path: str | Path) -> str:
    """The expression file's name without its suffixes, or its folder's name when that name is
    generic (``ecoli/expression.csv`` -> ``ecoli``), so several datasets do not all become
    "expression" in CV tables."""
    path = Path(expression_path)
    name = path.name
    for suffix in (".gz", ".csv", ".tsv", ".txt", ".tab", ".gct", ".h5ad"):
        name = name[: -len(suffix)] if name.lower().endswith(suffix) else name
    folder = path.resolve().parent.name
    if name.lower().replace("_", "") in _GENERIC_STEMS and folder:
        return folder
    return name


def load_user_data(
    expression_path: str | Path,
    regulations_path: str | Path,
    *,
    orientation: str = "auto",
    strict: bool = False,
    on_conflict: str = "drop",
    unknown_types: str = "error",
    index_col: str | None = None,
    aggregate: str | None = None,
    layer: str | None = None,
    preprocessing: str | None = None,
) -> GRNDataset:
    """Read, validate and align a user's expression matrix and prior network.

    The prior is read first so its genes can tell the expression's orientation and id column.
    ``index_col``, ``aggregate`` and ``layer`` go to :func:`~xatgrn.data.io.read_expression`,
    ``on_conflict`` and ``unknown_types`` to :func:`~xatgrn.data.io.read_regulations`.
    ``preprocessing`` (the transform a fit will apply) lets the scale checks refuse what it cannot
    process now rather than after minutes of work. Metadata records both paths and sha256 sums,
    the counts, what was recognised, and what was dropped.
    """
    regulations, reg_stats = _read_regulations(
        regulations_path, on_conflict=on_conflict, unknown_types=unknown_types
    )
    hint = prior_genes(regulations)
    expression, info = _read_expression(
        expression_path,
        orientation=orientation,
        genes_hint=hint,
        layer=layer,
        index_col=index_col,
        aggregate=aggregate,
    )
    others = info.get("other_matrices") or []
    scale = check_scale(
        expression,
        expression_path,
        preprocessing=preprocessing,
        unscaled_hint=f"other matrices in the file: {', '.join(others)} (--layer)"
        if others
        else "",
    )
    absent = absent_genes(expression, regulations)
    aligned = align(expression, regulations, strict=strict, source=regulations_path)
    check_trainable(aligned, source=regulations_path)
    counts = aligned["type"].value_counts()
    name = dataset_name(expression_path)
    metadata = {
        "source": "user",
        "expression_path": str(expression_path),
        "regulations_path": str(regulations_path),
        "expression_sha256": sha256_file(expression_path),
        "regulations_sha256": sha256_file(regulations_path),
        "orientation": info["orientation"],
        "expression_read": info,
        "scale": scale,
        "genes": int(expression.shape[0]),
        "samples": int(expression.shape[1]),
        "edges": len(aligned),
        "activation": int(counts.get("activation", 0)),
        "repression": int(counts.get("repression", 0)),
        "self_loops": int((aligned["regulator"] == aligned["target"]).sum()),
        "regulations_read": reg_stats,
        "dropped_genes": [str(g) for g in absent],
        "dropped_edges": len(regulations) - len(aligned),
        "strict": strict,
    }
    return GRNDataset(name=name, expression=expression, regulations=aligned, metadata=metadata)
