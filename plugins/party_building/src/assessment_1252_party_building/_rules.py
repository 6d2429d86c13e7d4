"""Bonuses (加分, at most 10 together), penalties (扣分) and vetoes (一票否决) of party building.

The 党建创新项目/党建品牌 bonus is "取最高一项, 不累计": it is three bonuses, one per level, in
the exclusive group ``pb.bonus.innovation``, so only the highest level reached applies and the
explanation lists the others as superseded. The title 红旗班组 (plugin ``method_1252``) asks
whether ``pb.bonus.innovation.bureau`` or ``pb.bonus.innovation.provincial`` applied.
"""

from __future__ import annotations

from typing import Final

from assessment_engine.rubric import (
    AnyOf,
    BestItem,
    Bonus,
    Field,
    Penalty,
    PerItem,
    PointsBy,
    Veto,
    achievements,
    exists,
    incidents,
)

from ._vocabulary import (
    BUREAU_TIER,
    CITY_UP,
    DIMENSION,
    PROVINCIAL_UP,
)

__all__ = [
    "BONUSES",
    "INNOVATION_GROUP",
    "PENALTIES",
    "SERIOUS_GOVERNMENT_SANCTIONS",
    "SERIOUS_PARTY_SANCTIONS",
    "VETOES",
]

#: The exclusive group of the three 党建创新项目/党建品牌 bonuses.
INNOVATION_GROUP: Final = "pb.bonus.innovation"
_INNOVATION_KINDS = ("party_innovation", "party_brand")


def _innovation(level: str, levels: str | tuple[str, ...], points: int, gloss: str) -> Bonus:
    return Bonus(
        id=f"{INNOVATION_GROUP}.{level}",
        dimension=DIMENSION,
        label=f"党建创新项目/党建品牌 {gloss}",
        scoring=BestItem(achievements(_INNOVATION_KINDS, level=levels), points),
        group=INNOVATION_GROUP,
    )


BONUSES: Final = (
    _innovation("institute", "institute", 3, "院级 3分 (party-work innovation, institute: 3)"),
    _innovation("bureau", ("bureau", "city"), 5, "省局级 5分 (party-work innovation, bureau: 5)"),
    _innovation(
        "provincial", PROVINCIAL_UP, 8, "省级及以上 8分 (party-work innovation, province+: 8)"
    ),
    Bonus(
        id="pb.bonus.publicity",
        dimension=DIMENSION,
        label="党建经验被推广或被市级以上媒体报道 (experience promoted or reported)",
        scoring=PerItem(
            achievements(
                ("party_experience_promoted", "party_media_report"),
                AnyOf(
                    Field("kind").equals("party_experience_promoted"),
                    Field("level").one_of(*CITY_UP),
                ),
            ),
            2,
            cap=4,
        ),
    ),
    Bonus(
        id="pb.bonus.team_honour",
        dimension=DIMENSION,
        label="班组集体获先锋班组、先进基层党组织类表彰 (collective party honour, best one)",
        scoring=BestItem(
            achievements("team_party_honour"),
            PointsBy(
                "level",
                {"institute": 2} | dict.fromkeys(BUREAU_TIER, 4) | dict.fromkeys(PROVINCIAL_UP, 6),
            ),
        ),
    ),
)

PENALTIES: Final = (
    Penalty(
        id="pb.penalty.admonishment",
        dimension=DIMENSION,
        label="党员受诫勉谈话或通报批评 (admonishment or circulated criticism)",
        scoring=PerItem(incidents(("admonishment", "party_criticism")), 3),
    ),
    Penalty(
        id="pb.penalty.warning",
        dimension=DIMENSION,
        label="党员受党纪警告处分 (party disciplinary warning)",
        scoring=PerItem(incidents("party_discipline", severity="warning"), 10),
    ),
)

#: 党纪处分 from 严重警告 up: 严重警告, 撤销党内职务, 留党察看, 开除党籍.
SERIOUS_PARTY_SANCTIONS: Final = ("serious_warning", "dismissal", "probation", "expulsion")
#: 政务处分 from 记过 up: 记过, 记大过, 降级, 撤职, 开除.
SERIOUS_GOVERNMENT_SANCTIONS: Final = (
    "demerit",
    "major_demerit",
    "demotion",
    "removal",
    "expulsion",
)

VETOES: Final = (
    Veto(
        id="pb.veto.party_discipline",
        dimension=DIMENSION,
        label="党员或班组长受严重警告及以上党纪处分 (serious party sanction)",
        when=exists(incidents("party_discipline", severity=SERIOUS_PARTY_SANCTIONS)),
    ),
    Veto(
        id="pb.veto.government_sanction",
        dimension=DIMENSION,
        label="受记过及以上政务处分 (administrative sanction of demerit or above)",
        when=exists(incidents("government_sanction", severity=SERIOUS_GOVERNMENT_SANCTIONS)),
    ),
    Veto(
        id="pb.veto.criminal_case",
        dimension=DIMENSION,
        label="涉嫌违法犯罪被立案 (criminal case opened)",
        when=exists(incidents("criminal_case")),
    ),
    Veto(
        id="pb.veto.political_discipline",
        dimension=DIMENSION,
        label="违反政治纪律、政治规矩的严重问题 (serious breach of political discipline)",
        when=exists(incidents("political_discipline", severity="major")),
    ),
    Veto(
        id="pb.veto.development_fraud",
        dimension=DIMENSION,
        label="发展党员弄虚作假 (fraud in developing members)",
        when=exists(incidents("member_development_fraud")),
    ),
)
