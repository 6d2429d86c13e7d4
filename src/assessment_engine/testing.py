"""Test helpers for rule-set authors: build facts quickly, read points, check explanations.

::

    from assessment_engine.testing import TeamFacts, TeamResult

    team = TeamFacts("T1", headcount=4)
    team.activity("volunteer", hours=20)             # id "activity-1"
    team.metric("on_time_rate", "96.5")
    report = engine.assess(team.facts)
    result = TeamResult(report["T1"], "cv")
    assert result.indicator("cv.volunteer") == 15
    assert result.part("cv.volunteer.hours") == 15    # a part's lines, with its cap and floor

    result = assess_one(engine, team, "cv")           # the same, checking every explanation first

For property tests of a whole rule set see :mod:`assessment_engine.kit` and the opt-in pytest
plugin :mod:`assessment_engine.pytest_plugin`.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from .engine import Engine
from .facts import Achievement, Activity, Fact, Incident, Member, Metric, Record, Score, Team
from .results import AdjustmentResult, Assessment, DimensionResult, Line

__all__ = ["FactBuilder", "TeamFacts", "TeamResult", "assess_one", "line_points"]

ZERO = Decimal(0)


class FactBuilder:
    """Facts of several teams in one period, with automatic ids, collected in :attr:`facts`.

    ::

        fb = FactBuilder("2024")
        fb.team("T1", headcount=4)
        fb.activity("T1", kind="volunteer", hours=2)        # id "activity-1"
        fb.score("T1", indicator="bp.judge", value="7.5", id="s1")
    """

    def __init__(self, period: str = "2024") -> None:
        self.period = period
        self.facts: list[Fact] = []
        self._ids = itertools.count(1)

    def team(self, team: str, *, headcount: int = 10, **fields: Any) -> Team:
        """Add a team record (name and department default to placeholders)."""
        fields.setdefault("name", f"班组 {team}")
        fields.setdefault("department", "食品所")
        fact = Team(team=team, period=self.period, headcount=headcount, **fields)
        self.facts.append(fact)
        return fact

    def record(self, cls: type[Record], team: str, **fields: Any) -> Record:
        """Add a record of any kind; ``id`` defaults to ``<kind>-<n>``."""
        fields.setdefault("id", f"{cls.fact_kind}-{next(self._ids)}")
        fact = cls(team=team, period=self.period, **fields)
        self.facts.append(fact)
        return fact

    def member(self, team: str, **fields: Any) -> Record:
        """Add a member."""
        return self.record(Member, team, **fields)

    def activity(self, team: str, **fields: Any) -> Record:
        """Add an activity."""
        return self.record(Activity, team, **fields)

    def achievement(self, team: str, **fields: Any) -> Record:
        """Add an achievement."""
        return self.record(Achievement, team, **fields)

    def metric(self, team: str, **fields: Any) -> Record:
        """Add a metric."""
        return self.record(Metric, team, **fields)

    def incident(self, team: str, **fields: Any) -> Record:
        """Add an incident."""
        return self.record(Incident, team, **fields)

    def score(self, team: str, **fields: Any) -> Record:
        """Add an assessor score."""
        return self.record(Score, team, **fields)


class TeamFacts:
    """The facts of one team, with automatic ids: the team record first, then what you add."""

    def __init__(
        self,
        team: str = "T1",
        *,
        headcount: int = 10,
        period: str = "2024",
        department: str = "食品所",
    ) -> None:
        self.team = team
        self._builder = FactBuilder(period)
        self._builder.team(team, headcount=headcount, department=department)

    @property
    def facts(self) -> list[Fact]:
        """Every fact added so far (the team record first)."""
        return self._builder.facts

    def add(self, cls: type[Record], **fields: Any) -> Record:
        """Add a record of any kind (a plugin's own kinds too)."""
        return self._builder.record(cls, self.team, **fields)

    def member(self, **fields: Any) -> Record:
        """Add a member."""
        return self.add(Member, **fields)

    def members(self, n: int, **fields: Any) -> None:
        """Add ``n`` members with the same fields."""
        for _ in range(n):
            self.member(**fields)

    def activity(self, kind: str, **fields: Any) -> Record:
        """Add an activity of a kind."""
        return self.add(Activity, kind=kind, **fields)

    def achievement(self, kind: str, **fields: Any) -> Record:
        """Add an achievement of a kind."""
        return self.add(Achievement, kind=kind, **fields)

    def metric(self, kind: str, value: object) -> Record:
        """Add a metric."""
        return self.add(Metric, kind=kind, value=value)

    def incident(self, kind: str, **fields: Any) -> Record:
        """Add an incident of a kind."""
        return self.add(Incident, kind=kind, **fields)

    def score(self, indicator: str, value: object, **fields: Any) -> Record:
        """Add an assessor score for an indicator or part."""
        return self.add(Score, indicator=indicator, value=value, **fields)


def line_points(lines: list[Line] | tuple[Line, ...], source: str) -> Decimal:
    """The points of the lines of one source, e.g. a part's points within its indicator.

    ``source`` itself and its ``source#…`` lines (caps, floors, deductions).
    """
    found = [ln for ln in lines if ln.source == source or ln.source.startswith(source + "#")]
    if not found:
        raise KeyError(f"no explanation line of {source!r}")
    return sum((ln.points for ln in found), ZERO)


class TeamResult:
    """One team's assessment seen from one dimension, with shortcuts to points."""

    def __init__(self, assessment: Assessment, dimension: str) -> None:
        self.assessment = assessment
        self.dim: DimensionResult = assessment.dimension(dimension)

    def indicator(self, indicator_id: str) -> Decimal:
        """An indicator's points."""
        return self.assessment.indicator(indicator_id).points

    def part(self, part_id: str) -> Decimal:
        """A part's points, from its explanation lines (with its deductions, cap and floor)."""
        lines = [line for ind in self.dim.indicators for line in ind.lines]
        lines += [line for adj in self.dim.adjustments for line in adj.lines]
        return line_points(lines, part_id)

    def adjustment(self, rule_id: str) -> AdjustmentResult:
        """A bonus or penalty that was listed (it triggered or had facts)."""
        for adj in self.dim.adjustments:
            if adj.id == rule_id:
                return adj
        raise KeyError(rule_id)

    def applied(self, rule_id: str) -> Decimal:
        """The points a bonus or penalty applied (0 when nothing triggered it)."""
        try:
            return self.adjustment(rule_id).applied
        except KeyError:
            return ZERO

    @property
    def score(self) -> Decimal:
        """The dimension's score."""
        return self.dim.score

    @property
    def vetoes(self) -> list[str]:
        """The ids of the vetoes that fired."""
        return [v.id for v in self.assessment.vetoes]


def assess_one(engine: Engine, facts: TeamFacts, dimension: str) -> TeamResult:
    """Assess one team's facts and return its result seen from ``dimension``, checked first.

    Before returning, every total of the report is checked against its explanation (lines add
    up to points, dimension and composite arithmetic hold:
    :func:`assessment_engine.kit.properties.check_explanations`) and the team's explanation text
    must render and name the team; a failure raises :class:`AssertionError` saying which total
    disagrees with which lines. This is what a rule set's point-by-point tests want from every
    assessment they make.
    """
    from .kit.properties import check_explanations

    report = engine.assess(facts.facts)
    check_explanations(engine, facts.facts, report=report)
    assessment = report[facts.team]
    if facts.team not in assessment.explain().text():
        raise AssertionError(f"the explanation text of team {facts.team} does not name it")
    return TeamResult(assessment, dimension)
