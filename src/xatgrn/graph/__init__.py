"""Relation graph embedding: Hermitian encoding of directed graphs and the DUPLEX dual GAT.

``DuplexEmbedder(DuplexConfig(...)).fit(edge_index, num_nodes)`` gives per-node amplitude and
phase embeddings of a directed graph (XATGRN eqs 6–20), usable on their own or as XATGRN's graph
features.
"""

from xatgrn.graph.conv import DuplexConv, DuplexGraph
from xatgrn.graph.duplex import (
    PROFILES,
    DuplexConfig,
    DuplexEmbedder,
    DuplexEncoder,
    connection_logits,
    direction_logits,
    duplex_config,
    hermitian_scores,
)
from xatgrn.graph.hermitian import (
    STATE_NAMES,
    STATE_VALUES,
    hermitian_adjacency,
    hermitian_edges,
    pair_states,
)

__all__ = [
    "PROFILES",
    "STATE_NAMES",
    "STATE_VALUES",
    "DuplexConfig",
    "DuplexConv",
    "DuplexEmbedder",
    "DuplexEncoder",
    "DuplexGraph",
    "connection_logits",
    "direction_logits",
    "duplex_config",
    "hermitian_adjacency",
    "hermitian_edges",
    "hermitian_scores",
    "pair_states",
]
