"""What a rubric can produce: value domains, point ranges and whether conditions can hold.

The model reasons over intervals (:mod:`._intervals`), never over teams: the range of every
field that a fact type declares (``Literal`` vocabularies, ``in_``/``ge``/``le`` validators), the
range of every quantity, the points range of every scoring form, indicator, dimension and the
composite, the labels a grade scale can give, and for every condition whether it *can* hold and
whether it *can* fail. All of it over-approximates: what the model calls impossible is.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from typing import assert_never

import attrs

from ..facts import Team, fact_fields
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
    Field,
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
    Value,
    ValueOf,
    Vetoed,
)
from ..rubric.model import Bonus, GradeScale, Penalty
from ..rubric.scoring import (
    AssessorScore,
    Bands,
    BestItem,
    Deduct,
    Highest,
    Linear,
    Parts,
    PerItem,
    Scoring,
    WhenAll,
)
from ._domains import (
    NEGATED,
    Domain,
    Truth,
    band_regions,
    compare,
    conjuncts,
    field_vocabulary,
    item_points,
    number_range,
    one_of,
)
from ._intervals import Interval, frac

__all__ = ["Model"]


@attrs.frozen
class _Context:
    kind: str | None = None  # the fact kind of a filter; None for team-level conditions
    titles: bool = False  # a title condition: the team is known not to be vetoed


_TEAM = _Context()
_TITLES = _Context(titles=True)


class Model:
    """Ranges and truth values for one assembled rubric (computed lazily, cached)."""

    def __init__(self, rubric: Rubric) -> None:
        self.rubric = rubric
        self.indicators = {i.id: i for i in rubric.indicators}
        self.adjustments: dict[str, Bonus | Penalty] = {r.id: r for r in rubric.bonuses}
        self.adjustments.update((r.id, r) for r in rubric.penalties)
        self.vetoes = {v.id: v for v in rubric.vetoes}
        self.scales = {s.id: s for s in rubric.grade_scales}
        self._forms: dict[Scoring, Interval] = {}
        self._dims: dict[str, tuple[Interval, Interval, Interval, Interval]] = {}
        self._composite: Interval | None = None
        self._selects: dict[Select, Truth] = {}

    # ------------------------------------------------------------------ facts
    def field_domain(self, kind: str, name: str) -> Domain:
        """The values the field ``name`` of fact kind ``kind`` can hold."""
        cls = self.rubric.fact_types[kind]
        spec = fact_fields(cls)[name]
        if spec.kind == "number":
            return Domain("number", numbers=number_range(cls, name), missing=spec.optional)
        if spec.kind == "flag":
            values = field_vocabulary(cls, name) or frozenset([True, False])
            return Domain("flag", values=values, missing=spec.optional)
        if spec.kind == "text":
            return Domain("text", values=field_vocabulary(cls, name), missing=spec.optional)
        return Domain(spec.kind, missing=spec.optional)

    def select_truth(self, select: Select) -> Truth:
        """Whether a fact of the kind can pass the filter, and whether one can fail it."""
        cached = self._selects.get(select)
        if cached is None:
            cached = self.truth(select.where, _Context(kind=select.kind))
            self._selects[select] = cached
        return cached

    def can_match(self, select: Select) -> bool:
        """Whether any fact can be selected."""
        return self.select_truth(select)[0]

    # ------------------------------------------------------------------ quantities
    def quantity(self, q: Quantity, *, titles: bool = False) -> Domain:
        """The values a per-team quantity can take (``titles``: the team is not vetoed)."""
        if isinstance(q, Count):
            return Domain("number", self._count_like(q.select, None))
        if isinstance(q, DistinctCount):
            return Domain("number", self._count_like(q.select, q.field))
        if isinstance(q, Total):
            if not self.can_match(q.select):
                return Domain("number", Interval.point(0))
            r = self.field_domain(q.select.kind, q.field).numbers or Interval.everything()
            if r.lo is not None and r.lo >= 0:
                return Domain("number", Interval.point(0) if r.hi == 0 else Interval.non_negative())
            if r.hi is not None and r.hi <= 0:
                return Domain("number", Interval(None, Fraction(0)))
            return Domain("number", Interval.everything())
        if isinstance(q, Mean | Largest):
            kind = q.quantity_kind()
            if not self.can_match(q.select):
                return Domain(kind, None, missing=True)
            return Domain(kind, self.field_domain(q.select.kind, q.field).numbers, missing=True)
        if isinstance(q, ValueOf):
            default = None if q.default is None else Interval.point(q.default)
            numbers = None
            if self.can_match(q.select):
                numbers = self.field_domain(q.select.kind, q.field).numbers
            if default is not None:
                numbers = default if numbers is None else numbers.hull(default)
            return Domain("number", numbers, missing=q.default is None)
        if isinstance(q, Headcount):
            return Domain("number", number_range(Team, "headcount"))
        if isinstance(q, TeamAttr):
            return Domain("text")
        if isinstance(q, Ratio):
            return self._ratio(q, titles)
        if isinstance(q, IndicatorPoints):
            return Domain("number", self.indicator(q.indicator))
        if isinstance(q, AdjustmentPoints):
            hi = self.amount(q.rule).hi
            return Domain("number", Interval(Fraction(0), hi))
        if isinstance(q, Triggered):
            return Domain("flag", values=self._triggered(q.rule, titles))
        if isinstance(q, DimensionScore):
            return Domain("number", self.dimension(q.dimension)[0])
        if isinstance(q, DimensionBonus):
            return Domain("number", self.dimension(q.dimension)[2].at_least(0))
        if isinstance(q, DimensionPenalty):
            return Domain("number", self.dimension(q.dimension)[3].at_least(0))
        if isinstance(q, PenaltyTotal):
            total = Interval.point(0)
            for d in self.rubric.dimensions:
                total = total + self.dimension(d.id)[3]
            return Domain("number", total)
        if isinstance(q, Composite):
            return Domain("number", self.composite())
        if isinstance(q, Vetoed):
            if titles:
                return Domain("flag", values=frozenset([False]))
            fires = any(self.truth(v.when)[0] for v in self.rubric.vetoes)
            return Domain("flag", values=frozenset([False, True] if fires else [False]))
        if isinstance(q, Grade):
            return Domain("text", values=self.grade_labels(self.scales[q.scale], titles=titles))
        assert_never(q)

    def _count_like(self, select: Select, field: str | None) -> Interval:
        if not self.can_match(select):
            return Interval.point(0)
        if field is None:
            return Interval.non_negative()
        domain = self.field_domain(select.kind, field)
        if domain.values is not None and domain.kind in ("text", "flag"):
            return Interval.closed(0, len(domain.values))
        return Interval.non_negative()

    def _ratio(self, q: Ratio, titles: bool) -> Domain:
        num = self.quantity(q.numerator, titles=titles)
        den = self.quantity(q.denominator, titles=titles)
        n, d = num.numbers, den.numbers
        if n is None or d is None:
            return Domain("ratio", None, missing=True)
        missing = num.missing or den.missing or d.contains(Fraction(0))
        if d.single == 0:
            return Domain("ratio", None, missing=True)
        if n.lo is not None and n.lo >= 0 and d.lo is not None and d.lo >= 0:
            if n.hi == 0:
                return Domain("ratio", Interval.point(0), missing=missing)
            hi = None if n.hi is None or d.lo == 0 else n.hi / d.lo
            lo = Fraction(0) if d.hi is None or n.lo == 0 else n.lo / d.hi
            return Domain("ratio", Interval(lo, hi), missing=missing)
        return Domain("ratio", Interval.everything(), missing=missing)

    def _triggered(self, rule: str, titles: bool) -> frozenset[Value]:
        veto = self.vetoes.get(rule)
        if veto is not None:
            if titles:
                return frozenset([False])
            can_hold, can_fail = self.truth(veto.when)
            return frozenset([v for v, ok in ((True, can_hold), (False, can_fail)) if ok])
        adjustment = self.adjustments[rule]
        amount = self.amount(rule)
        values: list[Value] = []
        if amount.hi is None or amount.hi > 0:
            values.append(True)
        if amount.lo is None or amount.lo <= 0 or adjustment.group is not None:
            values.append(False)
        return frozenset(values)

    # ------------------------------------------------------------------ points
    def form(self, form: Scoring) -> Interval:
        """The raw points a scoring form can give (before its owner's cap or clip)."""
        cached = self._forms.get(form)
        if cached is None:
            cached = self._form(form)
            self._forms[form] = cached
        return cached

    def _form(self, form: Scoring) -> Interval:
        if isinstance(form, PerItem | BestItem):
            if not self.can_match(form.select):
                return Interval.point(0)
            best = max(item_points(form, self.rubric.fact_types.get(form.select.kind)))
            if isinstance(form, BestItem):
                return Interval.closed(0, best)
            return Interval.closed(0, None if best > 0 else 0).at_most(form.cap)
        if isinstance(form, Linear):
            domain = self.quantity(form.quantity)
            numbers = domain.numbers
            if numbers is None:
                return Interval.point(0)
            units = numbers.at_least(0) if form.unit is None else numbers.floor_units(form.unit)
            if domain.missing:  # a missing value counts as 0 units
                units = units.hull(Interval.point(0))
            return units.scale(form.points).at_most(form.cap)
        if isinstance(form, Bands):
            domain = self.quantity(form.quantity)
            numbers = domain.numbers
            regions = band_regions(form)
            points = [b.points for b in form.bands] + [form.otherwise]
            reached: list[Decimal] = [
                p
                for i, (p, region) in enumerate(zip(points, regions, strict=True))
                if (numbers is not None and numbers.meets(region))
                or (i == len(points) - 1 and domain.missing)
            ]
            return Interval.closed(min(reached), max(reached))
        if isinstance(form, Deduct):
            raw = self.deduct_raw(form)
            return raw if form.floor is None else raw.at_least(form.floor)
        if isinstance(form, AssessorScore):  # a score not entered gives 0
            return Interval.closed(0, form.maximum)
        if isinstance(form, WhenAll):
            can_hold, can_fail = self.truth(AllOf(*form.conditions))
            return Interval.closed(0 if can_fail else form.points, form.points if can_hold else 0)
        if isinstance(form, Highest):
            hi = lo = Decimal(0)
            for option in form.options:
                can_hold, can_fail = self.truth(option.when)
                hi = max(hi, option.points) if can_hold else hi
                lo = max(lo, option.points) if not can_fail else lo
            return Interval.closed(lo, hi)
        if isinstance(form, Parts):
            total = Interval.point(0)
            for part in form.parts:
                total = total + self.form(part.scoring).at_most(part.cap)
            return total
        assert_never(form)

    def deductions(self, form: Deduct) -> Interval:
        """The total a deduction form can take off its base."""
        total = Interval.point(0)
        for line in form.deductions:
            if line.select is not None:
                if self.can_match(line.select):
                    total = total + Interval.non_negative()
            elif line.when is not None:
                can_hold, can_fail = self.truth(line.when)
                lo = 0 if can_fail else line.points
                total = total + Interval.closed(lo, line.points if can_hold else 0)
        if form.assessor is not None:  # a deduction not entered takes nothing off
            total = total + Interval.closed(0, form.assessor.maximum)
        return total

    def deduct_raw(self, form: Deduct) -> Interval:
        """``base − deductions`` before the floor."""
        return Interval.point(form.base) - self.deductions(form)

    def indicator(self, indicator_id: str) -> Interval:
        """The points an indicator can award (clipped to ``[0, max]``)."""
        ind = self.indicators[indicator_id]
        return self.form(ind.scoring).at_most(ind.max).at_least(0)

    def amount(self, rule_id: str) -> Interval:
        """The amount a bonus or penalty can apply on its own (never negative)."""
        return self.form(self.adjustments[rule_id].scoring).at_least(0)

    def adjustments_total(self, rules: Iterable[Bonus | Penalty]) -> Interval:
        """Their total: exclusive groups give their largest member only.

        In a group that holds bonuses and penalties together, a member of either kind may be
        the one that applies, so every member may also give nothing.
        """
        mixed = {(b.dimension, b.group) for b in self.rubric.bonuses if b.group is not None} & {
            (p.dimension, p.group) for p in self.rubric.penalties if p.group is not None
        }
        groups: dict[str, Interval] = {}
        total = Interval.point(0)
        for rule in rules:
            amount = self.amount(rule.id)
            if (rule.dimension, rule.group) in mixed:
                amount = amount.hull(Interval.point(0))
            if rule.group is None:
                total = total + amount
            elif rule.group in groups:  # the largest member applies: [max of lows, max of highs]
                seen = groups[rule.group]
                groups[rule.group] = seen.hull(amount).at_least(max(seen.lo or 0, amount.lo or 0))
            else:
                groups[rule.group] = amount
        for group in groups.values():
            total = total + group
        return total

    def dimension(self, dimension_id: str) -> tuple[Interval, Interval, Interval, Interval]:
        """``(score, indicator points, bonus after the cap, penalties)`` of a dimension."""
        cached = self._dims.get(dimension_id)
        if cached is not None:
            return cached
        dim = next(d for d in self.rubric.dimensions if d.id == dimension_id)
        base = Interval.point(0)
        for ind in self.rubric.indicators:
            if ind.dimension == dimension_id:
                base = base + self.indicator(ind.id)
        bonus = self.adjustments_total(b for b in self.rubric.bonuses if b.dimension == dim.id)
        bonus = bonus.at_most(dim.bonus_cap)
        penalty = self.adjustments_total(p for p in self.rubric.penalties if p.dimension == dim.id)
        score = base + bonus - penalty
        if dim.floor is not None:
            score = score.at_least(dim.floor)
        cached = (score, base, bonus, penalty)
        self._dims[dimension_id] = cached
        return cached

    def composite(self) -> Interval:
        """The composite's range: the weighted (or plain) sum of the dimension scores."""
        if self._composite is None:
            weights = {w.dimension: w.weight for w in self.rubric.weights}
            total = Interval.point(0)
            for d in self.rubric.dimensions:
                total = total + self.dimension(d.id)[0].scale(weights.get(d.id, Decimal(1)))
            self._composite = total
        return self._composite

    # ------------------------------------------------------------------ grades
    def scale_range(self, scale: GradeScale) -> Interval:
        """The range of what the scale grades: a dimension's score or the composite."""
        return self.composite() if scale.of is None else self.dimension(scale.of)[0]

    def band_region(self, scale: GradeScale, index: int) -> Interval:
        """The scores that can give band ``index``.

        A higher band bounds it from above unless that band's requirement can fail.
        """
        band = scale.bands[index]
        region = Interval(None if band.at_least is None else frac(band.at_least), None)
        for higher in scale.bands[:index]:
            if higher.requires is None or not self.truth(higher.requires)[1]:
                assert higher.at_least is not None
                region = region.intersect(Interval(None, frac(higher.at_least), hi_open=True))
        return region

    def band_reachable(self, scale: GradeScale, index: int) -> bool:
        """Whether some team can get band ``index`` of the scale."""
        band = scale.bands[index]
        if band.requires is not None and not self.truth(band.requires)[0]:
            return False
        return self.scale_range(scale).meets(self.band_region(scale, index))

    def veto_reachable(self, scale: GradeScale) -> bool:
        """Whether a veto that gives this scale its veto label can fire."""
        return any(
            self.truth(v.when)[0]
            for v in self.rubric.vetoes
            if scale.of is None or v.dimension is None or v.dimension == scale.of
        )

    def grade_labels(self, scale: GradeScale, *, titles: bool = False) -> frozenset[Value]:
        """The labels a team can get on the scale (``titles``: a team that is not vetoed)."""
        labels: set[Value] = {
            b.label for i, b in enumerate(scale.bands) if self.band_reachable(scale, i)
        }
        if not titles and self.veto_reachable(scale) and scale.veto_label is not None:
            labels.add(scale.veto_label)
        return frozenset(labels)

    # ------------------------------------------------------------------ conditions
    def truth(self, cond: Condition | None, ctx: _Context = _TEAM) -> Truth:
        """``(can hold, can fail)``; ``None`` (no condition) always holds."""
        if cond is None:
            return True, False
        return self._truth(cond, ctx, False)

    def title_truth(self, cond: Condition | None) -> Truth:
        """Like :meth:`truth` for a title condition: vetoed teams never get a title."""
        if cond is None:
            return True, False
        return self._truth(cond, _TITLES, False)

    def _truth(self, cond: Condition, ctx: _Context, negate: bool) -> Truth:
        if isinstance(cond, Not):
            return self._truth(cond.item, ctx, not negate)
        if isinstance(cond, AllOf | AnyOf):
            parts = [self._truth(item, ctx, negate) for item in cond.items]
            if isinstance(cond, AllOf) != negate:  # a conjunction
                hold = all(h for h, _ in parts) and self._consistent(cond, ctx, negate)
                return hold, any(f for _, f in parts)
            return any(h for h, _ in parts), all(f for _, f in parts)
        if isinstance(cond, HasTag):
            return True, True
        if isinstance(cond, Compare):
            domain = self._operand(cond.left, ctx)
            return compare(domain, NEGATED[cond.op] if negate else cond.op, cond.value)
        if isinstance(cond, OneOf):
            return one_of(self._operand(cond.left, ctx), cond.values, negate)
        assert_never(cond)

    def _operand(self, left: Field | Quantity, ctx: _Context) -> Domain:
        if isinstance(left, Field):
            assert ctx.kind is not None
            return self.field_domain(ctx.kind, left.name)
        return self.quantity(left, titles=ctx.titles)

    def _consistent(self, cond: Condition, ctx: _Context, negate: bool) -> bool:
        """Whether the numeric constraints of a conjunction can hold together."""
        bounds: dict[Field | Quantity, Interval] = {}
        for atom, negated in conjuncts(cond, negate):
            for key, allowed in self._constraints(atom, negated, ctx):
                seen = bounds.get(key)
                if seen is None:
                    seen = self._operand(key, ctx).numbers or Interval.everything()
                bounds[key] = seen.intersect(allowed)
        return not any(b.empty for b in bounds.values())

    def _constraints(
        self, atom: Condition, negated: bool, ctx: _Context
    ) -> list[tuple[Field | Quantity, Interval]]:
        if isinstance(atom, Compare):
            op = NEGATED[atom.op] if negated else atom.op
            if isinstance(atom.left, Grade):
                if op == "==" and isinstance(atom.value, str):
                    return self._grade_constraint(atom.left, {atom.value}, ctx)
                return []
            if isinstance(atom.value, Decimal):
                allowed = Interval.constraint(op, atom.value)
                if allowed is not None:
                    return [(atom.left, allowed)]
        elif isinstance(atom, OneOf) and not negated and isinstance(atom.left, Grade):
            return self._grade_constraint(atom.left, set(atom.values), ctx)
        return []

    def _grade_constraint(
        self, grade: Grade, labels: set[Value], ctx: _Context
    ) -> list[tuple[Field | Quantity, Interval]]:
        scale = self.scales[grade.scale]
        if scale.veto_label in labels and not ctx.titles:
            return []  # a vetoed team's score is not constrained by its label
        regions = [
            self.band_region(scale, i) for i, b in enumerate(scale.bands) if b.label in labels
        ]
        if not regions:
            return []
        hull = regions[0]
        for region in regions[1:]:
            hull = Interval(
                None if hull.lo is None or region.lo is None else min(hull.lo, region.lo),
                None if hull.hi is None or region.hi is None else max(hull.hi, region.hi),
            )
        key: Quantity = Composite() if scale.of is None else DimensionScore(scale.of)
        return [(key, hull)]
