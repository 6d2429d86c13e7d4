"""Compiled scoring forms: exact points from the matcher's answers, and the lines explaining them.

Each scorer has two methods over a team's state: ``points`` (the fast path, run for every team)
and ``lines`` (run when an explanation is built). ``lines`` always sums exactly to ``points`` —
caps, floors and clips appear as lines of their own — and a test holds every form to it.
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Callable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, Protocol, assert_never, cast

import attrs

from .._base.numbers import exact_ratio, exact_text
from ..factset import ID, Row, row_kind
from ..results import FactRef, Line
from ..rubric.conditions import Compare, Phase
from ..rubric.describe import describe_condition, describe_quantity, describe_select, describe_value
from ..rubric.model import Bonus, Indicator, Penalty
from ..rubric.scoring import (
    AssessorDeduction,
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
from ..rubric.walk import Assessed, quantity_selects, score_select
from ._slots import RuleRef, Slots
from ._state import TeamState

__all__ = [
    "AdjustmentPlan",
    "AssessorScorer",
    "BandsScorer",
    "DeductScorer",
    "Entered",
    "HighestScorer",
    "IndicatorPlan",
    "LinearScorer",
    "PartsScorer",
    "PerItemScorer",
    "Scorer",
    "WhenAllScorer",
    "compile_scoring",
    "fact_refs",
]

ZERO = Decimal(0)
#: reasons a scorer remembers, at most (values repeat across teams; memory stays bounded)
REASONS_KEPT = 4096


class Scorer(Protocol):
    """A compiled scoring form."""

    def points(self, state: TeamState) -> Decimal:
        """The points, exactly."""
        ...

    def lines(self, state: TeamState, source: str, label: str) -> list[Line]:
        """Lines that sum exactly to :meth:`points`."""
        ...


def fact_refs(
    rows: Sequence[Row], detail: Callable[[Row], str] | None = None
) -> tuple[FactRef, ...]:
    """References to records (given as rows), sorted by id, with what about each counted."""
    ordered = sorted(rows, key=operator.itemgetter(ID))
    return tuple(FactRef(row_kind(r), r[ID], detail(r) if detail else "") for r in ordered)


def _cap_line(
    source: str, raw: Decimal, cap: Decimal | None, rule: str = "累计不超过 (at most)"
) -> list[Line]:
    """The line that takes ``raw`` down to ``cap`` (none when under it); ``rule`` names the cap."""
    if cap is None or raw <= cap:
        return []
    return [
        Line(
            f"{source}#cap", f"封顶 (cap) {exact_text(cap)}", cap - raw, f"{rule} {exact_text(cap)}"
        )
    ]


class PerItemScorer:
    def __init__(self, plan: Slots, form: PerItem | BestItem, best: bool) -> None:
        self.select = plan.select(form.select)
        self.best = best
        self.cap = getattr(form, "cap", None)
        points = form.points
        self.fixed = points if isinstance(points, Decimal) else None
        self.table: PointsBy | None = points if isinstance(points, PointsBy) else None
        if self.table is not None:
            self.lookup = dict(self.table.table)
            self.default = self.table.default
            self.field = self.table.field
            self.index = plan.index(form.select, self.field)
        self.describe = describe_select(form.select)

    def item_points(self, row: Row) -> Decimal:
        if self.fixed is not None:
            return self.fixed
        return self.lookup.get(row[self.index], self.default)

    def raw(self, state: TeamState) -> Decimal:
        items = state.lists[self.select]
        if self.best:
            return max((self.item_points(f) for f in items), default=ZERO)
        if self.fixed is not None:
            return self.fixed * len(items)
        lookup, default, at = self.lookup, self.default, self.index
        total = ZERO
        for f in items:
            total += lookup.get(f[at], default)
        return total

    def points(self, state: TeamState) -> Decimal:
        raw = self.raw(state)
        cap = self.cap
        return cap if cap is not None and raw > cap else raw

    def lines(self, state: TeamState, source: str, label: str) -> list[Line]:
        items = state.lists[self.select]
        raw = self.raw(state)
        n = len(items)
        if self.table is not None:
            field, at = self.field, self.index

            def detail(f: Row) -> str:
                return f"{field}={f[at]} → {exact_text(self.item_points(f))}"

            refs = fact_refs(items, detail)
        else:
            refs = fact_refs(items)
        if self.best:
            reason = f"取最高一项 (best of {n} items) = {exact_text(raw)}"
        elif self.fixed is not None:
            reason = f"{n} 项 (items) × {exact_text(self.fixed)} = {exact_text(raw)}"
        else:
            reason = f"{n} 项 (items) by {self.field}, sum {exact_text(raw)}"
        reason = f"{self.describe}: {reason}"
        return [
            Line(source, label, raw, reason, refs),
            *_cap_line(source, raw, self.cap),
        ]


class LinearScorer:
    def __init__(self, plan: Slots, form: Linear) -> None:
        self.slot = plan.quantity(form.quantity)
        self.selects = [plan.select(s) for s in quantity_selects(form.quantity)]
        self.kind = form.quantity.quantity_kind()
        self.per = form.points
        self.unit = form.unit
        self.cap = form.cap
        self.what = describe_quantity(form.quantity)
        # a value's reason, made once (teams share values); typed: True == 1 shows as 是 (yes)
        self.reason = functools.lru_cache(maxsize=REASONS_KEPT, typed=True)(self._reason)

    def units(self, state: TeamState) -> Decimal | int | None:
        """The quantity, or its whole units; 0 for a non-positive value, None when missing."""
        return self._units(state.values[self.slot])

    def _units(self, value: Any) -> Decimal | int | None:
        if value is None:
            return None
        unit = self.unit
        if isinstance(value, tuple):  # a ratio (numerator, denominator): needs a unit
            exact = exact_ratio(*value)
            if exact is None or unit is None:  # no unit: rejected when the rubric is checked
                return None
            return math.floor(exact / Fraction(unit)) if exact > 0 else 0
        if isinstance(value, Fraction):
            if unit is None:  # pragma: no cover - rejected when the rubric is checked
                return None
            return math.floor(value / Fraction(unit)) if value > 0 else 0
        if value <= 0:
            return 0
        return cast("Decimal | int", value if unit is None else value // unit)  # floor: positive

    def raw(self, state: TeamState) -> Decimal:
        return self._raw(self.units(state))

    def _raw(self, units: Decimal | int | None) -> Decimal:
        return ZERO if not units else self.per * units

    def _reason(self, value: object) -> str:
        units = self._units(value)
        raw = self._raw(units)
        shown = describe_value(value)
        if self.unit is None:
            return f"{self.what} = {shown}, × {exact_text(self.per)} = {exact_text(raw)}"
        return (
            f"{self.what} = {shown}: {units or 0} 个满 (whole units of)"
            f" {exact_text(self.unit)} × {exact_text(self.per)} = {exact_text(raw)}"
        )

    def points(self, state: TeamState) -> Decimal:
        raw = self.raw(state)
        return self.cap if self.cap is not None and raw > self.cap else raw

    def lines(self, state: TeamState, source: str, label: str) -> list[Line]:
        raw = self.raw(state)
        reason = self.reason(state.values[self.slot])
        refs = fact_refs(state.facts_in(self.selects))
        return [
            Line(source, label, raw, reason, refs),
            *_cap_line(source, raw, self.cap),
        ]


class BandsScorer:
    def __init__(self, plan: Slots, form: Bands, owner: str) -> None:
        self.slot = plan.quantity(form.quantity)
        self.selects = [plan.select(s) for s in quantity_selects(form.quantity)]
        self.form = form
        self.refs = [
            plan.rule(
                Phase.FACTS,
                f"{owner}#band{i}",
                Compare(form.quantity, ">" if band.strict else ">=", band.threshold),
            )
            for i, band in enumerate(form.bands)
        ]
        self.what = describe_quantity(form.quantity)
        self.band_points = [band.points for band in form.bands]
        # a (band, value)'s reason, made once (teams share values); typed: True == 1 shows as 是
        self.reason = functools.lru_cache(maxsize=REASONS_KEPT, typed=True)(self._reason)

    def reached(self, state: TeamState) -> int | None:
        for i, ref in enumerate(self.refs):
            if state.masks[ref.cluster] >> ref.bit & 1:
                return i
        return None

    def points(self, state: TeamState) -> Decimal:
        return self._points(self.reached(state))

    def _points(self, i: int | None) -> Decimal:
        return self.form.otherwise if i is None else self.band_points[i]

    def lines(self, state: TeamState, source: str, label: str) -> list[Line]:
        i = self.reached(state)
        reason = self.reason(i, state.values[self.slot])
        refs = fact_refs(state.facts_in(self.selects))
        return [Line(source, label, self._points(i), reason, refs)]

    def _reason(self, i: int | None, value: object) -> str:
        shown = describe_value(value)
        if i is None:
            lowest = self.form.bands[-1]
            return (
                f"{self.what} = {shown}, below every band"
                f" ({'>' if lowest.strict else '≥'} {exact_text(lowest.threshold)})"
            )
        band = self.form.bands[i]
        return (
            f"{self.what} = {shown} {'>' if band.strict else '≥'}"
            f" {exact_text(band.threshold)} → {exact_text(band.points)}"
        )


class DeductScorer:
    def __init__(self, plan: Slots, form: Deduct, owner: str) -> None:
        self.form = form
        self.items: list[tuple[int | None, RuleRef | None]] = []
        for i, line in enumerate(form.deductions):
            if line.select is not None:
                self.items.append((plan.select(line.select), None))
            else:
                assert line.when is not None
                self.items.append((None, plan.rule(Phase.FACTS, f"{owner}#deduct{i}", line.when)))
        self.entered = None if form.assessor is None else Entered(plan, form.assessor, owner)

    def deductions(self, state: TeamState) -> list[Decimal]:
        result = []
        for (select, ref), line in zip(self.items, self.form.deductions, strict=True):
            if select is not None:
                result.append(line.points * len(state.lists[select]))
            else:
                assert ref is not None
                result.append(line.points if ref.holds(state) else ZERO)
        if self.entered is not None:
            result.append(self.entered.value(state))
        return result

    def points(self, state: TeamState) -> Decimal:
        raw = self.form.base - sum(self.deductions(state), ZERO)
        floor = self.form.floor
        return floor if floor is not None and raw < floor else raw

    def lines(self, state: TeamState, source: str, label: str) -> list[Line]:
        out = [Line(source, label, self.form.base, f"基础分 (base) {exact_text(self.form.base)}")]
        raw = self.form.base
        amounts = self.deductions(state)
        for i, ((select, ref), line, amount) in enumerate(
            zip(self.items, self.form.deductions, amounts[: len(self.items)], strict=True)
        ):
            if select is not None:
                facts = state.lists[select]
                reason = (
                    f"{len(facts)} 次 (occurrences) × {exact_text(line.points)}"
                    f" = {exact_text(amount)}"
                )
                refs = fact_refs(facts)
            else:
                assert ref is not None
                held = ref.holds(state)
                reason = f"{'✓' if held else '✗'} {describe_condition(ref.condition)}"
                refs = ()
            if amount or select is None:
                out.append(Line(f"{source}#deduct{i}", line.label, -amount, reason, refs))
            raw -= amount
        if self.entered is not None:
            out.append(self.entered.line(state, source))
            raw -= amounts[-1]
        floor = self.form.floor
        if floor is not None and raw < floor:
            out.append(
                Line(
                    f"{source}#floor",
                    "扣完为止 (floor)",
                    floor - raw,
                    f"不低于 {exact_text(floor)}",
                )
            )
        return out


class Entered:
    """The ``score`` fact an assessor enters for one owner (a score or a deduction)."""

    def __init__(self, plan: Slots, form: Assessed, owner: str) -> None:
        self.form = form
        select = score_select(owner)
        self.select = plan.select(select)
        self.value_at = plan.index(select, "value")
        fields = attrs.fields_dict(plan.fact_types[select.kind])
        self.assessor_at = plan.index(select, "assessor") if "assessor" in fields else None
        plan.assessor_scores[owner] = (self.select, form)

    def value(self, state: TeamState) -> Decimal:
        """The value entered; 0 when none is (two are an input error, reported before)."""
        found = state.lists[self.select]
        return cast(Decimal, found[0][self.value_at]) if len(found) == 1 else ZERO

    def reason(self, state: TeamState, what: str) -> str:
        """``{what} by X: V within [a, b]`` for the value entered."""
        score = state.lists[self.select][0]
        assessor = "" if self.assessor_at is None else score[self.assessor_at]
        by = f" by {assessor}" if assessor else ""
        return (
            f"{what}{by}: {exact_text(self.value(state))}"
            f" within [{exact_text(self.form.minimum)}, {exact_text(self.form.maximum)}]"
        )

    def line(self, state: TeamState, source: str) -> Line:
        """The deduction's own line, ``−N`` (or 0, saying nothing was entered)."""
        assert isinstance(self.form, AssessorDeduction)
        at = f"{source}#assessor"
        found = state.lists[self.select]
        if not found:
            return Line(at, self.form.label, ZERO, "未录入酌情扣分 (no assessor deduction entered)")
        reason = self.reason(state, "酌情扣分 (assessor deduction)")
        return Line(at, self.form.label, -self.value(state), reason, fact_refs(found))


class AssessorScorer:
    def __init__(self, plan: Slots, form: AssessorScore, owner: str) -> None:
        self.form = form
        self.owner = owner
        self.entered = Entered(plan, form, owner)

    def points(self, state: TeamState) -> Decimal:
        return self.entered.value(state)

    def lines(self, state: TeamState, source: str, label: str) -> list[Line]:
        found = state.lists[self.entered.select]
        if not found:
            return [Line(source, label, ZERO, "未录入评分 (no assessor score entered)")]
        reason = self.entered.reason(state, "评分 (assessor score)")
        return [Line(source, label, self.points(state), reason, fact_refs(found))]


class WhenAllScorer:
    def __init__(self, plan: Slots, form: WhenAll, owner: str) -> None:
        self.form = form
        self.refs = [
            plan.rule(Phase.FACTS, f"{owner}#when{i}", c) for i, c in enumerate(form.conditions)
        ]

    def points(self, state: TeamState) -> Decimal:
        for ref in self.refs:
            if not state.masks[ref.cluster] >> ref.bit & 1:
                return ZERO
        return self.form.points

    def lines(self, state: TeamState, source: str, label: str) -> list[Line]:
        held = [r.holds(state) for r in self.refs]
        checks = "; ".join(
            f"{'✓' if h else '✗'} {describe_condition(r.condition)}"
            for h, r in zip(held, self.refs, strict=True)
        )
        points = self.points(state)
        verdict = "全部满足 (all hold)" if all(held) else "未全部满足 (not all hold)"
        return [Line(source, label, points, f"{verdict}: {checks}")]


class HighestScorer:
    def __init__(self, plan: Slots, form: Highest, owner: str) -> None:
        self.form = form
        self.refs = [
            plan.rule(Phase.FACTS, f"{owner}#option{i}", option.when)
            for i, option in enumerate(form.options)
        ]

    def points(self, state: TeamState) -> Decimal:
        best = ZERO
        for ref, option in zip(self.refs, self.form.options, strict=True):
            if option.points > best and state.masks[ref.cluster] >> ref.bit & 1:
                best = option.points
        return best

    def lines(self, state: TeamState, source: str, label: str) -> list[Line]:
        held = [
            f"{o.label} {exact_text(o.points)}"
            for r, o in zip(self.refs, self.form.options, strict=True)
            if r.holds(state)
        ]
        points = self.points(state)
        if held:
            reason = (
                f"取最高 (highest, not cumulative) of: {', '.join(held)} → {exact_text(points)}"
            )
        else:
            reason = "无符合项 (no option holds)"
        return [Line(source, label, points, reason)]


class PartsScorer:
    def __init__(self, plan: Slots, form: Parts) -> None:
        self.parts = [
            (part, compile_scoring(plan, part.scoring, part.id, part.label)) for part in form.parts
        ]

    def points(self, state: TeamState) -> Decimal:
        total = ZERO
        for part, scorer in self.parts:
            points = scorer.points(state)
            if part.cap is not None and points > part.cap:
                points = part.cap
            total += points
        return total

    def lines(self, state: TeamState, source: str, label: str) -> list[Line]:
        out: list[Line] = []
        for part, scorer in self.parts:
            lines = scorer.lines(state, part.id, part.label)
            raw = sum((line.points for line in lines), ZERO)
            out.extend(lines)
            out.extend(_cap_line(part.id, raw, part.cap, "本项最高 (part max)"))
        return out


def compile_scoring(plan: Slots, form: Scoring, owner: str, label: str) -> Scorer:
    """The scorer for a scoring form; ``owner`` is the id of the indicator, part or rule."""
    if isinstance(form, PerItem):
        return PerItemScorer(plan, form, best=False)
    if isinstance(form, BestItem):
        return PerItemScorer(plan, form, best=True)
    if isinstance(form, Linear):
        return LinearScorer(plan, form)
    if isinstance(form, Bands):
        return BandsScorer(plan, form, owner)
    if isinstance(form, Deduct):
        return DeductScorer(plan, form, owner)
    if isinstance(form, AssessorScore):
        return AssessorScorer(plan, form, owner)
    if isinstance(form, WhenAll):
        return WhenAllScorer(plan, form, owner)
    if isinstance(form, Highest):
        return HighestScorer(plan, form, owner)
    if isinstance(form, Parts):
        return PartsScorer(plan, form)
    assert_never(form)


class IndicatorPlan:
    """An indicator's scorer and its clip to ``[0, max]``."""

    __slots__ = ("dimension", "indicator", "max", "scorer")

    def __init__(self, indicator: Indicator, dimension: int, scorer: Scorer) -> None:
        self.indicator = indicator
        self.dimension = dimension
        self.scorer = scorer
        self.max = indicator.max

    def lines(self, state: TeamState) -> list[Line]:
        """The scorer's lines plus a clip line when the indicator's bounds apply."""
        ind = self.indicator
        lines = self.scorer.lines(state, ind.id, ind.label)
        raw = sum((line.points for line in lines), ZERO)
        if raw > self.max:
            lines.append(
                Line(
                    f"{ind.id}#max",
                    f"指标满分 (indicator max) {exact_text(self.max)}",
                    self.max - raw,
                    f"本指标最高 {exact_text(self.max)} 分",
                )
            )
        elif raw < 0:
            lines.append(Line(f"{ind.id}#floor", "不低于0 (floor 0)", -raw, "指标得分不低于 0"))
        return lines


class AdjustmentPlan:
    """A bonus or penalty rule's scorer."""

    __slots__ = ("dimension", "kind", "rule", "scorer")

    def __init__(self, rule: Bonus | Penalty, kind: str, dimension: int, scorer: Scorer) -> None:
        self.rule = rule
        self.kind = kind
        self.dimension = dimension
        self.scorer = scorer

    def lines(self, state: TeamState) -> list[Line]:
        """Lines for the amount, signed: bonuses add, penalties subtract."""
        rule = self.rule
        lines = self.scorer.lines(state, rule.id, rule.label)
        raw = sum((line.points for line in lines), ZERO)
        if raw < 0:
            lines.append(Line(f"{rule.id}#floor", "不低于0 (floor 0)", -raw, "金额不低于 0"))
        if self.kind == "penalty":
            lines = [
                Line(line.source, line.label, -line.points, line.reason, line.facts)
                for line in lines
            ]
        return lines
