"""Loading predicted networks and splitting them by the prior."""

from __future__ import annotations

import pandas as pd
import pytest

from xatgrn.analysis.network import as_edges, build_networks, load_network
from xatgrn.data.edgelist import write_edge_list
from xatgrn.errors import XatgrnInputError


def predicted() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "regulator": ["A", "A", "B", "A", "C"],
            "target": ["B", "C", "C", "B", "A"],
            "predicted_type": ["activation", "repression", "activation", "repression", "none"],
            "score": [0.9, 0.8, 0.7, 0.6, 0.1],
            "p_activation": [0.8, 0.1, 0.6, 0.3, 0.05],
            "p_repression": [0.1, 0.7, 0.1, 0.3, 0.05],
            "p_none": [0.1, 0.2, 0.3, 0.4, 0.9],
            "rank": [1, 2, 3, 4, 5],
            "in_prior": [True, False, False, True, False],
            "known_regulator": [True, True, True, True, True],
        }
    )


PRIOR = pd.DataFrame(
    {"regulator": ["A", "B"], "target": ["B", "C"], "type": ["activation", "repression"]}
)


def test_as_edges_drops_none_and_later_duplicates():
    e = as_edges(predicted())
    assert list(zip(e["regulator"], e["target"], e["type"], strict=True)) == [
        ("A", "B", "activation"),
        ("A", "C", "repression"),
        ("B", "C", "activation"),
    ]


def test_split_uses_the_prior_and_recomputes_in_prior():
    nets = build_networks(predicted(), PRIOR)
    assert nets.supported[["regulator", "target"]].values.tolist() == [["A", "B"], ["B", "C"]]
    assert nets.novel[["regulator", "target"]].values.tolist() == [["A", "C"]]
    # B>C: prior says repression, predicted activation; A>B agrees
    assert nets.type_agreement() == pytest.approx(0.5)
    assert set(nets.named()) == {"prior", "predicted", "novel"}


def test_split_without_prior_uses_the_in_prior_column():
    nets = build_networks(predicted())
    assert nets.novel[["regulator", "target"]].values.tolist() == [["A", "C"], ["B", "C"]]
    bare = predicted().drop(columns="in_prior")
    assert build_networks(bare).novel is None


def test_load_network_reads_edge_lists_and_prior_tables(tmp_path):
    tsv = write_edge_list(predicted(), tmp_path / "pred.tsv")
    assert len(load_network(tsv)) == 3
    graphml = write_edge_list(predicted(), tmp_path / "pred.graphml")
    assert len(load_network(graphml)) == 3
    prior = tmp_path / "prior.tsv"
    PRIOR.to_csv(prior, sep="\t", index=False)
    e = load_network(prior)
    assert e["type"].tolist() == ["activation", "repression"] and e["score"].isna().all()


def test_network_of_only_none_pairs_is_an_error(tmp_path):
    df = predicted().assign(predicted_type="none")
    path = write_edge_list(df, tmp_path / "none.tsv")
    with pytest.raises(
        XatgrnInputError, match=r"none\.tsv: the network has no activation or repression"
    ):
        load_network(path)


def test_beeline_file_keeps_its_weights(tmp_path):
    path = write_edge_list(predicted(), tmp_path / "pred.csv", fmt="beeline")
    e = load_network(path)
    assert e["score"].tolist() == pytest.approx([0.9, 0.8, 0.7])
