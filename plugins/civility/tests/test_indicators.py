"""Every civility indicator and sub-item against hand-computed points, at its edges.

Team T1 has headcount 10 unless said. An empty team earns the bases of cv.culture (hygiene 4,
civil conduct 4) and cv.discipline (15): 23 in all.
"""

from __future__ import annotations

from decimal import Decimal as D

import assessment_1252_civility as cv
import pytest

# --------------------------------------------------------------------------- cv.volunteer


@pytest.mark.parametrize(
    ("headcount", "hours", "expected"),
    [
        (10, ["200"], 15),  # 20 h per member
        (10, ["199"], 10),  # 19.9
        (10, ["120"], 10),  # 12
        (10, ["119.9"], 5),  # 11.99
        (10, ["60"], 5),  # 6
        (10, ["59"], 0),  # 5.9
        (10, ["150", "50"], 15),  # summed over activities: 200 / 10
        (40, ["800"], 15),  # a team four times larger needs four times the hours: 20
        (40, ["200"], 0),  # the same 200 h spread over 40 members: 5 → 0
    ],
)
def test_volunteer_hours_per_capita(make_team, assess, headcount, hours, expected):
    team = make_team(headcount=headcount)
    for h in hours:
        team.activity("volunteer", hours=h)
    team.activity("overtime", hours=1000)  # not volunteer work
    assert assess(team).part("cv.volunteer.hours") == expected


@pytest.mark.parametrize(("n", "expected"), [(1, 2), (4, 8), (5, 10), (6, 10)])
def test_volunteer_events_two_each_cap_ten(team, assess, n, expected):
    for _ in range(n):
        team.activity("volunteer")
    assert assess(team).part("cv.volunteer.events") == expected


# --------------------------------------------------------------------------- cv.pairing


@pytest.mark.parametrize(
    ("visits", "families", "quarters"),
    [
        ([("A", "2024-01-10"), ("A", "2024-02-10")], 2, 1),  # one family, one quarter
        ([("A", "2024-03-31"), ("A", "2024-04-01")], 2, 2),  # the quarter boundary
        ([("A", "2024-01-05"), ("B", "2024-04-05"), ("C", "2024-07-05")], 6, 3),
        (
            [("A", "2024-01-05"), ("B", "2024-04-05"), ("C", "2024-07-05"), ("D", "2024-10-05")],
            6,  # 4 families × 2 = 8 → 6
            4,
        ),
        (
            [
                ("A", d)
                for d in ("2024-01-05", "2024-05-05", "2024-08-05", "2024-11-05", "2024-12-24")
            ],
            2,
            4,
        ),  # five visits in four quarters → 4
    ],
)
def test_pairing_families_and_quarters(team, assess, visits, families, quarters):
    for family, date in visits:
        team.visit(family, date)
    r = assess(team)
    assert r.part("cv.pairing.families") == families
    assert r.part("cv.pairing.quarters") == quarters


def test_visit_quarter_is_derived_from_the_date():
    import datetime

    visit = cv.PairingVisit(
        team="T1", period="2024", id="v1", family="怡山社区A户", date=datetime.date(2024, 9, 30)
    )
    assert visit.quarter == 3
    with pytest.raises(ValueError, match="family"):
        cv.PairingVisit(
            team="T1", period="2024", id="v1", family=" ", date=datetime.date(2024, 9, 30)
        )


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        (["charity"], 1),
        (["charity", "donation", "tree_planting"], 3),
        (["donation"] * 5, 5),  # = cap
        (["donation"] * 6, 5),  # 6 → 5
    ],
)
def test_pairing_charity_cap_five(team, assess, kinds, expected):
    for kind in kinds:
        team.activity(kind)
    assert assess(team).part("cv.pairing.charity") == expected


# --------------------------------------------------------------------------- cv.outreach


@pytest.mark.parametrize(
    ("kind", "part", "n", "expected"),
    [
        ("public_lecture", "cv.outreach.lectures", 1, "3"),
        ("public_lecture", "cv.outreach.lectures", 3, "9"),  # = cap
        ("public_lecture", "cv.outreach.lectures", 4, "9"),  # 12 → 9
        ("lab_open_day", "cv.outreach.open_days", 1, "3"),
        ("lab_open_day", "cv.outreach.open_days", 2, "6"),  # = cap
        ("lab_open_day", "cv.outreach.open_days", 3, "6"),  # 9 → 6
        ("theme_event", "cv.outreach.theme_events", 1, "2.5"),
        ("theme_event", "cv.outreach.theme_events", 2, "5"),  # = cap
        ("theme_event", "cv.outreach.theme_events", 3, "5"),  # 7.5 → 5
    ],
)
def test_outreach(team, assess, kind, part, n, expected):
    for _ in range(n):
        team.activity(kind)
    assert assess(team).part(part) == D(expected)


def test_outreach_full(team, assess):
    for kind, n in (("public_lecture", 3), ("lab_open_day", 2), ("theme_event", 2)):
        for _ in range(n):
            team.activity(kind)
    assert assess(team).indicator("cv.outreach") == 20  # 9 + 6 + 5


# --------------------------------------------------------------------------- cv.enterprise


@pytest.mark.parametrize(
    ("kind", "part", "n", "expected"),
    [
        ("enterprise_support", "cv.enterprise.support", 1, 2),
        ("enterprise_support", "cv.enterprise.support", 3, 6),  # = cap
        ("enterprise_support", "cv.enterprise.support", 4, 6),  # 8 → 6
        ("free_testing", "cv.enterprise.free_testing", 1, 1),
        ("free_testing", "cv.enterprise.free_testing", 4, 4),  # = cap
        ("free_testing", "cv.enterprise.free_testing", 5, 4),  # 5 → 4
    ],
)
def test_enterprise(team, assess, kind, part, n, expected):
    for _ in range(n):
        team.activity(kind)
    assert assess(team).part(part) == expected


# --------------------------------------------------------------------------- cv.culture


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        (["team_slogan", "service_brand", "public_commitment"], 3),
        (["team_slogan", "service_brand"], 0),  # no public commitment
        (["service_brand", "public_commitment"], 0),  # no slogan
        (["team_slogan", "public_commitment"], 0),  # no brand
    ],
)
def test_culture_slogan_brand_commitment(team, assess, kinds, expected):
    for kind in kinds:
        team.achievement(kind)
    assert assess(team).part("cv.culture.brand") == expected


@pytest.mark.parametrize(("n", "expected"), [(1, 1), (4, 4), (5, 4)])
def test_culture_community_festivals(team, assess, n, expected):
    for _ in range(n):
        team.activity("community_festival")
    assert assess(team).part("cv.culture.community") == expected


@pytest.mark.parametrize(("n", "expected"), [(0, 4), (1, 0), (2, 0)])
def test_culture_hygiene_not_last(team, assess, n, expected):
    for _ in range(n):
        team.incident("hygiene_last_place")
    assert assess(team).part("cv.culture.hygiene") == expected


@pytest.mark.parametrize(("n", "expected"), [(0, 4), (1, 2), (2, 0), (3, 0)])
def test_culture_civil_conduct(team, assess, n, expected):
    # 4 − 2 n, not below 0
    for _ in range(n):
        team.incident("uncivil_conduct")
    assert assess(team).part("cv.culture.manners") == expected


# --------------------------------------------------------------------------- cv.discipline


@pytest.mark.parametrize(
    ("labour", "criticism", "complaints", "expected"),
    [
        (0, 0, 0, 15),
        (1, 0, 0, 14),
        (0, 1, 0, 12),
        (0, 0, 1, 12),
        (15, 0, 0, 0),  # 15 − 15
        (9, 1, 1, 0),  # 15 − 9 − 3 − 3 = 0
        (10, 2, 0, 0),  # 15 − 10 − 6 = −1 → 0 (扣完为止)
    ],
)
def test_discipline(team, assess, labour, criticism, complaints, expected):
    for kind, n in (
        ("labour_discipline", labour),
        ("institute_criticism", criticism),
        ("conduct_complaint", complaints),
    ):
        for _ in range(n):
            team.incident(kind)
    assert assess(team).indicator("cv.discipline") == expected


def test_indicators_sum_to_one_hundred_for_a_full_team(team, assess):
    for _ in range(5):
        team.activity("volunteer", hours=40)  # 200 h / 10 = 20 → 15; 5 × 2 = 10
    for i, (family, date) in enumerate(
        [("A", "2024-02-01"), ("B", "2024-05-01"), ("C", "2024-08-01"), ("A", "2024-11-01")]
    ):
        team.visit(family, date)
        team.activity("donation", id=f"d{i}")
    team.activity("tree_planting")  # 5 charity activities
    for kind, n in (
        ("public_lecture", 3),
        ("lab_open_day", 2),
        ("theme_event", 2),
        ("enterprise_support", 3),
        ("free_testing", 4),
        ("community_festival", 4),
    ):
        for _ in range(n):
            team.activity(kind)
    for kind in ("team_slogan", "service_brand", "public_commitment"):
        team.achievement(kind)
    r = assess(team)
    assert {i.id: i.points for i in r.dim.indicators} == {
        "cv.volunteer": 25,  # 15 + 10
        "cv.pairing": 15,  # 6 (3 families) + 4 (4 quarters) + 5
        "cv.outreach": 20,
        "cv.enterprise": 10,
        "cv.culture": 15,  # 3 + 4 + 4 + 4
        "cv.discipline": 15,
    }
    assert r.score == 100
