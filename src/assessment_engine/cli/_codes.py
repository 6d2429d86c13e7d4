"""The command line's exit codes (importable without click: see ``cli/__init__.py``)."""

from __future__ import annotations

from typing import Final

__all__ = ["EXIT_FAILED", "EXIT_INPUT", "EXIT_OK", "EXIT_RULES", "EXIT_USAGE"]

#: Success.
EXIT_OK: Final = 0
#: The command ran and found problems (``check`` errors), or it could not finish.
EXIT_FAILED: Final = 1
#: A usage error (click's, an unknown team, an output that is an input, no ``--force``).
EXIT_USAGE: Final = 2
#: Bad input files, or an output that cannot be written.
EXIT_INPUT: Final = 3
#: The rule sets: a plugin, a hook, the rubric, or a matcher that cannot run here.
EXIT_RULES: Final = 4
