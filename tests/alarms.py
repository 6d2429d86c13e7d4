"""A hang turned into a failure: for the tests of inputs that used to hang the loaders."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator


@contextlib.contextmanager
def no_hang(seconds: int = 60) -> Iterator[None]:
    """Raise ``TimeoutError`` in the block after ``seconds`` (not a speed test: a case that
    works takes milliseconds; one that hangs fails instead of hanging the suite)."""

    def alarm(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
