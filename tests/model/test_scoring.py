"""Genome-scale scoring: a total order, batch- and shard-independent results, Dask equality."""

from __future__ import annotations

import numpy as np
import pytest

from xatgrn.data.synthetic import simulate
from xatgrn.model.scoring import ranked, top_rows
from xatgrn.model.signed import SignedConfig, SignedXATGRN


@pytest.fixture(scope="module")
def model():
    ds = simulate(n_genes=50, n_samples=15, seed=4)
    return SignedXATGRN(SignedConfig(holdout=0.2, progress=False)).fit(
        ds.expression, ds.regulations
    )


def test_ranked_is_a_total_order_with_ties_by_positions():
    idx = np.array([[3, 1], [1, 2], [1, 1], [0, 5]])
    p = np.array([[0.5, 0.2, 0.3], [0.2, 0.4, 0.4], [0.2, 0.1, 0.7], [0.9, 0.0, 0.1]])
    assert ranked(idx, p).tolist() == [2, 1, 0, 3]  # 0.8, 0.8 (tie: (1,1) before (1,2)), ...
    kept, _ = top_rows(idx, p, 2)
    assert kept.tolist() == [[1, 1], [1, 2]]


def test_batches_do_not_change_the_network(model):
    a = model.predict_network(top=40, batch_size=7)
    b = model.predict_network(top=40, batch_size=100_000)
    assert a.equals(b) and len(a) == 40
    full = model.predict_network()
    assert full.head(40).reset_index(drop=True).equals(a)
    assert (full["score"].diff().dropna() <= 0).all()


def test_dask_local_cluster_gives_the_serial_file(model, tmp_path):
    import distributed  # the "dask" extra, part of "dev": CI has it

    serial = model.write_network(tmp_path / "serial.tsv", top=60, compile_trees="no")
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster,
        distributed.Client(cluster) as client,
    ):
        # each worker compiles its own native build: the file is still LightGBM's, byte for byte
        sharded = model.write_network(
            tmp_path / "dask.tsv", top=60, client=client, compile_trees="yes"
        )
        # shards merged as they finish hold at most ~3x top rows; without top, every kept row
        small_top = model.predict_network(top=5, client=client)
        by_prob = model.predict_network(min_prob=0.5, client=client)
    assert small_top.equals(model.predict_network(top=5))
    assert by_prob.equals(model.predict_network(min_prob=0.5)) and len(by_prob) > 5
    assert sharded == serial
    assert (tmp_path / "dask.tsv").read_bytes() == (tmp_path / "serial.tsv").read_bytes()
