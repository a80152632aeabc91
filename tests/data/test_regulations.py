"""Tests for xatgrn.data.regulations: layouts, type labels, conflict policies, gene lists."""

from __future__ import annotations

import gzip
import logging

import pandas as pd
import pytest

from xatgrn.data.regulations import read_gene_list, read_regulations
from xatgrn.data.schema import REGULATION_COLUMNS
from xatgrn.errors import XatgrnInputError

EXPECTED_EDGES = pd.DataFrame(
    {
        "regulator": ["fis", "crp", "fis", "lacI"],
        "target": ["adhE", "fis", "fis", "lacZ"],
        "type": ["activation", "repression", "repression", "activation"],
    }
)

LAYOUTS = {
    "standard.tsv": "regulator\ttarget\ttype\nfis\tadhE\tactivation\ncrp\tfis\trepression\n"
    "fis\tfis\tRepressor\nlacI\tlacZ\tpositive\n",
    "tf.csv": "TF,Target,Type\nfis,adhE,activate\ncrp,fis,-1\nfis,fis,repress\nlacI,lacZ,+\n",
    "beeline.csv": "Gene1,Gene2,Type\nfis,adhE,+\ncrp,fis,-\nfis,fis,-\nlacI,lacZ,+\n",
    "collectri.tsv.gz": "source\ttarget\tweight\tPMID\nfis\tadhE\t0.5\t1\ncrp\tfis\t-1\t2\n"
    "fis\tfis\t-2.5\t3\nlacI\tlacZ\t1\t4\n",
    "headerless.csv": "fis,adhE,activator\ncrp,fis,repressor\nfis,fis,repressor\n"
    "lacI,lacZ,activator\n",
}


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_all_layouts_give_the_same_table(tmp_path, name):
    path = tmp_path / name
    data = LAYOUTS[name].encode()
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    out = read_regulations(path)
    pd.testing.assert_frame_equal(out, EXPECTED_EDGES)
    assert isinstance(out.index, pd.RangeIndex) and tuple(out.columns) == REGULATION_COLUMNS


CONFLICTS = (
    "regulator\ttarget\ttype\n"
    "a\tb\tactivation\n"  # line 2
    "c\td\trepression\n"
    "a\tb\trepression\n"  # conflict: last row wins -> repression, kept at a->b's first position
    "c\td\trepression\n"  # exact duplicate: collapsed
    "e\tf\tactivation\n"
)


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        ("last", [("a", "b", "repression"), ("c", "d", "repression"), ("e", "f", "activation")]),
        ("drop", [("c", "d", "repression"), ("e", "f", "activation")]),
    ],
)
def test_conflict_policies(tmp_path, caplog, policy, expected):
    (tmp_path / "p.tsv").write_text(CONFLICTS)
    with caplog.at_level(logging.INFO, logger="xatgrn"):
        out = read_regulations(tmp_path / "p.tsv", on_conflict=policy)
    assert list(out.itertuples(index=False, name=None)) == expected
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "1 (regulator, target) pair(s)" in warnings[0]


def test_unknown_types_drop_warns_with_count(tmp_path, caplog):
    (tmp_path / "u.csv").write_text("a,b,activator\nb,c,dual\nc,a,repressor\nd,a,dual\n")
    with caplog.at_level(logging.WARNING, logger="xatgrn"):
        out = read_regulations(tmp_path / "u.csv", unknown_types="drop")
    assert out["type"].tolist() == ["activation", "repression"]
    assert "dropped 2 row(s) with unknown regulation types: 'dual' (2)" in caplog.text


def test_fgrn_source_files(fgrn_source_dir):
    pred = fgrn_source_dir / "kikixiong" / "XATGRN" / "Prediction"
    ecoli = read_regulations(
        pred / "Ecoli_cold_FGRN" / "traindata" / "Ecoli_GRN_3types.csv", unknown_types="drop"
    )
    assert len(ecoli) == 4104
    human = read_regulations(
        pred / "human_breast_FGRN/traindataHuman/final_GRN/new_GRN_Breast_GEN_counts_genename.csv",
        on_conflict="last",
    )
    assert len(human) == 8340
    assert human["type"].value_counts().to_dict() == {"activation": 6452, "repression": 1888}


def test_read_gene_list(tmp_path):
    (tmp_path / "g.txt").write_text(
        "# regulators\nfis\tcomment\ncrp,x\n\nfis\n  lacI  # trailing\n"
    )
    assert read_gene_list(tmp_path / "g.txt") == ["fis", "crp", "lacI"]
    (tmp_path / "none.txt").write_text("# nothing\n\n")
    with pytest.raises(XatgrnInputError, match=r"none\.txt: no gene ids in the file"):
        read_gene_list(tmp_path / "none.txt")


def test_default_drops_dual_pairs_and_last_says_which_type_it_kept(tmp_path, caplog):
    # TRRUST lists a dual-mode pair once per type, activation first: 'last' would make every
    # such pair repression; the default leaves them out and counts them
    (tmp_path / "t.tsv").write_text(
        "a\tb\tActivation\t1\na\tb\tRepression\t2\nc\td\tActivation\t3\nc\td\tRepression\t4\n"
        "e\tf\tRepression\t5\ne\tf\tActivation\t6\ng\th\tActivation\t7\n"
    )
    with caplog.at_level(logging.WARNING, logger="xatgrn"):
        out = read_regulations(tmp_path / "t.tsv")
    assert list(out.itertuples(index=False, name=None)) == [("g", "h", "activation")]
    assert "dropped 3 (regulator, target) pair(s) listed with both types" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="xatgrn"):
        out = read_regulations(tmp_path / "t.tsv", on_conflict="last")
    assert out["type"].tolist() == ["repression", "repression", "activation", "activation"]
    assert "3 (regulator, target) pair(s) are listed with both types" in caplog.text
    assert "1 became activation, 2 repression" in caplog.text


def test_comment_lines_and_regulondb_effects(tmp_path):
    (tmp_path / "r.txt").write_text(
        "# RegulonDB-style\n# (3) effect: + - +- ?\n\n"
        "fis\tadhE\t+\t[GEA]\tStrong\ncrp\tfis\t-\t[BPP]\tWeak\naraC\taraB\t+-\t[]\tWeak\n"
        "lacI\tlacZ\t?\t[]\tWeak\n"
    )
    with pytest.raises(XatgrnInputError, match=r"line 6: unknown regulation type '\+-'"):
        read_regulations(tmp_path / "r.txt")  # file lines count the comment block
    out = read_regulations(tmp_path / "r.txt", unknown_types="drop")
    assert list(out.itertuples(index=False, name=None)) == [
        ("fis", "adhE", "activation"),
        ("crp", "fis", "repression"),
    ]
