"""Fixtures for the civility tests: an engine with only this plugin, and a fact builder.

``team`` builds one team's facts (id ``T1``, period ``2024``, headcount 10 unless told);
``assess(team)`` assesses them with the plain-Python matcher and returns a
:class:`~assessment_engine.testing.TeamResult`, after checking that every explanation adds up
exactly to its points.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import assessment_1252_civility as cv
import pytest

from assessment_engine import Engine, Record
from assessment_engine.testing import TeamFacts as _TeamFacts
from assessment_engine.testing import TeamResult, assess_one


class TeamFacts(_TeamFacts):
    """The facts of one team in 2024, with automatic ids, and this rule set's own kinds."""

    def visit(self, family: str, date: str) -> Record:
        return self.add(cv.PairingVisit, family=family, date=datetime.date.fromisoformat(date))


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    """This plugin alone (no entry points), plain-Python matcher."""
    with Engine(entry_points=False, plugins=[cv], matcher="python") as built:
        yield built


@pytest.fixture
def team() -> TeamFacts:
    """An empty team T1 with headcount 10."""
    return TeamFacts()


@pytest.fixture
def assess(engine: Engine) -> Any:
    """``assess(team)``: the checked :class:`~assessment_engine.testing.TeamResult` of team T1."""

    def run(facts: TeamFacts) -> TeamResult:
        return assess_one(engine, facts, "cv")

    return run


@pytest.fixture
def make_team() -> Any:
    """``make_team(headcount=...)``: a team with another headcount."""
    return TeamFacts
