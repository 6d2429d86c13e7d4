"""The ``assessment-engine`` command line: assess, explain, check rule sets, spreadsheets.

``docs/cli.md`` is the reference. Exit codes:

== ==========================================================================================
0  success
1  the command ran and found problems: ``check`` found errors; or it could not finish (a
   matcher failure at run time, a scale-out partition whose worker died twice, a missing
   optional module, an unexpected internal error)
2  usage error: an unknown option, a missing argument, an unknown team or grade scale, an
   output that is an input, a file that is not empty replaced without ``--force``
3  bad input: a fact file that cannot be read or whose facts are invalid (every problem is
   listed as ``file, record, field: reason``), or an output file that cannot be written
4  the rule sets: a plugin that fails to load, a hook that fails, an inconsistent rubric, or a
   matcher that cannot run here
== ==========================================================================================

No error is shown as a Python traceback; ``--traceback`` (before the command) shows one for
unexpected errors, for developers. The command line's own dependencies (click, rich, openpyxl)
are part of the default install; installed without them (``pip install --no-deps``), the
command says in one line which extra brings them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, NoReturn

from .._base.version import VERSION as __version__
from ._codes import EXIT_FAILED, EXIT_INPUT, EXIT_OK, EXIT_RULES, EXIT_USAGE

__all__ = [
    "EXIT_FAILED",
    "EXIT_INPUT",
    "EXIT_OK",
    "EXIT_RULES",
    "EXIT_USAGE",
    "__version__",
    "main",
]

#: The modules the command line needs beyond the library's own dependencies.
NEEDED = ("click", "rich", "openpyxl")


def _without(module: str) -> Callable[..., NoReturn]:
    """A stand-in ``main`` that says in one line what is missing."""

    def main(*args: Any, **kwargs: Any) -> NoReturn:
        sys.stderr.write(
            f"error: the assessment-engine command needs {module}, which is not installed:"
            " pip install 'assessment-engine[cli]'\n"
        )
        raise SystemExit(EXIT_FAILED)

    return main


try:
    from ._app import main
except ModuleNotFoundError as missing:  # installed with --no-deps
    if missing.name not in NEEDED:
        raise
    main = _without(missing.name)  # type: ignore[assignment]
