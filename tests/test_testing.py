"""The test helpers rule-set authors use (assessment_engine.testing)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assessment_engine import Engine, InputError
from assessment_engine.rubric import (
    Bonus,
    Deduct,
    Deduction,
    Dimension,
    Indicator,
    Part,
    Parts,
    PerItem,
    Rubric,
    WhenAll,
    exists,
    facts,
)
from assessment_engine.testing import FactBuilder, TeamFacts, TeamResult, line_points

RUBRIC = Rubric.build(
    dimensions=[Dimension(id="cv", label="精神文明 (civility)", max=10, bonus_cap=2)],
    indicators=[
        Indicator(
            id="cv.x",
            dimension="cv",
            label="项 (x)",
            max=10,
            scoring=Parts(
                [
                    Part(
                        id="cv.x.events",
                        label="活动 (events)",
                        scoring=PerItem(facts("activity", kind="volunteer"), 2, cap=6),
                    ),
                    Part(
                        id="cv.x.conduct",
                        label="礼仪 (conduct)",
                        scoring=Deduct(
                            4, [Deduction("争吵 (quarrel)", 3, select=facts("incident"))]
                        ),
                    ),
                ]
            ),
        )
    ],
    rules=[
        Bonus(
            id="cv.bonus",
            dimension="cv",
            label="媒体 (media)",
            scoring=WhenAll(3, [exists(facts("achievement", kind="media"))]),
        )
    ],
)


def test_team_facts_ids_and_the_points_readers() -> None:
    team = TeamFacts("T9", headcount=3)
    for _ in range(4):
        team.activity("volunteer")
    team.incident("quarrel")
    team.incident("quarrel")
    team.achievement("media")
    assert [f.id for f in team.facts[1:3]] == ["activity-1", "activity-2"]
    assert team.facts[0].headcount == 3
    with Engine.from_rubric(RUBRIC, matcher="python") as engine:
        result = TeamResult(engine.assess(team.facts)["T9"], "cv")
    # events: 4 × 2 = 8, capped at 6; conduct: 4 − 2 × 3 = −2 → floor 0; indicator 6
    assert result.part("cv.x.events") == 6
    assert result.part("cv.x.conduct") == 0
    assert result.indicator("cv.x") == 6
    # bonus 3, capped at 2 by the dimension
    assert result.applied("cv.bonus") == 3
    assert result.applied("cv.other") == 0
    assert result.score == 8
    assert result.vetoes == []
    with pytest.raises(KeyError, match=r"cv\.nothing"):
        result.part("cv.nothing")


def test_line_points_takes_the_source_and_its_hash_lines() -> None:
    team = TeamFacts()
    team.activity("volunteer")
    with Engine.from_rubric(RUBRIC, matcher="python") as engine:
        lines = engine.assess(team.facts)["T1"].indicator("cv.x").lines
    assert line_points(lines, "cv.x.events") == Decimal(2)
    assert line_points(lines, "cv.x.conduct") == Decimal(4)


def test_fact_builder_builds_several_teams_and_checks_happen_in_the_engine() -> None:
    fb = FactBuilder("2023")
    fb.team("A", headcount=2)
    fb.activity("A", kind="volunteer")
    fb.activity("B", kind="volunteer")  # no team record for B
    assert {f.period for f in fb.facts} == {"2023"}
    with Engine.from_rubric(RUBRIC, matcher="python") as engine, pytest.raises(InputError):
        engine.assess(fb.facts)
