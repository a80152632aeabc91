"""LightGBM boosters compiled to native code for genome-scale scoring: same numbers, faster.

Scoring millions of candidate pairs is tree traversal (96 % of the time, `benchmarks/README.md`
"Speed"). Treelite + TL2cgen turn each booster into C that a compiler (gcc or clang) builds into
a shared library, which evaluates the same trees in the same order: its probabilities equal
LightGBM's bit for bit (checked on every build, see :meth:`CompiledBoosters.probabilities`), so
whether a run compiles changes its speed, never its output. Compiling takes seconds per booster,
so ``"auto"`` compiles only for candidate sets large enough to repay it, and only where a C
compiler is found; everywhere else LightGBM scores, with the same result.

The library is generated from the fitted trees in a private temporary directory and loaded from
there; nothing compiled is ever read back from a model directory.
"""

from __future__ import annotations

import contextlib
import io
import logging
import shutil
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from xatgrn.errors import input_error

__all__ = ["AUTO_MIN_PAIRS", "MODES", "CompiledBoosters", "compiled_boosters", "find_compiler"]

log = logging.getLogger(__name__)

#: ``"auto"`` compiles from this many candidate pairs on. Measured on human_breast (8 members,
#: 1,206 trees per pair, one thread): compiling took 15 s and saved 16 us per pair (1.87 M pairs
#: scored in 49.6 s instead of 64.6 s, compiling included), so it pays from ~1 M pairs.
AUTO_MIN_PAIRS = 1_000_000
MODES = ("auto", "yes", "no")
#: ``-O1`` compiles in about half the time of ``-O2`` / ``-Os`` and scores faster than ``-O2``
#: on these branchy trees (human_breast: 60 k vs 46 k pairs/s of trees on one thread).
_OPTIONS = ["-O1"]
#: C files per booster: gcc builds 8 smaller files faster than one large one, even serially
#: (2.2 s vs 3.4 s per booster of human_breast), and ``threads`` of them at once
_SOURCE_FILES = 8
_CHECK_ROWS = 512  # rows scored both ways on first use: the compiled path must be identical
_LOCK = threading.Lock()


def find_compiler() -> str | None:
    """The TL2cgen toolchain to build with (``"gcc"`` or ``"clang"``), or None if neither."""
    for name in ("gcc", "clang"):
        if shutil.which(name):
            return name
    return None


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise input_error(
            f"compile_trees={mode!r} is not one of {list(MODES)}",
            fix="use 'auto' (compile for large candidate sets), 'yes' or 'no'",
        )
    return mode


class CompiledBoosters:
    """Native builds of LightGBM multiclass boosters; :meth:`probabilities` sums theirs."""

    def __init__(self, boosters: Sequence[Any], rounds: Sequence[int], threads: int) -> None:
        import tl2cgen  # noqa: F401  (fail here, before any work, if it is missing)
        import treelite

        self._boosters, self._rounds = list(boosters), list(rounds)
        self._dir = tempfile.TemporaryDirectory(prefix="xatgrn-trees-")
        self._verified = False
        self.failed: str | None = None
        toolchain = find_compiler()
        if toolchain is None:
            raise RuntimeError("no C compiler (gcc or clang) on PATH")
        t0 = time.perf_counter()
        self._predictors = []
        for i, (booster, r) in enumerate(zip(self._boosters, self._rounds, strict=True)):
            text = Path(self._dir.name) / f"booster{i}.txt"
            text.write_text(booster.model_to_string(num_iteration=r))
            with _quiet():
                model = treelite.frontend.load_lightgbm_model(str(text))
            self._predictors.append(self._build(model, toolchain, i, threads))
        self.compile_seconds = time.perf_counter() - t0
        log.info(
            "compiled %d boosters (%d trees) with %s in %.1f s",
            len(self._predictors),
            3 * sum(self._rounds),
            toolchain,
            self.compile_seconds,
        )

    def _build(self, model: Any, toolchain: str, i: int, threads: int) -> Any:
        import tl2cgen

        lib = Path(self._dir.name) / f"booster{i}.so"
        with _quiet():
            tl2cgen.export_lib(
                model,
                toolchain=toolchain,
                libpath=lib,
                params={"parallel_comp": _SOURCE_FILES},
                nthread=threads,
                options=_OPTIONS,
            )
            return tl2cgen.Predictor(lib, nthread=threads)

    def matches(self, boosters: Sequence[Any], rounds: Sequence[int]) -> bool:
        """Whether this is the build of these boosters (a refit or reload makes new ones)."""
        same = [id(b) for b in self._boosters] == [id(b) for b in boosters]  # held: ids stay
        return same and self._rounds == list(rounds)

    def probabilities(self, x: np.ndarray) -> np.ndarray | None:
        """Sum over boosters of their class probabilities for ``x`` (float64, ``(n, 3)``).

        The first call also scores a few rows with LightGBM: any difference (a Treelite or
        compiler problem) disables the compiled path, with a warning, and returns None so the
        caller scores with LightGBM; the output never depends on which path ran.
        """
        import tl2cgen

        if self.failed:
            return None
        with _quiet():
            dmat = tl2cgen.DMatrix(np.ascontiguousarray(x, dtype=np.float64))
            p = np.zeros((len(x), 3))
            for predictor in self._predictors:
                p += predictor.predict(dmat).reshape(len(x), 3)
        if not self._verified:
            rows = x[:_CHECK_ROWS]
            want = np.zeros((len(rows), 3))
            for booster, r in zip(self._boosters, self._rounds, strict=True):
                want += booster.predict(rows, num_iteration=r, num_threads=1)
            if not np.array_equal(want, p[: len(rows)]):
                self.failed = (
                    f"compiled trees differ from LightGBM by up to "
                    f"{np.abs(want - p[: len(rows)]).max():.3g}"
                )
                log.warning("%s; scoring with LightGBM instead", self.failed)
                return None
            self._verified = True
        return p


def compiled_boosters(
    boosters: Sequence[Any], rounds: Sequence[int], n_pairs: int, mode: str, threads: int
) -> CompiledBoosters | None:
    """A compiled build for scoring ``n_pairs`` candidates, or None to score with LightGBM.

    ``mode="yes"`` compiles whatever the size (and warns if it cannot), ``"auto"`` from
    :data:`AUTO_MIN_PAIRS` on (quietly falling back), ``"no"`` never.
    """
    if check_mode(mode) == "no" or (mode == "auto" and n_pairs < AUTO_MIN_PAIRS):
        return None
    try:
        with _LOCK:  # one build per process, whatever the number of scoring threads
            return CompiledBoosters(boosters, rounds, threads)
    except Exception as err:  # any failed build: LightGBM scores, with the same output
        level = logging.WARNING if mode == "yes" else logging.INFO
        log.log(level, "trees not compiled (%s); scoring with LightGBM (same output)", err)
        return None


@contextlib.contextmanager
def _quiet():
    """TL2cgen and Treelite print progress to stdout: send it to the debug log instead."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        yield
    for line in buffer.getvalue().splitlines():
        if line.strip():
            log.debug("%s", line)
