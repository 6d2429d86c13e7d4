"""The seven indicators of business performance (业务), 100 points together.

Indicators with sub-items are :class:`~assessment_engine.rubric.Parts` whose part ids extend the
indicator id (``bp.task.completion``); sub-item caps are the ``cap`` of their scoring form, so
the explanation shows a cap line. Rates are metrics in percent (``96.5`` means 96.5 %).
"""

from __future__ import annotations

from typing import Final

from assessment_engine.rubric import (
    AnyOf,
    Band,
    Bands,
    Deduct,
    Deduction,
    Field,
    HasTag,
    Indicator,
    Part,
    Parts,
    PerItem,
    PointsBy,
    Total,
    achievements,
    facts,
    incidents,
    metric,
    per_capita,
)

from ._vocabulary import DIMENSION

__all__ = [
    "ACCEPTANCE",
    "DEDICATION",
    "INDICATORS",
    "INNOVATION",
    "PROJECT",
    "SERVICE",
    "STD_IP",
    "TASK",
]

TASK: Final = Indicator(
    id="bp.task",
    order=1,
    dimension=DIMENSION,
    label="检验检测、抽检业务 (testing and sampling work)",
    max=25,
    description="任务完成率≥100%得10、≥95%得8、≥90%得5；报告按期出具率≥98%得8、≥95%得6、"
    "≥90%得3；报告质量基础7分，每份更正或差错报告扣1分，每起客户有效质量投诉扣2分，扣完为止。",
    scoring=Parts(
        [
            Part(
                id="bp.task.completion",
                label="任务完成率 (tasks completed)",
                scoring=Bands(
                    metric("task_completion_pct"),
                    [Band.at_least(100, 10), Band.at_least(95, 8), Band.at_least(90, 5)],
                ),
            ),
            Part(
                id="bp.task.on_time",
                label="报告按期出具率 (reports issued on time)",
                scoring=Bands(
                    metric("report_on_time_pct"),
                    [Band.at_least(98, 8), Band.at_least(95, 6), Band.at_least(90, 3)],
                ),
            ),
            Part(
                id="bp.task.quality",
                label="报告质量 (report quality)",
                scoring=Deduct(
                    7,
                    (
                        Deduction(
                            "更正或差错报告 每份扣1分 (corrected or faulty report: −1 each)",
                            1,
                            select=incidents("report_corrected"),
                        ),
                        Deduction(
                            "客户有效质量投诉 每起扣2分 (valid quality complaint: −2 each)",
                            2,
                            select=incidents("quality_complaint"),
                        ),
                    ),
                ),
            ),
        ]
    ),
)

PROJECT: Final = Indicator(
    id="bp.project",
    order=2,
    dimension=DIMENSION,
    label="科研立项 (research projects approved)",
    max=12,
    description="当年新立项（本班组为第一承担）：省部级6、总局5、省科技厅4、省局3、院级1分每项，"
    "累计不超过12分。",
    scoring=PerItem(
        achievements("project_approved", role="lead"),
        PointsBy(
            "level",
            {
                "national": 6,
                "ministerial": 6,
                "administration": 5,
                "provincial_science": 4,
                "bureau": 3,
                "institute": 1,
            },
        ),
        cap=12,
    ),
)

ACCEPTANCE: Final = Indicator(
    id="bp.acceptance",
    order=3,
    dimension=DIMENSION,
    label="项目验收 (projects accepted)",
    max=10,
    description="当年通过验收：达国内领先4、国内先进2、其他通过1分每项，累计不超过10分；"
    "然后每项验收未通过或逾期未结题扣2分，本项不低于0。",
    scoring=Parts(
        [
            Part(
                id="bp.acceptance.passed",
                label="通过验收 (accepted)",
                scoring=PerItem(
                    achievements("project_accepted"),
                    PointsBy(
                        "level",
                        {
                            "international_leading": 4,
                            "international_advanced": 4,
                            "domestic_leading": 4,
                            "domestic_advanced": 2,
                        },
                        default=1,
                    ),
                    cap=10,
                ),
            ),
            Part(
                id="bp.acceptance.failed",
                label="验收未通过或逾期未结题 (failed or overdue)",
                # negative on its own; the indicator is clipped at 0 (本项不低于0)
                scoring=Deduct(
                    0,
                    (
                        Deduction(
                            "每项扣2分 (−2 each)",
                            2,
                            select=incidents(("acceptance_failed", "project_overdue")),
                        ),
                    ),
                    floor=None,
                ),
            ),
        ]
    ),
)

STD_IP: Final = Indicator(
    id="bp.std_ip",
    order=4,
    dimension=DIMENSION,
    label="标准与知识产权 (standards and intellectual property)",
    max=15,
    description="标准（已发布；主导/参与）：国家5/3、行业4/2、地方3/1.5、团体2/1，累计不超过8分；"
    "发明专利授权3分/件、实用新型1分/件、软件著作权登记1分/件，累计不超过7分。",
    scoring=Parts(
        [
            Part(
                id="bp.std_ip.standards",
                label="标准 (standards published)",
                scoring=PerItem(
                    facts("standard"),
                    PointsBy(
                        "category",
                        {
                            "national_lead": 5,
                            "national_participant": 3,
                            "industry_lead": 4,
                            "industry_participant": 2,
                            "local_lead": 3,
                            "local_participant": "1.5",
                            "group_lead": 2,
                            "group_participant": 1,
                        },
                    ),
                    cap=8,
                ),
            ),
            Part(
                id="bp.std_ip.ip",
                label="知识产权 (patents and software copyrights)",
                scoring=PerItem(
                    achievements(("invention_patent", "utility_model", "software_copyright")),
                    PointsBy(
                        "kind",
                        {"invention_patent": 3, "utility_model": 1, "software_copyright": 1},
                    ),
                    cap=7,
                ),
            ),
        ]
    ),
)

_VALUE = Field("value")

INNOVATION: Final = Indicator(
    id="bp.innovation",
    order=5,
    dimension=DIMENSION,
    label="创新成果 (innovations)",
    max=10,
    description="经院认定的创新成果每项：认定价值≥100万元5分、≥10万元3分、其他被采用1分；"
    "累计不超过10分。 Scored as 1 + 2 + 2: every valued or adopted innovation 1, from 100,000"
    " yuan 2 more, from 1,000,000 yuan 2 more.",
    # 5 / 3 / 1 per item written as 1 + 2 + 2, so that an innovation without a stated value
    # (value empty) still earns its 1 when adopted; the indicator max is the cap of 10
    scoring=Parts(
        [
            Part(
                id="bp.innovation.adopted",
                label="被采用或认定价值≥10万元 每项1分 (adopted or valued ≥ 100,000: 1 each)",
                scoring=PerItem(
                    achievements("innovation", AnyOf(HasTag("adopted"), _VALUE.at_least(100_000))),
                    1,
                ),
            ),
            Part(
                id="bp.innovation.valued",
                label="认定价值≥10万元 每项再加2分 (valued ≥ 100,000 yuan: 2 more each)",
                scoring=PerItem(achievements("innovation", _VALUE.at_least(100_000)), 2),
            ),
            Part(
                id="bp.innovation.major",
                label="认定价值≥100万元 每项再加2分 (valued ≥ 1,000,000 yuan: 2 more each)",
                scoring=PerItem(achievements("innovation", _VALUE.at_least(1_000_000)), 2),
            ),
        ]
    ),
)

SERVICE: Final = Indicator(
    id="bp.service",
    order=6,
    dimension=DIMENSION,
    label="服务 (service)",
    max=15,
    description="客户满意度≥95%得6、≥90%得4、≥85%得2；客户书面或电话感谢、锦旗每次1分，最高4分；"
    "服务质量基础5分，每起有效服务投诉扣2.5分，扣完为止。",
    scoring=Parts(
        [
            Part(
                id="bp.service.satisfaction",
                label="客户满意度 (customer satisfaction)",
                scoring=Bands(
                    metric("customer_satisfaction_pct"),
                    [Band.at_least(95, 6), Band.at_least(90, 4), Band.at_least(85, 2)],
                ),
            ),
            Part(
                id="bp.service.thanks",
                label="客户感谢、锦旗 (thanks from customers)",
                scoring=PerItem(achievements("customer_thanks"), 1, cap=4),
            ),
            Part(
                id="bp.service.complaints",
                label="服务质量 (service complaints)",
                scoring=Deduct(
                    5,
                    (
                        Deduction(
                            "有效服务投诉 每起扣2.5分 (valid service complaint: −2.5 each)",
                            "2.5",
                            select=incidents("service_complaint"),
                        ),
                    ),
                ),
            ),
        ]
    ),
)

DEDICATION: Final = Indicator(
    id="bp.dedication",
    order=7,
    dimension=DIMENSION,
    label="奉献与能力验证 (dedication and proficiency testing)",
    max=13,
    description="经审批加班人均年时数≥60h得3、≥30h得2、≥10h得1；能力验证/实验室间比对基础10分，"
    "每项可疑扣3、不满意扣5、未参加计划内项目扣5，扣完为止。",
    scoring=Parts(
        [
            Part(
                id="bp.dedication.overtime",
                label="人均经审批加班时数 (approved overtime per member)",
                scoring=Bands(
                    per_capita(Total(facts("activity", kind="overtime"), "hours")),
                    [Band.at_least(60, 3), Band.at_least(30, 2), Band.at_least(10, 1)],
                ),
            ),
            Part(
                id="bp.dedication.proficiency",
                label="能力验证/实验室间比对 (proficiency testing)",
                scoring=Deduct(
                    10,
                    (
                        Deduction(
                            "可疑 每项扣3分 (questionable: −3 each)",
                            3,
                            select=incidents("pt_questionable"),
                        ),
                        Deduction(
                            "不满意 每项扣5分 (unsatisfactory: −5 each)",
                            5,
                            select=incidents("pt_unsatisfactory"),
                        ),
                        Deduction(
                            "未参加计划内项目 每项扣5分 (planned round missed: −5 each)",
                            5,
                            select=incidents("pt_missed"),
                        ),
                    ),
                ),
            ),
        ]
    ),
)

#: The indicators in proposal order.
INDICATORS: Final = (TASK, PROJECT, ACCEPTANCE, STD_IP, INNOVATION, SERVICE, DEDICATION)
