"""One fold: its record, its file (atomic, strict JSON) and the resume check."""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path

import numpy as np
import pytest

from xatgrn.data.synthetic import simulate
from xatgrn.errors import XatgrnInputError
from xatgrn.evaluate import folds as folds_mod
from xatgrn.evaluate.cache import EmbeddingCache
from xatgrn.evaluate.data import cv_data
from xatgrn.evaluate.experiment import Experiment
from xatgrn.evaluate.folds import check_resumable, fold_path, run_fold, write_fold
from xatgrn.evaluate.protocols import CVConfig, repetition_pairs
from xatgrn.methods import get_method
from xatgrn.model.config import smoke_profile


@pytest.fixture(scope="module")
def data():
    return cv_data(simulate(n_genes=40, n_samples=16, seed=3))


def test_fold_path_layout(tmp_path):
    path = fold_path(tmp_path, "ecoli_cold", "inductive", "xatgrn", 3, 4)
    assert path == tmp_path / "ecoli_cold" / "inductive" / "xatgrn" / "rep3_fold4.json"


def test_write_fold_is_strict_json(tmp_path):
    path = tmp_path / "a" / "rep0_fold0.json"
    record = {
        "metrics": {"auroc": np.float64(0.75), "mcc": float("nan"), "f1": np.float32("inf")},
        "n": np.int64(3),
        "rows": np.array([1.0, np.nan]),
        "where": Path("x/y"),
    }
    write_fold(path, record)
    text = path.read_text()
    assert text.endswith("\n") and "NaN" not in text and "Infinity" not in text
    assert json.loads(text) == {
        "metrics": {"auroc": 0.75, "mcc": None, "f1": None},
        "n": 3,
        "rows": [1.0, None],
        "where": "x/y",
    }


def test_a_failed_write_leaves_no_file(tmp_path):
    path = tmp_path / "rep0_fold0.json"
    with pytest.raises(TypeError, match="not JSON serialisable: object"):
        write_fold(path, {"x": object()})
    assert list(tmp_path.iterdir()) == []


def test_check_resumable(tmp_path, caplog):
    path = tmp_path / "rep0_fold0.json"
    assert check_resumable(path, "k1") is False  # missing: run it
    path.write_text("{not json")
    with caplog.at_level(logging.WARNING, logger="xatgrn"):
        assert check_resumable(path, "k1") is False  # unreadable: recompute
    assert "unreadable" in caplog.text
    write_fold(path, {"task_key": "k1"})
    assert check_resumable(path, "k1") is True  # finished, same task: skip
    with pytest.raises(XatgrnInputError, match=r"different settings \(task key 'k1', now 'k2'"):
        check_resumable(path, "k2")


def _uniform(spec, config, data, pairs, train_rows, test_rows, *a):
    return np.full((len(test_rows), 3), 1.0 / 3.0), None


def test_run_fold_record_counts_seeds_and_metrics(data, monkeypatch):
    monkeypatch.setattr(folds_mod, "fit_predict", _uniform)
    cv = CVConfig(repeats=2, folds=3)
    exp = Experiment(data, get_method("xatgrn-paper-fusion"), cv, smoke_profile())
    rec = run_fold(exp, 1, 2, EmbeddingCache(None))
    pairs = repetition_pairs(data, cv, 1)
    test = pairs[pairs["fold"] == 2]
    assert (rec["repetition"], rec["fold"], rec["n_folds"]) == (1, 2, 3)
    assert rec["n_test"] == len(test) and rec["n_train"] == len(pairs) - len(test)
    counts = test["label"].value_counts()
    assert rec["n_test_by_class"] == {
        "none": counts.get(0, 0),
        "repression": counts.get(1, 0),
        "activation": counts.get(2, 0),
    }
    assert rec["seeds"]["repetition"] == 1 and rec["seeds"]["graph"] is None
    assert rec["graph"] is None and rec["n_validation"] is None
    assert rec["config"]["fit"]["seed"] == rec["seeds"]["model"]
    assert math.isclose(rec["metrics"]["auroc_macro_ovr"], 0.5)
    assert rec["task_key"] == exp.task_key() and rec["leaks"] is False
    # pure: the same arguments give the same record (timings and the clock aside)
    again = run_fold(exp, 1, 2, EmbeddingCache(None))
    for r in (rec, again):
        r.pop("timings"), r.pop("finished")
    assert json.dumps(again, sort_keys=True, default=str) == json.dumps(
        rec, sort_keys=True, default=str
    )
