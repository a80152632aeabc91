r"""The fused amplitude/phase GAT layer of DUPLEX (XATGRN eqs 11–14) and its graph structure.

DUPLEX (Ke et al., ICML 2024, https://arxiv.org/abs/2406.05391) runs two GATs side by side: an
amplitude GAT over all neighbours and a phase GAT that adds in-neighbours and subtracts
out-neighbours. Both read the same neighbourhood, so this module computes them *together*: one
linear map for both branches (a batched matmul), the attention logits of both from one batched
mat-vec, one softmax call, and one sparse product that aggregates both branches (a block-diagonal
CSR matrix holding the two branches' attention, with the phase sign folded into its values).
Its backward pass is two sparse kernels, not a scatter over edges. :class:`PairIndex` does the
same for the decoders' per-pair dot products.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor
from torch_geometric.nn import MessagePassing
from torch_geometric.nn.inits import glorot, zeros
from torch_geometric.utils import softmax

from xatgrn.graph.hermitian import PairState, hermitian_edges

__all__ = ["DuplexConv", "DuplexGraph", "PairIndex", "fast_dropout"]


def fast_dropout(x: Tensor, p: float, training: bool = True) -> Tensor:
    """Dropout whose CPU mask costs one random *byte* per element.

    ``F.dropout`` draws a float per element, which dominated a CPU training step here (about
    8x the cost of the layer's matmul). The keep mask compares random bytes with a threshold, so
    ``p`` is rounded to a multiple of 1/256 (exact for 0.5). CUDA uses ``F.dropout``.
    """
    if not training or p <= 0.0:
        return x
    if x.is_cuda:
        return F.dropout(x, p, training=True)
    n = x.numel()
    words = torch.randint(-(2**63), 2**63 - 1, ((n + 7) // 8,), dtype=torch.int64, device=x.device)
    byte = words.view(torch.uint8)[:n].view(x.shape)
    drop = min(max(round(p * 256), 1), 255)
    mask = (byte >= drop).to(x.dtype).mul_(256.0 / (256 - drop))
    return x * mask


@dataclass
class DuplexGraph:
    r"""Signed, symmetric neighbourhood of a directed graph, ready for message passing.

    Every unordered pair :math:`\{u, v\}` of the Hermitian adjacency becomes two messages
    (:math:`u \leftarrow v` and :math:`v \leftarrow u`), and every node gets a self-loop. Each
    message :math:`i \leftarrow j` carries the phase sign of eq 12: :math:`s_{ij} = +1` if
    :math:`j` is an in-neighbour only (:math:`j \to i`), :math:`-1` if an out-neighbour only
    (:math:`i \to j`), :math:`0` if both (the two terms of eq 12 cancel), and :math:`+1` on the
    self-loop (a node keeps its own phase). Messages are sorted by receiver (CSR order).

    Build it with :meth:`from_edges`; it is reused for every layer and epoch.

    Shapes:
        ``src``, ``dst``, ``sign``: :math:`(E',)` with :math:`E' = 2M + N`; ``ptr``: :math:`(N+1,)`.
    """

    num_nodes: int
    src: Tensor
    dst: Tensor
    sign: Tensor
    ptr: Tensor
    perm_t: Tensor  # message index of the reverse message j <- i (the pattern is symmetric)
    _blocks: dict[int, tuple[Tensor, ...]] = field(default_factory=dict, repr=False)

    @classmethod
    def from_edges(cls, edge_index: Tensor | np.ndarray, num_nodes: int) -> DuplexGraph:
        """Build the structure from directed edges (``2 x E``; duplicates and self-loops allowed)."""
        pairs, state = hermitian_edges(edge_index, num_nodes)
        off = pairs[0] != pairs[1]  # input self-loops are covered by the per-node self-loop
        lo, hi, state = pairs[0][off], pairs[1][off], state[off]
        # sign seen by hi receiving from lo (lo -> hi is "forward"): +1 in-neighbour, -1 out
        s_hi = torch.zeros(lo.numel())
        s_hi[state == PairState.FORWARD] = 1.0
        s_hi[state == PairState.REVERSE] = -1.0
        loops = torch.arange(num_nodes)
        src = torch.cat([lo, hi, loops])
        dst = torch.cat([hi, lo, loops])
        sign = torch.cat([s_hi, -s_hi, torch.ones(num_nodes)])
        order = torch.argsort(dst * max(num_nodes, 1) + src)
        src, dst, sign = src[order], dst[order], sign[order]
        ptr = torch.zeros(num_nodes + 1, dtype=torch.long)
        ptr[1:] = torch.cumsum(torch.bincount(dst, minlength=num_nodes), 0)
        # the reverse of message k (dst <- src) is the message src <- dst; find it by key
        key = dst * max(num_nodes, 1) + src
        perm_t = torch.searchsorted(key, src * max(num_nodes, 1) + dst)
        return cls(num_nodes, src, dst, sign, ptr, perm_t)

    @property
    def num_messages(self) -> int:
        return int(self.src.numel())

    @property
    def edge_index(self) -> Tensor:
        """``2 x E'`` (sender, receiver), the PyG convention."""
        return torch.stack([self.src, self.dst])

    def to(self, device: torch.device | str) -> DuplexGraph:
        """A copy on ``device`` (the block cache is rebuilt lazily there)."""
        return DuplexGraph(
            self.num_nodes,
            *(t.to(device) for t in (self.src, self.dst, self.sign, self.ptr, self.perm_t)),
        )

    def blocks(self, n_blocks: int) -> tuple[Tensor, Tensor, Tensor]:
        """CSR ``(crow, col, perm_t)`` of a block-diagonal matrix with ``n_blocks`` copies.

        Block ``b`` aggregates rows ``b*N .. (b+1)*N`` of a stacked feature matrix; its values
        are ``values[b*E' : (b+1)*E']`` in CSR order. Cached per ``n_blocks``.
        """
        if n_blocks not in self._blocks:
            n, e = self.num_nodes, self.num_messages
            off_e = torch.arange(n_blocks, device=self.src.device) * e
            off_n = torch.arange(n_blocks, device=self.src.device) * n
            crow = torch.cat([(self.ptr[:-1][None] + off_e[:, None]).reshape(-1), off_e[-1:] + e])
            col = (self.src[None] + off_n[:, None]).reshape(-1)
            perm = (self.perm_t[None] + off_e[:, None]).reshape(-1)
            self._blocks[n_blocks] = (crow, col, perm)
        return self._blocks[n_blocks]


def _csr(crow: Tensor, col: Tensor, values: Tensor, size: int) -> Tensor:
    with warnings.catch_warnings():  # "sparse CSR support is in beta": it is used knowingly
        warnings.simplefilter("ignore", UserWarning)
        return torch.sparse_csr_tensor(crow, col, values, (size, size), check_invariants=False)


def _spmm(a: Tensor, x: Tensor) -> Tensor:
    """``a @ x`` into a fresh uninitialised buffer (``beta=0`` skips zero-filling it)."""
    out = torch.empty((a.shape[0], x.shape[1]), dtype=x.dtype, device=x.device)
    return torch.addmm(out, a, x, beta=0.0, out=out)


class _SymmetricSpmm(torch.autograd.Function):
    """``Y = A @ X`` for a CSR ``A`` whose sparsity pattern is symmetric.

    Autograd through ``torch.sparse`` CSR products is slow on CPU; here the backward pass is two
    sparse kernels: ``dX = A^T @ dY`` (the transpose reuses the pattern, values permuted) and
    ``dA = (dY @ X^T)`` sampled at the pattern (``torch.sparse.sampled_addmm``).
    """

    @staticmethod
    def forward(ctx, values: Tensor, x: Tensor, crow: Tensor, col: Tensor, perm: Tensor) -> Tensor:  # type: ignore[override]
        ctx.save_for_backward(values, x, crow, col, perm)
        return _spmm(_csr(crow, col, values, x.shape[0]), x)

    @staticmethod
    def backward(ctx, grad: Tensor):  # type: ignore[override]
        values, x, crow, col, perm = ctx.saved_tensors
        n = x.shape[0]
        grad = grad.contiguous()
        d_values = d_x = None
        if ctx.needs_input_grad[1]:
            d_x = _spmm(_csr(crow, col, values[perm], n), grad)
        if ctx.needs_input_grad[0]:
            pattern = _csr(crow, col, values.detach(), n)
            d_values = torch.sparse.sampled_addmm(pattern, grad, x.t(), beta=0.0).values()
        return d_values, d_x, None, None, None


class _SampledDot(torch.autograd.Function):
    """``out[p] = left[row_p] . right[col_p]`` for CSR-ordered pairs, with sparse backward.

    The backward pass is two sparse products (``G @ right`` and ``G^T @ left``, ``G`` holding the
    incoming gradient at the pairs) instead of scattering ``P x d`` gathered rows.
    """

    @staticmethod
    def forward(ctx, left: Tensor, right: Tensor, index: PairIndex) -> Tensor:  # type: ignore[override]
        n = left.shape[0]
        ones = torch.ones(index.col.numel(), dtype=left.dtype, device=left.device)
        pattern = _csr(index.crow, index.col, ones, n)
        ctx.save_for_backward(left, right)
        ctx.index = index
        return torch.sparse.sampled_addmm(pattern, left, right.t(), beta=0.0).values()

    @staticmethod
    def backward(ctx, grad: Tensor):  # type: ignore[override]
        left, right = ctx.saved_tensors
        ix, n = ctx.index, left.shape[0]
        d_left = d_right = None
        if ctx.needs_input_grad[0]:
            d_left = _spmm(_csr(ix.crow, ix.col, grad, n), right)
        if ctx.needs_input_grad[1]:
            d_right = _spmm(_csr(ix.crow_t, ix.col_t, grad[ix.perm_t], n), left)
        return d_left, d_right, None


@dataclass
class PairIndex:
    """Node pairs ``(src, dst)`` in CSR order, for row-wise dot products of node features.

    Built once per batch of pairs and shared by every :meth:`dot` on them.
    """

    num_nodes: int
    order: Tensor  # CSR position -> input position
    inverse: Tensor  # input position -> CSR position
    crow: Tensor
    col: Tensor
    crow_t: Tensor
    col_t: Tensor
    perm_t: Tensor  # CSR position of each entry of the transposed pattern

    @classmethod
    def build(cls, src: Tensor, dst: Tensor, num_nodes: int) -> PairIndex:
        n = max(num_nodes, 1)
        order = torch.argsort(src * n + dst)
        s, d = src[order], dst[order]
        perm_t = torch.argsort(d * n + s)
        return cls(
            num_nodes,
            order,
            torch.argsort(order),
            _crow(s, num_nodes),
            d,
            _crow(d, num_nodes),
            s[perm_t],
            perm_t,
        )

    def dot(self, left: Tensor, right: Tensor) -> Tensor:
        r""":math:`\sum_k \mathrm{left}_{u k}\, \mathrm{right}_{v k}` per pair, in input order."""
        if self.order.numel() == 0:  # keep the result attached to the autograd graph
            return left.new_zeros(0) + (left.sum() + right.sum()) * 0
        return _SampledDot.apply(left, right, self).index_select(0, self.inverse)


def _crow(rows: Tensor, num_nodes: int) -> Tensor:
    crow = torch.zeros(num_nodes + 1, dtype=torch.long, device=rows.device)
    crow[1:] = torch.cumsum(torch.bincount(rows, minlength=num_nodes), 0)
    return crow


class DuplexConv(MessagePassing):
    r"""Fused amplitude + phase graph attention layer of DUPLEX (XATGRN eqs 11–14).

    For node :math:`i` with neighbourhood :math:`\mathcal{N}(i)` (in- and out-neighbours and
    itself), amplitude :math:`a` and phase :math:`\theta` features:

    .. math::
        e^{b}_{ij} &= \mathrm{LeakyReLU}\left(\mathbf{c}_{b,\mathrm{dst}}^\top W_b x_{b,i}
            + \mathbf{c}_{b,\mathrm{src}}^\top W_b x_{b,j}\right), \qquad
        \phi^{b}_{ij} = \operatorname{softmax}_{j \in \mathcal{N}(i)} e^{b}_{ij},
            \quad b \in \{\mathrm{am}, \mathrm{ph}\}

        a'_i &= \sum_{j \in \mathcal{N}(i)} \phi^{\mathrm{am}}_{ij} W_{\mathrm{am}} x_{\mathrm{am},j}
            + b_{\mathrm{am}} \hfill \text{(eq 11)}

        \theta'_i &= \sum_{j \in \mathcal{N}_{\mathrm{in}}(i)} \phi^{\mathrm{ph}}_{ij}
            W_{\mathrm{ph}} x_{\mathrm{ph},j}
            - \sum_{j \in \mathcal{N}_{\mathrm{out}}(i)} \phi^{\mathrm{ph}}_{ij}
            W_{\mathrm{ph}} x_{\mathrm{ph},j} + b_{\mathrm{ph}} \hfill \text{(eq 12)}

    with :math:`x_{\mathrm{am}} = a` and :math:`x_{\mathrm{ph}} = \theta`, except in a *fusion*
    layer (eqs 13–14, ``fuse=True``) where both branches read :math:`x_{\mathrm{am}} =
    x_{\mathrm{ph}} = a + \theta`: each branch's aggregation then adds a cross-aggregation of the
    other branch's features, with its own weights, attention and signs.
    A pair linked both ways is in both :math:`\mathcal{N}_{\mathrm{in}}` and
    :math:`\mathcal{N}_{\mathrm{out}}`, so its phase terms cancel; the self-loop counts as an
    in-neighbour. Heads are concatenated. The non-linearity is applied by the caller.

    Args:
        in_channels (int): input size :math:`F` per branch.
        out_channels (int): output size per branch (all heads together).
        heads (int, optional): attention heads; must divide ``out_channels``. (default: ``1``)
        dropout (float, optional): dropout on the attention coefficients. (default: ``0.0``)
        negative_slope (float, optional): LeakyReLU slope. (default: ``0.2``)
        fuse (bool, optional): make this a fusion layer (eqs 13–14). (default: ``False``)
        bias (bool, optional): learn an additive bias per branch. (default: ``True``)

    Shapes:
        - **input:** features :math:`(2, N, F)` (amplitude, phase) and a :class:`DuplexGraph`
        - **output:** :math:`(2, N, \text{out\_channels})`; with ``return_attention_weights``
          also the attention :math:`(E', 2, H)` (branch, head) in the graph's message order.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        heads: int = 1,
        dropout: float = 0.0,
        negative_slope: float = 0.2,
        fuse: bool = False,
        bias: bool = True,
    ) -> None:
        super().__init__(aggr="sum", node_dim=0)
        if out_channels % heads:
            raise ValueError(f"out_channels ({out_channels}) must be divisible by heads ({heads})")
        self.in_channels, self.out_channels, self.heads = in_channels, out_channels, heads
        self.dropout, self.negative_slope, self.fuse = dropout, negative_slope, fuse
        c = out_channels // heads
        self.weight = torch.nn.Parameter(torch.empty(2, in_channels, out_channels))
        self.att_src = torch.nn.Parameter(torch.empty(2, heads, c))
        self.att_dst = torch.nn.Parameter(torch.empty(2, heads, c))
        self.bias = torch.nn.Parameter(torch.empty(2, out_channels)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        super().reset_parameters()
        glorot(self.weight)
        glorot(self.att_src)
        glorot(self.att_dst)
        zeros(self.bias)

    def _att_matrix(self) -> Tensor:
        """``(2, H*C, 2H)``: column ``k`` of branch ``b`` holds head ``k``'s src/dst vector."""
        h, c = self.heads, self.out_channels // self.heads
        eye = torch.eye(h, dtype=self.att_src.dtype, device=self.att_src.device)
        blocks = [
            (a[:, :, :, None] * eye[None, :, None, :]).reshape(2, h * c, h)
            for a in (self.att_src, self.att_dst)
        ]
        return torch.cat(blocks, dim=-1)

    def forward(
        self,
        x: Tensor,
        graph: DuplexGraph,
        *,
        fused: bool = True,
        return_attention_weights: bool = False,
    ) -> Tensor | tuple[Tensor, Tensor]:
        """Run the layer; ``fused=False`` takes PyG's edge-wise ``propagate`` path (same result)."""
        n, h = graph.num_nodes, self.heads
        c = self.out_channels // h
        if self.fuse:  # eqs 13-14: both branches read amplitude + phase
            x = x + x.flip(0)
        m = torch.bmm(x, self.weight)  # (2, N, H*C): W_am a, W_ph theta
        # attention logits of both branches, src and dst, in one batched mat-vec
        logits = torch.bmm(m, self._att_matrix()).transpose(0, 1)  # (N, 2, 2H)
        l_src = logits[..., :h].reshape(n, 2 * h)
        l_dst = logits[..., h:].reshape(n, 2 * h)
        e = l_src.index_select(0, graph.src) + l_dst.index_select(0, graph.dst)
        e = F.leaky_relu(e, self.negative_slope)  # (E', 2H), branch-major
        alpha = softmax(e, index=graph.dst, ptr=graph.ptr, num_nodes=n, dim=0)
        att = alpha
        alpha = fast_dropout(alpha, self.dropout, self.training)
        sign = torch.cat(
            [torch.ones_like(graph.sign)[:, None].expand(-1, h), graph.sign[:, None].expand(-1, h)],
            1,
        )
        coef = alpha * sign
        if fused:
            crow, col, perm = graph.blocks(2 * h)
            xs = m.view(2, n, h, c).transpose(1, 2).reshape(2 * h * n, c)
            values = coef.t().reshape(-1)
            out = _SymmetricSpmm.apply(values, xs, crow, col, perm)
            out = out.view(2, h, n, c).transpose(1, 2).reshape(2, n, h * c)
        else:
            out = self.propagate(graph.edge_index, x=m.transpose(0, 1), coef=coef.view(-1, 2, h))
            out = out.transpose(0, 1)
        if self.bias is not None:
            out = out + self.bias[:, None, :]
        if return_attention_weights:
            return out, att.view(-1, 2, h)
        return out

    def message(self, x_j: Tensor, coef: Tensor) -> Tensor:
        e = x_j.shape[0]
        c = self.out_channels // self.heads
        return (x_j.view(e, 2, self.heads, c) * coef[..., None]).view(e, 2, self.out_channels)

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__name__}({self.in_channels}, {self.out_channels}, "
            f"heads={self.heads}, fuse={self.fuse})"
        )
