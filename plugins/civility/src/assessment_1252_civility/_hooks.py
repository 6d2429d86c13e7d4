"""The hook implementations: what this plugin registers with the engine."""

from __future__ import annotations

from typing import Final

from assessment_engine import Record, hookimpl
from assessment_engine.rubric import Bonus, Dimension, Indicator, Veto

from ._facts import PairingVisit
from ._indicators import INDICATORS
from ._rules import BONUSES, VETOES
from ._vocabulary import DIMENSION

__all__ = [
    "CIVILITY",
    "DIMENSION",
    "assessment_register_dimensions",
    "assessment_register_fact_types",
    "assessment_register_indicators",
    "assessment_register_rules",
]

#: The dimension: 100 points from the indicators, at most 10 from bonuses.
CIVILITY: Final = Dimension(
    id=DIMENSION, label="精神文明 (civility)", max=100, bonus_cap=10, order=3
)


@hookimpl
def assessment_register_fact_types() -> list[type[Record]]:
    """``pairing_visit``."""
    return [PairingVisit]


@hookimpl
def assessment_register_dimensions() -> list[Dimension]:
    """The dimension ``cv`` (精神文明)."""
    return [CIVILITY]


@hookimpl
def assessment_register_indicators() -> list[Indicator]:
    """The six indicators, 100 points together."""
    return list(INDICATORS)


@hookimpl
def assessment_register_rules() -> list[Bonus | Veto]:
    """Bonuses and vetoes of the dimension (it has no penalty)."""
    return [*BONUSES, *VETOES]
