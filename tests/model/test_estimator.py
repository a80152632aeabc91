"""XATGRN estimator: fit / predict / save / load on small simulated data."""

import json

import numpy as np
import pandas as pd
import pytest

from xatgrn.data.schema import EDGE_LIST_COLUMNS
from xatgrn.data.synthetic import simulate
from xatgrn.errors import XatgrnInputError
from xatgrn.model.config import FitConfig, smoke_profile
from xatgrn.model.estimator import XATGRN
from xatgrn.model.xatgrn import XATGRNConfig
from xatgrn.train import TrainConfig


def tiny_config(**kw) -> FitConfig:
    return smoke_profile(
        **{"holdout": 0.2, "train": TrainConfig(epochs=3, batch_size=64, patience=None), **kw}
    )


@pytest.fixture(scope="module")
def data():
    return simulate(n_genes=40, n_samples=16, seed=3)


@pytest.fixture(scope="module")
def fitted(data):
    return XATGRN(tiny_config()).fit(data.expression, data.regulations)


def test_fit_reports_holdout_and_predicts_probabilities(fitted, data):
    m = fitted.holdout_metrics_
    assert 0.0 <= m["accuracy"] <= 1.0 and "auroc_macro_ovr" in m
    p = fitted.predict_proba(data.regulations[["regulator", "target"]].head(7))
    assert p.shape == (7, 3)
    np.testing.assert_allclose(p.sum(1), 1.0, rtol=1e-5)
    assert set(fitted.predict(data.regulations[["regulator", "target"]].head(3))) <= {
        "none",
        "repression",
        "activation",
    }


def test_holdout_edges_never_reach_the_graph_embedding(fitted):
    held = fitted.pairs_[(fitted.pairs_.split == "holdout") & (fitted.pairs_.label > 0)]
    assert len(held) > 0
    # the embedder saw only the training edges: predicted connection of held-out edges is
    # not forced; what we check is the bookkeeping the embedder was given
    train = fitted.pairs_[(fitted.pairs_.split == "train") & (fitted.pairs_.label > 0)]
    seen = set(zip(train.reg_idx, train.tgt_idx, strict=True))
    assert not seen & set(zip(held.reg_idx, held.tgt_idx, strict=True))
    assert fitted.embedder_.edge_index_.shape[1] == len(train)


def test_predict_network_schema_ranking_and_filters(fitted, data):
    net = fitted.predict_network()
    assert list(net.columns) == list(EDGE_LIST_COLUMNS)
    n_reg = data.regulations["regulator"].nunique()
    assert len(net) == n_reg * len(data.expression)
    assert net["score"].is_monotonic_decreasing
    assert net["rank"].tolist() == list(range(1, len(net) + 1))
    np.testing.assert_allclose(net["score"], 1 - net["p_none"], rtol=1e-6)
    assert net["in_prior"].sum() == len(data.regulations)
    top = fitted.predict_network(top=10)
    pd.testing.assert_frame_equal(top, net.head(10), check_exact=False, rtol=1e-5)
    thr = float(net["score"].iloc[20])
    assert (fitted.predict_network(min_prob=thr)["score"] >= thr).all()


def test_genes_addressed_by_name_permuting_rows_gives_same_edges(data):
    cfg = tiny_config(holdout=0.0)
    a = XATGRN(cfg).fit(data.expression, data.regulations)
    perm = data.expression.sample(frac=1.0, random_state=0)
    b = XATGRN(cfg).fit(perm, data.regulations.sample(frac=1.0, random_state=1))
    pd.testing.assert_frame_equal(a.predict_network(), b.predict_network())


def test_determinism_by_seed(data):
    a = XATGRN(tiny_config()).fit(data.expression, data.regulations)
    b = XATGRN(tiny_config()).fit(data.expression, data.regulations)
    c = XATGRN(tiny_config(seed=1)).fit(data.expression, data.regulations)
    pairs = data.regulations[["regulator", "target"]]
    np.testing.assert_array_equal(a.predict_proba(pairs), b.predict_proba(pairs))
    assert not np.array_equal(a.predict_proba(pairs), c.predict_proba(pairs))


def test_save_load_round_trip_identical(fitted, data, tmp_path):
    fitted.save(tmp_path / "m")
    loaded = XATGRN.load(tmp_path / "m")
    pairs = data.regulations[["regulator", "target"]]
    np.testing.assert_array_equal(loaded.predict_proba(pairs), fitted.predict_proba(pairs))
    pd.testing.assert_frame_equal(loaded.predict_network(), fitted.predict_network())
    assert fitted.holdout_curve_ is not None
    pd.testing.assert_frame_equal(loaded.holdout_curve_, fitted.holdout_curve_, check_dtype=False)
    with pytest.raises(XatgrnInputError, match="already exist"):
        fitted.save(tmp_path / "m")


def test_malformed_model_directories(fitted, tmp_path):
    d = tmp_path / "m"
    fitted.save(d)
    with pytest.raises(XatgrnInputError, match="model directory not found"):
        XATGRN.load(tmp_path / "nope")
    (d / "genes.json").write_text("{not json")
    with pytest.raises(XatgrnInputError, match="not valid JSON"):
        XATGRN.load(d)
    (d / "genes.json").write_text(json.dumps({"genes": ["a"], "samples": ["s"]}))
    with pytest.raises(XatgrnInputError, match="expression tensor has shape"):
        XATGRN.load(d)
    (d / "model.safetensors").write_bytes(b"\x00garbage")
    with pytest.raises(XatgrnInputError, match="cannot read weights"):
        XATGRN.load(d)
    (d / "config.json").unlink()
    with pytest.raises(XatgrnInputError, match="missing"):
        XATGRN.load(d)


def test_unknown_genes_in_predict_are_clear(fitted):
    with pytest.raises(XatgrnInputError, match="not in the model"):
        fitted.predict_proba([("NOPE", "g0001")])
    with pytest.raises(XatgrnInputError, match="not fitted"):
        XATGRN().predict_proba([("a", "b")])


@pytest.mark.parametrize("mode", ["fusion", "graph"])
def test_ablation_modes_fit(data, mode):
    cfg = tiny_config(
        network=XATGRNConfig(hidden=16, heads=2, tokens=4, conv_channels=4, mode=mode)
    )
    m = XATGRN(cfg).fit(data.expression, data.regulations)
    assert (m.embedder_ is None) == (mode == "fusion")
    assert m.predict_proba(data.regulations[["regulator", "target"]].head(2)).shape == (2, 3)


def test_write_network_streams_the_same_ranked_table(fitted, tmp_path):
    full = fitted.predict_network()
    n = fitted.write_network(tmp_path / "net.tsv.gz", chunk_rows=37, metadata={"rule": "all"})[
        "n_selected"
    ]
    assert n == len(full)
    back = pd.read_csv(tmp_path / "net.tsv.gz", sep="\t")
    pd.testing.assert_frame_equal(
        back[["regulator", "target", "rank"]], full[["regulator", "target", "rank"]]
    )
    np.testing.assert_allclose(back["score"], full["score"], rtol=1e-5)
    assert back["in_prior"].tolist() == full["in_prior"].tolist()
    meta = json.loads((tmp_path / "net.tsv.gz.meta.json").read_text())
    assert meta["rule"] == "all" and meta["n_selected"] == n
    assert meta["n_candidates"] == n  # no selection: every candidate written
    assert meta["selection_threshold"] == 0.0
