"""The next-grade search (assessment_engine.whatif) on small rubrics with known answers.

Every suggestion is also checked the slow way: its changes are applied to the facts and the
period is assessed afresh, which must give the grade and score the suggestion claims.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import pytest

from assessment_engine import Achievement, Activity, Fact, Incident, Metric, Team
from assessment_engine.rubric import (
    Band,
    Bands,
    Count,
    Deduct,
    Deduction,
    Dimension,
    GradeBand,
    GradeScale,
    Indicator,
    PerItem,
    Rubric,
    Total,
    ValueOf,
    Veto,
    WhenAll,
    exists,
    facts,
    per_capita,
)
from assessment_engine.whatif import Suggestion, find_scale, next_band, next_grade_changes

Y = "2024"
VOLUNTEER = facts("activity", kind="volunteer")
SCALE = GradeScale(
    id="cv.grade",
    label="等级 (grade)",
    of="cv",
    bands=[
        GradeBand(label="优秀 (excellent)", at_least=20),
        GradeBand(label="合格 (pass)", at_least=12),
        GradeBand(label="不合格 (fail)"),
    ],
)


def civility(*extra_indicators: Indicator, scale: GradeScale = SCALE, rules=()) -> Rubric:
    """The getting-started rule set: volunteer hours per member in bands, 2 points per event."""
    return Rubric.build(
        dimensions=[Dimension(id="cv", label="精神文明 (civility)", max=25)],
        indicators=[
            Indicator(
                id="cv.hours",
                dimension="cv",
                label="人均志愿时长 (hours per member)",
                max=15,
                scoring=Bands(
                    per_capita(Total(VOLUNTEER, "hours")),
                    [Band.at_least(20, 15), Band.at_least(12, 10), Band.at_least(6, 5)],
                ),
            ),
            Indicator(
                id="cv.events",
                dimension="cv",
                label="志愿活动 (events)",
                max=10,
                scoring=PerItem(VOLUNTEER, points=2, cap=10),
            ),
            *extra_indicators,
        ],
        rules=[
            Veto(
                id="cv.veto",
                label="刑事案件 (criminal case)",
                when=exists(facts("incident", kind="criminal_case")),
            ),
            *rules,
        ],
        grade_scales=[scale],
    )


def team(name: str, headcount: int = 2) -> Team:
    return Team(team=name, period=Y, name=f"班组 {name}", department="食品所", headcount=headcount)


def apply(facts_: Sequence[Fact], suggestion: Suggestion) -> list[Fact]:
    """The facts with a suggestion's changes made."""
    result = list(facts_)
    for change in suggestion.changes:
        if change.action in ("remove", "edit"):
            old = change.fact if change.action == "remove" else change.before
            result.remove(old)
        if change.action in ("add", "edit"):
            result.append(change.fact)
    return result


def verified(engine, facts_, team_id, **options) -> tuple[Suggestion, ...]:
    """next_grade_changes, with every suggestion re-checked by a fresh assessment."""
    suggestions = next_grade_changes(engine, facts_, team_id, **options)
    rubric = engine.rubric
    scale = find_scale(rubric, options.get("scale"))
    for suggestion in suggestions:
        report = engine.assess(apply(facts_, suggestion), period=Y)
        a = report[team_id]
        if scale.of is None:
            label, score = a.grade.label, a.composite
        else:
            dim = a.dimension(scale.of)
            label, score = dim.grade.label, dim.score
        assert (label, score) == (suggestion.grade_after, suggestion.score_after), suggestion
        assert suggestion.grade_after != suggestion.grade_before
    sizes = {s.size for s in suggestions}
    assert len(sizes) <= 1, "every suggestion has the smallest size found"
    return suggestions


def texts(suggestions: Sequence[Suggestion]) -> list[list[str]]:
    return [[c.describe() for c in s.changes] for s in suggestions]


# ----------------------------------------------------------------------------- known answers
def test_one_change_reaches_the_next_band(make_engine):
    engine = make_engine(civility())
    micro = [
        team("micro"),
        Activity(team="micro", period=Y, id="v1", kind="volunteer", hours=8),
        Activity(team="micro", period=Y, id="v2", kind="volunteer", hours=8),
    ]
    # 16 h / 2 = 8 per member: 5 points, 2 events: 4 points — 9, 不合格; 合格 needs 12
    found = verified(engine, micro, "micro")
    assert texts(found) == [
        ["edit activity v1: hours 8 → 16"],  # 24/2 = 12: 10 + 4 = 14
        ["add activity what-if-1: kind=volunteer, hours=8"],  # 12 per member, 3 events: 16
        ["edit activity v1: hours 8 → 32"],  # 40/2 = 20: 15 + 4 = 19
        ["add activity what-if-1: kind=volunteer, hours=24"],  # 20 per member, 3 events: 21
    ]
    assert [s.score_after for s in found] == [14, 16, 19, 21]
    assert [s.grade_after for s in found] == ["合格 (pass)"] * 3 + ["优秀 (excellent)"]
    first = found[0]
    assert first.size == 1
    assert first.scale == "cv.grade"
    assert (first.grade_before, first.score_before) == ("不合格 (fail)", Decimal(9))
    assert first.changes[0].why.startswith("cv.hours")
    assert first.changes[0].before == micro[1]


def test_an_event_needed_twice_gives_two_changes(make_engine):
    seminars = Indicator(
        id="cv.seminars",
        dimension="cv",
        label="研讨 (seminars)",
        max=6,
        scoring=PerItem(facts("activity", kind="seminar"), points=2),
    )
    scale = GradeScale(
        id="cv.grade",
        label="等级 (grade)",
        of="cv",
        bands=[GradeBand(label="合格 (pass)", at_least=4), GradeBand(label="不合格 (fail)")],
    )
    rubric = Rubric.build(
        dimensions=[Dimension(id="cv", label="精神文明 (civility)", max=6)],
        indicators=[seminars],
        grade_scales=[scale],
    )
    engine = make_engine(rubric)
    found = verified(engine, [team("t")], "t")
    assert texts(found) == [
        [
            "add activity what-if-1: kind=seminar",
            "add activity what-if-2: kind=seminar",
        ]
    ]
    assert found[0].score_after == 4
    assert next_grade_changes(engine, [team("t")], "t", max_changes=1) == ()


def test_conditions_that_must_hold_together(make_engine):
    def exists_kind(kind):
        return exists(facts("achievement", kind=kind))

    brand = Indicator(
        id="cv.brand",
        dimension="cv",
        label="口号、品牌、承诺 (slogan, brand, pledge)",
        max=3,
        scoring=WhenAll(3, [exists_kind("slogan"), exists_kind("brand"), exists_kind("pledge")]),
    )
    scale = GradeScale(
        id="cv.grade",
        label="等级 (grade)",
        of="cv",
        bands=[GradeBand(label="合格 (pass)", at_least=3), GradeBand(label="不合格 (fail)")],
    )
    rubric = Rubric.build(
        dimensions=[Dimension(id="cv", label="精神文明 (civility)", max=3)],
        indicators=[brand],
        grade_scales=[scale],
    )
    engine = make_engine(rubric)
    facts_ = [team("t"), Achievement(team="t", period=Y, id="s", kind="slogan")]
    found = verified(engine, facts_, "t")
    assert texts(found) == [
        ["add achievement what-if-1: kind=brand", "add achievement what-if-2: kind=pledge"]
    ]


def test_a_veto_is_removed(make_engine):
    engine = make_engine(civility())
    sales = [
        team("sales", headcount=1),
        Activity(team="sales", period=Y, id="v1", kind="volunteer", hours=30),
        Incident(team="sales", period=Y, id="i1", kind="criminal_case"),
    ]
    (only,) = verified(engine, sales, "sales")
    assert only.grade_before == "一票否决 (vetoed)"
    assert only.describe().splitlines()[0].startswith("- remove incident i1 (kind=criminal_case)")
    assert only.grade_after == "合格 (pass)"  # 15 + 2 = 17


def test_deductions_and_metrics(make_engine):
    service = Indicator(
        id="cv.service",
        dimension="cv",
        label="服务 (service)",
        max=10,
        scoring=Deduct(
            10,
            [
                Deduction(
                    label="投诉 (complaint)", points=4, select=facts("incident", kind="complaint")
                )
            ],
        ),
    )
    rate = Indicator(
        id="cv.rate",
        dimension="cv",
        label="满意度 (satisfaction)",
        max=8,
        scoring=Bands(
            ValueOf(facts("metric", kind="satisfaction_pct")),
            [Band.at_least(95, 8), Band.above(90, 4)],
        ),
    )
    scale = GradeScale(
        id="cv.grade",
        label="等级 (grade)",
        of="cv",
        bands=[GradeBand(label="合格 (pass)", at_least=6), GradeBand(label="不合格 (fail)")],
    )
    rubric = Rubric.build(
        dimensions=[Dimension(id="cv", label="精神文明 (civility)", max=18)],
        indicators=[service, rate],
        grade_scales=[scale],
    )
    engine = make_engine(rubric)
    facts_ = [
        team("t"),
        Incident(team="t", period=Y, id="c1", kind="complaint"),
        Incident(team="t", period=Y, id="c2", kind="complaint"),
        Metric(team="t", period=Y, id="k1", kind="satisfaction_pct", value=Decimal("85")),
    ]
    # 10 − 8 = 2, satisfaction 85: 0 — 2 points; 合格 needs 6
    found = verified(engine, facts_, "t")
    assert texts(found) == [
        ["edit metric k1: value 85 → 90.1"],  # > 90: 4 → 6
        ["remove incident c1 (kind=complaint)"],  # 10 − 4 = 6
        ["remove incident c2 (kind=complaint)"],
        ["edit metric k1: value 85 → 95"],  # ≥ 95: 8 → 10
    ]


def test_a_band_requirement_is_met(make_engine):
    award = facts("achievement", kind="award")
    scale = GradeScale(
        id="cv.grade",
        label="等级 (grade)",
        of="cv",
        bands=[
            GradeBand(label="优秀 (excellent)", at_least=20, requires=Count(award).at_least(1)),
            GradeBand(label="合格 (pass)", at_least=12),
            GradeBand(label="不合格 (fail)"),
        ],
    )
    engine = make_engine(civility(scale=scale))
    facts_ = [
        team("t", headcount=1),
        *(Activity(team="t", period=Y, id=f"v{i}", kind="volunteer", hours=5) for i in range(4)),
    ]
    # 20 h per member: 15, 4 events: 8 — 23 ≥ 20 but no award: 合格
    found = verified(engine, facts_, "t")
    assert texts(found) == [["add achievement what-if-1: kind=award"]]
    assert "requires" in found[0].changes[0].why


# ----------------------------------------------------------------------------- edges and errors
def test_top_band_and_zero_changes_find_nothing(make_engine):
    engine = make_engine(civility())
    best = [
        team("t", headcount=1),
        *(Activity(team="t", period=Y, id=f"v{i}", kind="volunteer", hours=5) for i in range(4)),
    ]
    assert next_grade_changes(engine, best, "t") == ()  # 23: 优秀 already
    low = [team("u")]
    assert next_grade_changes(engine, low, "u", max_changes=0) == ()
    # one volunteer activity of 24 hours: 12 per member (10) and one event (2)
    assert texts(verified(engine, low, "u", max_changes=1)) == [
        ["add activity what-if-1: kind=volunteer, hours=24"],
        ["add activity what-if-1: kind=volunteer, hours=40"],
    ]


def test_the_search_leaves_the_facts_alone(make_engine):
    engine = make_engine(civility())
    facts_ = [team("a"), Activity(team="a", period=Y, id="v1", kind="volunteer", hours=8)]
    before = engine.assess(facts_, period=Y).to_json()
    assert next_grade_changes(engine, facts_, "a")
    assert engine.assess(facts_, period=Y).to_json() == before


def test_unknown_team_and_scale(make_engine):
    engine = make_engine(civility())
    facts_ = [team("micro")]
    with pytest.raises(
        ValueError, match=r"no team 'micr0' in period '2024' \(did you mean 'micro'"
    ):
        next_grade_changes(engine, facts_, "micr0")
    with pytest.raises(ValueError, match=r"no grade scale 'cv\.grad'.*did you mean 'cv\.grade'"):
        next_grade_changes(engine, facts_, "micro", scale="cv.grad")
    rubric = engine.rubric
    assert find_scale(rubric) is rubric.grade_scales[0]  # the only scale
    assert find_scale(rubric, "cv") is rubric.grade_scales[0]
    assert next_band(SCALE, "不合格 (fail)").label == "合格 (pass)"
    assert next_band(SCALE, "一票否决 (vetoed)").label == "不合格 (fail)"
    assert next_band(SCALE, "优秀 (excellent)") is None


def test_the_1252_business_rule_set():
    """The installed rule sets: a lab at 85 in business (良好) is one fact short of 优秀 (90)."""
    from assessment_1252_business_performance import Standard

    from assessment_engine import Engine

    def record(cls, n, prefix, **fields):
        return [cls(team="lab", period=Y, id=f"{prefix}{i}", **fields) for i in range(n)]

    lab = [
        Team(team="lab", period=Y, name="理化室", department="食品所", headcount=10),
        Metric(team="lab", period=Y, id="k1", kind="task_completion_pct", value=100),  # 10
        Metric(team="lab", period=Y, id="k2", kind="report_on_time_pct", value=98),  # 8
        Metric(team="lab", period=Y, id="k3", kind="customer_satisfaction_pct", value=95),  # 6
        # bases: report quality 7, service complaints 5, proficiency 10
        *record(
            Achievement, 2, "p", kind="project_approved", level="ministerial", role="lead"
        ),  # 12
        *record(Achievement, 3, "a", kind="project_accepted", level="domestic_leading"),  # 10
        *record(Standard, 2, "s", level="national", role="lead"),  # 8 (capped)
        *[
            Achievement(team="lab", period=Y, id=f"ip{i}", kind="invention_patent")
            for i in range(3)
        ],  # 7 (capped)
        *[
            Achievement(team="lab", period=Y, id=f"th{i}", kind="customer_thanks") for i in range(2)
        ],  # 2
    ]
    with Engine(block=["food_institute"], matcher="python") as engine:
        assert engine.assess(lab)["lab"].dimension("bp").score == 85
        found = verified(engine, lab, "lab", scale="bp")
    assert {s.size for s in found} == {1}
    described = [s.changes[0].describe() for s in found]
    assert "add achievement what-if-1: kind=innovation, value=1000000" in described
    assert any("kind=association_award" in d and "role=lead" in d for d in described)
    assert all(s.grade_after == "优秀 (excellent)" for s in found)
