"""The XATGRN estimator: fit on expression + prior, predict typed regulations, save / load.

scikit-learn style: ``__init__`` only stores the configuration; ``fit`` learns and returns
``self``; fitted state lives in attributes ending in ``_``. Genes are addressed by name.

``fit`` does, in order (method.md §1–3):

1. align the prior to the expression's genes and check it can train a 3-class model;
2. preprocess the expression (a per-sample transform: it uses no labels and no other sample);
3. build labelled pairs: every prior edge (activation 2, repression 1) plus sampled non-edges
   (none 0); optionally hold out a stratified fraction of pairs to report held-out quality;
4. fit the DUPLEX graph embedding on the **training** edges only (held-out edges never reach it);
5. train the Conv1D classifier on the training pairs with the shared trainer.

Saved models are a directory: ``model.safetensors`` (network weights, the gene tables it scores
with), ``config.json``, ``genes.json`` (gene and sample names), ``prior.tsv`` and
``metadata.json``. Loading reads tensors with safetensors and JSON with ``json``: nothing in
the directory is ever executed.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from xatgrn import __version__
from xatgrn.data import io as dio
from xatgrn.data.pairs import labelled_pairs, stratified_split
from xatgrn.data.preprocess import apply_preprocessing
from xatgrn.data.schema import CLASS_NAMES, EDGE_LIST_COLUMNS, LABELS, NONE
from xatgrn.errors import input_error
from xatgrn.evaluate.metrics import classification_metrics
from xatgrn.evaluate.selection import (
    CURVE_COLUMNS,
    selection_curve,
    selection_estimate,
    threshold_for_precision,
)
from xatgrn.graph.duplex import PROFILES as DUPLEX_PROFILES
from xatgrn.graph.duplex import DuplexConfig, DuplexEmbedder
from xatgrn.model.xatgrn import XATGRNConfig, XATGRNNet
from xatgrn.train import TrainConfig, resolve_device, torch_seed, train_classifier
from xatgrn.utils import atomic_path, atomic_write, progress

log = logging.getLogger(__name__)

MODEL_FILES = ("model.safetensors", "config.json", "genes.json", "prior.tsv", "metadata.json")
FORMAT_VERSION = 1


@dataclass
class FitConfig:
    """Everything ``XATGRN.fit`` needs; defaults follow the paper / reference code.

    Args:
        network: the classifier (fusion + graph features + Conv1D head).
        graph: the DUPLEX embedder.
        train: the shared trainer.
        n_negatives: exact number of sampled non-edges (benchmark: 2,046 / 6,000 / 7,000);
            ``None`` uses ``neg_ratio``.
        neg_ratio: non-edges per prior edge when ``n_negatives`` is ``None``.
        negatives_from: ``"all"`` (reference) or ``"regulators"`` (harder negatives).
        preprocessing: ``"none"`` or ``"log2_minmax"`` (the benchmark's reference transform).
        holdout: fraction of labelled pairs held out (stratified) to report held-out quality;
            0 trains on all pairs.
        seed: the one seed every random choice flows from.
        device: ``"auto"`` (CUDA when present), ``"cpu"``, ``"cuda"``.
        progress: show progress bars.
    """

    network: XATGRNConfig = field(default_factory=XATGRNConfig)
    graph: DuplexConfig = field(default_factory=DuplexConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    n_negatives: int | None = None
    neg_ratio: float = 1.0
    negatives_from: str = "all"
    preprocessing: str = "none"
    holdout: float = 0.0
    seed: int = 0
    device: str = "auto"
    progress: bool = True

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FitConfig:
        data = dict(data)
        nested = {"network": XATGRNConfig, "graph": DuplexConfig, "train": TrainConfig}
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise input_error(
                f"unknown FitConfig field(s) {unknown}", fix=f"use only {sorted(known)}"
            )
        for key, typ in nested.items():
            if isinstance(data.get(key), dict):
                data[key] = _dataclass_from_dict(typ, data[key])
        return cls(**data)


def _dataclass_from_dict(typ: type, data: dict[str, Any]) -> Any:
    known = {f.name for f in dataclasses.fields(typ)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise input_error(
            f"unknown {typ.__name__} field(s) {unknown}", fix=f"use only {sorted(known)}"
        )
    return typ(**data)


def fast_profile(**overrides: Any) -> FitConfig:
    """A cheaper configuration for laptops and cross-validation: DUPLEX's ``fast`` profile
    (2 layers, lr 3e-3, patience 50; see benchmarks/results/duplex) and 30 classifier epochs
    with patience 8."""
    cfg = FitConfig(
        graph=DuplexConfig(**DUPLEX_PROFILES["fast"]),
        train=TrainConfig(epochs=30, patience=8),
    )
    return dataclasses.replace(cfg, **overrides)


def smoke_profile(**overrides: Any) -> FitConfig:
    """Seconds-long, tiny configuration for smoke tests and CI: the numbers it gives mean nothing."""
    cfg = FitConfig(
        network=XATGRNConfig(hidden=16, heads=2, tokens=4, conv_channels=4, fc_hidden=16),
        graph=DuplexConfig(hidden=16, out_dim=16, input_dim=16, max_epochs=10, patience=5),
        train=TrainConfig(epochs=2, batch_size=64, patience=None),
        device="cpu",
        progress=False,
    )
    return dataclasses.replace(cfg, **overrides)


#: named default profiles (design habit 7)
PROFILES = {"paper": FitConfig, "fast": fast_profile, "smoke": smoke_profile}


def _seeds(seed: int) -> dict[str, int]:
    """Independent child seeds for each random stage, all derived from the one seed."""
    names = ("pairs", "holdout", "graph", "train")
    children = np.random.SeedSequence(seed).spawn(len(names))
    return {n: int(c.generate_state(1)[0]) for n, c in zip(names, children, strict=True)}


class XATGRN:
    """Typed GRN classifier: fusion cross-attention + DUPLEX graph embedding + Conv1D head.

    Example::

        model = XATGRN(fast_profile()).fit(expression, regulations)
        network = model.predict_network()          # ranked typed edge list
        model.save("model/"); XATGRN.load("model/")
    """

    def __init__(self, config: FitConfig | None = None) -> None:
        self.config = config

    # -- fitting --------------------------------------------------------------------------
    @property
    def _cfg(self) -> FitConfig:
        return self.config if self.config is not None else FitConfig()

    def _prepare(self, expression: pd.DataFrame, regulations: pd.DataFrame) -> pd.DataFrame:
        """Validate, align and canonicalise the inputs; set genes_, samples_, prior_, expression_."""
        cfg = self._cfg
        expression = _check_expression(expression)
        prior = dio.align(expression, regulations)
        dio.check_trainable(prior)
        self.genes_ = pd.Index(expression.index.astype(str), name="gene")
        self.samples_ = pd.Index(expression.columns.astype(str))
        # canonical edge order too, so the row order of the prior file changes nothing
        self.prior_ = prior.sort_values(["regulator", "target"], kind="stable").reset_index(
            drop=True
        )
        self.expression_ = apply_preprocessing(expression, cfg.preprocessing).astype(np.float32)
        return self.prior_

    def fit(self, expression: pd.DataFrame, regulations: pd.DataFrame) -> XATGRN:
        """Learn from an expression table (genes x samples) and a typed prior network."""
        cfg = self._cfg
        t0 = time.perf_counter()
        prior = self._prepare(expression, regulations)
        seeds = _seeds(cfg.seed)
        pairs = labelled_pairs(
            prior,
            self.genes_,
            n_negatives=cfg.n_negatives,
            neg_ratio=None if cfg.n_negatives is not None else cfg.neg_ratio,
            seed=seeds["pairs"],
            negatives_from=cfg.negatives_from,
        )
        labels = pairs["label"].to_numpy()
        if cfg.holdout > 0:
            train_rows, held_rows = stratified_split(
                np.arange(len(pairs)), labels, cfg.holdout, seeds["holdout"]
            )
        else:
            train_rows, held_rows = np.arange(len(pairs)), np.empty(0, dtype=np.int64)
        self._fit_core(pairs, train_rows, None, None, seeds)
        self.pairs_ = pairs.assign(split="train")
        self.pairs_.loc[held_rows, "split"] = "holdout"

        self.holdout_metrics_: dict[str, float] = {}
        self.holdout_curve_: pd.DataFrame | None = None
        if len(held_rows):
            proba = self.predict_proba(pairs.iloc[held_rows][["regulator", "target"]])
            self.holdout_metrics_ = classification_metrics(labels[held_rows], proba)
            self.holdout_proba_ = proba
            self.holdout_curve_ = selection_curve(labels[held_rows], proba)
            log.info(
                "held-out (%d pairs): accuracy %.3f, AUROC(macro-OvR) %.3f, F1 %.3f",
                len(held_rows),
                self.holdout_metrics_["accuracy"],
                self.holdout_metrics_["auroc_macro_ovr"],
                self.holdout_metrics_["f1"],
            )
        self.fit_seconds_ = time.perf_counter() - t0
        return self

    def fit_pairs(
        self,
        expression: pd.DataFrame,
        regulations: pd.DataFrame,
        pairs: pd.DataFrame,
        train_rows: np.ndarray,
        *,
        graph_edges: pd.DataFrame | None = None,
        graph: np.ndarray | None = None,
    ) -> XATGRN:
        """Lower-level fit for evaluation: the caller decides the pairs and what the graph sees.

        Args:
            expression, regulations: as in :meth:`fit` (the prior is only used for ``in_prior``
                and, when neither ``graph_edges`` nor ``graph`` is given, nothing else).
            pairs: labelled pairs (``regulator, target, label``); indices are recomputed by name.
            train_rows: rows of ``pairs`` the classifier learns from.
            graph_edges: directed edges (``regulator, target``) the graph embedding is fitted on;
                default: the edges (label > 0) among ``pairs[train_rows]`` — the inductive,
                leak-free choice. Pass all prior edges for the paper's transductive protocol.
            graph: a precomputed ``[amplitude | phase]`` table (genes in ``self.genes_`` order
                after alignment, i.e. sorted gene ids) to reuse a cached embedding.
        """
        cfg = self._cfg
        t0 = time.perf_counter()
        self._prepare(expression, regulations)
        pairs = pairs.reset_index(drop=True).copy()
        pairs["reg_idx"] = self._positions(pairs["regulator"], "regulator")
        pairs["tgt_idx"] = self._positions(pairs["target"], "target")
        if graph_edges is not None:
            graph_edges = pd.DataFrame(
                {
                    "reg_idx": self._positions(graph_edges["regulator"], "regulator"),
                    "tgt_idx": self._positions(graph_edges["target"], "target"),
                }
            )
        self._fit_core(pairs, np.asarray(train_rows), graph_edges, graph, _seeds(cfg.seed))
        self.pairs_ = pairs.assign(split="unused")
        self.pairs_.loc[np.asarray(train_rows), "split"] = "train"
        self.holdout_metrics_ = {}
        self.fit_seconds_ = time.perf_counter() - t0
        return self

    def _fit_core(
        self,
        pairs: pd.DataFrame,
        train_rows: np.ndarray,
        graph_edges: pd.DataFrame | None,
        graph: np.ndarray | None,
        seeds: dict[str, int],
    ) -> None:
        """Graph embedding (on training edges unless told otherwise), then the classifier."""
        cfg = self._cfg
        device = resolve_device(cfg.device)
        n = len(self.genes_)
        use_graph = cfg.network.mode in ("both", "graph")
        self.embedder_ = None
        self.graph_ = None
        if use_graph and graph is not None:
            graph = np.asarray(graph, dtype=np.float32)
            if graph.ndim != 2 or graph.shape[0] != n:
                raise input_error(
                    f"precomputed graph table has shape {graph.shape}, expected ({n}, 2*d)",
                    fix="pass the [amplitude | phase] table for the aligned, sorted genes",
                )
            self.graph_ = torch.as_tensor(graph)
        elif use_graph:
            if graph_edges is None:
                train = pairs.iloc[train_rows]
                graph_edges = train[train["label"] != NONE]
            gcfg = dataclasses.replace(
                cfg.graph, seed=seeds["graph"], device=cfg.device, progress=cfg.progress
            )
            edge_index = graph_edges[["reg_idx", "tgt_idx"]].to_numpy().T
            self.embedder_ = DuplexEmbedder(gcfg).fit(edge_index, n)
            table = np.concatenate([self.embedder_.amplitude, self.embedder_.phase], axis=1)
            self.graph_ = torch.as_tensor(table, dtype=torch.float32)
        with torch_seed(seeds["train"]):
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
            cfg.train, seed=seeds["train"], device=cfg.device, progress=cfg.progress
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
    def _check_fitted(self) -> None:
        if not hasattr(self, "net_"):
            raise input_error("this XATGRN model is not fitted", fix="call fit() or XATGRN.load()")

    def _positions(self, names: Any, what: str) -> np.ndarray:
        return dio.gene_positions(self.genes_, names, what)

    def _cache(self):
        expr = getattr(self, "_expr_t", None)
        if expr is None:
            expr = torch.tensor(self.expression_.to_numpy(dtype=np.float32))
            self._expr_t = expr
        with torch.no_grad():
            return self.net_.eval().encode_genes(expr, self.graph_)

    def predict_proba(self, pairs: pd.DataFrame | Any, batch_size: int = 8192) -> np.ndarray:
        """Class probabilities ``(n, 3)`` in the order none, repression, activation.

        ``pairs``: a DataFrame with ``regulator`` and ``target`` columns, or (regulator, target)
        tuples.
        """
        self._check_fitted()
        if not isinstance(pairs, pd.DataFrame):
            pairs = pd.DataFrame(list(pairs), columns=["regulator", "target"])
        reg = self._positions(pairs["regulator"], "regulator")
        tgt = self._positions(pairs["target"], "target")
        return self._proba_idx(self._cache(), reg, tgt, batch_size)

    def _proba_idx(self, cache, reg: np.ndarray, tgt: np.ndarray, batch_size: int) -> np.ndarray:
        out = np.empty((len(reg), 3), dtype=np.float32)
        with torch.no_grad():
            for s in range(0, len(reg), batch_size):
                r = torch.as_tensor(reg[s : s + batch_size])
                t = torch.as_tensor(tgt[s : s + batch_size])
                out[s : s + batch_size] = torch.softmax(
                    self.net_.forward_cached(cache, r, t), 1
                ).numpy()
        return out

    def predict(self, pairs: pd.DataFrame | Any) -> np.ndarray:
        """Predicted class names (``none`` / ``repression`` / ``activation``)."""
        return np.asarray(CLASS_NAMES, dtype=object)[self.predict_proba(pairs).argmax(1)]

    def _score_candidates(
        self,
        regulators: Any,
        targets: Any,
        top: int | None,
        min_prob: float | None,
        include_self: bool,
        batch_size: int,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Score candidate pairs in batches; keep only (positions, probabilities) of kept pairs.

        Memory is bounded by one batch plus 20 bytes per kept pair (no names are built here).
        """
        self._check_fitted()
        if regulators is None:
            regulators = pd.unique(self.prior_["regulator"])
        reg_pos = np.unique(self._positions(regulators, "regulator"))
        tgt_pos = (
            np.arange(len(self.genes_))
            if targets is None
            else np.unique(self._positions(targets, "target"))
        )
        cache = self._cache()
        n_total = len(reg_pos) * len(tgt_pos)
        kept_idx: list[np.ndarray] = []
        kept_p: list[np.ndarray] = []
        n_kept = 0
        bar = progress(total=n_total, enabled=self._cfg.progress, desc="scoring pairs", unit="pair")
        for s in range(0, n_total, batch_size):
            flat = np.arange(s, min(s + batch_size, n_total))
            r, t = reg_pos[flat // len(tgt_pos)], tgt_pos[flat % len(tgt_pos)]
            if not include_self:
                r, t = r[r != t], t[r != t]
            p = self._proba_idx(cache, r, t, batch_size)
            if min_prob is not None:
                ok = (1.0 - p[:, NONE]) >= min_prob
                r, t, p = r[ok], t[ok], p[ok]
            kept_idx.append(np.stack([r, t], 1).astype(np.int32))
            kept_p.append(p)
            n_kept += len(p)
            if top is not None and n_kept > 4 * top:
                idx, p = _top_rows(np.concatenate(kept_idx), np.concatenate(kept_p), top)
                kept_idx, kept_p, n_kept = [idx], [p], len(p)
            bar.update(len(flat))
        bar.close()
        idx = np.concatenate(kept_idx) if kept_idx else np.empty((0, 2), dtype=np.int32)
        p = np.concatenate(kept_p) if kept_p else np.empty((0, 3), dtype=np.float32)
        if top is not None:
            idx, p = _top_rows(idx, p, top)
        # rank by score; ties by gene names (genes_ is sorted, so position order is name order):
        # the output never depends on the input row order
        order = np.lexsort((idx[:, 1], idx[:, 0], -(1.0 - p[:, NONE])))
        n_candidates = n_total - (0 if include_self else int(np.isin(reg_pos, tgt_pos).sum()))
        return idx[order], p[order], n_candidates

    def predict_network(
        self,
        regulators: Any = None,
        targets: Any = None,
        *,
        top: int | None = None,
        min_prob: float | None = None,
        include_self: bool = True,
        batch_size: int = 8192,
    ) -> pd.DataFrame:
        """Score every candidate (regulator, target) pair and return a ranked typed edge list.

        Args:
            regulators: candidate regulators (default: genes that regulate something in the prior).
            targets: candidate targets (default: every gene).
            top: keep the ``top`` highest-scoring pairs.
            min_prob: keep pairs with ``score = 1 - p_none >= min_prob``.
            include_self: score (g, g) pairs (the benchmark's priors contain autoregulation).
            batch_size: pairs per forward pass.

        Returns:
            DataFrame with columns ``regulator, target, predicted_type, score, p_activation,
            p_repression, p_none, rank, in_prior`` sorted by ``score`` (descending). For very
            large candidate sets use :meth:`write_network`, which streams to disk.
        """
        idx, p, _ = self._score_candidates(
            regulators, targets, top, min_prob, include_self, batch_size
        )
        return self._edge_frame(idx, p, rank_start=1)

    def write_network(
        self,
        path: str | Path,
        regulators: Any = None,
        targets: Any = None,
        *,
        top: int | None = None,
        min_prob: float | None = None,
        include_self: bool = True,
        batch_size: int = 8192,
        fmt: str | None = None,
        metadata: dict[str, Any] | None = None,
        chunk_rows: int = 200_000,
    ) -> int:
        """Score candidates and write the ranked edge list; returns the number of rows written.

        TSV output is streamed in ``chunk_rows`` pieces (the name table of all pairs is never
        built in memory) into a temporary file that is moved into place when complete.
        GraphML / BEELINE output is built whole (those formats are for networks you would load
        into a viewer anyway).
        """
        from xatgrn.data.edgelist import infer_format, write_edge_list, write_edge_list_chunks

        idx, p, n_candidates = self._score_candidates(
            regulators, targets, top, min_prob, include_self, batch_size
        )
        if metadata is not None:
            # what the selection is worth, at the lowest score it kept
            if min_prob is not None:
                threshold = float(min_prob)
            elif top is not None and len(idx):
                threshold = float(1.0 - p[-1, NONE])
            else:
                threshold = 0.0
            metadata = {
                **metadata,
                "n_candidates": int(n_candidates),
                "n_selected": len(idx),
                "selection_threshold": threshold,
                "selection_estimate": self.selection_estimate(threshold, int(n_candidates)),
            }
            self.last_selection_ = metadata
        fmt = infer_format(path, fmt)
        if fmt != "tsv":
            write_edge_list(self._edge_frame(idx, p, 1), path, fmt, metadata=metadata)
            return len(idx)
        chunks = (
            self._edge_frame(idx[s : s + chunk_rows], p[s : s + chunk_rows], s + 1)
            for s in range(0, max(len(idx), 1), chunk_rows)
        )
        write_edge_list_chunks(chunks, path, metadata=metadata)
        return len(idx)

    def _edge_frame(self, idx: np.ndarray, p: np.ndarray, rank_start: int) -> pd.DataFrame:
        """The edge-list schema for already ranked rows (positions + probabilities)."""
        genes = np.asarray(self.genes_)
        n = len(self.genes_)
        prior_keys = self._positions(self.prior_["regulator"], "regulator").astype(
            np.int64
        ) * n + self._positions(self.prior_["target"], "target")
        keys = idx[:, 0].astype(np.int64) * n + idx[:, 1]
        df = pd.DataFrame(
            {
                "regulator": genes[idx[:, 0]],
                "target": genes[idx[:, 1]],
                "predicted_type": np.asarray(CLASS_NAMES, dtype=object)[p.argmax(1)],
                "score": 1.0 - p[:, NONE],
                "p_activation": p[:, LABELS["activation"]],
                "p_repression": p[:, LABELS["repression"]],
                "p_none": p[:, NONE],
                "rank": np.arange(rank_start, rank_start + len(idx)),
                "in_prior": np.isin(keys, prior_keys),
            }
        )
        return df[list(EDGE_LIST_COLUMNS)]

    # -- persistence ----------------------------------------------------------------------
    def save(self, directory: str | Path, *, overwrite: bool = False) -> Path:
        """Write the model directory (safetensors weights + JSON); refuses to overwrite."""
        from safetensors.torch import save_file

        self._check_fitted()
        directory = Path(directory)
        existing = [f for f in MODEL_FILES if (directory / f).exists()]
        if existing and not overwrite:
            raise input_error(
                f"model files already exist in {directory}: {existing}",
                fix="choose another directory or pass overwrite=True (--force)",
            )
        directory.mkdir(parents=True, exist_ok=True)
        tensors = {
            f"net.{k}": v.detach().cpu().contiguous() for k, v in self.net_.state_dict().items()
        }
        tensors["expression"] = torch.as_tensor(
            np.ascontiguousarray(self.expression_.to_numpy(), dtype=np.float32)
        )
        if self.graph_ is not None:
            tensors["graph"] = self.graph_.contiguous()
        with atomic_path(directory / "model.safetensors") as tmp:
            save_file(
                tensors, str(tmp), metadata={"format": "xatgrn", "version": str(FORMAT_VERSION)}
            )
        _write_json(
            directory / "config.json", {"format_version": FORMAT_VERSION, **self._cfg.to_dict()}
        )
        _write_json(
            directory / "genes.json", {"genes": list(self.genes_), "samples": list(self.samples_)}
        )
        dio.write_regulations(self.prior_, directory / "prior.tsv")
        _write_json(directory / "metadata.json", self.metadata())
        return directory

    def metadata(self) -> dict[str, Any]:
        """Provenance of the fitted model: versions, data sizes, held-out quality, timings."""
        return {
            "xatgrn_version": __version__,
            "torch_version": torch.__version__,
            "python": platform.python_version(),
            "n_genes": len(self.genes_),
            "n_samples": len(self.samples_),
            "n_prior_edges": len(self.prior_),
            "prior_types": self.prior_["type"].value_counts().to_dict(),
            "n_pairs": len(getattr(self, "pairs_", [])),
            "holdout_metrics": getattr(self, "holdout_metrics_", {}),
            "holdout_curve": _curve_json(getattr(self, "holdout_curve_", None)),
            "fit_seconds": getattr(self, "fit_seconds_", None),
        }

    @classmethod
    def load(cls, directory: str | Path) -> XATGRN:
        """Load a saved model; only safetensors and JSON are read (no code is executed)."""
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        directory = Path(directory)
        if not directory.is_dir():
            raise input_error(
                "model directory not found",
                path=directory,
                fix="pass the --out directory of `xatgrn fit`",
            )
        missing = [f for f in MODEL_FILES if not (directory / f).is_file()]
        if missing:
            raise input_error(
                f"not a complete xatgrn model directory: missing {missing}",
                path=directory,
                fix="re-run `xatgrn fit --out DIR` or point --model at the right directory",
            )
        cfg_raw = _read_json(directory / "config.json")
        version = cfg_raw.pop("format_version", None)
        if version != FORMAT_VERSION:
            raise input_error(
                f"model format version {version!r} is not supported (expected {FORMAT_VERSION})",
                path=directory / "config.json",
                fix="re-fit the model with this version of xatgrn",
            )
        try:
            cfg = FitConfig.from_dict(cfg_raw)
        except (TypeError, ValueError) as err:
            raise input_error(
                f"invalid model configuration ({err})",
                path=directory / "config.json",
                fix="re-fit the model with this version of xatgrn",
            ) from None
        names = _read_json(directory / "genes.json")
        if not isinstance(names, dict) or not {"genes", "samples"} <= set(names):
            raise input_error(
                "genes.json must hold 'genes' and 'samples' lists",
                path=directory / "genes.json",
                fix="re-fit the model",
            )
        try:
            tensors = load_file(str(directory / "model.safetensors"))
        except (SafetensorError, OSError, ValueError) as err:
            raise input_error(
                f"cannot read weights ({err})",
                path=directory / "model.safetensors",
                fix="the file is corrupt or not a safetensors file; re-fit the model",
            ) from None
        model = cls(cfg)
        model.genes_ = pd.Index([str(g) for g in names["genes"]], name="gene")
        model.samples_ = pd.Index([str(s) for s in names["samples"]])
        expr = tensors.get("expression")
        if expr is None or tuple(expr.shape) != (len(model.genes_), len(model.samples_)):
            got = None if expr is None else tuple(expr.shape)
            raise input_error(
                f"expression tensor has shape {got}, expected "
                f"({len(model.genes_)}, {len(model.samples_)}) from genes.json",
                path=directory / "model.safetensors",
                fix="the model directory is inconsistent; re-fit the model",
            )
        model.expression_ = pd.DataFrame(expr.numpy(), index=model.genes_, columns=model.samples_)
        model.graph_ = tensors.get("graph")
        model.embedder_ = None
        model.prior_ = dio.read_regulations(directory / "prior.tsv")
        model.net_ = model._build_net()
        state = {k[4:]: v for k, v in tensors.items() if k.startswith("net.")}
        try:
            model.net_.load_state_dict(state, strict=True)
        except RuntimeError as err:
            first = str(err).splitlines()[0]
            raise input_error(
                f"weights do not match the configuration ({first})",
                path=directory / "model.safetensors",
                fix="the model directory is inconsistent; re-fit the model",
            ) from None
        model.net_.eval()
        meta = _read_json(directory / "metadata.json")
        model.holdout_metrics_ = meta.get("holdout_metrics", {})
        model.holdout_curve_ = _curve_from_json(meta.get("holdout_curve"), directory)
        return model

    # -- selection rules ------------------------------------------------------------------
    def selection(
        self,
        *,
        top: int | None = None,
        min_prob: float | None = None,
        precision: float | None = None,
    ) -> dict[str, Any]:
        """Resolve a selection rule (at most one of ``top`` / ``min_prob`` / ``precision``).

        ``precision`` becomes the lowest score threshold whose held-out typed precision reaches
        it (:func:`xatgrn.evaluate.selection.threshold_for_precision`). Returns the rule as a
        dict with the effective ``min_prob`` (``None`` = no threshold).
        """
        given = [
            k
            for k, v in (("top", top), ("min_prob", min_prob), ("precision", precision))
            if v is not None
        ]
        if len(given) > 1:
            raise input_error(
                f"choose one selection rule, got {given}",
                fix="pass only one of --top-k, --min-prob, --precision",
            )
        if top is not None and top < 1:
            raise input_error(f"top-k must be >= 1, got {top}", fix="pass a positive --top-k")
        if min_prob is not None and not 0.0 <= min_prob <= 1.0:
            raise input_error(f"min-prob {min_prob} is not in [0, 1]", fix="pass e.g. 0.5")
        rule: dict[str, Any] = {"rule": given[0] if given else "all", "top_k": top}
        rule["min_prob"] = min_prob
        if precision is not None:
            curve = getattr(self, "holdout_curve_", None)
            if curve is None:
                raise input_error(
                    "--precision needs the held-out curve, but this model was fitted without held-out pairs",
                    fix="re-fit with --holdout 0.2, or use --top-k / --min-prob",
                )
            rule["precision_target"] = precision
            rule["min_prob"] = threshold_for_precision(curve, precision)
        return rule

    def selection_estimate(self, threshold: float, n_candidates: int) -> dict[str, Any]:
        """Held-out precision/recall of keeping scores >= ``threshold`` among ``n_candidates``."""
        return selection_estimate(
            getattr(self, "holdout_curve_", None), threshold, n_candidates, len(self.prior_)
        )


def _curve_json(curve: pd.DataFrame | None) -> dict[str, list] | None:
    if curve is None:
        return None
    return {c: [None if pd.isna(v) else float(v) for v in curve[c]] for c in curve.columns}


def _curve_from_json(data: Any, directory: Path) -> pd.DataFrame | None:
    if data is None:
        return None
    try:
        curve = pd.DataFrame(data).astype(float)
    except (TypeError, ValueError):
        raise input_error(
            "holdout_curve in metadata.json is malformed",
            path=directory / "metadata.json",
            fix="re-fit the model",
        ) from None
    missing = set(CURVE_COLUMNS) - set(curve.columns)
    if missing:
        raise input_error(
            f"holdout_curve in metadata.json lacks {sorted(missing)}",
            path=directory / "metadata.json",
            fix="re-fit the model",
        )
    return curve


def _top_rows(idx: np.ndarray, p: np.ndarray, top: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``top`` highest-scoring rows (unordered)."""
    score = 1.0 - p[:, NONE]
    if len(score) > top:
        keep = np.argpartition(-score, top - 1)[:top]
        idx, p = idx[keep], p[keep]
    return idx, p


def _check_expression(expression: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(expression, pd.DataFrame):
        raise input_error(
            f"expression must be a pandas DataFrame (genes x samples), got {type(expression).__name__}",
            fix="read it with xatgrn.data.io.read_expression",
        )
    values = expression.to_numpy(dtype=np.float64, na_value=np.nan)
    if not np.isfinite(values).all():
        raise input_error(
            "expression holds NaN or infinite values", fix="impute or drop them before fitting"
        )
    if expression.index.has_duplicates:
        dup = expression.index[expression.index.duplicated()][0]
        raise input_error(
            "duplicate gene id in expression", gene=str(dup), fix="make gene ids unique"
        )
    out = expression.astype(np.float64)
    out.index = out.index.astype(str)
    # Genes are addressed by name, never by position: a canonical (sorted) order makes every
    # position-based random choice (negatives, graph inputs) independent of the input row order.
    return out.sort_index(kind="stable")


def _write_json(path: Path, data: Any) -> None:
    with atomic_write(path) as fh:
        json.dump(data, fh, indent=2, default=_json_default)


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise input_error(
            f"not valid JSON ({err})",
            path=path,
            fix="the model directory is corrupt; re-fit the model",
        ) from None
