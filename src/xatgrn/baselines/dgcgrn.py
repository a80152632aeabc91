r"""DGCGRN baseline: directed graph convolution (DGCN) over the readable gene graph.

Wei et al., "Inference of gene regulatory networks based on directed graph convolutional
networks", Brief. Bioinform. 25(4), 2024 (DGCGRN), built on DGCN (Tong et al., "Directed Graph
Convolutional Network", 2020, https://arxiv.org/abs/2004.13970). Genes are nodes, their
(preprocessed) expression profiles the node features, and the edges are the prior edges the
protocol lets the method read (``edges_``: the training-fold edges in the inductive protocol).

DGCN's three proximity matrices of a directed adjacency :math:`A` (:math:`A_{uv} = 1` for
:math:`u \to v`):

.. math::
    A_F = \tfrac12 (A + A^\top) \qquad \text{(first order)}

    A_{S_{in}} = A^\top D_{out}^{-1} A, \quad
    (A_{S_{in}})_{ij} = \sum_k \frac{A_{ki} A_{kj}}{\sum_v A_{kv}}
    \qquad \text{(second-order in: a shared regulator)}

    A_{S_{out}} = A D_{in}^{-1} A^\top, \quad
    (A_{S_{out}})_{ij} = \sum_k \frac{A_{ik} A_{jk}}{\sum_v A_{vk}}
    \qquad \text{(second-order out: a shared target)}

each with self-loops and symmetric normalisation, :math:`\hat A = \tilde D^{-1/2} (A + I)
\tilde D^{-1/2}` (the diagonal of :math:`A` is cleared first), and one layer

.. math::
    H' = \mathrm{Concat}\big(\hat A_F H\Theta,\ \alpha \hat A_{S_{in}} H\Theta,\
        \beta \hat A_{S_{out}} H\Theta\big)

with one weight :math:`\Theta` shared by the three branches (DGCN). A pair (R, T) is classified
from :math:`[h_R, h_T, h_R \odot h_T]` by a two-layer MLP into none / repression / activation.

Choices (documented departures; the DGCGRN paper's own hyper-parameters were not available to us,
so the graph part uses DGCN-style values):

* **3 classes.** The published model is a binary link predictor; the head here has 3 outputs and
  the shared weighted cross-entropy trainer (:func:`xatgrn.train.train_classifier`).
* **Only the DGCN core.** DGCGRN's local augmentation for low-degree nodes, its Bi-GRU sequence
  features (E. coli only) and its dynamic edge-weight update are not reproduced: the benchmark
  provides no sequences, and the other two change the graph during training.
* **Sparse second order.** :math:`A_{S_{in}}` of E. coli has ~0.7 M non-zeros (a regulator with
  473 targets links all of them), so each row keeps its ``top_k`` largest entries (ties broken by
  gene order) and the result is symmetrised with the element-wise maximum.
* **Hyper-parameters.** hidden 64, 2 layers, dropout 0.5, Adam lr 0.01, weight decay 5e-4, full
  batch (DGCN-style); :math:`\alpha = \beta = 1`; up to 300 epochs, keeping the epoch of lowest
  validation loss (GCN-style early stopping, patience 50) on the trainer's validation split of
  the training pairs. Selecting by validation *accuracy* (the trainer's default) kept epoch 7
  of 57 on human_covid (inductive fold 0: AUROC 0.72 against 0.88 by loss). No dropout on the input
  profiles (a profile has only 10–130 values).
* **Cost.** Every step recomputes all node embeddings (``forward(rows)`` is full-graph); with one
  full batch per epoch that is one encoder pass per epoch plus one for validation.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from xatgrn.baselines._base import PairBaseline
from xatgrn.errors import input_error
from xatgrn.graph.conv import fast_dropout
from xatgrn.train import TrainConfig, predict_logits, torch_seed
from xatgrn.utils import resolve_device

log = logging.getLogger(__name__)

__all__ = [
    "DGCGRN",
    "DGCGRNConfig",
    "DGCGRNNet",
    "DGCNLayer",
    "StackedProximity",
    "proximity_matrices",
]


def _train_defaults() -> TrainConfig:
    # full batch (every benchmark's training split is < 2**16 pairs), DGCN's lr, no decay,
    # selection on validation loss (GCN-style early stopping)
    return TrainConfig(
        epochs=300,
        batch_size=1 << 16,
        lr=0.01,
        lr_gamma=1.0,
        weight_decay=5e-4,
        patience=50,
        select_by="loss",
    )


@dataclass
class DGCGRNConfig:
    """DGCGRN hyper-parameters (DGCN-style defaults; see the module docstring).

    Args:
        hidden: width :math:`h` of :math:`\\Theta` per branch; a layer outputs ``3 * hidden``.
            (default: ``64``)
        layers: directed graph convolution layers. (default: ``2``)
        dropout: dropout between layers and in the pair head. (default: ``0.5``)
        alpha: weight :math:`\\alpha` of the second-order in branch. (default: ``1.0``)
        beta: weight :math:`\\beta` of the second-order out branch. (default: ``1.0``)
        top_k: entries kept per row of each second-order matrix (``None``: all). (default: ``32``)
        head_hidden: hidden width of the pair MLP. (default: ``64``)
        train: the shared trainer's settings (full batch, lr 0.01, weight decay 5e-4, 300
            epochs, patience 50, selection by validation loss); seed, device and progress come
            from the ``FitConfig``.
    """

    hidden: int = 64
    layers: int = 2
    dropout: float = 0.5
    alpha: float = 1.0
    beta: float = 1.0
    top_k: int | None = 32
    head_hidden: int = 64
    train: TrainConfig = field(default_factory=_train_defaults)


# --- graph ----------------------------------------------------------------------------------
def _top_k_rows(m: sp.csr_matrix, k: int) -> sp.csr_matrix:
    """Keep the ``k`` largest entries of every row (ties: lower column first), vectorised."""
    m = m.tocoo()
    order = np.lexsort((m.col, -m.data, m.row))
    row, col, val = m.row[order], m.col[order], m.data[order]
    starts = np.searchsorted(row, np.arange(m.shape[0]))
    rank = np.arange(len(row)) - starts[row]
    keep = rank < k
    return sp.csr_matrix((val[keep], (row[keep], col[keep])), shape=m.shape)


def _normalise(m: sp.spmatrix) -> sp.csr_matrix:
    """:math:`\\tilde D^{-1/2} (M + I) \\tilde D^{-1/2}` with the diagonal of ``M`` cleared."""
    m = sp.csr_matrix(m, dtype=np.float64, copy=True)
    m.setdiag(0.0)
    m.eliminate_zeros()
    m = m + sp.identity(m.shape[0], format="csr")
    d = np.asarray(m.sum(axis=1)).ravel()
    inv = sp.diags(1.0 / np.sqrt(d))
    return (inv @ m @ inv).tocsr()


def proximity_matrices(
    edge_index: np.ndarray, num_nodes: int, top_k: int | None = 32
) -> list[sp.csr_matrix]:
    """DGCN's normalised first-order, second-order-in and second-order-out matrices.

    Args:
        edge_index: ``2 x E`` directed edges (row 0 regulators, row 1 targets).
        num_nodes: number of genes.
        top_k: entries kept per row of the second-order matrices (``None``: all).

    Returns:
        ``[A_F, A_Sin, A_Sout]``, each ``num_nodes x num_nodes`` CSR, symmetric, with self-loops.
    """
    ei = np.asarray(edge_index, dtype=np.int64).reshape(2, -1)
    n = num_nodes
    a = sp.csr_matrix((np.ones(ei.shape[1]), (ei[0], ei[1])), shape=(n, n))
    a.data[:] = 1.0  # duplicate edges count once
    out_deg = np.asarray(a.sum(axis=1)).ravel()
    in_deg = np.asarray(a.sum(axis=0)).ravel()
    first = (a + a.T) * 0.5
    s_in = a.T @ sp.diags(1.0 / np.maximum(out_deg, 1.0)) @ a
    s_out = a @ sp.diags(1.0 / np.maximum(in_deg, 1.0)) @ a.T
    mats = [first]
    for s in (s_in, s_out):
        s = sp.csr_matrix(s)
        s.setdiag(0.0)
        s.eliminate_zeros()
        if top_k is not None:
            s = _top_k_rows(s, top_k)
            s = s.maximum(s.T)
        mats.append(s)
    return [_normalise(m) for m in mats]


def _csr_tensor(m: sp.spmatrix) -> Tensor:
    m = sp.csr_matrix(m, dtype=np.float32, copy=True)  # a copy: sorting must not touch ``m``
    m.sort_indices()
    with warnings.catch_warnings():  # "sparse CSR support is in beta": used knowingly
        warnings.simplefilter("ignore", UserWarning)
        return torch.sparse_csr_tensor(
            torch.from_numpy(m.indptr.astype(np.int64)),
            torch.from_numpy(m.indices.astype(np.int64)),
            torch.from_numpy(m.data),
            m.shape,
            check_invariants=False,
        )


class StackedProximity:
    """The three matrices stacked row-wise (``3N x N`` CSR) and its transpose, on one device.

    Autograd through ``torch.sparse`` products re-sorts the matrix on every backward pass; the
    matrices are constants here, so the backward pass is one product with the stored transpose.
    """

    def __init__(self, mats: list[sp.csr_matrix], device: torch.device | str = "cpu") -> None:
        st = sp.vstack(mats).tocsr()
        self.num_nodes = mats[0].shape[0]
        self.matrix = _csr_tensor(st).to(device)
        self.transpose = _csr_tensor(st.T).to(device)

    def __matmul__(self, x: Tensor) -> Tensor:
        return _ConstSpmm.apply(x, self.matrix, self.transpose)


class _ConstSpmm(torch.autograd.Function):
    """``Y = P @ X`` for a constant sparse ``P``; ``dX = P^T @ dY``."""

    @staticmethod
    def forward(ctx, x: Tensor, a: Tensor, a_t: Tensor) -> Tensor:  # type: ignore[override]
        ctx.a_t = a_t
        return torch.sparse.mm(a, x)

    @staticmethod
    def backward(ctx, grad: Tensor):  # type: ignore[override]
        return torch.sparse.mm(ctx.a_t, grad.contiguous()), None, None


# --- modules --------------------------------------------------------------------------------
class DGCNLayer(nn.Module):
    r"""One directed graph convolution (DGCN eq. for :math:`H'` in the module docstring).

    .. math::
        H' = \mathrm{Concat}(\hat A_F H\Theta,\ \alpha \hat A_{S_{in}} H\Theta,\
            \beta \hat A_{S_{out}} H\Theta) + b

    Args:
        in_dim: input width.
        hidden: width of :math:`\Theta`; the output is ``3 * hidden``.
        alpha, beta: branch weights.

    Shapes:
        - input: ``H`` ``(N, in_dim)``, ``P`` the stacked proximity matrices
          (:class:`StackedProximity`, ``3N x N``).
        - output: ``(N, 3 * hidden)``.
    """

    def __init__(self, in_dim: int, hidden: int, alpha: float = 1.0, beta: float = 1.0) -> None:
        super().__init__()
        self.lin = nn.Linear(in_dim, hidden, bias=False)
        self.bias = nn.Parameter(torch.empty(3 * hidden))
        self.register_buffer("scale", torch.tensor([1.0, alpha, beta]), persistent=False)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        nn.init.xavier_uniform_(self.lin.weight)
        nn.init.zeros_(self.bias)

    def forward(self, h: Tensor, prox: StackedProximity) -> Tensor:
        n = h.shape[0]
        z = (prox @ self.lin(h)).view(3, n, -1) * self.scale.view(3, 1, 1)
        return z.permute(1, 0, 2).reshape(n, -1) + self.bias


class DGCGRNNet(nn.Module):
    r"""DGCN encoder over all genes + MLP on :math:`[h_R, h_T, h_R \odot h_T]`.

    Args:
        in_dim: node feature width (samples).
        cfg: :class:`DGCGRNConfig`.

    Shapes:
        - :meth:`encode`: ``x`` ``(N, in_dim)``, ``prox`` ``(3N, N)`` → ``(N, 3 * hidden)``.
        - :meth:`classify`: ``h`` ``(N, 3 * hidden)``, ``reg, tgt`` ``(B,)`` → logits ``(B, 3)``.
    """

    def __init__(self, in_dim: int, cfg: DGCGRNConfig) -> None:
        super().__init__()
        self.dropout = cfg.dropout
        dims = [in_dim] + [3 * cfg.hidden] * cfg.layers
        self.convs = nn.ModuleList(
            DGCNLayer(dims[i], cfg.hidden, cfg.alpha, cfg.beta) for i in range(cfg.layers)
        )
        out = dims[-1]
        self.hidden = nn.Linear(3 * out, cfg.head_hidden)
        self.out = nn.Linear(cfg.head_hidden, 3)

    def encode(self, x: Tensor, prox: StackedProximity) -> Tensor:
        h = x
        for i, conv in enumerate(self.convs):
            if i > 0:
                h = fast_dropout(h, self.dropout, self.training)
            h = F.relu(conv(h, prox))
        return h

    def classify(self, h: Tensor, reg: Tensor, tgt: Tensor) -> Tensor:
        hr, ht = h[reg], h[tgt]
        z = fast_dropout(torch.cat([hr, ht, hr * ht], dim=1), self.dropout, self.training)
        z = fast_dropout(F.relu(self.hidden(z)), self.dropout, self.training)
        return self.out(z)


# --- the estimator --------------------------------------------------------------------------
class DGCGRN(PairBaseline):
    """DGCGRN under XATGRN's protocol (see the module docstring).

    Args:
        config: the shared :class:`~xatgrn.model.estimator.FitConfig` (seed, device, progress,
            preprocessing).
        params: :class:`DGCGRNConfig` (default: the documented defaults).

    Fitted attributes (besides :class:`PairBaseline`'s): ``graph_edge_index_`` (the directed
    edges message passing used), ``proximity_`` (the three CSR matrices), ``net_``,
    ``train_result_``.
    """

    name = "dgcgrn"
    params_type = DGCGRNConfig

    def _fit(self, train_rows: np.ndarray) -> None:
        p = self._params
        if p.layers < 1 or p.hidden < 1:
            raise input_error(
                f"DGCGRN needs layers >= 1 and hidden >= 1, got {p.layers} and {p.hidden}",
                fix="use the defaults (2 layers, hidden 64)",
            )
        n = len(self.genes_)
        device = resolve_device(self._cfg.device)
        self.graph_edge_index_ = self.edges_[["reg_idx", "tgt_idx"]].to_numpy().T.copy()
        self.proximity_ = proximity_matrices(self.graph_edge_index_, n, p.top_k)
        prox = StackedProximity(self.proximity_, device)
        x = torch.as_tensor(self.expression_.to_numpy(dtype=np.float32)).to(device)
        with torch_seed(self.seeds_["train"], device):
            self.net_ = DGCGRNNet(x.shape[1], p)
        reg_t, tgt_t = torch.as_tensor(self.reg_), torch.as_tensor(self.tgt_)
        net = self.net_

        def forward(rows: Tensor) -> Tensor:
            h = net.encode(x, prox)
            return net.classify(h, reg_t[rows].to(device), tgt_t[rows].to(device))

        self.net_ = self.train_net(net, forward, train_rows, p.train)
        result = self.train_result_
        with torch.no_grad():
            self._h = self.net_.encode(x, prox)  # node embeddings, computed once for prediction
        log.info(
            "DGCGRN: %d readable edges, proximity nnz %s, %d epochs (best %d) in %.1f s",
            self.graph_edge_index_.shape[1],
            [m.nnz for m in self.proximity_],
            len(result.history),
            result.best_epoch,
            result.seconds,
        )

    def _proba(self, reg: np.ndarray, tgt: np.ndarray) -> np.ndarray:
        device = self._h.device
        reg_t, tgt_t = torch.as_tensor(reg), torch.as_tensor(tgt)
        logits = predict_logits(
            lambda rows: self.net_.classify(
                self._h, reg_t[rows].to(device), tgt_t[rows].to(device)
            ),
            np.arange(len(reg)),
            8192,
            self.net_,
        )
        return torch.softmax(logits, 1).numpy()
