"""Verdict rules against hand-computed expectations, on both matchers.

Bonuses and penalties, bonus caps and exclusive groups; vetoes; grade scales with half-open
bands and requirements; the weighted composite; titles with conditions and (shared) quotas,
including ties at a quota boundary; competition ranking and tie-break chains; explanations;
incremental sessions; canonical JSON.

Dimension scores are set exactly with assessor-scored indicators (``pb.s``, ``bp.s``,
``cv.s``), so each expectation is arithmetic on the numbers written in the test.
"""

from __future__ import annotations

import json
import random
from decimal import Decimal as D

import pytest

from assessment_engine import (
    Activity,
    Engine,
    FactSet,
    Incident,
    InputError,
    Score,
    SessionError,
    Team,
)
from assessment_engine.rubric import (
    AssessorScore,
    Bonus,
    Composite,
    Dimension,
    DimensionScore,
    GradeBand,
    GradeScale,
    Indicator,
    Penalty,
    PenaltyTotal,
    PerItem,
    Quota,
    Ranking,
    Rubric,
    SortKey,
    Title,
    Veto,
    Weight,
    WhenAll,
    exists,
    facts,
)

DIMS = ("pb", "bp", "cv")
VETO_LABEL = "一票否决 (vetoed)"


def dimensions(bonus_cap: object = None) -> list[Dimension]:
    return [
        Dimension(id="pb", label="党建 (party building)", max=100, bonus_cap=bonus_cap, order=1),
        Dimension(id="bp", label="业务 (business)", max=100, order=2),
        Dimension(id="cv", label="精神文明 (civility)", max=100, order=3),
    ]


def scored_indicators(dims: tuple[str, ...] = DIMS) -> list[Indicator]:
    """One assessor-scored indicator per dimension: ``pb.s`` sets the points of ``pb``."""
    return [
        Indicator(id=f"{d}.s", dimension=d, label=f"评分 {d}", max=100, scoring=AssessorScore(100))
        for d in dims
    ]


def build(*, dims=DIMS, bonus_cap=None, rules=(), grade_scales=(), weights=(), ranking=None):
    return Rubric.build(
        dimensions=[d for d in dimensions(bonus_cap) if d.id in dims],
        indicators=scored_indicators(dims),
        rules=list(rules),
        grade_scales=list(grade_scales),
        weights=list(weights),
        ranking=ranking,
    )


def scored(fb, team, headcount=10, **scores):
    """A team whose dimension indicators get the given assessor scores."""
    fb.team(team, headcount=headcount)
    for dim, value in scores.items():
        fb.score(team, indicator=f"{dim}.s", value=value)


def grade_bands(**requires) -> list[GradeBand]:
    return [
        GradeBand(label="优秀", at_least=90, requires=requires.get("top")),
        GradeBand(label="良好", at_least=80),
        GradeBand(label="合格", at_least=60),
        GradeBand(label="不合格"),
    ]


def titles_of(report) -> dict[str, list[str]]:
    return {a.team: [t.id for t in a.titles] for a in report}


# --------------------------------------------------------------------------- bonuses, penalties

BONUS_RULES = [
    Bonus(
        id="pb.bonus.innov",
        dimension="pb",
        label="创新 (innovation)",
        scoring=PerItem(facts("achievement", kind="innovation"), 3),
    ),
    Bonus(
        id="pb.bonus.media",
        dimension="pb",
        label="报道 (media)",
        scoring=PerItem(facts("activity", kind="media"), 2, cap=4),
    ),
    Penalty(
        id="pb.pen.warn",
        dimension="pb",
        label="诫勉 (warning)",
        scoring=PerItem(facts("incident", kind="warning"), 3),
    ),
]


@pytest.mark.parametrize(
    ("base", "innovations", "media", "warnings", "bonus", "before_cap", "penalty", "score"),
    [
        ("80", 0, 0, 0, "0", "0", "0", "80"),
        ("80", 1, 1, 0, "5", "5", "0", "85"),  # 3 + 2 = 5
        ("80", 2, 3, 0, "10", "10", "0", "90"),  # 2×3 + min(3×2, 4) = 6 + 4 = 10 = cap exactly
        ("80", 3, 3, 0, "10", "13", "0", "90"),  # 9 + 4 = 13 → bonus_cap 10
        ("80", 3, 3, 1, "10", "13", "3", "87"),  # 80 + 10 − 3
        ("100", 4, 0, 0, "10", "12", "0", "110"),  # 100 + (12 → 10): 100 base + 10 bonus
        ("2", 0, 0, 2, "0", "0", "6", "0"),  # 2 − 6 = −4 → a dimension never goes below 0
        ("2", 1, 0, 2, "3", "3", "6", "0"),  # 2 + 3 − 6 = −1 → 0
        ("4", 0, 0, 1, "0", "0", "3", "1"),  # 4 − 3 = 1
    ],
)
def test_bonus_cap_and_penalty_outside_indicators(
    assess, fact_builder, base, innovations, media, warnings, bonus, before_cap, penalty, score
):
    fb = fact_builder
    scored(fb, "T1", pb=base, bp="50", cv="50")
    for _ in range(innovations):
        fb.achievement("T1", kind="innovation")
    for _ in range(media):
        fb.activity("T1", kind="media")
    for _ in range(warnings):
        fb.incident("T1", kind="warning")
    report = assess(build(bonus_cap=10, rules=BONUS_RULES), fb.facts)
    a = report["T1"]
    pb = a.dimension("pb")
    assert (pb.base, pb.bonus, pb.bonus_before_cap, pb.penalty, pb.score) == (
        D(base),
        D(bonus),
        D(before_cap),
        D(penalty),
        D(score),
    )
    # the other dimensions are untouched; the composite is the plain sum (no weights)
    assert a.dimension("bp").score == 50
    assert a.composite == D(score) + 100
    listed = {adj.id: adj for adj in pb.adjustments}
    assert ("pb.pen.warn" in listed) == bool(warnings)
    if warnings:
        adj = listed["pb.pen.warn"]
        assert adj.kind == "penalty"
        assert adj.applied == 3 * warnings
        assert sum(line.points for line in adj.lines) == -3 * warnings


GROUP_RULES = [
    *(
        Bonus(
            id=f"pb.h.{level}",
            dimension="pb",
            label=f"荣誉 {level}",
            group="honour",
            scoring=WhenAll(points, [exists(facts("achievement", kind="honour", level=level))]),
        )
        for level, points in (("institute", 2), ("bureau", 4), ("provincial", 6))
    ),
    # registered zeta first: input order must not decide a tie, the smaller id does
    Bonus(
        id="pb.eq.zeta",
        dimension="pb",
        label="Z",
        group="eq",
        scoring=WhenAll(3, [exists(facts("activity", kind="zeta"))]),
    ),
    Bonus(
        id="pb.eq.alpha",
        dimension="pb",
        label="A",
        group="eq",
        scoring=WhenAll(3, [exists(facts("activity", kind="alpha"))]),
    ),
    Penalty(
        id="pb.loss.major",
        dimension="pb",
        label="重大 (major)",
        group="loss",
        scoring=PerItem(facts("incident", kind="major"), 5),
    ),
    Penalty(
        id="pb.loss.minor",
        dimension="pb",
        label="一般 (minor)",
        group="loss",
        scoring=PerItem(facts("incident", kind="minor"), 3),
    ),
]


@pytest.mark.parametrize(
    ("honours", "acts", "majors", "minors", "applied", "score"),
    [
        # bureau (4) beats institute (2); alpha and zeta tie at 3: alpha (smaller id) applies;
        # penalties: 2 minors (6) beat 1 major (5). 50 + 4 + 3 − 6 = 51
        (
            ["institute", "bureau"],
            ["zeta", "alpha"],
            1,
            2,
            {
                "pb.h.bureau": 4,
                "pb.h.institute": 0,
                "pb.eq.alpha": 3,
                "pb.eq.zeta": 0,
                "pb.loss.minor": 6,
                "pb.loss.major": 0,
            },
            "51",
        ),
        # all three honours: only 6; zeta alone applies; 1 major (5) beats 1 minor (3).
        # 50 + 6 + 3 − 5 = 54
        (
            ["institute", "provincial", "bureau"],
            ["zeta"],
            1,
            1,
            {
                "pb.h.provincial": 6,
                "pb.h.bureau": 0,
                "pb.h.institute": 0,
                "pb.eq.zeta": 3,
                "pb.loss.major": 5,
                "pb.loss.minor": 0,
            },
            "54",
        ),
        # a lone member of a group applies in full: 50 + 2 = 52
        (["institute"], [], 0, 0, {"pb.h.institute": 2}, "52"),
    ],
)
def test_exclusive_groups(assess, fact_builder, honours, acts, majors, minors, applied, score):
    fb = fact_builder
    scored(fb, "T1", pb="50", bp="0", cv="0")
    for level in honours:
        fb.achievement("T1", kind="honour", level=level)
    for kind in acts:
        fb.activity("T1", kind=kind)
    for _ in range(majors):
        fb.incident("T1", kind="major")
    for _ in range(minors):
        fb.incident("T1", kind="minor")
    report = assess(build(rules=GROUP_RULES), fb.facts)
    pb = report["T1"].dimension("pb")
    assert pb.score == D(score)
    got = {adj.id: adj.applied for adj in pb.adjustments}
    assert got == {k: D(v) for k, v in applied.items()}
    for adj in pb.adjustments:
        if adj.applied != adj.amount:
            assert adj.applied == 0
            winner = next(
                k for k, v in applied.items() if v and k.split(".")[1] == adj.id.split(".")[1]
            )
            assert f"only {winner} applies" in adj.note
            assert any(line.source == f"{adj.id}#group" for line in adj.lines)
        else:
            assert adj.note == ""


# --------------------------------------------------------------------------- vetoes

VETOES = [
    Veto(
        id="bp.veto",
        label="虚假报告 (false report)",
        dimension="bp",
        when=exists(facts("incident", kind="false_report")),
    ),
    Veto(
        id="cv.veto",
        label="刑事案件 (crime)",
        dimension="cv",
        when=exists(facts("incident", kind="crime")),
    ),
    Veto(
        id="all.veto",
        label="政治纪律 (political)",
        when=exists(facts("incident", kind="political")),
    ),
]
VETO_SCALES = [
    *(GradeScale(id=f"{d}.grade", label=f"{d} 等级", of=d, bands=grade_bands()) for d in DIMS),
    GradeScale(
        id="overall",
        label="综合等级",
        bands=[
            GradeBand(label="A", at_least=270),
            GradeBand(label="B", at_least=240),
            GradeBand(label="C"),
        ],
    ),
]
VETO_TITLE = Title(id="adv", label="先进班组 (advanced)", when=Composite().at_least(240))


def veto_facts(fb):
    scored(fb, "A", pb="95", bp="95", cv="95")  # 285, clean
    scored(fb, "B", pb="80", bp="80", cv="80")  # 240, clean
    scored(fb, "V1", pb="99", bp="99", cv="99")  # 297, bp vetoed
    fb.incident("V1", kind="false_report", id="fr1")
    scored(fb, "V2", pb="98", bp="98", cv="98")  # 294, bp and cv vetoed
    fb.incident("V2", kind="false_report", id="fr2")
    fb.incident("V2", kind="crime", id="cr1")
    fb.incident("V2", kind="crime", id="cr2")
    scored(fb, "V3", pb="97", bp="97", cv="97")  # 291, vetoed in every dimension
    fb.incident("V3", kind="political", id="pol1")


def test_vetoes_keep_points_but_take_grades_titles_and_rank(assess, fact_builder):
    fb = fact_builder
    veto_facts(fb)
    rubric = build(rules=[*VETOES, VETO_TITLE], grade_scales=VETO_SCALES)
    report = assess(rubric, fb.facts)

    # points are still computed: 99 × 3 = 297 etc.
    assert [report[t].composite for t in ("V1", "V2", "V3")] == [297, 294, 291]
    assert report["V1"].indicator("bp.s").points == 99

    def grades(team):
        a = report[team]
        return [a.dimension(d).grade.label for d in DIMS] + [a.grade.label]

    assert grades("A") == ["优秀", "优秀", "优秀", "A"]
    assert grades("B") == ["良好", "良好", "良好", "B"]
    assert grades("V1") == ["优秀", VETO_LABEL, "优秀", VETO_LABEL]
    assert grades("V2") == ["优秀", VETO_LABEL, VETO_LABEL, VETO_LABEL]
    assert grades("V3") == [VETO_LABEL] * 4
    assert "bp.veto" in report["V1"].dimension("bp").grade.reason

    # every triggered veto listed (in id order), each with its facts
    def vetoes(team):
        return [(v.id, v.dimension, [f.id for f in v.facts]) for v in report[team].vetoes]

    assert vetoes("V1") == [("bp.veto", "bp", ["fr1"])]
    assert vetoes("V2") == [("bp.veto", "bp", ["fr2"]), ("cv.veto", "cv", ["cr1", "cr2"])]
    assert vetoes("V3") == [("all.veto", None, ["pol1"])]
    assert vetoes("A") == []

    # no rank and no title, whatever the score; the clean teams rank 1 and 2
    assert {a.team: a.rank for a in report} == {"A": 1, "B": 2, "V1": None, "V2": None, "V3": None}
    assert report.teams == ("A", "B", "V1", "V2", "V3")  # ranked first, then vetoed by score
    assert titles_of(report) == {"A": ["adv"], "B": ["adv"], "V1": [], "V2": [], "V3": []}
    for team in ("V1", "V2", "V3"):
        a = report[team]
        assert a.vetoed
        assert any("vetoed: no title" in note for note in a.title_notes)
        assert "vetoed: not ranked" in a.rank_note
        text = a.explain().text()
        assert "未排名 (unranked)" in text
        for veto in a.vetoes:
            assert f"一票否决 (veto) {veto.id}" in text
            for ref in veto.facts:
                assert f"incident {ref.id}" in text


def test_vetoed_last_ranks_vetoed_teams_after_the_others(assess, fact_builder):
    fb = fact_builder
    veto_facts(fb)
    rubric = build(
        rules=[*VETOES, VETO_TITLE], grade_scales=VETO_SCALES, ranking=Ranking(vetoed="last")
    )
    report = assess(rubric, fb.facts)
    # clean teams first (285, 240), then vetoed ones by composite (297, 294, 291)
    assert {a.team: a.rank for a in report} == {"A": 1, "B": 2, "V1": 3, "V2": 4, "V3": 5}
    assert report.teams == ("A", "B", "V1", "V2", "V3")
    # still no titles for them
    assert titles_of(report)["V1"] == []


# --------------------------------------------------------------------------- grade scales

PB_SCALE = GradeScale(id="pb.grade", label="党建等级", of="pb", bands=grade_bands())


@pytest.mark.parametrize(
    ("score", "label", "reason"),
    [
        ("100", "优秀", "≥ 90"),
        ("90", "优秀", "≥ 90"),  # exactly the lower bound: [90, ∞)
        ("89.99", "良好", "≥ 80"),
        ("80", "良好", "≥ 80"),  # [80, 90)
        ("79.999", "合格", "≥ 60"),
        ("60", "合格", "≥ 60"),
        ("59.99", "不合格", "< 60"),  # the bottom catch-all
        ("0", "不合格", "< 60"),
    ],
)
def test_grade_bands_half_open(assess, fact_builder, score, label, reason):
    fb = fact_builder
    scored(fb, "T1", pb=score, bp="0", cv="0")
    report = assess(build(grade_scales=[PB_SCALE]), fact_builder.facts)
    grade = report["T1"].dimension("pb").grade
    assert grade.label == label
    assert grade.scale == "pb.grade"
    assert f"pb 得分 (score) {score} {reason}" in grade.reason
    assert report["T1"].grade is None  # no composite scale declared
    assert report["T1"].dimension("bp").grade is None


INNOVATION = exists(facts("achievement", kind="innovation"))
PATENT = exists(facts("achievement", kind="patent"))
REQUIRING_SCALE = GradeScale(
    id="overall",
    label="综合等级",
    bands=[
        GradeBand(label="A", at_least=90, requires=INNOVATION),
        GradeBand(label="B", at_least=80, requires=PATENT),
        GradeBand(label="C", at_least=60),
        GradeBand(label="D"),
    ],
)


@pytest.mark.parametrize(
    ("score", "has", "label", "notes"),
    [
        ("95", {"innovation"}, "A", []),
        ("90", {"innovation", "patent"}, "A", []),
        ("95", {"patent"}, "B", ["A also requires"]),  # without the innovation: next band
        ("95", set(), "C", ["A also requires", "B also requires"]),  # neither: two bands down
        ("85", {"innovation"}, "C", ["B also requires"]),  # 85 < 90: A is not in reach anyway
        ("85", {"patent"}, "B", []),
        ("80", {"patent"}, "B", []),
        ("79", {"innovation", "patent"}, "C", []),
        ("59", {"innovation", "patent"}, "D", []),
    ],
)
def test_grade_band_requirements(assess, fact_builder, score, has, label, notes):
    fb = fact_builder
    scored(fb, "T1", bp=score)
    for kind in sorted(has):
        fb.achievement("T1", kind=kind)
    report = assess(build(dims=("bp",), grade_scales=[REQUIRING_SCALE]), fb.facts)
    grade = report["T1"].grade
    assert grade.label == label
    assert grade.of is None
    for note in notes:
        assert note in grade.reason
    if "A also requires" in notes:
        assert "count of achievement[kind=innovation] > 0" in grade.reason
    if not notes:
        assert "requires" not in grade.reason or "its requirement holds" in grade.reason


def test_grade_bottom_band_reached_through_a_requirement_explains_truthfully(assess, fact_builder):
    # 65 ≥ 60 but the band at 60 requires a patent: the team falls to the catch-all band. The
    # reason must say why; it must not claim 65 < 60.
    scale = GradeScale(
        id="overall",
        label="综合等级",
        bands=[
            GradeBand(label="A", at_least=90),
            GradeBand(label="B", at_least=60, requires=PATENT),
            GradeBand(label="D"),
        ],
    )
    fb = fact_builder
    scored(fb, "T1", bp="65")
    scored(fb, "T2", bp="59")
    report = assess(build(dims=("bp",), grade_scales=[scale]), fb.facts)
    grade = report["T1"].grade
    assert grade.label == "D"
    assert "B also requires" in grade.reason
    assert "65 < 60" not in grade.reason
    assert report["T2"].grade.label == "D"
    assert "59 < 60" in report["T2"].grade.reason


# --------------------------------------------------------------------------- composite

WEIGHTS = [
    Weight(dimension="pb", weight="0.30"),
    Weight(dimension="bp", weight="0.50"),
    Weight(dimension="cv", weight="0.20"),
]


def test_weighted_composite_is_exact(assess, fact_builder):
    fb = fact_builder
    scored(fb, "T1", pb="85.5", bp="77.25", cv="93")
    # three weights with a score exactly at the composite's band edge:
    # 0.30 × 90 + 0.50 × 90 + 0.20 × 90 = 27 + 45 + 18 = 90
    scored(fb, "T2", pb="90", bp="90", cv="90")
    scale = GradeScale(id="overall", label="综合", bands=grade_bands())
    report = assess(build(weights=WEIGHTS, grade_scales=[scale]), fb.facts)
    a = report["T1"]
    # 0.30 × 85.5 = 25.65; 0.50 × 77.25 = 38.625; 0.20 × 93 = 18.6; sum 82.875
    assert a.composite == D("82.875")
    assert [d.weight for d in a.dimensions] == [D("0.30"), D("0.50"), D("0.20")]
    assert a.grade.label == "良好"
    teams = {t["team"]: t for t in json.loads(report.to_json())["teams"]}
    assert teams["T1"]["composite"] == "82.875"  # exact text in JSON, not a float
    assert "82.88" in a.explain().text()  # rounded only for display (half up)
    assert report["T2"].composite == 90
    assert report["T2"].grade.label == "优秀"


def test_unweighted_composite_is_the_sum(assess, fact_builder):
    fb = fact_builder
    scored(fb, "T1", pb="85.5", bp="77.25", cv="93")
    report = assess(build(), fb.facts)
    # 85.5 + 77.25 + 93 = 255.75
    assert report["T1"].composite == D("255.75")
    assert all(d.weight == 1 for d in report["T1"].dimensions)


# --------------------------------------------------------------------------- titles and quotas


def quota_rubric(*rules, ranking=None):
    return build(dims=("bp",), rules=rules, ranking=ranking)


RED_10 = Title(id="red", label="红旗 (red flag)", when=Composite().at_least(50), quotas=("q10",))
Q10 = Quota(id="q10", label="10%", share="0.1")


@pytest.mark.parametrize(
    ("n", "limit"),
    [
        (1, 1),  # ⌊0.1⌋ = 0 → minimum 1
        (5, 1),  # ⌊0.5⌋ = 0 → 1
        (9, 1),  # ⌊0.9⌋ = 0 → 1
        (10, 1),  # ⌊1.0⌋ = 1
        (19, 1),  # ⌊1.9⌋ = 1 (rounded down, not to nearest)
        (20, 2),
        (29, 2),
        (30, 3),
    ],
)
def test_quota_ten_percent_rounded_down_at_least_one(assess, fact_builder, n, limit):
    fb = fact_builder
    for i in range(n):
        scored(fb, f"T{i:02d}", bp=str(99 - i))  # distinct scores 99, 98, …
    report = assess(quota_rubric(RED_10, Q10), fb.facts)
    winners = sorted(t for t, ts in titles_of(report).items() if ts)
    assert winners == [f"T{i:02d}" for i in range(limit)]  # the best `limit` teams
    (quota,) = report.quotas
    assert (quota.id, quota.limit, quota.awarded, quota.overrun) == ("q10", limit, limit, 0)
    for i in range(limit, n):
        notes = report[f"T{i:02d}"].title_notes
        assert notes == (
            f"红旗 (red flag): 名额已满 (quota q10 full: {limit} given to better-ranked teams)",
        )


def test_quota_minimum_zero(assess, fact_builder):
    fb = fact_builder
    for i in range(5):
        scored(fb, f"T{i}", bp=str(90 - i))
    q = Quota(id="q10", label="10%", share="0.1", minimum=0)
    report = assess(quota_rubric(RED_10, q), fb.facts)
    # ⌊5 × 0.1⌋ = 0 and the minimum is 0: nobody
    assert all(not ts for ts in titles_of(report).values())
    assert report.quotas[0].limit == 0


SHARED = [
    # 红旗: composite ≥ 95, ≤ 10 % of teams, and counts towards 红旗 + 先进 ≤ 1/3
    Title(
        id="red", label="红旗", when=Composite().at_least(95), order=0, quotas=("q.red", "q.third")
    ),
    Title(id="adv", label="先进", when=Composite().at_least(85), order=1, quotas=("q.third",)),
    Quota(id="q.red", label="红旗 10%", share="0.1"),
    # 1/3 has no exact decimal form: the share is the exact fraction
    Quota(id="q.third", label="红旗+先进 1/3", share="1/3"),
]


def test_shared_quota_across_two_titles(assess, fact_builder):
    fb = fact_builder
    scores = [100, 99, 98, 97, 96, 90, 86, 84, 80, 70, 60, 50]  # 12 teams, ranks 1..12
    for i, s in enumerate(scores):
        scored(fb, f"T{i + 1:02d}", bp=str(s))
    report = assess(quota_rubric(*SHARED), fb.facts)
    # q.red: ⌊12 × 0.1⌋ = 1; q.third: ⌊12 × 1/3⌋ = 4
    assert titles_of(report) == {
        "T01": ["red"],  # rank 1: 红旗 (q.red 1/1, q.third 1/4)
        "T02": ["adv"],  # 红旗 full → 先进 (q.third 2/4)
        "T03": ["adv"],  # q.third 3/4
        "T04": ["adv"],  # q.third 4/4
        **{f"T{i:02d}": [] for i in range(5, 13)},
    }
    assert [(q.id, q.limit, q.awarded, q.overrun) for q in report.quotas] == [
        ("q.red", 1, 1, 0),
        ("q.third", 4, 4, 0),
    ]
    notes = {t: report[t].title_notes for t in report.teams}
    assert notes["T01"] == ()
    assert notes["T02"] == ("红旗: 名额已满 (quota q.red full: 1 given to better-ranked teams)",)
    # 96 ≥ 95 qualifies for both, but both quotas are used up
    assert notes["T05"] == (
        "红旗: 名额已满 (quota q.red, q.third full: 1 given to better-ranked teams)",
        "先进: 名额已满 (quota q.third full: 4 given to better-ranked teams)",
    )
    # 90: not 红旗 (condition), 先进 full
    assert notes["T06"] == (
        "红旗: 条件未满足 (condition not met): composite ≥ 95 (is 90)",
        "先进: 名额已满 (quota q.third full: 4 given to better-ranked teams)",
    )
    # 84 < 85: neither condition
    assert notes["T08"] == (
        "红旗: 条件未满足 (condition not met): composite ≥ 95 (is 84)",
        "先进: 条件未满足 (condition not met): composite ≥ 85 (is 84)",
    )


@pytest.mark.parametrize(
    ("scores", "winners", "awarded", "overrun"),
    [
        # 10 teams → limit 1; the top two tie at 100: both get it, overrun 1
        ([100, 100, 99, 98, 97, 96, 95, 94, 93, 92], ["T01", "T02"], 2, 1),
        # 20 teams → limit 2; rank 1 alone, then three tied at rank 2: all of them, overrun 2
        ([100, 99, 99, 99, *range(90, 74, -1)], ["T01", "T02", "T03", "T04"], 4, 2),
        # a tie just after the boundary changes nothing: limit 1, winner alone
        ([100, 99, 99, 98, 97, 96, 95, 94, 93, 92], ["T01"], 1, 0),
    ],
)
def test_tie_straddling_the_quota_boundary(assess, fact_builder, scores, winners, awarded, overrun):
    fb = fact_builder
    for i, s in enumerate(scores):
        scored(fb, f"T{i + 1:02d}", bp=str(s))
    report = assess(quota_rubric(RED_10, Q10), fb.facts)
    got = sorted(t for t, ts in titles_of(report).items() if ts)
    assert got == winners
    (quota,) = report.quotas
    assert (quota.awarded, quota.overrun) == (awarded, overrun)
    assert quota.limit == max(1, len(scores) // 10)
    first_loser = f"T{len(winners) + 1:02d}"
    assert "名额已满 (quota q10 full" in report[first_loser].title_notes[0]
    assert ("over the limit because of a tie" in quota.note) == bool(overrun)
    for team in winners:
        (title,) = report[team].titles
        tie_note = f"tie at the quota boundary: q10 exceeded by {overrun}"
        # the tied teams at the boundary carry the note; a winner ranked above them does not
        if overrun and report[team].rank == report[winners[-1]].rank:
            assert tie_note in title.note
        else:
            assert title.note == ""


def test_titles_do_not_depend_on_input_order(matcher, fact_builder, check_explanations):
    fb = fact_builder
    scores = [100, 100, 99, 98, 98, 97, 96, 95, 90, 90, 86, 85]
    for i, s in enumerate(scores):
        # ids not in score order, so that no order of ids can stand in for the rank
        scored(fb, f"T{(i * 7) % 12:02d}", bp=str(s))
    rubric = quota_rubric(*SHARED)
    results = set()
    with Engine.from_rubric(rubric, matcher=matcher) as engine:
        for seed in range(8):
            shuffled = list(fb.facts)
            random.Random(seed).shuffle(shuffled)
            report = engine.assess(shuffled)
            check_explanations(report)
            titles = tuple(sorted((t, tuple(ts)) for t, ts in titles_of(report).items()))
            results.add((titles, tuple(report.quotas), report.to_json()))
    assert len(results) == 1
    ((titles, quotas, _),) = results
    titles = dict(titles)
    # both 100s tie for 红旗 (limit 1) → both get it, q.third (limit 4) now holds 2;
    # 99 → 先进 (3/4); the two 98s tie with one place left → both get 先进 (5/4, overrun 1)
    assert sorted(t for t, ts in titles.items() if ts == ("red",)) == ["T00", "T07"]
    assert sorted(t for t, ts in titles.items() if ts == ("adv",)) == ["T02", "T04", "T09"]
    assert [(q.id, q.limit, q.awarded, q.overrun) for q in quotas] == [
        ("q.red", 1, 2, 1),
        ("q.third", 4, 5, 1),
    ]


def test_title_without_condition_and_vetoed_team(assess, fact_builder):
    rules = [
        Title(id="good", label="达标", when=Composite().at_least(70), order=0),
        Title(id="rest", label="待改进", order=1),  # no condition: everyone else
        Veto(
            id="bp.veto",
            label="事故",
            dimension="bp",
            when=exists(facts("incident", kind="accident")),
        ),
    ]
    fb = fact_builder
    scored(fb, "A", bp="70")
    scored(fb, "B", bp="69.99")
    scored(fb, "C", bp="99")
    fb.incident("C", kind="accident")
    report = assess(quota_rubric(*rules), fb.facts)
    assert titles_of(report) == {"A": ["good"], "B": ["rest"], "C": []}
    assert report["B"].title_notes == (
        "达标: 条件未满足 (condition not met): composite ≥ 70 (is 69.99)",
    )
    assert report["C"].title_notes == ("一票否决，不授予称号 (vetoed: no title)",)
    assert report.quotas == ()


# --------------------------------------------------------------------------- ranking


def test_competition_ranking(assess, fact_builder):
    fb = fact_builder
    for team, s in (("D", "70"), ("B", "90"), ("C", "80"), ("A", "90"), ("E", "80")):
        scored(fb, team, bp=s)
    report = assess(quota_rubric(), fb.facts)
    # 90, 90 → 1, 1; 80, 80 → 3, 3; 70 → 5
    assert {a.team: a.rank for a in report} == {"A": 1, "B": 1, "C": 3, "E": 3, "D": 5}
    assert report.teams == ("A", "B", "C", "E", "D")  # ties listed by id
    assert "与 B 并列" in report["A"].rank_note
    assert "与 A 并列" in report["B"].rank_note
    assert report["D"].rank_note == ""
    assert "与 B 并列" in report["A"].explain().text()


TIE_BREAK = Ranking(
    keys=(
        SortKey(quantity=Composite(), label="综合得分"),
        SortKey(quantity=DimensionScore("bp"), label="业务得分"),
        SortKey(quantity=PenaltyTotal(), descending=False, label="扣分"),
    )
)
PB_PENALTY = Penalty(
    id="pb.pen", dimension="pb", label="诫勉", scoring=PerItem(facts("incident", kind="warning"), 2)
)


def test_tie_break_chain(assess, fact_builder):
    fb = fact_builder
    # composite = 0.30 pb + 0.50 bp + 0.20 cv
    scored(fb, "TA", pb="90", bp="80", cv="80")  # 27 + 40 + 16 = 83, bp 80, penalty 0
    scored(fb, "TB", pb="80", bp="86", cv="80")  # 24 + 43 + 16 = 83, bp 86
    scored(fb, "TC", pb="92", bp="80", cv="80")  # pb 92 − 2 = 90 → 83, bp 80, penalty 2
    fb.incident("TC", kind="warning")
    scored(fb, "TD", pb="90", bp="80", cv="80")  # the same as TA in every key
    scored(fb, "TE", pb="100", bp="100", cv="100")  # 100, alone
    report = assess(build(rules=[PB_PENALTY], weights=WEIGHTS, ranking=TIE_BREAK), fb.facts)
    assert [report[t].composite for t in ("TA", "TB", "TC", "TD")] == [83] * 4
    # TE 1; TB wins the tie on bp (86 > 80) → 2; TA and TD: fewer penalty points than TC and
    # equal to each other → 3, 3; TC → 5
    assert {a.team: a.rank for a in report} == {"TE": 1, "TB": 2, "TA": 3, "TD": 3, "TC": 5}
    note_a = report["TA"].rank_note
    assert "tie-break" in note_a
    assert "TB: 业务得分 80 vs 86" in note_a
    assert "TC: 扣分 0 vs 2" in note_a
    assert "still tied with TD" in note_a
    assert "TA: 业务得分 86 vs 80" in report["TB"].rank_note
    assert report["TE"].rank_note == ""
    assert "tie-break" in report["TC"].explain().text()


def test_rank_notes_in_a_large_tie_name_the_nearest_teams_and_count_the_rest(assess, fact_builder):
    fb = fact_builder
    # twelve teams on composite 83 (0.3 pb + 0.5 bp + 0.2 cv), told apart by bp: K11 first
    for k in range(12):
        scored(fb, f"K{k:02}", pb=str(90 - k), bp=str(D("80") + D("0.6") * k), cv="80")
    # and eight teams tied on every key, with each other only
    for k in range(8):
        scored(fb, f"Z{k}", pb="50", bp="50", cv="50")
    report = assess(build(rules=[PB_PENALTY], weights=WEIGHTS, ranking=TIE_BREAK), fb.facts)
    assert {report[f"K{k:02}"].composite for k in range(12)} == {83}
    note = report["K05"].rank_note  # sixth of twelve: the five nearest are K06 K04 K07 K03 K08
    assert note.startswith("12 teams share 综合得分 83")
    named = [
        part.split(":")[0].strip() for part in note.split("依次比较 (tie-break): ")[1].split(";")
    ]
    assert named[:5] == ["K03", "K04", "K06", "K07", "K08"]
    assert note.endswith("and 6 more teams")
    assert "K03: 业务得分 83 vs 81.8" in note
    assert report["Z3"].rank_note == (
        "与 Z0, Z1, Z2, Z4, Z5 and 2 more 并列 (tied on 综合得分 50, sharing the better rank)"
    )
    assert report["Z0"].rank_note.startswith("与 Z1, Z2, Z3, Z4, Z5 and 2 more 并列")


# --------------------------------------------------------------------------- explanations


def test_explanation_text_names_the_facts_behind_each_line(assess, fact_builder):
    fb = fact_builder
    scored(fb, "T1", pb="50", bp="50", cv="50")
    fb.achievement("T1", kind="innovation", id="inno-7")
    fb.activity("T1", kind="media", id="media-3")
    fb.incident("T1", kind="warning", id="warn-9")
    report = assess(build(bonus_cap=10, rules=BONUS_RULES), fb.facts)
    text = report["T1"].explain().text()
    assert "achievement inno-7" in text
    assert "activity media-3" in text
    assert "incident warn-9" in text
    # the score facts behind the assessor-scored indicators
    ids = [f.id for f in fb.facts if isinstance(f, Score)]
    for fid in ids:
        assert f"score {fid}" in text
    # 50 + (3 + 2) − 3 = 52
    assert report["T1"].dimension("pb").score == 52
    assert "小计 (subtotal) 50.00 + 加分 (bonus) 5.00 − 扣分 (penalty) 3.00 = 52.00" in text


# --------------------------------------------------------------------------- sessions

SESSION_RUBRIC_RULES = [
    Title(id="red", label="红旗", when=Composite().at_least(40), quotas=("q10",)),
    Q10,
    Veto(
        id="bp.veto", label="事故", dimension="bp", when=exists(facts("incident", kind="accident"))
    ),
]


def session_rubric():
    return Rubric.build(
        dimensions=[Dimension(id="bp", label="业务", max=100)],
        indicators=[
            Indicator(id="bp.s", dimension="bp", label="评分", max=50, scoring=AssessorScore(50)),
            # nobody has a score for this one yet: 0 points each, until a session adds one
            Indicator(id="bp.judge", dimension="bp", label="评议", max=5, scoring=AssessorScore(5)),
            Indicator(
                id="bp.study",
                dimension="bp",
                label="研讨",
                max=10,
                scoring=PerItem(facts("activity", kind="seminar"), 2, cap=10),
            ),
        ],
        rules=SESSION_RUBRIC_RULES,
    )


def session_facts(fb):
    for team, score in (("A", "40"), ("B", "41"), ("C", "30")):
        fb.team(team)
        fb.score(team, id=f"score-{team}", indicator="bp.s", value=score)
    fb.activity("A", kind="seminar", id="s1")
    fb.activity("A", kind="seminar", id="s2")  # A: 40 + 2 × 2 = 44
    fb.activity("B", kind="seminar", id="s1")  # B: 41 + 2 = 43; C: 30
    return fb.facts


def test_session_add_and_retract(make_engine, fact_builder, check_explanations):
    engine = make_engine(session_rubric())
    session = engine.session(session_facts(fact_builder))
    original = session.report().to_json()
    assert original == engine.assess(session.facts()).to_json()
    assert {t: session.rank(t) for t in "ABC"} == {"A": 1, "B": 2, "C": 3}
    assert [t.id for t in session.assessment("A").titles] == ["red"]

    seminar = Activity(team="B", period="2024", id="s2", kind="seminar")
    changed = session.add(seminar)  # what add returns: at least the new composite and rank
    assert (changed.composite, changed.rank) == (45, 1)
    # B: 41 + 2 × 2 = 45 > 44 → rank 1; A drops to 2 and loses the only 红旗 place
    b = session.assessment("B")
    assert (b.composite, b.rank) == (45, 1)
    assert b.indicator("bp.study").points == 4
    assert session.rank("A") == 2
    assert session.teams == ("B", "A", "C")
    assert [t.id for t in b.titles] == ["red"]
    assert session.assessment("A").titles == ()
    report = session.report()
    check_explanations(report)
    assert report.to_json() == engine.assess(session.facts()).to_json()

    back = session.retract(seminar)
    assert back.composite == 43
    assert session.report().to_json() == original


def test_session_veto_added_and_retracted(make_engine, fact_builder, check_explanations):
    engine = make_engine(session_rubric())
    session = engine.session(session_facts(fact_builder))
    original = session.report().to_json()
    accident = Incident(team="A", period="2024", id="acc1", kind="accident")
    changed = session.add(accident)
    assert (changed.composite, changed.rank) == (44, None)
    # A keeps its 44 points but is unranked; B (43) and C (30) move up; the title goes to B
    a = session.assessment("A")
    assert (a.composite, a.rank, a.titles) == (44, None, ())
    assert [v.id for v in a.vetoes] == ["bp.veto"]
    assert {t: session.rank(t) for t in "ABC"} == {"A": None, "B": 1, "C": 2}
    assert session.teams == ("B", "C", "A")
    report = session.report()
    check_explanations(report)
    assert titles_of(report) == {"A": [], "B": ["red"], "C": []}
    assert report.to_json() == engine.assess(session.facts()).to_json()
    session.retract(accident)
    assert session.report().to_json() == original


def test_session_replace_a_score_to_tie_then_restore(make_engine, fact_builder, check_explanations):
    engine = make_engine(session_rubric())
    session = engine.session(session_facts(fact_builder))
    original = session.report().to_json()

    def score(value: str) -> Score:
        return Score(team="B", period="2024", id="score-B", indicator="bp.s", value=value)

    # replace B's score 41 by 42: B = 42 + 2 = 44 ties A (44) → ranks 1, 1, 3, and both get
    # 红旗 although the quota is 1: a tie at the boundary, overrun 1
    assert session.retract(score("41")).composite == 2  # 0 (no score) + 2
    assert session.rank("B") == 3
    tied = session.add(score("42"))
    assert tied.composite == 44
    assert {t: session.rank(t) for t in "ABC"} == {"A": 1, "B": 1, "C": 3}
    report = session.report()
    assert [(q.limit, q.awarded, q.overrun) for q in report.quotas] == [(1, 2, 1)]
    assert titles_of(report) == {"A": ["red"], "B": ["red"], "C": []}
    check_explanations(report)
    assert report.to_json() == engine.assess(session.facts()).to_json()
    session.retract(score("42"))
    session.add(score("41"))
    assert session.report().to_json() == original


@pytest.mark.parametrize(
    ("fact", "field"),
    [
        (Activity(team="A", period="2024", id="s1", kind="seminar"), "id"),  # duplicate id
        (Activity(team="Z", period="2024", id="z1", kind="seminar"), "team"),  # unknown team
        (Activity(team="A", period="2023", id="s9", kind="seminar"), "period"),  # wrong period
        (Score(team="A", period="2024", id="x1", indicator="bp.judge", value="5.5"), "value"),
        # a second score for C's bp.s (replace means retract first)
        (Score(team="C", period="2024", id="x1", indicator="bp.s", value="10"), "indicator"),
        (Score(team="A", period="2024", id="x1", indicator="bp.sx", value="10"), "indicator"),
        (Team(team="A", period="2024", name="重复", department="食品所", headcount=3), "team"),
    ],
)
def test_session_rejected_add_leaves_it_unchanged(
    make_engine, fact_builder, check_explanations, fact, field
):
    engine = make_engine(session_rubric())
    session = engine.session(session_facts(fact_builder))
    before = session.report().to_json()
    facts_before = sorted(session.facts(), key=_fact_key)
    ranks_before = {t: session.rank(t) for t in "ABC"}
    with pytest.raises(InputError) as info:
        session.add(fact)
    assert [p.field for p in info.value.problems] == [field]
    assert session.report().to_json() == before
    check_explanations(session.report())
    assert sorted(session.facts(), key=_fact_key) == facts_before
    assert {t: session.rank(t) for t in "ABC"} == ranks_before
    # and the session still works
    session.add(Activity(team="C", period="2024", id="c-ok", kind="seminar"))
    assert session.assessment("C").composite == 32  # 30 + 2
    assert session.report().to_json() == engine.assess(session.facts()).to_json()


def test_session_new_team_and_retracting_a_team(make_engine, fact_builder, check_explanations):
    engine = make_engine(session_rubric())
    session = engine.session(session_facts(fact_builder))
    original = session.report().to_json()
    new = session.add(Team(team="N", period="2024", name="新组", department="电器所", headcount=3))
    assert new.composite == 0
    assert new.rank == 4
    lines = session.assessment("N").indicator("bp.s").lines
    assert "no assessor score entered" in lines[0].reason
    new = session.add(Score(team="N", period="2024", id="n1", indicator="bp.s", value="50"))
    assert (new.composite, new.rank) == (50, 1)
    check_explanations(session.report())
    assert session.report().to_json() == engine.assess(session.facts()).to_json()
    assert (
        session.retract(Team(team="N", period="2024", name="x", department="x", headcount=1))
        is None
    )
    assert session.report().to_json() == original
    with pytest.raises(SessionError):
        session.retract(Activity(team="A", period="2024", id="nope", kind="seminar"))
    with pytest.raises(SessionError):
        session.rank("N")


# --------------------------------------------------------------------------- JSON


def full_rubric():
    """Most of the above at once: scores, bonuses with a cap and groups, penalties, vetoes,
    grades with requirements, weights, shared quotas, a tie-break chain."""
    return Rubric.build(
        dimensions=dimensions(bonus_cap=10),
        indicators=scored_indicators(),
        rules=[
            *BONUS_RULES,
            *GROUP_RULES,
            *VETOES,
            Title(
                id="red",
                label="红旗",
                when=Composite().at_least(85),
                order=0,
                quotas=("q.red", "q.third"),
            ),
            Title(
                id="adv", label="先进", when=Composite().at_least(80), order=1, quotas=("q.third",)
            ),
            Quota(id="q.red", label="红旗 10%", share="0.1"),
            Quota(id="q.third", label="1/3", share="1/3"),
        ],
        grade_scales=[
            *(GradeScale(id=f"{d}.grade", label=d, of=d, bands=grade_bands()) for d in DIMS),
            GradeScale(id="overall", label="综合", bands=grade_bands(top=INNOVATION)),
        ],
        weights=WEIGHTS,
        ranking=TIE_BREAK,
    )


def full_facts(fb):
    rng = random.Random(1252)
    for i in range(15):
        team = f"T{i:02d}"
        scored(fb, team, headcount=5 + i, pb=str(70 + i), bp=str(95 - i), cv=str(80 + (i % 3)))
        for _ in range(rng.randrange(3)):
            fb.achievement(team, kind="innovation")
        for _ in range(rng.randrange(4)):
            fb.activity(team, kind="media")
        for level in rng.sample(["institute", "bureau", "provincial"], rng.randrange(3)):
            fb.achievement(team, kind="honour", level=level)
        for kind in rng.sample(["zeta", "alpha"], rng.randrange(3)):
            fb.activity(team, kind=kind)
        for kind in rng.choices(["warning", "major", "minor"], k=rng.randrange(3)):
            fb.incident(team, kind=kind)
    # two teams with the same scores (a tie) and a vetoed team
    scored(fb, "TX", pb="88", bp="88", cv="88")
    scored(fb, "TY", pb="88", bp="88", cv="88")
    fb.incident("T03", kind="crime")
    return fb.facts


def test_json_identical_across_matchers_and_input_order(fact_builder, check_explanations):
    facts_list = full_facts(fact_builder)
    rubric = full_rubric()
    outputs = set()
    for matcher in ("durable", "python"):
        with Engine.from_rubric(rubric, matcher=matcher) as engine:
            report = engine.assess(facts_list)
            check_explanations(report)
            outputs.add(report.to_json())
            for seed in range(3):
                shuffled = list(facts_list)
                random.Random(seed).shuffle(shuffled)
                outputs.add(engine.assess(FactSet(shuffled)).to_json())
    assert len(outputs) == 1
    # the report is not trivial: ranks, titles, a tie, a veto, groups and caps all occur
    data = json.loads(next(iter(outputs)))
    teams = data["teams"]
    assert any(t["rank"] is None and t["vetoes"] for t in teams)
    titles = [title["id"] for t in teams for title in t["titles"]]
    assert "red" in titles
    assert "adv" in titles
    assert len({t["rank"] for t in teams if t["rank"] is not None}) < len(teams) - 1  # a tie
    adjustments = [a for t in teams for d in t["dimensions"] for a in d["adjustments"]]
    assert any("exclusive group" in a["note"] for a in adjustments)
    assert any(d["bonus"] != d["bonus_before_cap"] for t in teams for d in t["dimensions"])


def test_a_closed_engine_refuses_to_assess(matcher):
    from assessment_engine import AssessmentError, Engine, Team
    from assessment_engine.rubric import Dimension, Indicator, PerItem, Rubric, facts

    rubric = Rubric.build(
        dimensions=[Dimension(id="d", label="维度 (d)", max=5)],
        indicators=[
            Indicator(
                id="d.x",
                dimension="d",
                label="项 (x)",
                max=5,
                scoring=PerItem(facts("activity"), 1, cap=5),
            )
        ],
    )
    engine = Engine.from_rubric(rubric, matcher=matcher)
    team = Team(team="T", period="2024", name="T", department="D", headcount=1)
    assert engine.assess([team])["T"].composite == 0
    engine.close()
    engine.close()  # idempotent
    with pytest.raises(AssessmentError, match="closed"):
        engine.assess([team])
    with pytest.raises(AssessmentError, match="closed"):
        engine.session([team])


def _fact_key(fact):
    return (type(fact).__name__, fact.team, getattr(fact, "id", ""))


def test_session_rescores_only_the_changed_team(make_engine, fact_builder, monkeypatch):
    """add and retract evaluate the one team the fact is about; the others keep their states."""
    engine = make_engine(session_rubric())
    session = engine.session(session_facts(fact_builder))
    before = {t: session.state(t) for t in "ABC"}
    evaluated: list[list[str]] = []
    pipeline = session._pipeline
    real = pipeline.assess

    def counting(teams, **kwargs):
        evaluated.append([team.team for team, _ in teams])
        return real(teams, **kwargs)

    monkeypatch.setattr(pipeline, "assess", counting)
    seminar = Activity(team="B", period="2024", id="s2", kind="seminar")
    session.add(seminar)
    session.retract(seminar)
    assert evaluated == [["B"], ["B"]]
    assert session.state("A") is before["A"]
    assert session.state("C") is before["C"]
    assert session.state("B") is not before["B"]
