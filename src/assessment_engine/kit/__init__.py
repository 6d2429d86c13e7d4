"""The rubric consistency kit: checks of a rubric before it decides anyone's standing.

::

    from assessment_engine.kit import check_plugins

    for finding in check_plugins():           # the installed rule sets
        print(finding)

See ``docs/consistency-kit.md``.
"""

from .checks import (
    CHECKS,
    Finding,
    Severity,
    check_plugins,
    check_rubric,
)

__all__ = [
    "CHECKS",
    "Finding",
    "Severity",
    "check_plugins",
    "check_rubric",
]
