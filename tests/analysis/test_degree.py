"""Degrees, hubs (tie rule), overlaps, sign consistency and degree skew on hand-made networks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xatgrn.analysis.degree import (
    ccdf,
    cutoff_ties,
    degree_skew,
    degree_table,
    degree_tables,
    hub_genes,
    hub_overlap,
    sign_consistency,
    type_summary,
)
from xatgrn.errors import XatgrnInputError


def edges(rows: str) -> pd.DataFrame:
    """'A>B+ A>C- ...' -> typed edge table (+ activation, - repression)."""
    parsed = [(r.split(">")[0], r.split(">")[1][:-1], r[-1]) for r in rows.split()]
    return pd.DataFrame(
        {
            "regulator": [p[0] for p in parsed],
            "target": [p[1] for p in parsed],
            "type": ["activation" if p[2] == "+" else "repression" for p in parsed],
            "score": np.nan,
        }
    )


NET = edges("A>B+ A>C- A>D+ B>C+ C>C- D>A+")


def test_degree_table_counts_by_hand():
    t = degree_table(NET)
    assert t.index.tolist() == ["A", "B", "C", "D"]
    assert t["out_degree"].tolist() == [3, 1, 1, 1]
    assert t["in_degree"].tolist() == [1, 1, 3, 1]
    # self-loop C>C adds one to in and one to out
    assert t.loc["C", "total_degree"] == 4
    assert t.loc["A", "out_activation"] == 2 and t.loc["A", "out_repression"] == 1
    assert t.loc["C", "in_repression"] == 2 and t.loc["C", "in_activation"] == 1
    extra = degree_table(NET, genes=["A", "Z"])
    assert extra.loc["Z"].sum() == 0


def test_degree_tables_wide_union_of_genes():
    wide = degree_tables({"prior": NET, "novel": edges("E>A+")})
    assert wide.loc["E", "prior_total"] == 0 and wide.loc["E", "novel_out"] == 1
    assert wide.loc["A", "prior_out"] == 3 and wide.loc["A", "novel_in"] == 1


def test_hub_ties_break_by_gene_id_and_are_counted():
    # B, D, E all have total degree 2; A has 3
    net = edges("A>B+ A>D+ A>E- B>X+ D>Y+ E>Z+")
    t = degree_table(net)
    hubs = hub_genes(t, k=2)
    assert hubs["gene"].tolist() == ["A", "B"]
    assert hubs["rank"].tolist() == [1, 2]
    assert cutoff_ties(t, k=2) == 2  # D and E were cut by the id rule
    assert cutoff_ties(t, k=1) == 0
    # permuting the input rows does not change the hubs
    again = hub_genes(degree_table(net.sample(frac=1, random_state=3)), k=2)
    assert again["gene"].tolist() == ["A", "B"]


def test_hubs_by_in_and_out_degree_split_types():
    t = degree_table(NET)
    out_hubs = hub_genes(t, k=1, by="out")
    assert out_hubs.iloc[0][["gene", "degree", "activation", "repression"]].tolist() == [
        "A",
        3,
        2,
        1,
    ]
    in_hubs = hub_genes(t, k=1, by="in")
    assert in_hubs.iloc[0]["gene"] == "C"
    with pytest.raises(XatgrnInputError, match="unknown degree 'both'"):
        hub_genes(t, by="both")


def test_hub_overlap_count_and_jaccard():
    o = hub_overlap(["A", "B", "C"], ["B", "C", "D", "E"])
    assert o["shared"] == 2 and o["genes"] == ["B", "C"]
    assert o["jaccard"] == pytest.approx(2 / 5)


def test_sign_consistency_majority_share():
    sc = sign_consistency(edges("A>B+ A>C+ A>D- B>A+ B>C- E>A-")).set_index("regulator")
    assert sc.loc["A", "consistency"] == pytest.approx(2 / 3)
    assert sc.loc["A", "majority"] == "activation"
    assert sc.loc["B", "majority"] == "tie" and sc.loc["B", "consistency"] == 0.5
    assert sc.loc["E", "consistency"] == 1.0
    s = type_summary(NET)
    assert (s["edges"], s["activation"], s["repression"], s["self_loops"]) == (6, 4, 2, 1)
    assert s["mean_sign_consistency"] == pytest.approx(2 / 3)  # only A has >= 2 edges


def test_ccdf_by_hand():
    x, y = ccdf([0, 1, 1, 2, 4])
    assert x.tolist() == [1, 2, 4]
    np.testing.assert_allclose(y, [1.0, 0.5, 0.25])


def test_degree_skew_tiny_network_is_not_enough_data():
    r = degree_skew([1, 1, 2])
    assert r.status == "not enough data" and "need" in r.reason
    assert degree_skew([]).status == "not enough data"
    assert degree_skew([3] * 50).status == "not enough data"  # one distinct value


@pytest.mark.filterwarnings("ignore")  # powerlaw's own runtime warnings, called directly here
def test_degree_skew_fits_a_heavy_tail():
    rng = np.random.default_rng(0)
    values = rng.zipf(2.5, size=3000)
    r = degree_skew(np.r_[values, [0, 0, 0]])  # zero degrees are not part of the fit
    assert (r.status, r.n, r.n_distinct) == ("ok", 3000, len(np.unique(values)))
    assert 2.2 < r.alpha < 2.8
    # the numbers are the powerlaw package's, on the positive values, discrete, normalised R
    powerlaw = pytest.importorskip("powerlaw")
    fit = powerlaw.Fit(values.astype(float), discrete=True, verbose=0)
    ratio, p = fit.distribution_compare("power_law", "lognormal", normalized_ratio=True)
    assert (r.alpha, r.xmin, r.loglikelihood_ratio, r.p_value) == (
        fit.power_law.alpha,
        fit.power_law.xmin,
        ratio,
        p,
    )
    assert r.n_tail == int(np.sum(values >= r.xmin))
    assert r.sigma_alpha == pytest.approx((r.alpha - 1) / np.sqrt(r.n_tail))  # Clauset eq 3.2
    # a Zipf sample: the power law wins (R > 0) at p < 0.1
    assert r.loglikelihood_ratio > 0 and r.p_value < 0.1 and r.preferred == "power_law"
    assert degree_skew(values, significance=r.p_value / 2).preferred == "undecided"


def test_degree_skew_prefers_lognormal_for_a_lognormal_sample():
    values = np.random.default_rng(1).lognormal(1.5, 0.8, size=3000).round() + 1
    r = degree_skew(values)
    assert r.loglikelihood_ratio < 0 and r.p_value < 0.1 and r.preferred == "lognormal"
    assert r.lognormal_mu == pytest.approx(1.5, abs=0.05)
    assert r.lognormal_sigma == pytest.approx(0.8, abs=0.05)
