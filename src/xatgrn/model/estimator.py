"""The XATGRN estimator: fit on expression + prior, predict typed regulations, save / load.

It keeps the estimator contract (:mod:`xatgrn.core.contract`): ``__init__`` only stores the
configuration; ``fit`` / ``fit_pairs`` learn and return ``self``; fitted state lives in
attributes ending in ``_``. Genes are addressed by name.

``fit`` does, in order (method.md §1–3):

1. validate and align the inputs (:func:`xatgrn.data.validate.validate_data`);
2. preprocess the expression (a per-sample transform: it uses no labels and no other sample);
3. build labelled pairs: every prior edge (activation 2, repression 1) plus sampled non-edges
   (none 0); optionally hold out a stratified fraction of pairs to report held-out quality;
4. fit the DUPLEX graph embedding on the **training** edges only (held-out edges never reach it);
5. train the Conv1D classifier on the training pairs with the shared trainer.

Saving and loading: :mod:`xatgrn.model.persist`; scoring every candidate pair:
:mod:`xatgrn.model.scoring`.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import torch

from xatgrn.core.contract import Estimator
from xatgrn.errors import input_error
from xatgrn.graph.embedder import DuplexEmbedder
from xatgrn.model.config import FitConfig
from xatgrn.model.scoring import NetworkPredictor
from xatgrn.model.xatgrn import XATGRNNet
from xatgrn.train import resolve_device, torch_seed, train_classifier

log = logging.getLogger(__name__)

__all__ = ["XATGRN"]


class XATGRN(NetworkPredictor, Estimator):
    """Typed GRN classifier: fusion cross-attention + DUPLEX graph embedding + Conv1D head.

    Example::

        model = XATGRN(fast_profile()).fit(expression, regulations)
        network = model.predict_network()          # ranked typed edge list
        model.save("model/"); XATGRN.load("model/")

    Fitted attributes (besides the contract's): ``net_`` (the classifier, eval mode, CPU),
    ``graph_`` (the ``[amplitude | phase]`` table of the genes, or ``None``), ``embedder_`` (the
    DUPLEX embedder when it was fitted here), ``train_result_``, ``pairs_`` (the labelled pairs
    with their ``split``), ``holdout_metrics_`` / ``holdout_curve_`` (after ``fit`` with a
    holdout), ``input_sources_`` (the input files' paths and SHA-256 when known).
    """

    name: ClassVar[str] = "XATGRN"
    accepts_graph: ClassVar[bool] = True
    fit_hint: ClassVar[str] = "call fit() or XATGRN.load()"

    def __init__(self, config: FitConfig | None = None) -> None:
        super().__init__(config)

    @classmethod
    def default_config(cls) -> FitConfig:
        return FitConfig()

    def get_params(self) -> dict[str, Any]:
        return {"config": self.config}

    # -- fitting --------------------------------------------------------------------------
    def _fit_pairs(
        self,
        pairs: pd.DataFrame,
        train_rows: np.ndarray,
        graph_edges: pd.DataFrame,
        graph: np.ndarray | None,
    ) -> None:
        """Graph embedding (on ``graph_edges`` unless a table is given), then the classifier."""
        pairs = pairs.copy()
        pairs["reg_idx"] = self.positions(pairs["regulator"], "regulator")
        pairs["tgt_idx"] = self.positions(pairs["target"], "target")
        edge_index = np.stack(
            [
                self.positions(graph_edges["regulator"], "regulator"),
                self.positions(graph_edges["target"], "target"),
            ]
        )
        self._fit_graph(edge_index, graph)
        self._fit_classifier(pairs, train_rows)
        self.pairs_ = pairs.assign(split="unused")
        self.pairs_.loc[train_rows, "split"] = "train"

    def _fit_graph(self, edge_index: np.ndarray, graph: np.ndarray | None) -> None:
        """``graph_``: the given table, or DUPLEX fitted on ``edge_index`` (2 x E positions)."""
        cfg = self._cfg
        n = len(self.genes_)
        self.embedder_ = None
        self.graph_ = None
        if cfg.network.mode not in ("both", "graph"):
            return
        if graph is not None:
            graph = np.asarray(graph, dtype=np.float32)
            if graph.ndim != 2 or graph.shape[0] != n:
                raise input_error(
                    f"precomputed graph table has shape {graph.shape}, expected ({n}, 2*d)",
                    fix="pass the [amplitude | phase] table for the aligned, sorted genes",
                )
            self.graph_ = torch.as_tensor(graph)
            return
        gcfg = dataclasses.replace(
            cfg.graph, seed=self.seeds_["graph"], device=cfg.device, progress=cfg.progress
        )
        self.embedder_ = DuplexEmbedder(gcfg).fit(edge_index, n)
        table = np.concatenate([self.embedder_.amplitude, self.embedder_.phase], axis=1)
        self.graph_ = torch.as_tensor(table, dtype=torch.float32)

    def _fit_classifier(self, pairs: pd.DataFrame, train_rows: np.ndarray) -> None:
        cfg = self._cfg
        device = resolve_device(cfg.device)
        with torch_seed(self.seeds_["train"]):
            self.net_ = self._build_net()
        expr_t = torch.tensor(self.expression_.to_numpy(dtype=np.float32))
        self._expr_t = expr_t
        reg_t = torch.tensor(pairs["reg_idx"].to_numpy(), dtype=torch.long)
        tgt_t = torch.tensor(pairs["tgt_idx"].to_numpy(), dtype=torch.long)
        expr_d = expr_t.to(device)
        graph_d = self.graph_.to(device) if self.graph_ is not None else None

        def forward(rows: torch.Tensor) -> torch.Tensor:
            return self.net_(expr_d, graph_d, reg_t[rows].to(device), tgt_t[rows].to(device))

        tcfg = dataclasses.replace(
            cfg.train, seed=self.seeds_["train"], device=cfg.device, progress=cfg.progress
        )
        result = train_classifier(
            self.net_, forward, pairs["label"].to_numpy(), train_rows, None, tcfg
        )
        self.net_ = result.model.cpu().eval()
        self.train_result_ = result

    def _build_net(self) -> XATGRNNet:
        cfg = self._cfg
        use_graph = cfg.network.mode in ("both", "graph")
        graph_dim = int(self.graph_.shape[1]) if (use_graph and self.graph_ is not None) else None
        return XATGRNNet(len(self.samples_), graph_dim, cfg.network)

    # -- prediction -----------------------------------------------------------------------
    def _is_fitted(self) -> bool:
        return hasattr(self, "net_")

    def _gene_cache(self, n_pairs: int = 0, compile_trees: str = "auto") -> Any:
        """Per-gene work (token projections, graph segments), computed once for all pairs, on
        the network's device (move ``net_`` to a GPU to score there). No trees to compile."""
        device = next(self.net_.parameters()).device
        expr = getattr(self, "_expr_t", None)
        if expr is None:
            expr = torch.tensor(self.expression_.to_numpy(dtype=np.float32))
            self._expr_t = expr
        graph = None if self.graph_ is None else self.graph_.to(device)
        with torch.no_grad():
            return self.net_.eval().encode_genes(expr.to(device), graph)

    def _proba(self, reg: np.ndarray, tgt: np.ndarray, batch_size: int = 8192) -> np.ndarray:
        """float32 probabilities, ``batch_size`` pairs per forward pass."""
        return self._proba_idx(self._gene_cache(), reg, tgt, batch_size)

    def _proba_idx(self, cache: Any, reg: np.ndarray, tgt: np.ndarray, batch_size: int) -> Any:
        out = np.empty((len(reg), 3), dtype=np.float32)
        device = next(self.net_.parameters()).device
        with torch.no_grad():
            for s in range(0, len(reg), batch_size):
                r = torch.as_tensor(reg[s : s + batch_size]).to(device)
                t = torch.as_tensor(tgt[s : s + batch_size]).to(device)
                out[s : s + batch_size] = (
                    torch.softmax(self.net_.forward_cached(cache, r, t), 1).cpu().numpy()
                )
        return out

    # -- persistence ----------------------------------------------------------------------
    def _state_arrays(self) -> dict[str, np.ndarray]:
        arrays = {f"net.{k}": v.detach().cpu().numpy() for k, v in self.net_.state_dict().items()}
        arrays["expression"] = self.expression_.to_numpy(dtype=np.float32)
        if self.graph_ is not None:
            arrays["graph"] = self.graph_.numpy()
        return arrays

    def _state_files(self) -> dict[str, str]:
        return {}

    def _restore_state(self, arrays: dict[str, np.ndarray], directory: Path) -> None:
        graph = arrays.get("graph")
        self.graph_ = None if graph is None else torch.from_numpy(graph)
        self.embedder_ = None
        self.net_ = self._build_net()
        state = {k[4:]: torch.from_numpy(v) for k, v in arrays.items() if k.startswith("net.")}
        self.net_.load_state_dict(state, strict=True)
        self.net_.eval()

    def _metadata_extra(self) -> dict[str, Any]:
        return {"torch_version": torch.__version__}
