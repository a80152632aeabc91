"""CNNGRN: leak-free pair features (own entry masked, training-fold edges only), the CNN."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from xatgrn.baselines.cnngrn import (
    CNNGRN,
    ByteDropout,
    CNNGRNConfig,
    CNNGRNNet,
    PairFeatureBuilder,
)
from xatgrn.data.synthetic import simulate
from xatgrn.data.validate import validate_data
from xatgrn.evaluate.data import cv_data
from xatgrn.evaluate.protocols import CVConfig, repetition_pairs
from xatgrn.evaluate.protocols import readable_edges as allowed_edges
from xatgrn.methods import get_method
from xatgrn.model.config import smoke_profile
from xatgrn.train import TrainConfig

COLS = ["regulator", "target", "label"]
TINY = CNNGRNConfig(train=TrainConfig(epochs=2, batch_size=32, patience=None))


def _adjacency(n: int, seed: int) -> np.ndarray:
    """Signed random adjacency in which every gene regulates and is regulated (>= 3 times)."""
    gen = np.random.default_rng(seed)
    a = np.where(gen.random((n, n)) < 0.5, gen.choice([-1.0, 1.0], (n, n)), 0.0)
    for shift in (1, 2, 3):  # a few guaranteed edges per row and column
        idx = np.arange(n)
        a[idx, (idx + shift) % n] = gen.choice([-1.0, 1.0], n)
    np.fill_diagonal(a, 0.0)
    return a.astype(np.float32)


def _builder(a: np.ndarray, expr: np.ndarray, max_columns=None) -> PairFeatureBuilder:
    r, t = np.nonzero(a)
    return PairFeatureBuilder(expr, r, t, a[r, t], max_columns=max_columns, seed=7)


def _loop_features(a: np.ndarray, expr: np.ndarray, r: int, t: int) -> np.ndarray:
    """Plain reference: [e_R, A~[R, targets], e_T, A~[regulators, T]], A~ without A[R,T], A[T,R]."""
    m = a.copy()
    m[r, t] = m[t, r] = 0.0
    targets = [j for j in range(a.shape[0]) if a[:, j].any()]
    regulators = [i for i in range(a.shape[0]) if a[i].any()]
    return np.concatenate([expr[r], m[r, targets], expr[t], m[regulators, t]])


@pytest.mark.parametrize("max_columns", [None, 4])
def test_features_match_loop_and_own_entries_are_masked(max_columns):
    n = 9
    a = _adjacency(n, 0)
    expr = np.random.default_rng(1).random((n, 5)).astype(np.float32)
    b = _builder(a, expr, max_columns)
    reg, tgt = np.repeat(np.arange(n), n), np.tile(np.arange(n), n)
    x = b(reg, tgt).numpy()
    if max_columns is None:
        for k in range(len(reg)):
            np.testing.assert_array_equal(x[k], _loop_features(a, expr, reg[k], tgt[k]))
    else:
        assert x.shape[1] == 2 * 5 + 2 * max_columns
    for r, t in [(0, 1), (2, 5), (4, 3), (8, 7)]:
        k = r * n + t
        changed = a.copy()
        changed[r, t] = -a[r, t] if a[r, t] else 1.0  # flip or add A[R, T]
        changed[t, r] = -a[t, r] if a[t, r] else 1.0  # and A[T, R]
        x2 = _builder(changed, expr, max_columns)(reg, tgt).numpy()
        np.testing.assert_allclose(x2[k], x[k], atol=1e-5)  # the pair itself: unchanged
        others = np.flatnonzero(reg == r)
        others = others[others != k]
        assert not np.allclose(x2[others], x[others])  # other pairs of R do see it


def test_changing_the_pairs_edge_in_edges_does_not_change_its_features():
    data = cv_data(simulate(n_genes=60, n_samples=12, seed=4))
    pairs = repetition_pairs(data, CVConfig(repeats=1, folds=3), 0)
    train = np.flatnonzero(pairs["fold"].to_numpy() != 0)
    edges = allowed_edges("inductive", pairs, 0)
    model = CNNGRN(smoke_profile(), TINY).fit_pairs(
        validate_data(data.expression, data.regulations), pairs[COLS], train, graph_edges=edges
    )
    e = model.edges_
    out_deg = e["reg_idx"].map(e["reg_idx"].value_counts())
    in_deg = e["tgt_idx"].map(e["tgt_idx"].value_counts())
    row = e[(out_deg >= 2) & (in_deg >= 2)].iloc[0]
    r, t = np.array([row["reg_idx"]]), np.array([row["tgt_idx"]])
    before = model.pair_features(r, t)
    flipped = e.copy()
    flipped.loc[row.name, "label"] = 3 - row["label"]  # activation <-> repression
    for variant in (flipped, e.drop(index=row.name)):
        model.edges_ = variant
        model.builder_ = model.feature_builder()
        np.testing.assert_array_equal(model.pair_features(r, t), before)
    # another target of R is affected by the flip (the test can fail)
    other = e[(e["reg_idx"] == row["reg_idx"]) & (e["tgt_idx"] != row["tgt_idx"])].iloc[0]
    model.edges_ = e
    model.builder_ = model.feature_builder()
    o = (np.array([other["reg_idx"]]), np.array([other["tgt_idx"]]))
    base = model.pair_features(*o)
    model.edges_ = flipped
    model.builder_ = model.feature_builder()
    assert not np.array_equal(model.pair_features(*o), base)


SEEN: list[dict] = []


class SpyCNNGRN(CNNGRN):
    """CNNGRN that records the edges present in the adjacency its features read."""

    def __init__(self, config=None, params=None):
        super().__init__(config, TINY)

    def _fit(self, train_rows):
        super()._fit(train_rows)
        b = self.builder_
        raw = b._out_raw.cpu().numpy()
        regs, cols = np.nonzero(raw)
        targets = np.flatnonzero(b.col_of_target >= 0)
        genes = self.genes_
        SEEN.append(set(zip(genes[regs], genes[targets[cols]], strict=True)))


def test_inductive_cv_adjacency_holds_no_test_fold_edge(inductive_spy_cv):
    data = cv_data(simulate(n_genes=50, n_samples=12, seed=5))
    SEEN.clear()
    test_by_fold, every = inductive_spy_cv(data, SpyCNNGRN)
    assert len(SEEN) == len(test_by_fold) == 3
    for seen, test_edges in zip(SEEN, test_by_fold, strict=True):
        assert test_edges
        assert not (seen & test_edges)
        assert seen == every - test_edges


def test_fit_predict_probabilities_and_determinism():
    data = cv_data(simulate(n_genes=60, n_samples=12, seed=6))
    pairs = repetition_pairs(data, CVConfig(repeats=1, folds=3), 0)
    folds = pairs["fold"].to_numpy()
    train, test = np.flatnonzero(folds != 0), np.flatnonzero(folds == 0)
    edges = allowed_edges("inductive", pairs, 0)
    probas = []
    for _ in range(2):
        m = CNNGRN(smoke_profile(seed=3), TINY).fit_pairs(
            validate_data(data.expression, data.regulations), pairs[COLS], train, graph_edges=edges
        )
        probas.append(m.predict_proba(pairs.iloc[test][["regulator", "target"]]))
    assert probas[0].shape == (len(test), 3)
    np.testing.assert_allclose(probas[0].sum(1), 1.0, atol=1e-6)
    np.testing.assert_array_equal(probas[0], probas[1])
    assert get_method("cnngrn").paper_name == "CNNGRN"
    assert get_method("cnngrn").uses_edges


@pytest.mark.parametrize("pool", [1, 2])
def test_net_shapes(pool):
    cfg = dataclasses.replace(CNNGRNConfig(), pool=pool)
    net = CNNGRNNet(37, cfg)
    assert net(torch.randn(5, 37)).shape == (5, 3)


def test_byte_dropout_matches_dropout_in_expectation():
    torch.manual_seed(0)
    d = ByteDropout(0.3)
    y = d(torch.ones(200_000))
    assert (y == 0).float().mean().item() == pytest.approx(77 / 256, abs=0.005)
    assert y.mean().item() == pytest.approx(1.0, abs=0.01)
    torch.manual_seed(0)
    assert torch.equal(d(torch.ones(200_000)), y)  # seeded: reproducible
    d.eval()
    x = torch.randn(10)
    assert torch.equal(d(x), x)
