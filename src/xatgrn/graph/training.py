r"""Self-supervised DUPLEX training: sampled non-edges, the loss (eq 20), early stopping.

.. math::
    L = L_d + \lambda_t L_c, \qquad \lambda_t = \lambda (1 - q)^t \hfill \text{(eq 20)}

:math:`L_d` is the cross-entropy of the 4-state direction decoder and :math:`L_c` the binary
cross-entropy of the connection decoder (:mod:`xatgrn.graph.decoders`), over the graph's node
pairs plus non-edges sampled afresh every epoch (``neg_ratio`` per pair; the "none" samples are
weighted by ``1 / neg_ratio`` so both sides weigh the same). Early stopping watches the loss on a
validation split of *the given edges* (removed from the message-passing graph while training)
plus sampled non-edges of the given graph, and nothing else: held-out data of the caller is
never touched. The final embeddings are computed in eval mode (no dropout) over the whole given
graph.

Inputs arrive validated (:class:`~xatgrn.graph.embedder.DuplexEmbedder` checks them), so this
module does no input checking. The order of every random draw here is part of the results
(cached embeddings, reproduced benchmark numbers): change it only on purpose.
"""

from __future__ import annotations

import math
import time
from typing import Any, NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor

from xatgrn.graph.config import DuplexConfig
from xatgrn.graph.conv import DuplexGraph, PairIndex
from xatgrn.graph.decoders import distance_logits, pair_terms
from xatgrn.graph.encoder import DuplexEncoder
from xatgrn.graph.hermitian import PairState
from xatgrn.utils import progress, rng

__all__ = ["DuplexFit", "sample_non_edges", "train_duplex"]


class DuplexFit(NamedTuple):
    """What :func:`train_duplex` learned."""

    model: DuplexEncoder  #: the encoder at its best epoch, in eval mode, on the training device
    amplitude: Tensor  #: final amplitude embeddings over the whole graph (``N x out_dim``)
    phase: Tensor  #: final phase embeddings (``N x out_dim``)
    history: list[dict[str, float]]  #: one record per epoch (losses, lambda, seconds, ...)
    best_epoch: int  #: the epoch whose weights were kept
    n_val: int  #: linked pairs held out for early stopping


def sample_non_edges(sym_keys: Tensor, n: int, count: int, gen: torch.Generator) -> Tensor:
    """``count`` ordered pairs ``u != v`` not linked either way (``sym_keys``: sorted u*N+v)."""
    n_free = n * (n - 1) - sym_keys.numel() + int((sym_keys // n == sym_keys % n).sum())
    if count <= 0 or n_free <= 0:
        return torch.empty(2, 0, dtype=torch.long)
    if n_free < 0.25 * n * n:  # dense graph: enumerate the few non-edges, then draw
        all_keys = torch.arange(n * n)
        free = all_keys[~torch.isin(all_keys, sym_keys) & (all_keys // n != all_keys % n)]
        keys = free[torch.randint(free.numel(), (count,), generator=gen)]
    else:
        got, need = [], count
        while need > 0:
            k = torch.randint(n * n, (int(need * 1.3 * n * n / n_free) + 8,), generator=gen)
            pos = torch.searchsorted(sym_keys, k).clamp_(max=max(sym_keys.numel() - 1, 0))
            hit = sym_keys[pos] == k if sym_keys.numel() else torch.zeros_like(k, dtype=torch.bool)
            k = k[~hit & (k // n != k % n)][:need]
            got.append(k)
            need -= k.numel()
        keys = torch.cat(got)
    return torch.stack([keys // n, keys % n])


def train_duplex(
    cfg: DuplexConfig,
    edge_index: Tensor,
    pairs: Tensor,
    state: Tensor,
    num_nodes: int,
    features: Tensor | None,
    device: torch.device,
    started: float,
) -> DuplexFit:
    """Train a :class:`~xatgrn.graph.encoder.DuplexEncoder` on one directed graph.

    Args:
        cfg: validated hyper-parameters.
        edge_index: the directed edges (``2 x E``, CPU long), validated.
        pairs, state: its linked node pairs without self-loops and their
            :class:`~xatgrn.graph.hermitian.PairState` (from
            :func:`~xatgrn.graph.hermitian.hermitian_edges`); at least one pair.
        num_nodes: number of nodes :math:`N`.
        features: optional node features (``N x F``).
        device: where to train.
        started: ``time.perf_counter()`` at the start of the fit (history ``seconds`` count
            from it).
    """
    ei, n, m = edge_index, num_nodes, pairs.shape[1]
    order = torch.from_numpy(rng(cfg.seed).permutation(m))
    n_val = min(round(cfg.val_fraction * m), m - 1)
    val_idx, tr_idx = order[:n_val], order[n_val:]
    und = torch.minimum(ei[0], ei[1]) * n + torch.maximum(ei[0], ei[1])
    val_keys = pairs[0, val_idx] * n + pairs[1, val_idx]
    train_graph = DuplexGraph.from_edges(ei[:, ~torch.isin(und, val_keys)], n).to(device)
    full_graph = DuplexGraph.from_edges(ei, n).to(device)
    sym_keys = torch.unique(torch.cat([ei[0] * n + ei[1], ei[1] * n + ei[0]]))
    gen = torch.Generator().manual_seed(int(cfg.seed))
    w_none = 1.0 / cfg.neg_ratio
    n_neg = max(1, round(cfg.neg_ratio * tr_idx.numel()))
    val = None
    if n_val > 0:
        vneg = sample_non_edges(sym_keys, n, max(1, round(cfg.neg_ratio * n_val)), gen)
        val = _batch(pairs[:, val_idx], state[val_idx], vneg, w_none, n, device)
    tr_pos, tr_state = pairs[:, tr_idx], state[tr_idx]

    devices = []
    if device.type == "cuda":
        devices = [device.index if device.index is not None else torch.cuda.current_device()]
    with torch.random.fork_rng(devices=devices, device_type=device.type):
        torch.manual_seed(int(cfg.seed))
        model = DuplexEncoder(n, cfg, 0 if features is None else features.shape[1])
        if features is not None:
            model.features.copy_(features)
        model.to(device)
        opt = torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
        history: list[dict[str, float]] = []
        best, best_epoch, best_state = math.inf, 0, None
        bar = progress(range(cfg.max_epochs), enabled=cfg.progress, desc="DUPLEX", leave=False)
        for epoch in bar:
            lam_t = cfg.lam * (1.0 - cfg.q) ** epoch
            neg = sample_non_edges(sym_keys, n, n_neg, gen)
            batch = _batch(tr_pos, tr_state, neg, w_none, n, device)
            model.train()
            opt.zero_grad(set_to_none=True)
            amp, ph = model(train_graph)
            l_d, l_c, _ = _losses(amp, ph, batch)
            loss = l_d + lam_t * l_c
            loss.backward()
            opt.step()
            rec = {"epoch": epoch, "loss": loss.item(), "loss_d": l_d.item()}
            rec.update(loss_c=l_c.item(), lam=lam_t)
            monitored = rec["loss"] if val is None else None
            if val is not None and (epoch % cfg.eval_every == 0 or epoch == cfg.max_epochs - 1):
                model.eval()
                with torch.no_grad():
                    amp, ph = model(train_graph)
                    v_d, v_c, v_acc = _losses(amp, ph, val, accuracy=True)
                monitored = (v_d + cfg.lam * v_c).item()
                rec.update(val_loss=monitored, val_acc=v_acc)
            rec["seconds"] = time.perf_counter() - started
            history.append(rec)
            if monitored is not None and monitored < best:
                best, best_epoch = monitored, epoch
                best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            if epoch - best_epoch >= cfg.patience:
                break
        if best_state is not None:
            model.load_state_dict(best_state)
        model.eval()
        with torch.no_grad():
            amp, ph = model(full_graph)
    return DuplexFit(model, amp, ph, history, best_epoch, n_val)


def _batch(
    pos: Tensor, state: Tensor, neg: Tensor, w_none: float, n: int, device: torch.device
) -> dict[str, Any]:
    """Positive pairs with their states + negatives (state absent, weight ``w_none``)."""
    src = torch.cat([pos[0], neg[0]])
    dst = torch.cat([pos[1], neg[1]])
    target = torch.cat([state, torch.full((neg.shape[1],), PairState.ABSENT, dtype=torch.long)])
    weight = torch.cat([torch.ones(pos.shape[1]), torch.full((neg.shape[1],), w_none)])
    index = PairIndex.build(src.to(device), dst.to(device), n)
    return {
        "index": index,
        "target": target.to(device),
        "weight": (weight / weight.sum()).to(device),
    }


def _losses(
    amp: Tensor, ph: Tensor, b: dict[str, Tensor], accuracy: bool = False
) -> tuple[Tensor, Tensor, float]:
    """Weighted ``L_d`` (4-state cross-entropy), ``L_c`` (link BCE), and 4-state accuracy if asked."""
    re, im, conn = pair_terms(amp, ph, b["index"])
    logits = distance_logits(re, im)
    w = b["weight"]
    l_d = (F.cross_entropy(logits, b["target"], reduction="none") * w).sum()
    link = (b["target"] != PairState.ABSENT).to(amp.dtype)
    l_c = (F.binary_cross_entropy_with_logits(conn, link, reduction="none") * w).sum()
    acc = (logits.argmax(-1) == b["target"]).float().mean().item() if accuracy else math.nan
    return l_d, l_c, acc
