"""Held-out isolation: what the graph embedder and an edge-reading method receive, edge by edge.

Outside the leaking (``transductive``) protocol, the graph embedding of a fold and every method
that reads the prior see exactly the training folds' edges; ``transductive`` shows them every
prior edge and says so. Spies run through the real runner record the (regulator, target) pairs
they receive, and the strict ones raise as soon as a test-fold edge reaches them.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from xatgrn.data.synthetic import simulate
from xatgrn.evaluate import experiment as experiment_mod
from xatgrn.evaluate import runner as runner_mod
from xatgrn.evaluate.cache import EmbeddingCache
from xatgrn.evaluate.data import cv_data
from xatgrn.evaluate.experiment import Experiment
from xatgrn.evaluate.folds import fold_path
from xatgrn.evaluate.protocols import CVConfig, graph_edge_index, repetition_pairs
from xatgrn.evaluate.runner import run_cv, run_experiments
from xatgrn.graph.embedder import DuplexEmbedder
from xatgrn.methods import MethodSpec
from xatgrn.model.config import FitConfig, smoke_profile
from xatgrn.model.estimator import XATGRN

FOLDS = 3
REPEATS = 2
NON_LEAKING = ["inductive", "tf-disjoint"]

Edges = set[tuple[str, str]]


class LeakError(AssertionError):
    """A test-fold edge reached a spy."""


def tiny_fit() -> FitConfig:
    return smoke_profile()


@pytest.fixture(scope="module")
def data():
    return cv_data(simulate(n_genes=40, n_samples=16, seed=3))


def _edge_set(frame: pd.DataFrame) -> Edges:
    return set(zip(frame["regulator"].astype(str), frame["target"].astype(str), strict=True))


def _names(edge_index, genes) -> Edges:
    ei = np.asarray(edge_index)
    return {(str(genes[r]), str(genes[t])) for r, t in zip(ei[0], ei[1], strict=True)}


def _expected(data, cv: CVConfig) -> dict[tuple[int, int], tuple[Edges, Edges]]:
    """``(rep, fold) -> (edges the fold may read, its test edges)``, from the pairs alone."""
    out = {}
    for rep in range(cv.repeats):
        pairs = repetition_pairs(data, cv, rep)
        edges = pairs[pairs["label"] > 0]
        every = _edge_set(edges)
        for fold in range(cv.folds):
            test = _edge_set(edges[edges["fold"] == fold])
            assert test, "each fold must hold test edges"
            out[rep, fold] = (every if cv.protocol == "transductive" else every - test, test)
    return out


# --- the spies ----------------------------------------------------------------------------------


class Spy:
    """What the spies saw, keyed by the (repetition, fold) the runner is running."""

    def __init__(self, data, cv: CVConfig, strict: bool) -> None:
        self.genes = list(data.genes)
        self.expected = _expected(data, cv)
        self.strict = strict
        self.current: tuple[int, int] | None = None
        self.graph: dict[tuple[int, int], Edges] = {}
        self.method: dict[tuple[int, int], Edges] = {}

    def check(self, received: Edges, test: Edges, who: str) -> None:
        if self.strict and received & test:
            raise LeakError(f"{len(received & test)} test-fold edges reached the {who}")


SPY: Spy | None = None


class SpyMethod:
    """An edge- and graph-reading method that predicts uniformly and records what it got.

    It finds its test edges itself (the labelled pairs outside ``train_rows``), so it does not
    trust the runner it checks.
    """

    def __init__(self, config=None) -> None:
        self.config = config

    def fit_pairs(self, *args, graph_edges=None, graph=None):
        pairs, train_rows = args[-2], np.asarray(args[-1])
        held = np.setdiff1d(np.arange(len(pairs)), train_rows)
        test = pairs.iloc[held]
        received = _edge_set(graph_edges)
        SPY.method[SPY.current] = received
        SPY.check(received, _edge_set(test[test["label"] > 0]), "edge-reading method")
        return self

    def predict_proba(self, pairs):
        return np.full((len(pairs), 3), 1.0 / 3.0)


GRAPH_AND_EDGES = MethodSpec("spy", "spy", factory=SpyMethod, uses_graph=True, uses_edges=True)
EDGES_ONLY = MethodSpec("spy-edges", "spy", factory=SpyMethod, uses_graph=False, uses_edges=True)


@pytest.fixture
def spy_run(monkeypatch, tmp_path):
    """``run(data, protocol, spec, strict, fake_embedder) -> (spy, out)`` through the runner."""

    real_run_fold = runner_mod.run_fold
    real_fit = DuplexEmbedder.fit

    def run_fold(exp, rep, fold, *a, **k):
        SPY.current = (rep, fold)
        return real_run_fold(exp, rep, fold, *a, **k)

    def embedder_fit(self, edge_index, num_nodes, *a, **k):
        received = _names(edge_index, SPY.genes)
        SPY.graph[SPY.current] = received
        SPY.check(received, SPY.expected[SPY.current][1], "graph embedder")
        if not fake:
            return real_fit(self, edge_index, num_nodes, *a, **k)
        self.amplitude_ = np.zeros((num_nodes, 2), dtype=np.float32)
        self.phase_ = np.zeros((num_nodes, 2), dtype=np.float32)
        self.fit_seconds_ = 0.0
        return self

    monkeypatch.setattr(runner_mod, "run_fold", run_fold)
    monkeypatch.setattr(DuplexEmbedder, "fit", embedder_fit)
    fake = True

    def run(data, protocol, spec=GRAPH_AND_EDGES, *, strict=True, fake_embedder=True, **kw):
        nonlocal fake
        global SPY
        fake = fake_embedder
        cv = CVConfig(protocol=protocol, repeats=REPEATS, folds=FOLDS)
        SPY = Spy(data, cv, strict)
        fit = tiny_fit()  # a short graph fit: only its input matters here
        fit = dataclasses.replace(fit, graph=dataclasses.replace(fit.graph, max_epochs=2))
        exp = Experiment(data, spec, cv, fit)
        run_experiments([exp], tmp_path, progress_bar=False, **({"report": False} | kw))
        return SPY, tmp_path

    return run


# --- the tests ----------------------------------------------------------------------------------


@pytest.mark.parametrize("protocol", NON_LEAKING)
def test_no_test_edge_reaches_the_embedder_or_an_edge_reading_method(data, spy_run, protocol):
    spy, _ = spy_run(data, protocol, cache=None)
    folds = set(spy.expected)
    assert set(spy.graph) == folds and set(spy.method) == folds  # every fold was checked


@pytest.mark.parametrize("spec", [GRAPH_AND_EDGES, EDGES_ONLY], ids=["embedder", "method"])
def test_the_spies_catch_a_leak(data, spy_run, spec):
    """The strict spies are live: the leaking protocol trips them."""
    who = "graph embedder" if spec.uses_graph else "edge-reading method"
    with pytest.raises(LeakError, match=who):
        spy_run(data, "transductive", spec, cache=None)


@pytest.mark.parametrize("protocol", [*NON_LEAKING, "transductive"])
def test_embedder_and_method_receive_exactly_the_readable_edges(data, spy_run, protocol):
    """Edge sets, not counts: training-fold edges, or every prior edge for ``transductive``."""
    leaking = protocol == "transductive"
    spy, out = spy_run(data, protocol, strict=False, fake_embedder=False, report=leaking)
    cache = EmbeddingCache(out / "cache" / "embeddings")
    for (rep, fold), (readable, test) in spy.expected.items():
        assert spy.method[rep, fold] == readable
        rec = json.loads(fold_path(out, data.name, protocol, "spy", rep, fold).read_text())
        # the cached embedder's own record of the graph it was fitted on
        embedder = cache.load(rec["graph"]["cache_key"])
        assert _names(embedder.edge_index_.numpy(), spy.genes) == readable
        assert rec["graph"]["test_edges_in_graph"] == len(readable & test)
        assert rec["leaks"] is leaking
    if leaking:
        # one embedding per repetition, fitted on every edge and shared by its folds
        assert sorted(spy.graph) == [(rep, 0) for rep in range(REPEATS)]
        assert all(spy.graph[k] == spy.expected[k][0] for k in spy.graph)
        assert all(spy.expected[rep, f][1] <= spy.graph[rep, 0] for rep, f in spy.expected)
        assert "**leaks**" in (out / data.name / "report.md").read_text()
    else:
        assert spy.graph == {k: v[0] for k, v in spy.expected.items()}


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
        data.validated, pairs[["regulator", "target", "label"]], train_rows
    )
    graph = _names(model.embedder_.edge_index_.numpy(), list(data.genes))
    edges = pairs[pairs["label"] > 0]
    held = _edge_set(edges[edges["fold"] == 0])
    assert held and graph == _edge_set(edges[edges["fold"] != 0])
    # model selection used a validation split of the training rows, never the test fold
    val = model.train_result_.val_rows
    assert len(val) and set(val) <= set(train_rows) and not set(val) & set(np.flatnonzero(test))


def test_a_broken_isolation_is_caught_at_run_time(data, tmp_path, monkeypatch):
    """A bug that handed test edges to the embedder would stop the run, not skew the table."""
    real = experiment_mod.graph_edge_index
    monkeypatch.setattr(
        experiment_mod,
        "graph_edge_index",
        lambda protocol, pairs, fold: real("transductive", pairs, fold),
    )
    with pytest.raises(RuntimeError, match="isolation broken"):
        run_cv(
            data,
            tmp_path,
            cv=CVConfig(repeats=1, folds=FOLDS),
            config=tiny_fit(),
            method="xatgrn-paper",
            cache=None,
            progress_bar=False,
        )
