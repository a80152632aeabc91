import math

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from xatgrn.core.metrics import aggregate, classification_metrics


def test_perfect_predictions():
    y = np.array([0, 1, 2, 0, 1, 2])
    proba = np.eye(3)[y] * 0.9 + 0.1 / 3
    m = classification_metrics(y, proba)
    for k in ("accuracy", "auroc_macro_ovr", "auroc_ovo", "f1", "mcc", "auroc_edge"):
        assert m[k] == pytest.approx(1.0)


def test_hand_computed_case():
    # 4 samples; predictions: 0->0, 1->2 (wrong), 2->2, 0->0
    y = np.array([0, 1, 2, 0])
    proba = np.array(
        [[0.8, 0.1, 0.1], [0.2, 0.3, 0.5], [0.1, 0.2, 0.7], [0.6, 0.3, 0.1]], dtype=float
    )
    m = classification_metrics(y, proba)
    assert m["accuracy"] == pytest.approx(0.75)
    # edge vs none: scores 1-p_none = [.2, .8, .9, .4]; positives (y != 0) = idx 1, 2 -> AUROC 1
    assert m["auroc_edge"] == pytest.approx(1.0)
    # activation vs rest: scores [.1,.5,.7,.1], positive idx 2 -> ranks above all -> 1.0
    assert m["auroc_activation"] == pytest.approx(1.0)
    # repression vs rest: scores [.1,.3,.2,.3], positive idx1 (.3) vs negatives .1,.2,.3 -> (1+1+.5)/3
    assert m["auroc_repression"] == pytest.approx(2.5 / 3)
    assert m["auroc_macro_ovr"] == pytest.approx((1.0 + 2.5 / 3 + 1.0) / 3)
    # weighted recall equals accuracy for single-label multi-class
    assert m["recall"] == pytest.approx(0.75)


def test_matches_sklearn_on_random():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 200)
    proba = rng.dirichlet(np.ones(3), size=200)
    m = classification_metrics(y, proba)
    assert m["auroc_ovo"] == pytest.approx(roc_auc_score(y, proba, multi_class="ovo"))
    assert m["auroc_macro_ovr"] == pytest.approx(roc_auc_score(np.eye(3)[y], proba))


def test_missing_class_gives_nan_not_crash():
    y = np.array([0, 0, 2, 2])
    proba = np.array([[0.9, 0.05, 0.05]] * 2 + [[0.1, 0.1, 0.8]] * 2)
    m = classification_metrics(y, proba)
    assert math.isnan(m["auroc_repression"])
    assert m["accuracy"] == 1.0


def test_aggregate_states_ddof():
    agg = aggregate([{"a": 1.0}, {"a": 3.0}], ddof=1)
    assert agg["a"]["mean"] == 2.0 and agg["a"]["std"] == pytest.approx(math.sqrt(2))
    assert agg["a"]["ddof"] == 1
