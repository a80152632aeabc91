"""Errors raised for bad user input.

Every message names *what* (file, line, gene), *why*, and *the fix*, so the CLI can print it
verbatim and exit non-zero without a traceback.
"""

from __future__ import annotations

from pathlib import Path


class XatgrnInputError(ValueError):
    """Bad user input (a file, an option, a model directory).

    Subclasses ``ValueError`` so library users can catch it the usual way; the CLI catches
    it and prints ``str(err)`` without a traceback.
    """


def input_error(
    problem: str,
    *,
    fix: str,
    path: str | Path | None = None,
    line: int | None = None,
    gene: str | None = None,
) -> XatgrnInputError:
    """Build an :class:`XatgrnInputError` with the one message template used everywhere.

    ``<file>[, line N][, gene G]: <problem>. Fix: <fix>``
    """
    where = []
    if path is not None:
        where.append(str(path))
    if line is not None:
        where.append(f"line {line}")
    if gene is not None:
        where.append(f"gene {gene!r}")
    prefix = ", ".join(where)
    msg = f"{prefix}: {problem}" if prefix else problem
    msg = msg.rstrip(".") + f". Fix: {fix}"
    return XatgrnInputError(msg)


class NotFittedError(XatgrnInputError, AttributeError):
    """An estimator was asked to predict (or save) before it was fitted: the one such error.

    Subclasses ``AttributeError`` too, as scikit-learn's ``NotFittedError`` does.
    """

    def __init__(self, name: str, fix: str) -> None:
        super().__init__(f"this {name} model is not fitted. Fix: {fix}")
