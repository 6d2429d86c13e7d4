"""The built-in plugin that registers the core fact kinds, exactly as a third party would."""

from __future__ import annotations

from ..facts import BUILTIN_FACT_TYPES, Fact
from ..hookspecs import hookimpl


@hookimpl
def assessment_register_fact_types() -> list[type[Fact]]:
    """Team, member, activity, achievement, metric, incident and assessor score."""
    return list(BUILTIN_FACT_TYPES)
