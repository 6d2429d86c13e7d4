"""The whole rule set on the durable-rules (Rete) matcher: same points as the plain matcher."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal as D

import assessment_1252_business_performance as bp
import pytest

from assessment_engine import Engine


@pytest.fixture(scope="module")
def durable() -> Iterator[Engine]:
    with Engine(entry_points=False, plugins=[bp], matcher="durable") as built:
        yield built


def test_durable_matches_hand_computed_points(durable, engine, make_team):
    rich = make_team("T1", headcount=8)
    rich.metric("task_completion_pct", "96.5")  # 8
    rich.metric("report_on_time_pct", "90")  # 3
    rich.incident("quality_complaint")  # 7 − 2 = 5
    rich.achievement("project_approved", level="ministerial", role="lead")  # 6
    rich.achievement("project_approved", level="institute", role="participant")  # 0
    rich.achievement("project_accepted", level="domestic_advanced")  # 2
    rich.incident("project_overdue")  # − 2 → 0
    rich.standard("local", "participant")  # 1.5
    rich.achievement("software_copyright")  # 1
    rich.achievement("innovation", value="150000")  # 3
    rich.metric("customer_satisfaction_pct", "85")  # 2
    rich.achievement("customer_thanks")  # 1
    rich.incident("service_complaint")  # 5 − 2.5 = 2.5
    rich.activity("overtime", hours="80")  # 80 / 8 = 10 h per member → 1
    rich.incident("pt_questionable")  # 10 − 3 = 7
    rich.achievement("tech_award", level="provincial", award="third", role="lead")  # 4
    rich.achievement("regulator_adoption", level="provincial")  # 3
    rich.incident("safety_hazard_unrectified")  # − 3
    vetoed = make_team("T2", headcount=3)
    vetoed.incident("false_report")
    facts = rich.facts + vetoed.facts
    report = durable.assess(facts)
    a = report["T1"]
    assert {i.id: i.points for d in a.dimensions for i in d.indicators} == {
        "bp.task": 16,  # 8 + 3 + 5
        "bp.project": 6,
        "bp.acceptance": 0,  # 2 − 2
        "bp.std_ip": D("2.5"),  # 1.5 + 1
        "bp.innovation": 3,
        "bp.service": D("5.5"),  # 2 + 1 + 2.5
        "bp.dedication": 8,  # 1 + 7
    }
    dim = a.dimension("bp")
    assert dim.base == 41  # 16 + 6 + 0 + 2.5 + 3 + 5.5 + 8
    assert (dim.bonus, dim.penalty, dim.score) == (7, 3, 45)  # 41 + 4 + 3 − 3
    t2 = report["T2"]
    assert [v.id for v in t2.vetoes] == ["bp.veto.false_report"]
    assert t2.rank is None
    assert engine.assess(facts).to_json() == report.to_json()
