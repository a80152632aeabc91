"""The estimator contract, executed over every registered method (like scikit-learn's
``parametrize_with_checks``), and the registry as data."""

from __future__ import annotations

import dataclasses
import pickle

import numpy as np
import pandas as pd
import pytest

from xatgrn.baselines.cnngrn import CNNGRNConfig
from xatgrn.baselines.deepfgrn import DeepFGRNConfig
from xatgrn.baselines.dgcgrn import DGCGRNConfig
from xatgrn.baselines.dggan import DGGANConfig
from xatgrn.baselines.simple import GBMConfig, SVDMLPConfig
from xatgrn.core.contract import Estimator
from xatgrn.data.pairs import labelled_pairs, training_edges
from xatgrn.data.synthetic import simulate
from xatgrn.data.validate import validate_data
from xatgrn.errors import NotFittedError, XatgrnInputError
from xatgrn.methods import (
    BUILTIN_METHODS,
    METHODS,
    LazyFactory,
    MethodSpec,
    configure,
    fit_predict,
    persistent_methods,
)
from xatgrn.model.config import smoke_profile
from xatgrn.train import TrainConfig

QUICK = TrainConfig(epochs=2, batch_size=64, patience=None)
#: small hyper-parameters so that every method fits in about a second
FAST_PARAMS = {
    "cnngrn": CNNGRNConfig(train=QUICK),
    "deepfgrn": DeepFGRNConfig(embedding=DGGANConfig(dim=8, batch_size=64, epochs=2), train=QUICK),
    "dgcgrn": DGCGRNConfig(hidden=8, head_hidden=8, top_k=4, train=QUICK),
    "gbm": GBMConfig(max_iter=10),
    "svd-mlp": SVDMLPConfig(dim=4, hidden=(8,), train=QUICK),
}
NAMES = [spec.name for spec in BUILTIN_METHODS]


@pytest.fixture(scope="module")
def inputs():
    ds = simulate(n_genes=40, n_samples=12, seed=11)
    data = validate_data(ds.expression, ds.regulations)
    pairs = labelled_pairs(data.prior, data.genes, neg_ratio=1.0, seed=5)[
        ["regulator", "target", "label"]
    ]
    rng = np.random.default_rng(0)
    test = rng.random(len(pairs)) < 0.25
    return ds, data, pairs, np.flatnonzero(~test), np.flatnonzero(test)


def make(name: str, seed: int = 0) -> Estimator:
    spec = METHODS[name]
    cfg = configure(spec, smoke_profile(seed=seed))
    if name in FAST_PARAMS:
        return spec.factory(cfg, FAST_PARAMS[name])
    return spec.factory(cfg)


def fit(model: Estimator, name: str, inputs) -> Estimator:
    _, data, pairs, train, _ = inputs
    spec = METHODS[name]
    kw = {}
    if spec.uses_edges:
        kw["graph_edges"] = training_edges(pairs, train)
    return model.fit_pairs(data, pairs, train, **kw)


@pytest.mark.parametrize("name", NAMES)
def test_init_stores_arguments_and_learns_nothing(name):
    model = make(name)
    assert isinstance(model, Estimator)
    params = model.get_params()
    assert params["config"] is model.config
    assert not [k for k in vars(model) if k.endswith("_")], "fitted state before fit"
    clone = type(model)(**params)
    assert clone.get_params() == params


@pytest.mark.parametrize("name", NAMES)
def test_not_fitted_is_one_error(name, inputs):
    with pytest.raises(NotFittedError, match=r"is not fitted\. Fix: call fit"):
        make(name).predict_proba(inputs[2].iloc[:3][["regulator", "target"]])
    assert issubclass(NotFittedError, XatgrnInputError)
    assert issubclass(NotFittedError, AttributeError)


@pytest.mark.parametrize("name", NAMES)
def test_fit_pairs_returns_self_with_fitted_attributes_and_probabilities(name, inputs):
    ds, _, pairs, _, test = inputs
    model = make(name)
    assert fit(model, name, inputs) is model
    for attr in ("genes_", "samples_", "prior_", "expression_", "seeds_", "fit_seconds_"):
        assert hasattr(model, attr), attr
    assert list(model.genes_) == sorted(ds.expression.index)
    assert model.expression_.dtypes.eq(np.float32).all()
    proba = model.predict_proba(pairs.iloc[test][["regulator", "target"]])
    assert proba.shape == (len(test), 3)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(1), 1.0, atol=1e-5)
    # tuples work like a frame; no pairs gives (0, 3); class names follow argmax
    tuples = list(pairs.iloc[test[:4]][["regulator", "target"]].itertuples(index=False))
    np.testing.assert_array_equal(model.predict_proba(tuples), proba[:4])
    assert model.predict_proba(pairs.iloc[:0][["regulator", "target"]]).shape == (0, 3)
    names = model.predict(tuples)
    assert list(names) == [("none", "repression", "activation")[i] for i in proba[:4].argmax(1)]


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_numbers_and_clone_equivalence(name, inputs):
    _, _, pairs, _, test = inputs
    query = pairs.iloc[test][["regulator", "target"]]
    a = fit(make(name, seed=3), name, inputs).predict_proba(query)
    model = make(name, seed=3)
    b = fit(type(model)(**model.get_params()), name, inputs).predict_proba(query)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", NAMES)
def test_fit_does_not_modify_its_inputs(name, inputs):
    _, data, pairs, train, _ = inputs
    before = (data.expression.copy(), data.prior.copy(), pairs.copy(), train.copy())
    fit(make(name), name, inputs)
    pd.testing.assert_frame_equal(data.expression, before[0])
    pd.testing.assert_frame_equal(data.prior, before[1])
    pd.testing.assert_frame_equal(pairs, before[2])
    np.testing.assert_array_equal(train, before[3])


@pytest.mark.parametrize("name", NAMES)
def test_unknown_gene_is_a_clear_error(name, inputs):
    model = fit(make(name), name, inputs)
    with pytest.raises(XatgrnInputError, match="nope"):
        model.predict_proba([("nope", inputs[1].genes[0])])


@pytest.mark.parametrize("name", NAMES)
def test_fit_on_expression_and_prior_is_row_order_invariant(name, inputs):
    ds = inputs[0]
    model = make(name)
    cfg = dataclasses.replace(model.config, holdout=0.25)
    a = type(model)(**{**model.get_params(), "config": cfg})
    assert a.fit(ds.expression, ds.regulations) is a
    assert set(a.pairs_["split"]) == {"train", "holdout"}
    assert len(a.holdout_proba_) == int((a.pairs_["split"] == "holdout").sum())
    rng = np.random.default_rng(1)
    expr = ds.expression.iloc[rng.permutation(len(ds.expression))]
    prior = ds.regulations.iloc[rng.permutation(len(ds.regulations))]
    b = type(model)(**{**model.get_params(), "config": cfg}).fit(expr, prior)
    query = a.pairs_[a.pairs_["split"] == "holdout"][["regulator", "target"]]
    np.testing.assert_array_equal(a.predict_proba(query), b.predict_proba(query))
    assert a.holdout_metrics_ == b.holdout_metrics_


@pytest.mark.parametrize("name", NAMES)
def test_graph_table_only_for_methods_that_read_one(name, inputs):
    _, data, pairs, train, _ = inputs
    model = make(name)
    table = np.zeros((len(data.genes), 4), dtype=np.float32)
    if type(model).accepts_graph:
        return  # XATGRN's graph table is checked in tests/model/test_estimator.py
    with pytest.raises(TypeError, match="does not read a graph embedding"):
        model.fit_pairs(data, pairs, train, graph=table)


def test_registry_is_data_and_the_runner_passes_only_what_a_method_reads(inputs):
    _, data, pairs, train, test = inputs
    assert list(METHODS) == NAMES
    assert len(set(NAMES)) == len(NAMES)
    for spec in BUILTIN_METHODS:
        assert isinstance(spec, MethodSpec)
        assert spec.family in ("xatgrn", "baseline")
        assert not (spec.family == "baseline" and spec.uses_graph)
    spec = METHODS["sign-prior"]
    with pytest.raises(ValueError, match="reads the prior: pass graph_edges"):
        fit_predict(spec, smoke_profile(), data, pairs, train, test, None)
    edges = training_edges(pairs, train)
    proba, model = fit_predict(spec, smoke_profile(), data, pairs, train, test, None, edges)
    assert proba.shape == (len(test), 3) and proba.dtype == np.float64
    got = set(zip(model.edges_["reg_idx"], model.edges_["tgt_idx"], strict=True))
    want = set(
        zip(
            model.positions(edges["regulator"], ""),
            model.positions(edges["target"], ""),
            strict=True,
        )
    )
    assert got == want


def test_persistent_methods_are_those_whose_estimator_saves():
    """``persistent_methods`` decides lazy built-ins by family; their classes must agree."""
    persistent = set(persistent_methods())
    for spec in BUILTIN_METHODS:
        assert isinstance(spec.factory, LazyFactory), spec.name
        cls = spec.factory.resolve()
        assert (spec.name in persistent) == hasattr(cls, "save") == (spec.family == "xatgrn")


def test_a_plain_class_is_persistent_when_it_saves():
    class Saves:
        def save(self, path):
            pass

    from xatgrn.methods import _REGISTRY

    for name, factory, expected in (("saves", Saves, True), ("no-save", object, False)):
        _REGISTRY[name] = MethodSpec(name, "test", factory=factory)
        try:
            assert (name in persistent_methods()) is expected
        finally:
            _REGISTRY.pop(name)


@pytest.mark.parametrize("spec", BUILTIN_METHODS, ids=lambda s: s.name)
def test_lazy_factory_stands_for_its_class(spec):
    lazy = spec.factory
    cls = lazy.resolve()
    # to_dict (hashed into the task keys) names the class as the class itself does
    assert (lazy.__module__, lazy.__qualname__) == (cls.__module__, cls.__qualname__)
    assert dataclasses.replace(spec, factory=cls).to_dict() == spec.to_dict()
    for attr in ("config_from", "default_params", "params_type", "save"):
        assert hasattr(lazy, attr) == hasattr(cls, attr)
        if hasattr(cls, attr):
            assert getattr(lazy, attr) == getattr(cls, attr)
    copy = pickle.loads(pickle.dumps(spec))
    assert copy == spec and hash(copy.factory) == hash(lazy)
    assert pickle.dumps(lazy) == pickle.dumps(LazyFactory(cls.__module__, cls.__qualname__))
    assert isinstance(make(spec.name), cls)


def test_lazy_factory_equality_and_errors():
    a = LazyFactory("xatgrn.baselines.simple", "GBMBaseline")
    assert a == LazyFactory("xatgrn.baselines.simple", "GBMBaseline")
    assert a != LazyFactory("xatgrn.baselines.simple", "LogRegBaseline")
    assert len({a, LazyFactory("xatgrn.baselines.simple", "GBMBaseline")}) == 1
    assert repr(a) == "LazyFactory('xatgrn.baselines.simple', 'GBMBaseline')"
    with pytest.raises(AttributeError):
        _ = a.__wrapped__
    with pytest.raises(AttributeError, match="no_such_attribute"):
        _ = a.no_such_attribute
