"""Every party-building indicator and sub-item against hand-computed points, at its edges.

Each test builds team T1 (headcount 10 unless said) with only the facts it needs; an empty team
still earns the deduction bases of pb.life (review 4 + dues 3), which no test here relies on
unless it says so.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

# --------------------------------------------------------------------------- pb.leader


def test_leader_full_marks(team, assess):
    team.member(role="leader", party_status="member", tags=["open_competition"])
    team.appraisal("excellent")
    r = assess(team)
    # 6 (open competition) + 6 (excellent) + 3 (party member) = 15 = max
    assert r.part("pb.leader.selection") == 6
    assert r.part("pb.leader.appraisal") == 6
    assert r.part("pb.leader.party") == 3
    assert r.indicator("pb.leader") == 15


@pytest.mark.parametrize(
    ("role", "tags", "expected"),
    [
        ("leader", ["open_competition"], 6),
        ("leader", [], 0),  # appointed, not by open competition
        ("staff", ["open_competition"], 0),  # not the leader
    ],
)
def test_leader_open_competition(team, assess, role, tags, expected):
    team.member(role=role, tags=tags)
    assert assess(team).part("pb.leader.selection") == expected


@pytest.mark.parametrize(
    ("rating", "expected"),
    [("excellent", 6), ("competent", 4), ("basically_competent", 2), ("incompetent", 0)],
)
def test_leader_appraisal(team, assess, rating, expected):
    team.appraisal(rating)
    assert assess(team).part("pb.leader.appraisal") == expected


def test_leader_appraisal_missing_gives_zero(team, assess):
    assert assess(team).part("pb.leader.appraisal") == 0


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("member", "3"),
        ("probationary", "3"),  # 预备党员 counts as 党员
        ("activist", "1.5"),
        ("applicant", "0"),  # an applicant is not yet an activist
        ("none", "0"),
    ],
)
def test_leader_party_status(team, assess, status, expected):
    team.member(role="leader", party_status=status)
    team.member(role="staff", party_status="member")  # another member's status does not count
    assert assess(team).part("pb.leader.party") == D(expected)


# --------------------------------------------------------------------------- pb.develop


@pytest.mark.parametrize(("n", "expected"), [(0, 0), (1, 2), (3, 6), (4, 6)])
def test_develop_applications_two_each_cap_six(team, assess, n, expected):
    # 2 per applicant: 1 → 2, 3 → 6 (the cap exactly), 4 → 8 capped to 6
    team.members(n, party_status="applicant", tags=["party_application"])
    team.member(party_status="applicant")  # applied in an earlier year: not counted
    assert assess(team).part("pb.develop.applications") == expected


@pytest.mark.parametrize(("n", "expected"), [(1, 3), (2, 6), (3, 6)])
def test_develop_new_probationary_three_each_cap_six(team, assess, n, expected):
    # 3 per new probationary member: 2 → 6 (the cap), 3 → 9 capped to 6
    team.members(n, party_status="probationary", tags=["new_probationary"])
    assert assess(team).part("pb.develop.probationary") == expected


@pytest.mark.parametrize(
    ("headcount", "members", "probationary", "activists", "expected"),
    [
        (10, 3, 0, 0, 3),  # 3/10 = 0.30 ≥ 0.30 → 3
        (10, 2, 1, 0, 3),  # (2 + 1 probationary)/10 = 0.30 → 3
        (100, 29, 0, 0, 2),  # 0.29, one below 0.30 → 2
        (20, 3, 0, 0, 2),  # 3/20 = 0.15 ≥ 0.15 → 2
        (10, 2, 0, 5, 2),  # activists are not members: 2/10 = 0.2 → 2
        (100, 14, 0, 0, 1),  # 0.14, one below 0.15, but > 0 → 1
        (10, 0, 0, 3, 0),  # no party member → 0
    ],
)
def test_develop_party_share(
    make_team, assess, headcount, members, probationary, activists, expected
):
    team = make_team(headcount=headcount)
    team.members(members, party_status="member")
    team.members(probationary, party_status="probationary")
    team.members(activists, party_status="activist")
    assert assess(team).part("pb.develop.share") == expected


def test_develop_irregular_takes_the_whole_indicator(team, assess):
    team.members(3, party_status="member", tags=["party_application"])  # 3 × 2 = 6
    team.members(2, party_status="probationary", tags=["new_probationary"])  # 2 × 3 = 6
    # share (3 + 2)/10 = 0.5 → 3; 6 + 6 + 3 = 15 before the deduction
    assert assess(team).indicator("pb.develop") == 15
    team.incident("member_development_irregular")
    r = assess(team)
    assert r.part("pb.develop.irregular") == -15
    assert r.indicator("pb.develop") == 0  # 15 − 15


def test_develop_irregular_floors_at_zero(team, assess):
    team.member(party_status="applicant", tags=["party_application"])  # 2
    team.member(party_status="member")  # share 0.1 → 1
    team.incident("member_development_irregular")
    ind = assess(team).assessment.indicator("pb.develop")
    # 2 + 1 − 15 = −12 → 0 (扣完为止); the floor line gives back 12
    assert ind.points == 0
    assert [ln.points for ln in ind.lines if ln.source == "pb.develop#floor"] == [12]


# --------------------------------------------------------------------------- pb.study


@pytest.mark.parametrize(
    ("mean", "expected"),
    [
        ("90", 8),
        ("89.99", 6),
        ("85", 6),
        ("84.9", 4),
        ("80", 4),
        ("79.9", 2),
        ("60", 2),
        ("59.9", 0),
    ],
)
def test_study_theory_bands(team, assess, mean, expected):
    team.metric("theory_test_mean", mean)
    team.metric("theory_test_participation_pct", 95)  # no deduction
    r = assess(team)
    assert r.part("pb.study.theory") == expected
    assert r.part("pb.study.participation") == 0


@pytest.mark.parametrize(
    ("mean", "participation", "expected"),
    [
        ("92", "90", 8),  # exactly 90 %: no deduction → 8
        ("92", "89.9", 6),  # below 90 %: 8 − 2
        ("92", None, 6),  # not reported: counts as below 90 % → 8 − 2
        ("65", "50", 0),  # 2 − 2 = 0
        ("50", "50", 0),  # the sub-item is 0 and is not taken below 0
    ],
)
def test_study_participation_deduction(team, assess, mean, participation, expected):
    team.metric("theory_test_mean", mean)
    if participation is not None:
        team.metric("theory_test_participation_pct", participation)
    team.activity("seminar")  # 2 points elsewhere in the indicator, never eaten by the deduction
    r = assess(team)
    assert r.part("pb.study.theory") + r.part("pb.study.participation") == expected
    assert r.indicator("pb.study") == expected + 2


@pytest.mark.parametrize(("n", "expected"), [(1, 2), (3, 6), (4, 6)])
def test_study_seminars_two_each_cap_six(team, assess, n, expected):
    for _ in range(n):
        team.activity("seminar")
    team.activity("lecture")  # another kind of activity
    assert assess(team).part("pb.study.seminars") == expected


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        ([None], 1),  # no level: internal exchange → 1
        (["internal"], 1),
        (["institute"], 1),  # an institute journal is internal
        (["city"], 2),
        (["provincial", "national", "ministerial"], 6),  # 2 + 2 + 2 = 6 = cap
        (["city", "city", "city", None], 6),  # 2 + 2 + 2 + 1 = 7 → 6
        (["city", None, None], 4),  # 2 + 1 + 1
    ],
)
def test_study_articles(team, assess, levels, expected):
    for level in levels:
        team.achievement("article", level=level)
    assert assess(team).part("pb.study.articles") == expected


def test_study_full_marks(team, assess):
    team.metric("theory_test_mean", 95)
    team.metric("theory_test_participation_pct", 100)
    for _ in range(3):
        team.activity("seminar")
        team.achievement("article", level="city")
    # 8 + 0 + 6 + 6 = 20 = max
    assert assess(team).indicator("pb.study") == 20


# --------------------------------------------------------------------------- pb.life


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        ("95", 8),
        ("94.9", 6),
        ("90", 6),
        ("89.9", 3),
        ("80", 3),
        ("79.9", 0),
        (None, 0),  # not reported
    ],
)
def test_life_attendance_bands(team, assess, rate, expected):
    if rate is not None:
        team.metric("party_attendance_pct", rate)
    assert assess(team).part("pb.life.attendance") == expected


@pytest.mark.parametrize(
    ("ratings", "expected"),
    [
        ([], 4),
        (["excellent", "qualified"], 4),  # no deduction
        (["basically_qualified"], 2),  # 4 − 2
        (["basically_qualified"] * 2, 0),  # 4 − 4
        (["unqualified"], 0),  # 4 − 4
        (["basically_qualified", "unqualified"], 0),  # 4 − 6 = −2 → 0 (扣完为止)
    ],
)
def test_life_democratic_review(team, assess, ratings, expected):
    for rating in ratings:
        team.review(rating)
    assert assess(team).part("pb.life.review") == expected


@pytest.mark.parametrize(("n", "expected"), [(0, "3"), (1, "2.5"), (6, "0"), (7, "0")])
def test_life_dues(team, assess, n, expected):
    # 3 − 0.5 n, not below 0: 7 × 0.5 = 3.5 → 0
    for _ in range(n):
        team.incident("party_dues_late")
    assert assess(team).part("pb.life.dues") == D(expected)


def test_life_empty_team_keeps_the_deduction_bases(team, assess):
    # no attendance reported (0) + review base 4 + dues base 3 = 7
    assert assess(team).indicator("pb.life") == 7


# --------------------------------------------------------------------------- pb.talent


def test_talent_studio(team, assess):
    assert assess(team).part("pb.talent.studio") == 0
    team.achievement("expert_studio")
    assert assess(team).part("pb.talent.studio") == 5


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        (["institute"], 2),
        (["bureau"], 2),  # 省局级 is below 省级
        (["provincial"], 4),
        (["national"], 4),
        (["institute", "provincial"], 6),  # 2 + 4 = 6 = cap
        (["provincial", "provincial"], 6),  # 8 → 6
        (["department"], 0),  # below the institute
    ],
)
def test_talent_young_talents(team, assess, levels, expected):
    for level in levels:
        team.achievement("young_talent", level=level)
    assert assess(team).part("pb.talent.young") == expected


@pytest.mark.parametrize(
    ("masters", "doctors", "expected"),
    [
        (9, 0, 4),  # 9/10 = 0.9 → 4
        (7, 1, 3),  # 8/10 → 3
        (7, 0, 3),  # 0.7 → 3
        (6, 0, 2),  # 0.6 → 2
        (5, 0, 2),  # 0.5 → 2
        (4, 0, 0),  # 0.4 → 0
    ],
)
def test_talent_degree_share(team, assess, masters, doctors, expected):
    team.members(masters, education="master")
    team.members(doctors, education="doctorate")
    team.members(10 - masters - doctors, education="bachelor")
    assert assess(team).part("pb.talent.degree") == expected


# --------------------------------------------------------------------------- pb.vanguard


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        ("90.01", 10),
        ("90", 7),  # 高于90%: exactly 90 is not above it
        ("80.5", 7),
        ("80", 4),
        ("70.1", 4),
        ("70", 0),
    ],
)
def test_vanguard_satisfaction_strict_bands(team, assess, rate, expected):
    team.metric("staff_satisfaction_pct", rate)
    assert assess(team).part("pb.vanguard.satisfaction") == expected


@pytest.mark.parametrize(
    ("times", "expected"),
    [
        (20, 5),  # 20 / 5 = 4 → 5
        (19, 3),  # 3.8 → 3
        (10, 3),  # 2 → 3
        (9, 0),  # 1.8 → 0
    ],
)
def test_vanguard_activities_per_party_member(team, assess, times, expected):
    # 5 party members and activists: 2 members, 1 probationary, 2 activists
    team.members(2, party_status="member")
    team.member(party_status="probationary")
    team.members(2, party_status="activist")
    team.members(3, party_status="applicant")  # not in the denominator
    team.metric("party_activity_times", times)
    assert assess(team).part("pb.vanguard.activity") == expected


def test_vanguard_activities_without_party_members(team, assess):
    team.metric("party_activity_times", 12)  # 12 / 0: missing → 0
    assert assess(team).part("pb.vanguard.activity") == 0


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        (["institute"], "2.5"),
        (["institute", "provincial"], "5"),  # 2.5 + 2.5 = 5 = cap
        (["institute", "bureau", "national"], "5"),  # 7.5 → 5
        (["department"], "0"),  # below the institute
        ([None], "0"),  # no level given: not shown to be 院级及以上
    ],
)
def test_vanguard_member_honours(team, assess, levels, expected):
    for level in levels:
        team.achievement("member_honour", level=level)
    assert assess(team).part("pb.vanguard.honours") == D(expected)


def test_indicators_sum_to_one_hundred_for_a_full_team(team, assess):
    team.member(role="leader", party_status="member", tags=["open_competition"], education="master")
    team.appraisal("excellent")
    team.members(3, party_status="applicant", tags=["party_application"], education="master")
    team.members(2, party_status="probationary", tags=["new_probationary"], education="master")
    team.members(3, education="master")
    team.member(education="bachelor")
    team.metric("theory_test_mean", 95)
    team.metric("theory_test_participation_pct", 100)
    team.metric("party_attendance_pct", 100)
    team.metric("staff_satisfaction_pct", 95)
    team.metric("party_activity_times", 12)  # 12 / 3 party members = 4
    for _ in range(3):
        team.activity("seminar")
        team.achievement("article", level="city")
    team.achievement("expert_studio")
    team.achievement("young_talent", level="provincial")
    team.achievement("young_talent", level="institute")
    team.achievement("member_honour", level="institute")
    team.achievement("member_honour", level="institute")
    r = assess(team)
    # 15 + 15 (6 + 6 + 3: share 3/10) + 20 + 15 + 15 (5 + 6 + 4: 9/10) + 20 = 100
    assert {i.id: i.points for i in r.dim.indicators} == {
        "pb.leader": 15,
        "pb.develop": 15,
        "pb.study": 20,
        "pb.life": 15,
        "pb.talent": 15,
        "pb.vanguard": 20,
    }
    assert r.score == 100
