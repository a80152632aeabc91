"""The fused dual GAT layer against a plain loop, its graph structure and the sampled dot."""

from __future__ import annotations

import pytest
import torch

from xatgrn.graph.conv import DuplexConv, DuplexGraph, PairIndex, fast_dropout

# 0 -> 1, 2 -> 1, 2 <-> 3, 4 -> 4 (self-loop), 1 -> 5, node 6 isolated
EDGES = torch.tensor([[0, 2, 2, 3, 4, 1], [1, 1, 3, 2, 4, 5]])
N = 7


def _neighbours(edge_index: torch.Tensor, n: int) -> dict[int, list[tuple[int, float]]]:
    """Receiver -> [(sender, phase sign)] straight from the definition (self-loop sign +1)."""
    edges = {(int(u), int(v)) for u, v in edge_index.T if u != v}
    out = {}
    for i in range(n):
        nb = [(i, 1.0)]
        for j in range(n):
            if j == i:
                continue
            into, outof = (j, i) in edges, (i, j) in edges
            if into or outof:
                nb.append((j, float(into) - float(outof)))
        out[i] = nb
    return out


def _loop_reference(conv: DuplexConv, x: torch.Tensor, edge_index: torch.Tensor) -> torch.Tensor:
    """Eqs 11-14 with Python loops over branches, heads, nodes and neighbours (eval mode)."""
    n, h = x.shape[1], conv.heads
    c = conv.out_channels // h
    nbrs = _neighbours(edge_index, n)
    xin = x + x.flip(0) if conv.fuse else x
    out = torch.zeros(2, n, conv.out_channels, dtype=x.dtype)
    for b in range(2):
        feats = xin[b] @ conv.weight[b]
        for k in range(h):
            hk = feats[:, k * c : (k + 1) * c]
            for i in range(n):
                logits = []
                for j, _ in nbrs[i]:
                    e = conv.att_dst[b, k] @ hk[i] + conv.att_src[b, k] @ hk[j]
                    logits.append(torch.nn.functional.leaky_relu(e, conv.negative_slope))
                alpha = torch.softmax(torch.stack(logits), 0)
                for (j, sign), a in zip(nbrs[i], alpha, strict=True):
                    s = sign if b == 1 else 1.0
                    out[b, i, k * c : (k + 1) * c] += a * s * hk[j]
        out[b] += conv.bias[b]
    return out


def test_duplex_graph_signs_follow_eq12():
    g = DuplexGraph.from_edges(EDGES, N)
    sign = {(int(j), int(i)): float(s) for j, i, s in zip(g.src, g.dst, g.sign, strict=True)}
    assert sign[(0, 1)] == 1.0  # 0 -> 1: 0 is an in-neighbour of 1
    assert sign[(1, 0)] == -1.0  # 1 is an out-neighbour of 0
    assert sign[(2, 3)] == 0.0 and sign[(3, 2)] == 0.0  # both ways: terms cancel
    assert all(sign[(i, i)] == 1.0 for i in range(N))  # one self-loop per node
    assert g.num_messages == 2 * 4 + N  # 4 distinct linked pairs + self-loops
    assert bool((g.dst[1:] >= g.dst[:-1]).all())


@pytest.mark.parametrize(("heads", "fuse"), [(1, False), (2, True)])
def test_conv_matches_plain_loop_both_paths(heads, fuse):
    torch.manual_seed(0)
    conv = DuplexConv(5, 4, heads=heads, fuse=fuse).double().eval()
    with torch.no_grad():
        conv.bias.normal_()
    x = torch.randn(2, N, 5, dtype=torch.double)
    g = DuplexGraph.from_edges(EDGES.numpy(), N)  # numpy input form
    ref = _loop_reference(conv, x, EDGES)
    torch.testing.assert_close(conv(x, g), ref)
    torch.testing.assert_close(conv(x, g, fused=False), ref)


def test_fused_and_edgewise_gradients_agree():
    torch.manual_seed(1)
    conv = DuplexConv(3, 4, heads=2).double().eval()
    g = DuplexGraph.from_edges(EDGES, N)
    x = torch.randn(2, N, 3, dtype=torch.double)
    grads = []
    for fused in (True, False):
        conv.zero_grad()
        xr = x.clone().requires_grad_()
        (conv(xr, g, fused=fused) ** 2).sum().backward()
        grads.append([xr.grad] + [p.grad.clone() for p in conv.parameters()])
    for a, b in zip(*grads, strict=True):
        torch.testing.assert_close(a, b)


def test_attention_sums_to_one_and_empty_graph():
    torch.manual_seed(2)
    conv = DuplexConv(3, 6, heads=3).eval()
    x = torch.randn(2, N, 3)
    g = DuplexGraph.from_edges(EDGES, N)
    _, att = conv(x, g, return_attention_weights=True)
    sums = torch.zeros(N, 2, 3).index_add_(0, g.dst, att)
    torch.testing.assert_close(sums, torch.ones(N, 2, 3))
    # no edges: each node only hears itself, so the layer is W x + b in both branches
    g0 = DuplexGraph.from_edges(torch.empty(2, 0, dtype=torch.long), N)
    out = conv(x, g0)
    torch.testing.assert_close(out, torch.bmm(x, conv.weight) + conv.bias[:, None])


def test_pair_index_dot_gradcheck():
    src, dst = torch.tensor([3, 0, 3, 2, 0]), torch.tensor([1, 4, 1, 0, 0])  # duplicates too
    ix = PairIndex.build(src, dst, 5)
    left = torch.randn(5, 3, dtype=torch.double, requires_grad=True)
    right = torch.randn(5, 3, dtype=torch.double, requires_grad=True)
    torch.testing.assert_close(ix.dot(left, right), (left[src] * right[dst]).sum(1))
    assert torch.autograd.gradcheck(ix.dot, (left, right))


def test_fast_dropout_keeps_or_scales_each_element():
    x = torch.ones(4, 1000)
    assert fast_dropout(x, 0.5, training=False) is x
    assert fast_dropout(x, 0.0) is x
    torch.manual_seed(0)
    y = fast_dropout(x, 0.5)
    # p = 0.5 is exact in 1/256 steps (drop bytes 0..127): kept values are scaled by 2
    assert set(torch.unique(y).tolist()) == {0.0, 2.0}
