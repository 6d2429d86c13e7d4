"""The hook implementations: what this plugin registers with the engine."""

from __future__ import annotations

from typing import Final

from assessment_engine import Record, hookimpl
from assessment_engine.rubric import Bonus, Dimension, Indicator, Penalty, Veto

from ._facts import LeaderAppraisal, PartyReview
from ._indicators import INDICATORS
from ._rules import BONUSES, PENALTIES, VETOES
from ._vocabulary import DIMENSION

__all__ = [
    "DIMENSION",
    "PARTY_BUILDING",
    "assessment_register_dimensions",
    "assessment_register_fact_types",
    "assessment_register_indicators",
    "assessment_register_rules",
]

#: The dimension: 100 points from the indicators, at most 10 from bonuses.
PARTY_BUILDING: Final = Dimension(
    id=DIMENSION, label="党建 (party building)", max=100, bonus_cap=10, order=1
)


@hookimpl
def assessment_register_fact_types() -> list[type[Record]]:
    """``leader_appraisal`` and ``party_review``."""
    return [LeaderAppraisal, PartyReview]


@hookimpl
def assessment_register_dimensions() -> list[Dimension]:
    """The dimension ``pb`` (党建)."""
    return [PARTY_BUILDING]


@hookimpl
def assessment_register_indicators() -> list[Indicator]:
    """The six indicators, 100 points together."""
    return list(INDICATORS)


@hookimpl
def assessment_register_rules() -> list[Bonus | Penalty | Veto]:
    """Bonuses, penalties and vetoes of the dimension."""
    return [*BONUSES, *PENALTIES, *VETOES]
