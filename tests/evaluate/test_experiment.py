"""Grid cells: effective config, task keys (which let finished runs resume), the graph of a fold."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from xatgrn.data.synthetic import simulate
from xatgrn.evaluate import experiment as experiment_mod
from xatgrn.evaluate import folds as folds_mod
from xatgrn.evaluate import runner as runner_mod
from xatgrn.evaluate.data import cv_data
from xatgrn.evaluate.experiment import Experiment, fold_graph
from xatgrn.evaluate.protocols import CVConfig, graph_edge_index, repetition_pairs
from xatgrn.evaluate.runner import run_experiments
from xatgrn.methods import get_method
from xatgrn.model.config import smoke_profile


@pytest.fixture(scope="module")
def data():
    return cv_data(simulate(n_genes=40, n_samples=16, seed=3))


def _exp(data, method="xatgrn-paper", **cv) -> Experiment:
    design = CVConfig(**({"repeats": 2, "folds": 3} | cv))
    return Experiment(data, get_method(method), design, smoke_profile())


@pytest.mark.parametrize(
    ("method", "protocol", "key"),
    [
        ("xatgrn-paper", "inductive", "688c585b5c1dabe6"),
        ("xatgrn-paper", "transductive", "d629f4a93c5b06f2"),
        ("xatgrn-paper-fusion", "inductive", "038eb680492d3250"),
        ("dgcgrn", "inductive", "27760ac275b54fa9"),
        ("logreg", "tf-disjoint", "2bb1ae15f7e999ad"),
    ],
)
def test_task_keys_are_unchanged(data, method, protocol, key):
    """Finished fold files carry these keys: a change would stop committed grids resuming."""
    assert _exp(data, method, protocol=protocol).task_key() == key


def test_task_key_ignores_repeats_device_and_progress_only(data):
    exp = _exp(data)
    key = exp.task_key()
    assert dataclasses.replace(exp, cv=dataclasses.replace(exp.cv, repeats=7)).task_key() == key
    quiet = dataclasses.replace(exp.fit, device="cuda", progress=False)
    assert dataclasses.replace(exp, fit=quiet).task_key() == key
    assert dataclasses.replace(exp, cv=dataclasses.replace(exp.cv, folds=4)).task_key() != key
    assert dataclasses.replace(exp, cv=dataclasses.replace(exp.cv, seed=1)).task_key() != key


def test_fit_config_takes_the_dataset_and_design_settings(data):
    ref = dataclasses.replace(data, preprocessing="log2_minmax", n_negatives=30, graph_dim=24)
    cfg = _exp(ref, graph_dim="reference").fit_config()
    assert (cfg.preprocessing, cfg.n_negatives, cfg.graph.out_dim) == ("log2_minmax", 30, 24)
    cfg = _exp(ref, neg_ratio=2.0, graph_dim=8).fit_config()
    assert (cfg.n_negatives, cfg.neg_ratio, cfg.graph.out_dim) == (None, 2.0, 8)
    assert _exp(data, "xatgrn-paper-fusion").fit_config().network.mode == "fusion"


def test_fold_graph_one_per_fold_or_one_per_repetition_when_leaking(data):
    for protocol, per_fold in (("inductive", True), ("tf-disjoint", True), ("transductive", False)):
        exp = _exp(data, protocol=protocol)
        pairs = repetition_pairs(data, exp.cv, 0)
        graphs = [fold_graph(exp, pairs, 0, k) for k in range(3)]
        seeds = {seed for seed, _, _ in graphs}
        assert len(seeds) == (3 if per_fold else 1)
        for k, (seed, cfg, edges) in enumerate(graphs):
            assert cfg.seed == seed and not cfg.progress
            np.testing.assert_array_equal(edges, graph_edge_index(protocol, pairs, k))
    seed, cfg, _ = fold_graph(exp, pairs, 1, 0, progress=True)
    assert cfg.progress and seed != graphs[0][0]  # another repetition, another seed


def test_planning_and_the_fold_derive_the_same_graph(data, tmp_path, monkeypatch):
    """Both sides call the one ``fold_graph``: the planned cache entries are the ones folds use,
    so a fold never refits an embedding the plan counted as cached (or the reverse)."""
    calls: list[tuple[str, int, int, str]] = []
    real = experiment_mod.fold_graph

    def recorder(side):
        def wrapped(exp, pairs, rep, fold, **kw):
            seed, cfg, edges = real(exp, pairs, rep, fold, **kw)
            from xatgrn.evaluate.cache import EmbeddingCache

            calls.append((side, rep, fold, EmbeddingCache.key(edges, exp.data.genes, cfg)))
            return seed, cfg, edges

        return wrapped

    monkeypatch.setattr(runner_mod, "fold_graph", recorder("plan"))
    monkeypatch.setattr(folds_mod, "fold_graph", recorder("fold"))
    monkeypatch.setattr(folds_mod, "fit_predict", _uniform)
    exp = _exp(data)
    quick = dataclasses.replace(exp.fit.graph, max_epochs=2)
    exp = dataclasses.replace(
        exp, cv=CVConfig(repeats=1, folds=3), fit=dataclasses.replace(exp.fit, graph=quick)
    )
    res = run_experiments([exp], tmp_path, progress_bar=False, report=False)
    plan = {(r, f): k for side, r, f, k in calls if side == "plan"}
    fold = {(r, f): k for side, r, f, k in calls if side == "fold"}
    assert plan == fold and len(plan) == 3 and res["embeddings"] == 3


def _uniform(spec, config, data, pairs, train_rows, test_rows, *a):
    return np.full((len(test_rows), 3), 1.0 / 3.0), None
