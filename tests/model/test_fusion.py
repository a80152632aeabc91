"""Tests for xatgrn.model.fusion: token layout, shapes, eqs 3–4 against a plain loop,
the one-token (reference) behaviour and the regulator/target asymmetry."""

from __future__ import annotations

import math

import pytest
import torch

from xatgrn.errors import XatgrnInputError
from xatgrn.model.fusion import CrossAttentionFusion, token_layout


def _fusion(s: int, **kw) -> CrossAttentionFusion:
    torch.manual_seed(0)
    return CrossAttentionFusion(s, **kw)


@pytest.mark.parametrize("s", [1, 2, 10, 24, 100, 805])
@pytest.mark.parametrize("tokens", ["auto", 1, 3, 7, 2000])
def test_token_layout_covers_profile_without_empty_tokens(s, tokens):
    n, chunk = token_layout(s, tokens)
    assert n * chunk >= s  # every sample lands in a token
    assert (n - 1) * chunk < s  # the last token holds at least one real sample
    if tokens == "auto":
        assert n == math.ceil(s / math.ceil(s / math.ceil(math.sqrt(s))))
    else:
        assert n <= tokens


@pytest.mark.parametrize(
    ("s", "tokens"), [(10, "auto"), (24, "auto"), (805, "auto"), (24, 1), (10, 10)]
)
def test_shapes(s, tokens):
    fus = _fusion(s, hidden=32, heads=4, tokens=tokens)
    x_r, x_t = torch.randn(5, s), torch.randn(5, s)
    out = fus(x_r, x_t)
    assert out.shape == (5, 64) == (5, fus.out_features)
    q, k, v = fus.project(x_r, "reg")
    assert q.shape == k.shape == v.shape == (5, 4, fus.n_tokens, 8)
    assert torch.isfinite(out).all()


def _loop_fusion(fus: CrossAttentionFusion, x_r: torch.Tensor, x_t: torch.Tensor) -> torch.Tensor:
    """Eqs 3–5 written out with explicit loops over heads and an explicit softmax."""
    reg, tgt = fus.project(x_r, "reg"), fus.project(x_t, "tgt")
    dh = fus.hidden // fus.heads

    def mha(q, k, v):  # [B, H, n, dh] each -> [B, n, H*dh]
        outs = []
        for h in range(fus.heads):
            w = torch.softmax(q[:, h] @ k[:, h].transpose(1, 2) / math.sqrt(dh), dim=-1)
            outs.append(w @ v[:, h])
        return torch.cat(outs, dim=-1)

    if fus.cross == "paper":
        r_star = 0.5 * (mha(reg.q, reg.k, reg.v) + mha(tgt.q, reg.k, reg.v))
        t_star = 0.5 * (mha(tgt.q, tgt.k, tgt.v) + mha(reg.q, tgt.k, tgt.v))
    else:
        r_star = 0.5 * (mha(reg.q, reg.k, reg.v) + mha(reg.q, tgt.k, tgt.v))
        t_star = 0.5 * (mha(tgt.q, reg.k, reg.v) + mha(tgt.q, tgt.k, tgt.v))
    return torch.cat([r_star.mean(dim=1), t_star.mean(dim=1)], dim=1)


@pytest.mark.parametrize("cross", ["paper", "reference"])
def test_matches_plain_loop_implementation(cross):
    fus = _fusion(23, hidden=16, heads=4, tokens=5, cross=cross)
    x_r, x_t = torch.randn(6, 23), torch.randn(6, 23)
    torch.testing.assert_close(fus(x_r, x_t), _loop_fusion(fus, x_r, x_t))


def _one_token_values(fus: CrossAttentionFusion, x: torch.Tensor, role: str) -> torch.Tensor:
    """Direct one-token formulation: V = (x W_e^T + b_e + P) W_v^T, no attention at all."""
    e = fus.embed[role]
    w_v = fus.qkv[role].weight[2 * fus.hidden :]
    return (x @ e.weight.T + e.bias + fus.pos[0]) @ w_v.T


def test_tokens1_paper_is_values_of_each_role():
    fus = _fusion(24, hidden=32, heads=8, tokens=1, cross="paper")
    x_r, x_t = torch.randn(7, 24), torch.randn(7, 24)
    expected = torch.cat(
        [_one_token_values(fus, x_r, "reg"), _one_token_values(fus, x_t, "tgt")], dim=1
    )
    torch.testing.assert_close(fus(x_r, x_t), expected)


def test_tokens1_reference_gives_half_sum_of_values_for_both_roles():
    fus = _fusion(24, hidden=32, heads=8, tokens=1, cross="reference")
    x_r, x_t = torch.randn(7, 24), torch.randn(7, 24)
    half = 0.5 * (_one_token_values(fus, x_r, "reg") + _one_token_values(fus, x_t, "tgt"))
    out = fus(x_r, x_t)
    torch.testing.assert_close(out, torch.cat([half, half], dim=1))
    torch.testing.assert_close(out[:, :32], out[:, 32:])  # R* = T*, as method.md states


def test_tokens1_queries_and_keys_get_no_gradient():
    fus = _fusion(12, hidden=16, heads=4, tokens=1)
    fus(torch.randn(4, 12), torch.randn(4, 12)).square().sum().backward()
    for role in ("reg", "tgt"):
        g = fus.qkv[role].weight.grad
        assert torch.count_nonzero(g[: 2 * 16]) == 0  # W_q, W_k: attention weights are all 1
        assert torch.count_nonzero(g[2 * 16 :]) > 0  # W_v learns


@pytest.mark.parametrize("cross", ["paper", "reference"])
@pytest.mark.parametrize("tokens", ["auto", 1])
def test_swapping_regulator_and_target_changes_output(cross, tokens):
    fus = _fusion(24, hidden=16, heads=4, tokens=tokens, cross=cross)
    x_r, x_t = torch.randn(5, 24), torch.randn(5, 24)
    out, swapped = fus(x_r, x_t), fus(x_t, x_r)
    assert not torch.allclose(out, swapped, atol=1e-4)
    # nor is it just the two halves exchanged: the roles have their own weights
    assert not torch.allclose(torch.cat([out[:, 16:], out[:, :16]], dim=1), swapped, atol=1e-4)


def test_cross_attention_mixes_the_pair():
    """With several tokens, changing only the target changes R* (eq 3: T's queries on R)."""
    fus = _fusion(24, hidden=16, heads=4, tokens=4)
    x_r = torch.randn(3, 24)
    a, b = fus(x_r, torch.randn(3, 24)), fus(x_r, torch.randn(3, 24))
    assert not torch.allclose(a[:, :16], b[:, :16], atol=1e-5)


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(XatgrnInputError, match="not divisible by heads"):
        CrossAttentionFusion(10, hidden=30, heads=8)
    with pytest.raises(XatgrnInputError, match="tokens must be 'auto' or a positive integer"):
        CrossAttentionFusion(10, tokens=0)
    with pytest.raises(XatgrnInputError, match="cross must be"):
        CrossAttentionFusion(10, cross="both")  # type: ignore[arg-type]
    fus = CrossAttentionFusion(10, hidden=16, heads=4)
    with pytest.raises(XatgrnInputError, match=r"expected \(genes, 10\)"):
        fus(torch.randn(2, 11), torch.randn(2, 11))
