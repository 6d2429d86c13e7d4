"""Helpers shared by the property modules: failures, fact descriptions, differences."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

import attrs

from ..engine import Engine
from ..facts import Fact, fact_identity
from ..factset import FactSet
from ..report import Report
from ..results import Assessment
from ..serialize import assessment_to_data

__all__ = [
    "SHARED",
    "Facts",
    "describe",
    "difference",
    "fail",
    "items_of",
    "report_difference",
    "report_of",
]

Facts = FactSet | Iterable[Fact]
#: What an assessment says about the team alone (ranks and titles depend on the other teams).
SHARED: Final = ("titles", "title_notes", "rank", "rank_note")


def fail(prop: str, message: str) -> AssertionError:
    """The error of a violated property: ``"<property>: <what happened>"``."""
    return AssertionError(f"{prop}: {message}")


def items_of(facts: Facts) -> list[Fact]:
    """The facts as a list."""
    return list(facts)


def report_of(engine: Engine, facts: Facts, report: Report | None) -> Report:
    """``report``, or the engine's report of the facts when none is given."""
    return report if report is not None else engine.assess(items_of(facts))


def describe(fact: Fact) -> str:
    """``activity r3 of team T1 (2024) [kind=volunteer, hours=3]``: what it is and holds."""
    shown = []
    for field in attrs.fields(type(fact)):
        if field.name in ("team", "period", "id"):
            continue
        value = getattr(fact, field.name)
        if value in (None, "", frozenset()) or (field.init and value == field.default):
            continue
        if isinstance(value, frozenset):
            value = "{" + ", ".join(sorted(value)) + "}"
        shown.append(f"{field.name}={value}")
    return f"{fact_identity(fact)} [{', '.join(shown)}]"


def difference(before: Any, after: Any, path: str = "") -> str:
    """Where two plain-data values first differ: ``dimensions[0].score: '12' → '13'``."""
    if isinstance(before, dict) and isinstance(after, dict):
        for key in list(before) + [k for k in after if k not in before]:
            if before.get(key) != after.get(key):
                return difference(
                    before.get(key), after.get(key), f"{path}.{key}" if path else str(key)
                )
    elif isinstance(before, list) and isinstance(after, list):
        for i, (x, y) in enumerate(zip(before, after, strict=False)):
            if x != y:
                return difference(x, y, f"{path}[{i}]")
        if len(before) != len(after):
            return f"{path}: {len(before)} items → {len(after)} items"
    return f"{path}: {before!r} → {after!r}"


def report_difference(before: Report, after: Report) -> str:
    """Where two reports first differ: a team's first differing value, or the rank order."""
    for team in before.teams:
        if team not in after:
            return f"team {team} is missing"
        a, b = assessment_to_data(before[team]), assessment_to_data(after[team])
        if a != b:
            return f"team {team}: {difference(a, b)}"
    if before.teams != after.teams:
        return f"the rank order {list(before.teams)} → {list(after.teams)}"
    return difference(before.to_data(), after.to_data())


def own_results(assessment: Assessment) -> dict[str, Any]:
    """An assessment as data without what depends on the other teams (ranks, titles)."""
    data = assessment_to_data(assessment)
    for name in SHARED:
        del data[name]
    return data
