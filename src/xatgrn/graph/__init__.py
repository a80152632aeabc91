"""Relation graph embedding: Hermitian encoding of directed graphs and the DUPLEX dual GAT.

``DuplexEmbedder(DuplexConfig(...)).fit(edge_index, num_nodes)`` gives per-node amplitude and
phase embeddings of a directed graph (XATGRN eqs 6–20), usable on their own or as XATGRN's graph
features.

Modules, from the bottom: :mod:`~xatgrn.graph.hermitian` (pair states, Hermitian adjacency),
:mod:`~xatgrn.graph.conv` (the dual GAT layer), :mod:`~xatgrn.graph.config` (hyper-parameters,
profiles), :mod:`~xatgrn.graph.encoder`, :mod:`~xatgrn.graph.decoders`,
:mod:`~xatgrn.graph.training` (loss, negatives, early stopping) and
:mod:`~xatgrn.graph.embedder` (the estimator).

Names are imported lazily, so that the configuration (:mod:`~xatgrn.graph.config`, no torch)
can be read — by the CLI, by the fit profiles — without importing torch and torch_geometric.
"""

from __future__ import annotations

from xatgrn.utils import lazy_exports

_EXPORTS = {
    "DUPLEX_PROFILES": "config",
    "DuplexConfig": "config",
    "duplex_config": "config",
    "DuplexConv": "conv",
    "DuplexGraph": "conv",
    "connection_logits": "decoders",
    "direction_logits": "decoders",
    "hermitian_scores": "decoders",
    "DuplexEmbedder": "embedder",
    "DuplexEncoder": "encoder",
    "STATE_NAMES": "hermitian",
    "STATE_VALUES": "hermitian",
    "PairState": "hermitian",
    "hermitian_adjacency": "hermitian",
    "hermitian_edges": "hermitian",
    "pair_states": "hermitian",
}

__all__ = sorted(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)
