"""DUPLEX training: sampled non-edges, the weighted loss (eq 20) by hand, the epoch loop."""

from __future__ import annotations

import math
import time

import numpy as np
import torch

from xatgrn.graph.config import DuplexConfig
from xatgrn.graph.conv import PairIndex
from xatgrn.graph.embedder import DuplexEmbedder
from xatgrn.graph.hermitian import STATE_VALUES, PairState, hermitian_edges, pair_states
from xatgrn.graph.training import DuplexFit, _batch, _losses, sample_non_edges, train_duplex

FAST = {"hidden": 16, "out_dim": 16, "input_dim": 16, "progress": False}


def _ring_with_hub(n: int = 12) -> torch.Tensor:
    """A directed ring plus a hub (node 0) pointing at every other node."""
    ring = torch.stack([torch.arange(n), (torch.arange(n) + 1) % n])
    hub = torch.stack([torch.zeros(n - 2, dtype=torch.long), torch.arange(2, n)])
    return torch.cat([ring, hub], 1)


def _sym_keys(ei: torch.Tensor, n: int) -> torch.Tensor:
    return torch.unique(torch.cat([ei[0] * n + ei[1], ei[1] * n + ei[0]]))


def test_sampled_non_edges_are_non_edges():
    gen = torch.Generator().manual_seed(0)
    for ei, n in [(_ring_with_hub(), 12), (torch.tensor([[0, 1, 2], [1, 2, 0]]), 4)]:
        neg = sample_non_edges(_sym_keys(ei, n), n, 200, gen)
        assert neg.shape == (2, 200)
        assert bool((neg[0] != neg[1]).all())
        assert pair_states(ei, n, neg).eq(PairState.ABSENT).all()


def test_sampled_non_edges_of_a_dense_and_a_complete_graph():
    # 4 nodes, every pair linked but 1-3: the only non-edges are (1, 3) and (3, 1)
    ei = torch.tensor([[0, 0, 0, 1, 2], [1, 2, 3, 2, 3]])
    neg = sample_non_edges(_sym_keys(ei, 4), 4, 50, torch.Generator().manual_seed(1))
    assert {tuple(p) for p in neg.T.tolist()} == {(1, 3), (3, 1)}
    full = torch.tensor([[0, 0, 1], [1, 2, 2]])
    assert sample_non_edges(_sym_keys(full, 3), 3, 5, torch.Generator()).shape == (2, 0)
    assert sample_non_edges(_sym_keys(ei, 4), 4, 0, torch.Generator()).shape == (2, 0)


def test_batch_targets_and_weights_by_hand():
    pos, state = torch.tensor([[0, 1], [1, 2]]), torch.tensor([0, 2])
    b = _batch(pos, state, torch.tensor([[3], [0]]), 0.5, 4, torch.device("cpu"))
    assert b["target"].tolist() == [0, 2, PairState.ABSENT]
    torch.testing.assert_close(b["weight"], torch.tensor([0.4, 0.4, 0.2]))
    ids, ones = torch.arange(4.0)[:, None], torch.ones(4, 1)
    assert b["index"].dot(ids, ones).tolist() == [0, 1, 3]  # sources
    assert b["index"].dot(ones, ids).tolist() == [1, 2, 0]  # targets


def test_losses_match_a_plain_computation():
    torch.manual_seed(0)
    amp, ph = torch.randn(4, 3, dtype=torch.double), torch.randn(4, 3, dtype=torch.double)
    src, dst = torch.tensor([0, 1, 3, 2]), torch.tensor([1, 2, 0, 0])
    target = torch.tensor([0, 2, 3, 1])
    weight = torch.tensor([0.3, 0.3, 0.1, 0.3], dtype=torch.double)
    b = {"index": PairIndex.build(src, dst, 4), "target": target, "weight": weight}
    l_d, l_c, acc = _losses(amp, ph, b, accuracy=True)
    x = amp.numpy() * np.exp(1j * np.pi / 2 * ph.numpy())
    exp_d = exp_c = 0.0
    hits = 0
    rows = zip(src.tolist(), dst.tolist(), target.tolist(), weight.tolist(), strict=True)
    for u, v, t, w in rows:
        h = (x[u] * np.conj(x[v])).sum()
        logits = np.array([-math.sqrt(abs(h - r) ** 2 + 1e-9) for r in STATE_VALUES])
        log_p = logits - np.log(np.exp(logits).sum())
        exp_d += -w * log_p[t]
        c, y = float(amp[u] @ amp[v]), float(t != PairState.ABSENT)
        p = 1 / (1 + math.exp(-c))
        exp_c += -w * (y * math.log(p) + (1 - y) * math.log(1 - p))
        hits += int(np.argmax(logits) == t)
    assert math.isclose(l_d.item(), exp_d, rel_tol=1e-9)
    assert math.isclose(l_c.item(), exp_c, rel_tol=1e-9)
    assert acc == hits / 4
    assert math.isnan(_losses(amp, ph, b)[2])


def test_train_duplex_returns_the_fit():
    ei, n = _ring_with_hub(), 12
    pairs, state = hermitian_edges(ei, n)  # no self-loops in this graph
    cfg = DuplexConfig(**FAST, max_epochs=6, patience=100)
    fit = train_duplex(cfg, ei, pairs, state, n, None, torch.device("cpu"), time.perf_counter())
    assert isinstance(fit, DuplexFit)
    assert fit.n_val == round(0.1 * pairs.shape[1]) == 2
    assert [h["epoch"] for h in fit.history] == list(range(6))
    assert fit.history[0]["lam"] == 0.3 and fit.history[5]["lam"] == 0.3 * (1 - 1e-4) ** 5
    val = [h["val_loss"] for h in fit.history]
    assert fit.best_epoch == int(np.argmin(val))
    assert not fit.model.training and fit.amplitude.shape == (n, 16)


def test_loss_decreases_on_toy_graph():
    cfg = DuplexConfig(**FAST, max_epochs=120, patience=1000, dropout=0.0, val_fraction=0.0)
    emb = DuplexEmbedder(cfg).fit(_ring_with_hub(), 12)
    losses = [h["loss"] for h in emb.history_]
    assert len(losses) == 120
    assert np.mean(losses[-10:]) < 0.8 * np.mean(losses[:10])


def test_fit_leaves_global_rng_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    DuplexEmbedder(DuplexConfig(**FAST, max_epochs=3)).fit(_ring_with_hub(), 12)
    torch.testing.assert_close(torch.rand(3), expected)


def test_early_stopping_and_history():
    cfg = DuplexConfig(**FAST, max_epochs=500, patience=5, lr=0.05)
    emb = DuplexEmbedder(cfg).fit(_ring_with_hub(20), 20)
    assert emb.n_epochs_ < 500
    assert emb.n_epochs_ - 1 - emb.best_epoch_ == 5
    assert all("val_loss" in h and "loss_d" in h for h in emb.history_)
    assert emb.fit_seconds_ > 0


def test_eval_every_spaces_validation_passes():
    cfg = DuplexConfig(**FAST, max_epochs=9, patience=100, eval_every=3)
    emb = DuplexEmbedder(cfg).fit(_ring_with_hub(20), 20)
    assert [h["epoch"] for h in emb.history_ if "val_loss" in h] == [0, 3, 6, 8]
