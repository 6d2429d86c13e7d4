"""The six indicators of party building (党建), 100 points together.

Each indicator is :class:`~assessment_engine.rubric.Parts` whose parts are the sub-items of the
proposal (default-rubric-1252.md §1); part ids extend the indicator id (``pb.leader.selection``).
Sub-item caps are the ``cap`` of their scoring form, so the explanation shows a cap line; the
indicator's ``max`` is the sum of its parts' maxima.
"""

from __future__ import annotations

from typing import Final

from assessment_engine.rubric import (
    AllOf,
    Band,
    Bands,
    BestItem,
    Count,
    Deduct,
    Deduction,
    HasTag,
    Headcount,
    Indicator,
    Part,
    Parts,
    PerItem,
    PointsBy,
    Ratio,
    achievements,
    facts,
    incidents,
    metric,
)

from ._vocabulary import (
    BUREAU_TIER,
    CITY_UP,
    DIMENSION,
    INSTITUTE_UP,
    PARTY,
    PARTY_AND_ACTIVISTS,
    PROVINCIAL_UP,
    leaders,
)

__all__ = [
    "DEVELOP",
    "INDICATORS",
    "LEADER",
    "LIFE",
    "STUDY",
    "TALENT",
    "VANGUARD",
]

LEADER: Final = Indicator(
    id="pb.leader",
    order=1,
    dimension=DIMENSION,
    label="班组长队伍 (team leaders)",
    max=15,
    description="班组长经公开竞聘产生6分；班组长年度考核 优秀6/称职4/基本称职2/不称职0；"
    "班组长为中共党员3分，入党积极分子1.5分。",
    scoring=Parts(
        [
            Part(
                id="pb.leader.selection",
                label="班组长经公开竞聘产生 (leader chosen by open competition)",
                scoring=BestItem(leaders(HasTag("open_competition")), 6),
            ),
            Part(
                id="pb.leader.appraisal",
                label="班组长年度考核 (leader's annual appraisal)",
                scoring=BestItem(
                    facts("leader_appraisal"),
                    PointsBy(
                        "rating",
                        {
                            "excellent": 6,
                            "competent": 4,
                            "basically_competent": 2,
                            "incompetent": 0,
                        },
                    ),
                ),
            ),
            Part(
                id="pb.leader.party",
                label="班组长政治面貌 (leader's party status)",
                # the best status among the leader records (one leader: that leader's)
                scoring=BestItem(
                    leaders(),
                    PointsBy("party_status", {"member": 3, "probationary": 3, "activist": "1.5"}),
                ),
            ),
        ]
    ),
)

_PARTY_SHARE = Ratio(Count(facts("member", party_status=PARTY)), Headcount())

DEVELOP: Final = Indicator(
    id="pb.develop",
    order=2,
    dimension=DIMENSION,
    label="党员发展 (developing members)",
    max=15,
    description="当年递交入党申请书每人2分，最高6分；新发展预备党员每人3分，最高6分；"
    "党员占班组人数≥30%得3分、≥15%得2分、>0得1分；发展党员工作不规范本项扣15分，扣完为止。",
    scoring=Parts(
        [
            Part(
                id="pb.develop.applications",
                label="当年递交入党申请书 (applications to join the party)",
                scoring=PerItem(facts("member", HasTag("party_application")), 2, cap=6),
            ),
            Part(
                id="pb.develop.probationary",
                label="新发展预备党员 (new probationary members)",
                scoring=PerItem(facts("member", HasTag("new_probationary")), 3, cap=6),
            ),
            Part(
                id="pb.develop.share",
                label="党员占班组人数 (party members' share of the team)",
                scoring=Bands(
                    _PARTY_SHARE,
                    [Band.at_least("0.3", 3), Band.at_least("0.15", 2), Band.above(0, 1)],
                ),
            ),
            Part(
                id="pb.develop.irregular",
                label="发展党员工作不规范 (irregular member development)",
                scoring=Deduct(
                    0,
                    (
                        Deduction(
                            "发展党员工作不规范 本项扣15分 (irregular: −15)",
                            15,
                            select=incidents("member_development_irregular"),
                        ),
                    ),
                    floor=None,
                ),
            ),
        ]
    ),
)

_THEORY_MEAN = metric("theory_test_mean")
# a participation rate that was not reported counts as below 90 % (see README, decisions)
_PARTICIPATION = metric("theory_test_participation_pct", default=0)

STUDY: Final = Indicator(
    id="pb.study",
    order=3,
    dimension=DIMENSION,
    label="大学习 (study)",
    max=20,
    description="理论测试人均分≥90得8、≥85得6、≥80得4、≥60得2；参测率不足90%该子项再扣2分"
    "（不低于0）；专题研讨每次2分，最高6分；撰写文章 内部交流1分/篇，市级以上媒体或刊物发表"
    "2分/篇，最高6分。",
    scoring=Parts(
        [
            Part(
                id="pb.study.theory",
                label="理论测试人均分 (theory test: mean score)",
                scoring=Bands(
                    _THEORY_MEAN,
                    [
                        Band.at_least(90, 8),
                        Band.at_least(85, 6),
                        Band.at_least(80, 4),
                        Band.at_least(60, 2),
                    ],
                ),
            ),
            Part(
                id="pb.study.participation",
                label="理论测试参测率 (theory test: participation)",
                # the sub-item never goes below 0: the deduction applies only where the test
                # earned points (≥ 60 gives at least 2)
                scoring=Deduct(
                    0,
                    (
                        Deduction(
                            "参测率不足90% 再扣2分 (participation below 90 %: −2)",
                            2,
                            when=AllOf(_PARTICIPATION.below(90), _THEORY_MEAN.at_least(60)),
                        ),
                    ),
                    floor=None,
                ),
            ),
            Part(
                id="pb.study.seminars",
                label="专题研讨 (seminars)",
                scoring=PerItem(facts("activity", kind="seminar"), 2, cap=6),
            ),
            Part(
                id="pb.study.articles",
                label="撰写文章 (articles written)",
                scoring=PerItem(
                    achievements("article"),
                    PointsBy("level", dict.fromkeys(CITY_UP, 2), default=1),
                    cap=6,
                ),
            ),
        ]
    ),
)

LIFE: Final = Indicator(
    id="pb.life",
    order=4,
    dimension=DIMENSION,
    label="组织生活 (party life)",
    max=15,
    description="三会一课及主题党日出勤率≥95%得8、≥90%得6、≥80%得3；民主评议党员基础4分，"
    "每名基本合格扣2、不合格扣4，扣完为止；党费基础3分，每人次未按时足额交纳扣0.5，扣完为止。",
    scoring=Parts(
        [
            Part(
                id="pb.life.attendance",
                label="三会一课及主题党日出勤率 (attendance at party meetings)",
                scoring=Bands(
                    metric("party_attendance_pct"),
                    [Band.at_least(95, 8), Band.at_least(90, 6), Band.at_least(80, 3)],
                ),
            ),
            Part(
                id="pb.life.review",
                label="民主评议党员 (democratic review of members)",
                scoring=Deduct(
                    4,
                    (
                        Deduction(
                            "基本合格 每名扣2分 (basically qualified: −2 each)",
                            2,
                            select=facts("party_review", rating="basically_qualified"),
                        ),
                        Deduction(
                            "不合格 每名扣4分 (unqualified: −4 each)",
                            4,
                            select=facts("party_review", rating="unqualified"),
                        ),
                    ),
                ),
            ),
            Part(
                id="pb.life.dues",
                label="党费交纳 (party dues)",
                scoring=Deduct(
                    3,
                    (
                        Deduction(
                            "未按时足额交纳 每人次扣0.5分 (dues late or short: −0.5 each)",
                            "0.5",
                            select=incidents("party_dues_late"),
                        ),
                    ),
                ),
            ),
        ]
    ),
)

_MASTERS_SHARE = Ratio(
    Count(facts("member", education=("master", "doctorate"))),
    Headcount(),
)

TALENT: Final = Indicator(
    id="pb.talent",
    order=5,
    dimension=DIMENSION,
    label="人才培育 (talent)",
    max=15,
    description="依托班组设立首席专家工作室5分；青年拔尖技术能手、青年岗位创新能手 院级2分/"
    "省级及以上4分每人，最高6分；硕士(含)以上人员占比≥90%得4、≥70%得3、≥50%得2。",
    scoring=Parts(
        [
            Part(
                id="pb.talent.studio",
                label="首席专家工作室 (chief-expert studio)",
                scoring=BestItem(achievements("expert_studio"), 5),
            ),
            Part(
                id="pb.talent.young",
                label="青年拔尖技术能手、青年岗位创新能手 (young technical talents)",
                scoring=PerItem(
                    achievements("young_talent"),
                    PointsBy(
                        "level",
                        dict.fromkeys(("institute", *BUREAU_TIER), 2)
                        | dict.fromkeys(PROVINCIAL_UP, 4),
                    ),
                    cap=6,
                ),
            ),
            Part(
                id="pb.talent.degree",
                label="硕士(含)以上人员占比 (share with a master's degree or above)",
                scoring=Bands(
                    _MASTERS_SHARE,
                    [Band.at_least("0.9", 4), Band.at_least("0.7", 3), Band.at_least("0.5", 2)],
                ),
            ),
        ]
    ),
)

_ACTIVITY_PER_MEMBER = Ratio(
    metric("party_activity_times"),
    Count(facts("member", party_status=PARTY_AND_ACTIVISTS)),
)

VANGUARD: Final = Indicator(
    id="pb.vanguard",
    order=6,
    dimension=DIMENSION,
    label="先锋模范作用 (vanguard role)",
    max=20,
    description="职工民主测评满意率高于90%得10、高于80%得7、高于70%得4；党员(含积极分子)人均"
    "参加志愿服务或党员责任岗活动≥4次得5、≥2次得3；党员获院级及以上表彰每人次2.5分，最高5分。",
    scoring=Parts(
        [
            Part(
                id="pb.vanguard.satisfaction",
                label="职工民主测评满意率 (staff satisfaction in the democratic evaluation)",
                scoring=Bands(
                    metric("staff_satisfaction_pct"),
                    [Band.above(90, 10), Band.above(80, 7), Band.above(70, 4)],
                ),
            ),
            Part(
                id="pb.vanguard.activity",
                label="党员人均参加志愿服务或责任岗活动 (activities per party member)",
                scoring=Bands(_ACTIVITY_PER_MEMBER, [Band.at_least(4, 5), Band.at_least(2, 3)]),
            ),
            Part(
                id="pb.vanguard.honours",
                label="党员获院级及以上表彰 (party members commended)",
                scoring=PerItem(achievements("member_honour", level=INSTITUTE_UP), "2.5", cap=5),
            ),
        ]
    ),
)

#: The indicators in proposal order.
INDICATORS: Final = (LEADER, DEVELOP, STUDY, LIFE, TALENT, VANGUARD)
