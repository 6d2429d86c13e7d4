"""What the commands share: engine options, plugin loading, the inputs an output must not be."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import RenderableType

from .._base.progress import ProgressCallback
from .._plugins import load_plugin, rubric_files
from ..engine import Engine
from ..factset import FactSet
from ._errors import remember_choice, remember_inputs
from ._hints import PluginChoice

__all__ = [
    "build_engine",
    "engine_inputs",
    "engine_options",
    "load_plugin",
    "period_option",
    "print_to",
    "progress_option",
    "read_facts",
    "rubric_file_options",
    "team_count",
]

F = TypeVar("F", bound=Callable[..., Any])


def engine_options(func: F) -> F:
    """The options that choose the rule sets: --plugin, --no-entry-points, --block, --matcher."""
    options = [
        click.option(
            "--plugin",
            "plugins",
            multiple=True,
            metavar="MODULE[:ATTR]",
            help="Register a plugin: a module, an object in it (module:attr), or a .py file"
            " (path.py:attr); a class is instantiated. Repeatable.",
        ),
        click.option(
            "--rubric",
            multiple=True,
            metavar="FILE",
            expose_value=False,
            callback=_remember_rubric_files,
            type=click.Path(exists=True, dir_okay=False, path_type=str),
            help="Register a rubric file (TOML, see docs/rubric-files.md) as a plugin named after"
            " the file, in addition to the installed plugins. Repeatable; the files are read"
            " together.",
        ),
        click.option(
            "--no-entry-points",
            is_flag=True,
            help="Do not load the installed plugins (entry points of group assessment_engine).",
        ),
        click.option(
            "--block",
            multiple=True,
            metavar="NAME",
            help="Never register the plugin of this name (e.g. food_institute). Repeatable.",
        ),
        click.option(
            "--matcher",
            type=click.Choice(["durable", "python"]),
            default=None,
            help="The matcher: durable-rules (default) or plain Python; results are identical.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def period_option(func: F) -> F:
    """--period: the period to assess when the facts hold several."""
    return click.option(
        "--period", default=None, help="The period to assess (needed when the facts span several)."
    )(func)


_RUBRIC_FILES = "assessment_engine.rubric_files"


def _remember_rubric_files(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    """Keep ``--rubric`` values for :func:`build_engine` (the commands need no parameter)."""
    ctx.meta[_RUBRIC_FILES] = tuple(value or ())


def rubric_file_options() -> tuple[str, ...]:
    """The ``--rubric`` files of the running command (what scale-out workers register too)."""
    context = click.get_current_context(silent=True)
    return tuple(context.meta.get(_RUBRIC_FILES, ())) if context is not None else ()


def build_engine(
    plugins: tuple[str, ...], no_entry_points: bool, block: tuple[str, ...], matcher: str | None
) -> Engine:
    """The engine the options describe (raises PluginError/RubricError for exit code 4).

    ``--rubric`` files are registered after the ``--plugin`` ones, each named after its file.
    """
    loaded: list[object] = [load_plugin(spec) for spec in plugins]
    context = click.get_current_context(silent=True)
    files = context.meta.get(_RUBRIC_FILES, ()) if context is not None else ()
    if files:
        loaded.extend(rubric_files(*files))
    remember_choice(PluginChoice(blocked=tuple(block), entry_points=not no_entry_points))
    remember_inputs(*engine_inputs(plugins))
    return Engine(
        loaded,
        entry_points=not no_entry_points,
        block=block,
        matcher=matcher,  # type: ignore[arg-type]
    )


def team_count(facts: FactSet, period: str | None) -> int:
    """How many teams an assessment of ``period`` covers (all periods' when not given)."""
    periods = [period] if period is not None else list(facts.periods)
    return sum(len(facts.teams(p)) for p in periods)


def engine_inputs(plugins: Iterable[str]) -> list[tuple[str, str]]:
    """The files the engine options read (``--rubric`` files, ``--plugin`` .py files)."""
    context = click.get_current_context(silent=True)
    files = context.meta.get(_RUBRIC_FILES, ()) if context is not None else ()
    found = [("--rubric", str(f)) for f in files]
    for spec in plugins:
        module = spec.partition(":")[0]
        if module.endswith(".py"):
            found.append(("--plugin", module))
    return found


def progress_option(func: F) -> F:
    """--progress/--no-progress: progress on standard error (default: when it is a terminal)."""
    return click.option(
        "--progress/--no-progress",
        default=None,
        help="Show progress on standard error (default: when standard error is a terminal).",
    )(func)


def read_facts(
    engine: Engine, paths: tuple[str, ...], progress: ProgressCallback | None = None
) -> FactSet:
    """Load fact files (.json, .csv, .xlsx; ``-`` for standard input) with the engine's kinds."""
    from ._inputs import fact_files

    with fact_files(paths) as files:
        return files.read(engine, progress)


def print_to(path: Path | str | None, renderable: RenderableType) -> None:
    """Print a rich renderable to standard output (``None`` or ``-``) or to a file.

    Through :class:`~._output.Output`: a terminal's width, or unwrapped; escaped; a file is
    written atomically. For commands without ``-o`` checks of their own.
    """
    from ._output import Output

    Output(None if path is None else str(path), force=True).render(renderable)
