"""Pausing the cyclic garbage collector around bulk work."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["collect_young", "paused_gc"]

#: For each ``paused_gc`` block open, whether the collector was on when the outermost began.
_PAUSED: list[bool] = []


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector; it resumes as it was (nested use is fine).

    Building a fact set or assessing creates many small containers and no reference cycles;
    with millions of live facts, the collections these allocations trigger would cost more than
    the work itself.
    """
    collecting = gc.isenabled()
    _PAUSED.append(collecting or (bool(_PAUSED) and _PAUSED[-1]))
    gc.disable()
    try:
        yield
    finally:
        _PAUSED.pop()
        if collecting:
            gc.enable()


def collect_young() -> None:
    """Collect the youngest generation now, in a ``paused_gc`` block of a program that collects.

    Bulk work that makes a batch of objects at a time calls it after each batch: the collector
    then looks at the batch's objects while they are in the processor's caches (and stops
    tracking the tuples that hold no container), a collection's work in proportion to the
    batch; left until the pause ends, one collection would look at every object made, each
    fetched from memory again. Nothing is done outside a pause, or when the collector was off.
    """
    if _PAUSED and _PAUSED[-1]:
        gc.collect(0)
