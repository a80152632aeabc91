"""DUPLEX hyper-parameters, the named profiles and their one validator.

Kept apart from the encoder and the training loop so that a config can be built, compared and
serialised (it enters the embedding cache key) without importing the model code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from xatgrn.errors import input_error

__all__ = ["DUPLEX_PROFILES", "DuplexConfig", "check_duplex_config", "duplex_config"]


@dataclass
class DuplexConfig:
    r"""DUPLEX hyper-parameters; defaults follow the paper and its reference code.

    Args:
        hidden: width of the hidden layers (per branch). (default: ``128``)
        out_dim: width of the amplitude and of the phase embedding. (default: ``128``)
        layers: dual GAT layers. (default: ``3``)
        heads: attention heads per branch (concatenated). (default: ``1``)
        dropout: dropout on every layer's input features. (default: ``0.5``)
        att_dropout: dropout on the attention coefficients (an addition; GAT-style attention
            dropout made the product decoders' training loss explode here). (default: ``0.0``)
        lr: Adam learning rate. (default: ``1e-3``)
        weight_decay: Adam weight decay (an addition). (default: ``0.0``)
        max_epochs: epoch limit. (default: ``3000``)
        patience: epochs without a better validation loss before stopping. (default: ``100``)
        eval_every: epochs between validation passes (an addition; ``1`` = every epoch).
        lam: :math:`\lambda`, weight of the connection loss (eq 20). (default: ``0.3``)
        q: decay rate of :math:`\lambda`, :math:`\lambda_t = \lambda (1-q)^t`. (default: ``1e-4``)
        fusion: ``"add"`` exchanges amplitude and phase at ``fusion_layer`` (eqs 13–14), or
            ``"none"``. (default: ``"add"``)
        fusion_layer: 0-based layer index of the fusion; layer 0 sees identical amplitude and
            phase inputs, so 1 is the first useful one. (default: ``1``)
        input: ``"learnable"`` per-node vectors, ``"random"`` a fixed random ``N x input_dim``
            matrix (the reference), or ``"none"`` (only ``node_features``).
        input_dim: width of the per-node input. (default: ``128``)
        neg_ratio: sampled non-edges per linked pair and epoch; "none" samples weigh
            ``1 / neg_ratio``. (default: ``1.0``)
        val_fraction: share of the given linked pairs held out for early stopping. (default: ``0.1``)
        seed: every random choice (split, negatives, initialisation, dropout). (default: ``0``)
        device: ``"auto"`` (CUDA when available), ``"cpu"``, ``"cuda[:i]"``.
        progress: show a progress bar over epochs. (default: ``True``)
    """

    hidden: int = 128
    out_dim: int = 128
    layers: int = 3
    heads: int = 1
    dropout: float = 0.5
    att_dropout: float = 0.0
    lr: float = 1e-3
    weight_decay: float = 0.0
    max_epochs: int = 3000
    patience: int = 100
    eval_every: int = 1
    lam: float = 0.3
    q: float = 1e-4
    fusion: str = "add"
    fusion_layer: int = 1
    input: str = "learnable"
    input_dim: int = 128
    neg_ratio: float = 1.0
    val_fraction: float = 0.1
    seed: int = 0
    device: str = "auto"
    progress: bool = True


#: named DUPLEX settings (overrides of :class:`DuplexConfig`): ``paper`` = the paper/reference
#: defaults; ``fast`` = what cross-validation (one fit per fold) can afford: 2 layers, lr 3e-3,
#: patience 50, validation every 2nd epoch (see benchmarks/results/duplex for the measured speed
#: and held-out quality of both). Not to be confused with the estimator's profiles
#: (:data:`xatgrn.model.estimator.PROFILES`), which are whole-fit presets.
DUPLEX_PROFILES: dict[str, dict[str, Any]] = {
    "paper": {},
    "fast": {"layers": 2, "lr": 3e-3, "patience": 50, "max_epochs": 1000, "eval_every": 2},
}


def duplex_config(profile: str = "paper", **overrides: Any) -> DuplexConfig:
    """A :class:`DuplexConfig` from a named profile (:data:`DUPLEX_PROFILES`) plus overrides."""
    if profile not in DUPLEX_PROFILES:
        raise input_error(
            f"unknown DUPLEX profile {profile!r}", fix=f"use one of {sorted(DUPLEX_PROFILES)}"
        )
    return DuplexConfig(**{**DUPLEX_PROFILES[profile], **overrides})


def check_duplex_config(cfg: DuplexConfig) -> None:
    """One validator for every hyper-parameter (sklearn style: checked in ``fit``)."""

    def bad(what: str, fix: str) -> None:
        raise input_error(f"DuplexConfig: {what}", fix=fix)

    for name in ("hidden", "out_dim", "layers", "heads", "max_epochs", "input_dim", "eval_every"):
        if int(getattr(cfg, name)) < 1:
            bad(f"{name}={getattr(cfg, name)} must be >= 1", f"set {name} to a positive integer")
    if cfg.hidden % cfg.heads or cfg.out_dim % cfg.heads:
        bad(f"heads={cfg.heads} must divide hidden and out_dim", "choose heads dividing both")
    for name in ("dropout", "att_dropout"):
        if not 0.0 <= getattr(cfg, name) < 1.0:
            bad(f"{name}={getattr(cfg, name)} outside [0, 1)", "use a probability in [0, 1)")
    if not 0.0 <= cfg.val_fraction < 1.0:
        bad(f"val_fraction={cfg.val_fraction} outside [0, 1)", "use a fraction in [0, 1)")
    if not 0.0 <= cfg.q < 1.0:
        bad(f"q={cfg.q} outside [0, 1)", "use a decay rate in [0, 1)")
    if cfg.lr <= 0 or cfg.neg_ratio <= 0 or cfg.lam < 0 or cfg.patience < 0:
        bad("lr and neg_ratio must be > 0, lam and patience >= 0", "fix the offending value")
    if cfg.fusion not in ("add", "none"):
        bad(f"fusion={cfg.fusion!r}", "use fusion='add' or fusion='none'")
    if cfg.fusion == "add" and not 0 <= cfg.fusion_layer < cfg.layers:
        bad(
            f"fusion_layer={cfg.fusion_layer} with {cfg.layers} layers",
            "use 0 <= fusion_layer < layers",
        )
    if cfg.input not in ("learnable", "random", "none"):
        bad(f"input={cfg.input!r}", "use input='learnable', 'random' or 'none'")
