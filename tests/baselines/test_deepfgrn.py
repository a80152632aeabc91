"""DeepFGRN: the DGGAN embedding, the classifier, fit/predict and the inductive graph contract."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.metrics import roc_auc_score

from xatgrn.baselines.deepfgrn import DeepFGRN, DeepFGRNConfig, DeepFGRNNet, ExpressionTower
from xatgrn.baselines.dggan import DGGANConfig, DGGANEmbedder
from xatgrn.core.metrics import classification_metrics
from xatgrn.data.synthetic import simulate
from xatgrn.data.validate import validate_data
from xatgrn.evaluate.data import cv_data
from xatgrn.evaluate.protocols import CVConfig, repetition_pairs
from xatgrn.model.config import smoke_profile
from xatgrn.train import TrainConfig

SMALL = DeepFGRNConfig(
    embedding=DGGANConfig(dim=16, batch_size=64),
    train=TrainConfig(epochs=20, batch_size=32, lr=1e-3, lr_gamma=1.0, patience=10),
)


@pytest.fixture(scope="module")
def data():
    return cv_data(simulate(n_genes=60, n_samples=20, seed=7))


def _edge_index(data) -> tuple[np.ndarray, int]:
    genes = data.genes
    reg = data.regulations
    return np.stack([genes.get_indexer(reg["regulator"]), genes.get_indexer(reg["target"])]), len(
        genes
    )


def test_dggan_scores_readable_edges_above_random_non_edges(data):
    ei, n = _edge_index(data)
    cfg = DGGANConfig(dim=16, batch_size=64, epochs=10, progress=False, seed=3)
    emb = DGGANEmbedder(cfg).fit(ei, n)
    untrained = DGGANEmbedder(dataclasses.replace(cfg, epochs=0)).fit(ei, n)
    rng = np.random.default_rng(0)
    edges = set(zip(ei[0], ei[1], strict=True))
    cand = rng.integers(0, n, size=(2, 600))
    non = cand[:, [(u, v) not in edges for u, v in cand.T]]
    y = np.r_[np.ones(ei.shape[1]), np.zeros(non.shape[1])]
    auc = roc_auc_score(y, np.r_[emb.score(*ei), emb.score(*non)])
    auc0 = roc_auc_score(y, np.r_[untrained.score(*ei), untrained.score(*non)])
    assert auc > 0.9 and auc > auc0 + 0.3
    # same seed, same embedding; min-max scaling maps each dimension to [0, 1]
    again = DGGANEmbedder(cfg).fit(ei, n)
    np.testing.assert_array_equal(emb.source_, again.source_)
    s, t = emb.scaled()
    assert s.shape == t.shape == (n, 16)
    np.testing.assert_allclose(s.min(0), 0.0) and np.testing.assert_allclose(s.max(0), 1.0)


def test_tower_softmax_and_pearson_feature():
    torch.manual_seed(0)
    tower = ExpressionTower(7, (16, 32, 32), 5).eval()
    out = tower(torch.randn(4, 7))
    torch.testing.assert_close(out.sum(1), torch.ones(4))
    expr = torch.randn(6, 9)
    expr[5] = 2.0  # a constant profile has correlation 0, not NaN
    net = DeepFGRNNet(expr, torch.rand(6, 4), torch.rand(6, 4), SMALL)
    reg, tgt = torch.tensor([0, 1, 2, 5]), torch.tensor([3, 4, 0, 1])
    pairs = zip(reg[:3], tgt[:3], strict=True)
    want = [np.corrcoef(expr[r].numpy(), expr[t].numpy())[0, 1] for r, t in pairs]
    want.append(0.0)
    np.testing.assert_allclose(net.pearson(reg, tgt).numpy(), want, atol=1e-5)
    assert net.eval()(reg, tgt).shape == (4, 3)


def test_fit_predict_probabilities_determinism_and_better_than_chance(data):
    pairs = repetition_pairs(data, CVConfig(repeats=1, folds=4), 0)
    train, test = np.flatnonzero(pairs["fold"] != 0), np.flatnonzero(pairs["fold"] == 0)

    def fit() -> DeepFGRN:
        return DeepFGRN(smoke_profile(), SMALL).fit_pairs(
            validate_data(data.expression, data.regulations),
            pairs[["regulator", "target", "label"]],
            train,
        )

    m = fit()
    query = pairs.iloc[test][["regulator", "target"]]
    p = m.predict_proba(query)
    assert p.shape == (len(test), 3)
    np.testing.assert_allclose(p.sum(1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(p, fit().predict_proba(query))
    assert classification_metrics(pairs["label"].to_numpy()[test], p)["auroc_macro_ovr"] > 0.6
    # the embedding saw the training edges only (no graph_edges given: the leak-free default)
    tr = pairs.iloc[train]
    tr = tr[tr["label"] > 0]
    assert m.embedder_.edge_index_.shape[1] == len(tr)


SEEN: list[set[tuple[str, str]]] = []


class SpyDeepFGRN(DeepFGRN):
    """Small DeepFGRN that records the edges its DGGAN was fitted on."""

    def __init__(self, config=None) -> None:
        small = dataclasses.replace(SMALL, train=TrainConfig(epochs=1, batch_size=64))
        super().__init__(config, small)

    def _fit(self, train_rows):
        super()._fit(train_rows)
        g: pd.Index = self.genes_
        ei = self.embedder_.edge_index_.numpy()
        SEEN.append(set(zip(g[ei[0]], g[ei[1]], strict=True)))


def test_inductive_cv_embedding_holds_no_test_edge(data, inductive_spy_cv):
    SEEN.clear()
    test_by_fold, every = inductive_spy_cv(data, SpyDeepFGRN)
    assert len(SEEN) == len(test_by_fold) == 3
    for seen, test_edges in zip(SEEN, test_by_fold, strict=True):
        assert test_edges and not (seen & test_edges)
        assert seen == every - test_edges


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_runs_on_cuda(data):
    pairs = repetition_pairs(data, CVConfig(repeats=1, folds=4), 0)
    train, test = np.flatnonzero(pairs["fold"] != 0), np.flatnonzero(pairs["fold"] == 0)
    m = DeepFGRN(smoke_profile(device="cuda"), SMALL).fit_pairs(
        validate_data(data.expression, data.regulations),
        pairs[["regulator", "target", "label"]],
        train,
    )
    p = m.predict_proba(pairs.iloc[test][["regulator", "target"]])
    np.testing.assert_allclose(p.sum(1), 1.0, rtol=1e-5)
