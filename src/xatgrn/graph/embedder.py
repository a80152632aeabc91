"""DuplexEmbedder: the scikit-learn style estimator around DUPLEX (fit, read, score, save, load).

The boundary of the graph layer: inputs are validated here, once, then handed to
:func:`~xatgrn.graph.training.train_duplex`. Persistence is JSON + safetensors, so loading a
model never executes code.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from xatgrn.errors import NotFittedError, input_error
from xatgrn.graph.config import DuplexConfig, check_duplex_config
from xatgrn.graph.decoders import connection_logits, direction_logits
from xatgrn.graph.encoder import DuplexEncoder
from xatgrn.graph.hermitian import as_edge_index, hermitian_edges
from xatgrn.graph.training import train_duplex
from xatgrn.utils import atomic_path, atomic_write, resolve_device

log = logging.getLogger(__name__)

__all__ = ["DuplexEmbedder"]

_FORMAT = "xatgrn.duplex"
_FORMAT_VERSION = 1


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
            raise NotFittedError("DuplexEmbedder", "call fit(edge_index, num_nodes)")

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
        check_duplex_config(cfg)
        ei = as_edge_index(edge_index, num_nodes)
        feats = _as_features(node_features, num_nodes)
        device = resolve_device(cfg.device)
        pairs, state = hermitian_edges(ei, num_nodes)
        keep = pairs[0] != pairs[1]
        pairs, state = pairs[:, keep], state[keep]
        if pairs.shape[1] == 0:
            raise input_error(
                "edge_index has no edge between two distinct nodes, so there is nothing to embed",
                fix="pass a graph with at least one edge u -> v, u != v",
            )
        t0 = time.perf_counter()
        fit = train_duplex(cfg, ei, pairs, state, num_nodes, feats, device, t0)
        self.num_nodes_ = num_nodes
        self.feature_dim_ = 0 if feats is None else feats.shape[1]
        self.model_ = fit.model.cpu()
        self.edge_index_ = ei
        self.amplitude_ = fit.amplitude.cpu().numpy().astype(np.float32, copy=False)
        self.phase_ = fit.phase.cpu().numpy().astype(np.float32, copy=False)
        self.history_, self.best_epoch_ = fit.history, fit.best_epoch
        self.n_epochs_ = len(fit.history)
        self.fit_seconds_ = time.perf_counter() - t0
        log.info(
            "DUPLEX: %d nodes, %d pairs (%d validation), %d epochs (best %d) in %.1f s on %s",
            num_nodes,
            pairs.shape[1],
            fit.n_val,
            self.n_epochs_,
            fit.best_epoch,
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
