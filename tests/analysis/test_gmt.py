"""GMT reader: quirks of real files and clear errors."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from xatgrn.analysis.gmt import read_gmt
from xatgrn.errors import XatgrnInputError


def write(tmp_path, text: str, name: str = "lib.gmt", gz: bool = False):
    path = tmp_path / name
    data = text.encode("utf-8")
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def test_enrichr_trailing_tab_and_empty_description(tmp_path):
    lib = read_gmt(write(tmp_path, "drug1\t\tA\tB\tC\t\ndrug2\t\tB\t\n"))
    assert lib.sets == {"drug1": ("A", "B", "C"), "drug2": ("B",)}
    assert lib.descriptions["drug1"] == ""
    assert lib.name == "lib"


def test_crlf_blank_lines_gzip_and_duplicate_genes(tmp_path):
    text = "s1\tdesc one\tA\tB\r\n\r\n\ns2\turl\tC\tC\tD\r\n"
    lib = read_gmt(write(tmp_path, text, "x.gmt.gz", gz=True))
    assert lib.sets == {"s1": ("A", "B"), "s2": ("C", "D")}
    assert lib.descriptions["s1"] == "desc one"
    assert lib.name == "x"


def test_continuation_line_belongs_to_previous_record(tmp_path):
    lib = read_gmt(write(tmp_path, "s1\td\tA\tB\n\tC\tD\ns2\td\tE\n"))
    assert lib.sets["s1"] == ("A", "B", "C", "D")
    assert lib.sets["s2"] == ("E",)


def test_weighted_genes_and_membership_matrix(tmp_path):
    lib = read_gmt(write(tmp_path, "s1\t\tA,1.0\tB\ns2\t\tB,0.5\tC\n"))
    assert lib.sets["s1"] == ("A", "B")
    assert lib.genes.tolist() == ["A", "B", "C"]
    np.testing.assert_array_equal(lib.membership.toarray(), [[1, 1, 0], [0, 1, 1]])


def test_empty_file_is_an_error(tmp_path):
    with pytest.raises(XatgrnInputError, match=r"empty.gmt: the GMT file holds no gene sets"):
        read_gmt(write(tmp_path, "", "empty.gmt"))
    with pytest.raises(XatgrnInputError, match="holds no gene sets"):
        read_gmt(write(tmp_path, "\n\r\n  \n", "blank.gmt"))


def test_duplicate_set_names_name_both_lines(tmp_path):
    path = write(tmp_path, "s1\t\tA\ns2\t\tB\ns1\t\tC\n")
    with pytest.raises(
        XatgrnInputError, match=r"lib.gmt, line 3: duplicate gene-set name 's1' \(first on line 1\)"
    ):
        read_gmt(path)


def test_set_without_genes_names_its_line(tmp_path):
    path = write(tmp_path, "s1\t\tA\ns2\tdescription only\t\t\n")
    with pytest.raises(XatgrnInputError, match=r"lib.gmt, line 2: gene set 's2' has no genes"):
        read_gmt(path)


def test_continuation_before_any_set(tmp_path):
    with pytest.raises(XatgrnInputError, match=r"line 1: line starts with a TAB"):
        read_gmt(write(tmp_path, "\tA\tB\ns1\t\tC\n"))


def test_real_dsigdb_facts(genesets_dir):
    lib = read_gmt(genesets_dir / "DSigDB.gmt.gz")
    assert (len(lib), len(lib.genes)) == (4026, 19512)
    tp53 = int(np.searchsorted(lib.genes.astype(str), "TP53"))
    assert lib.membership[:, tp53].sum() == 926
    every = read_gmt(genesets_dir / "DSigDB_All.gmt.gz")
    assert len(every) == 23949  # the split 'coenzyme A_BOSS' record is one set
    assert "VEGFA" in every.sets["coenzyme A_BOSS"]
