"""Optional dependencies: imported when first needed, with one clear error when missing."""

from __future__ import annotations

import importlib
from types import ModuleType

from ..errors import DependencyError

__all__ = ["require"]


def require(
    module: str, *, extra: str, purpose: str, error: type[DependencyError] = DependencyError
) -> ModuleType:
    """Import ``module`` or raise ``error`` naming the extra that installs it.

    >>> require("json", extra="none", purpose="a test").__name__
    'json'
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise error(
            f"{purpose} needs {module}: pip install 'assessment-engine[{extra}]'"
            f" (or pip install {module})",
            module=module,
            extra=extra,
        ) from exc
