"""DGCGRN: DGCN proximity matrices, the layer, fit/predict, and the inductive graph contract."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from xatgrn.baselines.dgcgrn import (
    DGCGRN,
    DGCGRNConfig,
    DGCNLayer,
    StackedProximity,
    _top_k_rows,
    proximity_matrices,
)
from xatgrn.core.metrics import classification_metrics
from xatgrn.data.synthetic import simulate
from xatgrn.data.validate import validate_data
from xatgrn.evaluate.data import cv_data
from xatgrn.evaluate.protocols import CVConfig, repetition_pairs
from xatgrn.model.config import smoke_profile
from xatgrn.train import TrainConfig

SMALL = DGCGRNConfig(
    hidden=16,
    head_hidden=16,
    top_k=8,
    train=TrainConfig(
        epochs=60, batch_size=1 << 16, lr=0.01, lr_gamma=1.0, patience=20, select_by="loss"
    ),
)


def _loop_proximity(edges: list[tuple[int, int]], n: int) -> list[np.ndarray]:
    """DGCN's three matrices written out entry by entry (reference for tiny graphs)."""
    a = np.zeros((n, n))
    for u, v in edges:
        a[u, v] = 1.0
    first = np.zeros((n, n))
    s_in = np.zeros((n, n))
    s_out = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            first[i, j] = (a[i, j] + a[j, i]) / 2
            for k in range(n):
                if a[k].sum():
                    s_in[i, j] += a[k, i] * a[k, j] / a[k].sum()
                if a[:, k].sum():
                    s_out[i, j] += a[i, k] * a[j, k] / a[:, k].sum()
    out = []
    for m in (first, s_in, s_out):
        m = m.copy()
        np.fill_diagonal(m, 0.0)
        m += np.eye(n)
        d = m.sum(1)
        out.append(m / np.sqrt(np.outer(d, d)))
    return out


def test_proximity_matrices_match_the_definitions_on_a_tiny_graph():
    edges = [(0, 1), (0, 2), (0, 3), (4, 2), (4, 3), (2, 5), (5, 2), (1, 1)]
    got = proximity_matrices(np.array(edges).T, 6, top_k=None)
    want = _loop_proximity(edges, 6)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(g.toarray(), w, atol=1e-12)
        np.testing.assert_allclose(g.toarray(), g.toarray().T, atol=1e-12)
    # genes 2 and 3 share regulators 0 and 4 (second-order in); 0 and 4 share targets (out)
    assert got[1][2, 3] > 0 and got[2][0, 4] > 0 and got[0][0, 4] == 0


def test_top_k_keeps_the_largest_entries_of_each_row():
    rng = np.random.default_rng(0)
    dense = rng.random((7, 7)) * (rng.random((7, 7)) < 0.6)
    import scipy.sparse as sp

    kept = _top_k_rows(sp.csr_matrix(dense), 2).toarray()
    for i in range(7):
        nz = np.flatnonzero(dense[i])
        top = nz[np.argsort(-dense[i, nz], kind="stable")[:2]]
        np.testing.assert_array_equal(np.flatnonzero(kept[i]), np.sort(top))


def test_dgcn_layer_and_its_gradient_equal_the_dense_computation():
    edges = np.array([[0, 0, 1, 3, 4, 4], [1, 2, 2, 2, 0, 3]])
    mats = proximity_matrices(edges, 5, top_k=None)
    torch.manual_seed(0)
    layer = DGCNLayer(4, 3, alpha=0.5, beta=2.0)
    torch.nn.init.normal_(layer.bias)
    x = torch.randn(5, 4, requires_grad=True)
    y = layer(x, StackedProximity(mats))
    xw = layer.lin(x)
    dense = [torch.as_tensor(m.toarray(), dtype=torch.float32) for m in mats]
    want = torch.cat([dense[0] @ xw, 0.5 * dense[1] @ xw, 2.0 * dense[2] @ xw], 1) + layer.bias
    assert y.shape == (5, 9)
    torch.testing.assert_close(y, want)
    g = torch.randn(5, 9)
    (gx,) = torch.autograd.grad((y * g).sum(), x)
    (gx_want,) = torch.autograd.grad((want * g).sum(), x)
    torch.testing.assert_close(gx, gx_want)


@pytest.fixture(scope="module")
def data():
    return cv_data(simulate(n_genes=60, n_samples=20, seed=7))


@pytest.fixture(scope="module")
def split(data):
    pairs = repetition_pairs(data, CVConfig(repeats=1, folds=4), 0)
    return pairs, np.flatnonzero(pairs["fold"] != 0), np.flatnonzero(pairs["fold"] == 0)


def _fit(data, pairs, train, seed=0):
    cfg = smoke_profile(seed=seed)
    return DGCGRN(cfg, SMALL).fit_pairs(
        validate_data(data.expression, data.regulations),
        pairs[["regulator", "target", "label"]],
        train,
    )


def test_fit_predict_probabilities_determinism_and_better_than_chance(data, split):
    pairs, train, test = split
    m1 = _fit(data, pairs, train)
    p1 = m1.predict_proba(pairs.iloc[test][["regulator", "target"]])
    assert p1.shape == (len(test), 3)
    np.testing.assert_allclose(p1.sum(1), 1.0, rtol=1e-5)
    p2 = _fit(data, pairs, train).predict_proba(pairs.iloc[test][["regulator", "target"]])
    np.testing.assert_array_equal(p1, p2)
    auroc = classification_metrics(pairs["label"].to_numpy()[test], p1)["auroc_macro_ovr"]
    assert auroc > 0.6
    assert m1.train_result_.val_rows is not None


SEEN: list[dict] = []


class SpyDGCGRN(DGCGRN):
    """Small DGCGRN that records the graph it built."""

    def __init__(self, config=None) -> None:
        super().__init__(config, dataclasses.replace(SMALL, train=TrainConfig(epochs=2)))

    def _fit(self, train_rows):
        super()._fit(train_rows)
        g = self.genes_
        ei = self.graph_edge_index_
        SEEN.append(
            {
                "edges": set(zip(g[ei[0]], g[ei[1]], strict=True)),
                "first": self.proximity_[0].toarray(),
                "genes": g,
            }
        )


def test_inductive_cv_graph_holds_no_test_edge(data, inductive_spy_cv):
    SEEN.clear()
    test_by_fold, every = inductive_spy_cv(data, SpyDGCGRN)
    assert len(SEEN) == len(test_by_fold) == 3
    for seen, test_edges in zip(SEEN, test_by_fold, strict=True):
        assert test_edges and not (seen["edges"] & test_edges)
        assert seen["edges"] == every - test_edges
        # no message passes along a test edge unless its reverse is a readable edge
        pos = seen["genes"].get_indexer
        for r, t in test_edges - {(t, r) for r, t in seen["edges"]}:
            if r != t:
                assert seen["first"][pos([r])[0], pos([t])[0]] == 0.0


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_runs_on_cuda(data, split):
    pairs, train, test = split
    cfg = smoke_profile(device="cuda")
    m = DGCGRN(cfg, SMALL).fit_pairs(
        validate_data(data.expression, data.regulations),
        pairs[["regulator", "target", "label"]],
        train,
    )
    p = m.predict_proba(pairs.iloc[test][["regulator", "target"]])
    np.testing.assert_allclose(p.sum(1), 1.0, rtol=1e-5)
