"""Progress on standard error: the library's ``ProgressCallback`` shown to the person waiting.

Shown whenever standard error is a terminal (``--progress``/``--no-progress`` decide
otherwise), whatever standard output is: ``evaluate big.json --format csv > out.csv`` shows
it. The display appears only once a command has run for half a second, so quick commands never
flicker, and it is cleared when the command ends. With ``--progress`` and standard error not a
terminal (a log file, CI), each step is one line when it ends.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final, TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from .._base.progress import ProgressCallback
from ._output import safe

__all__ = ["DELAY", "StepNames", "TerminalProgress", "progress_display", "stderr_is_terminal"]

#: Seconds a command runs before its progress display appears.
DELAY: Final = 0.5

#: What each of the library's steps counts, and how it is shown.
_UNITS: Final = {"reading": "records", "checking": "records"}
_DEFAULT_UNIT: Final = "teams"

StepNames = dict[str, str]


def stderr_is_terminal() -> bool:
    """Whether standard error is a terminal (where progress is shown by default)."""
    stream = sys.stderr
    return bool(getattr(stream, "isatty", lambda: False)())


class _Count(ProgressColumn):
    """``1,234/5,000 teams``, or ``1,234 records`` while the total is not known."""

    def render(self, task: Task) -> Text:
        unit = str(task.fields.get("unit", ""))
        done = int(task.completed)
        if task.total is None:
            return Text(f"{done:,} {unit}")
        return Text(f"{done:,}/{int(task.total):,} {unit}")


class TerminalProgress:
    """A :data:`~assessment_engine.ProgressCallback` drawing rich progress bars on a console.

    :param console: where to draw (standard error).
    :param names: the description of each step (``{"writing": "writing ranking.xlsx"}``).
    :param delay: seconds before the display first appears.
    """

    def __init__(
        self, console: Console, names: StepNames | None = None, *, delay: float = DELAY
    ) -> None:
        self.names: StepNames = dict(names or {})
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            _Count(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._tasks: dict[str, TaskID] = {}
        self._lock = threading.Lock()
        self._timer = threading.Timer(delay, self._show)
        self._timer.daemon = True
        self._shown = False
        self._closed = False

    def _show(self) -> None:
        with self._lock:
            if not self._closed and not self._shown:
                self._shown = True
                self._progress.start()

    def __call__(self, step: str, done: int, total: int | None) -> None:
        task = self._tasks.get(step)
        if task is None:
            description = safe(self.names.get(step, step))
            unit = _UNITS.get(step, _DEFAULT_UNIT)
            task = self._tasks[step] = self._progress.add_task(description, total=total, unit=unit)
        self._progress.update(task, completed=done, total=total)

    def open(self) -> None:
        """Start the clock: the display appears after the delay."""
        self._timer.start()

    def close(self) -> None:
        """Stop and clear the display."""
        self._timer.cancel()
        with self._lock:
            self._closed = True
            if self._shown:
                self._progress.stop()


class LineProgress:
    """Progress as one line per finished step, for a standard error that is not a terminal."""

    def __init__(self, stream: TextIO, names: StepNames | None = None) -> None:
        self.names: StepNames = dict(names or {})
        self._stream = stream
        self._started: dict[str, float] = {}
        self._finished: set[str] = set()

    def __call__(self, step: str, done: int, total: int | None) -> None:
        started = self._started.setdefault(step, time.perf_counter())
        if total is None or done < total or step in self._finished:
            return
        self._finished.add(step)
        unit = _UNITS.get(step, _DEFAULT_UNIT)
        seconds = time.perf_counter() - started
        name = safe(self.names.get(step, step))
        self._stream.write(f"{name}: {done:,} {unit} ({seconds:.1f} s)\n")
        self._stream.flush()


@contextmanager
def progress_display(
    option: bool | None, names: StepNames | None = None
) -> Iterator[ProgressCallback | None]:
    """The callback for a command's long steps, or ``None`` when no progress is shown.

    :param option: ``--progress`` (True), ``--no-progress`` (False) or neither (None: shown
        when standard error is a terminal).
    """
    terminal = stderr_is_terminal()
    if option is False or (option is None and not terminal):
        yield None
        return
    if not terminal:
        yield LineProgress(sys.stderr, names)
        return
    display = TerminalProgress(Console(stderr=True, highlight=False, markup=False), names)
    display.open()
    try:
        yield display
    finally:
        display.close()
