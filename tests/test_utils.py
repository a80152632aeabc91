"""Atomic writers: files appear whole, with the permissions a plain open would give."""

from __future__ import annotations

import os
import stat

import pytest

from xatgrn.utils import atomic_path, atomic_write


def test_atomic_files_get_umask_permissions_not_0600(tmp_path):
    old = os.umask(0o022)
    try:
        with atomic_write(tmp_path / "a.txt") as fh:
            fh.write("x")
        with atomic_path(tmp_path / "b.bin") as p:
            p.write_bytes(b"y")
    finally:
        os.umask(old)
    for name in ("a.txt", "b.bin"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o644


def test_failed_write_leaves_nothing(tmp_path):
    with pytest.raises(RuntimeError), atomic_write(tmp_path / "c.txt") as fh:
        fh.write("partial")
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []
