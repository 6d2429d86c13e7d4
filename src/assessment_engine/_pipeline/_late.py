"""The late getters: quantities known only once a team is scored, read off its state.

Indicator points, rule amounts, vetoes, dimension scores, the composite and grades become
quantities for the conditions of later phases (a bonus that needs a dimension score, a title
that needs a grade); each such slot gets a getter that reads it off a scored
:class:`~._state.TeamState`.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, assert_never

from .._base.numbers import ratio_of
from ..rubric.conditions import (
    AdjustmentPoints,
    Composite,
    Count,
    DimensionBonus,
    DimensionPenalty,
    DimensionScore,
    DistinctCount,
    Grade,
    Headcount,
    IndicatorPoints,
    Largest,
    Mean,
    PenaltyTotal,
    Phase,
    Quantity,
    Ratio,
    TeamAttr,
    Total,
    Triggered,
    ValueOf,
    Vetoed,
)
from ._plan import LateGetter, Plan
from ._slots import is_simple_ratio
from ._state import PointPart, TeamState

__all__ = ["late_getters"]

ZERO = Decimal(0)


def late_getters(plan: Plan) -> dict[Phase, list[LateGetter]]:
    """Per phase (items, dimensions, grades): the slots filled then, with their getters."""
    indicators = {ip.indicator.id: i for i, ip in enumerate(plan.indicators)}
    adjustments = {ap.rule.id: i for i, ap in enumerate(plan.adjustments)}
    vetoes = {vp.veto.id: i for i, vp in enumerate(plan.vetoes)}
    dims = plan.dimension_index
    scales = {scale.id: i for i, (scale, _) in enumerate(plan.scales)}
    layout = plan.layout

    def at(part: PointPart, index: int) -> Callable[[TeamState], Any]:
        offset = layout.offset(part, index)
        return lambda s: s.points[offset]

    def getter(q: Quantity) -> Callable[[TeamState], Any]:
        if isinstance(q, IndicatorPoints):
            return at("indicator", indicators[q.indicator])
        if isinstance(q, AdjustmentPoints):
            return at("applied", adjustments[q.rule])
        if isinstance(q, Triggered):
            if q.rule in vetoes:
                i = vetoes[q.rule]
                return lambda s: i in s.vetoes
            offset = layout.offset("applied", adjustments[q.rule])
            return lambda s: s.points[offset] > 0
        if isinstance(q, Vetoed):
            return lambda s: bool(s.vetoes)
        if isinstance(q, DimensionScore):
            return at("score", dims[q.dimension])
        if isinstance(q, DimensionBonus):
            return at("bonus", dims[q.dimension])
        if isinstance(q, DimensionPenalty):
            return at("penalty", dims[q.dimension])
        if isinstance(q, PenaltyTotal):
            return lambda s: sum(s.dim_penalty, ZERO)
        if isinstance(q, Composite):
            return lambda s: s.composite
        if isinstance(q, Grade):
            i = scales[q.scale]
            return lambda s: s.grades[i][0]
        if isinstance(q, Ratio):
            num = plan.quantity_index[q.numerator]
            den = plan.quantity_index[q.denominator]
            simple = is_simple_ratio(q)

            def ratio(s: TeamState) -> Any:
                return ratio_of(s.values[num], s.values[den], as_pair=simple)

            return ratio
        if isinstance(
            q, Count | Total | Mean | Largest | DistinctCount | ValueOf | Headcount | TeamAttr
        ):  # pragma: no cover - counted from the facts, never late
            raise TypeError(f"{q!r} is counted from the facts")
        assert_never(q)

    late: dict[Phase, list[LateGetter]] = {Phase.ITEMS: [], Phase.DIMENSIONS: [], Phase.GRADES: []}
    for qp in plan.quantities:
        if qp.compute is None:
            late[qp.stage].append((qp.index, getter(qp.quantity)))
    return late
