"""The runner end to end: fold files, resume, atomicity, executors, the shared embedding cache."""

from __future__ import annotations

import dataclasses
import json

import pytest

from xatgrn.cli import main
from xatgrn.data.io import write_expression, write_regulations
from xatgrn.data.synthetic import simulate
from xatgrn.errors import XatgrnInputError
from xatgrn.evaluate import folds as folds_mod
from xatgrn.evaluate.data import cv_data
from xatgrn.evaluate.experiment import Experiment
from xatgrn.evaluate.folds import fold_path
from xatgrn.evaluate.protocols import CVConfig, repetition_pairs
from xatgrn.evaluate.runner import run_cv, run_experiments
from xatgrn.graph.embedder import DuplexEmbedder
from xatgrn.methods import get_method
from xatgrn.model.config import FitConfig, smoke_profile


def tiny_fit() -> FitConfig:
    return smoke_profile()


def tiny_cv(**kw) -> CVConfig:
    return CVConfig(**({"protocol": "inductive", "repeats": 1, "folds": 3} | kw))


QUIET = {"progress_bar": False, "method": "xatgrn-paper"}


@pytest.fixture(scope="module")
def data():
    return cv_data(simulate(n_genes=40, n_samples=16, seed=3))


def _metrics(out, name="simulated", protocol="inductive", method="xatgrn-paper"):
    files = sorted((out / name / protocol / method).glob("rep*_fold*.json"))
    return {f.name: json.loads(f.read_text())["metrics"] for f in files}


@pytest.fixture(scope="module")
def serial_run(data, tmp_path_factory):
    out = tmp_path_factory.mktemp("serial")
    run_cv(data, out, cv=tiny_cv(repeats=2), config=tiny_fit(), **QUIET)
    return out


def test_fold_file_holds_config_seeds_versions_checksums_metrics_timings(serial_run, data):
    files = sorted((serial_run / "simulated" / "inductive" / "xatgrn-paper").glob("*.json"))
    assert [f.name for f in files] == [f"rep{r}_fold{k}.json" for r in range(2) for k in range(3)]
    rec = json.loads(files[0].read_text())
    # the fold-file layout (finished runs and the report read it): same keys, same order
    assert list(rec) == [
        "format",
        "format_version",
        "dataset",
        "protocol",
        "leaks",
        "leak_note",
        "method",
        "method_info",
        "repetition",
        "fold",
        "n_folds",
        "task_key",
        "seeds",
        "config",
        "data",
        "versions",
        "hardware",
        "n_train",
        "n_test",
        "n_validation",
        "n_train_by_class",
        "n_test_by_class",
        "graph",
        "metrics",
        "timings",
        "finished",
    ]
    assert rec["format"] == "xatgrn.cv-fold" and rec["format_version"] == 1
    assert list(rec["graph"]) == [
        "cache_key",
        "source",
        "seed",
        "n_edges",
        "test_edges_in_graph",
        "test_negatives_in_graph",
    ]
    assert rec["protocol"] == "inductive" and rec["leaks"] is False
    assert rec["config"]["cv"]["folds"] == 3 and rec["config"]["fit"]["network"]["hidden"] == 16
    assert rec["seeds"]["repetition"] == 0 and rec["seeds"]["model"] != rec["seeds"]["graph"]
    assert {"xatgrn", "torch", "numpy", "python"} <= set(rec["versions"])
    assert rec["data"]["sha256"] == data.sha256 and len(next(iter(data.sha256.values()))) == 64
    assert {"auroc_macro_ovr", "auroc_ovo", "f1", "mcc", "auprc_edge"} <= set(rec["metrics"])
    assert {"embedding_s", "classifier_s", "total_s"} <= set(rec["timings"])
    pairs = repetition_pairs(data, tiny_cv(repeats=2), 0)
    assert rec["n_train"] + rec["n_test"] == len(pairs)
    assert rec["n_test"] == int((pairs["fold"] == 0).sum())
    assert (serial_run / "results.json").is_file() and (serial_run / "report.md").is_file()


def test_resume_recomputes_only_the_missing_fold(data, tmp_path, monkeypatch):
    out = tmp_path / "run"
    run_cv(data, out, cv=tiny_cv(), config=tiny_fit(), **QUIET)
    before = _metrics(out)
    mtimes = {f: (out / "simulated/inductive/xatgrn-paper" / f).stat().st_mtime_ns for f in before}
    fold_path(out, "simulated", "inductive", "xatgrn-paper", 0, 1).unlink()
    calls = []
    real = folds_mod.fit_predict
    monkeypatch.setattr(folds_mod, "fit_predict", lambda *a, **k: calls.append(1) or real(*a, **k))
    res = run_cv(data, out, cv=tiny_cv(), config=tiny_fit(), **QUIET)
    assert len(calls) == 1 and len(res["skipped"]) == 2 and res["embeddings"] == 0
    assert _metrics(out) == before  # the recomputed fold is identical
    for f in ("rep0_fold0.json", "rep0_fold2.json"):
        assert (out / "simulated/inductive/xatgrn-paper" / f).stat().st_mtime_ns == mtimes[f]


def test_interrupt_keeps_finished_folds_and_never_leaves_a_partial_file(
    data, tmp_path, monkeypatch
):
    out = tmp_path / "run"
    real = folds_mod.fit_predict
    calls = []

    def interrupted(*a, **k):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*a, **k)

    monkeypatch.setattr(folds_mod, "fit_predict", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_cv(data, out, cv=tiny_cv(), config=tiny_fit(), **QUIET)
    folder = out / "simulated" / "inductive" / "xatgrn-paper"
    assert sorted(p.name for p in folder.iterdir()) == ["rep0_fold0.json"]
    json.loads((folder / "rep0_fold0.json").read_text())
    # a failure while the file is being written leaves neither it nor a temporary file
    monkeypatch.setattr(folds_mod, "fit_predict", real)
    monkeypatch.setattr(folds_mod, "_finite", lambda rec: {**rec, "zz_unserialisable": object()})
    with pytest.raises(TypeError):
        run_cv(data, out, cv=tiny_cv(), config=tiny_fit(), **QUIET)
    assert sorted(p.name for p in folder.iterdir()) == ["rep0_fold0.json"]


def test_serial_run_fits_each_embedding_when_its_fold_comes(data, tmp_path, monkeypatch):
    """Serially, an interrupt during the first fold has fitted only that fold's embedding (the
    others are not fitted up front), and the cached one is reused by the resumed run."""
    fits = []
    real_fit = DuplexEmbedder.fit
    monkeypatch.setattr(
        DuplexEmbedder, "fit", lambda s, *x, **k: fits.append(1) or real_fit(s, *x, **k)
    )

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    real = folds_mod.fit_predict
    monkeypatch.setattr(folds_mod, "fit_predict", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_cv(data, tmp_path, cv=tiny_cv(), config=tiny_fit(), report=False, **QUIET)
    assert len(fits) == 1
    monkeypatch.setattr(folds_mod, "fit_predict", real)
    res = run_cv(data, tmp_path, cv=tiny_cv(), config=tiny_fit(), report=False, **QUIET)
    assert len(res["computed"]) == 3 and len(fits) == 3  # fold 0's embedding came from the cache
    first = json.loads(
        fold_path(tmp_path, "simulated", "inductive", "xatgrn-paper", 0, 0).read_text()
    )
    assert first["graph"]["source"] == "cache"


def test_changed_settings_refuse_to_mix_with_finished_folds(data, tmp_path):
    out = tmp_path / "run"
    cv1 = tiny_cv(folds=2)
    run_cv(data, out, cv=cv1, config=tiny_fit(), report=False, **QUIET)
    changed = dataclasses.replace(cv1, n_negatives=30)
    with pytest.raises(XatgrnInputError, match=r"different settings.*Fix: use another --out"):
        run_cv(data, out, cv=changed, config=tiny_fit(), report=False, **QUIET)
    res = run_cv(data, out, cv=changed, config=tiny_fit(), report=False, force=True, **QUIET)
    assert len(res["computed"]) == 2
    # more repetitions with the same settings extend the run (the key ignores `repeats`)
    res = run_cv(data, out, cv=dataclasses.replace(changed, repeats=2), config=tiny_fit(), **QUIET)
    assert len(res["skipped"]) == 2 and len(res["computed"]) == 2


def test_process_and_dask_executors_give_identical_metrics(data, serial_run, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    out = tmp_path / "workers"
    run_cv(data, out, cv=tiny_cv(repeats=2), config=tiny_fit(), workers=2, **QUIET)
    assert _metrics(out) == _metrics(serial_run)
    with distributed.Client(
        processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None
    ) as client:
        out = tmp_path / "dask"
        run_cv(data, out, cv=tiny_cv(repeats=2), config=tiny_fit(), dask=client, **QUIET)
        assert client.status == "running"  # a client we were given is never closed
    assert _metrics(out) == _metrics(serial_run)


def test_cache_is_shared_by_datasets_with_one_prior(tmp_path, monkeypatch):
    sim = simulate(n_genes=40, n_samples=16, seed=3)
    other = dataclasses.replace(sim, name="other", expression=sim.expression * 1.7 + 0.3)
    a, b = cv_data(sim), cv_data(other)
    b.n_negatives = 50  # a different negative count, like human covid (6,000) vs liver (7,000)
    fits = []
    real = DuplexEmbedder.fit
    monkeypatch.setattr(
        DuplexEmbedder, "fit", lambda s, *x, **k: fits.append(1) or real(s, *x, **k)
    )
    exps = [Experiment(d, get_method("xatgrn-paper"), tiny_cv(), tiny_fit()) for d in (a, b)]
    res = run_experiments(exps, tmp_path, report=False, progress_bar=False)
    assert len(res["computed"]) == 6 and res["embeddings"] == 3 and len(fits) == 3
    for k in range(3):
        ka, kb = (
            json.loads(fold_path(tmp_path, n, "inductive", "xatgrn-paper", 0, k).read_text())[
                "graph"
            ]
            for n in ("simulated", "other")
        )
        assert ka["cache_key"] == kb["cache_key"] and ka["n_edges"] == kb["n_edges"]
    # the ablation that uses the graph reuses the same entries: nothing is fitted again
    run_experiments(
        [Experiment(a, get_method("xatgrn-paper-graph"), tiny_cv(), tiny_fit())],
        tmp_path,
        report=False,
        progress_bar=False,
    )
    assert len(fits) == 3
    assert len(list((tmp_path / "cache" / "embeddings").iterdir())) == 3


def test_cli_cv_on_files_and_bad_arguments(tmp_path, capsys):
    sim = simulate(n_genes=30, n_samples=12, seed=5)
    write_expression(sim.expression, tmp_path / "expr.csv")
    write_regulations(sim.regulations, tmp_path / "prior.tsv")
    out = tmp_path / "res"
    args = ["-q", "cv", "-e", str(tmp_path / "expr.csv"), "-r", str(tmp_path / "prior.tsv")]
    args += ["--protocol", "transductive", "--profile", "fast", "--repeats", "1", "--folds", "2"]
    args += ["--epochs", "1", "--graph-epochs", "3", "--method", "xatgrn-paper", "--out", str(out)]
    main(args)
    captured = capsys.readouterr()
    assert (
        "expr transductive xatgrn-paper: AUROC(macro-OvR)" in captured.out
        and "[LEAKS]" in captured.out
    )
    assert "leaking" in captured.err
    assert "±" not in captured.out  # one repetition: no spread to show (not "± nan")
    assert "paper table not found" not in captured.err  # the user's data has no paper numbers
    assert len(list((out / "expr" / "transductive" / "xatgrn-paper").glob("*.json"))) == 2
    with pytest.raises(SystemExit) as info:
        main(["cv", "--dataset", "ecoli_cold", "-e", "x.csv", "--out", str(out)])
    assert info.value.code == 2
    assert "give either --dataset or both" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["cv", "-e", "x", "-r", "y", "--method", "nope", "--out", str(out)])
    assert "unknown method 'nope'" in capsys.readouterr().err


def test_run_cv_checks_its_cv_config(data, tmp_path):
    with pytest.raises(XatgrnInputError, match="unknown protocol 'paper'"):
        run_cv(data, tmp_path, cv=tiny_cv(protocol="paper"), config=tiny_fit())
    with pytest.raises(XatgrnInputError, match="at least 1 repetition and 2 folds"):
        run_cv(data, tmp_path, cv=tiny_cv(folds=1), config=tiny_fit())
