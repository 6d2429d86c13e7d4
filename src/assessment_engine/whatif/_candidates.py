"""What-if candidates: small fact changes derived from the rubric, for one team.

Private to :mod:`assessment_engine.whatif`, which re-assesses every candidate. A candidate is a
short list of steps — add a record, remove one, edit one — derived from the rubric objects that
can move a grade:

* an indicator's or bonus's scoring form: one more fact for a per-item or best-item form (the
  one worth the most points when points depend on a field), a quantity raised to each band
  threshold not yet reached (a metric edited, an amount added), deductions' facts removed, the
  conditions of a conditional award made to hold;
* a penalty's or veto's facts removed (or its condition made false);
* a grade band's requirement made to hold.

Quantities of facts are raised or lowered exactly: ``Count`` by adding or removing facts,
``Total`` and ``Mean`` by one added fact with the missing amount (or an edited one), ``ValueOf``
by editing the reported fact (or adding it), ``Ratio`` through its numerator.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal, assert_never

import attrs

from .._matcher.base import NEGATED
from .._pipeline import select_matches
from ..facts import Record, Team
from ..rubric import Rubric
from ..rubric.conditions import (
    AdjustmentPoints,
    AllOf,
    AnyOf,
    Compare,
    Composite,
    Condition,
    Count,
    DimensionBonus,
    DimensionPenalty,
    DimensionScore,
    DistinctCount,
    Grade,
    HasTag,
    Headcount,
    IndicatorPoints,
    Largest,
    Mean,
    Not,
    OneOf,
    PenaltyTotal,
    Quantity,
    Ratio,
    Select,
    TeamAttr,
    Total,
    Triggered,
    ValueOf,
    Vetoed,
)
from ..rubric.describe import describe_condition
from ..rubric.model import Bonus, Indicator, Penalty, Veto
from ..rubric.scoring import (
    AssessorScore,
    Bands,
    BestItem,
    Deduct,
    Highest,
    Linear,
    Parts,
    PerItem,
    PointsBy,
    Scoring,
    WhenAll,
)
from ._facts import at_least, at_most, build_fact, field_types

__all__ = ["Candidate", "CandidateFinder", "Step"]

Action = Literal["add", "remove", "edit"]
#: One change: ("add", new, None), ("remove", old, None) or ("edit", new, old).
Step = tuple[Action, Record, Record | None]
Steps = tuple[Step, ...]
_PER_ITEM_LIMIT = 5  # alternatives of one kind (which fact to remove, ...)
_PRODUCT_LIMIT = 3  # alternatives per part when conditions must hold together


@attrs.frozen
class Candidate:
    """A change set to try, and the rubric object that suggested it."""

    steps: Steps
    why: str
    from_requirement: bool = False

    @property
    def cost(self) -> int:
        """How many facts it adds, removes or edits."""
        return len(self.steps)

    def touched(self) -> frozenset[tuple[str, str]]:
        """The existing facts it removes or edits, by (kind, id)."""
        return frozenset(
            (old.fact_kind, old.id)
            for action, new, before in self.steps
            for old in ((new,) if action == "remove" else (before,) if before else ())
        )


Number = Decimal | Fraction
#: The quantities known once items are scored: changed through those items (:meth:`item_steps`).
_LATER = (
    IndicatorPoints
    | AdjustmentPoints
    | Triggered
    | Vetoed
    | DimensionScore
    | DimensionBonus
    | DimensionPenalty
    | PenaltyTotal
    | Composite
    | Grade
)


class CandidateFinder:
    """Derive candidates for one team from a rubric (see the module docstring)."""

    def __init__(
        self, rubric: Rubric, team: Team, records: Sequence[Record], *, max_changes: int
    ) -> None:
        self.rubric = rubric
        self.team = team
        self.records = sorted(records, key=lambda r: (r.fact_kind, r.id))
        self.max_changes = max_changes
        self._found: dict[tuple[object, ...], Candidate] = {}
        self._scale_dims = {s.id: s.of for s in rubric.grade_scales}

    # ------------------------------------------------------------------ entry point
    def find(
        self,
        dimensions: Iterable[str],
        vetoes: Iterable[str],
        requirements: Iterable[tuple[str, Condition]],
    ) -> list[Candidate]:
        """Candidates for the items of some dimensions, vetoes, and grade requirements.

        :param dimensions: the dimensions whose indicators, bonuses and penalties count.
        :param vetoes: the ids of the vetoes that fired and should not.
        :param requirements: ``(band label, condition)`` of grade bands to reach.
        """
        for dim in dimensions:
            self._dimension(dim)
        by_id = {v.id: v for v in self.rubric.vetoes}
        for veto_id in vetoes:
            veto = by_id[veto_id]
            self._add(self.satisfy(veto.when, negated=True), f"{veto.id}: {veto.label}")
        for label, condition in requirements:
            why = f"{label} requires {describe_condition(condition)}"
            self._add(self.satisfy(condition), why, from_requirement=True)
        return list(self._found.values())

    def _dimension(self, dim: str) -> None:
        for ind in self.rubric.indicators:
            if ind.dimension == dim:
                self._add(self.scoring_up(ind.scoring), _why(ind))
        for bonus in self.rubric.bonuses:
            if bonus.dimension == dim:
                self._add(self.scoring_up(bonus.scoring), _why(bonus))
        for penalty in self.rubric.penalties:
            if penalty.dimension == dim:
                self._add(self.scoring_down(penalty.scoring), _why(penalty))

    def _add(self, alternatives: list[Steps], why: str, from_requirement: bool = False) -> None:
        for steps in alternatives:
            if not steps or len(steps) > self.max_changes:
                continue
            key = tuple(sorted(_step_key(s) for s in steps))
            if key not in self._found:
                self._found[key] = Candidate(steps, why, from_requirement)

    # ------------------------------------------------------------------ facts and values
    def selected(self, select: Select) -> list[Record]:
        """The team's records a selection holds, sorted by id."""
        return [r for r in self.records if select_matches(select, r)]

    def value(self, q: Quantity) -> Number | None:
        """A fact quantity's current value (``None``: missing, or not a fact quantity)."""
        if isinstance(q, Headcount):
            headcount = self.team.headcount
            return None if headcount is None else Decimal(headcount)
        if isinstance(q, Ratio):
            num, den = self.value(q.numerator), self.value(q.denominator)
            if num is None or not den:
                return None
            return Fraction(num) / Fraction(den)
        if isinstance(q, TeamAttr | _LATER):
            return None  # not a fact quantity
        facts = self.selected(q.select)
        if isinstance(q, Count):
            return Decimal(len(facts))
        values = [_number(getattr(f, q.field, None)) for f in facts]
        numbers = [v for v in values if v is not None]
        if isinstance(q, Total):
            return sum(numbers, Decimal(0))
        if isinstance(q, Mean):
            return Fraction(sum(numbers, Decimal(0))) / len(numbers) if numbers else None
        if isinstance(q, Largest):
            return max(numbers) if numbers else None
        if isinstance(q, DistinctCount):
            return Decimal(len({getattr(f, q.field, None) for f in facts} - {None}))
        if isinstance(q, ValueOf):
            if len(facts) > 1:
                return None
            return numbers[0] if numbers else q.default
        assert_never(q)

    def _new(
        self,
        select: Select,
        points: PointsBy | None = None,
        values: dict[str, object] | None = None,
    ) -> Record | None:
        cls = self.rubric.fact_types.get(select.kind)
        if cls is None:
            return None
        return build_fact(
            cls,
            select.where,
            team=self.team.team,
            period=self.team.period,
            points=points,
            values=values,
        )

    def _is_integer(self, select: Select, field: str) -> bool:
        cls = self.rubric.fact_types.get(select.kind)
        return cls is not None and field_types(cls).get(field, (None, False))[0] is int

    # ------------------------------------------------------------------ raising and lowering
    def raise_to(self, q: Quantity, bound: Number, *, strict: bool = False) -> list[Steps]:
        """Change sets that make ``q ≥ bound`` (``> bound`` when strict); ``[()]`` if it is."""
        current = self.value(q)
        if current is not None and (current > bound if strict else current >= bound):
            return [()]
        if isinstance(q, Ratio):
            den = self.value(q.denominator)
            if not den or den < 0:
                return []
            return self.raise_to(q.numerator, Fraction(bound) * Fraction(den), strict=strict)
        if isinstance(q, Count | DistinctCount):
            have = current or Decimal(0)
            need = (math.floor(bound) + 1 if strict else math.ceil(bound)) - int(have)
            if need > self.max_changes:
                return []
            if isinstance(q, Count):
                fact = self._new(q.select)
                return [tuple(("add", fact, None) for _ in range(need))] if fact else []
            return self._distinct(q, need)
        if isinstance(q, Total | Mean | Largest | ValueOf):
            return self._raise_field(q, current, bound, strict)
        if isinstance(q, Headcount | TeamAttr | _LATER):
            return self.item_steps(q)
        assert_never(q)

    def _raise_field(
        self,
        q: Total | Mean | Largest | ValueOf,
        current: Number | None,
        bound: Number,
        strict: bool,
    ) -> list[Steps]:
        integer = self._is_integer(q.select, q.field)
        facts = self.selected(q.select)
        result: list[Steps] = []
        if isinstance(q, ValueOf):
            target = at_least(bound, strict=strict, integer=integer)
            if len(facts) == 1:
                edited = _edit(facts[0], q.field, target)
                return [(("edit", edited, facts[0]),)] if edited else []
            fact = self._new(q.select, values={q.field: target}) if not facts else None
            return [(("add", fact, None),)] if fact else []
        if isinstance(q, Mean):
            numbers = [n for f in facts if (n := _number(getattr(f, q.field, None))) is not None]
            needed = Fraction(bound) * (len(numbers) + 1) - Fraction(sum(numbers, Decimal(0)))
        elif isinstance(q, Total):
            needed = Fraction(bound) - Fraction(current or 0)
        elif isinstance(q, Largest):
            needed = Fraction(bound)
        else:
            assert_never(q)
        amount = at_least(max(needed, Fraction(0)), strict=strict, integer=integer)
        fact = self._new(q.select, values={q.field: amount})
        if fact is not None:
            result.append((("add", fact, None),))
        if isinstance(q, Total) and facts:
            largest = max(facts, key=lambda f: _number(getattr(f, q.field, None)) or 0)
            old = _number(getattr(largest, q.field, None)) or Decimal(0)
            edited = _edit(largest, q.field, old + amount)
            if edited is not None:
                result.append((("edit", edited, largest),))
        return result

    def _distinct(self, q: DistinctCount, need: int) -> list[Steps]:
        cls = self.rubric.fact_types.get(q.select.kind)
        if cls is None or q.field not in field_types(cls):
            return []  # a derived field (a quarter from a date): not something to set directly
        steps: list[Step] = []
        for i in range(1, need + 1):
            fact = self._new(q.select, values={q.field: f"what-if-{i}"})
            if fact is None:
                return []
            steps.append(("add", fact, None))
        return [tuple(steps)]

    def lower_to(self, q: Quantity, bound: Number, *, strict: bool = False) -> list[Steps]:
        """Change sets that make ``q ≤ bound`` (``< bound`` when strict); ``[()]`` if it is."""
        current = self.value(q)
        if current is not None and (current < bound if strict else current <= bound):
            return [()]
        if isinstance(q, Ratio):
            den = self.value(q.denominator)
            if not den or den < 0:
                return []
            return self.lower_to(q.numerator, Fraction(bound) * Fraction(den), strict=strict)
        if isinstance(q, Count):
            keep = math.ceil(bound) - 1 if strict else math.floor(bound)
            return self._remove(self.selected(q.select), len(self.selected(q.select)) - keep)
        if isinstance(q, ValueOf):
            facts = self.selected(q.select)
            if len(facts) != 1:
                return []
            integer = self._is_integer(q.select, q.field)
            edited = _edit(facts[0], q.field, at_most(bound, strict=strict, integer=integer))
            return [(("edit", edited, facts[0]),)] if edited else []
        if isinstance(q, Total | Largest):
            facts = sorted(
                self.selected(q.select),
                key=lambda f: _number(getattr(f, q.field, None)) or 0,
                reverse=True,
            )
            for n in range(1, min(len(facts), self.max_changes) + 1):
                rest = facts[n:]
                values = [_number(getattr(f, q.field, None)) or Decimal(0) for f in rest]
                left = sum(values, Decimal(0)) if isinstance(q, Total) else max(values, default=0)
                if left < bound or (not strict and left == bound):
                    return [tuple(("remove", f, None) for f in facts[:n])]
            return []
        if isinstance(q, Mean | DistinctCount | Headcount | TeamAttr | _LATER):
            return self.item_steps(q, down=True)
        assert_never(q)

    def _remove(self, facts: list[Record], count: int) -> list[Steps]:
        if count <= 0:
            return [()]
        if count > self.max_changes:
            return []
        if count == 1:
            return [(("remove", f, None),) for f in facts[:_PER_ITEM_LIMIT]]
        return [tuple(("remove", f, None) for f in facts[:count])]

    # ------------------------------------------------------------------ conditions
    def satisfy(self, cond: Condition, *, negated: bool = False) -> list[Steps]:
        """Change sets that make a condition hold (or fail, when ``negated``)."""
        if isinstance(cond, Not):
            return self.satisfy(cond.item, negated=not negated)
        if isinstance(cond, AllOf | AnyOf):
            parts = [self.satisfy(c, negated=negated) for c in cond.items]
            if isinstance(cond, AllOf) != negated:
                return self._together(parts)
            return [steps for part in parts for steps in part]
        if isinstance(cond, Compare):
            q = cond.left
            if not isinstance(q, _QUANTITIES):
                return []
            op = NEGATED[cond.op] if negated else cond.op
            value = cond.value
            if isinstance(value, bool):
                return self.item_steps(q, down=(value == (op == "!=")))
            if isinstance(value, str):
                return self.item_steps(q)
            if op in (">=", ">"):
                return self.raise_to(q, value, strict=op == ">")
            if op in ("<=", "<"):
                return self.lower_to(q, value, strict=op == "<")
            if op == "==":
                return self.raise_to(q, value) + self.lower_to(q, value)
            return []
        if isinstance(cond, OneOf):
            if isinstance(cond.left, _QUANTITIES):
                return self.item_steps(cond.left)
            return []
        if isinstance(cond, HasTag):
            return []  # a fact's tag: a filter's business, not a team condition's
        assert_never(cond)

    def _together(self, parts: list[list[Steps]]) -> list[Steps]:
        """One change set per combination of the parts' first alternatives (all must hold)."""
        combos: list[Steps] = [()]
        for part in parts:
            if not part:
                return []
            if part == [()]:
                continue
            combos = [
                c + p
                for c in combos
                for p in part[:_PRODUCT_LIMIT]
                if len(c) + len(p) <= self.max_changes
            ][: _PRODUCT_LIMIT**2]
            if not combos:
                return []
        return combos

    # ------------------------------------------------------------------ rubric items
    def item_steps(self, q: Quantity, *, down: bool = False) -> list[Steps]:
        """Candidates of the items a later-stage quantity reads (points, scores, grades)."""
        rubric = self.rubric
        found: list[Steps] = []
        if isinstance(q, IndicatorPoints):
            for ind in rubric.indicators:
                if ind.id == q.indicator:
                    found += self.scoring(ind.scoring, up=not down)
        elif isinstance(q, AdjustmentPoints | Triggered):
            rules: list[Bonus | Penalty] = [*rubric.bonuses, *rubric.penalties]
            for rule in rules:
                if rule.id == q.rule:
                    found += self.scoring(rule.scoring, up=isinstance(rule, Bonus) != down)
            for veto in rubric.vetoes:
                if veto.id == q.rule:
                    found += self.satisfy(veto.when, negated=down)
        elif isinstance(q, Vetoed):
            for veto in rubric.vetoes:
                found += self.satisfy(veto.when, negated=down)
        elif isinstance(q, DimensionScore | DimensionBonus | Composite | Grade):
            dims = [d.id for d in rubric.dimensions]
            if isinstance(q, DimensionScore | DimensionBonus):
                dims = [q.dimension]
            elif isinstance(q, Grade) and self._scale_dims.get(q.scale) is not None:
                dims = [str(self._scale_dims[q.scale])]
            items: list[Indicator | Bonus] = [*rubric.indicators, *rubric.bonuses]
            for item in items:
                if item.dimension in dims:
                    found += self.scoring_up(item.scoring)
            for penalty in rubric.penalties:
                if penalty.dimension in dims:
                    found += self.scoring_down(penalty.scoring)
        elif isinstance(
            q,
            Count
            | Total
            | Mean
            | Largest
            | DistinctCount
            | ValueOf
            | Headcount
            | TeamAttr
            | Ratio
            | DimensionPenalty
            | PenaltyTotal,
        ):
            # fact quantities change in raise_to and lower_to; penalty totals are not searched
            pass
        else:
            assert_never(q)
        return found

    def scoring(self, scoring: Scoring, *, up: bool) -> list[Steps]:
        """:meth:`scoring_up` or :meth:`scoring_down`."""
        return self.scoring_up(scoring) if up else self.scoring_down(scoring)

    def scoring_up(self, scoring: Scoring) -> list[Steps]:
        """Change sets that may add points under a scoring form."""
        if isinstance(scoring, PerItem | BestItem):
            points = scoring.points if isinstance(scoring.points, PointsBy) else None
            fact = self._new(scoring.select, points=points)
            return [(("add", fact, None),)] if fact else []
        if isinstance(scoring, Linear):
            current = self.value(scoring.quantity) or Decimal(0)
            unit = scoring.unit or Decimal(1)
            targets = [
                Fraction(math.floor(Fraction(current) / Fraction(unit)) + 1) * Fraction(unit)
            ]
            if scoring.cap is not None and scoring.points:
                targets.append(Fraction(scoring.cap) / Fraction(scoring.points) * Fraction(unit))
            return [s for t in targets for s in self.raise_to(scoring.quantity, t) if s]
        if isinstance(scoring, Bands):
            found: list[Steps] = []
            for band in scoring.bands:
                found += [
                    s
                    for s in self.raise_to(scoring.quantity, band.threshold, strict=band.strict)
                    if s
                ]
            return found
        if isinstance(scoring, Deduct):
            found = []
            for deduction in scoring.deductions:
                if deduction.select is not None:
                    facts = self.selected(deduction.select)
                    found += self._remove(facts, 1) if facts else []
                    if 1 < len(facts) <= self.max_changes:
                        found += self._remove(facts, len(facts))
                elif deduction.when is not None:
                    found += self.satisfy(deduction.when, negated=True)
            return [s for s in found if s]
        if isinstance(scoring, WhenAll):
            return [s for s in self.satisfy(AllOf(*scoring.conditions)) if s]
        if isinstance(scoring, Highest):
            return [s for o in scoring.options for s in self.satisfy(o.when) if s]
        if isinstance(scoring, Parts):
            return [s for part in scoring.parts for s in self.scoring_up(part.scoring)]
        if isinstance(scoring, AssessorScore):
            return []  # an assessor's judgement, not a fact to change
        assert_never(scoring)

    def scoring_down(self, scoring: Scoring) -> list[Steps]:
        """Change sets that may take points away under a scoring form (for penalties)."""
        if isinstance(scoring, PerItem | BestItem):
            facts = self.selected(scoring.select)
            found = self._remove(facts, 1) if facts else []
            if 1 < len(facts) <= self.max_changes:
                found += self._remove(facts, len(facts))
            return [s for s in found if s]
        if isinstance(scoring, Linear):
            return [s for s in self.lower_to(scoring.quantity, Decimal(0)) if s]
        if isinstance(scoring, Bands):
            lowest = scoring.bands[-1]
            return [
                s
                for s in self.lower_to(scoring.quantity, lowest.threshold, strict=not lowest.strict)
                if s
            ]
        if isinstance(scoring, WhenAll):
            return [s for s in self.satisfy(AllOf(*scoring.conditions), negated=True) if s]
        if isinstance(scoring, Highest):
            whens = AnyOf(*(o.when for o in scoring.options))
            return [s for s in self.satisfy(whens, negated=True) if s]
        if isinstance(scoring, Parts):
            return [s for part in scoring.parts for s in self.scoring_down(part.scoring)]
        if isinstance(scoring, Deduct | AssessorScore):
            return []
        assert_never(scoring)


_QUANTITIES = (
    Count,
    Total,
    Mean,
    Largest,
    DistinctCount,
    ValueOf,
    Headcount,
    Ratio,
    IndicatorPoints,
    AdjustmentPoints,
    Triggered,
    DimensionScore,
    DimensionBonus,
    Composite,
    Vetoed,
    Grade,
)


def _why(item: Indicator | Bonus | Penalty | Veto) -> str:
    return f"{item.id}: {item.label}"


def _number(value: object) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return Decimal(value)
    return value if isinstance(value, Decimal) else None


def _edit(fact: Record, field: str, value: Decimal) -> Record | None:
    """``fact`` with one field changed, or ``None`` when that is not a valid fact."""
    if field not in field_types(type(fact)):
        return None
    current = getattr(fact, field, None)
    new: object = int(value) if isinstance(current, int) and value == int(value) else value
    if current == new:
        return None
    try:
        changes: dict[str, Any] = {field: new}
        return attrs.evolve(fact, **changes)
    except Exception:  # a plugin fact class may refuse the value in any way
        return None


def _step_key(step: Step) -> tuple[object, ...]:
    action, fact, before = step
    old = (before.fact_kind, before.id) if before is not None else ()
    return (action, repr(fact), old)
