"""Tests for xatgrn.train: learning on a separable toy problem, class weights (eq 27),
stratified validation split, early stopping, best-epoch restore, determinism, CPU runs."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from xatgrn.errors import XatgrnInputError
from xatgrn.model.xatgrn import XATGRNConfig, XATGRNNet
from xatgrn.train import (
    TrainConfig,
    class_weights,
    predict_logits,
    resolve_device,
    stratified_split,
    torch_seed,
    train_classifier,
)


def _blobs(n: int = 300, seed: int = 0) -> tuple[torch.Tensor, np.ndarray]:
    """Three well-separated Gaussian blobs in 4-D, imbalanced 3:2:1."""
    gen = np.random.default_rng(seed)
    y = np.repeat([0, 1, 2], [n // 2, n // 3, n - n // 2 - n // 3])
    centres = np.array([[3, 0, 0, 0], [0, 3, 0, 0], [0, 0, 3, 0]], dtype=np.float32)
    x = centres[y] + gen.normal(size=(n, 4)).astype(np.float32)
    return torch.from_numpy(x), y


def _mlp(seed: int = 0) -> nn.Module:
    with torch_seed(seed):
        return nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(0.2), nn.Linear(16, 3))


def _cfg(**kw) -> TrainConfig:
    base = {"epochs": 15, "batch_size": 32, "progress": False, "device": "cpu"}
    return TrainConfig(**{**base, **kw})


def test_learns_separable_problem_on_cpu():
    x, y = _blobs()
    model = _mlp()
    res = train_classifier(
        model, lambda rows: model(x[rows]), y, np.arange(len(y)), config=_cfg(lr=1e-2)
    )
    losses = [h["train_loss"] for h in res.history]
    assert losses[-1] < 0.5 * losses[0]
    assert res.best_score > 0.9  # val accuracy, chance is 0.5 (majority) / 0.33 (uniform)
    assert res.history[res.best_epoch]["val_accuracy"] == res.best_score
    assert all(p.device.type == "cpu" for p in model.parameters())
    assert not model.training  # handed back in eval mode
    # learning rate decays by gamma each epoch (ExponentialLR)
    np.testing.assert_allclose(res.history[1]["lr"], 1e-2 * 0.9)
    np.testing.assert_allclose(res.history[5]["lr"], 1e-2 * 0.9**5)


def test_class_weights_hand_example():
    y = np.array([0, 0, 0, 0, 1, 1, 2, 2])  # N=8, N_c = 4, 2, 2
    np.testing.assert_allclose(class_weights(y), [2.0, 4.0, 4.0])
    with pytest.warns(UserWarning, match=r"\['repression'\] absent from the training rows"):
        w = class_weights(np.array([0, 0, 2]))
    np.testing.assert_allclose(w, [1.5, 0.0, 3.0])


def test_trainer_weights_come_from_training_rows_only():
    x, y = _blobs()
    model = _mlp()
    rows = np.arange(len(y))
    res = train_classifier(model, lambda r: model(x[r]), y, rows, config=_cfg(epochs=1))
    np.testing.assert_allclose(res.class_weights, class_weights(y[res.train_rows]))
    assert np.intersect1d(res.train_rows, res.val_rows).size == 0
    np.testing.assert_array_equal(np.union1d(res.train_rows, res.val_rows), rows)


def test_stratified_split_is_seeded_and_proportional():
    y = np.repeat([0, 1, 2], [50, 30, 20])
    rows = np.arange(100)
    tr, va = stratified_split(rows, y, 0.2, seed=3)
    assert np.bincount(y[va]).tolist() == [10, 6, 4]
    np.testing.assert_array_equal(np.sort(np.concatenate([tr, va])), rows)
    _, va2 = stratified_split(rows, y, 0.2, seed=3)
    np.testing.assert_array_equal(va, va2)
    assert not np.array_equal(va, stratified_split(rows, y, 0.2, seed=4)[1])
    # a singleton class stays in training
    _, va_single = stratified_split(np.arange(3), np.array([0, 0, 1]), 0.5, seed=0)
    assert 2 not in va_single


def test_early_stopping_stops_after_patience():
    x, y = _blobs()
    model = _mlp()
    # lr=0: validation accuracy never improves after the first epoch
    res = train_classifier(
        model, lambda r: model(x[r]), y, np.arange(len(y)), config=_cfg(lr=0.0, patience=3)
    )
    assert res.stopped_early and res.best_epoch == 0 and len(res.history) == 4


def test_best_epoch_weights_are_restored():
    """Validation labels contradict training labels, so validation accuracy falls as the
    model learns: the best epoch is early and its weights must be the ones handed back."""
    x, y = _blobs()
    y_mixed = y.copy()
    val = np.arange(1, len(y), 2)
    y_mixed[val] = (y[val] + 1) % 3
    model = _mlp()
    fwd = lambda r: model(x[r])  # noqa: E731
    res = train_classifier(
        model, fwd, y_mixed, np.arange(0, len(y), 2), val, _cfg(epochs=10, patience=None)
    )
    accs = [h["val_accuracy"] for h in res.history]
    assert res.best_epoch == int(np.argmax(accs)) < len(accs) - 1
    assert accs[-1] < res.best_score
    pred = predict_logits(fwd, val, model=model).argmax(1).numpy()
    assert np.mean(pred == y_mixed[val]) == pytest.approx(res.best_score)


def test_no_validation_keeps_last_epoch():
    x, y = _blobs(60)
    model = _mlp()
    res = train_classifier(
        model, lambda r: model(x[r]), y, np.arange(60), config=_cfg(epochs=3, val_fraction=0.0)
    )
    assert res.best_epoch == 2 and res.val_rows is None and "val_loss" not in res.history[0]


def _xatgrn_run(seed: int) -> dict[str, torch.Tensor]:
    gen = torch.Generator().manual_seed(0)
    expr, graph = torch.randn(20, 12, generator=gen), torch.randn(20, 8, generator=gen)
    reg, tgt = (
        torch.randint(0, 20, (80,), generator=gen),
        torch.randint(0, 20, (80,), generator=gen),
    )
    y = ((reg + 2 * tgt) % 3).numpy()
    with torch_seed(0):  # same initial weights for every run
        net = XATGRNNet(12, 8, XATGRNConfig(hidden=16, heads=4, fc_hidden=16))
    train_classifier(
        net,
        lambda r: net(expr, graph, reg[r], tgt[r]),
        y,
        np.arange(80),
        config=_cfg(epochs=3, batch_size=16, seed=seed, num_threads=1),
    )
    return {k: v.clone() for k, v in net.state_dict().items()}


def test_deterministic_for_a_seed_and_seed_sensitive():
    a, b, c = _xatgrn_run(0), _xatgrn_run(0), _xatgrn_run(1)
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert not all(torch.equal(a[k], c[k]) for k in a)


def test_predict_logits_restores_mode_and_needs_no_grad():
    x, _ = _blobs(50)
    model = _mlp().train()
    out = predict_logits(lambda r: model(x[r]), np.arange(50), batch_size=7, model=model)
    assert out.shape == (50, 3) and not out.requires_grad and out.device.type == "cpu"
    assert model.training
    model.eval()
    torch.testing.assert_close(out, model(x).detach())


def test_silent_progress_and_device_resolution(capsys):
    x, y = _blobs(60)
    model = _mlp()
    train_classifier(model, lambda r: model(x[r]), y, np.arange(60), config=_cfg(epochs=2))
    assert capsys.readouterr().err == ""
    assert resolve_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    assert resolve_device("cpu") == torch.device("cpu")


def test_bad_config_and_labels_raise_clear_errors():
    x, y = _blobs(60)
    model = _mlp()
    fwd = lambda r: model(x[r])  # noqa: E731
    with pytest.raises(XatgrnInputError, match="select_by must be"):
        train_classifier(model, fwd, y, np.arange(60), config=_cfg(select_by="auc"))
    with pytest.raises(XatgrnInputError, match="val_fraction must be in"):
        train_classifier(model, fwd, y, np.arange(60), config=_cfg(val_fraction=1.0))
    with pytest.raises(XatgrnInputError, match=r"labels must be class indices 0..2, found 0..3"):
        train_classifier(model, fwd, np.where(y == 2, 3, y), np.arange(60), config=_cfg())
    with pytest.raises(XatgrnInputError, match="validation split of 1 rows is empty"):
        train_classifier(model, fwd, y, np.arange(1), config=_cfg())


def test_xatgrn_network_learns_sign_of_coexpression():
    """End to end with the real network: targets copy (+), invert (-) or ignore their
    regulator's profile; held-out accuracy must clearly beat chance (1/3)."""
    gen = np.random.default_rng(0)
    n_reg, n_tgt, s = 10, 300, 12
    base = gen.normal(size=(n_reg, s))
    y = gen.integers(0, 3, n_tgt)
    reg_of = np.arange(n_tgt) % n_reg
    tgt_expr = np.array([0.0, -1.0, 1.0])[y][:, None] * base[reg_of]
    tgt_expr += np.where(y[:, None] == 0, 1.0, 0.3) * gen.normal(size=(n_tgt, s))
    expr = torch.tensor(np.vstack([base, tgt_expr]), dtype=torch.float32)
    reg, tgt = torch.as_tensor(reg_of), torch.as_tensor(n_reg + np.arange(n_tgt))
    with torch_seed(0):
        net = XATGRNNet(s, None, XATGRNConfig(hidden=16, heads=4, fc_hidden=16, mode="fusion"))
    fwd = lambda r: net(expr, None, reg[r], tgt[r])  # noqa: E731
    res = train_classifier(net, fwd, y, np.arange(200), config=_cfg(epochs=30, lr=3e-3))
    assert res.history[-1]["train_loss"] < 0.85 * res.history[0]["train_loss"]
    pred = predict_logits(fwd, np.arange(200, 300), model=net).argmax(1).numpy()
    assert np.mean(pred == y[200:]) > 0.5
