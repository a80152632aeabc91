"""Protocols: the CV design, seeds, pairs and folds per repetition, the edges a fold may read."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from xatgrn.data.synthetic import simulate
from xatgrn.errors import XatgrnInputError
from xatgrn.evaluate.data import cv_data
from xatgrn.evaluate.protocols import (
    CVConfig,
    derive_seed,
    graph_edge_index,
    readable_edges,
    repetition_pairs,
)


def tiny_cv(**kw) -> CVConfig:
    return CVConfig(**({"protocol": "inductive", "repeats": 1, "folds": 3} | kw))


@pytest.fixture(scope="module")
def data():
    return cv_data(simulate(n_genes=40, n_samples=16, seed=3))


@pytest.fixture
def pairs() -> pd.DataFrame:
    """Genes a, b, c, d at positions 0..3; two folds; two negatives (label 0)."""
    rows = [
        ("a", "b", 2, 0, 1, 0),
        ("a", "c", 1, 0, 2, 1),
        ("b", "c", 2, 1, 2, 0),
        ("c", "d", 1, 2, 3, 1),
        ("d", "a", 0, 3, 0, 0),
        ("b", "d", 0, 1, 3, 1),
    ]
    cols = ["regulator", "target", "label", "reg_idx", "tgt_idx", "fold"]
    return pd.DataFrame(rows, columns=cols)


def test_readable_edges_are_the_training_fold_edges_or_all_when_leaking(pairs):
    inductive = readable_edges("inductive", pairs, 0)
    expected = pd.DataFrame({"regulator": ["a", "c"], "target": ["c", "d"], "label": [1, 1]})
    pd.testing.assert_frame_equal(inductive, expected)
    pd.testing.assert_frame_equal(readable_edges("tf-disjoint", pairs, 0), expected)
    every = pd.DataFrame(
        {"regulator": ["a", "a", "b", "c"], "target": ["b", "c", "c", "d"], "label": [2, 1, 2, 1]}
    )
    for fold in (0, 1):
        pd.testing.assert_frame_equal(readable_edges("transductive", pairs, fold), every)


def test_readable_edges_hold_each_pair_once(pairs):
    doubled = pd.concat([pairs, pairs.iloc[[1]]], ignore_index=True)
    edges = readable_edges("inductive", doubled, 0)
    assert list(zip(edges["regulator"], edges["target"], strict=True)) == [("a", "c"), ("c", "d")]


def test_graph_edge_index_is_the_readable_edges_as_sorted_positions(pairs):
    np.testing.assert_array_equal(graph_edge_index("inductive", pairs, 0), [[0, 2], [2, 3]])
    np.testing.assert_array_equal(graph_edge_index("inductive", pairs, 1), [[0, 1], [1, 2]])
    full = graph_edge_index("transductive", pairs, 1)
    np.testing.assert_array_equal(full, [[0, 0, 1, 2], [1, 2, 2, 3]])
    assert full.dtype == np.int64
    # the row order of the pairs changes nothing
    shuffled = pairs.iloc[[5, 3, 1, 4, 2, 0]].reset_index(drop=True)
    np.testing.assert_array_equal(graph_edge_index("transductive", shuffled, 1), full)


@pytest.mark.parametrize("protocol", ["inductive", "transductive", "tf-disjoint"])
def test_graph_and_readable_edges_agree_on_real_folds(data, protocol):
    cv = tiny_cv(protocol=protocol)
    pairs = repetition_pairs(data, cv, 0)
    genes = list(data.genes)
    for fold in range(cv.folds):
        ei = graph_edge_index(protocol, pairs, fold)
        graph = {(genes[r], genes[t]) for r, t in ei.T}
        edges = readable_edges(protocol, pairs, fold)
        assert graph == set(zip(edges["regulator"], edges["target"], strict=True))
        assert len(graph) == len(edges) == ei.shape[1]


def test_repetitions_draw_from_base_seed_plus_r(data):
    cfg = tiny_cv(repeats=2)
    a0, a1 = repetition_pairs(data, cfg, 0), repetition_pairs(data, cfg, 1)
    assert repetition_pairs(data, cfg, 0).equals(a0)
    assert not a0["fold"].equals(a1["fold"])
    # rep 1 of base seed 0 is rep 0 of base seed 1
    assert repetition_pairs(data, dataclasses.replace(cfg, seed=1), 0).equals(a1)


def test_edge_folds_do_not_depend_on_the_number_of_negatives(data):
    few = repetition_pairs(data, tiny_cv(n_negatives=20), 0)
    many = repetition_pairs(data, tiny_cv(n_negatives=60), 0)
    assert (few["label"] == 0).sum() == 20 and (many["label"] == 0).sum() == 60
    e_few, e_many = few[few["label"] > 0], many[many["label"] > 0]
    assert e_few[["regulator", "target", "fold"]].equals(e_many[["regulator", "target", "fold"]])


def test_tf_disjoint_folds_keep_each_regulator_in_one_fold(data):
    pairs = repetition_pairs(data, tiny_cv(protocol="tf-disjoint"), 0)
    assert (pairs.groupby("regulator")["fold"].nunique() == 1).all()
    edges = pairs[pairs["label"] > 0]
    assert edges["fold"].nunique() == 3  # every fold tests some edges


def test_derived_seeds_are_fixed_and_independent_per_stage_and_fold():
    # finished fold files record these: a change would break bit-for-bit reproduction
    assert derive_seed(0, "pairs") == 3964924996
    assert derive_seed(0, "folds") == 3141116543
    assert derive_seed(0, "graph", 0) == 3679268941
    assert derive_seed(0, "model", 0) == 2040376534
    assert derive_seed(1, "graph", 2) == 803182006
    assert derive_seed(1, "graph") == 4010755824  # transductive: one graph per repetition
    seeds = {derive_seed(3, s, f) for s in ("pairs", "graph", "model") for f in (0, 1)}
    assert len(seeds) == 6


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"protocol": "paper"}, "unknown protocol 'paper'.*inductive, transductive, tf-disjoint"),
        ({"folds": 1}, "at least 1 repetition and 2 folds"),
        ({"repeats": 0}, "at least 1 repetition and 2 folds"),
        ({"n_negatives": 10, "neg_ratio": 1.0}, "give n_negatives or neg_ratio, not both"),
        ({"graph_dim": "big"}, "graph_dim='big'.*positive int, 'reference' or None"),
    ],
)
def test_cv_config_errors_name_the_fix(kw, match):
    with pytest.raises(XatgrnInputError, match=match):
        tiny_cv(**kw).check()


def test_cv_config_round_trips_as_a_dict():
    cfg = tiny_cv(graph_dim="reference", neg_ratio=2.0)
    assert cfg.check() is cfg
    assert CVConfig(**cfg.to_dict()) == cfg
