"""The layout corpus (tests/data/layouts): each layout users bring is read right, with counts."""

from __future__ import annotations

from pathlib import Path

import pytest

from xatgrn.data.inputs import load_user_data

LAYOUTS_DIR = Path(__file__).parent / "layouts"

# stem -> (load_user_data keywords, (genes, samples, edges, activation, repression, self-loops),
#          orientation, (gene, sample) whose value is fis's first-sample value 7.36 (or a mean))
LAYOUTS: dict[str, tuple[dict, tuple[int, ...], str, tuple[str, str, float]]] = {
    "dream5_no_id_column": ({}, (10, 4, 9, 4, 5, 1), "samples-by-genes", ("G1", "s1", 7.36)),
    "beeline": ({}, (10, 4, 8, 4, 4, 0), "genes-by-samples", ("fis", "E0_0", 7.36)),
    "geo_series_matrix": ({}, (10, 4, 8, 4, 4, 0), "genes-by-samples", ("fis", "GSM100", 7.36)),
    "whitespace": ({}, (10, 4, 8, 4, 4, 0), "genes-by-samples", ("fis", "s1", 7.36)),
    "regulondb_comments": ({"unknown_types": "drop"}, (10, 4, 8, 4, 4, 0), "genes-by-samples", ("fis", "s1", 7.36)),
    "latin1": ({}, (10, 4, 8, 4, 4, 0), "genes-by-samples", ("fis", "réplica_1", 7.36)),
    "gct": ({}, (10, 4, 8, 4, 4, 0), "genes-by-samples", ("fis", "s1", 7.36)),
    "probes_aggregate": ({"aggregate": "mean"}, (10, 4, 8, 4, 4, 0), "genes-by-samples", ("fis", "GSM200", 7.61)),
    "r_write_table": ({}, (10, 4, 8, 4, 4, 0), "genes-by-samples", ("fis", "s1", 7.36)),
    "trrust": ({"unknown_types": "drop"}, (10, 4, 8, 4, 4, 0), "genes-by-samples", ("fis", "s1", 7.36)),
    "collectri": ({}, (10, 4, 8, 4, 4, 0), "genes-by-samples", ("fis", "s1", 7.36)),
    "entrez_ids": ({}, (10, 4, 8, 4, 4, 0), "genes-by-samples", ("2242", "s1", 7.36)),
    "excel_utf16": ({}, (10, 4, 8, 4, 4, 0), "genes-by-samples", ("fis", "s1", 7.36)),
}  # fmt: skip


def layout_files(stem: str) -> tuple[Path, Path]:
    (expr,) = LAYOUTS_DIR.glob(f"{stem}.expression.*")
    (regs,) = LAYOUTS_DIR.glob(f"{stem}.regulations.*")
    return expr, regs


def test_corpus_table_covers_every_file():
    stems = {p.name.split(".")[0] for p in LAYOUTS_DIR.iterdir()} - {"README"}
    assert stems == set(LAYOUTS), "add new layout files to LAYOUTS (and README.md)"
    readme = (LAYOUTS_DIR / "README.md").read_text()
    assert [s for s in LAYOUTS if f"`{s}`" not in readme] == []


@pytest.mark.parametrize("stem", sorted(LAYOUTS))
def test_layout_is_read_right(stem):
    kwargs, counts, orientation, (gene, sample, value) = LAYOUTS[stem]
    ds = load_user_data(*layout_files(stem), **kwargs)
    md = ds.metadata
    keys = ("genes", "samples", "edges", "activation", "repression", "self_loops")
    assert tuple(md[k] for k in keys) == counts
    assert md["orientation"] == orientation
    assert ds.expression.loc[gene, sample] == pytest.approx(value)
    assert not ds.expression.columns.str.contains("Description|IDENTIFIER|ID_REF").any()
