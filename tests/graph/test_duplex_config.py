"""DuplexConfig defaults, the named DUPLEX profiles and the one hyper-parameter validator."""

from __future__ import annotations

import dataclasses

import pytest

from xatgrn.errors import XatgrnInputError
from xatgrn.graph.config import DUPLEX_PROFILES, DuplexConfig, check_duplex_config, duplex_config


def test_profiles_and_documented_fields():
    assert duplex_config() == DuplexConfig()
    fast = duplex_config("fast", seed=4)
    assert dataclasses.asdict(fast) == {
        **dataclasses.asdict(DuplexConfig()),
        "layers": 2,
        "lr": 3e-3,
        "patience": 50,
        "max_epochs": 1000,
        "eval_every": 2,
        "seed": 4,
    }
    assert sorted(DUPLEX_PROFILES) == ["fast", "paper"] and DUPLEX_PROFILES["paper"] == {}
    with pytest.raises(
        XatgrnInputError, match=r"unknown DUPLEX profile 'quick'.*\['fast', 'paper'\]"
    ):
        duplex_config("quick")
    doc = DuplexConfig.__doc__
    for f in dataclasses.fields(DuplexConfig):
        assert f"        {f.name}: " in doc, f"DuplexConfig.{f.name} is not documented"


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"fusion": "sum"}, r"fusion='sum'.*Fix: use fusion='add'"),
        ({"fusion_layer": 3}, "fusion_layer=3 with 3 layers"),
        ({"heads": 3}, "heads=3 must divide hidden and out_dim"),
        ({"hidden": 0}, "hidden=0 must be >= 1"),
        ({"dropout": 1.0}, r"dropout=1.0 outside \[0, 1\)"),
        ({"val_fraction": -0.1}, r"val_fraction=-0.1 outside \[0, 1\)"),
        ({"q": 1.0}, r"q=1.0 outside \[0, 1\)"),
        ({"lr": 0.0}, "lr and neg_ratio must be > 0"),
        ({"input": "ones"}, "input='ones'"),
    ],
)
def test_bad_values_are_named(overrides, match):
    with pytest.raises(XatgrnInputError, match=match):
        check_duplex_config(DuplexConfig(**overrides))


def test_valid_edge_values_pass():
    check_duplex_config(DuplexConfig(fusion="none", fusion_layer=7, dropout=0.0, lam=0.0))
    check_duplex_config(DuplexConfig(heads=4, hidden=8, out_dim=4, patience=0))
