"""Relation graph embedding: Hermitian encoding of directed graphs and the DUPLEX dual GAT.

``DuplexEmbedder(DuplexConfig(...)).fit(edge_index, num_nodes)`` gives per-node amplitude and
phase embeddings of a directed graph (XATGRN eqs 6–20), usable on their own or as XATGRN's graph
features.

Modules, from the bottom: :mod:`~xatgrn.graph.hermitian` (pair states, Hermitian adjacency),
:mod:`~xatgrn.graph.conv` (the dual GAT layer), :mod:`~xatgrn.graph.config` (hyper-parameters,
profiles), :mod:`~xatgrn.graph.encoder`, :mod:`~xatgrn.graph.decoders`,
:mod:`~xatgrn.graph.training` (loss, negatives, early stopping) and
:mod:`~xatgrn.graph.embedder` (the estimator).
"""

from xatgrn.graph.config import DUPLEX_PROFILES, DuplexConfig, duplex_config
from xatgrn.graph.conv import DuplexConv, DuplexGraph
from xatgrn.graph.decoders import connection_logits, direction_logits, hermitian_scores
from xatgrn.graph.embedder import DuplexEmbedder
from xatgrn.graph.encoder import DuplexEncoder
from xatgrn.graph.hermitian import (
    STATE_NAMES,
    STATE_VALUES,
    PairState,
    hermitian_adjacency,
    hermitian_edges,
    pair_states,
)

__all__ = [
    "DUPLEX_PROFILES",
    "STATE_NAMES",
    "STATE_VALUES",
    "DuplexConfig",
    "DuplexConv",
    "DuplexEmbedder",
    "DuplexEncoder",
    "DuplexGraph",
    "PairState",
    "connection_logits",
    "direction_logits",
    "duplex_config",
    "hermitian_adjacency",
    "hermitian_edges",
    "hermitian_scores",
    "pair_states",
]
