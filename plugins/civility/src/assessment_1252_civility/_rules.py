"""Bonuses (加分, at most 10 together) and vetoes (一票否决) of civility; it has no penalty."""

from __future__ import annotations

from typing import Final

from assessment_engine.rubric import (
    BestItem,
    Bonus,
    PerItem,
    PointsBy,
    Veto,
    achievements,
    exists,
    incidents,
)

from ._vocabulary import CITY_UP, DIMENSION, MEDIA_CITY_UP

__all__ = ["BONUSES", "VETOES"]

BONUSES: Final = (
    Bonus(
        id="cv.bonus.honour",
        dimension=DIMENSION,
        label="集体荣誉 取最高一项 (collective honour, the best one)",
        scoring=BestItem(
            achievements("collective_honour"),
            PointsBy(
                "level",
                {
                    "institute": 2,
                    "city": 4,
                    "bureau": 4,
                    "provincial": 6,
                    "ministerial": 6,
                    "national": 10,
                },
            ),
        ),
    ),
    Bonus(
        id="cv.bonus.media",
        dimension=DIMENSION,
        label="好人好事、志愿事迹被市级以上媒体报道 (good deeds reported by the media)",
        scoring=PerItem(achievements("good_deed_report", level=MEDIA_CITY_UP), 2, cap=4),
    ),
    Bonus(
        id="cv.bonus.volunteer_honour",
        dimension=DIMENSION,
        label="成员获市级以上“最美志愿者”等荣誉 (members honoured as volunteers)",
        scoring=PerItem(achievements("volunteer_honour", level=CITY_UP), 2, cap=4),
    ),
)

VETOES: Final = (
    Veto(
        id="cv.veto.criminal_case",
        dimension=DIMENSION,
        label="班组成员发生刑事案件 (criminal case involving a member)",
        when=exists(incidents("criminal_case")),
    ),
    Veto(
        id="cv.veto.accident",
        dimension=DIMENSION,
        label="发生重大安全生产或食品安全责任事故 (major safety or food-safety accident)",
        when=exists(incidents(("safety_accident", "food_safety_accident"), severity="major")),
    ),
    Veto(
        id="cv.veto.eight_rules",
        dimension=DIMENSION,
        label="违反中央八项规定精神受到处理 (sanctioned under the eight-point rules)",
        when=exists(incidents("eight_rules_violation")),
    ),
    Veto(
        id="cv.veto.public_opinion",
        dimension=DIMENSION,
        label="造成恶劣社会影响的网络舆情或群体性事件 (online uproar or mass incident)",
        when=exists(incidents(("public_opinion", "mass_incident"), severity="major")),
    ),
)
