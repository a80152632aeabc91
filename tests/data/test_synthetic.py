"""Properties of the simulator: structure of the network, sign signal, determinism, the CLI."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score

from xatgrn.data.synthetic import (
    SimulationConfig,
    gene_names,
    network_summary,
    simulate,
    simulate_network,
    simulate_on_network,
)
from xatgrn.errors import XatgrnInputError


def gini(values: np.ndarray) -> float:
    x = np.sort(np.asarray(values, dtype=float))
    n = len(x)
    return float((2 * np.arange(1, n + 1) - n - 1) @ x / (n * x.sum()))


@pytest.fixture(scope="module")
def default_sim():
    return simulate(200, 100, seed=0)


# --- determinism ------------------------------------------------------------------------------


def test_same_seed_identical_different_seed_differs():
    a, b, c = simulate(40, 12, seed=3), simulate(40, 12, seed=3), simulate(40, 12, seed=4)
    pd.testing.assert_frame_equal(a.expression, b.expression)
    pd.testing.assert_frame_equal(a.regulations, b.regulations)
    assert not a.expression.equals(c.expression)
    assert not a.regulations.equals(c.regulations)


def test_gene_and_sample_names_are_stable_zero_padded():
    assert gene_names(3) == ["g0001", "g0002", "g0003"]
    assert gene_names(12345)[0] == "g00001"
    ds = simulate(30, 5, seed=0)
    assert list(ds.expression.index) == gene_names(30)
    assert list(ds.expression.columns) == ["s0001", "s0002", "s0003", "s0004", "s0005"]
    assert set(ds.regulations["regulator"]) | set(ds.regulations["target"]) <= set(gene_names(30))


def test_metadata_is_labelled_simulated_and_json_ready(default_sim):
    meta = default_sim.metadata
    assert meta["simulated"] is True
    assert meta["seed"] == 0
    assert meta["config"]["n_genes"] == 200
    assert meta["ground_truth"] == network_summary(default_sim.regulations)
    assert meta["steady_state"]["converged"]
    json.dumps(meta)


# --- network structure ------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_out_degree_is_heavy_tailed_unlike_uniform_graph(seed):
    cfg = SimulationConfig(n_genes=300)
    net = simulate_network(cfg, seed)
    out_deg = net["regulator"].value_counts().to_numpy()
    # contrast: a graph with the same regulators and edge count, regulators chosen uniformly
    uniform = np.bincount(
        np.random.default_rng(seed).integers(cfg.regulator_count, size=len(net)),
        minlength=cfg.regulator_count,
    )
    assert gini(out_deg) > gini(uniform) + 0.2
    assert out_deg.max() >= 5 * np.median(out_deg)
    assert uniform.max() < 5 * np.median(uniform)


def test_larger_exponent_gives_more_skew():
    ginis = [
        gini(
            simulate_network(SimulationConfig(n_genes=400, out_degree_exponent=g), 0)["regulator"]
            .value_counts()
            .to_numpy()
        )
        for g in (0.0, 0.7, 1.5)
    ]
    assert ginis[0] < ginis[1] < ginis[2]


@settings(max_examples=25, deadline=None)
@given(
    n_genes=st.integers(3, 120),
    max_in=st.integers(1, 5),
    p_bi=st.floats(0, 1),
    self_loops=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_network_invariants(n_genes, max_in, p_bi, self_loops, seed):
    cfg = SimulationConfig(
        n_genes=n_genes, max_in_degree=max_in, p_bidirectional=p_bi, self_loops=self_loops
    )
    net = simulate_network(cfg, seed)
    assert list(net.columns) == ["regulator", "target", "type"]
    assert len(net) >= 1
    assert not net.duplicated(["regulator", "target"]).any()
    assert net["target"].value_counts().max() <= max_in
    assert net["regulator"].nunique() <= cfg.regulator_count
    assert set(net["type"]) <= {"activation", "repression"}
    if len(net) >= 2:
        assert net["type"].nunique() == 2
    if not self_loops:
        assert not (net["regulator"] == net["target"]).any()


def test_regulator_targets_bidirectional_pairs_and_type_mix(default_sim):
    summary = network_summary(default_sim.regulations)
    assert summary["n_regulator_targets"] > 0
    assert summary["n_bidirectional_pairs"] > 0
    assert summary["n_self_loops"] == 0


@pytest.mark.parametrize("p_activation", [0.3, 0.6, 0.9])
def test_activation_fraction_follows_p_activation(p_activation):
    net = simulate_network(SimulationConfig(n_genes=600, p_activation=p_activation), 5)
    frac = (net["type"] == "activation").mean()
    sd = np.sqrt(p_activation * (1 - p_activation) / len(net))
    assert abs(frac - p_activation) < 4 * sd


def test_both_types_even_when_one_is_certain():
    net = simulate_network(SimulationConfig(n_genes=30, p_activation=1.0), 0)
    assert set(net["type"]) == {"activation", "repression"}


def test_self_loops_appear_when_allowed():
    cfg = SimulationConfig(n_genes=60, n_regulators=20, p_regulator_target=1.0, self_loops=True)
    net = simulate_network(cfg, 0)
    assert (net["regulator"] == net["target"]).any()


# --- expression: sign signal and kinetics -----------------------------------------------------


def test_expression_is_positive_finite_float64(default_sim):
    x = default_sim.expression
    assert x.shape == (200, 100)
    assert (x.dtypes == np.float64).all()
    assert np.isfinite(x.to_numpy()).all() and (x.to_numpy() > 0).all()


def test_correlation_sign_separates_activation_from_repression(default_sim, edge_correlations):
    net = default_sim.regulations
    corr = edge_correlations(default_sim.expression, net)
    is_act = (net["type"] == "activation").to_numpy()
    assert corr[is_act].mean() > 0 > corr[~is_act].mean()
    assert roc_auc_score(is_act, corr) > 0.7


def test_simulate_on_network_labels_dataset_as_simulated():
    net = simulate(30, 5, seed=0).regulations
    ds = simulate_on_network(net, 8, seed=1, name="standin")
    assert ds.name == "standin" and ds.metadata["simulated"] is True
    assert ds.expression.shape == (len(set(net["regulator"]) | set(net["target"])), 8)
    json.dumps(ds.metadata)


@pytest.mark.data
def test_dream5_gold_standard_simulates_quickly(fgrn_dir):
    from xatgrn.data.io import read_regulations

    net = read_regulations(fgrn_dir / "dream5_net1" / "regulations.tsv")
    ds = simulate_on_network(net, 40, seed=0)
    genes = set(net["regulator"]) | set(net["target"])
    assert ds.expression.shape == (len(genes), 40)
    values = ds.expression.to_numpy()
    assert np.isfinite(values).all() and (values > 0).all()
    assert ds.metadata["steady_state"]["converged"]


# --- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_genes": 2}, "n_genes must be at least 3"),
        ({"n_samples": 0}, "n_samples must be at least 1"),
        ({"n_regulators": 40, "n_genes": 40}, "n_regulators must be between 1 and"),
        ({"p_activation": 1.5}, r"p_activation must be in \[0, 1\]"),
        ({"max_in_degree": 0}, "max_in_degree must be at least 1"),
        ({"hill_n": 0}, "hill_n must be > 0"),
        ({"noise_sd": -1}, "noise_sd must be >= 0"),
    ],
)
def test_bad_config_is_a_clear_input_error(kwargs, match):
    with pytest.raises(XatgrnInputError, match=match):
        simulate(**{"n_genes": 20, "n_samples": 4, **kwargs})


# --- CLI --------------------------------------------------------------------------------------


def run_cli(args: list[str]) -> None:
    from xatgrn.cli import main

    main(["-q", *args])


def test_cli_simulate_writes_files_the_readers_accept(tmp_path):
    from xatgrn.data.io import read_expression, read_regulations

    out = tmp_path / "sim"
    run_cli(["simulate", "--genes", "40", "--samples", "9", "--seed", "3", "--out", str(out)])
    expected = simulate(40, 9, seed=3)
    expr = read_expression(out / "expression.csv.gz")
    pd.testing.assert_frame_equal(expr, expected.expression)
    regs = read_regulations(out / "regulations.tsv")
    pd.testing.assert_frame_equal(regs, expected.regulations)
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["simulated"] is True and meta["seed"] == 3
    assert meta["ground_truth"]["n_edges"] == len(regs)


def test_cli_refuses_to_overwrite_without_force(tmp_path, capsys):
    out = tmp_path / "sim"
    args = ["simulate", "--genes", "20", "--samples", "4", "--out", str(out)]
    run_cli([*args, "--seed", "1"])
    before = (out / "regulations.tsv").read_bytes()
    with pytest.raises(SystemExit) as exc:
        run_cli([*args, "--seed", "2"])
    assert exc.value.code == 2
    assert "already exists" in capsys.readouterr().err
    assert (out / "regulations.tsv").read_bytes() == before
    run_cli([*args, "--seed", "2", "--force"])
    assert (out / "regulations.tsv").read_bytes() != before


def test_cli_simulates_on_a_given_network(tmp_path):
    from xatgrn.data.io import read_expression, read_regulations

    net_file = tmp_path / "prior.tsv"
    net_file.write_text(
        "regulator\ttarget\ttype\nTF1\tgA\tactivation\nTF1\tgB\trepression\ngB\tTF1\tactivation\n"
    )
    out = tmp_path / "sim"
    run_cli(["simulate", "--samples", "6", "--network", str(net_file), "--out", str(out)])
    regs = read_regulations(out / "regulations.tsv")
    pd.testing.assert_frame_equal(regs, read_regulations(net_file))
    expr = read_expression(out / "expression.csv.gz")
    assert sorted(expr.index) == ["TF1", "gA", "gB"] and expr.shape[1] == 6
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["simulated"] is True and meta["network"]["path"].endswith("prior.tsv")
