r"""Hermitian adjacency of a directed graph and the four pair states (XATGRN eq 6, DUPLEX §3).

A directed graph is encoded as one complex, Hermitian matrix

.. math::
    H = A_s \odot \exp\!\left(i \frac{\pi}{2} \Theta\right), \qquad H_{vu} = \overline{H_{uv}},

where :math:`A_s` is the symmetric connectivity and :math:`\Theta` the antisymmetric direction
(:math:`+1` for :math:`u \to v` only, :math:`-1` for :math:`v \to u` only, :math:`0` otherwise).
Every node pair is then in one of four states:

=====  ==================  ================  ===========  ==========================
index  :class:`PairState`  name              :math:`H`    meaning
=====  ==================  ================  ===========  ==========================
0      ``FORWARD``         ``forward``       :math:`i`    :math:`u \to v` only
1      ``REVERSE``         ``reverse``       :math:`-i`   :math:`v \to u` only
2      ``BIDIRECTIONAL``   ``bidirectional`` :math:`1`    both directions
3      ``ABSENT``          ``none``          :math:`0`    no edge either way
=====  ==================  ================  ===========  ==========================

The pair states are :class:`PairState` (an ``IntEnum``), not bare module constants: the
regulation class labels of :mod:`xatgrn.data.schema` also have a ``NONE`` (``= 0``), and the two
must not be mistaken for each other.

Self-loop policy: an input self-loop :math:`u \to u` is both "u to v" and "v to u" for
:math:`v = u`, so it is the ``bidirectional`` state with :math:`H_{uu} = 1` (real, so :math:`H`
stays Hermitian). Nodes without a self-loop have :math:`H_{uu} = 0`.

Everything here works on edge lists (sorted ``u * N + v`` keys), never on dense ``N x N`` arrays,
so it scales to genome-sized graphs; only :func:`hermitian_adjacency` builds a (sparse) matrix.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Final

import numpy as np
import torch
from torch import Tensor

from xatgrn.errors import input_error

#: the four pair states, in the order used for every probability column
STATE_NAMES: Final[tuple[str, str, str, str]] = ("forward", "reverse", "bidirectional", "none")
#: Hermitian entry of each state, in STATE_NAMES order
STATE_VALUES: Final[tuple[complex, complex, complex, complex]] = (1j, -1j, 1 + 0j, 0j)


class PairState(IntEnum):
    """State of a node pair (u, v); the value is the column index in :data:`STATE_NAMES` order."""

    FORWARD = 0
    REVERSE = 1
    BIDIRECTIONAL = 2
    ABSENT = 3


__all__ = [
    "STATE_NAMES",
    "STATE_VALUES",
    "PairState",
    "as_edge_index",
    "hermitian_adjacency",
    "hermitian_edges",
    "pair_states",
]


def as_edge_index(
    edge_index: Tensor | np.ndarray, num_nodes: int, *, name: str = "edge_index"
) -> Tensor:
    """Validate a ``2 x E`` integer edge list and return it as a CPU ``int64`` tensor.

    One validator for every graph input, so each bad input gets the same clear message.
    """
    if isinstance(num_nodes, bool) or not isinstance(num_nodes, (int, np.integer)):
        raise input_error(
            f"num_nodes must be an int, got {type(num_nodes).__name__}",
            fix="pass the number of nodes (genes) as a plain integer",
        )
    if num_nodes < 0:
        raise input_error(f"num_nodes is {num_nodes}", fix="pass a non-negative node count")
    if isinstance(edge_index, Tensor):
        ei = edge_index.detach().cpu()
    else:
        ei = torch.as_tensor(np.asarray(edge_index))
    if ei.dim() != 2 or ei.shape[0] != 2:
        raise input_error(
            f"{name} has shape {tuple(ei.shape)}; expected (2, E)",
            fix=f"pass {name} as a 2 x E integer array: row 0 sources, row 1 targets",
        )
    if ei.dtype.is_floating_point or ei.dtype.is_complex or ei.dtype == torch.bool:
        raise input_error(
            f"{name} has dtype {ei.dtype}; expected integers",
            fix="pass node indices as integers (e.g. array.astype('int64'))",
        )
    ei = ei.to(torch.long)
    if ei.numel():
        bad = (ei < 0) | (ei >= num_nodes)
        if bool(bad.any()):
            col = int(bad.any(0).nonzero()[0, 0])
            u, v = (int(x) for x in ei[:, col])
            raise input_error(
                f"{name} column {col} ({u} -> {v}) refers to a node outside 0..{num_nodes - 1}",
                fix="use node indices in [0, num_nodes) or raise num_nodes",
            )
    return ei.contiguous()


def _directed_keys(edge_index: Tensor, num_nodes: int) -> Tensor:
    """Sorted unique ``u * N + v`` keys of the directed edges."""
    return torch.unique(edge_index[0] * num_nodes + edge_index[1])


def hermitian_edges(edge_index: Tensor | np.ndarray, num_nodes: int) -> tuple[Tensor, Tensor]:
    r"""Unique unordered node pairs of a directed graph and their state.

    Args:
        edge_index: directed edges, ``2 x E`` (duplicates allowed).
        num_nodes: number of nodes :math:`N`.

    Returns:
        ``pairs`` (``2 x M``, ``pairs[0] <= pairs[1]``, sorted) and ``state`` (``M``, long):
        :class:`PairState` ``FORWARD`` (``pairs[0] -> pairs[1]`` only), ``REVERSE`` or
        ``BIDIRECTIONAL`` (never ``ABSENT``).
        Self-loops appear as ``(u, u)`` with state ``2`` (see the module's self-loop policy).

    Shapes:
        ``edge_index`` :math:`(2, E)` → ``pairs`` :math:`(2, M)`, ``state`` :math:`(M,)`.
    """
    ei = as_edge_index(edge_index, num_nodes)
    keys = _directed_keys(ei, num_nodes)
    n = max(num_nodes, 1)
    u, v = keys // n, keys % n
    lo, hi = torch.minimum(u, v), torch.maximum(u, v)
    ukey, inv = torch.unique(lo * num_nodes + hi, return_inverse=True)
    m = ukey.numel()
    # a directed edge u -> v says "lo -> hi" when u <= v and "hi -> lo" when u >= v (a self-loop
    # says both); a pair's state ORs what its (at most two) directed edges say
    has_fwd = torch.zeros(m, dtype=torch.bool).index_fill_(0, inv[u <= v], True)
    has_rev = torch.zeros(m, dtype=torch.bool).index_fill_(0, inv[u >= v], True)
    state = torch.full((m,), PairState.REVERSE, dtype=torch.long)
    state[has_fwd] = PairState.FORWARD
    state[has_fwd & has_rev] = PairState.BIDIRECTIONAL
    pairs = torch.stack([ukey // n, ukey % n])
    return pairs, state


def hermitian_adjacency(edge_index: Tensor | np.ndarray, num_nodes: int) -> Tensor:
    r"""Sparse Hermitian adjacency :math:`H` (eq 6) as a coalesced ``complex64`` COO tensor.

    :math:`H_{uv} = i` for :math:`u \to v` only, :math:`-i` for :math:`v \to u` only, :math:`1` for
    both (and for self-loops), and :math:`H_{vu} = \overline{H_{uv}}`.

    Shapes:
        ``edge_index`` :math:`(2, E)` → :math:`H` :math:`(N, N)` with at most :math:`2E` entries.
    """
    pairs, state = hermitian_edges(edge_index, num_nodes)
    values = torch.tensor(STATE_VALUES, dtype=torch.complex64)[state]
    off = pairs[0] != pairs[1]
    rows = torch.cat([pairs[0], pairs[1][off]])
    cols = torch.cat([pairs[1], pairs[0][off]])
    vals = torch.cat([values, values[off].conj()])
    return torch.sparse_coo_tensor(
        torch.stack([rows, cols]),
        vals,
        (num_nodes, num_nodes),
        dtype=torch.complex64,
        check_invariants=True,
    ).coalesce()


def pair_states(
    edge_index: Tensor | np.ndarray, num_nodes: int, pairs: Tensor | np.ndarray
) -> Tensor:
    r"""State of arbitrary ordered query pairs :math:`(u, v)` in a directed graph.

    :class:`PairState` values: ``FORWARD`` (0) if :math:`u \to v` only, ``REVERSE`` (1) if
    :math:`v \to u` only, ``BIDIRECTIONAL`` (2) if both, ``ABSENT`` (3) if neither.
    Vectorised: one sorted key array and two ``searchsorted`` look-ups.

    Shapes:
        ``pairs`` :math:`(2, P)` → :math:`(P,)` long in ``0..3``.
    """
    ei = as_edge_index(edge_index, num_nodes)
    q = as_edge_index(pairs, num_nodes, name="pairs")
    keys = _directed_keys(ei, num_nodes)
    fwd = _contains(keys, q[0] * num_nodes + q[1])
    rev = _contains(keys, q[1] * num_nodes + q[0])
    out = torch.full((q.shape[1],), PairState.ABSENT, dtype=torch.long)
    out[fwd] = PairState.FORWARD
    out[rev] = PairState.REVERSE
    out[fwd & rev] = PairState.BIDIRECTIONAL
    return out


def _contains(sorted_keys: Tensor, query: Tensor) -> Tensor:
    """Boolean mask: which ``query`` keys are in the sorted, unique ``sorted_keys``."""
    if sorted_keys.numel() == 0:
        return torch.zeros(query.shape, dtype=torch.bool)
    pos = torch.searchsorted(sorted_keys, query).clamp_(max=sorted_keys.numel() - 1)
    return sorted_keys[pos] == query
