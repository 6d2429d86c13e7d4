"""The slots a compiled rubric fills per team, and the registry scorers register into.

While a rubric compiles, every scoring form asks for what it reads: a selection's fact list
(:meth:`Slots.select`), a quantity's value (:meth:`Slots.quantity`) and a condition's answer
(:meth:`Slots.rule`, matched later in a phase). Each distinct one gets one slot, shared by every
form that asks for it. Quantities counted from the facts get their computation here.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, assert_never

from .._base.numbers import ratio_of
from ..facts import Fact, Team
from ..factset import Row, field_index
from ..rubric.conditions import (
    AdjustmentPoints,
    Composite,
    Condition,
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
    Select,
    TeamAttr,
    Total,
    Triggered,
    ValueOf,
    Vetoed,
)
from ..rubric.walk import Assessed, condition_quantities

if TYPE_CHECKING:
    from ._state import TeamState

__all__ = ["Compute", "QuantityPlan", "RuleRef", "Slots"]

#: How a fact quantity is computed: ``(lists, team, problems) -> value`` (``lists``: the team's
#: rows per selection); a ``ValueOf`` that finds two facts appends ``(quantity, rows)`` to
#: ``problems``.
Compute = Callable[[list[list[Row]], Team, list[Any]], Any]


class RuleRef:
    """A condition registered to be matched; after compilation, a (cluster, bit) address."""

    __slots__ = ("bit", "cluster", "condition", "name", "phase")

    def __init__(self, name: str, condition: Condition, phase: Phase) -> None:
        self.name = name
        self.condition = condition
        self.phase = phase
        self.cluster = -1
        self.bit = 0

    def bind(self, cluster: int, bit: int) -> None:
        """Record where the matcher's answer for this rule is found."""
        self.cluster = cluster
        self.bit = bit

    def holds(self, state: TeamState) -> bool:
        """Whether the matcher said this rule holds for the team."""
        return bool(state.masks[self.cluster] >> self.bit & 1)


class QuantityPlan:
    """One quantity slot: the quantity, the phase it is known in, and how a fact one is computed."""

    __slots__ = ("compute", "index", "quantity", "stage")

    def __init__(self, index: int, quantity: Quantity, compute: Compute | None) -> None:
        self.index = index
        self.quantity = quantity
        self.stage = quantity.quantity_stage()
        self.compute = compute


class Slots:
    """Selections, quantities and rules, each registered once; what scorers compile against."""

    def __init__(self, fact_types: Mapping[str, type[Fact]]) -> None:
        self.fact_types = fact_types
        self.selects: list[Select] = []
        self.select_index: dict[Select, int] = {}
        self.quantities: list[QuantityPlan] = []
        self.quantity_index: dict[Quantity, int] = {}
        self.rules: list[RuleRef] = []
        #: per assessor-scored owner (indicator, part or rule): its selection and its form
        self.assessor_scores: dict[str, tuple[int, Assessed]] = {}

    def select(self, select: Select) -> int:
        """The slot of a selection's fact list."""
        index = self.select_index.get(select)
        if index is None:
            index = len(self.selects)
            self.selects.append(select)
            self.select_index[select] = index
        return index

    def quantity(self, q: Quantity) -> int:
        """The slot of a quantity's value."""
        index = self.quantity_index.get(q)
        if index is None:
            compute = self._compute(q)
            index = len(self.quantities)
            self.quantities.append(QuantityPlan(index, q, compute))
            self.quantity_index[q] = index
        return index

    def rule(self, phase: Phase, name: str, condition: Condition) -> RuleRef:
        """Register a condition to be matched in ``phase``; bound when the plan is finished."""
        ref = RuleRef(name, condition, phase)
        for q in condition_quantities(condition):
            self.quantity(q)
        self.rules.append(ref)
        return ref

    def field(self, select: Select, name: str) -> Callable[[Row], Any]:
        """Read ``name`` off the rows of a selection's kind."""
        return operator.itemgetter(self.index(select, name))

    def index(self, select: Select, name: str) -> int:
        """Where ``name`` is in the rows of a selection's kind."""
        return field_index(self.fact_types[select.kind], name)

    def _compute(self, q: Quantity) -> Compute | None:
        """How to compute a fact quantity; ``None`` for one known only after scoring."""
        if isinstance(q, Count):
            s = self.select(q.select)
            return lambda lists, team, problems: len(lists[s])
        if isinstance(q, Total):
            s, get = self.select(q.select), self.field(q.select, q.field)
            return lambda lists, team, problems: _total(lists[s], get)
        if isinstance(q, Mean):
            s, get = self.select(q.select), self.field(q.select, q.field)

            def mean(lists: list[list[Row]], team: Team, problems: list[Any]) -> Any:
                values = [v for f in lists[s] if (v := get(f)) is not None]
                return (sum(values, Decimal(0)), len(values)) if values else None

            return mean
        if isinstance(q, Largest):
            s, get = self.select(q.select), self.field(q.select, q.field)

            def largest(lists: list[list[Row]], team: Team, problems: list[Any]) -> Any:
                values = [v for f in lists[s] if (v := get(f)) is not None]
                return max(values) if values else None

            return largest
        if isinstance(q, DistinctCount):
            s, get = self.select(q.select), self.field(q.select, q.field)
            return lambda lists, team, problems: len(
                {v for f in lists[s] if (v := get(f)) is not None}
            )
        if isinstance(q, ValueOf):
            return self._value_of(q)
        if isinstance(q, Headcount):
            return lambda lists, team, problems: team.headcount
        if isinstance(q, TeamAttr):
            attr = operator.attrgetter("team" if q.field == "id" else q.field)
            return lambda lists, team, problems: attr(team)
        if isinstance(q, Ratio):
            return self._ratio(q)
        if isinstance(
            q,
            IndicatorPoints
            | AdjustmentPoints
            | Triggered
            | DimensionScore
            | DimensionBonus
            | DimensionPenalty
            | PenaltyTotal
            | Composite
            | Vetoed
            | Grade,
        ):
            return None  # known only after scoring: the late getters fill it
        assert_never(q)

    def _value_of(self, q: ValueOf) -> Compute:
        s, get, default = self.select(q.select), self.field(q.select, q.field), q.default

        def value_of(lists: list[list[Row]], team: Team, problems: list[Any]) -> Any:
            found = lists[s]
            if not found:
                return default
            if len(found) > 1:
                problems.append((q, tuple(found)))
                return default
            value = get(found[0])
            return default if value is None else value

        return value_of

    def _ratio(self, q: Ratio) -> Compute | None:
        self.quantity(q.numerator)
        self.quantity(q.denominator)
        if q.quantity_stage() > Phase.FACTS:
            return None
        num = self._compute(q.numerator)
        den = self._compute(q.denominator)
        assert num is not None
        assert den is not None
        simple = is_simple_ratio(q)

        def ratio(lists: list[list[Row]], team: Team, problems: list[Any]) -> Any:
            n, d = num(lists, team, problems), den(lists, team, problems)
            return ratio_of(n, d, as_pair=simple)

        return ratio


def is_simple_ratio(q: Ratio) -> bool:
    """Whether a ratio's parts are plain numbers: then it is kept as a pair until compared."""
    return q.numerator.quantity_kind() == "number" and q.denominator.quantity_kind() == "number"


def _total(facts: list[Row], get: Callable[[Row], Any]) -> Any:
    total: Any = 0
    for f in facts:
        v = get(f)
        if v is not None:
            total += v
    return total
