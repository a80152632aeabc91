"""Cross-attention fusion of a regulator's and a target's expression profiles (paper eqs 1–5).

The paper does not say how a profile becomes a token sequence. Here a profile of ``S`` samples
is cut into ``n`` contiguous chunks of ``c = ceil(S / tokens)`` samples (the last chunk
zero-padded), each chunk is mapped to ``hidden`` by a per-role linear map and a learned
position (sample-group) embedding is added. ``tokens="auto"`` uses ``ceil(sqrt(S))`` tokens,
so token count and chunk size grow together: S=10 → 4 tokens of 3, S=24 → 5 of 5,
S=805 → 29 of 28. Every token holds at least one real sample, so no attention mask is needed.

Per-gene work (tokens and their Q/K/V projections for both roles) is separated from the
per-pair work (attention) so genome-scale scoring projects each gene once
(:meth:`CrossAttentionFusion.project`, then :meth:`CrossAttentionFusion.attend`).
"""

from __future__ import annotations

import logging
import math
from typing import Literal, NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from xatgrn.errors import input_error

log = logging.getLogger(__name__)

Role = Literal["reg", "tgt"]
Cross = Literal["paper", "reference"]


class RoleTokens(NamedTuple):
    """Per-gene queries, keys and values for one role, each ``[N, heads, n_tokens, hidden/heads]``."""

    q: Tensor
    k: Tensor
    v: Tensor

    def index(self, idx: Tensor) -> RoleTokens:
        """Rows ``idx`` of every tensor (genes → pairs)."""
        return RoleTokens(self.q[idx], self.k[idx], self.v[idx])


def token_layout(n_samples: int, tokens: int | str = "auto") -> tuple[int, int]:
    """Return ``(n_tokens, chunk)`` for a profile of ``n_samples`` samples.

    ``chunk = ceil(S / tokens)`` and ``n_tokens = ceil(S / chunk)`` (never more than asked,
    and no token is pure padding). ``"auto"`` asks for ``ceil(sqrt(S))`` tokens.
    """
    if isinstance(n_samples, bool) or not isinstance(n_samples, int) or n_samples < 1:
        raise input_error(
            f"n_samples must be a positive integer, got {n_samples!r}",
            fix="pass the number of expression samples (columns)",
        )
    if tokens == "auto":
        wanted = max(1, math.ceil(math.sqrt(n_samples)))
    elif isinstance(tokens, int) and not isinstance(tokens, bool) and tokens >= 1:
        wanted = min(tokens, n_samples)
    else:
        raise input_error(
            f"tokens must be 'auto' or a positive integer, got {tokens!r}",
            fix="use tokens='auto' or e.g. tokens=1 (the reference's one token per gene)",
        )
    chunk = math.ceil(n_samples / wanted)
    return math.ceil(n_samples / chunk), chunk


class CrossAttentionFusion(nn.Module):
    r"""Cross-attention fusion of a (regulator, target) pair of expression profiles, eqs 1–5 of
    XATGRN ("Cross-Attention Graph Neural Networks for Inferring Gene Regulatory Networks with
    Skewed Degree Distribution").

    Each profile :math:`y_g \in \mathbb{R}^S` becomes tokens
    :math:`X_g = \mathrm{chunks}(y_g) W_e^{\rho} + P \in \mathbb{R}^{n \times d}` for its role
    :math:`\rho \in \{R, T\}`, then (eqs 1–2, separate weights per role)

    .. math::
        Q_\rho = X W_q^{\rho},\quad K_\rho = X W_k^{\rho},\quad V_\rho = X W_v^{\rho},\qquad
        \mathrm{MHA}(Q, K, V) = \big\Vert_{h=1}^{H}
            \mathrm{softmax}\!\big(Q^h K^{h\top} / \sqrt{d/H}\big) V^h

    ``cross="paper"`` (eqs 3–4 as written: queries of both roles, keys/values of the role
    being updated):

    .. math::
        R^* = \tfrac12\big[\mathrm{MHA}(Q_R, K_R, V_R) + \mathrm{MHA}(Q_T, K_R, V_R)\big],\quad
        T^* = \tfrac12\big[\mathrm{MHA}(Q_T, K_T, V_T) + \mathrm{MHA}(Q_R, K_T, V_T)\big]

    ``cross="reference"`` (the reference implementation: queries of the role being updated,
    keys/values of each role):

    .. math::
        R^* = \tfrac12\big[\mathrm{MHA}(Q_R, K_R, V_R) + \mathrm{MHA}(Q_R, K_T, V_T)\big],\quad
        T^* = \tfrac12\big[\mathrm{MHA}(Q_T, K_R, V_R) + \mathrm{MHA}(Q_T, K_T, V_T)\big]

    and in both cases (eq 5)
    :math:`F_{fusion} = \mathrm{MeanPool}(R^*) \Vert \mathrm{MeanPool}(T^*)`.
    Eqs 1–2 name only :math:`W_q, W_k, W_v`, so there is no output projection (neither has
    the reference).

    **What ``tokens=1`` computes.** Each gene is one token, every softmax is over one key and
    all attention weights are 1, so :math:`\mathrm{MHA}(\cdot, K_\rho, V_\rho) = V_\rho` with
    :math:`V_\rho = (y W_e^{\rho} + b_e^{\rho} + P) W_v^{\rho}`. With ``cross="paper"``:
    :math:`R^* = V_R`, :math:`T^* = V_T` (no R–T interaction inside the fusion). With
    ``cross="reference"``: :math:`R^* = T^* = \tfrac12(V_R + V_T)`, the behaviour method.md
    describes for the reference (which applies :math:`W_v^{\rho}` straight to the profile; the
    extra affine :math:`W_e` composes into it). In both cases :math:`W_q, W_k` get no gradient.

    Args:
        n_samples (int): profile length ``S`` (samples per gene).
        hidden (int, optional): token width ``d`` (default ``128``).
        heads (int, optional): attention heads ``H``; must divide ``hidden`` (default ``8``).
        tokens (int or "auto", optional): number of tokens per profile (default ``"auto"`` =
            ``ceil(sqrt(S))``); see :func:`token_layout`.
        cross ("paper" or "reference", optional): which eqs 3–4 arrangement (default
            ``"paper"``).

    Shapes:
        - **input:** regulator profiles :math:`(B, S)`, target profiles :math:`(B, S)`
        - **output:** :math:`(B, 2d)` = ``[MeanPool(R*) | MeanPool(T*)]``
        - :meth:`project`: :math:`(N, S)` → :class:`RoleTokens` of :math:`(N, H, n, d/H)`
    """

    def __init__(
        self,
        n_samples: int,
        hidden: int = 128,
        heads: int = 8,
        tokens: int | str = "auto",
        cross: Cross = "paper",
    ) -> None:
        super().__init__()
        if heads < 1 or hidden % heads:
            raise input_error(
                f"hidden={hidden} is not divisible by heads={heads}",
                fix="choose hidden as a multiple of heads (paper: hidden 128, heads 8)",
            )
        if cross not in ("paper", "reference"):
            raise input_error(
                f"cross must be 'paper' or 'reference', got {cross!r}",
                fix="use cross='paper' (eqs 3–4) or cross='reference'",
            )
        self.n_samples, self.hidden, self.heads, self.cross = n_samples, hidden, heads, cross
        self.n_tokens, self.chunk = token_layout(n_samples, tokens)
        self.embed = nn.ModuleDict({r: nn.Linear(self.chunk, hidden) for r in ("reg", "tgt")})
        self.qkv = nn.ModuleDict(
            {r: nn.Linear(hidden, 3 * hidden, bias=False) for r in ("reg", "tgt")}
        )
        self.pos = nn.Parameter(torch.empty(self.n_tokens, hidden))
        self.reset_parameters()

    @property
    def out_features(self) -> int:
        """Width of :math:`F_{fusion}` (``2 * hidden``)."""
        return 2 * self.hidden

    def reset_parameters(self) -> None:
        """Re-draw every weight (torch's global RNG; seed it to make this reproducible)."""
        for r in ("reg", "tgt"):
            self.embed[r].reset_parameters()
            self.qkv[r].reset_parameters()
        nn.init.normal_(self.pos, std=0.02)

    def tokenize(self, x: Tensor) -> Tensor:
        """Profiles ``[N, S]`` → zero-padded contiguous chunks ``[N, n_tokens, chunk]``."""
        if x.dim() != 2 or x.shape[1] != self.n_samples:
            raise input_error(
                f"expression has shape {tuple(x.shape)}, expected (genes, {self.n_samples})",
                fix="pass the same samples (columns) the model was built for",
            )
        pad = self.n_tokens * self.chunk - self.n_samples
        if pad:
            x = F.pad(x, (0, pad))
        return x.reshape(x.shape[0], self.n_tokens, self.chunk)

    def project(self, x: Tensor, role: Role) -> RoleTokens:
        """Per-gene work for one role: tokens → Q, K, V (eqs 1–2), done once per gene."""
        tok = self.embed[role](self.tokenize(x)) + self.pos
        n, t, _ = tok.shape
        qkv = self.qkv[role](tok).reshape(n, t, 3, self.heads, self.hidden // self.heads)
        q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)
        return RoleTokens(q, k, v)

    def attend(self, reg: RoleTokens, tgt: RoleTokens) -> Tensor:
        """Per-pair work: eqs 3–5 from projected regulator and target tokens (same batch)."""
        t = reg.q.shape[2]
        q_both = torch.cat([reg.q, tgt.q], dim=2)  # [B, H, 2n, d/H]: queries of both roles
        on_r = F.scaled_dot_product_attention(q_both, reg.k, reg.v)  # keys/values of R
        on_t = F.scaled_dot_product_attention(q_both, tgt.k, tgt.v)  # keys/values of T
        if self.cross == "paper":
            # mean over 2n query tokens = ½[MeanPool(MHA(Q_R,·)) + MeanPool(MHA(Q_T,·))]
            r_star, t_star = on_r.mean(dim=2), on_t.mean(dim=2)
        else:
            r_star = 0.5 * (on_r[:, :, :t].mean(dim=2) + on_t[:, :, :t].mean(dim=2))
            t_star = 0.5 * (on_r[:, :, t:].mean(dim=2) + on_t[:, :, t:].mean(dim=2))
        b = r_star.shape[0]
        return torch.cat([r_star.reshape(b, -1), t_star.reshape(b, -1)], dim=1)

    def forward(self, x_reg: Tensor, x_tgt: Tensor) -> Tensor:
        """Fuse aligned regulator and target profiles ``[B, S]`` into ``[B, 2 * hidden]``."""
        return self.attend(self.project(x_reg, "reg"), self.project(x_tgt, "tgt"))

    def extra_repr(self) -> str:
        return (
            f"n_samples={self.n_samples}, hidden={self.hidden}, heads={self.heads}, "
            f"tokens={self.n_tokens}x{self.chunk}, cross={self.cross!r}"
        )
