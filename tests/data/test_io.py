"""Tests for xatgrn.data.io: readers, writers, validation messages, alignment."""

from __future__ import annotations

import gzip
import logging
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from xatgrn.data import io as xio
from xatgrn.data.io import (
    align,
    check_trainable,
    load_user_data,
    read_expression,
    read_regulations,
    write_expression,
    write_regulations,
)
from xatgrn.data.schema import REGULATION_COLUMNS
from xatgrn.errors import XatgrnInputError

BAD = Path(__file__).parent / "bad_inputs"

# --- the bad-input corpus -----------------------------------------------------------------
# file (or pair stem) -> (how to read it, keyword arguments, distinctive message fragment).
# A "pair_<stem>" entry covers <stem>.expression.* and <stem>.regulations.*.
CASES: dict[str, tuple[str, dict, str]] = {
    "expr_empty.csv": ("expression", {}, r"file is empty \(0 bytes\)"),
    "expr_header_only.csv": ("expression", {}, r"line 1: no data rows"),
    "expr_non_numeric.csv": ("expression", {}, r"line 3, gene 'adhE': non-numeric value 'abc' in sample 's2'"),
    "expr_nan.csv": ("expression", {}, r"line 4, gene 'crp': missing value .*'NaN' in sample 's2'"),
    "expr_empty_cell.tsv": ("expression", {}, r"line 3, gene 'adhE': missing value \(NaN or empty cell\)"),
    "expr_inf.csv": ("expression", {}, r"line 4, gene 'crp': infinite value '-inf' in sample 's3'"),
    "expr_duplicate_gene.csv": ("expression", {}, r"line 4, gene 'fis': duplicate gene id 'fis' \(line 2 and line 4"),
    "expr_duplicate_sample.csv": ("expression", {}, r"duplicate sample name 's1' \(header field 2 and header field 4"),
    "expr_one_sample.csv": ("expression", {}, r"only 1 sample\(s\): at least 2 samples"),
    "expr_ragged_row.csv": ("expression", {}, r"line 3: row has 5 fields but the rows above have 4"),
    "expr_empty_gene_id.csv": ("expression", {}, r"line 3: empty gene id in the first column"),
    "expr_space_separated.csv": ("expression", {}, r"only one column was found"),
    "expr_table.xlsx": ("expression", {}, r"unsupported file format '\.xlsx'"),
    "expr_not_anndata.h5ad": ("expression", {}, r"cannot read as AnnData"),
    "expr_truncated.csv.gz": ("expression", {}, r"cannot read the \(gzip\) data"),
    "expr_latin1.csv": ("expression", {}, r"not UTF-8 text"),
    "expr_header_mismatch.csv": ("expression", {}, r"line 2: the first data row has 3 fields but the header has 5"),
    "regs_empty.tsv": ("regulations", {}, r"file is empty \(0 bytes\)"),
    "regs_blank_lines.tsv": ("regulations", {}, r"file has no data \(only blank lines\)"),
    "regs_header_only.tsv": ("regulations", {}, r"line 1: no edges \(only a header line\)"),
    "regs_unknown_columns.csv": ("regulations", {}, r"unknown columns \['from_gene', 'to_gene', 'effect'\].*accepted layouts"),
    "regs_two_columns.csv": ("regulations", {}, r"2 column\(s\) .*a prior network needs 3"),
    "regs_unknown_type.tsv": ("regulations", {}, r"line 3: unknown regulation type 'activatorrepressor' \(2 row\(s\).*'dual'"),
    "regs_empty_gene.tsv": ("regulations", {}, r"line 3: empty regulator name"),
    "regs_zero_weight.csv": ("regulations", {}, r"line 3: weight '0' has no sign"),
    "regs_conflict.tsv": ("regulations", {"on_conflict": "error"}, r"line 4, gene 'fis': pair 'fis' -> 'adhE' is listed with conflicting types \(line 2: activation, line 4: repression\)"),
    "regs_one_class.tsv": ("trainable", {}, r"fewer than 2 regulation classes \(2 activation, 0 repression"),
    "pair_absent_genes_strict": ("pair", {"strict": True}, r"2 of 5 prior-network genes are absent .*'lacZ', 'lacI'.*2 of 4 edges"),
    "pair_no_shared_genes": ("pair", {"orientation": "genes-by-samples"}, r"no prior edge has both genes in the expression.*same gene ids"),
    "pair_orientation_undetectable": ("pair", {}, r"cannot detect the orientation: 0 of 3 row labels and 0 of 3 column labels.*--orientation"),
    "pair_ambiguous_orientation": ("pair", {}, r"ambiguous orientation: 4 of 4 row labels and 4 of 4 column labels.*--orientation"),
    "pair_one_class_after_align": ("pair", {}, r"fewer than 2 regulation classes \(2 activation, 0 repression"),
}  # fmt: skip


def _pair_files(stem: str) -> tuple[Path, Path]:
    (expr,) = BAD.glob(f"{stem}.expression.*")
    (regs,) = BAD.glob(f"{stem}.regulations.*")
    return expr, regs


def _run_case(name: str) -> None:
    kind, kwargs, _ = CASES[name]
    if kind == "expression":
        read_expression(BAD / name, **kwargs)
    elif kind == "regulations":
        read_regulations(BAD / name, **kwargs)
    elif kind == "trainable":
        check_trainable(read_regulations(BAD / name, **kwargs), source=BAD / name)
    else:
        load_user_data(*_pair_files(name), **kwargs)


def test_corpus_table_covers_every_file():
    covered = set()
    for name in CASES:
        covered |= {p.name for p in _pair_files(name)} if name.startswith("pair_") else {name}
    present = {p.name for p in BAD.iterdir()} - {"README.md"}
    assert present == covered, "add new corpus files to CASES (and README.md)"
    readme = (BAD / "README.md").read_text()
    assert [n for n in CASES if f"`{n}" not in readme] == []


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_gives_clear_error(name):
    with pytest.raises(XatgrnInputError, match=CASES[name][2]) as info:
        _run_case(name)
    msg = str(info.value)
    assert name.split(".")[0] in msg  # names the file
    assert ". Fix: " in msg


@pytest.mark.parametrize("reader", [read_expression, read_regulations])
def test_missing_file(tmp_path, reader):
    with pytest.raises(XatgrnInputError, match=r"nope\.csv: file not found"):
        reader(tmp_path / "nope.csv")


def test_bad_options_are_input_errors(tmp_path):
    with pytest.raises(XatgrnInputError, match="unknown orientation 'rows'"):
        read_expression(BAD / "expr_nan.csv", orientation="rows")
    with pytest.raises(XatgrnInputError, match="unknown on_conflict policy 'first'"):
        read_regulations(BAD / "regs_conflict.tsv", on_conflict="first")
    with pytest.raises(XatgrnInputError, match=r"layer='counts' only applies to \.h5ad"):
        read_expression(BAD / "expr_nan.csv", layer="counts")


# --- expression: formats, round trips, orientation ----------------------------------------


@pytest.fixture
def expr() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    values = rng.lognormal(size=(6, 4)) * 10.0 ** rng.integers(-8, 8, size=(6, 4))
    genes = pd.Index(["fis", "crp", "001", "lacI", "NA", "g,with comma"], name="gene")
    return pd.DataFrame(values, index=genes, columns=["s1", "s2", "rep 3", "4"])


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".txt", ".csv.gz", ".TSV.GZ", ".h5ad"])
def test_expression_round_trip_is_exact(tmp_path, expr, suffix):
    path = write_expression(expr, tmp_path / f"x{suffix}")
    back = read_expression(path)
    pd.testing.assert_frame_equal(back, expr)
    assert back.index.map(type).unique().tolist() == [str]  # "001" stays a string
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temp files left behind


def test_gzip_output_is_reproducible(tmp_path, expr):
    a = write_expression(expr, tmp_path / "a.csv.gz").read_bytes()
    b = write_expression(expr, tmp_path / "b.csv.gz").read_bytes()
    assert a == b and a[:2] == b"\x1f\x8b"


def test_fast_and_strict_parsers_agree(tmp_path, expr):
    path = write_expression(expr, tmp_path / "x.csv")
    ids, cols, values = xio._parse_expression_fast(path, ",")
    fast = xio._to_genes_by_samples(ids, cols, values, "genes-by-samples")
    strict, used = xio._parse_expression_strict(path, ",", "auto", None)
    assert used == "genes-by-samples"
    pd.testing.assert_frame_equal(fast, strict)


def test_expression_text_quirks(tmp_path):
    # UTF-8 BOM, CRLF line ends, blank line, padded cells, gzip data behind a .csv name
    text = "\ufeffgene;s1;s2\r\nfis; 1.5 ;2\r\n\r\ncrp;3;4e-3\r\n"
    (tmp_path / "a.csv").write_text(text, encoding="utf-8")
    (tmp_path / "b.csv").write_bytes(gzip.compress(text.encode()))
    for name in ("a.csv", "b.csv"):
        df = read_expression(tmp_path / name)
        assert df.index.tolist() == ["fis", "crp"] and df.columns.tolist() == ["s1", "s2"]
        assert df.to_numpy().tolist() == [[1.5, 2.0], [3.0, 0.004]]


def test_r_write_table_layout(tmp_path):
    # R's write.table(): quoted names and no header field above the id column
    (tmp_path / "r.txt").write_text('"s1"\t"s2"\n"g1"\t1\t2\n"g2"\t3\t4\n')
    (tmp_path / "bad.txt").write_text('"s1"\t"s2"\n"g1"\t1\tx\n"g2"\t3\t4\n')
    df = read_expression(tmp_path / "r.txt")
    assert df.index.tolist() == ["g1", "g2"] and df.columns.tolist() == ["s1", "s2"]
    with pytest.raises(
        XatgrnInputError, match="line 2, gene 'g1': non-numeric value 'x' in sample 's2'"
    ):
        read_expression(tmp_path / "bad.txt")


def test_orientation_auto_explicit_and_default(tmp_path, expr, caplog):
    genes_by_samples = write_expression(expr, tmp_path / "gs.csv")
    samples_by_genes = write_expression(expr.T, tmp_path / "sg.tsv")
    hint = ["fis", "crp", "lacI", "other"]
    for path in (genes_by_samples, samples_by_genes):
        pd.testing.assert_frame_equal(
            read_expression(path, genes_hint=hint), expr, check_names=False
        )
    sg = read_expression(samples_by_genes, orientation="samples-by-genes")
    pd.testing.assert_frame_equal(sg, expr, check_names=False)
    with caplog.at_level(logging.INFO, logger="xatgrn"):
        assert read_expression(samples_by_genes).shape == (4, 6)  # no hint: genes x samples
    assert "assuming genes-by-samples" in caplog.text
    # explicit orientation wins over a hint that says otherwise
    assert read_expression(
        genes_by_samples, orientation="samples-by-genes", genes_hint=hint
    ).shape == (4, 6)


def test_h5ad_orientation_sparse_and_layers(tmp_path, expr, monkeypatch):
    anndata = pytest.importorskip("anndata")
    sparse = pytest.importorskip("scipy.sparse")
    adata = anndata.AnnData(
        X=sparse.csr_matrix(expr.to_numpy().T),
        obs=pd.DataFrame(index=pd.Index(expr.columns.to_numpy(object), dtype=object)),
        var=pd.DataFrame(index=pd.Index(expr.index.to_numpy(object), dtype=object)),
        layers={"raw": np.ones((4, 6))},
    )
    adata.write_h5ad(tmp_path / "a.h5ad")
    pd.testing.assert_frame_equal(read_expression(tmp_path / "a.h5ad"), expr)
    assert (read_expression(tmp_path / "a.h5ad", layer="raw").to_numpy() == 1).all()
    with pytest.raises(XatgrnInputError, match=r"no layer 'counts' \(layers: \['raw'\]\)"):
        read_expression(tmp_path / "a.h5ad", layer="counts")
    adata.T.write_h5ad(tmp_path / "t.h5ad")  # genes stored as obs: detected via the hint
    back = read_expression(tmp_path / "t.h5ad", genes_hint=["fis", "crp", "lacI"])
    pd.testing.assert_frame_equal(back, expr)
    monkeypatch.setitem(sys.modules, "anndata", None)
    with pytest.raises(XatgrnInputError, match=re.escape('pip install "xatgrn[h5ad]"')):
        read_expression(tmp_path / "a.h5ad")


def test_h5ad_nan_names_gene_and_sample(tmp_path, expr):
    pytest.importorskip("anndata")
    bad = expr.copy()
    bad.loc["crp", "s2"] = np.nan
    write_expression(bad, tmp_path / "b.h5ad")
    with pytest.raises(XatgrnInputError, match=r"gene 'crp': missing value .* sample 's2'"):
        read_expression(tmp_path / "b.h5ad")


# --- regulations --------------------------------------------------------------------------

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


@pytest.mark.parametrize("suffix", [".csv", ".tsv.gz"])
def test_regulations_round_trip(tmp_path, suffix):
    path = write_regulations(EXPECTED_EDGES.assign(extra=1), tmp_path / f"r{suffix}")
    pd.testing.assert_frame_equal(read_regulations(path), EXPECTED_EDGES)
    with pytest.raises(XatgrnInputError, match="have type 'dual'"):
        write_regulations(EXPECTED_EDGES.assign(type="dual"), tmp_path / "bad.tsv")
    assert not (tmp_path / "bad.tsv").exists()


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


# --- alignment, trainability, the whole pipeline ------------------------------------------


def test_align_drop_warns_and_strict_raises(expr, caplog):
    regs = pd.DataFrame(
        {
            "regulator": ["fis", "crp", "fis", "zz"],
            "target": ["crp", "lacI", "yy", "fis"],
            "type": ["activation", "repression", "activation", "repression"],
        }
    )
    with caplog.at_level(logging.WARNING, logger="xatgrn"):
        out = align(expr, regs)
    assert out.values.tolist() == regs.iloc[:2].values.tolist()
    assert isinstance(out.index, pd.RangeIndex)
    assert "2 of 5 prior-network genes are absent" in caplog.text and "2 of 4 edges" in caplog.text
    with pytest.raises(XatgrnInputError, match=r"prior.tsv: 2 of 5 .*'yy', 'zz'.*--strict"):
        align(expr, regs, strict=True, source="prior.tsv")
    pd.testing.assert_frame_equal(align(expr, regs.iloc[:2]), regs.iloc[:2])


def test_permuting_input_rows_keeps_the_edge_set(tmp_path, expr):
    regs = pd.DataFrame(
        {
            "regulator": ["fis", "crp", "lacI", "fis", "001"],
            "target": ["crp", "lacI", "fis", "fis", "zz"],
            "type": ["activation", "repression", "activation", "repression", "activation"],
        }
    )
    rng = np.random.default_rng(1)
    results = []
    for k in range(3):
        e = expr if k == 0 else expr.iloc[rng.permutation(len(expr))]
        r = regs if k == 0 else regs.iloc[rng.permutation(len(regs))]
        ds = load_user_data(
            write_expression(e, tmp_path / f"e{k}.csv"),
            write_regulations(r, tmp_path / f"r{k}.tsv"),
        )
        results.append(set(ds.regulations.itertuples(index=False, name=None)))
        assert ds.expression.loc["crp", "s2"] == expr.loc["crp", "s2"]
    assert results[0] == results[1] == results[2] and len(results[0]) == 4


def test_load_user_data_metadata(tmp_path, expr):
    e = write_expression(expr.T, tmp_path / "expr.tsv.gz")  # samples x genes, detected
    r = tmp_path / "prior.csv"
    r.write_text("fis,crp,activator\ncrp,lacI,repressor\nlacI,nope,repressor\n")
    ds = load_user_data(e, r)
    md = ds.metadata
    assert ds.name == "expr" and md["orientation"] == "samples-by-genes"
    assert (md["genes"], md["samples"], md["edges"]) == (6, 4, 2)
    assert (md["activation"], md["repression"]) == (1, 1)
    assert md["dropped_genes"] == ["nope"] and md["dropped_edges"] == 1
    assert md["expression_sha256"] == xio.sha256_file(e) and len(md["regulations_sha256"]) == 64
    assert md["regulations_read"]["layout"] == "headerless"


# --- real benchmark files (facts from the data README) ------------------------------------


def test_fgrn_converted_files(fgrn_dir):
    counts = read_regulations(fgrn_dir / "ecoli_cold" / "regulations.tsv")["type"].value_counts()
    assert counts.to_dict() == {"activation": 2070, "repression": 2034}
    assert read_expression(fgrn_dir / "human_covid" / "expression.csv.gz").shape == (2476, 42)


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
