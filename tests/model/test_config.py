"""Named profiles + overrides -> FitConfig (what `fit`, `cv` and `benchmark` train with)."""

from __future__ import annotations

import dataclasses

from xatgrn.model.config import FitConfig, fast_profile, fit_config


def test_no_overrides_is_the_profile():
    assert fit_config("fast") == fast_profile()
    assert fit_config("paper", seed=None, epochs=None, mode=None) == FitConfig()


def test_overrides_reach_the_nested_configs_and_nothing_else():
    cfg = fit_config(
        "fast", epochs=3, graph_epochs=7, mode="fusion", tokens="2", seed=5, holdout=0.0
    )
    base = fast_profile()
    assert cfg.train == dataclasses.replace(base.train, epochs=3)
    assert cfg.graph == dataclasses.replace(base.graph, max_epochs=7)
    assert cfg.network == dataclasses.replace(base.network, mode="fusion", tokens=2)
    assert (cfg.seed, cfg.holdout) == (5, 0.0)  # 0 is a value, not "not given"
    assert dataclasses.replace(cfg, train=base.train, graph=base.graph, network=base.network,
                               seed=base.seed, holdout=base.holdout) == base  # fmt: skip


def test_tokens_auto_stays_a_string():
    assert fit_config("paper", tokens="auto").network.tokens == "auto"
