"""Civility bonuses (take-the-highest honour, cap 10) and vetoes; civility has no penalty.

An empty team scores 23 in cv (hygiene 4 + civil conduct 4 + discipline 15).
"""

from __future__ import annotations

import pytest

BASE = 23


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        (["institute"], 2),
        (["city"], 4),
        (["bureau"], 4),
        (["provincial"], 6),
        (["national"], 10),
        (["institute", "city", "provincial"], 6),  # the best one, not 2 + 4 + 6
        ([None], 0),
    ],
)
def test_collective_honour_best_one(team, assess, levels, expected):
    for level in levels:
        team.achievement("collective_honour", level=level)
    r = assess(team)
    assert r.applied("cv.bonus.honour") == expected
    assert r.score == BASE + expected


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        (["city"], 2),
        (["national"], 2),
        (["bureau"], 0),  # a bureau is not 市级以上 media
        (["institute"], 0),
        (["city", "provincial"], 4),  # = cap
        (["city"] * 3, 4),  # 6 → 4
    ],
)
def test_media_reports(team, assess, levels, expected):
    for level in levels:
        team.achievement("good_deed_report", level=level)
    assert assess(team).applied("cv.bonus.media") == expected


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        (["city"], 2),
        (["bureau"], 2),  # 省局级 ranks with 市级
        (["institute"], 0),
        (["provincial", "national"], 4),
        (["city"] * 3, 4),  # 6 → 4
    ],
)
def test_volunteer_honours(team, assess, levels, expected):
    for level in levels:
        team.achievement("volunteer_honour", level=level)
    assert assess(team).applied("cv.bonus.volunteer_honour") == expected


def test_bonus_cap_of_ten(team, assess):
    team.achievement("collective_honour", level="national")  # 10
    team.achievement("good_deed_report", level="city")  # 2
    r = assess(team)
    assert (r.dim.bonus_before_cap, r.dim.bonus) == (12, 10)
    assert r.score == BASE + 10


def test_bonus_exactly_ten(team, assess):
    team.achievement("collective_honour", level="provincial")  # 6
    team.achievement("good_deed_report", level="city")  # 2
    team.achievement("volunteer_honour", level="city")  # 2
    r = assess(team)
    assert (r.dim.bonus_before_cap, r.dim.bonus) == (10, 10)


def test_no_penalty_rules(engine):
    assert engine.rubric.penalties == ()


@pytest.mark.parametrize(
    ("kind", "severity", "veto"),
    [
        ("criminal_case", None, "cv.veto.criminal_case"),
        ("safety_accident", "major", "cv.veto.accident"),
        ("food_safety_accident", "major", "cv.veto.accident"),
        ("eight_rules_violation", None, "cv.veto.eight_rules"),
        ("public_opinion", "major", "cv.veto.public_opinion"),
        ("mass_incident", "major", "cv.veto.public_opinion"),
    ],
)
def test_vetoes(team, assess, kind, severity, veto):
    team.incident(kind, severity=severity)
    r = assess(team)
    assert r.vetoes == [veto]
    assert r.assessment.rank is None
    assert r.assessment.titles == ()
    assert r.score == BASE


@pytest.mark.parametrize(
    ("kind", "severity"),
    [
        ("safety_accident", "serious"),
        ("food_safety_accident", None),
        ("public_opinion", "minor"),
        ("mass_incident", None),
    ],
)
def test_near_misses_do_not_veto(team, assess, kind, severity):
    team.incident(kind, severity=severity)
    assert assess(team).vetoes == []
