"""The HTML page: number formatting, escaping, tables, notes, embedded images, sections."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

from xatgrn.analysis.html import _fmt, _img, _note_block, _table, render_html
from xatgrn.analysis.pipeline import AnalysisConfig, analyze, enrichment_stem


def _png(path: Path, width: int) -> Path:
    """A stub PNG: signature + IHDR header with the given width (enough for _img)."""
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + width.to_bytes(4, "big") + bytes(8))
    return path


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "–"),
        (float("nan"), "–"),
        (0.0, "0"),
        (0.5, "0.5"),
        (2 / 3, "0.6667"),
        (1e-4, "0.0001"),
        (1.23456e-7, "1.23e-07"),
        (123456.0, "1.23e+05"),
        (12345, "12,345"),
        ("<b>&", "&lt;b&gt;&amp;"),
    ],
)
def test_fmt(value, text):
    assert _fmt(value) == text


def test_table_escapes_header_and_aligns_columns():
    got = _table([("g<1>", 3, "a, b")], ["gene", "n", "genes<"], left=(0,), wide=(2,))
    assert got == (
        '<table><thead><tr><th class="l">gene</th><th>n</th><th class="genes">genes&lt;</th>'
        '</tr></thead><tbody><tr><td class="l">g&lt;1&gt;</td><td>3</td>'
        '<td class="genes">a, b</td></tr></tbody></table>'
    )


def test_note_block_plain_html_and_empty():
    assert _note_block("a <b>\nline\n\n second", None) == (
        '<div class="note"><p>a &lt;b&gt;<br>line</p><p>second</p></div>'
    )
    assert _note_block("ignored", "<i>trusted</i>") == '<div class="note"><i>trusted</i></div>'
    assert _note_block("  \n", None) == '<p class="muted">(no note)</p>'


def test_img_is_a_data_uri_at_natural_size(tmp_path):
    raw = _png(tmp_path / "f.png", 300).read_bytes()
    tag = _img(tmp_path / "f.png", 'a "plot"')
    data = base64.b64encode(raw).decode("ascii")
    assert (
        tag
        == f'<img alt="a &quot;plot&quot;" style="width:192px" src="data:image/png;base64,{data}">'
    )
    (tmp_path / "x.png").write_bytes(b"not a png")
    assert 'style="' not in _img(tmp_path / "x.png", "x")


def test_render_html_sections_tables_and_no_links(tmp_path, tiny_case):
    cfg = AnalysisConfig(top_k=2, lists=("hubs",))
    t = tiny_case
    result = analyze(t["predicted"], t["prior"], [t["library"]], cfg, inputs={"p": "p<1>.tsv"})
    stem = enrichment_stem("hubs", "lib")
    figures = {
        k: _png(tmp_path / f"{k}.png", 150) for k in ("hubs", "subnetwork", "degree_ccdf", stem)
    }
    summary = {**result.summary(), "files": ["hubs.tsv", "report.html"]}
    page = render_html(
        result,
        figures,
        summary,
        note="see <here>",
        title="My & report",
        enrichment_files={("hubs", "lib"): "enrichment_hubs_lib.tsv"},
    )
    assert page.startswith("<!DOCTYPE html>") and page.endswith("</body></html>")
    assert "<title>My &amp; report</title>" in page and "<h1>My &amp; report</h1>" in page
    assert "<p>see &lt;here&gt;</p>" in page
    assert '<td class="l">p&lt;1&gt;.tsv</td>' in page  # inputs table, escaped
    h2 = re.findall(r"<h2>([^<]*)</h2>", page)
    assert h2 == [
        "Note",
        "Summary",
        "Hub genes (top 2 by total degree)",
        "Degree distributions",
        "Enrichment (over-representation)",
        "Files",
    ]
    assert (
        "<p>Predicted type equals the prior's type on 66.7% of the prior-supported edges.</p>"
        in page
    )
    assert "<td>1</td><td>A (3)</td><td>A (3)</td><td>E (3)</td>" in page.replace(' class="l"', "")
    assert "<h3>lib — list 'hubs'</h3>" in page
    assert "<code>enrichment_hubs_lib.tsv</code>" in page
    assert (
        len(re.findall(r'<img alt="[^"]*" style="width:96px" src="data:image/png;base64,', page))
        == 4
    )
    assert not re.search(r"""(src|href)=["']?(https?:|file:|/)""", page)
    assert "<code>hubs.tsv</code>, <code>report.html</code>" in page


def test_render_html_without_libraries_or_prior(tmp_path, tiny_case):
    result = analyze(tiny_case["predicted"], None, [], AnalysisConfig(top_k=1))
    figures = {k: _png(tmp_path / f"{k}.png", 10) for k in ("hubs", "subnetwork", "degree_ccdf")}
    page = render_html(result, figures, result.summary())
    assert "<p>No gene-set library was given.</p>" in page
    assert '<p class="muted">(no note)</p>' in page
    assert "Predicted type equals" not in page
    assert "<li>No prior and no in_prior column" in page
