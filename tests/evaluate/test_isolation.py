"""Inductive folds never show test pairs to the graph embedding; transductive does and says so."""

from __future__ import annotations

import json

import numpy as np
import pytest

from xatgrn.data.synthetic import simulate
from xatgrn.evaluate import cv as cvmod
from xatgrn.evaluate.cv import (
    CVConfig,
    EmbeddingCache,
    cv_data,
    fold_path,
    graph_edge_index,
    repetition_pairs,
    run_cv,
)
from xatgrn.graph.duplex import DuplexEmbedder
from xatgrn.model.estimator import XATGRN, FitConfig, smoke_profile

FOLDS = 3


def tiny_fit() -> FitConfig:
    return smoke_profile()


@pytest.fixture(scope="module")
def data():
    return cv_data(simulate(n_genes=40, n_samples=16, seed=3))


def _keys(edge_index, n: int) -> set[int]:
    ei = np.asarray(edge_index)
    return set((ei[0].astype(np.int64) * n + ei[1]).tolist())


def _test_keys(pairs, fold: int, n: int, edges: bool) -> set[int]:
    test = pairs[(pairs["fold"] == fold) & ((pairs["label"] > 0) == edges)]
    return set((test["reg_idx"].to_numpy(np.int64) * n + test["tgt_idx"].to_numpy()).tolist())


def _spy_run(data, out, protocol: str):
    """Run a protocol while recording every edge set handed to DuplexEmbedder.fit."""
    seen: list[set[int]] = []
    real = DuplexEmbedder.fit
    n = len(data.genes)

    def spy(self, edge_index, num_nodes, *a, **k):
        seen.append(_keys(edge_index, n))
        return real(self, edge_index, num_nodes, *a, **k)

    cv = CVConfig(protocol=protocol, repeats=1, folds=FOLDS)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(DuplexEmbedder, "fit", spy)
        run_cv(data, out, cv=cv, config=tiny_fit(), progress_bar=False)
    return out, repetition_pairs(data, cv, 0), seen


def test_embedder_inputs_hold_no_test_pair_in_inductive_folds(data, tmp_path):
    out, pairs, seen = _spy_run(data, tmp_path, "inductive")
    n = len(data.genes)
    assert len(seen) == FOLDS  # one embedding per fold
    for k in range(FOLDS):
        rec = json.loads(fold_path(out, data.name, "inductive", "xatgrn", 0, k).read_text())
        assert rec["leaks"] is False and rec["graph"]["test_edges_in_graph"] == 0
        # the cached embedder's own record of the graph it was fitted on
        emb = EmbeddingCache(out / "cache" / "embeddings").load(rec["graph"]["cache_key"])
        graph = _keys(emb.edge_index_.numpy(), n)
        assert graph in seen
        assert not graph & _test_keys(pairs, k, n, edges=True)
        assert not graph & _test_keys(pairs, k, n, edges=False)
        train_edges = pairs[(pairs["fold"] != k) & (pairs["label"] > 0)]
        assert graph == _keys(train_edges[["reg_idx", "tgt_idx"]].to_numpy().T, n)


def test_transductive_embedding_saw_the_test_edges_and_is_labelled_leaking(data, tmp_path):
    out, pairs, seen = _spy_run(data, tmp_path, "transductive")
    n = len(data.genes)
    assert len(seen) == 1  # one embedding per repetition, shared by its folds
    for k in range(FOLDS):
        rec = json.loads(fold_path(out, data.name, "transductive", "xatgrn", 0, k).read_text())
        assert rec["leaks"] is True and "leaking" in rec["leak_note"]
        assert _test_keys(pairs, k, n, edges=True) <= seen[0]
        assert rec["graph"]["test_edges_in_graph"] == int(
            ((pairs["fold"] == k) & (pairs["label"] > 0)).sum()
        )
    assert "**leaks**" in (out / data.name / "report.md").read_text()


def test_embedder_input_does_not_depend_on_test_negatives(data):
    """Different negatives (hence different test negatives) leave the graph input unchanged."""
    a = repetition_pairs(data, CVConfig(folds=FOLDS, n_negatives=20), 0)
    b = repetition_pairs(data, CVConfig(folds=FOLDS, n_negatives=70), 0)
    for k in range(FOLDS):
        np.testing.assert_array_equal(
            graph_edge_index("inductive", a, k), graph_edge_index("inductive", b, k)
        )


def test_a_model_fitted_without_a_test_edge_never_shows_it_to_its_embedder(data):
    pairs = repetition_pairs(data, CVConfig(folds=FOLDS), 0)
    test = pairs["fold"].to_numpy() == 0
    train_rows = np.flatnonzero(~test)
    model = XATGRN(tiny_fit()).fit_pairs(
        data.expression, data.regulations, pairs[["regulator", "target", "label"]], train_rows
    )
    n = len(data.genes)
    graph = _keys(model.embedder_.edge_index_.numpy(), n)
    held = _test_keys(pairs, 0, n, edges=True)
    assert held and not graph & held
    # model selection used a validation split of the training rows, never the test fold
    val = model.train_result_.val_rows
    assert len(val) and set(val) <= set(train_rows) and not set(val) & set(np.flatnonzero(test))


def test_a_broken_isolation_is_caught_at_run_time(data, tmp_path, monkeypatch):
    """A bug that handed test edges to the embedder would stop the run, not skew the table."""
    real = cvmod.graph_edge_index
    monkeypatch.setattr(
        cvmod, "graph_edge_index", lambda protocol, pairs, fold: real("transductive", pairs, fold)
    )
    with pytest.raises(RuntimeError, match="isolation broken"):
        run_cv(
            data,
            tmp_path,
            cv=CVConfig(repeats=1, folds=FOLDS),
            config=tiny_fit(),
            cache=None,
            progress_bar=False,
        )
