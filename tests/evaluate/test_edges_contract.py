"""Methods that read the prior see only the edges their protocol allows (``uses_edges``)."""

from __future__ import annotations

import numpy as np
import pytest

from xatgrn.baselines._base import PairBaseline
from xatgrn.data.synthetic import simulate
from xatgrn.data.validate import validate_data
from xatgrn.evaluate.data import cv_data
from xatgrn.evaluate.experiment import Experiment
from xatgrn.evaluate.protocols import CVConfig, repetition_pairs
from xatgrn.evaluate.runner import run_experiments
from xatgrn.methods import MethodSpec, get_method
from xatgrn.model.config import smoke_profile

SEEN: list[set[tuple[str, str]]] = []


class SpyBaseline(PairBaseline):
    """Predicts the class prior and records the edges it was allowed to read."""

    name = "spy"

    def _fit(self, train_rows: np.ndarray) -> None:
        genes = self.genes_
        e = self.edges_
        SEEN.append(set(zip(genes[e["reg_idx"]], genes[e["tgt_idx"]], strict=True)))
        counts = np.bincount(self.labels_[train_rows], minlength=3).astype(float)
        self.prior_p_ = counts / counts.sum()

    def _proba(self, reg: np.ndarray, tgt: np.ndarray) -> np.ndarray:
        return np.tile(self.prior_p_, (len(reg), 1))


SPY = MethodSpec("spy", "test spy", factory=SpyBaseline, uses_graph=False, uses_edges=True)


@pytest.fixture(scope="module")
def data():
    return cv_data(simulate(n_genes=40, n_samples=16, seed=5))


@pytest.mark.parametrize("protocol", ["inductive", "transductive"])
def test_edge_reading_methods_get_training_edges_or_all(data, tmp_path, protocol):
    SEEN.clear()
    cv = CVConfig(protocol=protocol, repeats=1, folds=3)
    exp = Experiment(data, SPY, cv, smoke_profile())
    run_experiments([exp], tmp_path, cache=None, progress_bar=False, report=False)
    assert len(SEEN) == 3
    pairs = repetition_pairs(data, cv, 0)
    edges = pairs[pairs["label"] > 0]
    every = set(zip(edges["regulator"], edges["target"], strict=True))
    for fold, seen in enumerate(SEEN):
        test = edges[edges["fold"] == fold]
        test_edges = set(zip(test["regulator"], test["target"], strict=True))
        assert test_edges, "each fold must hold test edges"
        if protocol == "inductive":
            assert seen == every - test_edges
            assert not (seen & test_edges)
        else:
            assert seen == every


def test_baseline_without_graph_edges_uses_training_edges_only(data):
    pairs = repetition_pairs(data, CVConfig(repeats=1, folds=3), 0)
    train = np.flatnonzero(pairs["fold"].to_numpy() != 0)
    SEEN.clear()
    m = SpyBaseline(smoke_profile()).fit_pairs(
        validate_data(data.expression, data.regulations),
        pairs[["regulator", "target", "label"]],
        train,
    )
    tr = pairs.iloc[train]
    tr = tr[tr["label"] > 0]
    assert SEEN[0] == set(zip(tr["regulator"], tr["target"], strict=True))
    proba = m.predict_proba(pairs[["regulator", "target"]].head(7))
    assert proba.shape == (7, 3)
    np.testing.assert_allclose(proba.sum(1), 1.0)
    assert m.predict_proba(pairs[["regulator", "target"]].head(0)).shape == (0, 3)


def test_method_record_holds_baseline_params_and_keeps_xatgrn_keys_stable():
    xat = get_method("xatgrn-paper").to_dict()
    # finished XATGRN folds hash this dict: no key may appear in it later
    assert set(xat) == {
        "name",
        "description",
        "factory",
        "uses_graph",
        "network",
        "paper_name",
        "family",
    }
    dg = get_method("dgcgrn").to_dict()
    assert dg["uses_edges"] is True and dg["params"]["hidden"] > 0
