"""Genome-scale scoring: every candidate (regulator, target) pair, batched, ranked, streamed.

Memory is bounded by one batch plus 20 bytes per kept pair (positions + probabilities; gene
names are only built for the rows written, chunk by chunk). The ranking never depends on the
input row order: ties in score are broken by gene names.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from xatgrn.core.selection import (
    prior_edges_among,
    selection_estimate,
    threshold_for_precision,
)
from xatgrn.data.schema import CLASS_NAMES, EDGE_LIST_COLUMNS, LABELS, NONE
from xatgrn.errors import input_error
from xatgrn.model.compiled_trees import check_mode
from xatgrn.utils import progress

__all__ = ["NetworkPredictor", "edge_frame", "score_candidates", "top_rows"]


class _Scorer(Protocol):
    genes_: pd.Index
    prior_: pd.DataFrame

    def positions(self, names: Any, what: str) -> np.ndarray: ...
    def _gene_cache(self, n_pairs: int = 0, compile_trees: str = "auto") -> Any: ...
    def _proba_idx(
        self, cache: Any, reg: np.ndarray, tgt: np.ndarray, batch_size: int
    ) -> np.ndarray: ...


def ranked(idx: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Row order by score (descending), ties by regulator then target position.

    ``genes_`` is sorted, so position order is name order: a total order that never depends on
    the input row order, nor on how the candidates were split into batches or shards.
    """
    return np.lexsort((idx[:, 1], idx[:, 0], -(1.0 - p[:, NONE])))


def top_rows(idx: np.ndarray, p: np.ndarray, top: int) -> tuple[np.ndarray, np.ndarray]:
    """The first ``top`` rows in :func:`ranked` order (ranked)."""
    keep = ranked(idx, p)[:top]
    return idx[keep], p[keep]


class _Kept:
    """Kept pairs (positions, probabilities) of a scan; with ``top``, pruned to the top ``top``
    whenever more than ``slack`` x ``top`` pile up (memory: ~(slack + 1) x top rows)."""

    def __init__(self, top: int | None, slack: int) -> None:
        self.top, self.slack = top, slack
        self.idx: list[np.ndarray] = [np.empty((0, 2), dtype=np.int32)]
        self.p: list[np.ndarray] = [np.empty((0, 3), dtype=np.float32)]
        self.n = 0

    def add(self, idx: np.ndarray, p: np.ndarray) -> None:
        self.idx.append(idx.reshape(-1, 2))
        self.p.append(p.reshape(-1, 3))
        self.n += len(p)
        if self.top is not None and self.n > self.slack * self.top:
            idx, p = self.result()
            self.idx, self.p, self.n = [idx], [p], len(p)

    def result(self) -> tuple[np.ndarray, np.ndarray]:
        idx, p = np.concatenate(self.idx), np.concatenate(self.p)
        return top_rows(idx, p, self.top) if self.top is not None else (idx, p)


def _score_block(
    model: _Scorer,
    reg_pos: np.ndarray,
    tgt_pos: np.ndarray,
    cache: Any,
    top: int | None,
    min_prob: float | None,
    include_self: bool,
    batch_size: int,
    bar: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Score ``reg_pos x tgt_pos`` in batches; keep what the rule keeps (at most ``top``)."""
    n_total = len(reg_pos) * len(tgt_pos)
    kept = _Kept(top, slack=4)
    for s in range(0, n_total, batch_size):
        flat = np.arange(s, min(s + batch_size, n_total))
        r, t = reg_pos[flat // len(tgt_pos)], tgt_pos[flat % len(tgt_pos)]
        if not include_self:
            r, t = r[r != t], t[r != t]
        p = model._proba_idx(cache, r, t, batch_size).astype(np.float32)
        if min_prob is not None:
            ok = (1.0 - p[:, NONE]) >= min_prob
            r, t, p = r[ok], t[ok], p[ok]
        kept.add(np.stack([r, t], 1).astype(np.int32), p)
        if bar is not None:
            bar.update(len(flat))
    return kept.result()


def _score_shard(
    model: _Scorer,
    block: np.ndarray,
    tgt_pos: np.ndarray,
    n_total: int,
    compile_trees: str,
    *rest: Any,
) -> tuple[np.ndarray, np.ndarray]:
    """One Dask task: a block of regulators (the per-gene cache is built on the worker, once
    per worker, sized for the whole job so that every worker decides as a serial run would)."""
    return _score_block(model, block, tgt_pos, model._gene_cache(n_total, compile_trees), *rest)


def _merge_shards(futures: list[Any], top: int | None) -> tuple[np.ndarray, np.ndarray]:
    """The shards' kept pairs, merged as they finish: with ``top``, ~3x ``top`` rows are held at
    most (not ``top`` per shard); the kept set is the same, the order the total one."""
    from distributed import as_completed

    kept = _Kept(top, slack=2)
    for future in as_completed(futures):
        kept.add(*future.result())
        future.release()
    return kept.result()


def score_candidates(
    model: _Scorer,
    regulators: Any,
    targets: Any,
    top: int | None,
    min_prob: float | None,
    include_self: bool,
    batch_size: int,
    show_progress: bool = True,
    client: Any = None,
    compile_trees: str = "auto",
) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Score candidate pairs in batches; keep only (positions, probabilities) of kept pairs.

    Returns ``(idx, p, n_candidates, n_prior)``: kept pairs as gene positions ``(k, 2)`` in
    :func:`ranked` order, their probabilities ``(k, 3)``, how many candidates were scored and
    how many prior edges are among them (the candidate set's prevalence).
    With a Dask ``client`` the regulators are split into one block per worker thread (the
    model is sent once); each block keeps its own top ``top``, and the merge keeps the overall
    top ``top`` in the same total order, so the result equals the serial one.
    ``compile_trees`` (``auto``/``yes``/``no``): whether a tree head is compiled to native code
    for this job (:mod:`xatgrn.model.compiled_trees`); it changes the speed, not the output.
    """
    check_mode(compile_trees)
    if regulators is None:
        regulators = pd.unique(model.prior_["regulator"])
    reg_pos = np.unique(model.positions(regulators, "regulator"))
    tgt_pos = (
        np.arange(len(model.genes_))
        if targets is None
        else np.unique(model.positions(targets, "target"))
    )
    n_total = len(reg_pos) * len(tgt_pos)
    rest = (top, min_prob, include_self, batch_size)
    if client is None:
        bar = progress(total=n_total, enabled=show_progress, desc="scoring pairs", unit="pair")
        cache = model._gene_cache(n_total, compile_trees)
        idx, p = _score_block(model, reg_pos, tgt_pos, cache, *rest, bar)
        bar.close()
    else:
        n_shards = max(1, min(len(reg_pos), 4 * sum(client.nthreads().values())))
        # a fresh key per call: a hashed one, released by an earlier call, can vanish under this one
        shared = client.scatter(model, broadcast=True, hash=False)
        futures = [
            client.submit(
                _score_shard, shared, block, tgt_pos, n_total, compile_trees, *rest, pure=False
            )
            for block in np.array_split(reg_pos, n_shards)
        ]
        idx, p = _merge_shards(futures, top)
    order = ranked(idx, p)
    n_candidates = n_total - (0 if include_self else int(np.isin(reg_pos, tgt_pos).sum()))
    n_prior = prior_edges_among(
        model.positions(model.prior_["regulator"], "regulator"),
        model.positions(model.prior_["target"], "target"),
        reg_pos,
        None if targets is None else tgt_pos,
        include_self,
    )
    return idx[order], p[order], n_candidates, n_prior


def edge_frame(model: _Scorer, idx: np.ndarray, p: np.ndarray, rank_start: int) -> pd.DataFrame:
    """The edge-list schema for already ranked rows (positions + probabilities)."""
    genes = np.asarray(model.genes_)
    n = len(model.genes_)
    prior_keys = model.positions(model.prior_["regulator"], "regulator").astype(
        np.int64
    ) * n + model.positions(model.prior_["target"], "target")
    keys = idx[:, 0].astype(np.int64) * n + idx[:, 1]
    known = np.unique(model.positions(model.prior_["regulator"], "regulator"))
    df = pd.DataFrame(
        {
            "regulator": genes[idx[:, 0]],
            "target": genes[idx[:, 1]],
            "predicted_type": np.asarray(CLASS_NAMES, dtype=object)[p.argmax(1)],
            "score": 1.0 - p[:, NONE],
            "p_activation": p[:, LABELS["activation"]],
            "p_repression": p[:, LABELS["repression"]],
            "p_none": p[:, NONE],
            "rank": np.arange(rank_start, rank_start + len(idx)),
            "in_prior": np.isin(keys, prior_keys),
            "known_regulator": np.isin(idx[:, 0], known),
        }
    )
    return df[list(EDGE_LIST_COLUMNS)]


class NetworkPredictor:
    """Genome-scale prediction for an estimator: ranked edge lists and the selection rules.

    Mixed into XATGRN and the signed default; they provide ``_gene_cache()`` (per-gene work
    done once for all pairs) and ``_proba_idx(cache, reg, tgt, batch_size)``.
    """

    def save(self, directory: str | Path, *, overwrite: bool = False) -> Path:
        """Write the model directory (safetensors arrays, JSON, text); refuses to overwrite."""
        from xatgrn.model import persist

        return persist.save_model(self, directory, overwrite=overwrite)

    @classmethod
    def load(cls, directory: str | Path) -> Any:
        """Load a saved model of this class; only safetensors, JSON and text are read."""
        from xatgrn.model import persist

        model = persist.load_model(directory)
        if not isinstance(model, cls):
            raise input_error(
                f"the model in {directory} is a {type(model).__name__}, not a {cls.__name__}",
                fix="load it with xatgrn.model.persist.load_model",
            )
        return model

    def metadata(self) -> dict[str, Any]:
        """Provenance of the fitted model: versions, inputs, data sizes, held-out quality."""
        import platform

        from xatgrn import __version__
        from xatgrn.model.persist import curve_json

        return {
            "xatgrn_version": __version__,
            **self._metadata_extra(),
            "python": platform.python_version(),
            "estimator": type(self).__name__,
            "inputs": dict(getattr(self, "input_sources_", {})),
            "n_genes": len(self.genes_),
            "n_samples": len(self.samples_),
            "n_prior_edges": len(self.prior_),
            "prior_types": self.prior_["type"].value_counts().to_dict(),
            "n_pairs": len(getattr(self, "pairs_", [])),
            "holdout_metrics": getattr(self, "holdout_metrics_", {}),
            "holdout_curve": curve_json(getattr(self, "holdout_curve_", None)),
            "fit_seconds": getattr(self, "fit_seconds_", None),
        }

    def _metadata_extra(self) -> dict[str, Any]:
        """Versions of the libraries the estimator's state depends on."""
        return {}

    def predict_network(
        self,
        regulators: Any = None,
        targets: Any = None,
        *,
        top: int | None = None,
        min_prob: float | None = None,
        include_self: bool = True,
        batch_size: int = 8192,
        client: Any = None,
        compile_trees: str = "auto",
    ) -> pd.DataFrame:
        """Score every candidate (regulator, target) pair and return a ranked typed edge list.

        Args:
            regulators: candidate regulators (default: genes that regulate something in the prior).
            targets: candidate targets (default: every gene).
            top: keep the ``top`` highest-scoring pairs.
            min_prob: keep pairs with ``score = 1 - p_none >= min_prob``.
            include_self: score (g, g) pairs (the benchmark's priors contain autoregulation).
            batch_size: pairs per forward pass.
            client: a ``dask.distributed.Client`` to shard the candidates over (same result).
            compile_trees: ``"auto"`` compiles a tree head to native code for large candidate
                sets (same result, faster), ``"yes"`` always, ``"no"`` never.

        Returns:
            DataFrame with columns ``regulator, target, predicted_type, score, p_activation,
            p_repression, p_none, rank, in_prior`` sorted by ``score`` (descending). For very
            large candidate sets use :meth:`write_network`, which streams to disk.
        """
        self.check_fitted()
        idx, p, _, _ = score_candidates(
            self, regulators, targets, top, min_prob, include_self, batch_size,
            self._cfg.progress, client, compile_trees,
        )  # fmt: skip
        return edge_frame(self, idx, p, rank_start=1)

    def write_network(
        self,
        path: str | Path,
        regulators: Any = None,
        targets: Any = None,
        *,
        top: int | None = None,
        min_prob: float | None = None,
        include_self: bool = True,
        batch_size: int = 8192,
        fmt: str | None = None,
        metadata: dict[str, Any] | None = None,
        chunk_rows: int = 200_000,
        client: Any = None,
        compile_trees: str = "auto",
    ) -> dict[str, Any]:
        """Score candidates and write the ranked edge list; return what was selected.

        The returned dict holds ``n_candidates``, ``n_selected`` (rows written),
        ``selection_threshold`` (the lowest score kept) and ``selection_estimate`` (what that
        threshold is worth on the held-out pairs). With ``metadata`` given, the same, merged
        into it, is written to ``<path>.meta.json``. TSV output is streamed in ``chunk_rows``
        pieces into a temporary file that is moved into place when complete; GraphML / BEELINE
        output is built whole (formats for networks you would load into a viewer anyway).
        With a Dask ``client`` the scoring is sharded over its workers; the file is the same.
        ``compile_trees`` as in :meth:`predict_network`.
        """
        from xatgrn.data.edgelist import infer_format, write_edge_list, write_edge_list_chunks

        self.check_fitted()
        idx, p, n_candidates, n_prior = score_candidates(
            self, regulators, targets, top, min_prob, include_self, batch_size,
            self._cfg.progress, client, compile_trees,
        )  # fmt: skip
        # what the selection is worth, at the lowest score it kept
        if min_prob is not None:
            threshold = float(min_prob)
        elif top is not None and len(idx):
            threshold = float(1.0 - p[-1, NONE])
        else:
            threshold = 0.0
        selected = {
            "n_candidates": int(n_candidates),
            "n_selected": len(idx),
            "selection_threshold": threshold,
            "selection_estimate": self.selection_estimate(threshold, int(n_candidates), n_prior),
        }
        meta = None if metadata is None else {**metadata, **selected}
        fmt = infer_format(path, fmt)
        if fmt != "tsv":
            write_edge_list(edge_frame(self, idx, p, 1), path, fmt, metadata=meta)
            return selected
        chunks = (
            edge_frame(self, idx[s : s + chunk_rows], p[s : s + chunk_rows], s + 1)
            for s in range(0, max(len(idx), 1), chunk_rows)
        )
        write_edge_list_chunks(chunks, path, metadata=meta)
        return selected

    # -- selection rules ------------------------------------------------------------------
    def selection(
        self,
        *,
        top: int | None = None,
        min_prob: float | None = None,
        precision: float | None = None,
    ) -> dict[str, Any]:
        """Resolve a selection rule (at most one of ``top`` / ``min_prob`` / ``precision``).

        ``precision`` becomes the lowest score threshold whose held-out typed precision reaches
        it (:func:`xatgrn.core.selection.threshold_for_precision`). Returns the rule as a
        dict with the effective ``min_prob`` (``None`` = no threshold).
        """
        given = [
            k
            for k, v in (("top", top), ("min_prob", min_prob), ("precision", precision))
            if v is not None
        ]
        if len(given) > 1:
            raise input_error(
                f"choose one selection rule, got {given}",
                fix="pass only one of --top-k, --min-prob, --precision",
            )
        if top is not None and top < 1:
            raise input_error(f"top-k must be >= 1, got {top}", fix="pass a positive --top-k")
        if min_prob is not None and not 0.0 <= min_prob <= 1.0:
            raise input_error(f"min-prob {min_prob} is not in [0, 1]", fix="pass e.g. 0.5")
        rule: dict[str, Any] = {"rule": given[0] if given else "all", "top_k": top}
        rule["min_prob"] = min_prob
        if precision is not None:
            curve = getattr(self, "holdout_curve_", None)
            if curve is None:
                raise input_error(
                    "--precision needs the held-out curve, but this model was fitted without held-out pairs",
                    fix="re-fit with --holdout 0.2, or use --top-k / --min-prob",
                )
            rule["precision_target"] = precision
            rule["min_prob"] = threshold_for_precision(curve, precision)
        return rule

    def selection_estimate(
        self, threshold: float, n_candidates: int, n_prior: int | None = None
    ) -> dict[str, Any]:
        """Held-out precision/recall of keeping scores >= ``threshold`` among ``n_candidates``
        (of which ``n_prior`` are prior edges; default: every prior edge)."""
        return selection_estimate(
            getattr(self, "holdout_curve_", None),
            threshold,
            n_candidates,
            len(self.prior_) if n_prior is None else n_prior,
        )
