"""One trainer for XATGRN and every baseline (paper eqs 26–27 and the reference schedule).

The model is reached only through ``forward(rows) -> logits``, where ``rows`` index the
caller's table of labelled pairs: XATGRN maps rows to (regulator, target) gene indices,
a baseline to its own feature matrix. Everything random (validation split, batch order,
dropout) flows from ``TrainConfig.seed``; on CPU two runs give bitwise identical weights.

:class:`TrainConfig` lives in :mod:`xatgrn.train_config` (no torch) and is re-exported here.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import math
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import Tensor, nn

from xatgrn.data.pairs import stratified_split
from xatgrn.data.schema import CLASS_NAMES
from xatgrn.errors import input_error
from xatgrn.train_config import SelectBy, TrainConfig
from xatgrn.utils import progress, resolve_device

log = logging.getLogger(__name__)

Forward = Callable[[Tensor], Tensor]


@dataclass
class TrainResult:
    """Outcome of :func:`train_classifier`; ``model`` holds the selected (best) weights."""

    model: nn.Module
    history: list[dict[str, float]] = field(default_factory=list)
    best_epoch: int = -1
    best_score: float = math.nan
    seconds: float = 0.0
    class_weights: np.ndarray | None = None
    train_rows: np.ndarray | None = None
    val_rows: np.ndarray | None = None
    stopped_early: bool = False


@contextlib.contextmanager
def torch_seed(seed: int, device: torch.device | str | None = None) -> Iterator[None]:
    """Seed torch's global RNG inside the block only (model init, dropout), restoring it after.

    Lets a caller build a model reproducibly without changing the process's random state.
    """
    dev = torch.device(device) if device is not None else torch.device("cpu")
    cuda = [dev.index or 0] if dev.type == "cuda" else []
    with torch.random.fork_rng(devices=cuda):
        torch.manual_seed(seed)
        yield


def class_weights(y: np.ndarray, n_classes: int = len(CLASS_NAMES)) -> np.ndarray:
    """Eq 27: ``w_c = N_total / N_c``; classes absent from ``y`` get weight 0 (with a warning)."""
    counts = np.bincount(np.asarray(y, dtype=np.int64), minlength=n_classes).astype(np.float64)
    w = np.zeros(n_classes, dtype=np.float64)
    present = counts > 0
    w[present] = counts.sum() / counts[present]
    if not present.all():
        missing = [
            CLASS_NAMES[c] if n_classes == len(CLASS_NAMES) else str(c)
            for c in np.flatnonzero(~present)
        ]
        warnings.warn(
            f"class(es) {missing} absent from the training rows: loss weight 0",
            UserWarning,
            stacklevel=2,
        )
    return w


def predict_logits(
    forward: Forward,
    rows: np.ndarray | Tensor,
    batch_size: int = 1024,
    model: nn.Module | None = None,
) -> Tensor:
    """Logits for ``rows`` in batches, under ``torch.no_grad()``, on CPU ``[len(rows), C]``.

    When ``model`` is given it is put in eval mode for the call and its mode restored after.
    """
    rows_t = torch.as_tensor(np.asarray(rows), dtype=torch.int64)
    was_training = model.training if model is not None else False
    if model is not None:
        model.eval()
    try:
        with torch.no_grad():
            outs = [forward(chunk).float().cpu() for chunk in torch.split(rows_t, batch_size)]
    finally:
        if model is not None:
            model.train(was_training)
    if not outs:
        return torch.empty(0, 0)
    return torch.cat(outs)


def _check_config(cfg: TrainConfig) -> None:
    if cfg.select_by not in ("accuracy", "loss", "f1_macro"):
        raise input_error(
            f"select_by must be 'accuracy', 'loss' or 'f1_macro', got {cfg.select_by!r}",
            fix="use select_by='accuracy' (reference), 'loss' or 'f1_macro'",
        )
    if cfg.epochs < 1 or cfg.batch_size < 1:
        raise input_error(
            f"epochs ({cfg.epochs}) and batch_size ({cfg.batch_size}) must be >= 1",
            fix="use positive values (reference: 80 epochs, batch 128)",
        )
    if not 0.0 <= cfg.val_fraction < 1.0:
        raise input_error(
            f"val_fraction must be in [0, 1), got {cfg.val_fraction}",
            fix="use e.g. 0.2 (reference) or 0 to train on every row",
        )


def _f1_macro(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Macro F1 over the classes present in either vector (as scikit-learn's default)."""
    labels = np.union1d(y_true, y_pred)
    f1 = []
    for c in labels:  # at most 3 classes
        tp = np.sum((y_pred == c) & (y_true == c))
        denom = np.sum(y_pred == c) + np.sum(y_true == c)
        f1.append(2.0 * tp / denom if denom else 0.0)
    return float(np.mean(f1)) if f1 else math.nan


def _better(score: float, best: float, select_by: SelectBy) -> bool:
    if math.isnan(best):
        return not math.isnan(score)
    return score < best if select_by == "loss" else score > best


def train_classifier(
    model: nn.Module,
    forward: Forward,
    y: np.ndarray,
    train_rows: np.ndarray,
    val_rows: np.ndarray | None = None,
    config: TrainConfig | None = None,
    *,
    n_classes: int = len(CLASS_NAMES),
) -> TrainResult:
    """Train ``model`` with weighted cross-entropy (eqs 26–27), Adam and ExponentialLR.

    Args:
        model: the module whose parameters ``forward`` uses; moved to the resolved device.
        forward: maps a CPU int64 tensor of rows (into the caller's pair table) to logits
            ``[len(rows), C]`` on the model's device.
        y: class of every row of the caller's table (``0 .. C-1``).
        train_rows: rows to learn from; a stratified ``val_fraction`` of them is held out for
            model selection when ``val_rows`` is ``None``.
        val_rows: explicit validation rows (then ``train_rows`` are all used for training).
        config: :class:`TrainConfig`.
        n_classes: width of the logits (3: none, repression, activation).

    Returns:
        :class:`TrainResult` whose ``model`` has the best-by-validation weights loaded
        (the last epoch's when there is no validation set).
    """
    cfg = config if config is not None else TrainConfig()
    _check_config(cfg)
    y = np.asarray(y, dtype=np.int64)
    train_rows = np.asarray(train_rows, dtype=np.int64)
    if train_rows.size == 0:
        raise input_error("no training rows", fix="pass at least one labelled pair")
    if val_rows is None and cfg.val_fraction > 0:
        train_rows, val_rows = stratified_split(train_rows, y, cfg.val_fraction, cfg.seed)
        if val_rows.size == 0:
            raise input_error(
                f"a {cfg.val_fraction:.0%} validation split of {train_rows.size} rows is empty",
                fix="pass more rows, explicit val_rows, or val_fraction=0",
            )
    val_rows = None if val_rows is None else np.asarray(val_rows, dtype=np.int64)
    has_val = val_rows is not None and val_rows.size > 0
    used = y[np.concatenate([train_rows, val_rows if has_val else train_rows[:0]])]
    if used.min() < 0 or used.max() >= n_classes:
        raise input_error(
            f"labels must be class indices 0..{n_classes - 1}, found {used.min()}..{used.max()}",
            fix="encode none=0, repression=1, activation=2",
        )

    device = resolve_device(cfg.device)
    model.to(device)
    weights = class_weights(y[train_rows], n_classes)
    criterion = nn.CrossEntropyLoss(weight=torch.as_tensor(weights, dtype=torch.float32).to(device))
    y_dev = torch.as_tensor(y).to(device)

    old_threads = torch.get_num_threads()
    if cfg.num_threads:
        torch.set_num_threads(cfg.num_threads)
    gen = torch.Generator().manual_seed(cfg.seed)
    rows_t = torch.as_tensor(train_rows)
    n_batches = math.ceil(rows_t.numel() / cfg.batch_size)
    result = TrainResult(
        model=model, class_weights=weights, train_rows=train_rows, val_rows=val_rows
    )
    best_state: dict[str, Tensor] | None = None
    since_best = 0
    t0 = time.perf_counter()
    try:
        with torch_seed(cfg.seed, device):
            opt = torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
            sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=cfg.lr_gamma)
            bar = progress(range(cfg.epochs), enabled=cfg.progress, desc="train", unit="epoch")
            for epoch in bar:
                model.train()
                perm = rows_t[torch.randperm(rows_t.numel(), generator=gen)]
                total, seen = 0.0, 0
                # near-equal batches (sizes differ by <= 1) so no batch has a single row
                for batch in torch.tensor_split(perm, n_batches):
                    opt.zero_grad(set_to_none=True)
                    loss = criterion(forward(batch), y_dev[batch.to(device)])
                    loss.backward()
                    opt.step()
                    total += float(loss.detach()) * batch.numel()
                    seen += batch.numel()
                lr = opt.param_groups[0]["lr"]
                sched.step()
                rec = {"epoch": epoch, "train_loss": total / seen, "lr": lr}
                if has_val:
                    logits = predict_logits(forward, val_rows, cfg.batch_size * 8, model)
                    y_val = y[val_rows]
                    pred = logits.argmax(dim=1).numpy()
                    rec["val_loss"] = float(
                        nn.functional.cross_entropy(
                            logits, torch.as_tensor(y_val), weight=criterion.weight.cpu()
                        )
                    )
                    rec["val_accuracy"] = float(np.mean(pred == y_val))
                    rec["val_f1_macro"] = _f1_macro(y_val, pred)
                rec["seconds"] = time.perf_counter() - t0
                result.history.append(rec)
                if not has_val:  # nothing to select on: the last epoch is kept
                    result.best_epoch = epoch
                elif _better(rec[f"val_{cfg.select_by}"], result.best_score, cfg.select_by):
                    result.best_score = rec[f"val_{cfg.select_by}"]
                    result.best_epoch = epoch
                    best_state = copy.deepcopy(model.state_dict())
                    since_best = 0
                else:
                    since_best += 1
                if hasattr(bar, "set_postfix"):
                    bar.set_postfix(
                        loss=f"{rec['train_loss']:.4f}", best=f"{result.best_score:.4f}"
                    )
                log.debug("epoch %d: %s", epoch, rec)
                if has_val and cfg.patience is not None and since_best >= cfg.patience:
                    result.stopped_early = True
                    log.info("early stop at epoch %d (best %d)", epoch, result.best_epoch)
                    break
    finally:
        if cfg.num_threads:
            torch.set_num_threads(old_threads)
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    result.seconds = time.perf_counter() - t0
    log.info(
        "trained %d epochs in %.1fs; best epoch %d (%s %.4f)",
        len(result.history),
        result.seconds,
        result.best_epoch,
        cfg.select_by,
        result.best_score,
    )
    return result
