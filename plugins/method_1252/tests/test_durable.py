"""An institute on the durable-rules (Rete) matcher: the same report as the plain matcher."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal as D

import assessment_1252_business_performance as bp
import assessment_1252_civility as cv
import assessment_1252_method as method
import assessment_1252_party_building as pb
import pytest

from assessment_engine import Engine


@pytest.fixture(scope="module")
def durable() -> Iterator[Engine]:
    with Engine(entry_points=False, plugins=[pb, bp, cv, method], matcher="durable") as built:
        yield built


def test_durable_titles_grades_and_ranks(durable, engine, institute):
    institute.add("A", pb={"innovation": "provincial"})  # 32.4 + 50 + 20 = 102.4
    institute.add("B", bp={"standard_award": ("provincial", "first")})  # 30 + 52.5 + 20
    institute.add("C", bp={"corrected": 3})  # 30 + 48.5 + 20 = 98.5
    institute.add("V", pb={"innovation": "bureau"}, bp={"veto": True})  # 101.5, vetoed
    institute.add("W", cv={"labour": 15, "hours": False, "events": 0})  # 30 + 50 + 12 = 92
    institute.empty("E")  # 2.1 + 11 + 4.6 = 17.7
    report = durable.assess(institute.facts)
    # 6 teams: 红旗 ≤ max(1, ⌊0.6⌋) = 1; 红旗 + 先进 ≤ ⌊6/3⌋ = 2
    summary = {
        a.team: (a.composite, a.rank, a.grade.label, [t.id for t in a.titles]) for a in report
    }
    assert summary == {
        "B": (D("102.5"), 1, method.EXCELLENT, ["title.red_flag"]),
        # qualifies for 红旗, whose one place B took: 先进 (the shared quota's 2nd place)
        "A": (D("102.4"), 2, method.EXCELLENT, ["title.advanced"]),
        # qualifies for 先进, but the shared quota is full
        "C": (D("98.5"), 3, method.EXCELLENT, ["title.standard"]),
        # cv 60 (合格) keeps it from 先进; the composite 92 is still 优秀
        "W": (D("92"), 4, method.EXCELLENT, ["title.standard"]),
        "E": (D("17.7"), 5, method.FAIL, ["title.improve"]),
        "V": (D("101.5"), None, method.VETOED, []),
    }
    assert report.teams == ("B", "A", "C", "W", "E", "V")
    quotas = {q.id: (q.limit, q.awarded, q.overrun) for q in report.quotas}
    assert quotas == {"quota.red_flag": (1, 1, 0), "quota.honours": (2, 2, 0)}
    assert engine.assess(institute.facts).to_json() == report.to_json()
