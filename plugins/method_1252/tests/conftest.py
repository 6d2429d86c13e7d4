"""Fixtures for the method tests: the four plugins (no entry points) and an institute builder.

Every team has headcount 10. ``institute.add(team_id, pb={...}, bp={...}, cv={...})`` gives a
team full marks (100) in each dimension, minus what the knobs take away, plus what they add:

* ``pb``: ``satisfaction=False`` −10, ``attendance=False`` −8, ``studio=False`` −5,
  ``seminars=n`` (of 3) −2 each missing, ``articles=n`` (of 3) −2 each missing, ``honours=n``
  (of 2) −2.5 each missing, ``dues_late=n`` −0.5 each (n ≤ 6); ``innovation=level`` adds a
  党建创新项目 bonus (institute 3, bureau 5, provincial 8), ``team_honour=level`` a collective
  honour bonus (institute 2, bureau 4, provincial 6); ``admonishment=True`` a −3 penalty;
  ``veto=True`` a 发展党员弄虚作假 veto.
* ``bp``: ``completion=False`` −10, ``on_time=False`` −8, ``satisfaction=False`` −6,
  ``corrected=n`` −1 each (n ≤ 7), ``thanks=n`` (of 4) −1 each missing, ``pt_unsatisfactory=n``
  −5 each (n ≤ 2); ``standard_award=(level, class)`` adds 5/4/3, ``adoption=True`` 3;
  ``safety_hazard=True`` a −3 penalty; ``veto=True`` a 虚假报告 veto.
* ``cv``: ``hours=False`` −15, ``events=n`` (of 5) −2 each missing, ``theme_events=n`` (of 2)
  −2.5 each missing, ``festivals=n`` (of 4) −1 each missing, ``labour=n`` −1 each (n ≤ 15);
  ``veto=True`` a 违反八项规定 veto.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import assessment_1252_business_performance as bp
import assessment_1252_civility as cv
import assessment_1252_method as method
import assessment_1252_party_building as pb
import pytest

from assessment_engine import (
    Achievement,
    Activity,
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
PLUGINS = (pb, bp, cv, method)


class Institute:
    """The facts of several teams in 2024."""

    def __init__(self) -> None:
        self.facts: list[Fact] = []
        self._ids = itertools.count(1)

    def _add(self, team: str, cls: type[Record], **fields: Any) -> None:
        fields.setdefault("id", f"{cls.fact_kind}-{next(self._ids)}")
        self.facts.append(cls(team=team, period="2024", **fields))

    def empty(self, team: str) -> None:
        """A team record only: pb 7, bp 22, cv 23 from the deduction bases."""
        self.facts.append(
            Team(team=team, period="2024", name=f"班组 {team}", department="食品所", headcount=10)
        )

    def add(
        self,
        team: str,
        *,
        pb: dict[str, Any] | None = None,
        bp: dict[str, Any] | None = None,
        cv: dict[str, Any] | None = None,
    ) -> None:
        """A team with full marks in every dimension, changed by the knobs."""
        self.empty(team)
        self._party_building(team, **(pb or {}))
        self._business(team, **(bp or {}))
        self._civility(team, **(cv or {}))

    def _party_building(
        self,
        t: str,
        *,
        satisfaction: bool = True,
        attendance: bool = True,
        studio: bool = True,
        seminars: int = 3,
        articles: int = 3,
        honours: int = 2,
        dues_late: int = 0,
        innovation: str | None = None,
        team_honour: str | None = None,
        admonishment: bool = False,
        veto: bool = False,
    ) -> None:
        add = self._add
        # 10 members: leader (party member), 2 new probationary, 3 applicants, 4 others;
        # party share 3/10, masters 9/10
        add(
            t,
            Member,
            role="leader",
            party_status="member",
            tags=["open_competition"],
            education="master",
        )
        for _ in range(2):
            add(
                t,
                Member,
                party_status="probationary",
                tags=["new_probationary"],
                education="master",
            )
        for _ in range(3):
            add(t, Member, party_status="applicant", tags=["party_application"], education="master")
        for _ in range(3):
            add(t, Member, education="master")
        add(t, Member, education="bachelor")
        add(t, pb.LeaderAppraisal, rating="excellent")
        add(t, Metric, kind="theory_test_mean", value=95)
        add(t, Metric, kind="theory_test_participation_pct", value=100)
        add(t, Metric, kind="party_activity_times", value=12)  # 12 / 3 = 4
        if attendance:
            add(t, Metric, kind="party_attendance_pct", value=100)
        if satisfaction:
            add(t, Metric, kind="staff_satisfaction_pct", value=95)
        for _ in range(seminars):
            add(t, Activity, kind="seminar")
        for _ in range(articles):
            add(t, Achievement, kind="article", level="city")
        if studio:
            add(t, Achievement, kind="expert_studio")
        add(t, Achievement, kind="young_talent", level="provincial")
        add(t, Achievement, kind="young_talent", level="institute")
        for _ in range(honours):
            add(t, Achievement, kind="member_honour", level="institute")
        for _ in range(dues_late):
            add(t, Incident, kind="party_dues_late")
        if innovation:
            add(t, Achievement, kind="party_innovation", level=innovation)
        if team_honour:
            add(t, Achievement, kind="team_party_honour", level=team_honour)
        if admonishment:
            add(t, Incident, kind="admonishment")
        if veto:
            add(t, Incident, kind="member_development_fraud")

    def _business(
        self,
        t: str,
        *,
        completion: bool = True,
        on_time: bool = True,
        satisfaction: bool = True,
        corrected: int = 0,
        thanks: int = 4,
        pt_unsatisfactory: int = 0,
        standard_award: tuple[str, str] | None = None,
        adoption: bool = False,
        safety_hazard: bool = False,
        veto: bool = False,
    ) -> None:
        add = self._add
        if completion:
            add(t, Metric, kind="task_completion_pct", value=100)
        if on_time:
            add(t, Metric, kind="report_on_time_pct", value=98)
        if satisfaction:
            add(t, Metric, kind="customer_satisfaction_pct", value=95)
        for _ in range(2):
            add(t, Achievement, kind="project_approved", level="ministerial", role="lead")
            add(t, bp.Standard, level="national", role="lead")
            add(t, Achievement, kind="innovation", value=1_000_000)
        for _ in range(3):
            add(t, Achievement, kind="project_accepted", level="domestic_leading")
            add(t, Achievement, kind="invention_patent")
        for _ in range(thanks):
            add(t, Achievement, kind="customer_thanks")
        add(t, Activity, kind="overtime", hours=600)  # 60 h per member
        for _ in range(corrected):
            add(t, Incident, kind="report_corrected")
        for _ in range(pt_unsatisfactory):
            add(t, Incident, kind="pt_unsatisfactory")
        if standard_award:
            level, award = standard_award
            add(t, Achievement, kind="standard_award", level=level, award=award, role="lead")
        if adoption:
            add(t, Achievement, kind="regulator_adoption", level="provincial")
        if safety_hazard:
            add(t, Incident, kind="safety_hazard_unrectified")
        if veto:
            add(t, Incident, kind="false_report")

    def _civility(
        self,
        t: str,
        *,
        hours: bool = True,
        events: int = 5,
        theme_events: int = 2,
        festivals: int = 4,
        labour: int = 0,
        veto: bool = False,
    ) -> None:
        add = self._add
        for _ in range(events):
            add(t, Activity, kind="volunteer", hours=(200 // events) if hours else 0)
        for family, month in (("A", 2), ("B", 5), ("C", 8), ("A", 11)):
            add(t, cv.PairingVisit, family=family, date=datetime.date(2024, month, 1))
        for kind, n in (
            ("donation", 5),
            ("public_lecture", 3),
            ("lab_open_day", 2),
            ("theme_event", theme_events),
            ("enterprise_support", 3),
            ("free_testing", 4),
            ("community_festival", festivals),
        ):
            for _ in range(n):
                add(t, Activity, kind=kind)
        for kind in ("team_slogan", "service_brand", "public_commitment"):
            add(t, Achievement, kind=kind)
        for _ in range(labour):
            add(t, Incident, kind="labour_discipline")
        if veto:
            add(t, Incident, kind="eight_rules_violation")


def check_explanations(report: Report) -> None:
    """Lines add up to points; dimension scores and the composite add up."""
    for a in report:
        for dim in a.dimensions:
            for ind in dim.indicators:
                assert sum((ln.points for ln in ind.lines), ZERO) == ind.points, ind.id
            assert dim.score == max(ZERO, dim.base + dim.bonus - dim.penalty)
        assert a.composite == sum((d.weight * d.score for d in a.dimensions), ZERO)
        assert a.team in a.explain().text()


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    """The four plugins, passed explicitly (no entry points), plain-Python matcher."""
    with Engine(entry_points=False, plugins=list(PLUGINS), matcher="python") as built:
        yield built


@pytest.fixture
def institute() -> Institute:
    """An empty institute."""
    return Institute()


@pytest.fixture
def assess(engine: Engine) -> Any:
    """``assess(institute)``: the checked report."""

    def run(facts: Institute) -> Report:
        report = engine.assess(facts.facts)
        check_explanations(report)
        return report

    return run
