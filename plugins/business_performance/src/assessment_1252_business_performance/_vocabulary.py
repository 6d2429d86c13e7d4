"""Names shared by the indicators and rules: the dimension, levels and selections.

Everything a data owner writes into a ``kind``, ``level``, ``award``, ``role`` or
``severity`` is spelled here once; README.md lists the same vocabulary as a table.
"""

from __future__ import annotations

from typing import Final

from assessment_engine.rubric import Condition, Select, ValueOf, facts

__all__ = [
    "AWARD_LEVELS",
    "DIMENSION",
    "PROVINCIAL_UP",
    "achievements",
    "incidents",
    "metric",
]

#: The dimension id of business performance (业务).
DIMENSION: Final = "bp"

#: 省级以上 (regulators adopting a result): provincial, ministerial or national.
PROVINCIAL_UP: Final = ("provincial", "ministerial", "national")
#: 省局级或以上 (association and standard awards): 市级 ranks with 省局级 (both 厅局级).
AWARD_LEVELS: Final = ("bureau", "city", "provincial", "ministerial", "national")


def achievements(
    kind: str | tuple[str, ...], where: Condition | None = None, /, **eq: object
) -> Select:
    """The team's ``achievement`` records of ``kind`` (and ``where`` / field equalities)."""
    return facts("achievement", where, kind=kind, **eq)


def incidents(
    kind: str | tuple[str, ...], where: Condition | None = None, /, **eq: object
) -> Select:
    """The team's ``incident`` records of ``kind`` (and ``where`` / field equalities)."""
    return facts("incident", where, kind=kind, **eq)


def metric(kind: str, default: object = None) -> ValueOf:
    """The value of the team's one ``metric`` record of ``kind`` (``default`` when absent)."""
    return ValueOf(facts("metric", kind=kind), default=default)
