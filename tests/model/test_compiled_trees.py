"""Compiled boosters: the same probabilities as LightGBM, bit for bit, or LightGBM itself."""

from __future__ import annotations

import logging
import pickle

import numpy as np
import pytest

from xatgrn.data.synthetic import simulate
from xatgrn.errors import XatgrnInputError
from xatgrn.model import compiled_trees
from xatgrn.model.compiled_trees import CompiledBoosters
from xatgrn.model.signed import SignedConfig, SignedXATGRN


@pytest.fixture(scope="module")
def model():
    ds = simulate(n_genes=40, n_samples=15, seed=6)
    return SignedXATGRN(SignedConfig(holdout=0.0, bags=2, progress=False, seed=1)).fit(
        ds.expression, ds.regulations
    )


@pytest.fixture(scope="module")
def pairs(model):
    n = len(model.genes_)
    reg = np.repeat(np.arange(n), n)
    return reg, np.tile(np.arange(n), n)


def test_compiled_probabilities_equal_lightgbm_bit_for_bit(model, pairs):
    assert compiled_trees.find_compiler() is not None, "CI machines have gcc"
    compiled = CompiledBoosters(model.boosters_, model.best_rounds_, threads=1)
    assert compiled.compile_seconds > 0 and compiled.failed is None
    want = model._proba(*pairs)
    got = model._proba(*pairs, compiled=compiled)
    assert np.array_equal(got, want)
    assert compiled.failed is None and compiled._verified


def test_compiled_network_file_is_the_lightgbm_file(model, tmp_path):
    plain = model.write_network(tmp_path / "a.tsv", compile_trees="no")
    fast = model.write_network(tmp_path / "b.tsv", compile_trees="yes")
    assert plain == fast
    assert (tmp_path / "a.tsv").read_bytes() == (tmp_path / "b.tsv").read_bytes()


def test_auto_compiles_only_large_candidate_sets(model, monkeypatch):
    fresh = pickle.loads(pickle.dumps(model))  # no build carried over
    assert fresh._gene_cache(1000, "auto") is None
    monkeypatch.setattr(compiled_trees, "AUTO_MIN_PAIRS", 1000)
    built = fresh._gene_cache(1000, "auto")
    assert isinstance(built, CompiledBoosters)
    assert fresh._gene_cache(1000, "auto") is built  # built once per model and process
    assert fresh._gene_cache(10**9, "no") is None


def test_a_refit_model_never_uses_a_stale_build(model, pairs):
    fresh = pickle.loads(pickle.dumps(model))
    first = fresh._gene_cache(0, "yes")
    assert fresh._gene_cache(0, "yes") is first  # same boosters: the same build
    fresh.boosters_, fresh.best_rounds_ = fresh.boosters_[:1], fresh.best_rounds_[:1]  # a refit
    second = fresh._gene_cache(0, "yes")
    assert first is not None and second is not None and second is not first
    assert np.array_equal(fresh._proba(*pairs, compiled=second), fresh._proba(*pairs))


def test_pickles_leave_the_native_build_behind(model):
    fresh = pickle.loads(pickle.dumps(model))
    assert fresh._gene_cache(0, "yes") is not None
    again = pickle.loads(pickle.dumps(fresh))
    assert not hasattr(again, "_compiled")


def test_without_a_compiler_lightgbm_scores_with_a_warning(model, monkeypatch, caplog):
    fresh = pickle.loads(pickle.dumps(model))
    monkeypatch.setattr(compiled_trees, "find_compiler", lambda: None)
    with caplog.at_level(logging.WARNING, logger="xatgrn.model.compiled_trees"):
        net = fresh.predict_network(top=20, compile_trees="yes")
    assert "no C compiler" in caplog.text and "same output" in caplog.text
    assert net.equals(model.predict_network(top=20, compile_trees="no"))


def test_a_build_that_disagrees_is_dropped_for_lightgbm(model, pairs, caplog):
    fresh = pickle.loads(pickle.dumps(model))
    compiled = fresh._gene_cache(0, "yes")

    class Wrong:
        def predict(self, dmat):
            return np.full((dmat.shape[0], 1, 3), 1 / 3)

    compiled._predictors[0] = Wrong()
    with caplog.at_level(logging.WARNING, logger="xatgrn.model.compiled_trees"):
        got = fresh._proba(*pairs, compiled=compiled)
    assert "differ from LightGBM" in caplog.text and compiled.failed
    assert np.array_equal(got, model._proba(*pairs))
    assert fresh._gene_cache(0, "yes") is None  # the failed build is not retried


def test_unknown_mode_is_a_clear_error(model):
    with pytest.raises(XatgrnInputError, match=r"compile_trees='fast'.*auto"):
        model.predict_network(top=5, compile_trees="fast")


def test_a_failing_compiler_falls_back_to_lightgbm(model, monkeypatch, caplog):
    import tl2cgen
    from tl2cgen.exception import TL2cgenError

    def broken(*args, **kwargs):
        raise TL2cgenError("gcc: internal compiler error")

    fresh = pickle.loads(pickle.dumps(model))
    monkeypatch.setattr(tl2cgen, "export_lib", broken)
    with caplog.at_level(logging.WARNING, logger="xatgrn.model.compiled_trees"):
        net = fresh.predict_network(top=20, compile_trees="yes")
    assert "internal compiler error" in caplog.text
    assert net.equals(model.predict_network(top=20, compile_trees="no"))


def test_without_tl2cgen_lightgbm_scores(model, monkeypatch, caplog):
    import sys

    fresh = pickle.loads(pickle.dumps(model))
    monkeypatch.setitem(sys.modules, "tl2cgen", None)  # as on Linux aarch64: not installed
    with caplog.at_level(logging.INFO, logger="xatgrn.model.compiled_trees"):
        assert fresh._gene_cache(10**9, "auto") is None
    assert "tl2cgen" in caplog.text and "same output" in caplog.text
