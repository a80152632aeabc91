r"""The two parameter-free DUPLEX decoders (XATGRN eqs 15–19).

With complex node embeddings :math:`x_u = a_u \odot \exp(i \frac{\pi}{2} \theta_u)` (eq 9):

.. math::
    \hat H_{uv} &= x_u^\top \bar x_v = \sum_k a_{uk} a_{vk}
        \exp\!\left(i \tfrac{\pi}{2} (\theta_{uk} - \theta_{vk})\right)

    P(\hat H_{uv} = r) &= \frac{\exp(-|\hat H_{uv} - r|)}{\sum_{r'} \exp(-|\hat H_{uv} - r'|)},
        \quad r \in \{i, -i, 1, 0\} \hfill \text{(eqs 15–17, direction-aware)}

    P(A_s(u, v) = 1) &= \sigma(a_u^\top a_v) \hfill \text{(eqs 18–19, connection-aware)}

The candidates :math:`r` are :data:`~xatgrn.graph.hermitian.STATE_VALUES`, in
:class:`~xatgrn.graph.hermitian.PairState` order.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from xatgrn.graph.conv import PairIndex
from xatgrn.graph.hermitian import STATE_VALUES

__all__ = [
    "connection_logits",
    "direction_logits",
    "distance_logits",
    "hermitian_scores",
    "pair_terms",
]

_EPS = 1e-9


def pair_terms(amp: Tensor, phase: Tensor, index: PairIndex) -> tuple[Tensor, Tensor, Tensor]:
    r""":math:`\mathrm{Re}\,\hat H_{uv}`, :math:`\mathrm{Im}\,\hat H_{uv}` and :math:`a_u^\top a_v`.

    With :math:`z = [\mathrm{Re}\,x, \mathrm{Im}\,x]` formed once per node,
    :math:`\mathrm{Re}\,\hat H_{uv} = z_u \cdot z_v` and
    :math:`\mathrm{Im}\,\hat H_{uv} = z_u \cdot [-\mathrm{Im}\,x_v, \mathrm{Re}\,x_v]`:
    three sampled sparse products, no ``P x d`` intermediates.
    """
    angle = phase * (math.pi / 2)
    re_x, im_x = amp * torch.cos(angle), amp * torch.sin(angle)
    z = torch.cat([re_x, im_x], dim=1)
    z_rot = torch.cat([-im_x, re_x], dim=1)
    return index.dot(z, z), index.dot(z, z_rot), index.dot(amp, amp)


def hermitian_scores(amp: Tensor, phase: Tensor, src: Tensor, dst: Tensor) -> tuple[Tensor, Tensor]:
    r"""Real and imaginary part of :math:`\hat H_{uv} = x_u^\top \bar x_v` for pairs ``(src, dst)``.

    Shapes:
        ``amp``, ``phase`` :math:`(N, d)`; ``src``, ``dst`` :math:`(P,)` → two :math:`(P,)`.
    """
    re, im, _ = pair_terms(amp, phase, PairIndex.build(src, dst, amp.shape[0]))
    return re, im


def distance_logits(re: Tensor, im: Tensor) -> Tensor:
    r""":math:`-|\hat H_{uv} - r|` for each state value :math:`r` (eq 16), from the real and
    imaginary parts; a tiny epsilon keeps the square root differentiable at 0.

    Shapes:
        ``re``, ``im`` :math:`(P,)` → :math:`(P, 4)`.
    """
    r = torch.tensor([[v.real, v.imag] for v in STATE_VALUES], dtype=re.dtype, device=re.device)
    d2 = (re[:, None] - r[:, 0]) ** 2 + (im[:, None] - r[:, 1]) ** 2
    return -torch.sqrt(d2 + _EPS)


def direction_logits(amp: Tensor, phase: Tensor, src: Tensor, dst: Tensor) -> Tensor:
    r"""Logits :math:`-|\hat H_{uv} - r|` of the direction-aware decoder (eqs 15–17).

    Columns follow :data:`~xatgrn.graph.hermitian.STATE_NAMES` (forward, reverse, bidirectional,
    none); a softmax over them gives :math:`P(\hat H_{uv} = r)`.

    Shapes:
        :math:`(P, 4)`.
    """
    return distance_logits(*hermitian_scores(amp, phase, src, dst))


def connection_logits(amp: Tensor, src: Tensor, dst: Tensor) -> Tensor:
    r"""Logit :math:`a_u^\top a_v` of the connection-aware decoder (eqs 18–19). Shapes: :math:`(P,)`."""
    return PairIndex.build(src, dst, amp.shape[0]).dot(amp, amp)
