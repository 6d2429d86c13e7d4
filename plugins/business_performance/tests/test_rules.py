"""Business bonuses (items add up, cap 10), penalties and vetoes.

An empty team scores 22 in bp (the deduction bases: report quality 7, service 5, proficiency
testing 10); dimension totals below start from there.
"""

from __future__ import annotations

import pytest

BASE = 22


@pytest.mark.parametrize(
    ("level", "award", "role", "expected"),
    [
        ("national", "second", "lead", 10),  # 国家级: 10 whatever the class
        ("national", None, "lead", 10),
        ("national", "first", "participant", 0),  # not a main completing unit
        ("ministerial", "special", "lead", 8),
        ("ministerial", "first", "lead", 8),
        ("provincial", "second", "lead", 6),
        ("provincial", "third", "lead", 4),
        ("provincial", "first", None, 0),
        ("bureau", "first", "lead", 0),  # not on the table
    ],
)
def test_tech_award(team, assess, level, award, role, expected):
    team.achievement("tech_award", level=level, award=award, role=role)
    r = assess(team)
    assert r.applied("bp.bonus.tech_award") == expected
    assert r.score == BASE + expected


@pytest.mark.parametrize("kind", ["association_award", "standard_award"])
@pytest.mark.parametrize(
    ("level", "award", "role", "expected"),
    [
        ("national", "first", "lead", 5),
        ("provincial", "second", "lead", 4),
        ("bureau", "third", "lead", 3),  # 省局级
        ("city", "third", "lead", 3),  # 市级 ranks with 省局级
        ("institute", "first", "lead", 0),  # below 省局级
        (None, "first", "lead", 0),  # level not given
        ("provincial", "first", "participant", 0),
        ("provincial", "honourable_mention", "lead", 0),
    ],
)
def test_association_and_standard_awards(team, assess, kind, level, award, role, expected):
    team.achievement(kind, level=level, award=award, role=role)
    assert assess(team).applied(f"bp.bonus.{kind}") == expected


@pytest.mark.parametrize(
    ("levels", "expected"),
    [(["provincial"], 3), (["national"], 3), (["city"], 0), (["provincial", "ministerial"], 6)],
)
def test_adoption_by_a_regulator(team, assess, levels, expected):
    for level in levels:
        team.achievement("regulator_adoption", level=level)
    assert assess(team).applied("bp.bonus.adoption") == expected


def test_bonus_items_add_up(team, assess):
    team.achievement("association_award", level="national", award="third", role="lead")  # 3
    team.achievement("standard_award", level="provincial", award="third", role="lead")  # 3
    team.achievement("regulator_adoption", level="provincial")  # 3
    r = assess(team)
    assert r.dim.bonus == 9  # 3 + 3 + 3, below the cap
    assert r.score == BASE + 9


def test_bonus_exactly_ten(team, assess):
    team.achievement("association_award", level="national", award="first", role="lead")  # 5
    team.achievement("standard_award", level="provincial", award="first", role="lead")  # 5
    r = assess(team)
    assert (r.dim.bonus_before_cap, r.dim.bonus) == (10, 10)


def test_bonus_cap_of_ten(team, assess):
    team.achievement("tech_award", level="national", award="second", role="lead")  # 10
    team.achievement("standard_award", level="provincial", award="third", role="lead")  # 3
    r = assess(team)
    assert (r.dim.bonus_before_cap, r.dim.bonus) == (13, 10)
    assert r.score == BASE + 10


@pytest.mark.parametrize(
    ("kinds", "rule", "expected"),
    [
        (["report_censured"], "bp.penalty.report_censured", 5),
        (["retest_overturned"], "bp.penalty.report_censured", 5),
        (["report_censured", "retest_overturned"], "bp.penalty.report_censured", 10),
        (["safety_hazard_unrectified"], "bp.penalty.safety_hazard", 3),
        (["safety_hazard_unrectified"] * 2, "bp.penalty.safety_hazard", 6),
    ],
)
def test_penalties(team, assess, kinds, rule, expected):
    for kind in kinds:
        team.incident(kind)
    r = assess(team)
    assert r.applied(rule) == expected
    assert r.score == BASE - expected
    assert r.vetoes == []


def test_penalties_floor_the_dimension_at_zero(team, assess):
    for _ in range(5):
        team.incident("report_censured")  # 25 > 22
    r = assess(team)
    assert r.dim.penalty == 25
    assert r.score == 0


@pytest.mark.parametrize(
    ("kind", "severity", "veto"),
    [
        ("false_report", None, "bp.veto.false_report"),
        ("quality_accident", "major", "bp.veto.quality_accident"),
        ("qualification_suspended", None, "bp.veto.qualification"),
        ("qualification_revoked", None, "bp.veto.qualification"),
        ("safety_accident", "major", "bp.veto.safety_accident"),
        ("data_leak", "major", "bp.veto.data_leak"),
    ],
)
def test_vetoes(team, assess, kind, severity, veto):
    team.incident(kind, severity=severity)
    r = assess(team)
    assert r.vetoes == [veto]
    assert r.assessment.rank is None
    assert r.assessment.titles == ()
    assert r.score == BASE  # still computed


@pytest.mark.parametrize(
    ("kind", "severity"),
    [
        ("quality_accident", "minor"),
        ("quality_accident", None),
        ("safety_accident", "serious"),  # not 重大 (death or ≥ 3 seriously injured)
        ("data_leak", None),  # no serious consequence recorded
    ],
)
def test_near_misses_do_not_veto(team, assess, kind, severity):
    team.incident(kind, severity=severity)
    assert assess(team).vetoes == []
