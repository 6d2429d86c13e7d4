"""What the commands share: engine options, plugin loading, reading facts, output, progress."""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

import click
from rich.console import Console, RenderableType
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from .._plugins import rubric_files
from ..engine import Engine
from ..errors import PluginError
from ..factset import FactSet
from ..loading import load_facts

__all__ = [
    "PROGRESS_BYTES",
    "PROGRESS_TEAMS",
    "Steps",
    "build_engine",
    "engine_options",
    "input_size",
    "load_plugin",
    "period_option",
    "print_to",
    "read_facts",
    "show_progress",
    "team_count",
    "write_text",
]

F = TypeVar("F", bound=Callable[..., Any])

#: From this many teams on, a terminal shows a progress bar (unless --no-progress).
PROGRESS_TEAMS = 100
#: From this many bytes of fact files on, a terminal shows progress while they are read.
PROGRESS_BYTES = 1_000_000


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


def _import_module(name: str) -> ModuleType:
    if name.endswith(".py"):
        path = Path(name)
        module_name = f"_assessment_cli_plugin_{path.stem}"
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot import {name}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
        return module
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    return importlib.import_module(name)


def load_plugin(spec: str) -> tuple[str, object]:
    """Import the plugin a ``--plugin`` value names; ``(spec, plugin)``.

    :raises PluginError: naming the value, when it cannot be imported or found.
    """
    module_name, _, attr = spec.partition(":")
    try:
        if not module_name:
            raise ValueError("expected MODULE or MODULE:ATTR")
        obj: object = _import_module(module_name)
        for part in attr.split(".") if attr else ():
            obj = getattr(obj, part)
        if isinstance(obj, type):
            obj = obj()
    except Exception as exc:
        raise PluginError(
            f"--plugin cannot load it: {type(exc).__name__}: {exc}", plugin=spec
        ) from exc
    return spec, obj


_RUBRIC_FILES = "assessment_engine.rubric_files"


def _remember_rubric_files(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    """Keep ``--rubric`` values for :func:`build_engine` (the commands need no parameter)."""
    ctx.meta[_RUBRIC_FILES] = tuple(value or ())


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
    return Engine(
        loaded,
        entry_points=not no_entry_points,
        block=block,
        matcher=matcher,  # type: ignore[arg-type]
    )


def read_facts(engine: Engine, paths: tuple[str, ...]) -> FactSet:
    """Load fact files (.json, .csv, .xlsx) with the engine's fact kinds."""
    return load_facts(*paths, fact_types=engine.rubric.fact_types)


def team_count(facts: FactSet, period: str | None) -> int:
    """How many teams an assessment of ``period`` covers (all periods' when not given)."""
    periods = [period] if period is not None else list(facts.periods)
    return sum(len(facts.teams(p)) for p in periods)


def write_text(path: Path, data: str) -> None:
    """Write UTF-8 text to ``path`` (OSError propagates: exit code 3)."""
    path.write_text(data, encoding="utf-8")


def print_to(path: Path | None, renderable: RenderableType, *, width: int = 160) -> None:
    """Print a rich renderable to stdout, or as plain text to a file."""
    if path is None:
        Console(highlight=False).print(renderable)
        return
    with path.open("w", encoding="utf-8") as handle:
        Console(file=handle, width=width, no_color=True, highlight=False).print(renderable)


class Steps:
    """A rich progress display on stderr, or nothing; ``task`` and ``advance`` are cheap."""

    def __init__(self, enabled: bool) -> None:
        self._progress: Progress | None = None
        if enabled:
            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )

    @contextmanager
    def running(self) -> Iterator[Steps]:
        """Show the display while the block runs."""
        if self._progress is None:
            yield self
            return
        with self._progress:
            yield self

    def task(self, description: str, total: int | None = None) -> TaskID | None:
        """Start a step; ``total=None`` for one without a count."""
        if self._progress is None:
            return None
        return self._progress.add_task(description, total=total)

    def done(self, task: TaskID | None) -> None:
        """Mark a step complete."""
        if self._progress is not None and task is not None:
            total = self._progress.tasks[task].total
            self._progress.update(task, total=total or 1, completed=total or 1)

    def advancer(self, task: TaskID | None) -> Callable[[], None] | None:
        """A function advancing ``task`` by one, or ``None``."""
        if self._progress is None or task is None:
            return None
        return functools.partial(self._progress.advance, task)


def show_progress(option: bool | None, *, teams: int = 0, size: int = 0) -> bool:
    """``--progress``/``--no-progress``, or automatic: a terminal, and many teams or bytes."""
    if option is not None:
        return option
    return sys.stdout.isatty() and (teams >= PROGRESS_TEAMS or size >= PROGRESS_BYTES)


def input_size(paths: Iterable[str]) -> int:
    """The total size of the files that exist among ``paths``, in bytes."""
    return sum(os.path.getsize(p) for p in paths if os.path.isfile(p))
