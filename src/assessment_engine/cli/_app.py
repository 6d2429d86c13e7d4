"""The ``assessment-engine`` group: every command, and errors turned into one message."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from .._base.version import VERSION
from ._errors import EXIT_FAILED, classify

__all__ = ["main"]


def _quiet_broken_pipe(ctx: click.Context) -> None:
    """The reader of standard output went away (``| head``): stop, quietly, not with 0."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass  # not a real file (a test runner's capture)
    ctx.exit(EXIT_FAILED)


class _Group(click.Group):
    """A group that turns the library's errors into one message and an exit code.

    Standard output is flushed before the command returns, so an output that could not be
    written (a full disk behind ``> out.csv``) is an error, never exit code 0.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()
            return result
        except BrokenPipeError:
            _quiet_broken_pipe(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:
            if ctx.params.get("traceback"):
                raise
            code, message = classify(exc, ctx)
            click.echo(click.style("error: ", fg="red", bold=True) + message, err=True)
            ctx.exit(code)
        return None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(VERSION, prog_name="assessment-engine")
@click.option(
    "--traceback",
    is_flag=True,
    help="Show Python tracebacks of unexpected errors (for developers).",
)
def main(traceback: bool) -> None:
    """Assess teams with the 1252 method: rankings, explanations, spreadsheets.

    Facts are read from .json, .csv, .xlsx and .parquet files, or '-' for standard input (see
    `assessment-engine template`); the rule sets are the installed plugins. -o FILE writes a
    command's output to a file ('-': standard output). Exit codes: 0 ok, 1 problems found
    (check errors) or the command could not finish, 2 usage, 3 bad input files or an output
    that cannot be written, 4 plugin or rubric errors.
    """


def _register() -> None:
    from ._commands import COMMANDS
    from ._inspect import COMMANDS as INSPECT
    from ._ledger import COMMANDS as LEDGER
    from ._scenarios import COMMANDS as SCENARIOS  # test and lint

    for command in (*COMMANDS, *INSPECT, *LEDGER, *SCENARIOS):
        main.add_command(command)


_register()
