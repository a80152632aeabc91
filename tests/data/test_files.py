"""Tests for xatgrn.data.files: file checks, encodings, gzip, separators, cells."""

from __future__ import annotations

import gzip
import logging
from pathlib import Path

import pytest

from xatgrn.data.expression import read_expression
from xatgrn.data.files import (
    WHITESPACE,
    check_file,
    read_cells,
    read_header,
    reading,
    sniff_separator,
    text_encoding,
    text_format,
    text_layout,
)
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
    with pytest.raises(XatgrnInputError, match=r"'\.xlsx'.*\.csv, \.tsv, \.txt, \.gct .*\.h5ad"):
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


def test_sniff_separator_falls_back_to_whitespace(tmp_path):
    (tmp_path / "ws.txt").write_text("gene   s1  s2\nfis 1 2\n")
    (tmp_path / "one.csv").write_text("gene\nfis\n")
    assert sniff_separator(tmp_path / "ws.txt", "\t") == WHITESPACE
    assert sniff_separator(tmp_path / "one.csv", ",") == ","  # one field: nothing to split
    assert read_header(tmp_path / "ws.txt", WHITESPACE) == ["gene", "s1", "s2"]


def test_text_layout_skips_comments_and_metadata(tmp_path):
    (tmp_path / "c.tsv").write_text("# a comment\n\n# another\nregulator\ttarget\ttype\na\tb\t+\n")
    layout = text_layout(tmp_path / "c.tsv", "\t")
    assert (layout.skip, layout.nrows, layout.kind, layout.sep) == (3, None, "table", "\t")
    series = '!Series_title\t"x"\n!series_matrix_table_begin\n"ID_REF"\t"GSM1"\n"a"\t1\n"b"\t2\n'
    (tmp_path / "s.txt").write_text(series + "!series_matrix_table_end\n")
    layout = text_layout(tmp_path / "s.txt", "\t")
    assert (layout.skip, layout.nrows, layout.kind) == (2, 2, "geo-series-matrix")
    cells, lines = read_cells(tmp_path / "s.txt", "\t", skiprows=3, nrows=layout.nrows)
    assert cells.tolist() == [["a", "1"], ["b", "2"]] and lines.tolist() == [4, 5]
    (tmp_path / "g.gct").write_text("#1.2\n2\t2\nName\tDescription\ts1\ts2\n")
    assert text_layout(tmp_path / "g.gct", "\t").skip == 2


def test_text_encoding_utf8_utf16_and_latin1_once(tmp_path, caplog):
    (tmp_path / "u.csv").write_text("gene,s1\nfis,1\n", encoding="utf-8")
    (tmp_path / "w.txt").write_text("gene\ts1\nfis\t1\n", encoding="utf-16")
    (tmp_path / "l.csv").write_bytes("gene,réplica\nfis,1\n".encode("latin-1"))
    assert text_encoding(tmp_path / "u.csv") == "utf-8-sig"
    assert text_encoding(tmp_path / "w.txt") == "utf-16"
    with caplog.at_level(logging.WARNING, logger="xatgrn"):
        assert text_encoding(tmp_path / "l.csv") == "latin-1"
        assert read_header(tmp_path / "l.csv", ",") == ["gene", "réplica"]
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1 and "byte 6 cannot be decoded); read as Latin-1" in warnings[0]
