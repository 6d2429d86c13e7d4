"""The cross-dimension parts of the 1252 method (default-rubric-1252.md §4), as rubric data.

* the composite: 0.30 × 党建 + 0.50 × 业务 + 0.20 × 精神文明, exact;
* grade scales for each dimension and for the composite: 优秀 ≥ 90, 良好 [80, 90),
  合格 [60, 80), 不合格 < 60, and "一票否决" when vetoed;
* the titles 红旗班组, 先进班组, 达标班组, 待改进班组 (exclusive, checked in that order), with the
  quotas 红旗 ≤ 10 % (rounded down, at least 1) and 红旗 + 先进 ≤ 1/3 (one shared quota);
* the ranking: composite descending, competition ranking (1, 1, 3), vetoed teams unranked.

The dimensions and bonus rules are referred to by id; the plugins ``party_building``,
``business_performance`` and ``civility`` register them.
"""

from __future__ import annotations

from typing import Final

from assessment_engine.rubric import (
    AllOf,
    AnyOf,
    Composite,
    DimensionPenalty,
    DimensionScore,
    Grade,
    GradeBand,
    GradeScale,
    Quota,
    Ranking,
    SortKey,
    Title,
    Triggered,
    Vetoed,
    Weight,
)

__all__ = [
    "ADVANCED",
    "DIMENSIONS",
    "EXCELLENT",
    "FAIL",
    "GOOD",
    "GRADE_SCALES",
    "HIGH_LEVEL_BONUSES",
    "HONOURS_QUOTA",
    "IMPROVE",
    "PASS",
    "QUOTAS",
    "RANKING",
    "RED_FLAG",
    "RED_FLAG_QUOTA",
    "STANDARD",
    "TITLES",
    "VETOED",
    "WEIGHTS",
]

#: The three dimensions: 党建, 业务, 精神文明.
DIMENSIONS: Final = ("pb", "bp", "cv")

#: The composite weights, exact.
WEIGHTS: Final = (
    Weight(dimension="pb", weight="0.30"),
    Weight(dimension="bp", weight="0.50"),
    Weight(dimension="cv", weight="0.20"),
)

EXCELLENT: Final = "优秀 (excellent)"
GOOD: Final = "良好 (good)"
PASS: Final = "合格 (pass)"
FAIL: Final = "不合格 (fail)"
VETOED: Final = "一票否决 (vetoed)"


def _scale(scale_id: str, label: str, of: str | None) -> GradeScale:
    return GradeScale(
        id=scale_id,
        label=label,
        of=of,
        bands=[
            GradeBand(label=EXCELLENT, at_least=90),
            GradeBand(label=GOOD, at_least=80),
            GradeBand(label=PASS, at_least=60),
            GradeBand(label=FAIL),
        ],
        veto_label=VETOED,
    )


#: Per dimension and for the composite (scale ids ``grade.pb``, …, ``grade.composite``).
GRADE_SCALES: Final = (
    _scale("grade.pb", "党建等级 (party-building grade)", "pb"),
    _scale("grade.bp", "业务等级 (business grade)", "bp"),
    _scale("grade.cv", "精神文明等级 (civility grade)", "cv"),
    _scale("grade.composite", "综合等级 (composite grade)", None),
)

#: 红旗班组 ≤ 10 % of the assessed teams, rounded down, at least 1.
RED_FLAG_QUOTA: Final = Quota(
    id="quota.red_flag",
    label="红旗班组名额 ≤10%，向下取整，至少1个 (red flag: at most 10 %, at least 1)",
    share="0.1",
    minimum=1,
)
#: 红旗班组 + 先进班组 ≤ 1/3 of the assessed teams, rounded down, at least 1 (shared).
HONOURS_QUOTA: Final = Quota(
    id="quota.honours",
    label="红旗+先进名额 ≤1/3，向下取整，至少1个 (red flag and advanced: at most a third)",
    share="1/3",
    minimum=1,
)
QUOTAS: Final = (HONOURS_QUOTA, RED_FLAG_QUOTA)

#: Bonus rules that are "省局级或以上" items of the kinds 红旗 asks for: 党建创新项目/品牌 at
#: 省局级 or above, and 科技/标准奖 (which the business plugin counts only from 省局级 up).
HIGH_LEVEL_BONUSES: Final = (
    "pb.bonus.innovation.bureau",
    "pb.bonus.innovation.provincial",
    "bp.bonus.tech_award",
    "bp.bonus.association_award",
    "bp.bonus.standard_award",
)

_NOT_VETOED = Vetoed().equals(False)

RED_FLAG: Final = Title(
    id="title.red_flag",
    label="红旗班组 (red-flag team)",
    order=1,
    quotas=(RED_FLAG_QUOTA.id, HONOURS_QUOTA.id),
    when=AllOf(
        _NOT_VETOED,
        Composite().at_least(95),
        *(Grade(f"grade.{d}").equals(EXCELLENT) for d in DIMENSIONS),
        *(DimensionPenalty(d).equals(0) for d in DIMENSIONS),
        AnyOf(*(Triggered(rule).equals(True) for rule in HIGH_LEVEL_BONUSES)),
    ),
)

ADVANCED: Final = Title(
    id="title.advanced",
    label="先进班组 (advanced team)",
    order=2,
    quotas=(HONOURS_QUOTA.id,),
    when=AllOf(
        _NOT_VETOED,
        Composite().at_least(85),
        *(DimensionScore(d).at_least(80) for d in DIMENSIONS),
    ),
)

STANDARD: Final = Title(
    id="title.standard",
    label="达标班组 (up-to-standard team)",
    order=3,
    when=AllOf(
        _NOT_VETOED,
        Composite().at_least(70),
        *(DimensionScore(d).at_least(60) for d in DIMENSIONS),
    ),
)

IMPROVE: Final = Title(
    id="title.improve",
    label="待改进班组 (team to improve)",
    order=4,
)

#: The titles, one per team at most (one group), checked in this order.
TITLES: Final = (RED_FLAG, ADVANCED, STANDARD, IMPROVE)

#: Composite descending, ties share the better rank (1, 1, 3), vetoed teams unranked.
RANKING: Final = Ranking(
    keys=(SortKey(quantity=Composite(), label="综合得分 (composite)"),),
    vetoed="unranked",
)
