"""The whole rule set on the durable-rules (Rete) matcher: same points as the plain matcher."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal as D

import assessment_1252_party_building as pb
import pytest

from assessment_engine import Engine


@pytest.fixture(scope="module")
def durable() -> Iterator[Engine]:
    with Engine(entry_points=False, plugins=[pb], matcher="durable") as built:
        yield built


def _teams(make_team):
    rich = make_team("T1", headcount=10)
    rich.member(role="leader", party_status="activist", tags=["open_competition"])
    rich.appraisal("competent")
    rich.members(2, party_status="member", education="master")
    rich.member(party_status="applicant", tags=["party_application"], education="doctorate")
    rich.metric("theory_test_mean", "86.5")
    rich.metric("theory_test_participation_pct", "88")
    rich.activity("seminar")
    rich.achievement("article", level="city")
    rich.achievement("article")
    rich.metric("party_attendance_pct", "92")
    rich.review("unqualified")
    rich.incident("party_dues_late")
    rich.achievement("young_talent", level="provincial")
    rich.metric("staff_satisfaction_pct", "85")
    rich.metric("party_activity_times", 7)
    rich.achievement("member_honour", level="city")
    rich.achievement("party_brand", level="bureau")
    rich.achievement("party_media_report", level="provincial")
    rich.incident("admonishment")
    vetoed = make_team("T2", headcount=4)
    vetoed.incident("member_development_fraud")
    return rich, vetoed


def test_durable_matches_hand_computed_points(durable, engine, make_team):
    rich, vetoed = _teams(make_team)
    facts = rich.facts + vetoed.facts
    report = durable.assess(facts)
    a = report["T1"]
    points = {i.id: i.points for d in a.dimensions for i in d.indicators}
    assert points == {
        "pb.leader": D("11.5"),  # 6 (open competition) + 4 (competent) + 1.5 (activist)
        "pb.develop": 4,  # 2 (one application) + 2 (share 2/10 = 0.2 ≥ 0.15)
        "pb.study": 9,  # 6 (86.5 ≥ 85) − 2 (88 % < 90 %) + 2 (seminar) + 2 + 1 (articles)
        "pb.life": D("8.5"),  # 6 (92 % ≥ 90 %) + 0 (4 − 4 unqualified) + 2.5 (3 − 0.5)
        "pb.talent": 4,  # 0 (no studio) + 4 (provincial talent) + 0 (masters 3/10)
        "pb.vanguard": D("12.5"),  # 7 (85 > 80) + 3 (7/3 ≥ 2) + 2.5 (one honour)
    }
    dim = a.dimension("pb")
    assert dim.base == D("49.5")  # 11.5 + 4 + 9 + 8.5 + 4 + 12.5
    assert dim.bonus == 7  # 5 (brand, bureau) + 2 (media report)
    assert dim.penalty == 3  # admonishment
    assert dim.score == D("53.5")  # 49.5 + 7 − 3
    assert a.rank == 1
    t2 = report["T2"]
    assert [v.id for v in t2.vetoes] == ["pb.veto.development_fraud"]
    assert t2.rank is None
    assert t2.dimension("pb").score == 7  # still computed: review 4 + dues 3
    # the plain matcher gives the same bytes
    assert engine.assess(facts).to_json() == report.to_json()
