"""Tests for xatgrn.data.kinetics: steady-state expression of a given typed network."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xatgrn.data.kinetics import simulate_expression
from xatgrn.data.synthetic import simulate
from xatgrn.errors import XatgrnInputError


def test_hand_made_network_with_cycle_self_loop_and_mutual_pair(edge_correlations):
    # A <-> B and C <-> D are mutual pairs, A and C regulate themselves
    rows = "A B + | A C - | B A - | C D + | C C - | D C + | A A +"
    net = pd.DataFrame(
        [r.split() for r in rows.split("|")], columns=["regulator", "target", "type"]
    )
    net["type"] = net["type"].map({"+": "activation", "-": "repression"})
    x = simulate_expression(net, 300, seed=1)
    assert list(x.index) == ["A", "B", "C", "D"]
    assert x.shape == (4, 300)
    assert np.isfinite(x.to_numpy()).all() and (x.to_numpy() > 0).all()
    corr = edge_correlations(x, net.iloc[:2])  # A -> B activation, A -> C repression
    assert corr[0] > 0 > corr[1]


def test_knockdowns_lower_expression_of_knocked_down_regulator():
    net = pd.DataFrame({"regulator": ["A"], "target": ["B"], "type": ["activation"]})
    spread = {}
    for p in (0.0, 0.5):
        x = simulate_expression(net, 400, seed=0, p_knockdown=p, perturbation_sd=0.1)
        a = np.log(x.loc["A"].to_numpy())
        spread[p] = a.max() - a.min()
    # knocked-down samples sit ~log(10) below the others
    assert spread[0.0] < np.log(5) < spread[0.5]


def test_row_order_of_network_does_not_matter():
    net = simulate(60, 5, seed=2).regulations
    shuffled = net.sample(frac=1.0, random_state=0)
    pd.testing.assert_frame_equal(
        simulate_expression(net, 20, seed=7), simulate_expression(shuffled, 20, seed=7)
    )


def test_natural_gene_order_and_genes_outside_network():
    net = pd.DataFrame(
        {"regulator": ["G10", "G2"], "target": ["G2", "G1"], "type": ["activation", "repression"]}
    )
    assert list(simulate_expression(net, 3).index) == ["G1", "G2", "G10"]
    x = simulate_expression(net, 50, genes=["X", "G10", "G2", "G1", "Y"])
    assert list(x.index) == ["X", "G10", "G2", "G1", "Y"]
    assert np.isfinite(x.to_numpy()).all() and (x.to_numpy() > 0).all()


def test_bad_networks_are_clear_input_errors():
    good = pd.DataFrame({"regulator": ["A"], "target": ["B"], "type": ["activation"]})
    with pytest.raises(XatgrnInputError, match=r"lack column\(s\) \['type'\]"):
        simulate_expression(good.drop(columns="type"), 3)
    with pytest.raises(XatgrnInputError, match="gene 'A': regulations row 0 has unknown type 'up'"):
        simulate_expression(good.assign(type="up"), 3)
    with pytest.raises(XatgrnInputError, match=r"pair \('A', 'B'\) appears more than once"):
        simulate_expression(pd.concat([good, good]), 3)
    with pytest.raises(XatgrnInputError, match=r"gene 'B': 1 network gene\(s\) are not in genes"):
        simulate_expression(good, 3, genes=["A"])
    with pytest.raises(XatgrnInputError, match="gene 'A': genes lists a gene more than once"):
        simulate_expression(good, 3, genes=["A", "B", "A"])
