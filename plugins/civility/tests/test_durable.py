"""The whole rule set on the durable-rules (Rete) matcher: same points as the plain matcher."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal as D

import assessment_1252_civility as cv
import pytest

from assessment_engine import Engine


@pytest.fixture(scope="module")
def durable() -> Iterator[Engine]:
    with Engine(entry_points=False, plugins=[cv], matcher="durable") as built:
        yield built


def test_durable_matches_hand_computed_points(durable, engine, make_team):
    rich = make_team("T1", headcount=16)
    rich.activity("volunteer", hours="100")
    rich.activity("volunteer", hours="92")  # 192 / 16 = 12 h per member → 10; 2 events → 4
    rich.visit("A", "2024-03-03")
    rich.visit("B", "2024-03-20")
    rich.visit("C", "2024-09-09")  # 3 families → 6; quarters 1 and 3 → 2
    rich.activity("tree_planting")  # 1
    rich.activity("public_lecture")  # 3
    rich.activity("theme_event")  # 2.5
    rich.activity("enterprise_support")  # 2
    rich.activity("free_testing")  # 1
    rich.achievement("team_slogan")
    rich.achievement("service_brand")  # no public commitment → 0
    rich.activity("community_festival")  # 1
    rich.incident("uncivil_conduct")  # 4 − 2 = 2
    rich.incident("labour_discipline")
    rich.incident("conduct_complaint")  # 15 − 1 − 3 = 11
    rich.achievement("collective_honour", level="city")
    rich.achievement("collective_honour", level="institute")  # the best: 4
    rich.achievement("volunteer_honour", level="provincial")  # 2
    vetoed = make_team("T2", headcount=5)
    vetoed.incident("eight_rules_violation")
    facts = rich.facts + vetoed.facts
    report = durable.assess(facts)
    a = report["T1"]
    assert {i.id: i.points for d in a.dimensions for i in d.indicators} == {
        "cv.volunteer": 14,  # 10 + 4
        "cv.pairing": 9,  # 6 + 2 + 1
        "cv.outreach": D("5.5"),  # 3 + 2.5
        "cv.enterprise": 3,  # 2 + 1
        "cv.culture": 7,  # 0 + 1 + 4 + 2
        "cv.discipline": 11,
    }
    dim = a.dimension("cv")
    assert dim.base == D("49.5")  # 14 + 9 + 5.5 + 3 + 7 + 11
    assert (dim.bonus, dim.score) == (6, D("55.5"))  # 4 + 2
    t2 = report["T2"]
    assert [v.id for v in t2.vetoes] == ["cv.veto.eight_rules"]
    assert t2.rank is None
    assert engine.assess(facts).to_json() == report.to_json()
