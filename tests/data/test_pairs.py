import numpy as np
import pandas as pd
import pytest

from xatgrn.data.pairs import (
    assign_folds,
    labelled_pairs,
    sample_non_edges,
    stratified_split,
    training_edges,
)
from xatgrn.errors import XatgrnInputError


def _prior(n_genes=30, seed=0):
    rng = np.random.default_rng(seed)
    genes = [f"g{i}" for i in range(n_genes)]
    src = rng.integers(0, 5, size=60)
    tgt = rng.integers(0, n_genes, size=60)
    df = pd.DataFrame({"regulator": np.array(genes)[src], "target": np.array(genes)[tgt]})
    df = df.drop_duplicates().reset_index(drop=True)
    df["type"] = np.where(np.arange(len(df)) % 3 == 0, "repression", "activation")
    return genes, df


def test_labelled_pairs_counts_and_no_negative_is_an_edge():
    genes, prior = _prior()
    pairs = labelled_pairs(prior, genes, n_negatives=70, seed=1)
    assert (pairs["label"] == 0).sum() == 70
    assert (pairs["label"] == 2).sum() == (prior["type"] == "activation").sum()
    keys = set(zip(prior["regulator"], prior["target"], strict=True))
    neg = pairs[pairs["label"] == 0]
    assert not any(k in keys for k in zip(neg["regulator"], neg["target"], strict=True))
    assert not neg.duplicated(["regulator", "target"]).any()
    # names and positions agree
    assert (np.array(genes)[pairs["reg_idx"]] == pairs["regulator"]).all()


def test_negatives_deterministic_and_regulator_restricted():
    genes, prior = _prior()
    a = labelled_pairs(prior, genes, neg_ratio=1.0, seed=3)
    b = labelled_pairs(prior, genes, neg_ratio=1.0, seed=3)
    c = labelled_pairs(prior, genes, neg_ratio=1.0, seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)
    r = labelled_pairs(prior, genes, neg_ratio=1.0, seed=3, negatives_from="regulators")
    assert set(r.loc[r.label == 0, "regulator"]) <= set(prior["regulator"])


def test_sample_non_edges_too_many_is_clear_error():
    edges = np.array([[0, 1], [1, 0]])
    with pytest.raises(XatgrnInputError, match="cannot sample"):
        sample_non_edges(2, edges, 3, np.random.default_rng(0))
    got = sample_non_edges(2, edges, 2, np.random.default_rng(0))
    assert {tuple(x) for x in got.T} == {(0, 0), (1, 1)}


def test_edge_folds_do_not_depend_on_negative_count():
    genes, prior = _prior()
    small = labelled_pairs(prior, genes, n_negatives=40, seed=0)
    large = labelled_pairs(prior, genes, n_negatives=90, seed=0)
    f_small, f_large = assign_folds(small, 5, seed=7), assign_folds(large, 5, seed=7)
    n_edges = len(prior)
    np.testing.assert_array_equal(f_small[:n_edges], f_large[:n_edges])
    # stratified: every class spread over the folds evenly (within 1)
    for c in (0, 1, 2):
        counts = np.bincount(f_large[large.label.to_numpy() == c], minlength=5)
        assert counts.max() - counts.min() <= 1


def test_stratified_split_fraction_per_class():
    labels = np.array([0] * 50 + [1] * 20 + [2] * 30)
    rest, held = stratified_split(np.arange(100), labels, 0.2, 0)
    assert len(np.intersect1d(rest, held)) == 0 and len(rest) + len(held) == 100
    assert np.bincount(labels[held]).tolist() == [10, 4, 6]


def _keys(df: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(df["regulator"], df["target"], strict=True))


def test_training_edges_are_exactly_the_edges_of_the_training_rows():
    genes, prior = _prior()
    pairs = labelled_pairs(prior, genes, n_negatives=40, seed=2)
    rng = np.random.default_rng(3)
    rows = rng.permutation(len(pairs))[: len(pairs) // 2]  # unsorted, as a fold may give them
    out = training_edges(pairs, rows)
    keep = pairs["label"].to_numpy()[rows] != 0
    assert out.index.tolist() == rows[keep].tolist()  # same rows, same order, same index
    assert list(out.columns) == list(pairs.columns)
    pd.testing.assert_frame_equal(out, pairs.iloc[rows[keep]])
    held = np.setdiff1d(np.arange(len(pairs)), rows)
    held_edges = pairs.iloc[held][pairs["label"].to_numpy()[held] != 0]
    assert not _keys(out) & _keys(held_edges)  # no held-out edge leaks
    assert training_edges(pairs, rows[~keep]).empty  # negatives only: no edge to read
    assert training_edges(pairs, np.empty(0, dtype=np.int64)).columns.equals(pairs.columns)
