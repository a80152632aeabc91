"""What a pair's prediction may read, as per-gene tables and per-pair features.

Shared by the signed default model and the ``gbm-prior`` baseline. The signed model
(:mod:`xatgrn.model.signed`) scores a pair ``(R, T)`` from four blocks:

* ``prior`` — the readable prior network's per-gene statistics: out-/in-degrees of R and T,
  R's activation share among its targets, T's among its regulators (smoothed toward the global
  share), and whether R has any readable target (``known_regulator``);
* ``neighbour`` — guilt by association: T's profile against the signed and unsigned centroid of
  R's known targets, and R's against the centroid of T's known regulators (correlations of
  standardised rows);
* ``graph`` — a signed graph embedding of the readable network: a rank-d SVD of the signed
  adjacency (+1 activation, -1 repression; R's row against T's column, and the reverse) and the
  leading eigenvectors of the signed Hermitian adjacency ``H[u, v] = s·i`` for ``u -> v``,
  ``H[v, u] = -s·i`` (the phase carries direction *and* sign, DUPLEX's eq 6 with a sign);
  features are the rank-d reconstructions at (R, T) and the amplitudes' agreement;
* ``fusion`` — the two expression profiles fused: each gene's coordinates on the leading principal
  axes of the expression (a linear token of its profile), their Pearson / Spearman correlation
  and its absolute value, and the correlation within each contiguous block of samples (the
  fusion module's tokens), summarised by mean, spread, minimum and maximum.

Everything of the prior comes from one edge set; :class:`PriorEvidence` builds the tables once,
so scoring a pair costs a few dot products. The tables never see an edge outside the set they
were built from, which is what makes cross-fitting (:func:`crossfit_parts`) possible.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.stats import rankdata

from xatgrn.data.schema import ACTIVATION

__all__ = [
    "BLOCKS",
    "ExpressionTables",
    "GeneStatistics",
    "PriorEvidence",
    "block_names",
    "crossfit_parts",
    "standardize_rows",
]

#: the feature blocks, in column order
BLOCKS = ("fusion", "prior", "neighbour", "graph")


def standardize_rows(x: np.ndarray) -> np.ndarray:
    """Rows to mean 0 and population sd 1 (float32); constant rows become zeros.

    With standardised rows, a Pearson correlation is a mean of products.
    """
    x = np.asarray(x, dtype=np.float64)
    c = x - x.mean(axis=1, keepdims=True)
    sd = np.sqrt((c * c).mean(axis=1, keepdims=True))
    tiny = 1e-12 * max(1.0, float(np.abs(x).max(initial=0.0)))
    return np.divide(c, sd, out=np.zeros_like(c), where=sd > tiny).astype(np.float32)


def _block_starts(n_samples: int) -> np.ndarray:
    """Contiguous sample blocks, ceil(sqrt(S)) of them (at least 3 samples each)."""
    n_blocks = max(1, min(math.ceil(math.sqrt(n_samples)), n_samples // 3))
    return np.linspace(0, n_samples, n_blocks + 1).round().astype(int)


@dataclass
class ExpressionTables:
    """Per-gene expression tables the fusion and neighbour blocks read (built once per fit).

    Attributes:
        z: standardised profiles (genes x samples, float32).
        z_rank: standardised ranks (Spearman).
        tokens: coordinates on the leading principal axes (genes x k).
        blocks: per sample block, the profiles standardised within the block.
    """

    z: np.ndarray
    z_rank: np.ndarray
    tokens: np.ndarray
    blocks: list[np.ndarray]

    @classmethod
    def build(cls, expression: np.ndarray, n_tokens: int = 16) -> ExpressionTables:
        """From the preprocessed expression (genes x samples). Uses no label and no edge."""
        x = np.asarray(expression, dtype=np.float64)
        n_genes, n_samples = x.shape
        k = max(1, min(n_tokens, n_samples - 1, n_genes - 1))
        centred = x - x.mean(axis=0, keepdims=True)
        # principal axes of the samples space by SVD (deterministic up to sign; the sign is
        # fixed so that each axis' largest coordinate is positive)
        u, s, _ = np.linalg.svd(centred, full_matrices=False)
        u = u[:, :k] * s[:k]
        u *= np.sign(u[np.abs(u).argmax(axis=0), np.arange(k)])
        starts = _block_starts(n_samples)
        blocks = [standardize_rows(x[:, a:b]) for a, b in itertools.pairwise(starts)]
        return cls(
            z=standardize_rows(x),
            z_rank=standardize_rows(rankdata(x, axis=1)),
            tokens=u.astype(np.float32),
            blocks=blocks,
        )

    def features(self, reg: np.ndarray, tgt: np.ndarray) -> np.ndarray:
        """The fusion block of pairs ``(reg, tgt)`` (gene positions)."""
        n_s = self.z.shape[1]
        pearson = np.einsum("ij,ij->i", self.z[reg], self.z[tgt]) / n_s
        spearman = np.einsum("ij,ij->i", self.z_rank[reg], self.z_rank[tgt]) / n_s
        local = np.stack(
            [np.einsum("ij,ij->i", b[reg], b[tgt]) / b.shape[1] for b in self.blocks], axis=1
        )
        return np.concatenate(
            [
                self.tokens[reg],
                self.tokens[tgt],
                np.stack(
                    [
                        pearson,
                        spearman,
                        np.abs(pearson),
                        np.abs(spearman),
                        local.mean(1),
                        local.std(1),
                        local.min(1),
                        local.max(1),
                    ],
                    axis=1,
                ),
            ],
            axis=1,
        ).astype(np.float32)

    def to_arrays(self, prefix: str = "tables.") -> dict[str, np.ndarray]:
        """The tables as named arrays (for safetensors)."""
        arrays = {f"{prefix}z": self.z, f"{prefix}z_rank": self.z_rank}
        arrays[f"{prefix}tokens"] = self.tokens
        arrays.update({f"{prefix}block{i}": b for i, b in enumerate(self.blocks)})
        return arrays

    @classmethod
    def from_arrays(
        cls, arrays: dict[str, np.ndarray], prefix: str = "tables."
    ) -> ExpressionTables:
        n_blocks = sum(1 for k in arrays if k.startswith(f"{prefix}block"))
        return cls(
            z=arrays[f"{prefix}z"],
            z_rank=arrays[f"{prefix}z_rank"],
            tokens=arrays[f"{prefix}tokens"],
            blocks=[arrays[f"{prefix}block{i}"] for i in range(n_blocks)],
        )

    def names(self) -> list[str]:
        k = self.tokens.shape[1]
        return (
            [f"token{i}_R" for i in range(k)]
            + [f"token{i}_T" for i in range(k)]
            + ["pearson", "spearman", "abs_pearson", "abs_spearman"]
            + ["block_corr_mean", "block_corr_sd", "block_corr_min", "block_corr_max"]
        )


class GeneStatistics:
    """Per-gene statistics of one edge set: degrees and (smoothed) activation shares.

    Args:
        n_genes: size of the gene universe.
        reg, tgt, label: the edges (gene positions; label 2 activation, 1 repression).
        scale: multiplies degrees and counts (cross-fitting: ``|E| / |E_k|``, so a training
            pair's statistics from a subset have the scale of the full set's).
        smoothing: pseudo-edges at the global activation share added to every share.
    """

    def __init__(
        self,
        n_genes: int,
        reg: np.ndarray,
        tgt: np.ndarray,
        label: np.ndarray,
        *,
        scale: float = 1.0,
        smoothing: float = 1.0,
    ) -> None:
        n = n_genes
        act = (np.asarray(label) == ACTIVATION).astype(np.float64)
        self.out = np.bincount(reg, minlength=n) * scale
        self.inn = np.bincount(tgt, minlength=n) * scale
        out_act = np.bincount(reg, weights=act, minlength=n) * scale
        in_act = np.bincount(tgt, weights=act, minlength=n) * scale
        g = float(act.mean()) if len(act) else 0.5
        self.share_out = (out_act + smoothing * g) / (self.out + smoothing)
        self.share_in = (in_act + smoothing * g) / (self.inn + smoothing)

    def prior_features(self, reg: np.ndarray, tgt: np.ndarray) -> np.ndarray:
        """The ``prior`` block: log degrees of R and T, activation shares, known regulator."""
        return np.stack(
            [
                np.log1p(self.out[reg]),
                np.log1p(self.inn[reg]),
                np.log1p(self.out[tgt]),
                np.log1p(self.inn[tgt]),
                self.share_out[reg],
                self.share_in[tgt],
                (self.out[reg] > 0).astype(np.float64),
            ],
            axis=1,
        ).astype(np.float32)


def crossfit_parts(
    labels: np.ndarray,
    rows: np.ndarray,
    pair_keys: np.ndarray,
    edge_keys: np.ndarray,
    n_folds: int,
    rng: np.random.Generator,
):
    """Cross-fitting: per inner fold, the training rows it holds and the edges they may read.

    Yields ``(mask, keep, scale)`` for each of ``n_folds`` stratified inner folds of ``rows``:
    ``mask`` selects the fold's rows (of ``rows``), ``keep`` the readable edges *without* the
    fold's own edges, ``scale = |E| / |E_k|``. ``pair_keys`` / ``edge_keys`` identify pairs and
    edges alike (e.g. ``reg * n + tgt``). A training pair's features then come from edges that
    do not include its own, exactly like a test pair's.
    """
    from xatgrn.data.pairs import stratified_folds
    from xatgrn.data.schema import NONE

    inner = stratified_folds(labels[rows], n_folds, rng)
    for k in range(n_folds):
        mask = inner == k
        part = rows[mask]
        own = pair_keys[part[labels[part] != NONE]]
        keep = ~np.isin(edge_keys, own)
        yield mask, keep, len(edge_keys) / max(int(keep.sum()), 1)


class PriorEvidence(GeneStatistics):
    """Per-gene tables of one edge set: statistics, neighbourhood centroids, signed embedding.

    Args (besides :class:`GeneStatistics`'):
        z: standardised expression rows (for the neighbourhood centroids).
        rank: embedding rank of the signed SVD and of the Hermitian eigenvectors.
        seed: the SVD's starting vector (the only random choice).
    """

    def __init__(
        self,
        n_genes: int,
        reg: np.ndarray,
        tgt: np.ndarray,
        label: np.ndarray,
        z: np.ndarray,
        *,
        scale: float = 1.0,
        rank: int = 32,
        smoothing: float = 1.0,
        seed: int = 0,
    ) -> None:
        n = n_genes
        reg = np.asarray(reg, dtype=np.int64)
        tgt = np.asarray(tgt, dtype=np.int64)
        super().__init__(n, reg, tgt, label, scale=scale, smoothing=smoothing)
        sign = np.where(np.asarray(label) == ACTIVATION, 1.0, -1.0)
        signed = sp.csr_matrix((sign, (reg, tgt)), shape=(n, n))
        plain = sp.csr_matrix((np.ones(len(reg)), (reg, tgt)), shape=(n, n))
        deg_out = np.maximum(np.asarray(plain.sum(1)).ravel(), 1.0)[:, None]
        deg_in = np.maximum(np.asarray(plain.sum(0)).ravel(), 1.0)[:, None]
        self.targets_signed = np.asarray(signed @ z / deg_out, dtype=np.float32)
        self.targets_plain = np.asarray(plain @ z / deg_out, dtype=np.float32)
        self.regulators_signed = np.asarray(signed.T @ z / deg_in, dtype=np.float32)
        self.regulators_plain = np.asarray(plain.T @ z / deg_in, dtype=np.float32)
        self.u, self.v = _signed_svd(signed, rank, seed)
        self.h, self.lam = _hermitian_eig(reg, tgt, sign, n, rank)

    #: the per-gene tables (what prediction reads; what a saved model stores)
    TABLES = (
        "out",
        "inn",
        "share_out",
        "share_in",
        "targets_signed",
        "targets_plain",
        "regulators_signed",
        "regulators_plain",
        "u",
        "v",
        "lam",
    )

    def to_arrays(self, prefix: str = "evidence.") -> dict[str, np.ndarray]:
        """The tables as named real arrays (the complex eigenvectors as two arrays)."""
        arrays = {f"{prefix}{name}": np.asarray(getattr(self, name)) for name in self.TABLES}
        arrays[f"{prefix}h_real"] = np.ascontiguousarray(self.h.real)
        arrays[f"{prefix}h_imag"] = np.ascontiguousarray(self.h.imag)
        return arrays

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], prefix: str = "evidence.") -> PriorEvidence:
        """Rebuild from :meth:`to_arrays` (no recomputation: predictions are bit-identical)."""
        self = cls.__new__(cls)
        for name in cls.TABLES:
            setattr(self, name, arrays[f"{prefix}{name}"])
        self.h = (arrays[f"{prefix}h_real"] + 1j * arrays[f"{prefix}h_imag"]).astype(np.complex64)
        return self

    def neighbour_features(self, z: np.ndarray, reg: np.ndarray, tgt: np.ndarray) -> np.ndarray:
        n_s = z.shape[1]

        def dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            return np.einsum("ij,ij->i", a, b) / n_s

        return np.stack(
            [
                dot(self.targets_signed[reg], z[tgt]),
                dot(self.targets_plain[reg], z[tgt]),
                dot(self.regulators_signed[tgt], z[reg]),
                dot(self.regulators_plain[tgt], z[reg]),
            ],
            axis=1,
        ).astype(np.float32)

    def graph_features(self, reg: np.ndarray, tgt: np.ndarray) -> np.ndarray:
        u, v = self.u, self.v
        rec = np.einsum("ij,ij,j->i", self.h[reg], np.conj(self.h[tgt]), self.lam)
        # |sum_k |lambda_k| h_Rk conj(h_Tk)|: how alike the two genes' positions are, whatever
        # the basis chosen inside a repeated eigenvalue
        amp = np.abs(np.einsum("ij,ij,j->i", self.h[reg], np.conj(self.h[tgt]), np.abs(self.lam)))
        return np.stack(
            [
                np.einsum("ij,ij->i", u[reg], v[tgt]),
                np.einsum("ij,ij->i", u[tgt], v[reg]),
                np.einsum("ij,ij->i", u[reg], u[tgt]),
                np.einsum("ij,ij->i", v[reg], v[tgt]),
                rec.real,
                rec.imag,
                np.abs(rec),
                amp,
            ],
            axis=1,
        ).astype(np.float32)


PRIOR_NAMES = [
    "log_out_R",
    "log_in_R",
    "log_out_T",
    "log_in_T",
    "activation_share_R",
    "activation_share_T",
    "known_regulator",
]
NEIGHBOUR_NAMES = [
    "T_vs_R_targets_signed",
    "T_vs_R_targets",
    "R_vs_T_regulators_signed",
    "R_vs_T_regulators",
]
GRAPH_NAMES = [
    "svd_R_to_T",
    "svd_T_to_R",
    "svd_source_similarity",
    "svd_target_similarity",
    "hermitian_real",
    "hermitian_imag",
    "hermitian_abs",
    "amplitude_similarity",
]


def block_names(block: str, expression: ExpressionTables | None = None) -> list[str]:
    """Feature names of one block (``fusion`` needs the expression tables)."""
    if block == "fusion":
        if expression is None:
            raise ValueError("the fusion block's names depend on the expression tables")
        return expression.names()
    return {"prior": PRIOR_NAMES, "neighbour": NEIGHBOUR_NAMES, "graph": GRAPH_NAMES}[block]


#: singular values / eigenvalues below this share of the largest count as zero (or as tied)
_RELATIVE_TOL = 1e-6
#: graphs up to this many genes are decomposed densely (LAPACK), larger ones with ARPACK
_DENSE_MAX = 400


def _keep_whole_groups(values: np.ndarray, rank: int) -> np.ndarray:
    """Which of ``values`` (sorted by decreasing magnitude) to keep: the first ``rank``, minus a
    tied group that the cut would split (its basis is arbitrary unless kept whole), minus the
    numerically zero ones (arbitrary vectors)."""
    mag = np.abs(values)
    top = max(float(mag.max(initial=0.0)), 1e-300)
    keep = (np.arange(len(values)) < rank) & (mag > _RELATIVE_TOL * top)
    if len(values) > rank:
        tied = np.abs(values - values[rank]) <= _RELATIVE_TOL * top
        keep &= ~tied
    return keep


def _signed_svd(signed: sp.csr_matrix, rank: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``U sqrt(s)``, ``V sqrt(s)`` of the signed adjacency's leading singular triplets.

    Small graphs use LAPACK (exact, deterministic); large ones ARPACK with ``rank + 4``
    triplets so that a tied group at the cut can be recognised and dropped.
    """
    n = signed.shape[0]
    out = np.zeros((n, rank), dtype=np.float32)
    if signed.nnz == 0 or n < 3:
        return out, out.copy()
    if n <= _DENSE_MAX:
        u, s, vt = np.linalg.svd(signed.toarray(), full_matrices=False)
    else:
        from scipy.sparse.linalg import svds

        v0 = np.random.default_rng(seed).standard_normal(n)
        u, s, vt = svds(signed.astype(np.float64), k=min(rank + 4, n - 2), v0=v0)
        order = np.argsort(-s, kind="stable")
        u, s, vt = u[:, order], s[order], vt[order]
    keep = _keep_whole_groups(s, rank)
    root = np.sqrt(np.where(keep, s, 0.0))[: min(rank, len(s))]
    m = len(root)
    out[:, :m] = u[:, :m] * root
    other = np.zeros_like(out)
    other[:, :m] = vt[:m].T * root
    return out, other


def _hermitian_eig(
    reg: np.ndarray, tgt: np.ndarray, sign: np.ndarray, n: int, rank: int
) -> tuple[np.ndarray, np.ndarray]:
    """Leading (by |lambda|) eigenpairs of the signed Hermitian adjacency (as :func:`_signed_svd`:
    LAPACK for small graphs, ARPACK with spare pairs for large ones; split ties dropped)."""
    q_out = np.zeros((n, rank), dtype=np.complex64)
    lam_out = np.zeros(rank)
    off = reg != tgt  # a self-loop has no direction: it does not enter H
    if not off.any() or n < 3:
        return q_out, lam_out
    r, t, s = reg[off], tgt[off], sign[off]
    h = sp.csr_matrix(
        (np.concatenate([1j * s, -1j * s]), (np.concatenate([r, t]), np.concatenate([t, r]))),
        shape=(n, n),
    )
    if n <= _DENSE_MAX:
        lam, q = np.linalg.eigh(h.toarray())
    else:
        from scipy.sparse.linalg import eigsh

        v0 = np.ones(n, dtype=np.complex128)
        lam, q = eigsh(h.astype(np.complex128), k=min(rank + 4, n - 2), which="LM", v0=v0)
    order = np.lexsort((-lam, -np.abs(lam)))  # by magnitude, then the positive one first
    lam, q = lam[order], q[:, order]
    keep = _keep_whole_groups(lam, rank)[: min(rank, len(lam))]
    m = len(keep)
    lam_out[:m] = np.where(keep, lam[:m], 0.0)
    q_out[:, :m] = np.where(keep, q[:, :m], 0.0)
    return q_out, lam_out
