"""The engine's version, read from the installed distribution's metadata (one source: pyproject)."""

from __future__ import annotations

import importlib.metadata
from typing import Final

__all__ = ["VERSION"]


def _installed_version() -> str:
    try:
        return importlib.metadata.version("assessment-engine")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - run from a bare tree
        return "0+unknown"


#: The version recorded in every result (``engine_version``).
VERSION: Final = _installed_version()
