"""Bonuses (加分, at most 10 together, items add up), penalties (扣分) and vetoes (一票否决).

Every award bonus counts an award only when the team is a main completing unit (``role`` =
``lead``, 本班组为主要完成单位) and at 省局级 or above, so that the title 红旗班组 (plugin
``method_1252``) can ask whether ``bp.bonus.tech_award``, ``bp.bonus.association_award`` or
``bp.bonus.standard_award`` applied.
"""

from __future__ import annotations

from typing import Final

from assessment_engine.rubric import (
    Bonus,
    Part,
    Parts,
    Penalty,
    PerItem,
    PointsBy,
    Veto,
    achievements,
    exists,
    incidents,
)

from ._vocabulary import AWARD_LEVELS, DIMENSION, PROVINCIAL_UP

__all__ = ["AWARD_BONUSES", "BONUSES", "PENALTIES", "VETOES"]

_BY_CLASS_5_4_3 = PointsBy("award", {"special": 5, "first": 5, "second": 4, "third": 3})

BONUSES: Final = (
    Bonus(
        id="bp.bonus.tech_award",
        dimension=DIMENSION,
        label="科技奖励 (science and technology awards)",
        scoring=Parts(
            [
                Part(
                    id="bp.bonus.tech_award.national",
                    label="国家级 每项10分 (national: 10 each)",
                    scoring=PerItem(achievements("tech_award", level="national", role="lead"), 10),
                ),
                Part(
                    id="bp.bonus.tech_award.provincial",
                    label="省部级 一等8/二等6/三等4 (provincial-ministerial: 8/6/4)",
                    scoring=PerItem(
                        achievements(
                            "tech_award", level=("ministerial", "provincial"), role="lead"
                        ),
                        PointsBy("award", {"special": 8, "first": 8, "second": 6, "third": 4}),
                    ),
                ),
            ]
        ),
    ),
    Bonus(
        id="bp.bonus.association_award",
        dimension=DIMENSION,
        label="行业协会科技奖 一等5/二等4/三等3 (industry-association award: 5/4/3)",
        scoring=PerItem(
            achievements("association_award", level=AWARD_LEVELS, role="lead"), _BY_CLASS_5_4_3
        ),
    ),
    Bonus(
        id="bp.bonus.standard_award",
        dimension=DIMENSION,
        label="标准贡献奖 一等5/二等4/三等3 (standard contribution award: 5/4/3)",
        scoring=PerItem(
            achievements("standard_award", level=AWARD_LEVELS, role="lead"), _BY_CLASS_5_4_3
        ),
    ),
    Bonus(
        id="bp.bonus.adoption",
        dimension=DIMENSION,
        label="成果被省级以上监管部门采纳应用 每项3分 (adopted by a regulator: 3 each)",
        scoring=PerItem(achievements("regulator_adoption", level=PROVINCIAL_UP), 3),
    ),
)

#: The bonus ids that are 科技/标准奖 at 省局级 or above (what 红旗班组 asks for).
AWARD_BONUSES: Final = (
    "bp.bonus.association_award",
    "bp.bonus.standard_award",
    "bp.bonus.tech_award",
)

PENALTIES: Final = (
    Penalty(
        id="bp.penalty.report_censured",
        dimension=DIMENSION,
        label="检验报告被上级通报或复检结论被推翻 每起5分 (report censured or overturned)",
        scoring=PerItem(incidents(("report_censured", "retest_overturned")), 5),
    ),
    Penalty(
        id="bp.penalty.safety_hazard",
        dimension=DIMENSION,
        label="重大安全隐患未按期整改 每项3分 (major safety hazard not rectified in time)",
        scoring=PerItem(incidents("safety_hazard_unrectified"), 3),
    ),
)

VETOES: Final = (
    Veto(
        id="bp.veto.false_report",
        dimension=DIMENSION,
        label="出具虚假或严重失实的检验报告 (false or seriously untrue test report)",
        when=exists(incidents("false_report")),
    ),
    Veto(
        id="bp.veto.quality_accident",
        dimension=DIMENSION,
        label="发生重大质量责任事故 (major quality accident)",
        when=exists(incidents("quality_accident", severity="major")),
    ),
    Veto(
        id="bp.veto.qualification",
        dimension=DIMENSION,
        label="因本班组原因检验检测资质被暂停、撤销 (accreditation suspended or revoked)",
        when=exists(incidents(("qualification_suspended", "qualification_revoked"))),
    ),
    Veto(
        id="bp.veto.safety_accident",
        dimension=DIMENSION,
        label="发生重大实验室安全责任事故 (major laboratory safety accident)",
        when=exists(incidents("safety_accident", severity="major")),
    ),
    Veto(
        id="bp.veto.data_leak",
        dimension=DIMENSION,
        label="泄露商业秘密或检验数据造成严重后果 (leak of secrets or data, serious)",
        when=exists(incidents("data_leak", severity="major")),
    ),
)
