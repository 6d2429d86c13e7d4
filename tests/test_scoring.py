"""Every scoring form against hand-computed points, at and around its edges, on both matchers.

Each test builds a one-indicator rubric, feeds it a team, and compares the indicator's points
with arithmetic written out in the comments. The ``assess`` fixture also holds every report to
the explanation invariant (the lines of each indicator sum exactly to its points).
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from assessment_engine import InputError
from assessment_engine.rubric import (
    AssessorDeduction,
    AssessorScore,
    Band,
    Bands,
    BestItem,
    Count,
    Deduct,
    Deduction,
    Dimension,
    Highest,
    Indicator,
    Linear,
    Option,
    Part,
    Parts,
    PerItem,
    PointsBy,
    Ratio,
    Rubric,
    Total,
    ValueOf,
    WhenAll,
    exists,
    facts,
    per_capita,
)

T = "T1"


def rubric_of(scoring: object, *, max: object = 100, more: tuple[Indicator, ...] = ()) -> Rubric:
    """One dimension ``bp`` holding the indicator ``bp.x`` scored by ``scoring``."""
    return Rubric.build(
        dimensions=[Dimension(id="bp", label="业务 (business)", max=100)],
        indicators=[
            Indicator(id="bp.x", dimension="bp", label="测试 (test)", max=max, scoring=scoring),
            *more,
        ],
    )


def indicator(report, ind: str = "bp.x", team: str = T):
    return report[team].indicator(ind)


def sources(ind) -> list[str]:
    return [line.source for line in ind.lines]


# --------------------------------------------------------------------------- PerItem


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "0"),  # 0 × 1.5 = 0
        (1, "1.5"),  # 1 × 1.5
        (7, "10.5"),  # 7 × 1.5, no cap
    ],
)
def test_per_item_fixed_points_without_cap(assess, fact_builder, n, expected):
    fb = fact_builder
    fb.team(T)
    for _ in range(n):
        fb.activity(T, kind="seminar")
    fb.activity(T, kind="lecture")  # another kind: not selected
    report = assess(rubric_of(PerItem(facts("activity", kind="seminar"), "1.5")), fb.facts)
    ind = indicator(report)
    assert ind.points == D(expected)
    assert "bp.x#cap" not in sources(ind)


@pytest.mark.parametrize(
    ("n", "expected", "cap_line"),
    [
        (2, "4", None),  # 2 × 2 = 4, below the cap of 6
        (3, "6", None),  # 3 × 2 = 6, exactly the cap: nothing clipped, no cap line
        (4, "6", "-2"),  # 4 × 2 = 8 > 6 → 6; the cap line takes 6 − 8 = −2
        (9, "6", "-12"),  # 9 × 2 = 18 → 6; cap line 6 − 18 = −12
    ],
)
def test_per_item_with_cap(assess, fact_builder, n, expected, cap_line):
    # 专题研讨 每次 2 分, 最高 6 分
    fb = fact_builder
    fb.team(T)
    ids = [fb.activity(T, kind="seminar").id for _ in range(n)]
    report = assess(rubric_of(PerItem(facts("activity", kind="seminar"), 2, cap=6)), fb.facts)
    ind = indicator(report)
    assert ind.points == D(expected)
    first = ind.lines[0]
    assert first.points == 2 * n  # the raw line: n × 2 before the cap
    assert [f.id for f in first.facts] == sorted(ids)
    caps = [line.points for line in ind.lines if line.source == "bp.x#cap"]
    assert caps == ([] if cap_line is None else [D(cap_line)])


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (4, "6"),  # 4 × 1.5 = 6 < 6.8
        (5, "6.8"),  # 5 × 1.5 = 7.5 > 6.8 by less than one point → 6.8
    ],
)
def test_per_item_fractional_cap(assess, fact_builder, n, expected):
    fb = fact_builder
    fb.team(T)
    for _ in range(n):
        fb.activity(T, kind="seminar")
    scoring = PerItem(facts("activity", kind="seminar"), "1.5", cap="6.8")
    report = assess(rubric_of(scoring), fb.facts)
    assert indicator(report).points == D(expected)


LEVELS = PointsBy("level", {"national": 5, "provincial": 3}, default=1)


@pytest.mark.parametrize(
    ("levels", "expected", "cap_line"),
    [
        ([], "0", None),
        (["national", "provincial"], "8", None),  # 5 + 3
        (["national", "provincial", "city"], "9", None),  # 5 + 3 + 1 (city: default)
        (["provincial", None], "4", None),  # 3 + 1 (no level: default)
        (["national", "national", None, "city"], "12", None),  # 5 + 5 + 1 + 1 = 12 = cap
        (["national", "national", "provincial"], "12", "-1"),  # 5 + 5 + 3 = 13 → 12
        (["national"] * 4, "12", "-8"),  # 4 × 5 = 20 → 12
    ],
)
def test_points_by_level_with_cap(assess, fact_builder, levels, expected, cap_line):
    # 科研立项 国家级 5 / 省级 3 / 其他 1 每项, 累计不超过 12 分
    fb = fact_builder
    fb.team(T)
    for level in levels:
        fb.achievement(T, kind="project", level=level)
    fb.achievement(T, kind="patent", level="national")  # not a project: not counted
    scoring = PerItem(facts("achievement", kind="project"), LEVELS, cap=12)
    report = assess(rubric_of(scoring), fb.facts)
    ind = indicator(report)
    assert ind.points == D(expected)
    caps = [line.points for line in ind.lines if line.source == "bp.x#cap"]
    assert caps == ([] if cap_line is None else [D(cap_line)])
    details = sorted(f.detail for f in ind.lines[0].facts)
    table = {"national": 5, "provincial": 3}  # anything else: the default 1
    expected_details = sorted(f"level={level} → {table.get(level, 1)}" for level in levels)
    assert details == expected_details


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        ([], "0"),  # nothing: 0
        (["city"], "1"),  # default only
        (["provincial", "city", "provincial"], "3"),  # best is 3, not 3 + 1 + 3
        (["national", "provincial", "city", None], "5"),  # best is 5, not 10
    ],
)
def test_best_item_takes_the_highest_single_item(assess, fact_builder, levels, expected):
    # 集体荣誉 取最高一项, 不累计
    fb = fact_builder
    fb.team(T)
    for level in levels:
        fb.achievement(T, kind="honour", level=level)
    report = assess(rubric_of(BestItem(facts("achievement", kind="honour"), LEVELS)), fb.facts)
    ind = indicator(report)
    assert ind.points == D(expected)
    assert len(ind.lines[0].facts) == len(levels)  # every candidate is shown


# --------------------------------------------------------------------------- Linear


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        ([], "0"),  # total 0 h
        (["1.5", "1.0"], "1.25"),  # 0.5 × (1.5 + 1.0) = 0.5 × 2.5 = 1.25
        (["0.1", "0.2"], "0.15"),  # 0.5 × 0.3 = 0.15 exactly (no float drift)
        (["12"], "6"),  # 0.5 × 12
    ],
)
def test_linear_per_hour_of_summed_decimal(assess, fact_builder, hours, expected):
    fb = fact_builder
    fb.team(T)
    for h in hours:
        fb.activity(T, kind="overtime", hours=h)
    scoring = Linear(Total(facts("activity", kind="overtime"), "hours"), "0.5")
    report = assess(rubric_of(scoring), fb.facts)
    assert indicator(report).points == D(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", "0"),  # 0 whole units of 500
        ("499", "0"),  # ⌊499 / 500⌋ = 0
        ("500", "1"),  # ⌊500 / 500⌋ = 1: exactly one full unit
        ("999", "1"),  # ⌊999 / 500⌋ = 1 (999 is not two units)
        ("1000", "2"),  # ⌊1000 / 500⌋ = 2
        ("1499.99", "2"),  # ⌊2.99998⌋ = 2
        ("1500", "3"),  # 3 units → 3 = cap, exactly
        ("2500", "3"),  # 5 units → 5 > 3 → cap 3
        ("-20", "0"),  # negative quantities count as 0
    ],
)
def test_linear_per_full_unit_with_cap(assess, fact_builder, value, expected):
    # 每满 500 份得 1 分, 最高 3 分
    fb = fact_builder
    fb.team(T)
    fb.metric(T, kind="samples", value=value)
    scoring = Linear(ValueOf(facts("metric", kind="samples")), 1, unit=500, cap=3)
    report = assess(rubric_of(scoring), fb.facts)
    ind = indicator(report)
    assert ind.points == D(expected)
    has_cap_line = "bp.x#cap" in sources(ind)
    assert has_cap_line == (value == "2500")


@pytest.mark.parametrize(
    ("headcount", "hours", "expected"),
    [
        (4, "39", "0"),  # 39 / 4 = 9.75 h per member: no whole 10 h → 0
        (4, "40", "2"),  # 40 / 4 = 10 → 1 unit × 2 = 2
        (4, "119", "4"),  # 29.75 → 2 units × 2 = 4
        (4, "120", "6"),  # 30 → 3 units × 2 = 6 = cap, exactly
        (4, "200", "6"),  # 50 → 5 units × 2 = 10 > 6 → 6
        (8, "80", "2"),  # twice the team, twice the hours: 80 / 8 = 10 → same 2 points
        (3, "100", "6"),  # 100/3 = 33.33… → 3 units (exact fraction, not a rounded float) → 6
    ],
)
def test_linear_per_capita_with_unit_and_cap(assess, fact_builder, headcount, hours, expected):
    # 人均志愿服务 每满 10 小时得 2 分, 最高 6 分
    fb = fact_builder
    fb.team(T, headcount=headcount)
    fb.activity(T, kind="volunteer", hours=hours)
    scoring = Linear(
        per_capita(Total(facts("activity", kind="volunteer"), "hours")), 2, unit=10, cap=6
    )
    report = assess(rubric_of(scoring), fb.facts)
    assert indicator(report).points == D(expected)


def test_linear_without_unit_is_capped(assess, fact_builder):
    fb = fact_builder
    fb.team(T)
    for _ in range(5):
        fb.activity(T, kind="visit")
    # 5 visits × 1.2 = 6 > cap 5 → 5
    report = assess(
        rubric_of(Linear(Count(facts("activity", kind="visit")), "1.2", cap=5)), fb.facts
    )
    ind = indicator(report)
    assert ind.points == 5
    assert [line.points for line in ind.lines] == [D(6), D(-1)]


# --------------------------------------------------------------------------- Bands

RATE = ValueOf(facts("metric", kind="rate"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("100", "8"),  # ≥ 90: the highest band reached wins (8, not 8 + 4)
        ("90", "8"),  # exactly 90: ≥ is inclusive
        ("89.99", "4"),  # just below 90: the next band, ≥ 80
        ("80", "4"),  # exactly 80
        ("79.999", "1"),  # below every band: otherwise 1
        (None, "1"),  # no metric reported: the comparison cannot hold → otherwise
    ],
)
def test_bands_inclusive_at_threshold(assess, fact_builder, value, expected):
    # 任务完成率 ≥90% 8 分, ≥80% 4 分, 其余 1 分
    fb = fact_builder
    fb.team(T)
    if value is not None:
        fb.metric(T, kind="rate", value=value)
    scoring = Bands(RATE, [Band.at_least(90, 8), Band.at_least(80, 4)], otherwise=1)
    report = assess(rubric_of(scoring), fb.facts)
    assert indicator(report).points == D(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("90.01", "10"),  # > 90
        ("90", "7"),  # exactly 90 is not 高于 90: falls to > 80
        ("80", "4"),  # exactly 80: not > 80, but > 70
        ("70", "0"),  # exactly 70: no band; otherwise 0
        ("70.0001", "4"),
    ],
)
def test_bands_strict_at_threshold(assess, fact_builder, value, expected):
    # 职工满意率 高于90% 10 分, 高于80% 7 分, 高于70% 4 分
    fb = fact_builder
    fb.team(T)
    fb.metric(T, kind="rate", value=value)
    scoring = Bands(RATE, [Band.above(90, 10), Band.above(80, 7), Band.above(70, 4)])
    report = assess(rubric_of(scoring), fb.facts)
    assert indicator(report).points == D(expected)


@pytest.mark.parametrize(("value", "expected"), [("90.5", "10"), ("90", "9"), ("89.9", "0")])
def test_bands_strict_and_inclusive_at_the_same_threshold(assess, fact_builder, value, expected):
    # > 90 → 10, = 90 → 9 (≥ 90 but not > 90), below → 0
    fb = fact_builder
    fb.team(T)
    fb.metric(T, kind="rate", value=value)
    scoring = Bands(RATE, [Band.above(90, 10), Band.at_least(90, 9)])
    report = assess(rubric_of(scoring), fb.facts)
    assert indicator(report).points == D(expected)


PARTY_SHARE = Ratio(
    Count(facts("member", party_status=("member", "probationary"))), Count(facts("member"))
)


@pytest.mark.parametrize(
    ("party", "others", "expected"),
    [
        (15, 15, "8"),  # 15/30 = 0.5 exactly ≥ 0.5 → 8
        (14, 16, "5"),  # 14/30 = 0.4666… < 0.5, ≥ 0.3 → 5
        (9, 21, "5"),  # 9/30 = 0.3 exactly ≥ 0.3 → 5
        (1, 29, "0"),  # 1/30 < 0.3 → otherwise 0
        (0, 0, "0"),  # 0/0: the ratio is missing, no band holds → 0
    ],
)
def test_bands_on_exact_ratio(assess, fact_builder, party, others, expected):
    # 党员占班组人数 ≥50% 8 分, ≥30% 5 分
    fb = fact_builder
    fb.team(T, headcount=30)
    for _ in range(party):
        fb.member(T, party_status="member")
    for _ in range(others):
        fb.member(T, party_status="applicant")
    scoring = Bands(PARTY_SHARE, [Band.at_least("0.5", 8), Band.at_least("0.3", 5)])
    report = assess(rubric_of(scoring), fb.facts)
    ind = indicator(report)
    assert ind.points == D(expected)
    if party + others:
        assert f"{party}/{party + others}" in ind.lines[0].reason


@pytest.mark.parametrize(
    ("num", "den", "expected"),
    [
        ("1", "3", "5"),  # 1/3 = 0.33333… : < 0.3334, ≥ 0.3333 → 5
        ("3333", "10000", "5"),  # 0.3333 exactly: ≥ 0.3333 → 5
        ("3334", "10000", "6"),  # 0.3334 exactly: ≥ 0.3334 → 6
        ("3332.9999", "10000", "0"),  # just below 0.3333 → 0
    ],
)
def test_bands_ratio_one_third_against_decimal_thresholds(assess, fact_builder, num, den, expected):
    fb = fact_builder
    fb.team(T)
    fb.metric(T, kind="num", value=num)
    fb.metric(T, kind="den", value=den)
    share = Ratio(ValueOf(facts("metric", kind="num")), ValueOf(facts("metric", kind="den")))
    scoring = Bands(share, [Band.at_least("0.3334", 6), Band.at_least("0.3333", 5)])
    report = assess(rubric_of(scoring), fb.facts)
    assert indicator(report).points == D(expected)


@pytest.mark.parametrize(
    ("num", "den", "expected"),
    [
        ("1", "3", "3"),  # 1/3 > 0.3333 (by 1/30000) → 3
        ("3333", "10000", "0"),  # 0.3333 is not > 0.3333 → 0
    ],
)
def test_bands_strict_ratio_one_third(assess, fact_builder, num, den, expected):
    fb = fact_builder
    fb.team(T)
    fb.metric(T, kind="num", value=num)
    fb.metric(T, kind="den", value=den)
    share = Ratio(ValueOf(facts("metric", kind="num")), ValueOf(facts("metric", kind="den")))
    report = assess(rubric_of(Bands(share, [Band.above("0.3333", 3)])), fb.facts)
    assert indicator(report).points == D(expected)


@pytest.mark.parametrize(
    ("headcount", "hours", "expected"),
    [
        (3, ["30", "30"], "15"),  # 60 / 3 = 20 h per member ≥ 20 → 15
        (3, ["59"], "10"),  # 59 / 3 = 19.67 < 20, ≥ 12 → 10
        (3, ["18"], "5"),  # 18 / 3 = 6 ≥ 6 → 5
        (3, ["17.99"], "0"),  # 5.9967 < 6 → 0
        (6, ["120"], "15"),  # twice the team and the hours: still 20 → 15
        (40, ["60"], "0"),  # a big team with the same hours: 1.5 per member → 0
    ],
)
def test_bands_per_capita_normalisation(assess, fact_builder, headcount, hours, expected):
    # 人均志愿服务时长 ≥20h 15 分, ≥12h 10 分, ≥6h 5 分
    fb = fact_builder
    fb.team(T, headcount=headcount)
    ids = [fb.activity(T, kind="volunteer", hours=h).id for h in hours]
    scoring = Bands(
        per_capita(Total(facts("activity", kind="volunteer"), "hours")),
        [Band.at_least(20, 15), Band.at_least(12, 10), Band.at_least(6, 5)],
    )
    report = assess(rubric_of(scoring), fb.facts)
    ind = indicator(report)
    assert ind.points == D(expected)
    assert [f.id for f in ind.lines[0].facts] == sorted(ids)


# --------------------------------------------------------------------------- Deduct

QUALITY = Deduct(
    7,
    [
        Deduction("更正报告 (corrected report)", 1, select=facts("incident", kind="correction")),
        Deduction("客户投诉 (complaint)", 2, select=facts("incident", kind="complaint")),
    ],
)


@pytest.mark.parametrize(
    ("corrections", "complaints", "expected", "floor_line"),
    [
        (0, 0, "7", None),  # base 7, nothing deducted
        (1, 0, "6", None),  # 7 − 1 × 1 = 6
        (1, 2, "2", None),  # 7 − 1 − 2 × 2 = 2
        (1, 3, "0", None),  # 7 − 1 − 6 = 0: exactly used up, no floor line
        (2, 3, "0", "1"),  # 7 − 2 − 6 = −1 → 扣完为止 0; the floor line gives back +1
        (0, 10, "0", "13"),  # 7 − 20 = −13 → 0
    ],
)
def test_deduct_floored_at_zero(
    assess, fact_builder, corrections, complaints, expected, floor_line
):
    fb = fact_builder
    fb.team(T)
    for _ in range(corrections):
        fb.incident(T, kind="correction")
    for _ in range(complaints):
        fb.incident(T, kind="complaint")
    report = assess(rubric_of(QUALITY, max=7), fb.facts)
    ind = indicator(report)
    assert ind.points == D(expected)
    assert ind.lines[0].points == 7  # the base line
    floors = [line.points for line in ind.lines if line.source == "bp.x#floor"]
    assert floors == ([] if floor_line is None else [D(floor_line)])
    deducted = {line.label: line.points for line in ind.lines if "#deduct" in line.source}
    assert deducted.get("更正报告 (corrected report)", D(0)) == -corrections
    assert deducted.get("客户投诉 (complaint)", D(0)) == -2 * complaints


@pytest.mark.parametrize(
    ("rate", "expected", "mark"),
    [
        ("90", "8", "✗"),  # 90 is not 不足 90 %: no deduction
        ("89.9", "6", "✓"),  # 8 − 2 = 6
        (None, "8", "✗"),  # no participation metric: the comparison cannot hold
    ],
)
def test_deduct_conditional_deduction(assess, fact_builder, rate, expected, mark):
    # 理论测试 基础 8 分; 参测率不足 90% 再扣 2 分
    fb = fact_builder
    fb.team(T)
    if rate is not None:
        fb.metric(T, kind="participation", value=rate)
    scoring = Deduct(
        8,
        [
            Deduction(
                "参测率不足90% (participation below 90 %)",
                2,
                when=ValueOf(facts("metric", kind="participation")).below(90),
            )
        ],
    )
    report = assess(rubric_of(scoring, max=8), fb.facts)
    ind = indicator(report)
    assert ind.points == D(expected)
    (line,) = [line for line in ind.lines if "#deduct" in line.source]
    assert line.reason.startswith(mark)


@pytest.mark.parametrize(
    ("late", "expected", "floor_line"),
    [
        (1, "3", None),  # 5 − 2 = 3
        (2, "1", None),  # 5 − 4 = 1 = the floor exactly
        (3, "1", "2"),  # 5 − 6 = −1 → 不低于 1: the floor line gives back 1 − (−1) = 2
    ],
)
def test_deduct_with_a_positive_floor(assess, fact_builder, late, expected, floor_line):
    fb = fact_builder
    fb.team(T)
    for _ in range(late):
        fb.incident(T, kind="late")
    scoring = Deduct(
        5, [Deduction("迟到 (late)", 2, select=facts("incident", kind="late"))], floor=1
    )
    report = assess(rubric_of(scoring, max=5), fb.facts)
    ind = indicator(report)
    assert ind.points == D(expected)
    floors = [line.points for line in ind.lines if line.source == "bp.x#floor"]
    assert floors == ([] if floor_line is None else [D(floor_line)])


def test_deduct_without_floor_alone_is_clipped_by_the_indicator(assess, fact_builder):
    fb = fact_builder
    fb.team(T)
    for _ in range(3):
        fb.incident(T, kind="late")
    # base 2 − 3 × 1 = −1, no floor in the form; the indicator clips to 0 with a +1 line
    scoring = Deduct(
        2, [Deduction("迟到 (late)", 1, select=facts("incident", kind="late"))], floor=None
    )
    report = assess(rubric_of(scoring, max=2), fb.facts)
    ind = indicator(report)
    assert ind.points == 0
    assert [(line.source, line.points) for line in ind.lines] == [
        ("bp.x", D(2)),
        ("bp.x#deduct0", D(-3)),
        ("bp.x#floor", D(1)),
    ]


PARTS_WITH_NEGATIVE = Parts(
    [
        Part(
            id="bp.x.safety",
            label="安全 (safety)",
            scoring=Deduct(
                2,
                [Deduction("隐患 (hazard)", 3, select=facts("incident", kind="hazard"))],
                floor=None,
            ),
        ),
        Part(
            id="bp.x.drills",
            label="演练 (drills)",
            scoring=PerItem(facts("activity", kind="drill"), 1),
        ),
    ]
)


@pytest.mark.parametrize(
    ("hazards", "drills", "expected"),
    [
        (0, 0, "2"),  # 2 + 0
        (1, 3, "2"),  # (2 − 3) + 3 = −1 + 3 = 2: the negative part offsets the other part
        (1, 1, "0"),  # −1 + 1 = 0
        (1, 0, "0"),  # −1 + 0 = −1 → the indicator clips at 0
        (2, 2, "0"),  # (2 − 6) + 2 = −2 → 0
        (0, 9, "10"),  # 2 + 9 = 11 → indicator max 10
    ],
)
def test_parts_with_unfloored_part_going_negative(assess, fact_builder, hazards, drills, expected):
    fb = fact_builder
    fb.team(T)
    for _ in range(hazards):
        fb.incident(T, kind="hazard")
    for _ in range(drills):
        fb.activity(T, kind="drill")
    report = assess(rubric_of(PARTS_WITH_NEGATIVE, max=10), fb.facts)
    ind = indicator(report)
    assert ind.points == D(expected)
    raw = 2 - 3 * hazards + drills
    if raw < 0:
        assert [line.points for line in ind.lines if line.source == "bp.x#floor"] == [-raw]
    if raw > 10:
        assert [line.points for line in ind.lines if line.source == "bp.x#max"] == [10 - raw]


# --------------------------------------------------------------------------- AssessorScore

JUDGED = AssessorScore(10)


@pytest.mark.parametrize("value", ["0", "7.5", "10"])
def test_assessor_score_within_bounds(assess, fact_builder, value):
    fb = fact_builder
    fb.team(T)
    fb.score(T, id="s1", indicator="bp.x", value=value, assessor="王评委")
    report = assess(rubric_of(JUDGED, max=10), fb.facts)
    ind = indicator(report)
    assert ind.points == D(value)
    (line,) = ind.lines
    assert [f.id for f in line.facts] == ["s1"]
    assert "王评委" in line.reason
    assert "[0, 10]" in line.reason


@pytest.mark.parametrize(
    ("scoring", "value", "bounds"),
    [
        (AssessorScore(10), "10.5", "[0, 10]"),
        (AssessorScore(10), "-0.5", "[0, 10]"),
        (AssessorScore(10, minimum=2), "1.5", "[2, 10]"),
    ],
)
def test_assessor_score_out_of_bounds_is_an_input_error(
    make_engine, fact_builder, scoring, value, bounds
):
    fb = fact_builder
    fb.team(T)
    fb.score(T, id="s1", indicator="bp.x", value=value)
    engine = make_engine(rubric_of(scoring, max=10))
    with pytest.raises(InputError) as info:
        engine.assess(fb.facts)
    (problem,) = info.value.problems
    assert problem.field == "value"
    assert "score s1 of team T1" in problem.record
    assert bounds in problem.reason
    assert value in problem.reason


def test_assessor_score_at_minimum_is_accepted(assess, fact_builder):
    fb = fact_builder
    fb.team(T)
    fb.score(T, indicator="bp.x", value="2")
    report = assess(rubric_of(AssessorScore(10, minimum=2), max=10), fb.facts)
    assert indicator(report).points == 2


def test_assessor_score_missing_gives_zero_and_says_so(assess, fact_builder):
    fb = fact_builder
    fb.team(T)
    report = assess(rubric_of(JUDGED, max=10), fb.facts)
    ind = indicator(report)
    assert ind.points == 0
    (line,) = ind.lines
    assert line.points == 0
    assert "no assessor score entered" in line.reason


def test_score_for_unknown_indicator_suggests_the_right_one(make_engine, fact_builder):
    fb = fact_builder
    fb.team(T)
    fb.score(T, id="s1", indicator="bp.x", value="5")
    fb.score(T, id="s2", indicator="bp.y", value="5")  # typo for bp.x
    engine = make_engine(rubric_of(JUDGED, max=10))
    with pytest.raises(InputError) as info:
        engine.assess(fb.facts)
    (problem,) = info.value.problems
    assert problem.field == "indicator"
    assert "score s2" in problem.record
    assert "did you mean 'bp.x'?" in problem.reason


def test_assessor_score_for_a_part(assess, fact_builder):
    fb = fact_builder
    fb.team(T)
    fb.score(T, indicator="bp.x.judge", value="3.5")
    for _ in range(2):
        fb.activity(T, kind="drill")
    scoring = Parts(
        [
            Part(id="bp.x.judge", label="评议 (review)", scoring=AssessorScore(4)),
            Part(id="bp.x.drills", label="演练 (drills)", scoring=PerItem(facts("activity"), 1)),
        ]
    )
    report = assess(rubric_of(scoring, max=10), fb.facts)
    assert indicator(report).points == D("5.5")  # 3.5 + 2 × 1


# --------------------------------------------------------------------------- AssessorDeduction

# 基础分 10 分，每起事故扣 3 分；其他情况由评委酌情扣分，最多扣 5 分；扣完为止
DISCRETION = Deduct(
    10,
    [Deduction("事故 (accident)", 3, select=facts("incident", kind="accident"))],
    assessor=AssessorDeduction("其他情况酌情扣分 (other, at discretion)", 5),
)


@pytest.mark.parametrize(
    ("accidents", "entered", "expected"),
    [
        (0, None, "10"),  # nothing entered: 10
        (0, "2.5", "7.5"),  # 10 − 2.5
        (1, "5", "2"),  # 10 − 3 − 5
        (2, "5", "0"),  # 10 − 6 − 5 = −1 → floored at 0
    ],
)
def test_assessor_deduction_takes_off_what_is_entered(
    assess, fact_builder, accidents, entered, expected
):
    fb = fact_builder
    fb.team(T)
    for _ in range(accidents):
        fb.incident(T, kind="accident")
    if entered is not None:
        fb.score(T, id="s1", indicator="bp.x", value=entered, assessor="李评委")
    ind = indicator(assess(rubric_of(DISCRETION, max=10), fb.facts))
    assert ind.points == D(expected)
    (line,) = [line for line in ind.lines if line.source == "bp.x#assessor"]
    assert line.label == "其他情况酌情扣分 (other, at discretion)"
    if entered is None:
        assert line.points == 0
        assert line.facts == ()
        assert "no assessor deduction entered" in line.reason
    else:
        assert line.points == -D(entered)  # shown as a deduction, −N
        assert [f.id for f in line.facts] == ["s1"]
        assert "李评委" in line.reason
        assert "[0, 5]" in line.reason


@pytest.mark.parametrize(("value", "bounds"), [("5.5", "[0, 5]"), ("-1", "[0, 5]")])
def test_assessor_deduction_out_of_bounds_is_an_input_error(
    make_engine, fact_builder, value, bounds
):
    fb = fact_builder
    fb.team(T)
    fb.score(T, id="s1", indicator="bp.x", value=value)
    engine = make_engine(rubric_of(DISCRETION, max=10))
    with pytest.raises(InputError) as info:
        engine.assess(fb.facts)
    (problem,) = info.value.problems
    assert problem.field == "value"
    assert "score s1 of team T1" in problem.record
    assert bounds in problem.reason


def test_assessor_deduction_alone_in_a_part(assess, fact_builder):
    # a part with no listed deduction: 基础分 4 分，评委酌情扣分
    fb = fact_builder
    fb.team(T)
    fb.score(T, indicator="bp.x.conduct", value="1.5")
    scoring = Parts(
        [
            Part(
                id="bp.x.conduct",
                label="作风 (conduct)",
                scoring=Deduct(4, [], assessor=AssessorDeduction("酌情扣分 (discretion)", 4)),
            ),
            Part(id="bp.x.drills", label="演练 (drills)", scoring=PerItem(facts("activity"), 1)),
        ]
    )
    fb.activity(T, kind="drill")
    ind = indicator(assess(rubric_of(scoring, max=10), fb.facts))
    assert ind.points == D("3.5")  # (4 − 1.5) + 1
    assert [line.points for line in ind.lines if line.source == "bp.x.conduct#assessor"] == [
        D("-1.5")
    ]


def test_assessor_deduction_bounds_are_checked_when_built():
    with pytest.raises(ValueError, match="maximum must be positive"):
        AssessorDeduction("酌情扣分", 0)
    with pytest.raises(ValueError, match="above maximum"):
        AssessorDeduction("酌情扣分", 2, minimum=3)
    with pytest.raises(TypeError, match="AssessorDeduction"):
        Deduct(10, [], assessor=AssessorScore(5))  # type: ignore[arg-type]


def test_a_rubric_without_assessor_deductions_keeps_its_hash():
    plain = rubric_of(Deduct(10, [Deduction("事故", 3, select=facts("incident"))]))
    same = rubric_of(Deduct(10, [Deduction("事故", 3, select=facts("incident"))], assessor=None))
    assert plain.content_hash == same.content_hash
    assert plain.content_hash != rubric_of(DISCRETION).content_hash


# --------------------------------------------------------------------------- WhenAll, Highest


@pytest.mark.parametrize(
    ("open_selection", "leader_party", "expected", "marks"),
    [
        (True, True, "5", ["✓", "✓"]),
        (True, False, "0", ["✓", "✗"]),
        (False, True, "0", ["✗", "✓"]),
        (False, False, "0", ["✗", "✗"]),
    ],
)
def test_when_all(assess, fact_builder, open_selection, leader_party, expected, marks):
    # 班组长经公开竞聘产生 且 为中共党员 → 5 分
    fb = fact_builder
    fb.team(T)
    if open_selection:
        fb.activity(T, kind="open_selection")
    fb.member(T, role="leader", party_status="member" if leader_party else "none")
    scoring = WhenAll(
        5,
        [
            exists(facts("activity", kind="open_selection")),
            Count(facts("member", party_status="member", role="leader")).at_least(1),
        ],
    )
    report = assess(rubric_of(scoring, max=5), fb.facts)
    ind = indicator(report)
    assert ind.points == D(expected)
    (line,) = ind.lines
    found = [c for c in line.reason if c in "✓✗"]
    assert found == marks
    assert ("未全部满足" in line.reason) == (expected == "0")


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        ([], "0"),  # no option holds
        (["institute"], "3"),
        (["institute", "bureau"], "5"),  # the larger of 3 and 5, not 8
        (["provincial", "institute"], "8"),
        (["institute", "bureau", "provincial"], "8"),  # not 16
    ],
)
def test_highest_takes_the_largest_triggered_option(assess, fact_builder, levels, expected):
    # 党建创新项目 院级 3 / 省局级 5 / 省级及以上 8 — 取最高一项, 不累计
    fb = fact_builder
    fb.team(T)
    for level in levels:
        fb.achievement(T, kind="party_innovation", level=level)

    def option(label: str, level: str, points: int) -> Option:
        return Option(
            label, exists(facts("achievement", kind="party_innovation", level=level)), points
        )

    # listed out of order, so that neither the first nor the last holding option is the answer
    scoring = Highest(
        [
            option("省局级", "bureau", 5),
            option("省级", "provincial", 8),
            option("院级", "institute", 3),
        ]
    )
    report = assess(rubric_of(scoring, max=10), fb.facts)
    ind = indicator(report)
    assert ind.points == D(expected)
    if not levels:
        assert "no option holds" in ind.lines[0].reason


# --------------------------------------------------------------------------- Parts

CAPPED_PARTS = Parts(
    [
        Part(
            id="bp.x.study",
            label="研讨 (seminars)",
            scoring=PerItem(facts("activity", kind="seminar"), 2),
            cap=6,
        ),
        Part(
            id="bp.x.lecture",
            label="讲座 (lectures)",
            scoring=PerItem(facts("activity", kind="lecture"), 3),
            cap=9,
        ),
    ]
)


@pytest.mark.parametrize(
    ("seminars", "lectures", "expected", "part_caps", "max_line"),
    [
        (2, 2, "10", {}, None),  # 2×2 + 2×3 = 4 + 6 = 10
        (3, 2, "12", {}, None),  # 6 + 6 = 12: the part at its cap, the sum at the max
        (5, 1, "9", {"bp.x.study": "-4"}, None),  # 10 → 6, + 3 = 9
        (4, 3, "12", {"bp.x.study": "-2"}, "-3"),  # 8 → 6, 9 = 9 (exactly): 15 → 12
        (4, 5, "12", {"bp.x.study": "-2", "bp.x.lecture": "-6"}, "-3"),  # 6 + (15 → 9) = 15 → 12
    ],
)
def test_parts_each_capped_then_clipped_to_the_max(
    assess, fact_builder, seminars, lectures, expected, part_caps, max_line
):
    fb = fact_builder
    fb.team(T)
    for _ in range(seminars):
        fb.activity(T, kind="seminar")
    for _ in range(lectures):
        fb.activity(T, kind="lecture")
    report = assess(rubric_of(CAPPED_PARTS, max=12), fb.facts)
    ind = indicator(report)
    assert ind.points == D(expected)
    caps = {
        line.source.removesuffix("#cap"): str(line.points)
        for line in ind.lines
        if line.source.endswith("#cap")
    }
    assert caps == part_caps
    maxes = [line.points for line in ind.lines if line.source == "bp.x#max"]
    assert maxes == ([] if max_line is None else [D(max_line)])
    assert {line.source for line in ind.lines} >= {"bp.x.study", "bp.x.lecture"}


# --------------------------------------------------------------------------- several teams at once


def test_teams_are_scored_independently(assess, fact_builder):
    # the same rubric over three teams in one assessment; each gets its own arithmetic
    fb = fact_builder
    for team, n in (("A", 1), ("B", 3), ("C", 5)):
        fb.team(team)
        for _ in range(n):
            fb.activity(team, kind="seminar")
    report = assess(rubric_of(PerItem(facts("activity", kind="seminar"), 2, cap=6)), fb.facts)
    # A: 1 × 2 = 2; B: 3 × 2 = 6; C: 5 × 2 = 10 → 6
    assert [(t, report[t].indicator("bp.x").points) for t in "ABC"] == [
        ("A", 2),
        ("B", 6),
        ("C", 6),
    ]


def test_selection_shorthands_equal_the_facts_they_abbreviate() -> None:
    from assessment_engine.rubric import (
        Field,
        ValueOf,
        achievements,
        activities,
        facts,
        incidents,
        metric,
    )

    assert activities("volunteer") == facts("activity", kind="volunteer")
    assert achievements(("patent", "standard"), level="national") == facts(
        "achievement", kind=("patent", "standard"), level="national"
    )
    late = Field("date").at_least("2024-07-01")
    assert incidents("complaint", late) == facts("incident", late, kind="complaint")
    assert metric("on_time_pct") == ValueOf(facts("metric", kind="on_time_pct"))
    assert metric("on_time_pct", 0).default == 0
    assert metric("on_time_pct", 0) != metric("on_time_pct")


# --------------------------------------------------------------------------- remembered reasons


def test_a_reason_remembered_for_one_team_is_the_one_made_for_another(
    make_engine, fact_builder, monkeypatch
):
    # bands and linear forms remember each value's reason; teams sharing a value share it,
    # teams with another value (or reaching another band) never get a remembered one
    from assessment_engine._pipeline import _scorers

    fb = fact_builder
    values = ["95", "85", "95", "70", "85", "95", "100", "85"]
    for i, value in enumerate(values):
        fb.team(f"T{i}")
        fb.metric(f"T{i}", kind="rate", value=value)
        for _ in range(i % 3):
            fb.activity(f"T{i}", kind="overtime", hours="2")
    overtime = Indicator(
        id="bp.y",
        dimension="bp",
        label="加班 (overtime)",
        max=10,
        scoring=Linear(Total(facts("activity", kind="overtime"), "hours"), "0.5"),
    )
    rubric = rubric_of(
        Bands(RATE, [Band.above(90, 10), Band.at_least(85, 6)], otherwise=1), more=(overtime,)
    )

    def reasons(report, order):
        return {
            team: [
                line.reason
                for ind in ("bp.x", "bp.y")
                for line in report[team].indicator(ind).lines
            ]
            for team in order
        }

    teams = [f"T{i}" for i in range(len(values))]
    remembered = reasons(make_engine(rubric).assess(fb.facts), teams)
    backwards = reasons(make_engine(rubric).assess(fb.facts), teams[::-1])
    monkeypatch.setattr(_scorers, "REASONS_KEPT", 0)  # nothing remembered: each made afresh
    fresh = reasons(make_engine(rubric).assess(fb.facts), teams)
    assert remembered == fresh == backwards
    assert remembered["T0"][0] != remembered["T1"][0]  # 95 and 85: their own reasons
    assert "95" in remembered["T2"][0]
    assert "85" in remembered["T4"][0]
    assert remembered["T1"][1] != remembered["T2"][1]  # 2 hours and 4 hours
