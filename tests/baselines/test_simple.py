"""Simple reference baselines: contract, determinism, skill on the simulator, shortcuts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import pearsonr, rankdata, spearmanr

from xatgrn.baselines.simple import (
    CorrelationBaseline,
    GBMBaseline,
    GBMConfig,
    LogRegBaseline,
    SignPriorBaseline,
    SignPriorConfig,
    SVDMLPBaseline,
    SVDMLPConfig,
    correlation_features,
    edge_lookup,
    standardize_rows,
)
from xatgrn.core.metrics import classification_metrics
from xatgrn.data.schema import ACTIVATION, REPRESSION
from xatgrn.data.synthetic import simulate
from xatgrn.data.validate import validate_data
from xatgrn.errors import XatgrnInputError
from xatgrn.evaluate.data import cv_data
from xatgrn.evaluate.protocols import CVConfig, repetition_pairs
from xatgrn.evaluate.protocols import readable_edges as allowed_edges
from xatgrn.methods import get_method
from xatgrn.model.config import smoke_profile
from xatgrn.train import TrainConfig

COLS = ["regulator", "target", "label"]
TINY_MLP = SVDMLPConfig(dim=8, hidden=(16,), train=TrainConfig(epochs=4, batch_size=64))


@pytest.fixture(scope="module")
def split():
    data = cv_data(simulate(n_genes=150, n_samples=30, seed=3))
    pairs = repetition_pairs(data, CVConfig(repeats=1, folds=3), 0)
    folds = pairs["fold"].to_numpy()
    train, test = np.flatnonzero(folds != 0), np.flatnonzero(folds == 0)
    edges = allowed_edges("inductive", pairs, 0)
    return data, pairs, train, test, edges


def _fit(cls, split, seed=0, params=None, edges=None):
    data, pairs, train, test, allowed = split
    model = (
        cls(smoke_profile(seed=seed), params)
        if params is not None
        else cls(smoke_profile(seed=seed))
    )
    model.fit_pairs(
        validate_data(data.expression, data.regulations),
        pairs[COLS],
        train,
        graph_edges=allowed if edges is None else edges,
    )
    return model, model.predict_proba(pairs.iloc[test][["regulator", "target"]])


METHODS = [
    (LogRegBaseline, None),
    (GBMBaseline, GBMConfig(max_iter=60)),
    (CorrelationBaseline, None),
    (SignPriorBaseline, None),
    (SVDMLPBaseline, TINY_MLP),
]


@pytest.mark.parametrize(("cls", "params"), METHODS, ids=lambda x: getattr(x, "name", ""))
def test_fit_predict_probabilities_and_determinism(split, cls, params):
    _, _, _, test, _ = split
    _, p1 = _fit(cls, split, seed=1, params=params)
    assert p1.shape == (len(test), 3)
    assert np.all(p1 >= 0) and np.all(p1 <= 1)
    np.testing.assert_allclose(p1.sum(1), 1.0, atol=1e-6)
    _, p2 = _fit(cls, split, seed=1, params=params)
    np.testing.assert_array_equal(p1, p2)


@pytest.mark.parametrize(("cls", "params"), METHODS[:2], ids=["logreg", "gbm"])
def test_expression_models_beat_chance(split, cls, params):
    _, pairs, _, test, _ = split
    _, proba = _fit(cls, split, params=params)
    auroc = classification_metrics(pairs["label"].to_numpy()[test], proba)["auroc_macro_ovr"]
    assert auroc > 0.6


def test_registry_flags():
    expected = {
        "logreg": False,
        "gbm": False,
        "correlation": False,
        "sign-prior": True,
        "svd-mlp": True,
    }
    for name, uses_edges in expected.items():
        spec = get_method(name)
        assert spec.family == "baseline"
        assert spec.uses_edges is uses_edges
        assert spec.uses_graph is False


def test_correlation_features_match_scipy():
    x = np.random.default_rng(0).normal(size=(6, 15))
    x[5] = 3.0  # constant profile -> correlation 0
    zp, zs = standardize_rows(x), standardize_rows(rankdata(x, axis=1))
    reg, tgt = np.array([0, 1, 2, 5]), np.array([1, 3, 4, 0])
    f = correlation_features(zp, zs, reg, tgt)
    for i in range(3):
        assert f[i, 0] == pytest.approx(pearsonr(x[reg[i]], x[tgt[i]])[0], abs=1e-5)
        assert f[i, 1] == pytest.approx(spearmanr(x[reg[i]], x[tgt[i]])[0], abs=1e-5)
    np.testing.assert_allclose(f[:, 2:], np.abs(f[:, :2]))
    np.testing.assert_array_equal(f[3], 0.0)


def test_edge_lookup():
    edges = pd.DataFrame({"reg_idx": [0, 2, 2], "tgt_idx": [1, 0, 3], "label": [2, 1, 2]})
    got = edge_lookup(edges, 4, np.array([2, 0, 1, 2]), np.array([3, 1, 0, 0]))
    np.testing.assert_array_equal(got, [2, 2, -1, 1])
    empty = edges.iloc[:0]
    np.testing.assert_array_equal(edge_lookup(empty, 4, np.array([0]), np.array([1])), [-1])


def test_sign_prior_predicts_the_readable_majority(split):
    _, pairs, _, test, edges = split
    model, proba = _fit(SignPriorBaseline, split)
    # the majority computed independently from the readable edges, by name
    share = (edges["label"] == ACTIVATION).groupby(edges["regulator"]).mean()
    share = share[share != 0.5]
    te = pairs.iloc[test]
    known = te["regulator"].isin(share.index).to_numpy()
    assert known.sum() > 10
    majority = np.where(share.reindex(te["regulator"][known]) > 0.5, ACTIVATION, REPRESSION)
    predicted = np.where(
        proba[known, ACTIVATION] > proba[known, REPRESSION], ACTIVATION, REPRESSION
    )
    np.testing.assert_array_equal(predicted, majority)
    # an unseen regulator gets the global share
    unseen = np.setdiff1d(np.arange(len(model.genes_)), model.edges_["reg_idx"])
    g = (edges["label"] == ACTIVATION).mean()
    np.testing.assert_allclose(model.activation_share(unseen[:3], unseen[:3]), g)


def test_sign_prior_leaves_the_pairs_own_edge_out(split):
    train = split[2]
    model, _ = _fit(SignPriorBaseline, split, params=SignPriorConfig(smoothing=0.0))
    e = model.edges_
    # a readable edge of a regulator with several readable edges
    counts = e["reg_idx"].value_counts()
    row = e[e["reg_idx"].isin(counts[counts >= 3].index)].iloc[0]
    r, t = np.array([row["reg_idx"]]), np.array([row["tgt_idx"]])
    own_out = model.activation_share(r, t)
    # same share as when the edge is not readable at all
    model.edges_ = e.drop(index=row.name)
    model._fit(train)
    np.testing.assert_allclose(model.activation_share(r, t), own_out)


def test_svd_mlp_embeddings_are_projections_of_the_masked_rows(split):
    model, _ = _fit(SVDMLPBaseline, split, params=TINY_MLP)
    n = len(model.genes_)
    a = model.adjacency(signed=True).astype(np.float64)
    e = model.edges_
    pick = e.iloc[:5]
    reg, tgt = pick["reg_idx"].to_numpy(), pick["tgt_idx"].to_numpy()
    u_r, v_t, u_t, v_r = model._embeddings(reg, tgt)
    for i, (r, t) in enumerate(zip(reg, tgt, strict=True)):
        masked = a.copy()
        masked[r, t] = masked[t, r] = 0.0
        assert masked[r].any() or masked[:, t].any()
        np.testing.assert_allclose(u_r[i], masked[r] @ model.left_basis_, atol=1e-4)
        np.testing.assert_allclose(v_t[i], masked[:, t] @ model.right_basis_, atol=1e-4)
        np.testing.assert_allclose(u_t[i], masked[t] @ model.left_basis_, atol=1e-4)
        np.testing.assert_allclose(v_r[i], masked[:, r] @ model.right_basis_, atol=1e-4)
    # and the unmasked embedding of a pair holding an edge does differ
    assert not np.allclose(u_r[0], model.left_[reg[0]])
    assert n == a.shape[0]


def test_unknown_gene_is_a_clear_error(split):
    model, _ = _fit(CorrelationBaseline, split)
    with pytest.raises(XatgrnInputError, match=r"not in the model.s genes.*nope"):
        model.predict_proba(pd.DataFrame({"regulator": ["nope"], "target": ["G0001"]}))
