"""Progress of the library's long steps: one small callback, and the ticker that calls it.

A long step — reading fact files, assessing teams, writing a report — takes a
``progress: ProgressCallback | None`` argument and reports through a :class:`Ticker`::

    tick = ticker(progress, "assessing", total=len(teams))
    for chunk in chunks:
        ...                       # the work
        tick.advance(len(chunk))
    tick.finish()

The callback is ``progress(step, done, total)``: ``step`` names the work (``"reading"``,
``"checking"``, ``"assessing"``, ``"writing"``), ``done`` how many of its units are finished
(records for reading, teams otherwise), and ``total`` how many there are, or ``None`` while that
is not known. For one step, ``done`` never decreases; the last call of a finished step has
``done == total``. A ticker calls the callback at most about 200 times per step however many
units it counts (and at least at its start and its end), so a fast path can count every team
without slowing down; without a callback a ticker does nothing at all.

The callback runs in the step's thread, inside the step: it must be quick and must not call
back into the library. What it raises propagates (a ``KeyboardInterrupt`` stops the step).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

__all__ = ["NO_TICKER", "ProgressCallback", "Ticker", "ticker"]

#: ``progress(step, done, total)``: see the module's documentation.
ProgressCallback = Callable[[str, int, int | None], None]

_CALLS_PER_STEP: Final = 200
_UNKNOWN_TOTAL_EVERY: Final = 1000


class Ticker:
    """Counts one step's units and reports them to a callback, now and then.

    :param callback: the callback, or ``None`` for a ticker that does nothing.
    :param step: the step's name.
    :param total: how many units the step has, ``None`` when not known.
    """

    __slots__ = ("_callback", "_every", "_next", "done", "step", "total")

    def __init__(self, callback: ProgressCallback | None, step: str, total: int | None) -> None:
        self._callback = callback
        self.step = step
        self.total = total
        self.done = 0
        self._every = _UNKNOWN_TOTAL_EVERY if total is None else max(1, total // _CALLS_PER_STEP)
        self._next = self._every
        if callback is not None:
            callback(step, 0, total)

    def advance(self, count: int = 1) -> None:
        """``count`` more units are done."""
        if self._callback is None:
            return
        self.done += count
        if self.done >= self._next:
            self._next = self.done + self._every
            self._callback(self.step, self.done, self.total)

    def finish(self) -> None:
        """The step is done: the last report, with ``total`` set to what was counted."""
        if self._callback is not None:
            if self.total is None or self.total < self.done:
                self.total = self.done
            self.done = self.total
            self._callback(self.step, self.done, self.total)


#: A ticker without a callback, for code that is always given one.
NO_TICKER: Final = Ticker(None, "", None)


def ticker(progress: ProgressCallback | None, step: str, total: int | None = None) -> Ticker:
    """A :class:`Ticker` for ``step`` reporting to ``progress`` (a no-op when it is ``None``)."""
    if progress is None:
        return NO_TICKER
    return Ticker(progress, step, total)
