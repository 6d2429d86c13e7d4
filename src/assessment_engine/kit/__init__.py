"""The rubric consistency kit: checks of a rubric before it decides anyone's standing.

::

    from assessment_engine.kit import check_plugins

    for finding in check_plugins():           # the installed rule sets
        print(finding)

See ``docs/consistency-kit.md``.
"""

from typing import TYPE_CHECKING, Any

from .checks import (
    CHECKS,
    SEVERITIES,
    Finding,
    Severity,
    check_plugins,
    check_rubric,
)

__all__ = [
    "CHECKS",
    "PROPERTIES",
    "SEVERITIES",
    "Finding",
    "PropertyRun",
    "Severity",
    "check_plugins",
    "check_properties",
    "check_rubric",
    "property_test",
]

# The property tests (assessment_engine.kit.properties) need the ``hypothesis`` extra: they are
# imported on first use, so that the static checks above work without it.
if TYPE_CHECKING:
    from .properties import PROPERTIES as PROPERTIES
    from .properties import PropertyRun as PropertyRun
    from .properties import check_properties as check_properties
    from .properties import property_test as property_test

_PROPERTY_NAMES = frozenset({"PROPERTIES", "PropertyRun", "check_properties", "property_test"})


def __getattr__(name: str) -> Any:
    """The property tests' names, from :mod:`assessment_engine.kit.properties` when first used."""
    if name not in _PROPERTY_NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        from . import properties
    except ImportError as exc:  # pragma: no cover - without the hypothesis extra
        raise ImportError(
            f"assessment_engine.kit.{name} needs Hypothesis: pip install"
            " 'assessment-engine[hypothesis]'"
        ) from exc
    return getattr(properties, name)
