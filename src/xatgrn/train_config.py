"""Hyper-parameters of the shared trainer (:mod:`xatgrn.train`): :class:`TrainConfig`.

Kept apart from the training loop (torch) so that configs — XATGRN's and the baselines' — can be
built, compared and serialised, and the CLI can read the profiles, without importing torch.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["SelectBy", "TrainConfig"]

SelectBy = Literal["accuracy", "loss", "f1_macro"]


@dataclass
class TrainConfig:
    """Training hyper-parameters (reference defaults: 80 epochs, batch 128, Adam 1e-3,
    ExponentialLR gamma 0.9 per epoch, 20% validation split, selection by accuracy).

    ``val_fraction=0`` with no validation rows trains on everything and keeps the last epoch.
    ``num_threads`` sets torch's CPU threads for the run (restored afterwards).
    """

    epochs: int = 80
    batch_size: int = 128
    lr: float = 1e-3
    lr_gamma: float = 0.9
    weight_decay: float = 0.0
    val_fraction: float = 0.2
    select_by: SelectBy = "accuracy"
    patience: int | None = 20
    seed: int = 0
    device: str = "auto"
    progress: bool = True
    num_threads: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict."""
        return dataclasses.asdict(self)
