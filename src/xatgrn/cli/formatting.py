"""Number formatting shared by the commands that print held-out estimates."""

from __future__ import annotations


def nan_none(x: float) -> float | None:
    """NaN (a curve point with no pairs) -> None, so it prints as ``n/a``."""
    return None if x != x else float(x)


def fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"
