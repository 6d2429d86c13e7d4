"""Party-building bonuses (cap 10, take-the-highest, exclusive group), penalties and vetoes.

An empty team scores 7 in pb (the pb.life deduction bases: review 4 + dues 3); the dimension
totals below start from there.
"""

from __future__ import annotations

import pytest

BASE = 7  # empty team: pb.life review base 4 + dues base 3

# --------------------------------------------------------------------------- 党建创新项目/品牌


@pytest.mark.parametrize(
    ("kind", "level", "rule", "points"),
    [
        ("party_innovation", "institute", "pb.bonus.innovation.institute", 3),
        ("party_innovation", "bureau", "pb.bonus.innovation.bureau", 5),
        ("party_brand", "city", "pb.bonus.innovation.bureau", 5),  # 市级 ranks with 省局级
        ("party_brand", "provincial", "pb.bonus.innovation.provincial", 8),
        ("party_innovation", "national", "pb.bonus.innovation.provincial", 8),
    ],
)
def test_innovation_by_level(team, assess, kind, level, rule, points):
    team.achievement(kind, level=level)
    r = assess(team)
    assert r.applied(rule) == points
    assert r.dim.bonus == points
    assert r.score == BASE + points


def test_innovation_takes_the_highest_not_cumulative(team, assess):
    team.achievement("party_innovation", level="institute")
    team.achievement("party_innovation", level="institute")
    team.achievement("party_brand", level="bureau")
    team.achievement("party_innovation", level="provincial")
    r = assess(team)
    # exclusive group: 8 applies; 3 and 5 are superseded (amount kept, applied 0)
    assert r.applied("pb.bonus.innovation.provincial") == 8
    assert r.adjustment("pb.bonus.innovation.bureau").amount == 5
    assert r.applied("pb.bonus.innovation.bureau") == 0
    assert r.adjustment("pb.bonus.innovation.institute").amount == 3
    assert r.applied("pb.bonus.innovation.institute") == 0
    assert r.dim.bonus == 8  # not 3 + 5 + 8


def test_innovation_same_level_twice_counts_once(team, assess):
    team.achievement("party_innovation", level="bureau")
    team.achievement("party_brand", level="bureau")
    assert assess(team).applied("pb.bonus.innovation.bureau") == 5  # not 10


# --------------------------------------------------------------------------- publicity


@pytest.mark.parametrize(
    ("records", "expected"),
    [
        ([("party_experience_promoted", None)], 2),  # promoted by a superior party body
        ([("party_media_report", "city")], 2),
        ([("party_media_report", "institute")], 0),  # not 市级以上 media
        ([("party_media_report", None)], 0),
        ([("party_experience_promoted", None), ("party_media_report", "national")], 4),
        ([("party_media_report", "city")] * 3, 4),  # 6 → 4
    ],
)
def test_publicity_two_each_cap_four(team, assess, records, expected):
    for kind, level in records:
        team.achievement(kind, level=level)
    assert assess(team).applied("pb.bonus.publicity") == expected


# --------------------------------------------------------------------------- collective honour


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        (["institute"], 2),
        (["bureau"], 4),
        (["provincial"], 6),
        (["institute", "bureau", "institute"], 4),  # the best one, not 2 + 4 + 2
        (["national", "bureau"], 6),
    ],
)
def test_team_honour_best_one(team, assess, levels, expected):
    for level in levels:
        team.achievement("team_party_honour", level=level)
    assert assess(team).applied("pb.bonus.team_honour") == expected


# --------------------------------------------------------------------------- bonus cap


def test_bonus_cap_of_ten(team, assess):
    team.achievement("party_innovation", level="provincial")  # 8
    team.achievement("party_experience_promoted")  # 2
    team.achievement("party_media_report", level="city")  # 2 → publicity 4
    team.achievement("team_party_honour", level="provincial")  # 6
    r = assess(team)
    assert r.dim.bonus_before_cap == 18  # 8 + 4 + 6
    assert r.dim.bonus == 10
    assert r.score == BASE + 10


def test_bonus_exactly_ten_is_not_capped(team, assess):
    team.achievement("party_innovation", level="provincial")  # 8
    team.achievement("party_experience_promoted")  # 2
    r = assess(team)
    assert r.dim.bonus_before_cap == 10
    assert r.dim.bonus == 10
    assert r.score == BASE + 10


def test_bonus_eleven_is_capped_to_ten(team, assess):
    team.achievement("party_innovation", level="bureau")  # 5
    team.achievement("team_party_honour", level="provincial")  # 6
    r = assess(team)
    assert r.dim.bonus_before_cap == 11
    assert r.dim.bonus == 10


# --------------------------------------------------------------------------- penalties


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        (["admonishment"], 3),
        (["party_criticism"], 3),
        (["admonishment", "party_criticism"], 6),  # per person-time
    ],
)
def test_penalty_admonishment(team, assess, kinds, expected):
    for kind in kinds:
        team.incident(kind)
    r = assess(team)
    assert r.applied("pb.penalty.admonishment") == expected
    assert r.score == BASE - expected
    assert r.vetoes == []


def test_penalty_warning(team, assess):
    team.achievement("party_innovation", level="provincial")  # +8 → 15 before the penalty
    team.incident("party_discipline", severity="warning")
    r = assess(team)
    assert r.applied("pb.penalty.warning") == 10
    assert r.score == 5  # 7 + 8 − 10
    assert r.vetoes == []  # 警告 is penalised, not vetoed


def test_penalties_floor_the_dimension_at_zero(team, assess):
    team.incident("party_discipline", severity="warning")
    team.incident("admonishment")
    r = assess(team)
    assert r.dim.penalty == 13  # 10 + 3
    assert r.score == 0  # 7 − 13 → 0


# --------------------------------------------------------------------------- vetoes


@pytest.mark.parametrize(
    ("kind", "severity", "veto"),
    [
        ("party_discipline", "serious_warning", "pb.veto.party_discipline"),
        ("party_discipline", "dismissal", "pb.veto.party_discipline"),
        ("party_discipline", "probation", "pb.veto.party_discipline"),
        ("party_discipline", "expulsion", "pb.veto.party_discipline"),
        ("government_sanction", "demerit", "pb.veto.government_sanction"),
        ("government_sanction", "major_demerit", "pb.veto.government_sanction"),
        ("government_sanction", "demotion", "pb.veto.government_sanction"),
        ("government_sanction", "removal", "pb.veto.government_sanction"),
        ("government_sanction", "expulsion", "pb.veto.government_sanction"),
        ("criminal_case", None, "pb.veto.criminal_case"),
        ("political_discipline", "major", "pb.veto.political_discipline"),
        ("member_development_fraud", None, "pb.veto.development_fraud"),
    ],
)
def test_vetoes(team, assess, kind, severity, veto):
    team.activity("seminar")  # 2 points, still computed
    team.incident(kind, severity=severity)
    r = assess(team)
    assert r.vetoes == [veto]
    assert r.assessment.rank is None  # unranked
    assert r.assessment.titles == ()
    assert r.score == BASE + 2  # points are still computed and explained


@pytest.mark.parametrize(
    ("kind", "severity"),
    [
        ("government_sanction", "warning"),  # 政务警告: below 记过
        ("political_discipline", None),  # not a serious problem
        ("political_discipline", "minor"),
        ("member_development_irregular", None),  # irregular, not fraud: a deduction
    ],
)
def test_near_misses_do_not_veto(team, assess, kind, severity):
    team.incident(kind, severity=severity)
    r = assess(team)
    assert r.vetoes == []
    assert r.assessment.rank == 1
