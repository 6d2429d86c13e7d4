"""The test helpers rule-set authors use (assessment_engine.testing)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs
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
from assessment_engine.testing import FactBuilder, TeamFacts, TeamResult, assess_one, line_points

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


def test_assess_one_returns_the_checked_result_of_the_team() -> None:
    team = TeamFacts("T3")
    team.activity("volunteer")
    team.incident("quarrel")
    with Engine.from_rubric(RUBRIC, matcher="python") as engine:
        result = assess_one(engine, team, "cv")
    # events 1 × 2; conduct 4 − 3 = 1
    assert result.assessment.team == "T3"
    assert result.indicator("cv.x") == 3
    assert result.part("cv.x.conduct") == 1


class _TamperedEngine:
    """An engine whose reports claim one point more for cv.x than its lines explain."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.rubric = engine.rubric

    def assess(self, facts: Any) -> list[Any]:
        report = list(self.engine.assess(facts))
        out = []
        for a in report:
            dims = []
            for dim in a.dimensions:
                inds = tuple(
                    attrs.evolve(ind, points=ind.points + 1) if ind.id == "cv.x" else ind
                    for ind in dim.indicators
                )
                dims.append(attrs.evolve(dim, indicators=inds))
            out.append(attrs.evolve(a, dimensions=tuple(dims)))
        return out


def test_assess_one_fails_when_an_explanation_does_not_add_up() -> None:
    team = TeamFacts("T1")
    team.activity("volunteer")
    with Engine.from_rubric(RUBRIC, matcher="python") as engine:
        tampered: Any = _TamperedEngine(engine)
        with pytest.raises(AssertionError, match=r"lines of indicator cv\.x for team T1 add up to"):
            assess_one(tampered, team, "cv")


def test_results_record_the_rubric_hash_and_the_engine_version() -> None:
    """The hash follows the rubric's content: one changed number gives another hash."""
    import json

    import assessment_engine

    team = TeamFacts("T1")
    team.activity("volunteer")
    with Engine.from_rubric(RUBRIC, matcher="python") as engine:
        report = engine.assess(team.facts)
    data = json.loads(report.to_json())
    assert data["rubric_hash"] == RUBRIC.content_hash == report["T1"].rubric_hash
    assert data["engine_version"] == assessment_engine.__version__
    assert report["T1"].engine_version == assessment_engine.__version__
    assert RUBRIC.content_hash[:12] in report["T1"].explain().text()

    (indicator,) = RUBRIC.indicators
    events = indicator.scoring.parts[0]
    cheaper = attrs.evolve(
        indicator,
        scoring=attrs.evolve(
            indicator.scoring,
            parts=(attrs.evolve(events, scoring=PerItem(events.scoring.select, 1, cap=6)),
                   *indicator.scoring.parts[1:]),
        ),
    )  # fmt: skip
    changed = Rubric.build(dimensions=RUBRIC.dimensions, indicators=[cheaper], rules=RUBRIC.bonuses)
    assert changed.content_hash != RUBRIC.content_hash
    rebuilt = Rubric.build(
        dimensions=RUBRIC.dimensions, indicators=RUBRIC.indicators, rules=RUBRIC.bonuses
    )
    assert rebuilt.content_hash == RUBRIC.content_hash
