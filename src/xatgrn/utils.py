"""Small shared helpers: atomic writes, file hashes, seeding, progress bars."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import numpy as np


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


def rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    """One way to turn a seed into a numpy Generator (every random choice flows from it)."""
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(seed)


def progress(iterable: Any = None, *, enabled: bool = True, **kwargs: Any) -> Any:
    """tqdm progress bar that can be silenced (``enabled=False`` or ``XATGRN_NO_PROGRESS=1``)."""
    from tqdm.auto import tqdm

    disable = (not enabled) or bool(os.environ.get("XATGRN_NO_PROGRESS"))
    return tqdm(iterable, disable=disable, **kwargs)


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
