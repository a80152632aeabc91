"""XATGRN's configuration: :class:`FitConfig` and the named profiles (paper defaults).

``FitConfig`` extends the settings every estimator shares (:class:`xatgrn.core.contract.
Settings`: negatives, preprocessing, holdout, seed, device, progress) with the three parts of
XATGRN — the classifier network, the DUPLEX graph embedder and the trainer. Its fields (and
their defaults) enter the cross-validation task keys: changing them never mixes old and new fold
results.

Imports no torch: the CLI reads :data:`FIT_PROFILES` while parsing its options.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from xatgrn.core.contract import Settings
from xatgrn.errors import input_error
from xatgrn.graph.config import DUPLEX_PROFILES, DuplexConfig
from xatgrn.model.network_config import XATGRNConfig
from xatgrn.train_config import TrainConfig

__all__ = [
    "FIT_PROFILES",
    "FitConfig",
    "fast_profile",
    "fit_config",
    "paper_profile",
    "smoke_profile",
]


@dataclass
class FitConfig(Settings):
    """Everything ``XATGRN.fit`` needs; defaults follow the paper / reference code.

    Args:
        network: the classifier (fusion + graph features + Conv1D head).
        graph: the DUPLEX embedder.
        train: the shared trainer.
        (the shared settings: see :class:`~xatgrn.core.contract.Settings`)
    """

    network: XATGRNConfig = field(default_factory=XATGRNConfig)
    graph: DuplexConfig = field(default_factory=DuplexConfig)
    train: TrainConfig = field(default_factory=TrainConfig)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FitConfig:
        data = dict(data)
        nested = {"network": XATGRNConfig, "graph": DuplexConfig, "train": TrainConfig}
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise input_error(
                f"unknown FitConfig field(s) {unknown}", fix=f"use only {sorted(known)}"
            )
        for key, typ in nested.items():
            if isinstance(data.get(key), dict):
                data[key] = _dataclass_from_dict(typ, data[key])
        return cls(**data)


def _dataclass_from_dict(typ: type, data: dict[str, Any]) -> Any:
    known = {f.name for f in dataclasses.fields(typ)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise input_error(
            f"unknown {typ.__name__} field(s) {unknown}", fix=f"use only {sorted(known)}"
        )
    return typ(**data)


def paper_profile(**overrides: Any) -> FitConfig:
    """The paper / reference settings (DUPLEX 3 layers up to 3,000 epochs; 80 classifier epochs)."""
    return dataclasses.replace(FitConfig(), **overrides)


def fast_profile(**overrides: Any) -> FitConfig:
    """A cheaper configuration for laptops and cross-validation: DUPLEX's ``fast`` profile
    (2 layers, lr 3e-3, patience 50; see benchmarks/results/duplex) and 30 classifier epochs
    with patience 8."""
    cfg = FitConfig(
        graph=DuplexConfig(**DUPLEX_PROFILES["fast"]),
        train=TrainConfig(epochs=30, patience=8),
    )
    return dataclasses.replace(cfg, **overrides)


def smoke_profile(**overrides: Any) -> FitConfig:
    """Seconds-long, tiny configuration for smoke tests and CI: the numbers it gives mean nothing."""
    cfg = FitConfig(
        network=XATGRNConfig(hidden=16, heads=2, tokens=4, conv_channels=4, fc_hidden=16),
        graph=DuplexConfig(hidden=16, out_dim=16, input_dim=16, max_epochs=10, patience=5),
        train=TrainConfig(epochs=2, batch_size=64, patience=None),
        device="cpu",
        progress=False,
    )
    return dataclasses.replace(cfg, **overrides)


#: named FitConfig profiles (design habit 7); the CLI offers those not starting with "smoke"
FIT_PROFILES = {"paper": paper_profile, "fast": fast_profile, "smoke": smoke_profile}


def fit_config(
    profile: str = "paper",
    *,
    epochs: int | None = None,
    graph_epochs: int | None = None,
    mode: str | None = None,
    tokens: str | int | None = None,
    **settings: Any,
) -> FitConfig:
    """A :class:`FitConfig` from a named profile plus explicit overrides (``None`` = keep).

    ``epochs`` / ``graph_epochs`` set the classifier's epochs and DUPLEX's maximum epochs;
    ``mode`` / ``tokens`` the network's; ``settings`` any top-level field (seed, device,
    preprocessing, holdout, n_negatives, ...). This is what ``xatgrn fit`` builds from its options.
    """
    if profile not in FIT_PROFILES:
        raise input_error(f"unknown profile {profile!r}", fix=f"use one of {sorted(FIT_PROFILES)}")
    cfg = FIT_PROFILES[profile]()
    top = {f.name for f in dataclasses.fields(cfg)} - {"network", "graph", "train"}
    unknown = sorted(set(settings) - top)
    if unknown:
        raise input_error(f"unknown FitConfig setting(s) {unknown}", fix=f"use {sorted(top)}")
    cfg = dataclasses.replace(cfg, **{k: v for k, v in settings.items() if v is not None})
    if epochs is not None:
        cfg.train = dataclasses.replace(cfg.train, epochs=epochs)
    if graph_epochs is not None:
        cfg.graph = dataclasses.replace(cfg.graph, max_epochs=graph_epochs)
    net: dict[str, Any] = {}
    if mode is not None:
        net["mode"] = mode
    if tokens is not None:
        net["tokens"] = tokens if tokens == "auto" else int(tokens)
    if net:
        cfg.network = dataclasses.replace(cfg.network, **net)
    return cfg
