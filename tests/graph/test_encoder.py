"""DuplexEncoder: inputs, layer stack (ELU between layers, none after the last), fusion layer."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from xatgrn.errors import XatgrnInputError
from xatgrn.graph.config import DuplexConfig
from xatgrn.graph.conv import DuplexGraph
from xatgrn.graph.encoder import DuplexEncoder

EDGES = torch.tensor([[0, 2, 2, 3, 4, 1], [1, 1, 3, 2, 4, 5]])
N = 7
SMALL = {"hidden": 8, "out_dim": 6, "input_dim": 5, "layers": 3}


def test_forward_equals_the_layer_chain_by_hand():
    torch.manual_seed(0)
    enc = DuplexEncoder(N, DuplexConfig(**SMALL)).eval()
    g = DuplexGraph.from_edges(EDGES, N)
    x = enc.embedding.detach().unsqueeze(0).expand(2, -1, -1)
    x = F.elu(enc.convs[0](x, g))
    x = F.elu(enc.convs[1](x, g))
    x = enc.convs[2](x, g)  # no ELU after the last layer
    amp, phase = enc(g)
    torch.testing.assert_close(amp, x[0])
    torch.testing.assert_close(phase, x[1])
    assert amp.shape == (N, 6) and phase.shape == (N, 6)
    # eval mode: no dropout, so fused and edge-wise paths give the same numbers
    torch.testing.assert_close(enc(g, fused=False)[0], amp)


def test_inputs_and_fusion_layer():
    learn = DuplexEncoder(N, DuplexConfig(**SMALL))
    assert isinstance(learn.embedding, torch.nn.Parameter) and learn.embedding.shape == (N, 5)
    rand = DuplexEncoder(N, DuplexConfig(**SMALL, input="random", seed=7))
    expected = torch.randn(N, 5, generator=torch.Generator().manual_seed(7))
    torch.testing.assert_close(rand.embedding, expected, rtol=0, atol=0)
    assert not isinstance(rand.embedding, torch.nn.Parameter)
    with_f = DuplexEncoder(N, DuplexConfig(**SMALL), feature_dim=3)
    assert [c.in_channels for c in with_f.convs] == [5 + 3, 8, 8]
    assert [c.fuse for c in with_f.convs] == [False, True, False]  # fusion_layer=1
    assert not any(c.fuse for c in DuplexEncoder(N, DuplexConfig(**SMALL, fusion="none")).convs)
    only_f = DuplexEncoder(N, DuplexConfig(**SMALL, input="none"), feature_dim=2)
    assert only_f.embedding is None and only_f.convs[0].in_channels == 2
    with pytest.raises(XatgrnInputError, match="input='none' needs node_features"):
        DuplexEncoder(N, DuplexConfig(**SMALL, input="none"))


def test_dropout_only_in_training_mode():
    torch.manual_seed(1)
    enc = DuplexEncoder(N, DuplexConfig(**SMALL, dropout=0.5))
    g = DuplexGraph.from_edges(EDGES, N)
    enc.eval()
    a1, _ = enc(g)
    a2, _ = enc(g)
    torch.testing.assert_close(a1, a2, rtol=0, atol=0)
    enc.train()
    assert not torch.equal(enc(g)[0], a1)
