"""Pausing the cyclic garbage collector around bulk work."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["paused_gc"]


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector; it resumes as it was (nested use is fine).

    Building a fact set or assessing creates many small containers and no reference cycles;
    with millions of live facts, the collections these allocations trigger would cost more than
    the work itself.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
