"""The default model's members: their non-edges, persistence, seeds."""

from __future__ import annotations

import pytest

from xatgrn.data.synthetic import simulate
from xatgrn.model.persist import load_model
from xatgrn.model.signed import SignedConfig, SignedXATGRN


@pytest.fixture(scope="module")
def data():
    return simulate(n_genes=50, n_samples=15, seed=4)


@pytest.fixture(scope="module")
def model(data):
    cfg = SignedConfig(holdout=0.0, bags=3, progress=False, seed=2)
    return SignedXATGRN(cfg).fit(data.expression, data.regulations)


def test_members_draw_more_non_edges_capped_by_the_pool(data):
    from xatgrn.data.validate import validate_data

    validated = validate_data(data.expression, data.regulations)
    n_edges, n = len(validated.prior), len(validated.genes)
    cfg = SignedConfig(n_negatives=40, bag_negative_factor=3.0)
    assert SignedXATGRN(cfg)._bag_negatives(validated) == 120
    ratio = SignedConfig(neg_ratio=1.0, bag_negative_factor=2.0)
    assert SignedXATGRN(ratio)._bag_negatives(validated) == 2 * n_edges
    huge = SignedConfig(n_negatives=40, bag_negative_factor=1e6)
    assert SignedXATGRN(huge)._bag_negatives(validated) == (n * (n - 1) - n_edges) // 2


def test_saved_model_keeps_its_members_and_their_non_edges(model, tmp_path):
    model.save(tmp_path / "m")
    back = load_model(tmp_path / "m")
    assert back.best_rounds_ == model.best_rounds_ and len(back.boosters_) == 3
    a = model.predict_network(top=60)
    b = back.predict_network(top=60)
    assert a.equals(b)


def test_same_seed_same_network_other_seed_other_members(data, model):
    again = SignedXATGRN(SignedConfig(holdout=0.0, bags=3, progress=False, seed=2)).fit(
        data.expression, data.regulations
    )
    assert again.predict_network(top=60).equals(model.predict_network(top=60))
    other = SignedXATGRN(SignedConfig(holdout=0.0, bags=3, progress=False, seed=3)).fit(
        data.expression, data.regulations
    )
    assert not other.predict_network(top=60).equals(model.predict_network(top=60))


def test_fit_seconds_count_the_members(data, monkeypatch):
    import time

    original = SignedXATGRN._fit_members

    def slow(self, *args, **kwargs):
        time.sleep(0.1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SignedXATGRN, "_fit_members", slow)
    cfg = SignedConfig(holdout=0.0, bags=3, progress=False)
    model = SignedXATGRN(cfg).fit(data.expression, data.regulations)
    assert model.fit_seconds_ >= 0.3  # the three members, not only the first fit


def test_same_model_whatever_the_blas_threads(data):
    """OpenBLAS sums differently with more threads; the model must not depend on it."""
    from threadpoolctl import threadpool_limits

    nets = []
    for threads in (1, 2):
        with threadpool_limits(limits=threads):
            cfg = SignedConfig(holdout=0.2, bags=2, progress=False, seed=5)
            model = SignedXATGRN(cfg).fit(data.expression, data.regulations)
            nets.append((model.holdout_metrics_, model.predict_network()))
    assert nets[0][0] == nets[1][0]
    assert nets[0][1].equals(nets[1][1])


@pytest.mark.parametrize(("holdout", "bags", "fits"), [(0.0, 2, 2), (0.2, 2, 3), (0.0, 0, 1)])
def test_each_fit_is_needed(data, monkeypatch, holdout, bags, fits):
    """Without a held-out share no model is fitted only to be replaced by the members."""
    calls = []
    original = SignedXATGRN._fit_members

    def counted(self, *args, **kwargs):
        calls.append(args[3])  # the booster configuration
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SignedXATGRN, "_fit_members", counted)
    cfg = SignedConfig(holdout=holdout, bags=bags, progress=False)
    model = SignedXATGRN(cfg).fit(data.expression, data.regulations)
    assert len(calls) == fits
    assert len(model.boosters_) == max(bags, 1)
    assert calls[-1] == (cfg.bag_booster if bags else cfg.booster)
    assert bool(model.holdout_metrics_) == (holdout > 0)
    assert set(model.pairs_["split"]) == ({"train", "holdout"} if holdout else {"train"})
