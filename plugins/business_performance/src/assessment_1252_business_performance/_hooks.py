"""The hook implementations: what this plugin registers with the engine."""

from __future__ import annotations

from typing import Final

from assessment_engine import Record, hookimpl
from assessment_engine.rubric import Bonus, Dimension, Indicator, Penalty, Veto

from ._facts import Standard
from ._indicators import INDICATORS
from ._rules import BONUSES, PENALTIES, VETOES
from ._vocabulary import DIMENSION

__all__ = [
    "BUSINESS_PERFORMANCE",
    "DIMENSION",
    "assessment_register_dimensions",
    "assessment_register_fact_types",
    "assessment_register_indicators",
    "assessment_register_rules",
]

#: The dimension: 100 points from the indicators, at most 10 from bonuses.
BUSINESS_PERFORMANCE: Final = Dimension(
    id=DIMENSION, label="业务 (business performance)", max=100, bonus_cap=10, order=2
)


@hookimpl
def assessment_register_fact_types() -> list[type[Record]]:
    """``standard``."""
    return [Standard]


@hookimpl
def assessment_register_dimensions() -> list[Dimension]:
    """The dimension ``bp`` (业务)."""
    return [BUSINESS_PERFORMANCE]


@hookimpl
def assessment_register_indicators() -> list[Indicator]:
    """The seven indicators, 100 points together."""
    return list(INDICATORS)


@hookimpl
def assessment_register_rules() -> list[Bonus | Penalty | Veto]:
    """Bonuses, penalties and vetoes of the dimension."""
    return [*BONUSES, *PENALTIES, *VETOES]
