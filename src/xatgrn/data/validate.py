"""The one in-memory validator: what every estimator, CV run and file reader relies on.

Inputs are validated once, at the boundary. :func:`validate_data` turns an expression table and a
typed prior network (any source: files, the benchmark, the simulator, a user's DataFrames) into a
:class:`ValidatedData` in canonical form, so that downstream code never re-checks and the row order
of the inputs changes nothing:

* expression: float64, gene ids as str, sorted by gene id (stable), finite, unique ids;
* prior: edges whose genes both have expression, both regulation types present, ids as str,
  sorted by (regulator, target) (stable), index ``0..n-1``, columns ``regulator, target, type``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from xatgrn.data.gene_ids import case_only_matches, mismatch_reason
from xatgrn.data.preprocess import apply_preprocessing
from xatgrn.data.schema import REGULATION_COLUMNS, REGULATION_TYPES
from xatgrn.errors import input_error

log = logging.getLogger(__name__)


def str_labels(values: Any, name: str | None = None) -> pd.Index:
    """Labels as a str Index built from a plain array (the same on pandas 2 and 3)."""
    return pd.Index(np.asarray(values, dtype=object).astype(str), name=name)


def check_expression(expression: pd.DataFrame) -> pd.DataFrame:
    """A float64 copy with str gene ids sorted (stable); errors for non-frames, NaN/inf, dups.

    Genes are addressed by name, never by position: a canonical (sorted) order makes every
    position-based random choice (negatives, graph inputs) independent of the input row order.
    """
    if not isinstance(expression, pd.DataFrame):
        raise input_error(
            f"expression must be a pandas DataFrame (genes x samples), got {type(expression).__name__}",
            fix="read it with xatgrn.data.io.read_expression",
        )
    values = expression.to_numpy(dtype=np.float64, na_value=np.nan)
    if not np.isfinite(values).all():
        raise input_error(
            "expression holds NaN or infinite values", fix="impute or drop them before fitting"
        )
    if expression.index.has_duplicates:
        dup = expression.index[expression.index.duplicated()][0]
        raise input_error(
            "duplicate gene id in expression", gene=str(dup), fix="make gene ids unique"
        )
    out = expression.astype(np.float64)
    out.index = out.index.astype(str)
    return out.sort_index(kind="stable")


def prior_genes(regulations: pd.DataFrame) -> pd.Index:
    """Genes of a prior network in order of first appearance (row by row)."""
    pairs = regulations.loc[:, ["regulator", "target"]].to_numpy(dtype=object).ravel()
    return str_labels(pd.unique(pairs))


def absent_genes(expression: pd.DataFrame, regulations: pd.DataFrame) -> pd.Index:
    """Prior genes (first-appearance order) that are not in the expression index."""
    prior = prior_genes(regulations)
    return prior[~prior.isin(expression.index)]


def align(
    expression: pd.DataFrame,
    regulations: pd.DataFrame,
    *,
    strict: bool = False,
    source: str | Path | None = None,
) -> pd.DataFrame:
    """Keep the prior edges whose regulator and target both have expression.

    Missing genes are reported by count with the first few names: a warning (edges dropped)
    by default, an error with ``strict=True``. No edge left is always an error, usually a
    gene-id namespace mismatch. ``source`` names the regulations file in messages.
    """
    if len(regulations) == 0:
        raise input_error(
            "the prior network has no edges", fix="pass a non-empty prior network", path=source
        )
    genes = expression.index
    keep = (regulations["regulator"].isin(genes) & regulations["target"].isin(genes)).to_numpy()
    if keep.all():
        return regulations.loc[:, list(REGULATION_COLUMNS)].reset_index(drop=True)
    absent = absent_genes(expression, regulations)
    n_prior = len(prior_genes(regulations))
    first = ", ".join(repr(g) for g in absent[:5]) + (", ..." if len(absent) > 5 else "")
    case_hint = ""
    if str_labels(absent).str.lower().isin(str_labels(genes).str.lower()).any():
        case_hint = " (some differ only in letter case)"
    counts = (
        f"{len(absent)} of {n_prior} prior-network genes are absent from the expression matrix"
        f"{case_hint} ({first}); {int((~keep).sum())} of {len(keep)} edges use them"
    )
    if not keep.any():
        reason = mismatch_reason({"gene ids": genes}, prior_genes(regulations))
        raise input_error(
            "no prior edge has both genes in the expression matrix: "
            + (f"{reason[0]}; " if reason else "")
            + counts,
            fix=reason[1]
            if reason
            else "use the same gene ids in both files (e.g. gene symbols vs Ensembl ids, "
            "letter case, version suffixes)",
            path=source,
        )
    if strict:
        raise input_error(
            counts,
            fix="add those genes to the expression, map both files to the same gene ids, or "
            "run without strict / --strict to drop those edges with a warning",
            path=source,
        )
    log.warning("%s; dropped those edges", counts)
    return regulations.loc[keep, list(REGULATION_COLUMNS)].reset_index(drop=True)


def check_trainable(regulations: pd.DataFrame, *, source: str | Path | None = None) -> None:
    """The 3-class model needs both activation and repression edges in the prior."""
    counts = regulations["type"].value_counts()
    n = {t: int(counts.get(t, 0)) for t in REGULATION_TYPES}
    missing = [t for t in REGULATION_TYPES if n[t] == 0]
    if missing:
        raise input_error(
            f"the prior network has fewer than 2 regulation classes "
            f"({n['activation']} activation, {n['repression']} repression edges); the "
            "3-class model (none / repression / activation) needs both",
            fix=f"add {' and '.join(missing)} edges to the prior (signed edges, e.g. from "
            "TRRUST, RegulonDB or CollecTRI)",
            path=source,
        )


#: fewer edges of a type than this and the default model cannot fit (nothing left to train on
#: after the held-out and early-stopping splits)
MIN_EDGES_PER_TYPE = 3
#: fewer edges of a type than this and held-out metrics rest on a handful of pairs
FEW_EDGES_PER_TYPE = 25


def check_fittable(regulations: pd.DataFrame, *, source: str | Path | None = None) -> None:
    """Enough edges of each type to fit a model and hold some out; warn when barely so.

    Called by ``xatgrn validate`` and ``xatgrn fit`` so a prior too small to fit is refused up
    front, in the user's words, not by the model's internals later.
    """
    check_trainable(regulations, source=source)
    counts = regulations["type"].value_counts()
    n = {t: int(counts.get(t, 0)) for t in REGULATION_TYPES}
    few = min(n.values())
    if few < MIN_EDGES_PER_TYPE:
        raise input_error(
            f"the prior network has only {n['activation']} activation and {n['repression']} "
            f"repression edges among genes with expression: at least {MIN_EDGES_PER_TYPE} of "
            "each are needed to fit a model (and more to measure it on held-out pairs)",
            fix="add signed edges to the prior (e.g. from TRRUST, RegulonDB or CollecTRI), or "
            "check that its gene ids match the expression's",
            path=source,
        )
    if few < FEW_EDGES_PER_TYPE:
        log.warning(
            "%s: only %d activation and %d repression edges: held-out metrics and precision "
            "estimates will rest on a handful of pairs (fewer than %d edges of a type)",
            source,
            n["activation"],
            n["repression"],
            FEW_EDGES_PER_TYPE,
        )


def gene_positions(genes: pd.Index, names: Any, what: str = "") -> np.ndarray:
    """Positions of gene ids ``names`` in ``genes``; unknown ids are a clear error naming them.

    Used wherever pairs given by name meet a fitted model's gene order.
    """
    names = pd.Index(pd.Series(list(names), dtype=object).astype(str))
    pos = genes.get_indexer(names)
    if (pos < 0).any():
        missing = list(names[pos < 0][:5])
        label = f"{what} gene(s)" if what else "gene(s)"
        case = case_only_matches(names[pos < 0], genes)
        hint = (
            f" ({len(case)} match only when letter case is ignored, e.g. {case[0][0]!r} vs "
            f"{case[0][1]!r})"
            if case
            else ""
        )
        raise input_error(
            f"{int((pos < 0).sum())} {label} are not in the model's genes{hint}, e.g. {missing}",
            fix="use gene ids from the expression matrix the model was fitted on, in the same "
            "letter case",
        )
    return pos.astype(np.int64)


def _same_frame(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Equal values, dtypes, labels, label dtypes and names (what ``assert_frame_equal`` checks)."""
    return (
        a.shape == b.shape
        and a.index.identical(b.index)
        and a.columns.identical(b.columns)
        and a.dtypes.equals(b.dtypes)
        and a.equals(b)
    )


@dataclass(frozen=True, eq=False)
class ValidatedData:
    """Expression and prior network in canonical form (build it with :func:`validate_data`).

    Attributes:
        expression: float64 genes (index, str, sorted) x samples.
        prior: columns ``regulator, target, type``; ids as str; sorted by (regulator, target);
            a RangeIndex; every gene in ``expression``; both regulation types present.
        sources: optional provenance (file paths, sha256 sums); ignored by ``==``.
    """

    expression: pd.DataFrame
    prior: pd.DataFrame
    sources: dict[str, Any] = field(default_factory=dict, compare=False)
    # method -> preprocessed float32 frame, computed once per method (folds share it)
    _preprocessed: dict[str, pd.DataFrame] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    @property
    def genes(self) -> pd.Index:
        """Gene ids in model order (the expression's sorted index), named ``"gene"``."""
        return pd.Index(self.expression.index.astype(str), name="gene")

    @property
    def samples(self) -> pd.Index:
        """Sample names as str."""
        return pd.Index(self.expression.columns.astype(str))

    def preprocessed(self, method: str) -> pd.DataFrame:
        """``apply_preprocessing(expression, method)`` as float32, memoised per method.

        The same frame is returned on every call: treat it as read-only.
        """
        if method not in self._preprocessed:
            source = self.sources.get("expression")
            path = source.get("path") if isinstance(source, dict) else source
            self._preprocessed[method] = apply_preprocessing(self.expression, method, path).astype(
                np.float32
            )
        return self._preprocessed[method]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ValidatedData):
            return NotImplemented
        return _same_frame(self.expression, other.expression) and _same_frame(
            self.prior, other.prior
        )

    __hash__ = None  # type: ignore[assignment]  # DataFrames are mutable

    def __getstate__(self) -> dict[str, Any]:
        # the memo is a cache: pickles (e.g. to dask workers) stay small and recompute it
        return {**self.__dict__, "_preprocessed": {}}

    def __repr__(self) -> str:  # short: DataFrames are large
        counts = self.prior["type"].value_counts().to_dict()
        return (
            f"ValidatedData(genes={self.expression.shape[0]}, samples={self.expression.shape[1]}, "
            f"edges={len(self.prior)}, types={counts})"
        )


def validate_data(
    expression: pd.DataFrame,
    regulations: pd.DataFrame,
    *,
    strict: bool = False,
    source: str | Path | None = None,
    sources: dict[str, Any] | None = None,
) -> ValidatedData:
    """Check, align and canonicalise expression + prior network (idempotent).

    Runs :func:`check_expression`, :func:`align` (``strict``; ``source`` names the regulations
    file in messages), :func:`check_trainable`, then casts the prior's ids to str and sorts it by
    (regulator, target) so that the row order of the prior changes nothing.
    ``validate_data(v.expression, v.prior) == v``.
    """
    expression = check_expression(expression)
    prior = align(expression, regulations, strict=strict, source=source)
    check_trainable(prior, source=source)
    prior = prior.astype({"regulator": str, "target": str})
    prior = prior.sort_values(["regulator", "target"], kind="stable").reset_index(drop=True)
    return ValidatedData(expression=expression, prior=prior, sources=dict(sources or {}))
