"""Exit codes, and the one message each error becomes (never a traceback).

Input problems are listed one per line, the first ``--max-problems`` of them on screen (20 by
default) with the count of the rest; ``--problems-file FILE`` writes every one (CSV for
``.csv``, else one per line). The library's :class:`~assessment_engine.InputError` still
carries every problem: only the screen is capped.
"""

from __future__ import annotations

import csv
import io
import os
import sys
from collections.abc import Callable
from typing import Any, Final, TypeVar

import click

from ..errors import (
    AssessmentError,
    InputError,
    MatcherUnavailableError,
    PluginError,
    RubricError,
)
from ._codes import EXIT_FAILED, EXIT_INPUT, EXIT_OK, EXIT_RULES, EXIT_USAGE
from ._hints import PluginChoice, kind_hints
from ._inputs import relocate_stdin
from ._output import STDIO, atomic_file, check_not_input, safe

__all__ = [
    "DEFAULT_MAX_PROBLEMS",
    "EXIT_FAILED",
    "EXIT_INPUT",
    "EXIT_OK",
    "EXIT_RULES",
    "EXIT_USAGE",
    "classify",
    "problem_options",
    "remember_choice",
    "remember_inputs",
]

#: How many input problems are listed on screen unless --max-problems says otherwise.
DEFAULT_MAX_PROBLEMS: Final = 20

_MAX = "assessment_engine.max_problems"
_FILE = "assessment_engine.problems_file"
_CHOICE = "assessment_engine.plugin_choice"
_INPUTS = "assessment_engine.inputs"

F = TypeVar("F", bound=Callable[..., Any])

_PLUGINS_HINT = (
    "\nhint: `assessment-engine plugins` lists the plugins; --block NAME leaves one out,"
    " --no-entry-points leaves out every installed one"
)


def _remember(key: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        ctx.meta[key] = value
        return value

    return callback


def problem_options(func: F) -> F:
    """``--max-problems N`` and ``--problems-file FILE``, for commands that read facts."""
    func = click.option(
        "--problems-file",
        metavar="FILE",
        default=None,
        expose_value=False,
        callback=_remember(_FILE),
        help="When the input has problems, write every one to FILE (CSV for .csv, else one"
        " per line; '-': standard output).",
    )(func)
    return click.option(
        "--max-problems",
        type=click.IntRange(min=0),
        default=DEFAULT_MAX_PROBLEMS,
        show_default=True,
        expose_value=False,
        callback=_remember(_MAX),
        help="List at most this many input problems on screen (0: all of them).",
    )(func)


def remember_choice(choice: PluginChoice) -> None:
    """Keep how the plugins were chosen, for the hints about unknown fact kinds."""
    context = click.get_current_context(silent=True)
    if context is not None:
        context.meta[_CHOICE] = choice


def remember_inputs(*inputs: tuple[str, str | os.PathLike[str]]) -> None:
    """Keep the command's inputs: the problems file must not be one of them."""
    context = click.get_current_context(silent=True)
    if context is not None:
        context.meta.setdefault(_INPUTS, []).extend(inputs)


def _write_problems(path: str, error: InputError, context: click.Context) -> str:
    if path == STDIO:
        data = _problems_text(error, path)
        sys.stdout.write(data)
        return "standard output"
    check_not_input(path, context.meta.get(_INPUTS, ()))
    with atomic_file(path) as temporary:
        temporary.write_text(_problems_text(error, path), encoding="utf-8")
    return path


def _problems_text(error: InputError, path: str) -> str:
    if not path.lower().endswith(".csv"):
        return "".join(f"{p}\n" for p in error.problems)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["source", "record", "field", "reason"])
    for p in error.problems:
        writer.writerow([p.source, p.record, p.field or "", p.reason])
    return buffer.getvalue()


def _input_message(error: InputError, context: click.Context | None) -> str:
    problems = error.problems
    count = len(problems)
    limit = int(context.meta.get(_MAX, DEFAULT_MAX_PROBLEMS)) if context else DEFAULT_MAX_PROBLEMS
    shown = problems if limit == 0 or count <= limit else problems[:limit]
    head = f"{count:,} problem{'s' if count != 1 else ''} in the input"
    if len(shown) < count:
        head += f"; the first {len(shown):,}"
    lines = [head + ":"]
    lines += [f"  - {safe(str(p))}" for p in shown]
    written = None
    target = context.meta.get(_FILE) if context is not None else None
    if target and context is not None:
        try:
            written = _write_problems(str(target), error, context)
        except (OSError, click.UsageError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else exc.message
            lines.append(f"  (the problems file {safe(str(target))} cannot be written: {reason})")
    if len(shown) < count:
        rest = f"  … and {count - len(shown):,} more"
        if written is None:
            rest += ": --problems-file FILE writes every problem, --max-problems 0 lists them all"
        lines.append(rest)
    if written is not None:
        lines.append(f"every problem is written to {safe(written)}")
    choice = context.meta.get(_CHOICE) if context is not None else None
    lines += kind_hints(problems, choice if isinstance(choice, PluginChoice) else PluginChoice())
    return "\n".join(lines)


def classify(exc: BaseException, context: click.Context | None = None) -> tuple[int, str]:
    """The exit code and the message (escaped for a terminal) for an error a command raised."""
    if isinstance(exc, InputError):
        return EXIT_INPUT, _input_message(relocate_stdin(exc, context), context)
    if isinstance(exc, MatcherUnavailableError):
        return EXIT_RULES, safe(str(exc), lines=True)
    if isinstance(exc, PluginError | RubricError):
        return EXIT_RULES, safe(f"{exc}{_PLUGINS_HINT}", lines=True)
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else "cannot write the output: "
        return EXIT_INPUT, safe(f"{where}{exc.strerror or exc}", lines=True)
    if isinstance(exc, AssessmentError):
        return EXIT_FAILED, safe(str(exc), lines=True)
    return (
        EXIT_FAILED,
        safe(f"internal error: {type(exc).__name__}: {exc}", lines=True)
        + "\n(please report it; `assessment-engine --traceback ...` shows where it happened)",
    )
