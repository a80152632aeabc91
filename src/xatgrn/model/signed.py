"""The default model: XATGRN with signed graph evidence, cross-fitted, and a boosted head.

Same family as the paper's model — a graph embedding of the prior network plus a fusion of the
two genes' expression profiles, into a prediction head — rebuilt from what the leak-free
benchmark showed (README "Cross-validation", issue 17):

* the graph part is **signed**: a rank-d SVD of the signed adjacency and the eigenvectors of
  the signed Hermitian adjacency, whose phase carries the direction *and* the sign of an edge
  (the paper's DUPLEX embedding sees directions only), plus per-gene evidence of the readable
  edges (degrees, activation shares) and guilt by association (a gene's profile against the
  centroid of its known partners') — :mod:`xatgrn.model.evidence`;
* the expression part fuses the two profiles into principal-axis tokens of each gene and their
  global and per-sample-block correlations;
* the head is gradient-boosted trees (LightGBM; saved as its text format, never pickled).

**Cross-fitting.** A training pair whose own edge is readable would see that edge in its
features, and a test pair never does: the head would learn a cue test pairs lack (the reason the
paper's model memorises embeddings). So the training pairs are split into ``crossfit_folds``
inner folds, and each pair's features come from the readable edges *minus those of its inner
fold* (degrees rescaled by ``|E| / |E_k|``); test pairs read every readable edge. (Leaving out
just the pair's own edge is worse: a training edge's regulator then looks one edge poorer than a
non-edge's, and the trees read the label from that.)
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from xatgrn.core.contract import Estimator, Settings, child_seeds
from xatgrn.core.evidence import (
    BLOCKS,
    ExpressionTables,
    PriorEvidence,
    block_names,
    crossfit_parts,
)
from xatgrn.data.pairs import labelled_pairs, negative_count, training_edges
from xatgrn.errors import input_error
from xatgrn.model.booster import BoosterConfig, train_booster
from xatgrn.model.compiled_trees import CompiledBoosters, compiled_boosters
from xatgrn.model.scoring import NetworkPredictor
from xatgrn.utils import current_threads

log = logging.getLogger(__name__)

__all__ = ["BoosterConfig", "SignedConfig", "SignedXATGRN"]


class _OneBlasThread(contextlib.ContextDecorator):
    """The features' linear algebra (SVD, eigenvectors, projections) on one BLAS thread.

    OpenBLAS splits sums differently with more threads, which moved the demo's held-out AUROC
    from 0.997 (``OMP_NUM_THREADS=1``) to 0.996 (2): with one thread the same seed gives the same
    model on every machine. The matrices are small (genes x rank); the trees use every thread.
    """

    def _recreate_cm(self) -> _OneBlasThread:  # a fresh limit per decorated call
        return type(self)()

    def __enter__(self) -> _OneBlasThread:
        from threadpoolctl import threadpool_limits

        self._limits = threadpool_limits(limits=1, user_api="blas")
        return self

    def __exit__(self, *exc: object) -> None:
        self._limits.restore_original_limits()


@dataclass
class SignedConfig(Settings):
    """Settings of :class:`SignedXATGRN` (the shared ones: :class:`~xatgrn.core.contract.Settings`).

    Args:
        blocks: feature blocks in use (:data:`xatgrn.model.evidence.BLOCKS`); the ablation
            switches them off one at a time.
        crossfit_folds: inner folds of the cross-fitting (>= 2).
        rank: rank of the signed SVD and of the Hermitian eigen-embedding.
        tokens: principal-axis tokens per gene profile.
        smoothing: pseudo-edges at the global activation share in the activation shares.
        ensemble: boosters averaged, each with its own inner folds and seed (stabler rankings).
        bags: members of the model ``fit`` keeps (refitted on every labelled pair after the
            held-out evaluation), each with its own sample of non-edges; averaged. ``0``: keep
            the one model fitted as in cross-validation (on the non-held-out pairs).
        bag_booster: the members' boosters: fast ones (few rounds at a high learning rate) —
            on human_breast's held-out pairs 8 of them averaged beat one slow booster (AUROC
            0.937 vs 0.934) with fewer trees to evaluate per pair (1,350 vs 1,491).
        bag_negative_factor: each member draws this many times the fit's non-edges (capped
            at half of the non-edge pool). More non-edges per member steady the ranking of
            novel edges: on human_breast, with 8 members, the top-8,772 novel edges of 3 seeds
            overlap with Jaccard 0.54-0.55 at 1x, 0.60-0.61 at 3x and 0.65-0.67 at 5x
            (3 seeds each; the committed measurement: ``benchmarks/case_study_breast.py``).
        unseen_regulators: share of the training pairs added again as a regulator without
            readable edges would see them (see ``_unseen_regulator_rows``).
        booster: the head.
    """

    blocks: tuple[str, ...] = BLOCKS
    crossfit_folds: int = 5
    rank: int = 32
    tokens: int = 16
    smoothing: float = 1.0
    ensemble: int = 1
    bags: int = 8
    unseen_regulators: float = 0.3
    booster: BoosterConfig = field(default_factory=BoosterConfig)
    bag_booster: BoosterConfig = field(
        default_factory=lambda: BoosterConfig(learning_rate=0.3, max_rounds=60)
    )
    bag_negative_factor: float = 5.0

    #: settings that ``fit`` alone uses (not ``fit_pairs``): they do not enter CV task keys
    FIT_ONLY: ClassVar[tuple[str, ...]] = ("bags", "bag_booster", "bag_negative_factor")

    def __post_init__(self) -> None:
        self.blocks = tuple(self.blocks)
        unknown = [b for b in self.blocks if b not in BLOCKS]
        if unknown or not self.blocks:
            raise input_error(
                f"unknown or no feature blocks {unknown or list(self.blocks)}",
                fix=f"use a non-empty subset of {list(BLOCKS)}",
            )
        if self.bags < 0:
            raise input_error(
                f"bags ({self.bags}) must be >= 0", fix="use e.g. bags=8 (0: one model)"
            )
        if self.crossfit_folds < 2 or self.ensemble < 1:
            raise input_error(
                f"crossfit_folds ({self.crossfit_folds}) must be >= 2 and ensemble "
                f"({self.ensemble}) >= 1",
                fix="use e.g. crossfit_folds=5, ensemble=1",
            )

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SignedConfig:
        data = dict(data)
        for key in ("booster", "bag_booster"):
            if isinstance(data.get(key), dict):
                data[key] = BoosterConfig(**data[key])
        return cls(**data)


class SignedXATGRN(NetworkPredictor, Estimator):
    """Typed GRN classifier: signed graph evidence + expression fusion + boosted trees.

    Fitted attributes (besides the contract's): ``tables_`` (expression tables),
    ``evidence_`` (the readable edges' tables, used for every prediction), ``boosters_``
    (LightGBM boosters), ``feature_names_``, ``best_rounds_``.
    """

    name: ClassVar[str] = "xatgrn"
    fit_hint: ClassVar[str] = "call fit() or load a saved model"

    def __init__(self, config: SignedConfig | None = None) -> None:
        super().__init__(config)

    @classmethod
    def default_config(cls) -> SignedConfig:
        return SignedConfig()

    def get_params(self) -> dict[str, Any]:
        return {"config": self.config}

    @classmethod
    def config_from(cls, settings: Settings, **overrides: Any) -> SignedConfig:
        """A :class:`SignedConfig` with the shared ``settings`` (e.g. a run's ``FitConfig``:
        seed, device, preprocessing, negatives, holdout) and ``overrides`` of its own fields."""
        shared = {f.name: getattr(settings, f.name) for f in dataclasses.fields(Settings)}
        return SignedConfig(**shared, **overrides)

    # -- features ---------------------------------------------------------------------------
    def _features(self, evidence: PriorEvidence, reg: np.ndarray, tgt: np.ndarray) -> np.ndarray:
        blocks = self._cfg.blocks
        parts = []
        for block in BLOCKS:
            if block not in blocks:
                continue
            if block == "fusion":
                parts.append(self.tables_.features(reg, tgt))
            elif block == "prior":
                parts.append(evidence.prior_features(reg, tgt))
            elif block == "neighbour":
                parts.append(evidence.neighbour_features(self.tables_.z, reg, tgt))
            else:
                parts.append(evidence.graph_features(reg, tgt))
        return np.concatenate(parts, axis=1)

    def _evidence(self, er: np.ndarray, et: np.ndarray, el: np.ndarray, scale: float = 1.0):
        cfg = self._cfg
        return PriorEvidence(
            len(self.genes_),
            er,
            et,
            el,
            self.tables_.z,
            scale=scale,
            rank=cfg.rank,
            smoothing=cfg.smoothing,
            seed=self.seeds_["graph"] % 2**32,
        )

    # -- fitting ----------------------------------------------------------------------------
    def fit(self, expression: Any, regulations: Any = None) -> SignedXATGRN:
        """Learn from an expression table (genes x samples) and a typed prior network.

        With ``holdout > 0`` a model fitted on the other pairs reports on a stratified held-out
        share (:attr:`holdout_metrics_`, :attr:`holdout_curve_`: what the selection rules are
        worth). The model kept is then fitted on *every* labelled pair, as ``bags`` members
        that each draw their own non-edges and average: which few of the millions of non-edges
        happen to be sampled otherwise moves the ranking of novel edges from seed to seed.
        """
        t0 = time.perf_counter()
        cfg = self._cfg
        data = self._validated(expression, regulations)
        if cfg.bags == 0 or cfg.holdout > 0:
            super().fit(data)  # the model kept (bags=0), or the held-out model's metrics
        if cfg.bags == 0:
            return self
        if cfg.holdout <= 0:  # no held-out model to fit: only the data attributes
            self._set_data(data)
            self.holdout_metrics_, self.holdout_curve_ = {}, None
        heads: list[tuple[list, list]] = []
        n_negatives = self._bag_negatives(data)
        for bag in range(cfg.bags):
            seed = int(np.random.SeedSequence([cfg.seed, 0xBA6, bag]).generate_state(1)[0])
            pairs = labelled_pairs(
                data.prior,
                data.genes,
                n_negatives=n_negatives,
                seed=seed,
                negatives_from=cfg.negatives_from,
            )
            rows = np.arange(len(pairs))
            self.seeds_ = {**child_seeds(cfg.seed), "train": seed}
            self._fit_members(pairs, rows, training_edges(pairs, rows), cfg.bag_booster)
            heads.append((self.boosters_, self.best_rounds_))
            if cfg.holdout <= 0 and bag == 0:
                self.pairs_ = pairs.assign(split="train")
        self.seeds_ = child_seeds(cfg.seed)
        self.boosters_ = [b for h in heads for b in h[0]]
        self.best_rounds_ = [r for h in heads for r in h[1]]
        self.fit_seconds_ = time.perf_counter() - t0  # the held-out fit and the members
        return self

    def _bag_negatives(self, data: Any) -> int:
        """Non-edges per member: ``bag_negative_factor`` times the fit's, at most half the pool."""
        cfg = self._cfg
        n_edges = len(data.prior)
        base = negative_count(n_edges, cfg.n_negatives, cfg.neg_ratio)
        n = len(data.genes)
        sources = data.prior["regulator"].nunique() if cfg.negatives_from == "regulators" else n
        pool = sources * (n - 1) - n_edges
        return int(min(round(base * cfg.bag_negative_factor), max(base, pool // 2)))

    def _fit_pairs(
        self,
        pairs: pd.DataFrame,
        train_rows: np.ndarray,
        graph_edges: pd.DataFrame,
        graph: np.ndarray | None,
    ) -> None:
        self._fit_members(pairs, train_rows, graph_edges, self._cfg.booster)

    @_OneBlasThread()
    def _fit_members(
        self,
        pairs: pd.DataFrame,
        train_rows: np.ndarray,
        graph_edges: pd.DataFrame,
        booster_config: BoosterConfig,
    ) -> None:
        """Tables, readable evidence, cross-fitted features and ``ensemble`` boosters."""
        cfg = self._cfg
        if "label" not in graph_edges:
            raise input_error(
                "the readable edges carry no type (label)", fix="pass typed graph_edges"
            )
        n = len(self.genes_)
        self.tables_ = ExpressionTables.build(self.expression_.to_numpy(), cfg.tokens)
        reg = self.positions(pairs["regulator"], "regulator")
        tgt = self.positions(pairs["target"], "target")
        labels = pairs["label"].to_numpy().astype(np.int64)
        er = self.positions(graph_edges["regulator"], "regulator")
        et = self.positions(graph_edges["target"], "target")
        el = graph_edges["label"].to_numpy().astype(np.int64)
        self.evidence_ = self._evidence(er, et, el)
        self.feature_names_ = [
            name for b in BLOCKS if b in cfg.blocks for name in block_names(b, self.tables_)
        ]
        edge_keys = er * n + et
        pair_keys = reg.astype(np.int64) * n + tgt
        rows = np.asarray(train_rows, dtype=np.int64)
        self.boosters_, self.best_rounds_ = [], []
        for member in range(cfg.ensemble):
            rng = np.random.default_rng([self.seeds_["train"], member])
            x = np.empty((len(rows), len(self.feature_names_)), dtype=np.float32)
            parts = crossfit_parts(labels, rows, pair_keys, edge_keys, cfg.crossfit_folds, rng)
            for mask, keep, scale in parts:
                evidence = self._evidence(er[keep], et[keep], el[keep], scale)
                x[mask] = self._features(evidence, reg[rows[mask]], tgt[rows[mask]])
            y = labels[rows]
            if cfg.unseen_regulators > 0:
                extra = self._unseen_regulator_rows(rows, reg, tgt, labels, (er, et, el), rng)
                x, y = np.concatenate([x, extra[0]]), np.concatenate([y, extra[1]])
            booster, rounds = train_booster(x, y, rng, booster_config)
            self.boosters_.append(booster)
            self.best_rounds_.append(rounds)
        log.info("%s: boosters stopped at %s rounds", self.name, self.best_rounds_)

    def _unseen_regulator_rows(
        self,
        rows: np.ndarray,
        reg: np.ndarray,
        tgt: np.ndarray,
        labels: np.ndarray,
        edges: tuple[np.ndarray, np.ndarray, np.ndarray],
        rng: np.random.Generator,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Extra training rows: pairs as a regulator with no readable edge would see them.

        A share (``unseen_regulators``) of the training pairs is featurised again with the
        regulators split into inner folds: a pair's features then come from edges of *other*
        regulators only. Without them every training pair with an edge has a regulator the head
        knows, and it learns to call every pair of a regulator without readable edges "none" —
        the whole network of a regulator new to the prior (tf-disjoint folds: below chance).
        A second head for such regulators alone was tried and dropped: it cannot tell a new
        regulator from a gene that regulates nothing, and edge-random folds lost 0.01-0.02.
        """
        cfg = self._cfg
        er, et, el = edges
        pick = rows[rng.random(len(rows)) < cfg.unseen_regulators]
        regulators = np.unique(reg[pick])
        group_of = np.full(len(self.genes_), -1, dtype=np.int64)  # inner fold of a regulator
        group_of[regulators] = rng.integers(0, cfg.crossfit_folds, len(regulators))
        g = group_of[reg[pick]]
        edge_group = group_of[er]
        x = np.empty((len(pick), len(self.feature_names_)), dtype=np.float32)
        for k in range(cfg.crossfit_folds):
            mask = g == k
            if not mask.any():
                continue
            keep = edge_group != k
            scale = len(er) / max(int(keep.sum()), 1)
            evidence = self._evidence(er[keep], et[keep], el[keep], scale)
            x[mask] = self._features(evidence, reg[pick[mask]], tgt[pick[mask]])
        return x, labels[pick]

    # -- prediction -------------------------------------------------------------------------
    def _is_fitted(self) -> bool:
        return hasattr(self, "boosters_")

    def _proba(
        self,
        reg: np.ndarray,
        tgt: np.ndarray,
        batch_size: int = 65536,
        compiled: CompiledBoosters | None = None,
    ) -> np.ndarray:
        """The boosters' average, ``batch_size`` pairs at a time (with ``compiled``: the same
        numbers from their native build)."""
        out = np.empty((len(reg), 3), dtype=np.float64)
        threads = current_threads()
        for s in range(0, len(reg), batch_size):
            with _OneBlasThread():
                x = self._features(self.evidence_, reg[s : s + batch_size], tgt[s : s + batch_size])
            p = None if compiled is None else compiled.probabilities(x)
            if p is None:
                p = np.zeros((len(x), 3))
                for booster, r in zip(self.boosters_, self.best_rounds_, strict=True):
                    p += booster.predict(x, num_iteration=r, num_threads=threads)
            out[s : s + batch_size] = p / len(self.boosters_)
        return out

    def _gene_cache(self, n_pairs: int = 0, compile_trees: str = "auto") -> Any:
        """The boosters compiled to native code, when scoring ``n_pairs`` candidates repays it
        (:func:`~xatgrn.model.compiled_trees.compiled_boosters`); else None (LightGBM). Built
        once per fitted model and process (a Dask worker builds its own)."""
        if compile_trees == "no":
            return None
        cached = getattr(self, "_compiled", None)
        if cached is not None and cached.matches(self.boosters_, self.best_rounds_):
            return None if cached.failed else cached
        compiled = compiled_boosters(
            self.boosters_, self.best_rounds_, n_pairs, compile_trees, current_threads()
        )
        if compiled is not None:
            self._compiled = compiled
        return compiled

    def _proba_idx(self, cache: Any, reg: np.ndarray, tgt: np.ndarray, batch_size: int) -> Any:
        return self._proba(reg, tgt, max(batch_size, 65536), cache)

    def __getstate__(self) -> dict[str, Any]:
        """Pickles (Dask, worker processes) leave the native build behind: it is per process."""
        state = self.__dict__.copy()
        state.pop("_compiled", None)
        return state

    # -- persistence ------------------------------------------------------------------------
    def _state_arrays(self) -> dict[str, np.ndarray]:
        arrays = {"expression": self.expression_.to_numpy(dtype=np.float32)}
        arrays.update(self.tables_.to_arrays())
        arrays.update(self.evidence_.to_arrays())
        arrays["best_rounds"] = np.asarray(self.best_rounds_, dtype=np.int64)
        return arrays

    def _state_files(self) -> dict[str, str]:
        files = {f"booster{i}.txt": b.model_to_string() for i, b in enumerate(self.boosters_)}
        return files

    def _restore_state(self, arrays: dict[str, np.ndarray], directory: Path) -> None:
        import lightgbm as lgb

        self.tables_ = ExpressionTables.from_arrays(arrays)
        self.evidence_ = PriorEvidence.from_arrays(arrays)
        self.best_rounds_ = [int(r) for r in arrays["best_rounds"]]
        self.boosters_ = [
            lgb.Booster(model_str=(directory / f"booster{i}.txt").read_text())
            for i in range(len(self.best_rounds_))
        ]

        self.feature_names_ = [
            name for b in BLOCKS if b in self._cfg.blocks for name in block_names(b, self.tables_)
        ]

    def _metadata_extra(self) -> dict[str, Any]:
        import lightgbm

        return {
            "lightgbm_version": lightgbm.__version__,
            "boosting_rounds": self.best_rounds_,
        }

    def feature_importance(self) -> pd.Series:
        """Total gain of each feature over the boosters (what the head relies on)."""
        gain = sum(
            b.feature_importance("gain", iteration=r)
            for b, r in zip(self.boosters_, self.best_rounds_, strict=True)
        )
        return pd.Series(gain, index=self.feature_names_).sort_values(ascending=False)
