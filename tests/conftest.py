"""Shared fixtures: both matchers, engines closed after each test, a tiny fact builder, and the
explanation invariant every report is held to.

* ``matcher`` — ``"durable"`` and ``"python"``; every test that uses it (directly or through
  ``make_engine`` / ``assess``) runs once per matcher.
* ``make_engine(rubric)`` — an engine for the test's matcher, closed at teardown.
* ``assess(rubric, facts)`` — build, assess, and check the report's explanations add up.
* ``check_explanations(report)`` — the invariant alone (for session reports and the like).
* ``fact_builder`` — facts for one period with automatic, unique ids.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal

import pytest

from assessment_engine import (
    Engine,
    Fact,
    FactSet,
    Report,
)
from assessment_engine.rubric import Rubric
from assessment_engine.testing import FactBuilder

MATCHERS = ("durable", "python")
ZERO = Decimal(0)


@pytest.fixture(params=MATCHERS)
def matcher(request: pytest.FixtureRequest) -> str:
    """Each matcher in turn: the results must not depend on it."""
    return str(request.param)


@pytest.fixture
def make_engine(matcher: str) -> Iterator[Callable[[Rubric], Engine]]:
    """``make_engine(rubric)``: an engine for the current matcher, closed after the test."""
    engines: list[Engine] = []

    def make(rubric: Rubric) -> Engine:
        engine = Engine.from_rubric(rubric, matcher=matcher)  # type: ignore[arg-type]
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        engine.close()


def _check_explanations(report: Report) -> None:
    """Every indicator's and adjustment's lines add up exactly to its points; totals agree."""
    floors = {d.id: d.floor for d in report.rubric.dimensions}
    for a in report:
        for dim in a.dimensions:
            for ind in dim.indicators:
                total = sum((line.points for line in ind.lines), ZERO)
                assert total == ind.points, (a.team, ind.id, ind.lines)
                assert ZERO <= ind.points <= ind.max, (a.team, ind.id)
            bonus = penalty = ZERO
            for adj in dim.adjustments:
                total = sum((line.points for line in adj.lines), ZERO)
                sign = 1 if adj.kind == "bonus" else -1
                assert total == sign * adj.applied, (a.team, adj.id, adj.lines)
                assert ZERO <= adj.applied <= adj.amount, (a.team, adj.id)
                if adj.kind == "bonus":
                    bonus += adj.applied
                else:
                    penalty += adj.applied
            assert dim.base == sum((i.points for i in dim.indicators), ZERO), (a.team, dim.id)
            assert dim.bonus_before_cap == bonus, (a.team, dim.id)
            assert dim.penalty == penalty, (a.team, dim.id)
            assert ZERO <= dim.bonus <= dim.bonus_before_cap, (a.team, dim.id)
            total, floor = dim.base + dim.bonus - dim.penalty, floors[dim.id]
            assert dim.score == (total if floor is None else max(floor, total)), (a.team, dim.id)
        composite = sum((d.weight * d.score for d in a.dimensions), ZERO)
        assert a.composite == composite, a.team
        explanation = a.explain()
        assert len(explanation.lines()) == sum(
            len(i.lines) for d in a.dimensions for i in d.indicators
        ) + sum(len(j.lines) for d in a.dimensions for j in d.adjustments)
        assert a.team in explanation.text()


@pytest.fixture
def check_explanations() -> Callable[[Report], None]:
    """The explanation invariant, for reports a test builds itself."""
    return _check_explanations


@pytest.fixture
def assess(
    make_engine: Callable[[Rubric], Engine],
) -> Callable[..., Report]:
    """``assess(rubric, facts, period=None)``: the checked report of the current matcher.

    The facts are assessed twice by the same engine: the second run finds every matcher answer
    remembered (the engine's fast path) and must give the same bytes.
    """

    def run(rubric: Rubric, facts: FactSet | Iterable[Fact], period: str | None = None) -> Report:
        facts = facts if isinstance(facts, FactSet) else list(facts)
        engine = make_engine(rubric)
        report = engine.assess(facts, period=period)
        _check_explanations(report)
        again = engine.assess(facts, period=period)
        assert again.to_json() == report.to_json()
        return report

    return run


@pytest.fixture
def fact_builder() -> FactBuilder:
    """A :class:`FactBuilder` for period ``"2024"``."""
    return FactBuilder()
