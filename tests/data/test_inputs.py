"""Tests for xatgrn.data.inputs (load_user_data) and the bad-input corpus through every reader."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from xatgrn.data.expression import read_expression
from xatgrn.data.inputs import dataset_name, load_user_data
from xatgrn.data.regulations import read_regulations
from xatgrn.data.validate import check_fittable, check_trainable
from xatgrn.data.writers import write_expression, write_regulations
from xatgrn.errors import XatgrnInputError
from xatgrn.utils import sha256_file

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
    "expr_duplicate_gene.csv": ("expression", {}, r"line 4, gene 'fis': duplicate gene id 'fis' \(line 2 and line 4.*--aggregate mean"),
    "expr_duplicate_sample.csv": ("expression", {}, r"duplicate sample name 's1' \(header field 2 and header field 4"),
    "expr_one_sample.csv": ("expression", {}, r"only 1 sample\(s\): at least 2 samples"),
    "expr_ragged_row.csv": ("expression", {}, r"line 3: row has 5 fields but the rows above have 4"),
    "expr_empty_gene_id.csv": ("expression", {}, r"line 3: empty gene id in the first column"),
    "expr_table.xlsx": ("expression", {}, r"unsupported file format '\.xlsx'"),
    "expr_not_anndata.h5ad": ("expression", {}, r"cannot read as AnnData"),
    "expr_truncated.csv.gz": ("expression", {}, r"cannot read the \(gzip\) data"),
    "expr_numeric_first_column.tsv": ("expression", {}, r"line 2: the first column holds numbers \('0\.4254'.*--index-col none"),
    "expr_no_header.csv": ("expression", {}, r"line 1: the header holds numbers \('7\.36', '11\.41'.*no header line"),
    "expr_row_numbers.csv": ("expression", {}, r"the gene ids are the numbers 0\.\.3: default row"),
    "expr_unknown_index_col.tsv": ("expression", {"index_col": "NAME"}, r"index_col='NAME' is not a column name \(header: 'ID_REF', 'IDENTIFIER'"),
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
    "regs_tiny_prior.tsv": ("fittable", {}, r"only 2 activation and 1 repression edges.*at least 3 of each"),
    "pair_absent_genes_strict": ("pair", {"strict": True}, r"2 of 5 prior-network genes are absent .*'lacZ', 'lacI'.*2 of 4 edges"),
    "pair_no_shared_genes": ("pair", {"orientation": "genes-by-samples"}, r"no prior edge has both genes in the expression.*same gene ids"),
    "pair_orientation_undetectable": ("pair", {}, r"cannot detect the orientation: 0 of 3 row labels and 0 of 3 column labels.*--orientation"),
    "pair_ambiguous_orientation": ("pair", {}, r"ambiguous orientation: 4 of 4 row labels and 4 of 4 column labels.*--orientation"),
    "pair_one_class_after_align": ("pair", {}, r"fewer than 2 regulation classes \(2 activation, 0 repression"),
    "pair_ensembl_vs_symbols": ("pair", {}, r"name genes differently: the expression's row labels look like Ensembl gene ids \('ENSG00000141510'.*prior's genes look like gene symbols \('TP53'"),
    "pair_probes_vs_symbols": ("pair", {}, r"row labels look like microarray probe ids \('201746_at'"),
    "pair_case_only": ("pair", {}, r"4 of the expression's row labels match the prior's genes only when letter case is ignored \('tp53' vs 'TP53'.*Fix: write the gene ids in the same letter case"),
    "pair_log2_minmax_negative": ("pair", {"preprocessing": "log2_minmax"}, r"gene 'TP53': log2\(x \+ 1\) \(preprocessing log2_minmax\) needs values > -1; 2 value\(s\) are <= -1, the first -1\.41 in sample 's2'"),
    "pair_dream5_forced_genes_by_samples": ("pair", {"orientation": "genes-by-samples"}, r"genes-by-samples needs gene ids in an id column, but the file has none"),
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
    elif kind == "fittable":
        check_fittable(read_regulations(BAD / name, **kwargs), source=BAD / name)
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


def test_bad_options_are_input_errors(tmp_path):
    with pytest.raises(XatgrnInputError, match="unknown orientation 'rows'"):
        read_expression(BAD / "expr_nan.csv", orientation="rows")
    with pytest.raises(XatgrnInputError, match="unknown on_conflict policy 'first'"):
        read_regulations(BAD / "regs_conflict.tsv", on_conflict="first")
    with pytest.raises(XatgrnInputError, match=r"layer='counts' only applies to \.h5ad"):
        read_expression(BAD / "expr_nan.csv", layer="counts")


# --- the whole pipeline ---------------------------------------------------------------------------


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
    assert md["expression_sha256"] == sha256_file(e) and len(md["regulations_sha256"]) == 64
    assert md["regulations_read"]["layout"] == "headerless"


# --- real benchmark files (facts from the data README) --------------------------------------------


def test_fgrn_converted_files(fgrn_dir):
    counts = read_regulations(fgrn_dir / "ecoli_cold" / "regulations.tsv")["type"].value_counts()
    assert counts.to_dict() == {"activation": 2070, "repression": 2034}
    assert read_expression(fgrn_dir / "human_covid" / "expression.csv.gz").shape == (2476, 42)


def test_dataset_name_from_the_file_or_its_folder(tmp_path):
    (tmp_path / "ecoli").mkdir()
    assert dataset_name(tmp_path / "ecoli" / "expression.csv.gz") == "ecoli"
    assert dataset_name(tmp_path / "ecoli" / "ExpressionData.csv") == "ecoli"  # BEELINE
    assert dataset_name(tmp_path / "ecoli" / "cold_shock.tsv") == "cold_shock"
