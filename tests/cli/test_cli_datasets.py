"""`xatgrn datasets list|info` without the data (the downloads: tests/data/test_datasets.py)."""

from __future__ import annotations

import json

from xatgrn.data.datasets import DATASETS


def test_list_shows_every_dataset_and_the_folder(run, tmp_path):
    code, out, err = run(["datasets", "list", "--data-dir", str(tmp_path)])
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["name", "organism", "/", "condition", "genes", "samples", "edges", "status"]  # fmt: skip
    rows = lines[1 : 1 + len(DATASETS)]
    assert [r.split()[0] for r in rows] == list(DATASETS)
    for row, spec in zip(rows, DATASETS.values(), strict=True):
        assert row.endswith("not fetched") and f" {spec.counts['edges']} " in row
    assert [x for x in lines if x.startswith("data dir: ")] == [f"data dir: {tmp_path}"]
    # nothing there: a copy beside the checkout (../shared, as in CI) is pointed at
    from xatgrn.data.datasets import find_local_copy

    local = find_local_copy()
    hint = [x for x in lines if x.startswith("a local copy is at")]
    assert hint == (
        []
        if local is None
        else [f"a local copy is at {local}: pass --data-dir {local} or set XATGRN_DATA_DIR"]
    )


def test_the_subcommand_data_dir_wins_over_the_groups(run, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    code, out, _ = run(["datasets", "--data-dir", str(a), "list", "--data-dir", str(b)])
    assert code == 0 and f"data dir: {b}" in out.splitlines()
    code, out, _ = run(["datasets", "--data-dir", str(a), "list"])
    assert code == 0 and f"data dir: {a}" in out.splitlines()


def test_info_json_is_the_registry_entry(run, tmp_path):
    code, out, err = run(["datasets", "info", "ecoli_cold", "--json", "--data-dir", str(tmp_path)])
    assert code == 0, err
    info = json.loads(out)
    expected = DATASETS["ecoli_cold"].to_dict()
    assert {k: info[k] for k in expected} == json.loads(json.dumps(expected))
    assert info["status"] == "not fetched"
    assert info["local_files"] == {
        "expression.csv.gz": str(tmp_path / "ecoli_cold" / "expression.csv.gz"),
        "regulations.tsv": str(tmp_path / "ecoli_cold" / "regulations.tsv"),
    }
