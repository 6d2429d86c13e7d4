"""The shared workload's rubric, expressed through the engine's public plugin API.

Twelve indicators in three dimensions, a bonus, a veto, grade bands and the reference's ranking
(qualified teams first, then total descending, then team id). Constants come from
``workload.py`` so a drift in the rubric shows up as a mismatch against the reference.
"""

from __future__ import annotations

import workload as w
from assessment_engine import hookimpl
from assessment_engine.rubric import (
    Band,
    Bands,
    Bonus,
    Composite,
    Count,
    Dimension,
    Field,
    GradeBand,
    GradeScale,
    Indicator,
    Linear,
    PerItem,
    PointsBy,
    Ranking,
    Ratio,
    SortKey,
    TeamAttr,
    Total,
    ValueOf,
    Veto,
    WhenAll,
    exists,
    facts,
)

DIMENSIONS = ("party_building", "business", "civility")


def _activity(kind: str):
    return facts("activity", kind=kind)


def _metric(kind: str):
    return ValueOf(facts("metric", kind=kind))


MEMBERS = Count(facts("member"))


@hookimpl
def assessment_register_dimensions():
    return [
        Dimension(id="party_building", label="党建 (party building)", max=29, order=1),
        Dimension(id="business", label="业务 (business)", max=49, order=2),
        Dimension(id="civility", label="精神文明 (civility)", max=17, order=3),
    ]


@hookimpl
def assessment_register_indicators():
    pb, bz, cv = DIMENSIONS
    return [
        Indicator(
            id="pb_study",
            dimension=pb,
            label="学习 (study sessions)",
            max=w.STUDY_CAP,
            scoring=PerItem(_activity("study_session"), w.STUDY_PER, cap=w.STUDY_CAP),
        ),
        Indicator(
            id="pb_theory",
            dimension=pb,
            label="理论测试 (theory tests)",
            max=w.THEORY_CAP,
            scoring=PerItem(_activity("theory_test"), w.THEORY_PER, cap=w.THEORY_CAP),
        ),
        Indicator(
            id="pb_lecture",
            dimension=pb,
            label="讲座 (lecture hours)",
            max=w.LECTURE_CAP,
            scoring=Linear(
                Total(_activity("lecture"), "hours"), w.LECTURE_PER_HOUR, cap=w.LECTURE_CAP
            ),
        ),
        Indicator(
            id="pb_ratio",
            dimension=pb,
            label="党员比例 (party ratio)",
            max=8,
            scoring=Bands(
                Ratio(Count(facts("member", party_status=("member", "probationary"))), MEMBERS),
                [Band.at_least(t, p) for t, p in w.PARTY_RATIO_BANDS],
            ),
        ),
        Indicator(
            id="bz_on_time",
            dimension=bz,
            label="按期率 (on-time rate)",
            max=10,
            scoring=Bands(
                _metric("on_time_rate"), [Band.at_least(t, p) for t, p in w.ON_TIME_BANDS]
            ),
        ),
        Indicator(
            id="bz_samples",
            dimension=bz,
            label="检测量 (samples tested)",
            max=w.SAMPLES_CAP,
            scoring=Linear(_metric("samples_tested"), 1, unit=w.SAMPLES_UNIT, cap=w.SAMPLES_CAP),
        ),
        Indicator(
            id="bz_satisf",
            dimension=bz,
            label="满意度 (satisfaction)",
            max=8,
            scoring=Bands(
                _metric("customer_satisfaction"),
                [Band.at_least(t, p) for t, p in w.SATISFACTION_BANDS],
            ),
        ),
        Indicator(
            id="bz_achieve",
            dimension=bz,
            label="成果 (achievements)",
            max=w.ACHIEVE_CAP,
            scoring=PerItem(
                facts("achievement"), PointsBy("level", w.LEVEL_POINTS), cap=w.ACHIEVE_CAP
            ),
        ),
        Indicator(
            id="bz_patent",
            dimension=bz,
            label="专利 (patents)",
            max=w.PATENT_CAP,
            scoring=PerItem(facts("achievement", kind="patent"), w.PATENT_PER, cap=w.PATENT_CAP),
        ),
        Indicator(
            id="cv_volunteer",
            dimension=cv,
            label="志愿 (volunteer hours per member)",
            max=8,
            scoring=Bands(
                Ratio(Total(_activity("volunteer"), "hours"), MEMBERS),
                [
                    *(Band.at_least(t, p) for t, p in w.VOLUNTEER_BANDS),
                    Band.above(0, w.VOLUNTEER_ANY),
                ],
            ),
        ),
        Indicator(
            id="cv_community",
            dimension=cv,
            label="社区服务 (community service)",
            max=w.COMMUNITY_CAP,
            scoring=PerItem(_activity("community_service"), w.COMMUNITY_PER, cap=w.COMMUNITY_CAP),
        ),
        Indicator(
            id="cv_youth",
            dimension=cv,
            label="青年比例 (share under 35)",
            max=4,
            scoring=Bands(
                Ratio(Count(facts("member", Field("age").below(w.YOUTH_AGE))), MEMBERS),
                [Band.at_least(t, p) for t, p in w.YOUTH_BANDS],
            ),
        ),
    ]


@hookimpl
def assessment_register_rules():
    return [
        Bonus(
            id="pb_bonus",
            dimension="party_building",
            label="申请人 (applicants)",
            scoring=WhenAll(
                w.APPLICANT_BONUS,
                [Count(facts("member", party_status="applicant")).at_least(w.APPLICANT_BONUS_MIN)],
            ),
        ),
        Veto(id="incident", label="事故或违纪 (incident)", when=exists(facts("incident"))),
    ]


@hookimpl
def assessment_register_grade_scales():
    return [
        GradeScale(
            id="grade",
            label="等级 (grade)",
            veto_label=w.VETO_GRADE,
            bands=[
                *(GradeBand(label=g, at_least=t) for t, g in w.GRADE_BANDS),
                GradeBand(label=w.GRADE_LOW),
            ],
        ),
    ]


@hookimpl
def assessment_register_ranking():
    return [
        Ranking(
            keys=(
                SortKey(quantity=Composite(), label="total"),
                SortKey(quantity=TeamAttr("id"), descending=False, label="team id"),
            ),
            vetoed="last",
        ),
    ]
