"""Every business indicator and sub-item against hand-computed points, at its edges.

Team T1 has headcount 10 unless said. An empty team earns the deduction bases: report quality 7,
service 5, proficiency testing 10 (22 in all); tests below only read the part they are about.
"""

from __future__ import annotations

from decimal import Decimal as D

import assessment_1252_business_performance as bp
import pytest

# --------------------------------------------------------------------------- bp.task


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        ("105", 10),
        ("100", 10),
        ("99.9", 8),
        ("95", 8),
        ("94.9", 5),
        ("90", 5),
        ("89.9", 0),
        (None, 0),  # not reported
    ],
)
def test_task_completion_bands(team, assess, rate, expected):
    if rate is not None:
        team.metric("task_completion_pct", rate)
    assert assess(team).part("bp.task.completion") == expected


@pytest.mark.parametrize(
    ("rate", "expected"),
    [("98", 8), ("97.9", 6), ("95", 6), ("94.9", 3), ("90", 3), ("89.9", 0)],
)
def test_task_on_time_bands(team, assess, rate, expected):
    team.metric("report_on_time_pct", rate)
    assert assess(team).part("bp.task.on_time") == expected


@pytest.mark.parametrize(
    ("corrected", "complaints", "expected"),
    [
        (0, 0, 7),
        (1, 0, 6),  # 7 − 1
        (0, 1, 5),  # 7 − 2
        (3, 2, 0),  # 7 − 3 − 4 = 0
        (4, 2, 0),  # 7 − 4 − 4 = −1 → 0 (扣完为止)
    ],
)
def test_task_report_quality(team, assess, corrected, complaints, expected):
    for _ in range(corrected):
        team.incident("report_corrected")
    for _ in range(complaints):
        team.incident("quality_complaint")
    assert assess(team).part("bp.task.quality") == expected


# --------------------------------------------------------------------------- bp.project


@pytest.mark.parametrize(
    ("levels", "role", "expected"),
    [
        (["ministerial"], "lead", 6),
        (["national"], "lead", 6),  # 国家级: at least 省部级
        (["administration"], "lead", 5),
        (["provincial_science"], "lead", 4),
        (["bureau"], "lead", 3),
        (["institute"], "lead", 1),
        (["city"], "lead", 0),  # not on the table
        (["ministerial"], "participant", 0),  # not the first undertaker
        (["ministerial"], None, 0),
        (["bureau", "administration"], "lead", 8),  # the worked example: 3 + 5
        (["ministerial", "ministerial"], "lead", 12),  # 12 = cap
        (["ministerial", "ministerial", "institute"], "lead", 12),  # 13 → 12
    ],
)
def test_projects_by_level_cap_twelve(team, assess, levels, role, expected):
    for level in levels:
        team.achievement("project_approved", level=level, role=role)
    assert assess(team).indicator("bp.project") == expected


# --------------------------------------------------------------------------- bp.acceptance


@pytest.mark.parametrize(
    ("levels", "failed", "expected"),
    [
        (["domestic_leading"], 0, 4),
        (["international_leading"], 0, 4),
        (["international_advanced"], 0, 4),
        (["domestic_advanced"], 0, 2),
        ([None], 0, 1),  # passed, no rating
        (["passed"], 0, 1),
        (["domestic_leading", "domestic_leading", "domestic_advanced"], 0, 10),  # = cap
        (["domestic_leading"] * 3, 0, 10),  # 12 → 10
        (["domestic_leading"] * 3, 1, 8),  # capped first: 10 − 2
        (["domestic_advanced"], 2, 0),  # 2 − 4 = −2 → 0 (本项不低于0)
        ([], 1, 0),
    ],
)
def test_acceptance(team, assess, levels, failed, expected):
    for level in levels:
        team.achievement("project_accepted", level=level)
    for _ in range(failed):
        team.incident("acceptance_failed")
    assert assess(team).indicator("bp.acceptance") == expected


def test_acceptance_overdue_counts_like_failed(team, assess):
    team.achievement("project_accepted", level="domestic_leading")
    team.incident("project_overdue")
    assert assess(team).indicator("bp.acceptance") == 2  # 4 − 2


# --------------------------------------------------------------------------- bp.std_ip


@pytest.mark.parametrize(
    ("standards", "expected"),
    [
        ([("national", "lead")], "5"),
        ([("national", "participant")], "3"),
        ([("industry", "lead")], "4"),
        ([("industry", "participant")], "2"),
        ([("local", "lead")], "3"),
        ([("local", "participant")], "1.5"),
        ([("group", "lead")], "2"),
        ([("group", "participant")], "1"),
        ([("national", "lead"), ("industry", "participant")], "7"),  # 5 + 2
        ([("national", "lead"), ("industry", "participant"), ("group", "participant")], "8"),
        ([("national", "lead"), ("national", "lead")], "8"),  # 10 → 8
    ],
)
def test_standards_by_level_and_role_cap_eight(team, assess, standards, expected):
    for level, role in standards:
        team.standard(level, role)
    assert assess(team).part("bp.std_ip.standards") == D(expected)


def test_standard_category_is_derived_and_validated():
    s = bp.Standard(team="T1", period="2024", id="s1", level="local", role="participant")
    assert s.category == "local_participant"
    with pytest.raises(ValueError, match="level"):
        bp.Standard(team="T1", period="2024", id="s1", level="provincial", role="lead")
    with pytest.raises(ValueError, match="role"):
        bp.Standard(team="T1", period="2024", id="s1", level="local", role="main")


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        (["invention_patent"], 3),
        (["utility_model"], 1),
        (["software_copyright"], 1),
        (["invention_patent", "invention_patent", "utility_model"], 7),  # = cap
        (["invention_patent"] * 3, 7),  # 9 → 7
        (["design_patent"], 0),  # not on the table
    ],
)
def test_ip_cap_seven(team, assess, kinds, expected):
    for kind in kinds:
        team.achievement(kind)
    assert assess(team).part("bp.std_ip.ip") == expected


def test_std_ip_full(team, assess):
    team.standard("national", "lead")
    team.standard("national", "lead")
    for _ in range(3):
        team.achievement("invention_patent")
    assert assess(team).indicator("bp.std_ip") == 15  # 8 + 7


# --------------------------------------------------------------------------- bp.innovation


@pytest.mark.parametrize(
    ("value", "tags", "expected"),
    [
        ("2000000", [], 5),
        ("1000000", [], 5),  # exactly 100万: 1 + 2 + 2
        ("999999.99", [], 3),  # one below: 1 + 2
        ("100000", [], 3),  # exactly 10万
        ("99999", ["adopted"], 1),  # one below 10万, adopted
        ("99999", [], 0),  # below 10万 and not adopted
        (None, ["adopted"], 1),  # no stated value, adopted
        (None, [], 0),
    ],
)
def test_innovation_by_value(team, assess, value, tags, expected):
    team.achievement("innovation", value=value, tags=tags)
    assert assess(team).indicator("bp.innovation") == expected


def test_innovation_cap_ten(team, assess):
    team.achievement("innovation", value=3_000_000)
    team.achievement("innovation", value=1_000_000)
    team.achievement("innovation", tags=["adopted"])
    ind = assess(team).assessment.indicator("bp.innovation")
    assert ind.points == 10  # 5 + 5 + 1 = 11 → 10
    assert [ln.points for ln in ind.lines if ln.source == "bp.innovation#max"] == [-1]


# --------------------------------------------------------------------------- bp.service


@pytest.mark.parametrize(
    ("rate", "expected"),
    [("95", 6), ("94.9", 4), ("90", 4), ("89.9", 2), ("85", 2), ("84.9", 0)],
)
def test_service_satisfaction_bands(team, assess, rate, expected):
    team.metric("customer_satisfaction_pct", rate)
    assert assess(team).part("bp.service.satisfaction") == expected


@pytest.mark.parametrize(("n", "expected"), [(1, 1), (3, 3), (4, 4), (5, 4)])
def test_service_thanks_cap_four(team, assess, n, expected):
    for _ in range(n):
        team.achievement("customer_thanks")
    assert assess(team).part("bp.service.thanks") == expected


@pytest.mark.parametrize(("n", "expected"), [(0, "5"), (1, "2.5"), (2, "0"), (3, "0")])
def test_service_complaints(team, assess, n, expected):
    # 5 − 2.5 n, not below 0
    for _ in range(n):
        team.incident("service_complaint")
    assert assess(team).part("bp.service.complaints") == D(expected)


# --------------------------------------------------------------------------- bp.dedication


@pytest.mark.parametrize(
    ("headcount", "hours", "expected"),
    [
        (10, ["600"], 3),  # 60 h per member
        (10, ["599"], 2),  # 59.9
        (10, ["300"], 2),  # 30
        (10, ["299.9"], 1),  # 29.99
        (10, ["100"], 1),  # 10
        (10, ["99"], 0),  # 9.9
        (20, ["600", "600"], 3),  # twice the team, twice the hours: the same 60 per member
        (10, ["298", "2"], 2),  # 300 / 10 = 30, summed over records
    ],
)
def test_overtime_per_capita(make_team, assess, headcount, hours, expected):
    team = make_team(headcount=headcount)
    for h in hours:
        team.activity("overtime", hours=h)
    team.activity("volunteer", hours=500)  # not overtime
    assert assess(team).part("bp.dedication.overtime") == expected


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        ([], 10),
        (["pt_questionable"], 7),
        (["pt_unsatisfactory"], 5),
        (["pt_missed"], 5),
        (["pt_unsatisfactory", "pt_missed"], 0),  # 10 − 10
        (["pt_questionable", "pt_unsatisfactory", "pt_unsatisfactory"], 0),  # −3 → 0
    ],
)
def test_proficiency_testing(team, assess, kinds, expected):
    for kind in kinds:
        team.incident(kind)
    assert assess(team).part("bp.dedication.proficiency") == expected


# --------------------------------------------------------------------------- §6 worked example


def test_worked_example_of_the_proposal(team, assess):
    """食品所理化室 (default-rubric-1252.md §6): base 75, bonus 3, score 78."""
    team.metric("task_completion_pct", 100)  # 10
    team.metric("report_on_time_pct", 96)  # 6
    team.incident("report_corrected")  # 7 − 1 = 6
    team.achievement("project_approved", level="bureau", role="lead")  # 3
    team.achievement("project_approved", level="administration", role="lead")  # 5
    team.achievement("project_accepted", level="domestic_leading")  # 4
    team.achievement("project_accepted", level="domestic_leading")  # 4
    team.achievement("project_accepted", level="domestic_advanced")  # 2
    team.standard("national", "participant")  # 3
    team.achievement("invention_patent")  # 3
    team.achievement("innovation", value=3_000_000, description="电位滴定仪改造")  # 5
    team.achievement("innovation", tags=["adopted"], description="试验记录改进")  # 1
    team.metric("customer_satisfaction_pct", 93)  # 4
    team.achievement("customer_thanks")
    team.achievement("customer_thanks")  # 2
    team.activity("overtime", hours=350)  # 35 h per member → 2
    team.achievement("standard_award", level="provincial", award="third", role="lead")  # 3
    r = assess(team)
    assert {i.id: i.points for i in r.dim.indicators} == {
        "bp.task": 22,  # 10 + 6 + 6
        "bp.project": 8,  # 3 + 5
        "bp.acceptance": 10,  # 4 + 4 + 2
        "bp.std_ip": 6,  # 3 + 3
        "bp.innovation": 6,  # 5 + 1
        "bp.service": 11,  # 4 + 2 + 5
        "bp.dedication": 12,  # 2 + 10
    }
    assert r.dim.base == 75
    assert r.dim.bonus == 3
    assert r.score == 78
