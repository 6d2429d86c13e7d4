"""Fixtures for the business-performance tests: an engine with only this plugin, and a fact builder.

``team`` builds one team's facts (id ``T1``, period ``2024``, headcount 10 unless told);
``assess(team)`` assesses them with the plain-Python matcher and returns a :class:`Result`,
after checking that every explanation adds up exactly to its points.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import assessment_1252_business_performance as bp
import pytest

from assessment_engine import (
    Achievement,
    Activity,
    Assessment,
    Engine,
    Fact,
    Incident,
    Member,
    Metric,
    Record,
    Report,
    Team,
)

ZERO = Decimal(0)


class TeamFacts:
    """The facts of one team in 2024, with automatic ids."""

    def __init__(self, team: str = "T1", headcount: int = 10) -> None:
        self.team = team
        self.facts: list[Fact] = [
            Team(
                team=team,
                period="2024",
                name=f"班组 {team}",
                department="食品所",
                headcount=headcount,
            )
        ]
        self._ids = itertools.count(1)

    def add(self, cls: type[Record], **fields: Any) -> Record:
        fields.setdefault("id", f"{cls.fact_kind}-{next(self._ids)}")
        fact = cls(team=self.team, period="2024", **fields)
        self.facts.append(fact)
        return fact

    def member(self, **fields: Any) -> Record:
        return self.add(Member, **fields)

    def members(self, n: int, **fields: Any) -> None:
        for _ in range(n):
            self.member(**fields)

    def activity(self, kind: str, **fields: Any) -> Record:
        return self.add(Activity, kind=kind, **fields)

    def achievement(self, kind: str, **fields: Any) -> Record:
        return self.add(Achievement, kind=kind, **fields)

    def metric(self, kind: str, value: object) -> Record:
        return self.add(Metric, kind=kind, value=value)

    def incident(self, kind: str, **fields: Any) -> Record:
        return self.add(Incident, kind=kind, **fields)

    def standard(self, level: str, role: str, **fields: Any) -> Record:
        return self.add(bp.Standard, level=level, role=role, **fields)


class Result:
    """One team's assessment, with shortcuts to indicator, part and rule points."""

    def __init__(self, assessment: Assessment) -> None:
        self.assessment = assessment
        self.dim = assessment.dimension("bp")

    def indicator(self, indicator_id: str) -> Decimal:
        return self.assessment.indicator(indicator_id).points

    def part(self, part_id: str) -> Decimal:
        """A part's points: its own lines, its deduction, cap and floor lines."""
        lines = [line for ind in self.dim.indicators for line in ind.lines]
        lines += [line for adj in self.dim.adjustments for line in adj.lines]
        found = [ln for ln in lines if ln.source == part_id or ln.source.startswith(part_id + "#")]
        assert found, f"no line of part {part_id}"
        return sum((ln.points for ln in found), ZERO)

    def adjustment(self, rule_id: str) -> Any:
        for adj in self.dim.adjustments:
            if adj.id == rule_id:
                return adj
        raise KeyError(rule_id)

    def applied(self, rule_id: str) -> Decimal:
        """The points a bonus or penalty applied (0 when it is not listed: nothing triggered)."""
        try:
            return self.adjustment(rule_id).applied
        except KeyError:
            return ZERO

    @property
    def score(self) -> Decimal:
        return self.dim.score

    @property
    def vetoes(self) -> list[str]:
        return [v.id for v in self.assessment.vetoes]


def check_explanations(report: Report) -> None:
    """Lines add up to points, for every indicator and rule of every team."""
    for a in report:
        for dim in a.dimensions:
            for ind in dim.indicators:
                assert sum((ln.points for ln in ind.lines), ZERO) == ind.points, ind.id
                assert ZERO <= ind.points <= ind.max, ind.id
            for adj in dim.adjustments:
                sign = 1 if adj.kind == "bonus" else -1
                assert sum((ln.points for ln in adj.lines), ZERO) == sign * adj.applied, adj.id
            assert dim.score == max(ZERO, dim.base + dim.bonus - dim.penalty)
        assert a.team in a.explain().text()


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    """This plugin alone (no entry points), plain-Python matcher."""
    with Engine(entry_points=False, plugins=[bp], matcher="python") as built:
        yield built


@pytest.fixture
def team() -> TeamFacts:
    """An empty team T1 with headcount 10."""
    return TeamFacts()


@pytest.fixture
def assess(engine: Engine) -> Any:
    """``assess(team)``: the checked :class:`Result` of team T1."""

    def run(facts: TeamFacts) -> Result:
        report = engine.assess(facts.facts)
        check_explanations(report)
        return Result(report[facts.team])

    return run


@pytest.fixture
def make_team() -> Any:
    """``make_team(headcount=...)``: a team with another headcount."""
    return TeamFacts
