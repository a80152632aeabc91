"""Small shared helpers: atomic writes, file hashes, seeding, progress bars."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


def _default_mode(path: str) -> None:
    """Give a mkstemp file (0600) the permissions a plain ``open`` would (0666 & ~umask)."""
    umask = os.umask(0)
    os.umask(umask)
    with contextlib.suppress(OSError):
        os.chmod(path, 0o666 & ~umask)


@contextlib.contextmanager
def atomic_write(path: str | Path, mode: str = "w", **kwargs: Any) -> Iterator[IO]:
    """Open a temporary file beside ``path``; move it into place only if the block succeeds.

    Readers never see a half-written file, and an interrupted run leaves the old file intact.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        with open(tmp, mode, **kwargs) as fh:
            yield fh
        _default_mode(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path`` for writers that want a file name (pandas, torch)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".tmp" + "".join(path.suffixes), dir=path.parent
    )
    os.close(fd)
    try:
        yield Path(tmp)
        _default_mode(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file, streamed."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def lazy_exports(package: str, exports: dict[str, str]) -> Any:
    """A module ``__getattr__`` that imports ``package.<exports[name]>`` on first use of ``name``.

    Keeps ``import xatgrn.<package>`` cheap (no torch, no plotting) while the package still
    offers its public names.
    """
    import importlib

    def __getattr__(name: str) -> Any:
        if name in exports:
            return getattr(importlib.import_module(f"{package}.{exports[name]}"), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__


def rng(seed: Any) -> Any:
    """One way to turn a seed into a numpy Generator (every random choice flows from it)."""
    import numpy as np  # here, so that importing utils starts no BLAS thread pool

    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(seed)


def progress(iterable: Any = None, *, enabled: bool = True, **kwargs: Any) -> Any:
    """tqdm progress bar that can be silenced (``enabled=False`` or ``XATGRN_NO_PROGRESS=1``)."""
    from tqdm.auto import tqdm

    disable = (not enabled) or bool(os.environ.get("XATGRN_NO_PROGRESS"))
    return tqdm(iterable, disable=disable, **kwargs)


def default_threads(*, busy: bool = True) -> int:
    """CPU threads a process should use: the fewest of the cores it may run on, its CPU quota
    (cgroup ``cpu.max``), ``OMP_NUM_THREADS`` when set and — ``busy`` — the cores left idle by
    the other processes (cores minus the 1-minute load average, at least one).

    More threads than free cores makes small-tensor work spin-wait against other processes
    (measured: 10-35x slower with one other busy process on 2 cores).
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    limits = [cores]
    with contextlib.suppress(OSError, ValueError):
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
        if quota != "max":
            limits.append(max(1, int(float(quota) / float(period))))
    env = os.environ.get("OMP_NUM_THREADS", "").strip()
    if env.isdigit() and int(env) > 0:
        limits.append(int(env))
    if busy and hasattr(os, "getloadavg"):
        limits.append(max(1, cores - int(os.getloadavg()[0])))
    return max(1, min(limits))


def configure_threads() -> int:
    """Set the process's thread default once, before torch / LightGBM / BLAS start their pools:
    ``OMP_NUM_THREADS`` (unless the user set it) to :func:`default_threads`, and
    ``OMP_WAIT_POLICY=PASSIVE`` so that idle OpenMP threads sleep instead of spinning."""
    threads = default_threads()
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    return int(os.environ["OMP_NUM_THREADS"])


def current_threads() -> int:
    """The CPU threads numeric work may use now: torch's setting once torch is imported (the
    runner's ``--threads`` sets it), else :func:`default_threads`."""
    import sys

    torch = sys.modules.get("torch")
    if torch is not None:
        return max(1, torch.get_num_threads())
    return default_threads()


def resolve_device(name: Any = "auto") -> Any:
    """``"auto"`` → CUDA when available, else CPU; other names are checked with a clear error."""
    import torch

    from xatgrn.errors import input_error

    if isinstance(name, torch.device):
        return name
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(name)
    except RuntimeError as err:
        raise input_error(
            f"device {name!r}: {err}", fix="use 'auto', 'cpu' or 'cuda[:i]'"
        ) from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise input_error(
            f"device {name!r}: CUDA is not available", fix="use device='auto' or 'cpu'"
        )
    return device
