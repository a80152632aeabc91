"""Fixtures shared by the data-layer tests: a small expression table, an isolated download cache,
the benchmark manifest and a loopback HTTP server that plays raw.githubusercontent."""

from __future__ import annotations

import contextlib
import functools
import json
import threading
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from xatgrn.data.registry import CACHE_ENV, MIRROR_ENV


@pytest.fixture
def expr() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    values = rng.lognormal(size=(6, 4)) * 10.0 ** rng.integers(-8, 8, size=(6, 4))
    genes = pd.Index(["fis", "crp", "001", "lacI", "NA", "g,with comma"], name="gene")
    return pd.DataFrame(values, index=genes, columns=["s1", "s2", "rep 3", "4"])


@pytest.fixture
def isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own download cache; no mirror or progress bars leak in."""
    cache = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(cache))
    monkeypatch.setenv("XATGRN_NO_PROGRESS", "1")
    monkeypatch.delenv(MIRROR_ENV, raising=False)
    return cache


@pytest.fixture(scope="module")
def manifest(fgrn_dir: Path) -> dict:
    return json.loads((fgrn_dir / "manifest.json").read_text())["datasets"]


@contextlib.contextmanager
def _serve(directory: Path) -> Iterator[tuple[str, list[str]]]:
    """Serve ``directory`` on 127.0.0.1 (random port); yields (base URL, requested paths)."""
    hits: list[str] = []

    class Handler(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        def do_GET(self) -> None:
            hits.append(self.path)
            super().do_GET()

    handler = functools.partial(Handler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", hits
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def serve() -> Callable[[Path], contextlib.AbstractContextManager[tuple[str, list[str]]]]:
    """``with serve(directory) as (url, hits):`` a loopback HTTP server for that folder."""
    return _serve


@pytest.fixture
def mirror(fgrn_source_dir: Path) -> Iterator[tuple[str, list[str]]]:
    with _serve(fgrn_source_dir) as served:
        yield served


def _edge_correlations(expression: pd.DataFrame, net: pd.DataFrame) -> np.ndarray:
    """Pearson correlation of log expression across samples for every edge."""
    x = np.log(expression)
    r = x.loc[net["regulator"]].to_numpy()
    t = x.loc[net["target"]].to_numpy()
    r = r - r.mean(axis=1, keepdims=True)
    t = t - t.mean(axis=1, keepdims=True)
    return (r * t).sum(axis=1) / np.sqrt((r**2).sum(axis=1) * (t**2).sum(axis=1))


@pytest.fixture
def edge_correlations() -> Callable[[pd.DataFrame, pd.DataFrame], np.ndarray]:
    """Per-edge correlation of log expression (the simulator's sign signal)."""
    return _edge_correlations
