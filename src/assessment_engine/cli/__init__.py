"""The ``assessment-engine`` command line: assess, explain, check rule sets, spreadsheets.

``docs/cli.md`` is the reference. Exit codes:

== ==========================================================================================
0  success
1  the command ran and found problems: ``check`` found errors; or it could not finish (a
   matcher failure at run time, a missing optional module, an unexpected internal error)
2  usage error: an unknown option, a missing argument, an unknown team or grade scale
3  bad input: a fact file that cannot be read or whose facts are invalid (every problem is
   listed as ``file, record, field: reason``), or an output file that cannot be written
4  the rule sets: a plugin that fails to load, a hook that fails, an inconsistent rubric, or a
   matcher that cannot run here
== ==========================================================================================

No error is shown as a Python traceback; ``--traceback`` (before the command) shows one for
unexpected errors, for developers.
"""

from __future__ import annotations

from typing import Any

import click

from .._base.version import VERSION as __version__
from ..errors import (
    AssessmentError,
    InputError,
    MatcherUnavailableError,
    PluginError,
    RubricError,
)

__all__ = [
    "EXIT_FAILED",
    "EXIT_INPUT",
    "EXIT_OK",
    "EXIT_RULES",
    "EXIT_USAGE",
    "main",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INPUT = 3
EXIT_RULES = 4


def classify(exc: BaseException) -> tuple[int, str]:
    """The exit code and the message for an error a command raised."""
    if isinstance(exc, InputError):
        return EXIT_INPUT, str(exc)
    if isinstance(exc, PluginError | RubricError | MatcherUnavailableError):
        hint = (
            "\nhint: `assessment-engine plugins` lists the plugins; --block NAME leaves one out,"
            " --no-entry-points leaves out every installed one"
        )
        return EXIT_RULES, f"{exc}{hint}"
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return EXIT_INPUT, f"{where}{exc.strerror or exc}"
    if isinstance(exc, AssessmentError):
        return EXIT_FAILED, str(exc)
    return (
        EXIT_FAILED,
        f"internal error: {type(exc).__name__}: {exc}\n"
        "(please report it; `assessment-engine --traceback ...` shows where it happened)",
    )


class _Group(click.Group):
    """A group that turns the library's errors into one message and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:
            if ctx.params.get("traceback"):
                raise
            code, message = classify(exc)
            click.echo(click.style("error: ", fg="red", bold=True) + message, err=True)
            ctx.exit(code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="assessment-engine")
@click.option(
    "--traceback",
    is_flag=True,
    help="Show Python tracebacks of unexpected errors (for developers).",
)
def main(traceback: bool) -> None:
    """Assess teams with the 1252 method: rankings, explanations, spreadsheets.

    Facts are read from .json, .csv and .xlsx files (see `assessment-engine template`); the
    rule sets are the installed plugins. Exit codes: 0 ok, 1 problems found (check errors) or
    the command could not finish, 2 usage, 3 bad input files, 4 plugin or rubric errors.
    """


def _register() -> None:
    from ._ledger import ALL_COMMANDS as COMMANDS  # _commands.py's and the ledger group
    from ._scenarios import COMMANDS as MORE  # test and lint

    for command in (*COMMANDS, *MORE):
        main.add_command(command)


_register()
