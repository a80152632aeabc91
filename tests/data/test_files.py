"""Tests for xatgrn.data.files: file checks, encodings, gzip, separators, cells."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from xatgrn.data.expression import read_expression
from xatgrn.data.files import check_file, read_cells, reading, sniff_separator, text_format
from xatgrn.data.regulations import read_regulations
from xatgrn.errors import XatgrnInputError


@pytest.mark.parametrize("reader", [read_expression, read_regulations])
def test_missing_file(tmp_path, reader):
    with pytest.raises(XatgrnInputError, match=r"nope\.csv: file not found"):
        reader(tmp_path / "nope.csv")


def test_expression_text_quirks(tmp_path):
    # UTF-8 BOM, CRLF line ends, blank line, padded cells, gzip data behind a .csv name
    text = "\ufeffgene;s1;s2\r\nfis; 1.5 ;2\r\n\r\ncrp;3;4e-3\r\n"
    (tmp_path / "a.csv").write_text(text, encoding="utf-8")
    (tmp_path / "b.csv").write_bytes(gzip.compress(text.encode()))
    for name in ("a.csv", "b.csv"):
        df = read_expression(tmp_path / name)
        assert df.index.tolist() == ["fis", "crp"] and df.columns.tolist() == ["s1", "s2"]
        assert df.to_numpy().tolist() == [[1.5, 2.0], [3.0, 0.004]]


@pytest.mark.parametrize(
    ("name", "expected"),
    [("a.csv", (",", False)), ("a.TSV.GZ", ("\t", True)), ("x.y.txt", ("\t", False))],
)
def test_text_format_from_suffixes(name, expected):
    assert text_format(Path(name)) == expected


def test_text_format_names_the_accepted_formats():
    with pytest.raises(XatgrnInputError, match=r"'\.xlsx'.*\.csv, \.tsv, \.txt .*\.h5ad"):
        text_format(Path("a.xlsx"), h5ad_ok=True)
    with pytest.raises(XatgrnInputError, match=r"'\(no suffix\)'"):
        text_format(Path("table"))


def test_sniff_separator_counts_the_first_line(tmp_path):
    (tmp_path / "semi.csv").write_text("gene;s1;s2\na;1,5;2\n")
    (tmp_path / "tie.tsv").write_text("a\tb,c\n")
    (tmp_path / "none.csv").write_text("gene\n")
    assert sniff_separator(tmp_path / "semi.csv", ",") == ";"
    assert sniff_separator(tmp_path / "tie.tsv", "\t") == "\t"  # a tie keeps the suffix's
    assert sniff_separator(tmp_path / "none.csv", ",") == ","


def test_read_cells_strips_and_keeps_file_lines(tmp_path):
    (tmp_path / "c.csv").write_text("h1,h2\n a , b \n\n,\nc,d\n")
    cells, lines = read_cells(tmp_path / "c.csv", ",", skiprows=1)
    assert cells.tolist() == [["a", "b"], ["c", "d"]]
    assert lines.tolist() == [2, 5]  # 1-based file lines; blank rows skipped


def test_check_file_folder_and_reading_errors(tmp_path):
    with pytest.raises(XatgrnInputError, match="is a folder, not a file"):
        check_file(tmp_path)
    with pytest.raises(XatgrnInputError, match=r"x\.csv: not UTF-8 text \(byte 3"):
        with reading(tmp_path / "x.csv"):
            b"abc\xff".decode("utf-8")
