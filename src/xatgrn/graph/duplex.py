r"""DUPLEX: dual GAT complex embedding of a directed graph (XATGRN eqs 6–20).

Each node gets a complex embedding :math:`x_u = a_u \odot \exp(i \frac{\pi}{2} \theta_u)` (eq 9):
amplitude :math:`a_u` and phase :math:`\theta_u` (``out_dim`` each), computed by the fused dual GAT
of :mod:`xatgrn.graph.conv` and trained, self-supervised, to reconstruct the Hermitian adjacency
(:mod:`xatgrn.graph.hermitian`) through two parameter-free decoders:

.. math::
    \hat H_{uv} &= x_u^\top \bar x_v = \sum_k a_{uk} a_{vk}
        \exp\!\left(i \tfrac{\pi}{2} (\theta_{uk} - \theta_{vk})\right)

    P(\hat H_{uv} = r) &= \frac{\exp(-|\hat H_{uv} - r|)}{\sum_{r'} \exp(-|\hat H_{uv} - r'|)},
        \quad r \in \{i, -i, 1, 0\} \hfill \text{(eqs 15–17, direction-aware)}

    P(A_s(u, v) = 1) &= \sigma(a_u^\top a_v) \hfill \text{(eqs 18–19, connection-aware)}

    L &= L_d + \lambda_t L_c, \qquad \lambda_t = \lambda (1 - q)^t \hfill \text{(eq 20)}

:math:`L_d` is the cross-entropy of the 4-state decoder and :math:`L_c` the binary cross-entropy of
the connection decoder, over the graph's node pairs plus non-edges sampled afresh every epoch
(``neg_ratio`` per pair; the "none" samples are weighted by ``1 / neg_ratio`` so both sides weigh
the same). Early stopping watches the loss on a validation split of *the given edges* (removed from
the message-passing graph while training) plus sampled non-edges of the given graph, and nothing
else: held-out data of the caller is never touched. The final embeddings are computed in eval mode
(no dropout) over the whole given graph.
"""

from __future__ import annotations

import json
import logging
import math
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from xatgrn.errors import input_error
from xatgrn.graph.conv import DuplexConv, DuplexGraph, PairIndex, fast_dropout
from xatgrn.graph.hermitian import NONE, STATE_VALUES, as_edge_index, hermitian_edges
from xatgrn.utils import atomic_path, atomic_write, progress, resolve_device, rng

log = logging.getLogger(__name__)

__all__ = [
    "PROFILES",
    "DuplexConfig",
    "DuplexEmbedder",
    "DuplexEncoder",
    "connection_logits",
    "direction_logits",
    "duplex_config",
    "hermitian_scores",
]

_FORMAT = "xatgrn.duplex"
_FORMAT_VERSION = 1
_EPS = 1e-9


@dataclass
class DuplexConfig:
    r"""DUPLEX hyper-parameters; defaults follow the paper and its reference code.

    Args:
        hidden: width of the hidden layers (per branch). (default: ``128``)
        out_dim: width of the amplitude and of the phase embedding. (default: ``128``)
        layers: dual GAT layers. (default: ``3``)
        heads: attention heads per branch (concatenated). (default: ``1``)
        dropout: dropout on every layer's input features. (default: ``0.5``)
        att_dropout: dropout on the attention coefficients (an addition; GAT-style attention
            dropout made the product decoders' training loss explode here). (default: ``0.0``)
        lr: Adam learning rate. (default: ``1e-3``)
        weight_decay: Adam weight decay (an addition). (default: ``0.0``)
        max_epochs: epoch limit. (default: ``3000``)
        patience: epochs without a better validation loss before stopping. (default: ``100``)
        eval_every: epochs between validation passes (an addition; ``1`` = every epoch).
        lam: :math:`\lambda`, weight of the connection loss (eq 20). (default: ``0.3``)
        q: decay rate of :math:`\lambda`, :math:`\lambda_t = \lambda (1-q)^t`. (default: ``1e-4``)
        fusion: ``"add"`` exchanges amplitude and phase at ``fusion_layer`` (eqs 13–14), or
            ``"none"``. (default: ``"add"``)
        fusion_layer: 0-based layer index of the fusion; layer 0 sees identical amplitude and
            phase inputs, so 1 is the first useful one. (default: ``1``)
        input: ``"learnable"`` per-node vectors, ``"random"`` a fixed random ``N x input_dim``
            matrix (the reference), or ``"none"`` (only ``node_features``).
        input_dim: width of the per-node input. (default: ``128``)
        neg_ratio: sampled non-edges per linked pair and epoch; "none" samples weigh
            ``1 / neg_ratio``. (default: ``1.0``)
        val_fraction: share of the given linked pairs held out for early stopping. (default: ``0.1``)
        seed: every random choice (split, negatives, initialisation, dropout). (default: ``0``)
        device: ``"auto"`` (CUDA when available), ``"cpu"``, ``"cuda[:i]"``.
        progress: show a progress bar over epochs. (default: ``True``)
    """

    hidden: int = 128
    out_dim: int = 128
    layers: int = 3
    heads: int = 1
    dropout: float = 0.5
    att_dropout: float = 0.0
    lr: float = 1e-3
    weight_decay: float = 0.0
    max_epochs: int = 3000
    patience: int = 100
    eval_every: int = 1
    lam: float = 0.3
    q: float = 1e-4
    fusion: str = "add"
    fusion_layer: int = 1
    input: str = "learnable"
    input_dim: int = 128
    neg_ratio: float = 1.0
    val_fraction: float = 0.1
    seed: int = 0
    device: str = "auto"
    progress: bool = True


#: named settings: ``paper`` = the paper/reference defaults; ``fast`` = what cross-validation
#: (one fit per fold) can afford: 2 layers, lr 3e-3, patience 50, validation every 2nd epoch
#: (see benchmarks/results/duplex for the measured speed and held-out quality of both)
PROFILES: dict[str, dict[str, Any]] = {
    "paper": {},
    "fast": {"layers": 2, "lr": 3e-3, "patience": 50, "max_epochs": 1000, "eval_every": 2},
}


def duplex_config(profile: str = "paper", **overrides: Any) -> DuplexConfig:
    """A :class:`DuplexConfig` from a named profile (:data:`PROFILES`) plus overrides."""
    if profile not in PROFILES:
        raise input_error(
            f"unknown DUPLEX profile {profile!r}", fix=f"use one of {sorted(PROFILES)}"
        )
    return DuplexConfig(**{**PROFILES[profile], **overrides})


def _check_config(cfg: DuplexConfig) -> None:
    """One validator for every hyper-parameter (sklearn style: checked in ``fit``)."""

    def bad(what: str, fix: str) -> None:
        raise input_error(f"DuplexConfig: {what}", fix=fix)

    for name in ("hidden", "out_dim", "layers", "heads", "max_epochs", "input_dim", "eval_every"):
        if int(getattr(cfg, name)) < 1:
            bad(f"{name}={getattr(cfg, name)} must be >= 1", f"set {name} to a positive integer")
    if cfg.hidden % cfg.heads or cfg.out_dim % cfg.heads:
        bad(f"heads={cfg.heads} must divide hidden and out_dim", "choose heads dividing both")
    for name in ("dropout", "att_dropout"):
        if not 0.0 <= getattr(cfg, name) < 1.0:
            bad(f"{name}={getattr(cfg, name)} outside [0, 1)", "use a probability in [0, 1)")
    if not 0.0 <= cfg.val_fraction < 1.0:
        bad(f"val_fraction={cfg.val_fraction} outside [0, 1)", "use a fraction in [0, 1)")
    if not 0.0 <= cfg.q < 1.0:
        bad(f"q={cfg.q} outside [0, 1)", "use a decay rate in [0, 1)")
    if cfg.lr <= 0 or cfg.neg_ratio <= 0 or cfg.lam < 0 or cfg.patience < 0:
        bad("lr and neg_ratio must be > 0, lam and patience >= 0", "fix the offending value")
    if cfg.fusion not in ("add", "none"):
        bad(f"fusion={cfg.fusion!r}", "use fusion='add' or fusion='none'")
    if cfg.fusion == "add" and not 0 <= cfg.fusion_layer < cfg.layers:
        bad(
            f"fusion_layer={cfg.fusion_layer} with {cfg.layers} layers",
            "use 0 <= fusion_layer < layers",
        )
    if cfg.input not in ("learnable", "random", "none"):
        bad(f"input={cfg.input!r}", "use input='learnable', 'random' or 'none'")


# --- decoders (parameter-free) ------------------------------------------------------------------


def _pair_terms(amp: Tensor, phase: Tensor, index: PairIndex) -> tuple[Tensor, Tensor, Tensor]:
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
    re, im, _ = _pair_terms(amp, phase, PairIndex.build(src, dst, amp.shape[0]))
    return re, im


def _distance_logits(re: Tensor, im: Tensor) -> Tensor:
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
    return _distance_logits(*hermitian_scores(amp, phase, src, dst))


def connection_logits(amp: Tensor, src: Tensor, dst: Tensor) -> Tensor:
    r"""Logit :math:`a_u^\top a_v` of the connection-aware decoder (eqs 18–19). Shapes: :math:`(P,)`."""
    return PairIndex.build(src, dst, amp.shape[0]).dot(amp, amp)


# --- encoder ------------------------------------------------------------------------------------


class DuplexEncoder(nn.Module):
    r"""Node inputs → stacked :class:`~xatgrn.graph.conv.DuplexConv` layers → amplitude, phase.

    .. math::
        h^{(0)}_u = [\,e_u \,\|\, f_u\,], \qquad
        (a, \theta)^{(l+1)} = \mathrm{ELU}\big(\mathrm{DuplexConv}_l(\mathrm{drop}(a, \theta)^{(l)})\big)

    with :math:`e_u` the learnable or fixed random input and :math:`f_u` optional node features
    (both branches start from :math:`h^{(0)}`); the last layer has no ELU.

    Args:
        num_nodes (int): number of nodes :math:`N`.
        cfg (DuplexConfig): sizes, dropout, fusion, input mode.
        feature_dim (int, optional): width of the optional node features. (default: ``0``)

    Shapes:
        - **input:** a :class:`~xatgrn.graph.conv.DuplexGraph` over :math:`N` nodes
        - **output:** amplitude :math:`(N, \text{out\_dim})`, phase :math:`(N, \text{out\_dim})`
    """

    def __init__(self, num_nodes: int, cfg: DuplexConfig, feature_dim: int = 0) -> None:
        super().__init__()
        self.num_nodes, self.dropout = num_nodes, cfg.dropout
        in_dim = (0 if cfg.input == "none" else cfg.input_dim) + feature_dim
        if in_dim == 0:
            raise input_error(
                "input='none' needs node_features", fix="pass node_features or set input"
            )
        if cfg.input == "learnable":
            self.embedding = nn.Parameter(torch.randn(num_nodes, cfg.input_dim))
        elif cfg.input == "random":
            gen = torch.Generator().manual_seed(int(cfg.seed))
            self.register_buffer("embedding", torch.randn(num_nodes, cfg.input_dim, generator=gen))
        else:
            self.embedding = None
        self.register_buffer("features", torch.zeros(num_nodes, feature_dim))
        dims = [in_dim] + [cfg.hidden] * (cfg.layers - 1) + [cfg.out_dim]
        self.convs = nn.ModuleList(
            DuplexConv(
                dims[i],
                dims[i + 1],
                heads=cfg.heads,
                dropout=cfg.att_dropout,
                fuse=cfg.fusion == "add" and i == cfg.fusion_layer,
            )
            for i in range(cfg.layers)
        )

    def forward(self, graph: DuplexGraph, *, fused: bool = True) -> tuple[Tensor, Tensor]:
        parts = [t for t in (self.embedding, self.features) if t is not None and t.shape[1]]
        h0 = parts[0] if len(parts) == 1 else torch.cat(parts, dim=1)
        x = h0.unsqueeze(0).expand(2, -1, -1)
        for i, conv in enumerate(self.convs):
            x = fast_dropout(x, self.dropout, self.training)
            x = conv(x, graph, fused=fused)
            if i < len(self.convs) - 1:
                x = F.elu(x)
        return x[0], x[1]


# --- the estimator ------------------------------------------------------------------------------


def _as_features(node_features: Any, num_nodes: int) -> Tensor | None:
    if node_features is None:
        return None
    if isinstance(node_features, Tensor):
        node_features = node_features.detach().cpu().numpy()
    f = torch.as_tensor(np.asarray(node_features, dtype=np.float32))
    if f.dim() != 2 or f.shape[0] != num_nodes:
        raise input_error(
            f"node_features has shape {tuple(f.shape)}; expected ({num_nodes}, F)",
            fix="pass one row of features per node, in node-index order",
        )
    if not bool(torch.isfinite(f).all()):
        row = int((~torch.isfinite(f)).any(1).nonzero()[0, 0])
        raise input_error(
            f"node_features row {row} is not finite", fix="impute or drop NaN/inf values"
        )
    return f


def _as_pairs(pairs: Any, num_nodes: int) -> Tensor:
    """``(P, 2)`` rows or a ``(2, P)`` edge-index-like array (``P != 2``) → ``2 x P`` long."""
    p = pairs.detach().cpu() if isinstance(pairs, Tensor) else torch.as_tensor(np.asarray(pairs))
    if p.dim() == 2 and p.shape[1] == 2:
        p = p.t()
    elif not (p.dim() == 2 and p.shape[0] == 2):
        raise input_error(
            f"pairs has shape {tuple(p.shape)}; expected (P, 2) or (2, P)",
            fix="pass one (u, v) node-index pair per row",
        )
    return as_edge_index(p, num_nodes, name="pairs")


def _sample_non_edges(sym_keys: Tensor, n: int, count: int, gen: torch.Generator) -> Tensor:
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


class DuplexEmbedder:
    """Fit DUPLEX on one directed graph; read ``amplitude`` / ``phase``; score node pairs.

    scikit-learn style: ``__init__`` stores the config, ``fit`` learns (returns ``self``),
    fitted state ends in ``_``. Fit on the training edges of a fold to keep test edges unseen.

    Example:
        >>> emb = DuplexEmbedder(DuplexConfig(max_epochs=50, progress=False))
        >>> emb = emb.fit(np.array([[0, 1, 2], [1, 2, 0]]), num_nodes=4)
        >>> emb.amplitude.shape
        (4, 128)
    """

    def __init__(self, config: DuplexConfig | None = None) -> None:
        self.config = config

    # -- fitted state -------------------------------------------------------------------------
    def _fitted(self) -> None:
        if getattr(self, "amplitude_", None) is None:
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("DuplexEmbedder is not fitted: call fit(edge_index, num_nodes)")

    @property
    def amplitude(self) -> np.ndarray:
        """Amplitude embeddings :math:`a` (``N x out_dim``, float32)."""
        self._fitted()
        return self.amplitude_

    @property
    def phase(self) -> np.ndarray:
        r"""Phase embeddings :math:`\theta` (``N x out_dim``, float32; in units of :math:`\pi/2`)."""
        self._fitted()
        return self.phase_

    # -- training ------------------------------------------------------------------------------
    def fit(
        self,
        edge_index: Tensor | np.ndarray,
        num_nodes: int,
        node_features: np.ndarray | Tensor | None = None,
    ) -> DuplexEmbedder:
        """Learn embeddings of the directed graph ``edge_index`` (``2 x E``, row 0 → row 1)."""
        cfg = self.config if self.config is not None else DuplexConfig()
        _check_config(cfg)
        ei = as_edge_index(edge_index, num_nodes)
        feats = _as_features(node_features, num_nodes)
        device = resolve_device(cfg.device)
        pairs, state = hermitian_edges(ei, num_nodes)
        keep = pairs[0] != pairs[1]
        pairs, state = pairs[:, keep], state[keep]
        m = pairs.shape[1]
        if m == 0:
            raise input_error(
                "edge_index has no edge between two distinct nodes, so there is nothing to embed",
                fix="pass a graph with at least one edge u -> v, u != v",
            )
        n = num_nodes
        t0 = time.perf_counter()
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
            vneg = _sample_non_edges(sym_keys, n, max(1, round(cfg.neg_ratio * n_val)), gen)
            val = _batch(pairs[:, val_idx], state[val_idx], vneg, w_none, n, device)
        tr_pos, tr_state = pairs[:, tr_idx], state[tr_idx]

        devices = []
        if device.type == "cuda":
            devices = [device.index if device.index is not None else torch.cuda.current_device()]
        with torch.random.fork_rng(devices=devices, device_type=device.type):
            torch.manual_seed(int(cfg.seed))
            model = DuplexEncoder(n, cfg, 0 if feats is None else feats.shape[1])
            if feats is not None:
                model.features.copy_(feats)
            model.to(device)
            opt = torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
            history: list[dict[str, float]] = []
            best, best_epoch, best_state = math.inf, 0, None
            bar = progress(range(cfg.max_epochs), enabled=cfg.progress, desc="DUPLEX", leave=False)
            for epoch in bar:
                lam_t = cfg.lam * (1.0 - cfg.q) ** epoch
                neg = _sample_non_edges(sym_keys, n, n_neg, gen)
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
                rec["seconds"] = time.perf_counter() - t0
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
        self.num_nodes_ = n
        self.feature_dim_ = 0 if feats is None else feats.shape[1]
        self.model_ = model.cpu()
        self.edge_index_ = ei
        self.amplitude_ = amp.cpu().numpy().astype(np.float32, copy=False)
        self.phase_ = ph.cpu().numpy().astype(np.float32, copy=False)
        self.history_, self.best_epoch_ = history, best_epoch
        self.n_epochs_ = len(history)
        self.fit_seconds_ = time.perf_counter() - t0
        log.info(
            "DUPLEX: %d nodes, %d pairs (%d validation), %d epochs (best %d) in %.1f s on %s",
            n,
            m,
            n_val,
            self.n_epochs_,
            best_epoch,
            self.fit_seconds_,
            device,
        )
        return self

    # -- prediction ----------------------------------------------------------------------------
    def _scores(self, pairs: Any, fn: Any, chunk: int = 1 << 16) -> np.ndarray:
        self._fitted()
        p = _as_pairs(pairs, self.num_nodes_)
        amp, ph = torch.from_numpy(self.amplitude_), torch.from_numpy(self.phase_)
        with torch.no_grad():
            out = [
                fn(amp, ph, p[0, i : i + chunk], p[1, i : i + chunk])
                for i in range(0, p.shape[1], chunk)
            ]
        if not out:
            return fn(amp, ph, p[0], p[1]).numpy()
        return torch.cat(out).numpy()

    def predict_direction(self, pairs: Any) -> np.ndarray:
        """``P x 4`` probabilities of (forward, reverse, bidirectional, none) for pairs (u, v)."""
        return self._scores(
            pairs, lambda a, t, s, d: torch.softmax(direction_logits(a, t, s, d), -1)
        )

    def predict_connection(self, pairs: Any) -> np.ndarray:
        r""":math:`\sigma(a_u^\top a_v)`: probability that u and v are linked either way, ``(P,)``."""
        return self._scores(pairs, lambda a, t, s, d: torch.sigmoid(connection_logits(a, s, d)))

    # -- persistence ---------------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Write ``config.json`` and ``weights.safetensors`` into the directory ``path``."""
        from safetensors.torch import save_file

        self._fitted()
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        tensors = {f"model.{k}": v.contiguous() for k, v in self.model_.state_dict().items()}
        tensors.update(
            amplitude=torch.from_numpy(self.amplitude_),
            phase=torch.from_numpy(self.phase_),
            edge_index=self.edge_index_.contiguous(),
        )
        with atomic_path(path / "weights.safetensors") as tmp:
            save_file(tensors, str(tmp))
        meta = {
            "format": _FORMAT,
            "version": _FORMAT_VERSION,
            "config": asdict(self.config if self.config is not None else DuplexConfig()),
            "num_nodes": self.num_nodes_,
            "feature_dim": self.feature_dim_,
            "best_epoch": self.best_epoch_,
            "n_epochs": self.n_epochs_,
            "fit_seconds": self.fit_seconds_,
            "history": self.history_,
        }
        with atomic_write(path / "config.json") as fh:
            json.dump(meta, fh, indent=1)
        return path

    @classmethod
    def load(cls, path: str | Path) -> DuplexEmbedder:
        """Read a model written by :meth:`save` (JSON + safetensors: no code is executed)."""
        from safetensors.torch import load_file

        path = Path(path)
        cfg_file, w_file = path / "config.json", path / "weights.safetensors"
        for f in (cfg_file, w_file):
            if not f.is_file():
                raise input_error(
                    "missing file",
                    path=f,
                    fix="point to a directory written by DuplexEmbedder.save",
                )
        try:
            meta = json.loads(cfg_file.read_text())
        except json.JSONDecodeError as err:
            raise input_error(
                f"not valid JSON ({err.msg})",
                path=cfg_file,
                line=err.lineno,
                fix="re-save the model",
            ) from None
        if not isinstance(meta, dict) or meta.get("format") != _FORMAT:
            raise input_error(
                f"not a {_FORMAT} model",
                path=cfg_file,
                fix="point to a directory written by DuplexEmbedder.save",
            )
        if meta.get("version", 0) > _FORMAT_VERSION:
            raise input_error(
                f"format version {meta['version']} is newer than this xatgrn",
                path=cfg_file,
                fix="upgrade xatgrn",
            )
        known = {f.name for f in fields(DuplexConfig)}
        cfg = DuplexConfig(**{k: v for k, v in meta["config"].items() if k in known})
        tensors = load_file(str(w_file))
        self = cls(cfg)
        self.num_nodes_, self.feature_dim_ = int(meta["num_nodes"]), int(meta["feature_dim"])
        model = DuplexEncoder(self.num_nodes_, cfg, self.feature_dim_)
        model.load_state_dict({k[6:]: v for k, v in tensors.items() if k.startswith("model.")})
        self.model_ = model.eval()
        self.edge_index_ = tensors["edge_index"]
        self.amplitude_, self.phase_ = tensors["amplitude"].numpy(), tensors["phase"].numpy()
        self.history_, self.best_epoch_ = meta["history"], meta["best_epoch"]
        self.n_epochs_, self.fit_seconds_ = meta["n_epochs"], meta["fit_seconds"]
        return self

    def __repr__(self) -> str:
        return f"DuplexEmbedder({self.config!r})"


def _batch(
    pos: Tensor, state: Tensor, neg: Tensor, w_none: float, n: int, device: torch.device
) -> dict[str, Any]:
    """Positive pairs with their states + negatives (state none, weight ``w_none``)."""
    src = torch.cat([pos[0], neg[0]])
    dst = torch.cat([pos[1], neg[1]])
    target = torch.cat([state, torch.full((neg.shape[1],), NONE, dtype=torch.long)])
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
    re, im, conn = _pair_terms(amp, ph, b["index"])
    logits = _distance_logits(re, im)
    w = b["weight"]
    l_d = (F.cross_entropy(logits, b["target"], reduction="none") * w).sum()
    link = (b["target"] != NONE).to(amp.dtype)
    l_c = (F.binary_cross_entropy_with_logits(conn, link, reduction="none") * w).sum()
    acc = (logits.argmax(-1) == b["target"]).float().mean().item() if accuracy else math.nan
    return l_d, l_c, acc
