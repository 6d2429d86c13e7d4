"""The composite (exact weights) and the grade bands of every dimension and of the composite."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from assessment_1252_method import EXCELLENT, FAIL, GOOD, PASS


def _scores(a):
    return tuple(a.dimension(d).score for d in ("pb", "bp", "cv"))


def test_full_marks(institute, assess):
    institute.add("T1")
    a = assess(institute)["T1"]
    assert _scores(a) == (100, 100, 100)
    assert a.composite == 100  # 30 + 50 + 20


@pytest.mark.parametrize(
    ("knobs", "scores", "composite"),
    [
        # 0.3 × 100 + 0.5 × 93 + 0.2 × 85 = 30 + 46.5 + 17 = 93.5
        ({"bp": {"corrected": 7}, "cv": {"labour": 15}}, (100, 93, 85), "93.5"),
        # 0.3 × 99.5 + 0.5 × 93 + 0.2 × 99 = 29.85 + 46.5 + 19.8 = 96.15
        (
            {"pb": {"dues_late": 1}, "bp": {"corrected": 7}, "cv": {"labour": 1}},
            ("99.5", 93, 99),
            "96.15",
        ),
        # bonuses beyond 100: 0.3 × 108 + 0.5 × 104 + 0.2 × 100 = 32.4 + 52 + 20 = 104.4
        (
            {"pb": {"innovation": "provincial"}, "bp": {"standard_award": ("national", "second")}},
            (108, 104, 100),
            "104.4",
        ),
    ],
)
def test_composite_weights_are_exact(institute, assess, knobs, scores, composite):
    institute.add("T1", **knobs)
    a = assess(institute)["T1"]
    assert _scores(a) == tuple(D(s) for s in scores)
    assert a.composite == D(composite)
    assert [d.weight for d in a.dimensions] == [D("0.30"), D("0.50"), D("0.20")]


GRADE_CASES = [
    # party building: full 100 minus the knobs
    ("pb", {"satisfaction": False}, 90, EXCELLENT),  # 100 − 10
    ("pb", {"satisfaction": False, "dues_late": 2}, 89, GOOD),  # − 1
    ("pb", {"satisfaction": False, "attendance": False, "seminars": 2}, 80, GOOD),  # −10−8−2
    ("pb", {"satisfaction": False, "attendance": False, "seminars": 2, "dues_late": 2}, 79, PASS),
    # −10 −8 −5 −6 −6 −5 = −40
    (
        "pb",
        {
            "satisfaction": False,
            "attendance": False,
            "studio": False,
            "seminars": 0,
            "articles": 0,
            "honours": 0,
        },
        60,
        PASS,
    ),
    (
        "pb",
        {
            "satisfaction": False,
            "attendance": False,
            "studio": False,
            "seminars": 0,
            "articles": 0,
            "honours": 0,
            "dues_late": 2,
        },
        59,
        FAIL,
    ),
    # business
    ("bp", {"completion": False}, 90, EXCELLENT),
    ("bp", {"completion": False, "corrected": 1}, 89, GOOD),
    ("bp", {"completion": False, "pt_unsatisfactory": 2}, 80, GOOD),  # − 10 − 10
    ("bp", {"completion": False, "pt_unsatisfactory": 2, "corrected": 1}, 79, PASS),
    # −10 −10 −6 −8 −6 = −40
    (
        "bp",
        {
            "completion": False,
            "pt_unsatisfactory": 2,
            "satisfaction": False,
            "on_time": False,
            "corrected": 6,
        },
        60,
        PASS,
    ),
    (
        "bp",
        {
            "completion": False,
            "pt_unsatisfactory": 2,
            "satisfaction": False,
            "on_time": False,
            "corrected": 7,
        },
        59,
        FAIL,
    ),
    # civility
    ("cv", {"labour": 10}, 90, EXCELLENT),
    ("cv", {"labour": 11}, 89, GOOD),
    ("cv", {"labour": 15, "theme_events": 0}, 80, GOOD),  # − 15 − 5
    ("cv", {"labour": 15, "theme_events": 0, "festivals": 3}, 79, PASS),
    ("cv", {"labour": 15, "hours": False, "events": 0}, 60, PASS),  # − 15 − 15 − 10
    ("cv", {"labour": 15, "hours": False, "events": 0, "festivals": 3}, 59, FAIL),
    # bonus points above 100 stay 优秀
    ("pb", {"innovation": "bureau"}, 105, EXCELLENT),
]


@pytest.mark.parametrize(("dim", "knobs", "score", "label"), GRADE_CASES)
def test_dimension_grade_bands_are_half_open(institute, assess, dim, knobs, score, label):
    institute.add("T1", **{dim: knobs})
    d = assess(institute)["T1"].dimension(dim)
    assert d.score == score
    assert d.grade.scale == f"grade.{dim}"
    assert d.grade.label == label


@pytest.mark.parametrize(
    ("knobs", "composite", "label"),
    [
        # 0.3 × 90 + 0.5 × 90 + 0.2 × 90 = 90
        (
            {"pb": {"satisfaction": False}, "bp": {"completion": False}, "cv": {"labour": 10}},
            "90",
            EXCELLENT,
        ),
        # 0.3 × 89 + 0.5 × 90 + 0.2 × 90 = 26.7 + 45 + 18 = 89.7
        (
            {
                "pb": {"satisfaction": False, "dues_late": 2},
                "bp": {"completion": False},
                "cv": {"labour": 10},
            },
            "89.7",
            GOOD,
        ),
        # 0.3 × 80 + 0.5 × 80 + 0.2 × 80 = 80
        (
            {
                "pb": {"satisfaction": False, "attendance": False, "seminars": 2},
                "bp": {"completion": False, "pt_unsatisfactory": 2},
                "cv": {"labour": 15, "theme_events": 0},
            },
            "80",
            GOOD,
        ),
        # 0.3 × 80 + 0.5 × 79 + 0.2 × 80 = 24 + 39.5 + 16 = 79.5
        (
            {
                "pb": {"satisfaction": False, "attendance": False, "seminars": 2},
                "bp": {"completion": False, "pt_unsatisfactory": 2, "corrected": 1},
                "cv": {"labour": 15, "theme_events": 0},
            },
            "79.5",
            PASS,
        ),
    ],
)
def test_composite_grade(institute, assess, knobs, composite, label):
    institute.add("T1", **knobs)
    a = assess(institute)["T1"]
    assert a.composite == D(composite)
    assert (a.grade.scale, a.grade.label) == ("grade.composite", label)


def test_composite_grade_bottom_band(institute, assess):
    institute.empty("T1")
    a = assess(institute)["T1"]
    # 0.3 × 7 + 0.5 × 22 + 0.2 × 23 = 2.1 + 11 + 4.6 = 17.7
    assert a.composite == D("17.7")
    assert a.grade.label == FAIL


def test_worked_example_business_grade_is_pass(institute, assess):
    """default-rubric-1252.md §6 (食品所理化室): business 75 + 3 = 78 → 合格 (良好 needs 80)."""
    from assessment_1252_business_performance import Standard

    from assessment_engine import Achievement, Activity, Incident, Metric

    institute.empty("T1")
    add = institute._add
    add("T1", Metric, kind="task_completion_pct", value=100)
    add("T1", Metric, kind="report_on_time_pct", value=96)
    add("T1", Incident, kind="report_corrected")
    add("T1", Achievement, kind="project_approved", level="bureau", role="lead")
    add("T1", Achievement, kind="project_approved", level="administration", role="lead")
    for level in ("domestic_leading", "domestic_leading", "domestic_advanced"):
        add("T1", Achievement, kind="project_accepted", level=level)
    add("T1", Standard, level="national", role="participant")
    add("T1", Achievement, kind="invention_patent")
    add("T1", Achievement, kind="innovation", value=3_000_000)
    add("T1", Achievement, kind="innovation", tags=["adopted"])
    add("T1", Metric, kind="customer_satisfaction_pct", value=93)
    add("T1", Achievement, kind="customer_thanks")
    add("T1", Achievement, kind="customer_thanks")
    add("T1", Activity, kind="overtime", hours=350)
    add("T1", Achievement, kind="standard_award", level="provincial", award="third", role="lead")
    d = assess(institute)["T1"].dimension("bp")
    # 22 + 8 + 10 + 6 + 6 + 11 + 12 = 75, + 3 = 78
    assert (d.base, d.bonus, d.score) == (75, 3, 78)
    assert d.grade.label == PASS


def test_business_score_78_from_knobs_is_pass(institute, assess):
    institute.add("T1", bp={"completion": False, "on_time": False, "corrected": 4})
    d = assess(institute)["T1"].dimension("bp")
    assert d.score == 78  # 100 − 10 − 8 − 4
    assert d.grade.label == PASS
