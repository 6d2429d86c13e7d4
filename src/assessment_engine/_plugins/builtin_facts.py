"""The built-in plugin that registers the core fact kinds, exactly as a third party would."""

from __future__ import annotations

from ..facts import Achievement, Activity, Fact, Incident, Member, Metric, Score, Team
from ..hookspecs import hookimpl


@hookimpl
def assessment_register_fact_types() -> list[type[Fact]]:
    """Team, member, activity, achievement, metric, incident and assessor score."""
    return [Team, Member, Activity, Achievement, Metric, Incident, Score]
