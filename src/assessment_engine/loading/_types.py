"""Types the readers share."""

from __future__ import annotations

import os

__all__ = ["PathLike"]

#: What a path may be: text or an ``os.PathLike``.
PathLike = str | os.PathLike[str]
