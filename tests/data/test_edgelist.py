"""read_edge_list reads back every format write_edge_list writes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xatgrn.data.edgelist import read_edge_list, write_edge_list
from xatgrn.data.schema import EDGE_LIST_COLUMNS
from xatgrn.errors import XatgrnInputError


def _edges() -> pd.DataFrame:
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.6, 0.3], [0.2, 0.1, 0.7]])
    return pd.DataFrame(
        {
            "regulator": ["A", "A", "NA"],
            "target": ["B", "C", "A"],
            "predicted_type": ["activation", "repression", "none"],
            "score": 1 - p[:, 2],
            "p_activation": p[:, 0],
            "p_repression": p[:, 1],
            "p_none": p[:, 2],
            "rank": [1, 2, 3],
            "in_prior": [True, False, False],
            "known_regulator": [True, True, False],
        }
    )


@pytest.mark.parametrize("name", ["net.tsv", "net.tsv.gz", "net.graphml"])
def test_round_trip_keeps_schema_and_values(tmp_path, name):
    df = _edges()
    path = write_edge_list(df, tmp_path / name)
    back = read_edge_list(path)
    assert list(back.columns) == list(EDGE_LIST_COLUMNS)
    order = np.argsort(back["rank"].to_numpy())
    back = back.iloc[order].reset_index(drop=True)
    assert back["regulator"].tolist() == ["A", "A", "NA"]  # gene 'NA' is not a missing value
    assert back["predicted_type"].tolist() == df["predicted_type"].tolist()
    np.testing.assert_allclose(back["p_activation"], df["p_activation"], rtol=1e-5)
    assert back["in_prior"].tolist() == [True, False, False]
    assert back["known_regulator"].tolist() == [True, True, False]


def test_beeline_keeps_typed_edges_and_weights(tmp_path):
    path = write_edge_list(_edges(), tmp_path / "net.csv", fmt="beeline")
    back = read_edge_list(path)
    assert back["predicted_type"].tolist() == ["activation", "repression"]
    np.testing.assert_allclose(back["score"], [0.9, 0.7], rtol=1e-5)
    assert back["in_prior"].isna().all() and back["p_none"].isna().all()


def test_prior_table_is_refused_with_a_hint(tmp_path):
    path = tmp_path / "prior.tsv"
    path.write_text("regulator\ttarget\ttype\nA\tB\tactivation\n")
    with pytest.raises(
        XatgrnInputError, match=r"prior.tsv: edge list lacks columns \['predicted_type'\]"
    ):
        read_edge_list(path)


def test_unknown_type_names_the_line(tmp_path):
    df = _edges()
    df.loc[1, "predicted_type"] = "activate?"
    path = tmp_path / "bad.tsv"
    df.to_csv(path, sep="\t", index=False)
    with pytest.raises(XatgrnInputError, match=r"bad.tsv, line 3: predicted_type 'activate\?'"):
        read_edge_list(path)
