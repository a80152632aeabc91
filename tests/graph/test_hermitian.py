"""Hermitian encoding of directed graphs: four states, Hermitian symmetry, sparse == dense."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from xatgrn.errors import XatgrnInputError
from xatgrn.graph.hermitian import (
    STATE_NAMES,
    STATE_VALUES,
    PairState,
    as_edge_index,
    hermitian_adjacency,
    hermitian_edges,
    pair_states,
)

# 0 -> 1 (forward), 2 -> 1 (reverse seen from (1, 2)), 2 <-> 3 (both), 4 -> 4 (self-loop),
# 5 isolated, duplicates of 0 -> 1 allowed
EDGES = torch.tensor([[0, 2, 2, 3, 4, 0], [1, 1, 3, 2, 4, 1]])
N = 6


def _dense_reference(edge_index: np.ndarray, n: int) -> np.ndarray:
    """H = A_s * exp(i pi/2 Theta) built entry by entry from the definition (eq 6)."""
    a = np.zeros((n, n), dtype=bool)
    for u, v in edge_index.T:
        a[u, v] = True
    h = np.zeros((n, n), dtype=np.complex64)
    for u in range(n):
        for v in range(n):
            a_s = a[u, v] or a[v, u]
            theta = int(a[u, v]) - int(a[v, u])
            h[u, v] = a_s * np.exp(1j * np.pi / 2 * theta)
    return h


def _random_digraph(n: int, e: int, seed: int) -> np.ndarray:
    r = np.random.default_rng(seed)
    return r.integers(0, n, size=(2, e))


def test_state_names_and_values_line_up():
    assert STATE_NAMES == ("forward", "reverse", "bidirectional", "none")
    assert STATE_VALUES == (1j, -1j, 1, 0)
    assert [(s.name, int(s)) for s in PairState] == [
        ("FORWARD", 0),
        ("REVERSE", 1),
        ("BIDIRECTIONAL", 2),
        ("ABSENT", 3),
    ]
    # the absent pair state is not the "no regulation" class label (data.schema.NONE = 0)
    from xatgrn.data import schema

    assert PairState.ABSENT != schema.NONE


def test_hermitian_edges_four_states_and_self_loop_policy():
    pairs, state = hermitian_edges(EDGES, N)
    got = {(int(u), int(v)): STATE_NAMES[int(s)] for (u, v), s in zip(pairs.T, state, strict=True)}
    assert got == {
        (0, 1): "forward",
        (1, 2): "reverse",
        (2, 3): "bidirectional",
        (4, 4): "bidirectional",
    }
    assert bool((pairs[0] <= pairs[1]).all())


def test_hermitian_adjacency_is_hermitian_and_matches_definition():
    ei = _random_digraph(9, 30, seed=3)
    h = hermitian_adjacency(ei, 9)
    assert h.dtype == torch.complex64 and h.is_sparse
    dense = h.to_dense().numpy()
    np.testing.assert_array_equal(dense, dense.conj().T)
    np.testing.assert_allclose(dense, _dense_reference(ei, 9), atol=1e-6)
    assert set(np.unique(dense).tolist()) <= {1j, -1j, 1, 0}


def test_hermitian_adjacency_entries_of_each_state():
    dense = hermitian_adjacency(EDGES, N).to_dense()
    assert dense[0, 1] == 1j and dense[1, 0] == -1j
    assert dense[2, 1] == 1j and dense[1, 2] == -1j
    assert dense[2, 3] == 1 and dense[3, 2] == 1
    assert dense[4, 4] == 1 and dense[5].abs().sum() == 0


def test_pair_states_against_loop_reference():
    ei = _random_digraph(8, 25, seed=5)
    edges = set(map(tuple, ei.T.tolist()))
    query = np.array([(u, v) for u in range(8) for v in range(8)]).T
    expected = []
    for u, v in query.T:
        f, r = (u, v) in edges, (v, u) in edges
        expected.append(2 if f and r else 0 if f else 1 if r else 3)
    np.testing.assert_array_equal(pair_states(ei, 8, query).numpy(), expected)


def test_pair_states_flip_and_empty_graph():
    q = torch.tensor([[0, 1, 2, 3, 5, 4], [1, 0, 3, 2, 0, 4]])
    fwd, rev, both, absent = PairState
    assert pair_states(EDGES, N, q).tolist() == [fwd, rev, both, both, absent, both]
    empty = torch.empty(2, 0, dtype=torch.long)
    assert pair_states(empty, N, q).tolist() == [absent] * 6
    pairs, state = hermitian_edges(empty, N)
    assert pairs.shape == (2, 0) and state.shape == (0,)
    assert hermitian_adjacency(empty, N).to_dense().abs().sum() == 0


@pytest.mark.parametrize(
    ("edges", "match"),
    [
        (np.zeros((3, 4), dtype=int), r"shape \(3, 4\); expected \(2, E\).*Fix:"),
        (np.array([[0.0, 1.0], [1.0, 2.0]]), r"dtype .*float.*expected integers"),
        (np.array([[0, 7], [1, 2]]), r"column 1 \(7 -> 2\) refers to a node outside 0..5"),
        (np.array([[0, -1], [1, 2]]), r"column 1 \(-1 -> 2\)"),
    ],
)
def test_bad_edge_index_is_named(edges, match):
    with pytest.raises(XatgrnInputError, match=match):
        as_edge_index(edges, N)


def test_bad_num_nodes():
    with pytest.raises(XatgrnInputError, match="num_nodes must be an int"):
        hermitian_edges(EDGES, 6.0)
