"""Tests for xatgrn.model.xatgrn: shapes per ablation mode, forward == forward_cached,
regulator/target asymmetry, gene-order independence and config round trip."""

from __future__ import annotations

import pytest
import torch

from xatgrn.errors import XatgrnInputError
from xatgrn.model.xatgrn import ConvHead, GeneCache, XATGRNConfig, XATGRNNet

SMALL = {"hidden": 16, "heads": 4, "fc_hidden": 16}


def _net(s: int | None, g: int | None, **kw) -> XATGRNNet:
    torch.manual_seed(0)
    return XATGRNNet(s, g, XATGRNConfig(**{**SMALL, **kw})).eval()


def _data(n: int, s: int, g: int, b: int, seed: int = 0):
    gen = torch.Generator().manual_seed(seed)
    expr, graph = torch.randn(n, s, generator=gen), torch.randn(n, g, generator=gen)
    reg = torch.randint(0, n, (b,), generator=gen)
    tgt = torch.randint(0, n, (b,), generator=gen)
    return expr, graph, reg, tgt


@pytest.mark.parametrize("s", [10, 24, 805])
@pytest.mark.parametrize("tokens", ["auto", 1])
def test_output_shape(s, tokens):
    net = _net(s, 8, tokens=tokens)
    expr, graph, reg, tgt = _data(12, s, 8, 9)
    assert net(expr, graph, reg, tgt).shape == (9, 3)


@pytest.mark.parametrize(
    ("mode", "width"), [("both", 2 * 16 + 2 * 8), ("fusion", 2 * 16), ("graph", 2 * 8)]
)
def test_ablation_modes_change_input_width_and_run(mode, width):
    net = _net(24, 8, mode=mode)
    assert net.in_features == width == net.head.in_features
    expr, graph, reg, tgt = _data(10, 24, 8, 6)
    cache = net.encode_genes(expr, graph)
    assert net.features(cache, reg, tgt).shape == (6, width)
    # the unused table may be omitted entirely
    out = net(None if mode == "graph" else expr, None if mode == "fusion" else graph, reg, tgt)
    assert out.shape == (6, 3) and torch.isfinite(out).all()
    assert (net.fusion is None) == (mode == "graph")


@pytest.mark.parametrize("mode", ["both", "fusion", "graph"])
@pytest.mark.parametrize("head_pool", ["avg", "flatten"])
def test_forward_equals_forward_cached(mode, head_pool):
    net = _net(24, 8, mode=mode, head_pool=head_pool)
    expr, graph, reg, tgt = _data(15, 24, 8, 11)
    cache = net.encode_genes(expr, graph)
    assert cache.n_genes == 15
    torch.testing.assert_close(
        net(expr, graph, reg, tgt), net.forward_cached(cache, reg, tgt), rtol=1e-5, atol=1e-6
    )
    # a cache moved between devices (here: CPU to CPU) scores the same
    torch.testing.assert_close(
        net.forward_cached(cache.to("cpu"), reg, tgt), net.forward_cached(cache, reg, tgt)
    )


@pytest.mark.parametrize("mode", ["both", "fusion", "graph"])
def test_swapping_regulator_and_target_changes_logits(mode):
    net = _net(24, 8, mode=mode, head_pool="flatten" if mode == "graph" else "avg")
    expr, graph, reg, tgt = _data(10, 24, 8, 8)
    keep = reg != tgt
    a, b = net(expr, graph, reg[keep], tgt[keep]), net(expr, graph, tgt[keep], reg[keep])
    assert not torch.allclose(a, b, atol=1e-5)


def test_gene_order_does_not_matter():
    """Genes are addressed by index into the tables: permuting rows and indices is a no-op."""
    net = _net(24, 8)
    expr, graph, reg, tgt = _data(12, 24, 8, 10)
    perm = torch.randperm(12, generator=torch.Generator().manual_seed(1))
    where = torch.empty_like(perm)
    where[perm] = torch.arange(12)
    torch.testing.assert_close(
        net(expr[perm], graph[perm], where[reg], where[tgt]), net(expr, graph, reg, tgt)
    )


def test_every_parameter_gets_gradient():
    torch.manual_seed(0)
    net = XATGRNNet(24, 8, XATGRNConfig(**SMALL)).train()
    expr, graph, reg, tgt = _data(10, 24, 8, 16)
    torch.nn.functional.cross_entropy(net(expr, graph, reg, tgt), tgt % 3).backward()
    for name, p in net.named_parameters():
        assert p.grad is not None and torch.count_nonzero(p.grad) > 0, name


def test_head_shapes_and_short_inputs():
    head = ConvHead(40, channels=4, kernel=15, pool=5, pool_mode="flatten", fc_hidden=8)
    assert head.out_len == 8
    assert head.eval()(torch.randn(3, 40)).shape == (3, 3)
    tiny = ConvHead(3, channels=4, kernel=15, pool=5).eval()  # pool shrinks to the conv length
    assert tiny(torch.randn(2, 3)).shape == (2, 3)


def test_eval_head_folds_batchnorm_exactly():
    torch.manual_seed(0)
    head = ConvHead(50, channels=4, kernel=7, pool=3, fc_hidden=8).train()
    for _ in range(5):  # non-trivial running statistics
        head(3 * torch.randn(16, 50) + 1)
    head.eval()
    x = torch.randn(6, 50)
    x1 = torch.relu(head.pool(head.bn(head.conv(x.unsqueeze(1)))))  # eq 22, unfolded
    expected = head.fc2(torch.relu(head.fc1(x1.mean(dim=2))))
    torch.testing.assert_close(head(x), expected, rtol=1e-5, atol=1e-5)


def test_config_round_trip_and_unknown_keys():
    cfg = XATGRNConfig(tokens=1, mode="fusion", cross="reference")
    assert XATGRNConfig.from_dict(cfg.to_dict()) == cfg
    assert XATGRNConfig().hidden == 128 and XATGRNConfig().heads == 8
    assert XATGRNConfig().dropout == 0.3 and XATGRNConfig().mode == "both"
    with pytest.raises(XatgrnInputError, match=r"unknown XATGRNConfig field\(s\) \['hiden'\]"):
        XATGRNConfig.from_dict({"hiden": 64})


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(XatgrnInputError, match="mode must be"):
        XATGRNNet(10, 8, XATGRNConfig(mode="all"))  # type: ignore[arg-type]
    with pytest.raises(XatgrnInputError, match="positive even number"):
        XATGRNNet(10, 7)
    with pytest.raises(XatgrnInputError, match="n_samples is required"):
        XATGRNNet(None, 8)
    net = _net(10, 8)
    expr, graph, reg, tgt = _data(6, 10, 8, 4)
    with pytest.raises(XatgrnInputError, match=r"expected \(genes, 8\)"):
        net.encode_genes(expr, graph[:, :6])
    with pytest.raises(XatgrnInputError, match="graph features cover 5 genes, expression 6"):
        net.encode_genes(expr, graph[:5])
    with pytest.raises(XatgrnInputError, match="must be 1-D and of equal length"):
        net.forward_cached(net.encode_genes(expr, graph), reg, tgt[:3])
    assert isinstance(net.encode_genes(expr, graph), GeneCache)
