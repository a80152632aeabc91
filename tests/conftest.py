"""Shared fixtures.

Tests that need the FGRN benchmark data use the ``fgrn_dir`` fixture: it resolves
``XATGRN_DATA_DIR`` (or ``../shared/data/fgrn`` beside the checkout). When the data is
missing it *fails* under ``CI=true`` (CI has the data) and skips with a reason elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def _fgrn_dir() -> Path | None:
    env = os.environ.get("XATGRN_DATA_DIR")
    for cand in ([Path(env)] if env else []) + [SHARED / "data" / "fgrn"]:
        if (cand / "manifest.json").is_file():
            return cand.resolve()
    return None


def _require(path: Path | None, what: str) -> Path:
    if path is None or not path.exists():
        msg = f"{what} not found (set XATGRN_DATA_DIR or place ../shared beside the checkout)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(msg + " -- CI must have it")
        pytest.skip(msg)
    return path


@pytest.fixture(scope="session")
def fgrn_dir() -> Path:
    """The FGRN benchmark folder (with manifest.json)."""
    return _require(_fgrn_dir(), "FGRN benchmark data")


@pytest.fixture(scope="session")
def fgrn_source_dir() -> Path:
    """Byte-exact public source files of the benchmark (for offline downloader tests)."""
    return _require(SHARED / "data" / "fgrn-source", "FGRN source files")


@pytest.fixture(scope="session")
def genesets_dir() -> Path:
    """Gene-set libraries (GMT) for enrichment tests."""
    return _require(SHARED / "data" / "genesets", "gene-set libraries")


@pytest.fixture(autouse=True)
def _reset_xatgrn_logging():
    """The CLI configures the ``xatgrn`` logger; keep that from leaking into later tests."""
    import logging

    logger = logging.getLogger("xatgrn")
    handlers, level = list(logger.handlers), logger.level
    yield
    logger.handlers[:] = handlers
    logger.setLevel(level)


@pytest.fixture
def inductive_spy_cv(tmp_path):
    """Run an inductive 3-fold CV of a (spy) estimator through the real runner.

    Returns ``run(data, factory) -> (test_edges_by_fold, every_edge)``, both as sets of
    ``(regulator, target)``; the spy itself records what it read.
    """

    def run(data, factory, folds: int = 3):
        from xatgrn.evaluate.experiment import Experiment
        from xatgrn.evaluate.protocols import CVConfig, repetition_pairs
        from xatgrn.evaluate.runner import run_experiments
        from xatgrn.methods import MethodSpec
        from xatgrn.model.config import smoke_profile

        spec = MethodSpec("spy", "spy", factory=factory, uses_graph=False, uses_edges=True)
        cv = CVConfig(protocol="inductive", repeats=1, folds=folds)
        exp = Experiment(data, spec, cv, smoke_profile())
        run_experiments([exp], tmp_path, cache=None, progress_bar=False, report=False)
        edges = repetition_pairs(data, cv, 0).query("label > 0")
        by_fold = [
            set(zip(g["regulator"], g["target"], strict=True))
            for _, g in edges.groupby("fold", sort=True)
        ]
        return by_fold, set(zip(edges["regulator"], edges["target"], strict=True))

    return run
