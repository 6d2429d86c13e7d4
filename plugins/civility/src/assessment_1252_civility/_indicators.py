"""The six indicators of civility (精神文明), 100 points together.

Indicators with sub-items are :class:`~assessment_engine.rubric.Parts` whose part ids extend the
indicator id (``cv.volunteer.hours``); sub-item caps are the ``cap`` of their scoring form, so
the explanation shows a cap line.
"""

from __future__ import annotations

from typing import Final

from assessment_engine.rubric import (
    Band,
    Bands,
    Deduct,
    Deduction,
    DistinctCount,
    Indicator,
    Linear,
    Part,
    Parts,
    PerItem,
    Total,
    WhenAll,
    achievements,
    activities,
    exists,
    facts,
    incidents,
    per_capita,
)

from ._vocabulary import DIMENSION

__all__ = [
    "CULTURE",
    "DISCIPLINE",
    "ENTERPRISE",
    "INDICATORS",
    "OUTREACH",
    "PAIRING",
    "VOLUNTEER",
]

_VOLUNTEER = activities("volunteer")

VOLUNTEER: Final = Indicator(
    id="cv.volunteer",
    order=1,
    dimension=DIMENSION,
    label="志愿服务 (volunteer service)",
    max=25,
    description="人均志愿服务时长（全年）≥20h得15、≥12h得10、≥6h得5；组织或参加志愿服务活动"
    "每次2分，最高10分。",
    scoring=Parts(
        [
            Part(
                id="cv.volunteer.hours",
                label="人均志愿服务时长 (volunteer hours per member)",
                scoring=Bands(
                    per_capita(Total(_VOLUNTEER, "hours")),
                    [Band.at_least(20, 15), Band.at_least(12, 10), Band.at_least(6, 5)],
                ),
            ),
            Part(
                id="cv.volunteer.events",
                label="组织或参加志愿服务活动 (volunteer activities)",
                scoring=PerItem(_VOLUNTEER, 2, cap=10),
            ),
        ]
    ),
)

_VISITS = facts("pairing_visit")

PAIRING: Final = Indicator(
    id="cv.pairing",
    order=2,
    dimension=DIMENSION,
    label="结对帮扶与公益 (pairing and charity)",
    max=15,
    description="结对帮扶困难家庭每户2分，最高6分；当年每季度至少走访1次，每季度1分，最高4分；"
    "捐资捐物、植树等公益活动每次1分，最高5分。",
    scoring=Parts(
        [
            Part(
                id="cv.pairing.families",
                label="结对帮扶困难家庭 (families in need helped)",
                scoring=Linear(DistinctCount(_VISITS, "family"), 2, cap=6),
            ),
            Part(
                id="cv.pairing.quarters",
                label="每季度至少走访1次 (quarters with a visit)",
                scoring=Linear(DistinctCount(_VISITS, "quarter"), 1, cap=4),
            ),
            Part(
                id="cv.pairing.charity",
                label="捐资捐物、植树等公益活动 (donations, tree planting, charity)",
                scoring=PerItem(activities(("charity", "donation", "tree_planting")), 1, cap=5),
            ),
        ]
    ),
)

OUTREACH: Final = Indicator(
    id="cv.outreach",
    order=3,
    dimension=DIMENSION,
    label="公益宣传与科普 (public outreach)",
    max=20,
    description="公益讲座每场3分，最高9分；实验室开放日每次3分，最高6分；"
    "“质量月”、“世界计量日”等主题活动每项2.5分，最高5分。",
    scoring=Parts(
        [
            Part(
                id="cv.outreach.lectures",
                label="检测技术公益讲座 (public lectures)",
                scoring=PerItem(activities("public_lecture"), 3, cap=9),
            ),
            Part(
                id="cv.outreach.open_days",
                label="实验室开放日 (laboratory open days)",
                scoring=PerItem(activities("lab_open_day"), 3, cap=6),
            ),
            Part(
                id="cv.outreach.theme_events",
                label="质量月、世界计量日等主题活动 (theme events)",
                scoring=PerItem(activities("theme_event"), "2.5", cap=5),
            ),
        ]
    ),
)

ENTERPRISE: Final = Indicator(
    id="cv.enterprise",
    order=4,
    dimension=DIMENSION,
    label="服务企业 (serving enterprises)",
    max=10,
    description="质量免费巡诊/企业技术帮扶每家次2分，最高6分；公益性免费检测每批次1分，最高4分。",
    scoring=Parts(
        [
            Part(
                id="cv.enterprise.support",
                label="质量免费巡诊、企业技术帮扶 (free quality check-ups, technical help)",
                scoring=PerItem(activities("enterprise_support"), 2, cap=6),
            ),
            Part(
                id="cv.enterprise.free_testing",
                label="公益性免费检测 (free testing, per batch)",
                scoring=PerItem(activities("free_testing"), 1, cap=4),
            ),
        ]
    ),
)

CULTURE: Final = Indicator(
    id="cv.culture",
    order=5,
    dimension=DIMENSION,
    label="班组文化 (team culture)",
    max=15,
    description="有班组口号和服务品牌并公开承诺3分；共建社区节日活动每次1分，最高4分；环境卫生"
    "检查全年平均不是末位4分；文明礼仪基础4分，每起不文明行为扣2分，扣完为止。",
    scoring=Parts(
        [
            Part(
                id="cv.culture.brand",
                label="班组口号、服务品牌并公开承诺 (slogan, brand, public pledge)",
                scoring=WhenAll(
                    3,
                    [
                        exists(achievements("team_slogan")),
                        exists(achievements("service_brand")),
                        exists(achievements("public_commitment")),
                    ],
                ),
            ),
            Part(
                id="cv.culture.community",
                label="共建社区节日活动 (festival activities in the partner community)",
                scoring=PerItem(activities("community_festival"), 1, cap=4),
            ),
            Part(
                id="cv.culture.hygiene",
                label="环境卫生检查全年平均不是末位 (hygiene: not last of the year)",
                scoring=Deduct(
                    4,
                    (
                        Deduction(
                            "全年平均末位 (last of the year)",
                            4,
                            select=incidents("hygiene_last_place"),
                        ),
                    ),
                ),
            ),
            Part(
                id="cv.culture.manners",
                label="文明礼仪 (civil conduct)",
                scoring=Deduct(
                    4,
                    (
                        Deduction(
                            "不文明行为 每起扣2分 (uncivil conduct: −2 each)",
                            2,
                            select=incidents("uncivil_conduct"),
                        ),
                    ),
                ),
            ),
        ]
    ),
)

DISCIPLINE: Final = Indicator(
    id="cv.discipline",
    order=6,
    dimension=DIMENSION,
    label="纪律 (discipline)",
    max=15,
    description="基础15分：违反劳动纪律每人次扣1分；受院级通报批评每次扣3分；作风类有效投诉"
    "每起扣3分；扣完为止。",
    scoring=Deduct(
        15,
        (
            Deduction(
                "违反劳动纪律 每人次扣1分 (breach of work discipline: −1 each)",
                1,
                select=incidents("labour_discipline"),
            ),
            Deduction(
                "受院级通报批评 每次扣3分 (criticised by the institute: −3 each)",
                3,
                select=incidents("institute_criticism"),
            ),
            Deduction(
                "作风类有效投诉 每起扣3分 (valid complaint about conduct: −3 each)",
                3,
                select=incidents("conduct_complaint"),
            ),
        ),
    ),
)

#: The indicators in proposal order.
INDICATORS: Final = (VOLUNTEER, PAIRING, OUTREACH, ENTERPRISE, CULTURE, DISCIPLINE)
