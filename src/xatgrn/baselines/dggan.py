r"""DGGAN: adversarial directed graph embedding (the graph half of DeepFGRN).

Zhu et al., "Adversarial Directed Graph Embedding", AAAI 2021 (https://arxiv.org/abs/2008.03667),
as used by DeepFGRN (Gao et al., Brief. Bioinform. 2024) for its "node bidirectional
representation" module. Every node :math:`u` has a **source** embedding :math:`s_u` and a
**target** embedding :math:`t_u` (the discriminator's parameters). A directed edge is scored by

.. math::
    D(u, v) = \sigma(s_u^\top t_v).

One generator with a latent vector :math:`x_u` per node and two heads produces, from noise
:math:`z \sim \mathcal N(0, \sigma^2 I)`, a fake *source neighbour* and a fake *target neighbour*
of :math:`u`:

.. math::
    \hat s_u = f_s(x_u + z), \qquad \hat t_u = f_t(x_u + z').

The discriminator learns real edges against fakes; for an edge :math:`(u, v)` and each end
:math:`w \in \{u, v\}` it rejects the two fake pairs of :math:`w` (DeepFGRN's four negative terms,
weights ``[1, 1, 1, 1]``):

.. math::
    L_D = -\log D(u, v) - \sum_{w \in \{u, v\}} \left[\log(1 - \sigma(\hat s_w^\top t_w))
        + \log(1 - \sigma(s_w^\top \hat t_w))\right] + \lambda_D \lVert\theta_D\rVert^2

and the generator tries to pass its fakes off as real:

.. math::
    L_G = -\log \sigma(\hat s_w^\top t_w) - \log \sigma(s_w^\top \hat t_w)
        + \lambda_G \lVert\theta_G\rVert^2.

Training alternates ``d_epochs`` discriminator passes over the edges and ``g_epochs`` generator
passes over the nodes, ``epochs`` times (DeepFGRN: 4 rounds of 6 + 3 passes, noise
:math:`\sigma = 1`, L2 weight :math:`10^{-5}`). The embedding is the discriminator's
:math:`(s, t)`; DeepFGRN min-max scales it before the classifier (:meth:`DGGANEmbedder.scaled`).

Where we depart from DeepFGRN's reference code (facts from its ``dggan*`` files; no code reused):

* It feeds every embedding through a small CNN inside the discriminator and uses a
  deconvolutional generator, with raw (un-squashed) scores; we use the original DGGAN form above:
  the dot product under a sigmoid and a one-hidden-layer MLP per generator head.
* It trains with RMSProp (learning rate :math:`10^{-4}`) on batches of 4 edges; a CPU run of that
  on ~8,000 edges is tens of thousands of steps, so we train **vectorised** on batches of
  ``batch_size`` edges with Adam and a larger step. Same alternating schedule, far fewer steps.
* Dimension: DeepFGRN used ``n_emb = 224`` for E. coli cold/heat/oxidative and the human sets,
  192 for E. coli lactose and 128 for DREAM5; the default here is 224.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from xatgrn.errors import NotFittedError, input_error
from xatgrn.graph.hermitian import as_edge_index
from xatgrn.utils import progress, resolve_device

log = logging.getLogger(__name__)

__all__ = ["DGGAN", "DGGANConfig", "DGGANEmbedder"]


@dataclass
class DGGANConfig:
    """DGGAN hyper-parameters (DeepFGRN's values where they carry over; see the module doc).

    Args:
        dim: width of each embedding (source, target, generator latent). (default: ``224``,
            DeepFGRN's ``n_emb`` for E. coli and human)
        epochs: alternating rounds. (default: ``4``, DeepFGRN's ``n_epoch``)
        d_epochs: discriminator passes over the edges per round. (default: ``6``)
        g_epochs: generator passes over the nodes per round. (default: ``3``)
        batch_size: edges (discriminator) or nodes (generator) per step; DeepFGRN used 4, we
            vectorise. (default: ``256``)
        lr_d: Adam learning rate of the discriminator (DeepFGRN: RMSProp 1e-4 at batch 4).
            (default: ``3e-3``)
        lr_g: Adam learning rate of the generator. (default: ``1e-3``)
        l2_d: :math:`\\lambda_D`. (default: ``1e-5``, DeepFGRN's ``lambda_dis``)
        l2_g: :math:`\\lambda_G`. (default: ``1e-5``, DeepFGRN's ``lambda_gen``)
        noise_sigma: std of the generator noise. (default: ``1.0``, DeepFGRN's ``sig``)
        seed: every random choice (initialisation, batch order, noise).
        device: ``"auto"``, ``"cpu"``, ``"cuda[:i]"``.
        progress: progress bar over rounds.
    """

    dim: int = 224
    epochs: int = 4
    d_epochs: int = 6
    g_epochs: int = 3
    batch_size: int = 256
    lr_d: float = 3e-3
    lr_g: float = 1e-3
    l2_d: float = 1e-5
    l2_g: float = 1e-5
    noise_sigma: float = 1.0
    seed: int = 0
    device: str = "auto"
    progress: bool = True


def _check_config(cfg: DGGANConfig) -> None:
    for name in ("dim", "batch_size"):
        if getattr(cfg, name) < 1:
            raise input_error(
                f"DGGANConfig.{name} must be >= 1, got {getattr(cfg, name)}",
                fix=f"use a positive {name}",
            )
    for name in ("epochs", "d_epochs", "g_epochs"):
        if getattr(cfg, name) < 0:
            raise input_error(
                f"DGGANConfig.{name} must be >= 0, got {getattr(cfg, name)}",
                fix=f"use a non-negative {name}",
            )


class DGGAN(nn.Module):
    r"""Discriminator embeddings :math:`(s, t)` and the two-headed generator.

    Args:
        num_nodes: number of nodes :math:`N`.
        dim: embedding width :math:`d`.

    Shapes:
        - :meth:`edge_logits`: ``src, dst`` ``(B,)`` → ``(B,)`` logits :math:`s_u^\top t_v`.
        - :meth:`fakes`: ``nodes`` ``(B,)``, ``noise`` ``(2, B, d)`` → fake source and fake
          target neighbours, each ``(B, d)``.
    """

    def __init__(self, num_nodes: int, dim: int) -> None:
        super().__init__()
        self.source = nn.Parameter(torch.empty(num_nodes, dim))
        self.target = nn.Parameter(torch.empty(num_nodes, dim))
        self.latent = nn.Parameter(torch.empty(num_nodes, dim))
        self.gen_source = nn.Sequential(nn.Linear(dim, dim), nn.LeakyReLU(0.2), nn.Linear(dim, dim))
        self.gen_target = nn.Sequential(nn.Linear(dim, dim), nn.LeakyReLU(0.2), nn.Linear(dim, dim))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Xavier-normal embeddings (as DGGAN/DeepFGRN), default init for the generator MLPs."""
        for p in (self.source, self.target, self.latent):
            nn.init.xavier_normal_(p)
        for head in (self.gen_source, self.gen_target):
            for layer in head:
                if isinstance(layer, nn.Linear):
                    layer.reset_parameters()

    def discriminator_parameters(self) -> list[nn.Parameter]:
        return [self.source, self.target]

    def generator_parameters(self) -> list[nn.Parameter]:
        return [self.latent, *self.gen_source.parameters(), *self.gen_target.parameters()]

    def edge_logits(self, src: Tensor, dst: Tensor) -> Tensor:
        """:math:`s_u^\\top t_v` for edges ``src[i] -> dst[i]``."""
        return (self.source[src] * self.target[dst]).sum(-1)

    def fakes(self, nodes: Tensor, noise: Tensor) -> tuple[Tensor, Tensor]:
        """Fake source neighbour :math:`\\hat s` and fake target neighbour :math:`\\hat t`."""
        x = self.latent[nodes]
        return self.gen_source(x + noise[0]), self.gen_target(x + noise[1])


def _bce(logits: Tensor, target: float) -> Tensor:
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, target))


class DGGANEmbedder:
    """Fit DGGAN on one directed graph; read ``source_`` / ``target_``; score edges.

    scikit-learn style: ``__init__`` stores the config, :meth:`fit` learns and returns ``self``.
    Fit it on the edges a method may read (a fold's training edges in the inductive protocol).

    Example:
        >>> emb = DGGANEmbedder(DGGANConfig(dim=8, epochs=1, progress=False))
        >>> emb = emb.fit(np.array([[0, 1, 2], [1, 2, 0]]), num_nodes=4)
        >>> emb.source_.shape
        (4, 8)
    """

    def __init__(self, config: DGGANConfig | None = None) -> None:
        self.config = config

    def fit(self, edge_index: Tensor | np.ndarray, num_nodes: int) -> DGGANEmbedder:
        """Learn source/target embeddings of ``edge_index`` (``2 x E``, row 0 → row 1)."""
        cfg = self.config if self.config is not None else DGGANConfig()
        _check_config(cfg)
        ei = as_edge_index(edge_index, num_nodes)
        ei = torch.unique(ei, dim=1) if ei.numel() else ei  # one term per distinct edge
        device = resolve_device(cfg.device)
        t0 = time.perf_counter()
        n, m, d = num_nodes, ei.shape[1], cfg.dim
        gen = torch.Generator().manual_seed(int(cfg.seed))
        devices = [device.index or 0] if device.type == "cuda" else []
        history: list[dict[str, float]] = []
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed(int(cfg.seed))
            model = DGGAN(n, d).to(device)
        opt_d = torch.optim.Adam(model.discriminator_parameters(), lr=cfg.lr_d)
        opt_g = torch.optim.Adam(model.generator_parameters(), lr=cfg.lr_g)
        src_all, dst_all = ei[0].to(device), ei[1].to(device)

        def noise(b: int) -> Tensor:
            return (torch.randn(2, b, d, generator=gen) * cfg.noise_sigma).to(device)

        rounds = progress(range(cfg.epochs), enabled=cfg.progress, desc="DGGAN", leave=False)
        for epoch in rounds:
            d_loss = g_loss = 0.0
            d_steps = g_steps = 0
            if m:
                for _ in range(cfg.d_epochs):
                    order = torch.randperm(m, generator=gen).to(device)
                    for batch in torch.split(order, cfg.batch_size):
                        u, v = src_all[batch], dst_all[batch]
                        ends = torch.cat([u, v])
                        with torch.no_grad():
                            fs, ft = model.fakes(ends, noise(ends.numel()))
                        loss = (
                            _bce(model.edge_logits(u, v), 1.0)
                            + 2.0 * _bce((fs * model.target[ends]).sum(-1), 0.0)
                            + 2.0 * _bce((model.source[ends] * ft).sum(-1), 0.0)
                            + cfg.l2_d
                            * (
                                model.source[ends].square().sum()
                                + model.target[ends].square().sum()
                            )
                            / ends.numel()
                        )
                        opt_d.zero_grad(set_to_none=True)
                        loss.backward()
                        opt_d.step()
                        d_loss += float(loss.detach())
                        d_steps += 1
            for _ in range(cfg.g_epochs):
                order = torch.randperm(n, generator=gen).to(device)
                for nodes in torch.split(order, cfg.batch_size):
                    fs, ft = model.fakes(nodes, noise(nodes.numel()))
                    s_w, t_w = model.source[nodes].detach(), model.target[nodes].detach()
                    loss = (
                        _bce((fs * t_w).sum(-1), 1.0)
                        + _bce((s_w * ft).sum(-1), 1.0)
                        + cfg.l2_g * model.latent[nodes].square().sum() / nodes.numel()
                    )
                    opt_g.zero_grad(set_to_none=True)
                    loss.backward()
                    opt_g.step()
                    g_loss += float(loss.detach())
                    g_steps += 1
            history.append(
                {
                    "epoch": epoch,
                    "d_loss": d_loss / max(d_steps, 1),
                    "g_loss": g_loss / max(g_steps, 1),
                    "seconds": time.perf_counter() - t0,
                }
            )
        self.model_ = model.cpu().eval()
        self.num_nodes_ = n
        self.edge_index_ = ei
        self.source_ = model.source.detach().numpy().astype(np.float32, copy=True)
        self.target_ = model.target.detach().numpy().astype(np.float32, copy=True)
        self.history_ = history
        self.fit_seconds_ = time.perf_counter() - t0
        log.info(
            "DGGAN: %d nodes, %d edges, dim %d, %d rounds in %.1f s on %s",
            n,
            m,
            d,
            cfg.epochs,
            self.fit_seconds_,
            device,
        )
        return self

    def _fitted(self) -> None:
        if getattr(self, "source_", None) is None:
            raise NotFittedError("DGGANEmbedder", "call fit(edge_index, num_nodes)")

    def score(self, src: Any, dst: Any) -> np.ndarray:
        """Discriminator probability :math:`\\sigma(s_u^\\top t_v)` of edges ``src -> dst``."""
        self._fitted()
        s = self.source_[np.asarray(src, dtype=np.int64)]
        t = self.target_[np.asarray(dst, dtype=np.int64)]
        return 1.0 / (1.0 + np.exp(-np.einsum("ij,ij->i", s, t, dtype=np.float64)))

    def scaled(self) -> tuple[np.ndarray, np.ndarray]:
        """Source and target embeddings min-max scaled to [0, 1] per dimension (DeepFGRN's
        classifier input; a constant dimension maps to 0)."""
        self._fitted()
        return _minmax(self.source_), _minmax(self.target_)


def _minmax(x: np.ndarray) -> np.ndarray:
    lo = x.min(axis=0, keepdims=True)
    span = x.max(axis=0, keepdims=True) - lo
    span = np.where(span == 0.0, 1.0, span)
    return ((x - lo) / span).astype(np.float32)
