"""Simple reference baselines: how much do the deep models actually add?

Five methods, each a :class:`~xatgrn.baselines._base.PairBaseline` (same alignment,
preprocessing and pairs as XATGRN) registered in :mod:`xatgrn.evaluate.methods`:

* ``logreg`` — multinomial logistic regression (scikit-learn, standardised features) on
  ``[expression_R, expression_T, pearson, spearman, |pearson|, |spearman|]``;
* ``gbm`` — ``HistGradientBoostingClassifier`` on the same features (seeded, early stopping on
  an internal validation fraction);
* ``correlation`` — no learned representation: a tiny multinomial logistic regression on
  ``[corr, |corr|]`` calibrates "|corr| means an edge, the sign of corr its type";
* ``sign-prior`` — the per-regulator majority-sign shortcut of method.md §4:
  ``P(activation | edge)`` is the regulator's (smoothed) activation share among its readable
  edges, ``P(edge)`` a logistic regression on ``log1p`` out-/in-degrees in the readable graph;
* ``svd-mlp`` — method.md §4's "SVD of the training-fold adjacency + MLP": a rank-32 truncated
  SVD of the readable (signed) adjacency, ``[U_R, V_T, U_T, V_R, expression stats]`` fed to a
  small MLP trained with the shared trainer.

Choices where method.md is silent (documented, configurable in each ``*Config``):

* correlations are computed once per gene: rows are standardised (Spearman: ranked first) and a
  pair's correlation is the mean of the products; constant profiles get correlation 0;
* every fitted classifier weights classes as ``N / N_c`` (``class_weight="balanced"``), like the
  deep models' weighted cross-entropy (eq 27);
* a pair's *own* readable edge never informs its own prediction (degrees and activation shares
  leave it out, exactly like CNNGRN's masking), so training pairs (whose edges are readable) and
  test pairs (whose edges are not, in the inductive protocol) get their features built alike;
* ``svd-mlp`` does the same for its embeddings: ``U sqrt(s)`` and ``V sqrt(s)`` are linear
  projections of a gene's adjacency row / column (``A V / sqrt(s)``, ``A^T U / sqrt(s)``), so
  a pair's four embeddings are recomputed from its rows with ``A[R,T]`` and ``A[T,R]`` removed
  (the basis itself is fitted once on all readable edges). Without it (``mask_own=False``,
  method.md's plain version) training edges are reconstructed by their own embedding and the MLP
  learns a cue test edges lack: E. coli cold, inductive, folds 0/1: AUROC 0.865/0.856 plain vs
  0.900/0.895 masked;
* the SVD is of the *signed* adjacency (+1 activation, -1 repression), so it carries type as
  well as existence (0/1 gave the same AUROC on those folds); rank 32 per side;
* scikit-learn's OpenMP/BLAS pools are limited to torch's thread count for the fit, so the
  runner's ``--threads`` holds for these methods too.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
import torch
from scipy.stats import rankdata
from torch import nn

from xatgrn.baselines._base import PairBaseline
from xatgrn.data.schema import ACTIVATION, NONE
from xatgrn.train import TrainConfig, predict_logits, torch_seed
from xatgrn.utils import resolve_device

log = logging.getLogger(__name__)

__all__ = [
    "CorrelationBaseline",
    "CorrelationConfig",
    "GBMBaseline",
    "GBMConfig",
    "LogRegBaseline",
    "LogRegConfig",
    "SVDMLPBaseline",
    "SVDMLPConfig",
    "SignPriorBaseline",
    "SignPriorConfig",
    "correlation_features",
    "edge_lookup",
    "standardize_rows",
]

_BATCH = 1 << 16


# --- shared helpers -----------------------------------------------------------------------------


def standardize_rows(x: np.ndarray) -> np.ndarray:
    """Each row to mean 0 and population sd 1 (float32); constant rows become all zeros.

    With rows standardised, the Pearson correlation of two rows is the mean of their product.
    """
    x = np.asarray(x, dtype=np.float64)
    c = x - x.mean(axis=1, keepdims=True)
    sd = np.sqrt((c * c).mean(axis=1, keepdims=True))
    tiny = 1e-12 * max(1.0, float(np.abs(x).max(initial=0.0)))
    z = np.divide(c, sd, out=np.zeros_like(c), where=sd > tiny)
    return z.astype(np.float32)


def correlation_features(
    z_pearson: np.ndarray, z_spearman: np.ndarray, reg: np.ndarray, tgt: np.ndarray
) -> np.ndarray:
    """``(n, 4)``: Pearson, Spearman, |Pearson|, |Spearman| of the pairs' standardised rows.

    ``z_pearson`` / ``z_spearman`` come from :func:`standardize_rows` of the expression and of
    its row ranks; computed in batches (memory bounded for genome-wide pair sets).
    """
    n_samples = z_pearson.shape[1]
    out = np.empty((len(reg), 4), dtype=np.float32)
    for s in range(0, len(reg), _BATCH):
        r, t = reg[s : s + _BATCH], tgt[s : s + _BATCH]
        p = np.einsum("ij,ij->i", z_pearson[r], z_pearson[t]) / n_samples
        q = np.einsum("ij,ij->i", z_spearman[r], z_spearman[t]) / n_samples
        out[s : s + _BATCH] = np.stack([p, q, np.abs(p), np.abs(q)], axis=1)
    return out


def edge_lookup(edges: pd.DataFrame, n_genes: int, reg: np.ndarray, tgt: np.ndarray) -> np.ndarray:
    """Label of the readable edge ``(reg, tgt)`` for every pair, ``-1`` where there is none."""
    e = edges.drop_duplicates(["reg_idx", "tgt_idx"])
    keys = e["reg_idx"].to_numpy(np.int64) * n_genes + e["tgt_idx"].to_numpy(np.int64)
    order = np.argsort(keys, kind="stable")
    keys, labels = keys[order], e["label"].to_numpy(np.int64)[order]
    q = np.asarray(reg, np.int64) * n_genes + np.asarray(tgt, np.int64)
    pos = np.clip(np.searchsorted(keys, q), 0, max(len(keys) - 1, 0))
    hit = (keys[pos] == q) if len(keys) else np.zeros(len(q), dtype=bool)
    return np.where(hit, labels[pos] if len(keys) else -1, -1)


def _thread_limit() -> Any:
    """Limit scikit-learn's native thread pools to torch's thread count (the runner's --threads)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=max(1, torch.get_num_threads()))


def _full_proba(p: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Scatter a classifier's ``predict_proba`` columns into the 3 classes (absent ones get 0)."""
    out = np.zeros((p.shape[0], 3), dtype=np.float64)
    out[:, np.asarray(classes, dtype=np.int64)] = p
    return out


class _ExpressionFeatures(PairBaseline):
    """Correlation tables computed once per gene, and the per-pair expression features."""

    def _prepare_correlations(self) -> None:
        x = self.expression_.to_numpy(dtype=np.float64)
        self.z_pearson_ = standardize_rows(x)
        self.z_spearman_ = standardize_rows(rankdata(x, axis=1))

    def _corr(self, reg: np.ndarray, tgt: np.ndarray) -> np.ndarray:
        return correlation_features(self.z_pearson_, self.z_spearman_, reg, tgt)

    def _pair_features(self, reg: np.ndarray, tgt: np.ndarray) -> np.ndarray:
        """``[expression_R, expression_T, pearson, spearman, |pearson|, |spearman|]``."""
        x = self.expression_.to_numpy(dtype=np.float32)
        return np.concatenate([x[reg], x[tgt], self._corr(reg, tgt)], axis=1)


# --- logreg / gbm / correlation -----------------------------------------------------------------


@dataclass
class LogRegConfig:
    """Logistic regression (lbfgs, multinomial) on standardised pair features.

    ``C`` is scikit-learn's default; ``class_weight="balanced"`` mirrors eq 27.
    """

    C: float = 1.0
    max_iter: int = 2000
    class_weight: str | None = "balanced"


@dataclass
class GBMConfig:
    """Histogram gradient boosting; scikit-learn defaults except a larger ``max_iter`` budget
    (early stopping on ``validation_fraction`` of the training pairs decides the rounds)."""

    learning_rate: float = 0.1
    max_iter: int = 500
    max_leaf_nodes: int = 31
    min_samples_leaf: int = 20
    l2_regularization: float = 0.0
    validation_fraction: float = 0.1
    n_iter_no_change: int = 10
    class_weight: str | None = "balanced"


@dataclass
class CorrelationConfig:
    """Calibration of one correlation (``kind``) into the three classes."""

    kind: Literal["pearson", "spearman"] = "pearson"
    class_weight: str | None = "balanced"


class _SklearnPairBaseline(_ExpressionFeatures):
    """Fit a scikit-learn classifier on ``self._features`` of the training pairs."""

    params_type: type = LogRegConfig

    def _features(self, reg: np.ndarray, tgt: np.ndarray) -> np.ndarray:
        return self._pair_features(reg, tgt)

    def _estimator(self) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def _fit(self, train_rows: np.ndarray) -> None:
        self._prepare_correlations()
        x = self._features(self.reg_[train_rows], self.tgt_[train_rows])
        y = self.labels_[train_rows]
        with _thread_limit():
            self.model_ = self._estimator().fit(x, y)

    def _proba(self, reg: np.ndarray, tgt: np.ndarray) -> np.ndarray:
        with _thread_limit():
            p = self.model_.predict_proba(self._features(reg, tgt))
        return _full_proba(p, self.model_.classes_)


class LogRegBaseline(_SklearnPairBaseline):
    """``logreg``: multinomial logistic regression on expression + correlation features."""

    name = "logreg"
    params_type = LogRegConfig

    def _estimator(self) -> Any:
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        p: LogRegConfig = self._params
        clf = LogisticRegression(C=p.C, max_iter=p.max_iter, class_weight=p.class_weight)
        return make_pipeline(StandardScaler(), clf)


class GBMBaseline(_SklearnPairBaseline):
    """``gbm``: histogram gradient boosting on expression + correlation features."""

    name = "gbm"
    params_type = GBMConfig

    def _gbm_params(self) -> GBMConfig:
        return self._params

    def _estimator(self) -> Any:
        from sklearn.ensemble import HistGradientBoostingClassifier

        p: GBMConfig = self._gbm_params()
        return HistGradientBoostingClassifier(
            learning_rate=p.learning_rate,
            max_iter=p.max_iter,
            max_leaf_nodes=p.max_leaf_nodes,
            min_samples_leaf=p.min_samples_leaf,
            l2_regularization=p.l2_regularization,
            early_stopping=True,
            validation_fraction=p.validation_fraction,
            n_iter_no_change=p.n_iter_no_change,
            class_weight=p.class_weight,
            random_state=self.seeds_["train"] % (2**32 - 1),
        )


class CorrelationBaseline(_SklearnPairBaseline):
    """``correlation``: P(edge) from |corr|, the type from corr's sign, calibrated by a tiny
    multinomial logistic regression on ``[corr, |corr|]`` of the training pairs."""

    name = "correlation"
    params_type = CorrelationConfig

    def _features(self, reg: np.ndarray, tgt: np.ndarray) -> np.ndarray:
        c = self._corr(reg, tgt)
        col = 0 if self._params.kind == "pearson" else 1
        return np.stack([c[:, col], c[:, col + 2]], axis=1)

    def _estimator(self) -> Any:
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(max_iter=1000, class_weight=self._params.class_weight)


# --- sign-prior ---------------------------------------------------------------------------------


@dataclass
class SignPriorConfig:
    """The per-regulator majority-sign shortcut.

    Args:
        smoothing: pseudo-edges at the global activation share added to every regulator
            (unseen regulators get the global share).
        class_weight: of the edge-vs-none logistic regression on log1p degrees.
    """

    smoothing: float = 1.0
    class_weight: str | None = "balanced"


class SignPriorBaseline(PairBaseline):
    """``sign-prior``: regulator's activation share x P(edge | degrees), from readable edges.

    ``P = [1 - P(edge), P(edge) (1 - share), P(edge) share]``. A pair's own readable edge is
    left out of its degrees and share (see the module doc).
    """

    name = "sign-prior"
    params_type = SignPriorConfig

    def _fit(self, train_rows: np.ndarray) -> None:
        from sklearn.linear_model import LogisticRegression

        n = len(self.genes_)
        e = self.edges_.drop_duplicates(["reg_idx", "tgt_idx"])
        r, t = e["reg_idx"].to_numpy(np.int64), e["tgt_idx"].to_numpy(np.int64)
        act = (e["label"].to_numpy() == ACTIVATION).astype(np.float64)
        self.out_degree_ = np.bincount(r, minlength=n).astype(np.float64)
        self.in_degree_ = np.bincount(t, minlength=n).astype(np.float64)
        self.activations_ = np.bincount(r, weights=act, minlength=n)
        self.global_share_ = float(act.mean()) if len(act) else 0.5
        x = self._degree_features(self.reg_[train_rows], self.tgt_[train_rows])[0]
        y = (self.labels_[train_rows] != NONE).astype(np.int64)
        with _thread_limit():
            self.edge_model_ = LogisticRegression(class_weight=self._params.class_weight).fit(x, y)

    def _degree_features(self, reg: np.ndarray, tgt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``log1p`` degrees and the smoothed activation share, each pair's own edge left out."""
        own = edge_lookup(self.edges_, len(self.genes_), reg, tgt)
        has = (own >= 0).astype(np.float64)
        own_act = (own == ACTIVATION).astype(np.float64)
        out = self.out_degree_[reg] - has
        inn = self.in_degree_[tgt] - has
        a = self._params.smoothing
        num = self.activations_[reg] - own_act + a * self.global_share_
        # unseen regulators (no readable edge besides the pair's own) get the global share
        share = np.divide(
            num, out + a, out=np.full(len(num), self.global_share_), where=out + a > 0
        )
        return np.stack([np.log1p(out), np.log1p(inn)], axis=1), share

    def activation_share(self, reg: np.ndarray, tgt: np.ndarray) -> np.ndarray:
        """``P(activation | edge)`` of gene positions ``reg -> tgt`` (own edge left out)."""
        return self._degree_features(np.asarray(reg), np.asarray(tgt))[1]

    def _proba(self, reg: np.ndarray, tgt: np.ndarray) -> np.ndarray:
        x, share = self._degree_features(reg, tgt)
        pe = _full_proba(self.edge_model_.predict_proba(x), self.edge_model_.classes_)[:, 1]
        return np.stack([1.0 - pe, pe * (1.0 - share), pe * share], axis=1)


# --- svd-mlp ------------------------------------------------------------------------------------


@dataclass
class SVDMLPConfig:
    """SVD of the readable adjacency + MLP (method.md §4's reference point).

    Args:
        dim: SVD rank per side (capped at ``n_genes - 1``).
        signed: SVD of the signed adjacency (+1 activation, -1 repression) instead of 0/1.
        mask_own: remove the pair's own entries from its embeddings (see ``_embeddings``);
            ``False`` is method.md's plain version (training pairs see their own edge).
        hidden: MLP hidden widths.
        dropout: after each hidden layer.
        train: the shared trainer's settings (its seed, device and progress come from the
            ``FitConfig``).
    """

    dim: int = 32
    signed: bool = True
    mask_own: bool = True
    hidden: tuple[int, ...] = (64, 32)
    dropout: float = 0.2
    train: TrainConfig = field(default_factory=lambda: TrainConfig(epochs=80, patience=20))


def _mlp(n_in: int, hidden: tuple[int, ...], dropout: float, n_out: int = 3) -> nn.Sequential:
    layers: list[nn.Module] = []
    for h in hidden:
        layers += [nn.Linear(n_in, h), nn.ReLU(), nn.Dropout(dropout)]
        n_in = h
    layers.append(nn.Linear(n_in, n_out))
    return nn.Sequential(*layers)


class SVDMLPBaseline(_ExpressionFeatures):
    """``svd-mlp``: ``[U_R, V_T, U_T, V_R, mean/sd of R and T, correlations]`` -> MLP."""

    name = "svd-mlp"
    params_type = SVDMLPConfig

    def _embed(self) -> None:
        """Left/right factors ``U sqrt(s)``, ``V sqrt(s)`` of the readable adjacency."""
        from scipy.sparse import csr_matrix
        from sklearn.decomposition import TruncatedSVD

        n = len(self.genes_)
        p = self._params
        e = self.edges_.drop_duplicates(["reg_idx", "tgt_idx"])
        val = np.ones(len(e))
        if p.signed:
            val = np.where(e["label"].to_numpy() == ACTIVATION, 1.0, -1.0)
        a = csr_matrix((val, (e["reg_idx"], e["tgt_idx"])), shape=(n, n))
        dim = max(1, min(p.dim, n - 1))
        svd = TruncatedSVD(dim, algorithm="randomized", random_state=self.seeds_["graph"] % 2**32)
        with _thread_limit():
            us = svd.fit_transform(a)  # U * s
        root = np.sqrt(np.maximum(svd.singular_values_, 0.0))
        inv = np.divide(1.0, root, out=np.zeros_like(root), where=root > 0)
        # both sides as linear projections of the gene's row / column, so that removing one
        # entry subtracts exactly its share: U sqrt(s) = A (V / sqrt(s)), V sqrt(s) ~ A^T (U / sqrt(s))
        self.left_basis_ = (svd.components_.T * inv).astype(np.float32)  # V / sqrt(s)
        self.right_basis_ = (us * inv**3).astype(np.float32)  # U / sqrt(s)
        self.left_ = np.asarray(a @ self.left_basis_, dtype=np.float32)
        self.right_ = np.asarray(a.T @ self.right_basis_, dtype=np.float32)
        x = self.expression_.to_numpy(dtype=np.float64)
        self.stats_ = np.stack([x.mean(1), x.std(1)], axis=1).astype(np.float32)

    def _own_value(self, reg: np.ndarray, tgt: np.ndarray) -> np.ndarray:
        """Adjacency value of the readable edge ``reg -> tgt`` (0 where there is none)."""
        label = edge_lookup(self.edges_, len(self.genes_), reg, tgt)
        val = (label >= 0).astype(np.float32)
        if self._params.signed:
            val *= np.where(label == ACTIVATION, 1.0, -1.0).astype(np.float32)
        return val[:, None]

    def _embeddings(self, reg: np.ndarray, tgt: np.ndarray) -> list[np.ndarray]:
        """``U_R, V_T, U_T, V_R``; with ``mask_own`` each is the projection of the gene's row /
        column with the pair's own entries ``A[R,T]``, ``A[T,R]`` removed (exact fold-in:
        ``U sqrt(s) = A V / sqrt(s)``, so removing an entry subtracts its share)."""
        u_r, v_t = self.left_[reg], self.right_[tgt]
        u_t, v_r = self.left_[tgt], self.right_[reg]
        if not self._params.mask_own:
            return [u_r, v_t, u_t, v_r]
        rt, tr = self._own_value(reg, tgt), self._own_value(tgt, reg)
        return [
            u_r - rt * self.left_basis_[tgt],
            v_t - rt * self.right_basis_[reg],
            u_t - tr * self.left_basis_[reg],
            v_r - tr * self.right_basis_[tgt],
        ]

    def _raw_features(self, reg: np.ndarray, tgt: np.ndarray) -> np.ndarray:
        return np.concatenate(
            [
                *self._embeddings(reg, tgt),
                self.stats_[reg],
                self.stats_[tgt],
                self._corr(reg, tgt),
            ],
            axis=1,
        )

    def _features(self, reg: np.ndarray, tgt: np.ndarray) -> np.ndarray:
        """Pair features standardised with the training pairs' mean and sd."""
        return (self._raw_features(reg, tgt) - self.mean_) / self.scale_

    def _fit(self, train_rows: np.ndarray) -> None:
        self._prepare_correlations()
        self._embed()
        f = self._raw_features(self.reg_, self.tgt_)
        self.mean_ = f[train_rows].mean(0)
        sd = f[train_rows].std(0)
        self.scale_ = np.where(sd > 1e-8, sd, 1.0).astype(np.float32)
        p = self._params
        device = resolve_device(self._cfg.device)
        x = torch.as_tensor(self._features(self.reg_, self.tgt_), dtype=torch.float32).to(device)
        with torch_seed(self.seeds_["train"]):
            self.net_ = _mlp(x.shape[1], tuple(p.hidden), p.dropout)

        def forward(rows: torch.Tensor) -> torch.Tensor:
            return self.net_(x[rows.to(device)])

        self.net_ = self.train_net(self.net_, forward, train_rows, p.train).cpu()

    def _proba(self, reg: np.ndarray, tgt: np.ndarray) -> np.ndarray:
        x = torch.as_tensor(self._features(reg, tgt), dtype=torch.float32)
        logits = predict_logits(
            lambda rows: self.net_(x[rows]), np.arange(len(reg)), 8192, self.net_
        )
        return torch.softmax(logits, 1).numpy()
