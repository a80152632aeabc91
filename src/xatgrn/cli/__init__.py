"""Command line interface: thin over the Python API.

Every command turns bad input into one clear message on stderr and a non-zero exit code,
never a traceback (set ``XATGRN_DEBUG=1`` to see the traceback).

The group, logging setup and :func:`main` live here; each command family has its own module
(``datasets``, ``simulate`` (+ ``demo``), ``fit``, ``predict``, ``validate``, ``cv`` (+
``benchmark``), ``analyze``), which imports the library lazily inside the command.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings

import click

from xatgrn import __version__
from xatgrn.errors import XatgrnInputError

log = logging.getLogger("xatgrn")


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is *now* (not the stream at configuration time), so a
    CLI invoked repeatedly in one process (tests, notebooks) never logs to a closed stream."""

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def _configure_logging(verbose: int, quiet: bool) -> None:
    level = logging.WARNING if quiet else (logging.DEBUG if verbose > 1 else logging.INFO)
    if quiet:  # libraries' own Python warnings (anndata, h5py, ...); ours are log records
        warnings.simplefilter("ignore")
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    root = logging.getLogger("xatgrn")
    root.handlers[:] = [h for h in root.handlers if isinstance(h, logging.NullHandler)]
    root.addHandler(handler)
    root.setLevel(level)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="xatgrn")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors; no progress bars.")
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """xatgrn: infer typed, directed gene regulatory networks (activation / repression / none)."""
    _configure_logging(verbose, quiet)
    from xatgrn.utils import configure_threads

    configure_threads()  # before any numeric library starts its thread pool
    ctx.ensure_object(dict)
    ctx.obj["quiet"] = quiet


def _register() -> None:
    from xatgrn.cli import analyze, cv, datasets, fit, predict, simulate, validate

    for command in (
        datasets.datasets_group,
        simulate.simulate_command,
        simulate.demo,
        fit.fit,
        predict.predict,
        validate.validate_cmd,
        cv.cv_command,
        cv.benchmark_command,
        analyze.analyze_cmd,
    ):
        cli.add_command(command)


_register()


#: group options also accepted after the subcommand (``xatgrn fit ... -q``)
_ANYWHERE = ("-q", "--quiet")


def _hoist_quiet(argv: list[str]) -> list[str]:
    """Move ``-q`` / ``--quiet`` given after the subcommand in front of it, where click reads
    group options; everything after ``--`` stays as it is."""
    end = argv.index("--") if "--" in argv else len(argv)
    found = [a for a in argv[:end] if a in _ANYWHERE]
    if not found or all(a in _ANYWHERE for a in argv[: len(found)]):
        return argv
    rest = [a for a in argv[:end] if a not in _ANYWHERE]
    return [found[0], *rest, *argv[end:]]


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the CLI, turning input errors into clean exits."""
    argv = _hoist_quiet(list(sys.argv[1:] if argv is None else argv))
    try:
        rv = cli.main(args=argv, prog_name="xatgrn", standalone_mode=False)
        if isinstance(rv, int) and rv != 0:
            sys.exit(rv)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as err:
        err.show()
        sys.exit(err.exit_code)
    except XatgrnInputError as err:
        if os.environ.get("XATGRN_DEBUG"):
            raise
        click.echo(f"error: {err}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)


__all__ = ["cli", "main"]
