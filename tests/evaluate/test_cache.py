"""The embedding cache: keys from what an embedding depends on, atomic entries, safe to lose."""

from __future__ import annotations

import dataclasses
import logging

import numpy as np
import pytest

from xatgrn.evaluate.cache import EmbeddingCache, graph_code_sha256, graph_config
from xatgrn.model.config import smoke_profile

GENES = [f"g{i}" for i in range(8)]
EDGES = np.array([[0, 0, 1, 2, 3, 5, 6], [1, 2, 3, 4, 5, 6, 7]])


@pytest.fixture(scope="module")
def config():
    cfg = graph_config(smoke_profile(), seed=11)
    return dataclasses.replace(cfg, max_epochs=2, device="cpu", progress=False)


def test_graph_config_is_the_profile_graph_with_the_fold_seed():
    fit = dataclasses.replace(smoke_profile(), device="cpu")
    cfg = graph_config(fit, 7, progress=True)
    assert cfg == dataclasses.replace(fit.graph, seed=7, device="cpu", progress=True)


def test_key_depends_on_the_edge_set_genes_config_and_seed_only(config):
    key = EmbeddingCache.key(EDGES, GENES, config)
    assert len(key) == 32
    # edge order, duplicates, device and progress bars change nothing
    shuffled = np.concatenate([EDGES[:, ::-1], EDGES[:, :2]], axis=1)
    assert EmbeddingCache.key(shuffled, GENES, config) == key
    quiet = dataclasses.replace(config, device="cuda", progress=True)
    assert EmbeddingCache.key(EDGES, GENES, quiet) == key
    # each real input does
    assert EmbeddingCache.key(EDGES[:, 1:], GENES, config) != key
    assert EmbeddingCache.key(EDGES, [*GENES[:-1], "other"], config) != key
    assert EmbeddingCache.key(EDGES, GENES, dataclasses.replace(config, seed=12)) != key
    assert EmbeddingCache.key(EDGES, GENES, dataclasses.replace(config, out_dim=8)) != key


def test_code_hash_covers_the_graph_sources():
    assert len(graph_code_sha256()) == 64 and graph_code_sha256() == graph_code_sha256()


def test_entries_round_trip_and_are_reused(config, tmp_path):
    cache = EmbeddingCache(tmp_path)
    key = cache.key(EDGES, GENES, config)
    assert not cache.has(key) and cache.load(key) is None
    fitted, key2, computed = cache.get_or_fit(EDGES, GENES, config)
    assert key2 == key and computed and cache.has(key)
    assert sorted(p.name for p in tmp_path.iterdir()) == [key]  # no temporary folder left
    assert {p.name for p in (tmp_path / key).iterdir()} >= {"key.json"}
    again, _, computed = cache.get_or_fit(EDGES, GENES, config)
    assert not computed
    np.testing.assert_array_equal(again.amplitude, fitted.amplitude)
    np.testing.assert_array_equal(again.phase, fitted.phase)


def test_an_unreadable_entry_is_recomputed(config, tmp_path, caplog):
    cache = EmbeddingCache(tmp_path)
    _, key, _ = cache.get_or_fit(EDGES, GENES, config)
    for f in (tmp_path / key).iterdir():
        if f.name != "key.json":
            f.write_bytes(b"not a tensor file")
    with caplog.at_level(logging.WARNING, logger="xatgrn"):
        assert cache.load(key) is None
    assert "unreadable" in caplog.text
    _, _, computed = cache.get_or_fit(EDGES, GENES, config)
    assert computed


def test_no_root_stores_nothing(config):
    cache = EmbeddingCache(None)
    key = cache.key(EDGES, GENES, config)
    assert cache.path(key) is None and not cache.has(key)
    _, _, computed = cache.get_or_fit(EDGES, GENES, config)
    assert computed and not cache.has(key)
