"""The hook implementations: what this plugin registers with the engine."""

from __future__ import annotations

from assessment_engine import hookimpl
from assessment_engine.rubric import GradeScale, Quota, Ranking, Title, Weight

from ._method import GRADE_SCALES, QUOTAS, RANKING, TITLES, WEIGHTS

__all__ = [
    "assessment_register_grade_scales",
    "assessment_register_ranking",
    "assessment_register_rules",
    "assessment_register_weights",
]


@hookimpl
def assessment_register_rules() -> list[Title | Quota]:
    """The four titles and the two quotas."""
    return [*TITLES, *QUOTAS]


@hookimpl
def assessment_register_grade_scales() -> list[GradeScale]:
    """Grade scales for ``pb``, ``bp``, ``cv`` and the composite."""
    return list(GRADE_SCALES)


@hookimpl
def assessment_register_weights() -> list[Weight]:
    """0.30 党建, 0.50 业务, 0.20 精神文明."""
    return list(WEIGHTS)


@hookimpl
def assessment_register_ranking() -> list[Ranking]:
    """Composite descending, competition ranking, vetoed teams unranked."""
    return [RANKING]
