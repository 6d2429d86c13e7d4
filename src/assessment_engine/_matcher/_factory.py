"""The one matcher factory: a matcher by name, or by ``ASSESSMENT_ENGINE_MATCHER``."""

from __future__ import annotations

import os
from typing import Literal

from .base import Matcher
from .python import PythonMatcher

__all__ = ["MATCHER_ENV", "MatcherName", "make_matcher"]

#: Environment variable that picks the matcher when the engine is not told: durable or python.
MATCHER_ENV = "ASSESSMENT_ENGINE_MATCHER"
MatcherName = Literal["durable", "python"]


def make_matcher(name: str | None = None) -> Matcher:
    """A fresh matcher: ``"durable"`` (durable-rules, the default) or ``"python"``.

    ``None`` reads :data:`MATCHER_ENV`, then falls back to durable-rules. durable-rules is
    imported only when chosen.

    :raises ValueError: for any other name.
    """
    chosen = name or os.environ.get(MATCHER_ENV) or "durable"
    if chosen == "durable":
        from .durable import DurableMatcher

        return DurableMatcher()
    if chosen == "python":
        return PythonMatcher()
    raise ValueError(f"unknown matcher {chosen!r}: use 'durable' or 'python'")
