"""What one more fact does to an indicator, and the units (indicators, parts) points belong to.

Used by the consistency kit's properties: the *polarity* of each selection in an indicator (does
one more selected fact push the points up, down, or either way) decides what monotonicity
expects; the per-capita units are what the per-capita property scales.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Final, assert_never

import attrs

from .._pipeline import select_matches
from ..facts import Fact
from ..results import Assessment
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
    ValueOf,
    Vetoed,
)
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
from ..rubric.walk import form_quantities, parts_in, score_select
from ._targets import DIRECTION

__all__ = [
    "Effect",
    "Unit",
    "Usage",
    "fact_effect",
    "indicator_usages",
    "per_capita_units",
    "per_capita_value_ofs",
    "rubric_ids",
    "scoring_units",
    "unit_points",
]

ZERO: Final = Decimal(0)


# --------------------------------------------------------------------------- polarity


@attrs.frozen
class Usage:
    """How an indicator reads a selection.

    ``polarity`` is ``1`` when one more selected fact can only raise the points, ``-1`` when it
    can only lower them, ``0`` when it can do either; for a sum (``field`` set) the sign of the
    fact's own value decides. ``deduction`` marks the selection of a :class:`Deduction` line.
    """

    select: Select
    polarity: int
    field: str | None = None
    deduction: bool = False


def _quantity_usages(q: Quantity, sign: int) -> Iterator[Usage]:
    if isinstance(q, Count | Largest | DistinctCount):
        yield Usage(q.select, sign)
    elif isinstance(q, Total):
        yield Usage(q.select, sign, field=q.field)
    elif isinstance(q, Mean | ValueOf):
        yield Usage(q.select, 0)
    elif isinstance(q, Ratio):
        yield from _quantity_usages(q.numerator, sign)
        # A denominator's first fact turns a missing ratio (÷ 0: every comparison false) into a
        # defined one, which can raise the points; only later ones lower the ratio. So one more
        # fact in a denominator can move the points either way.
        yield from _quantity_usages(q.denominator, 0)
    elif isinstance(
        q,
        Headcount
        | TeamAttr
        | IndicatorPoints
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
        return  # no selection of the indicator's own
    else:
        assert_never(q)


def _condition_usages(cond: Condition, sign: int) -> Iterator[Usage]:
    if isinstance(cond, Compare | OneOf):
        if isinstance(cond.left, Field):
            return  # a fact's field: a filter's business, not a team condition's
        direction = DIRECTION.get(cond.op, 0) if isinstance(cond, Compare) else 0
        yield from _quantity_usages(cond.left, sign * direction)
    elif isinstance(cond, HasTag):
        return
    elif isinstance(cond, AllOf | AnyOf):
        for item in cond.items:
            yield from _condition_usages(item, sign)
    elif isinstance(cond, Not):
        yield from _condition_usages(cond.item, -sign)
    else:
        assert_never(cond)


def _form_usages(form: Scoring, owner: str, sign: int) -> Iterator[Usage]:
    if isinstance(form, PerItem | BestItem):
        yield Usage(form.select, sign)
    elif isinstance(form, Linear | Bands):
        yield from _quantity_usages(form.quantity, sign)
    elif isinstance(form, Deduct):
        for line in form.deductions:
            if line.select is not None:
                yield Usage(line.select, -sign, deduction=True)
            else:
                assert line.when is not None
                yield from _condition_usages(line.when, -sign)
        if form.assessor is not None:  # an assessor's deduction: read, never changed
            yield Usage(score_select(owner), 0)
    elif isinstance(form, AssessorScore):
        yield Usage(score_select(owner), 0)
    elif isinstance(form, WhenAll):
        for cond in form.conditions:
            yield from _condition_usages(cond, sign)
    elif isinstance(form, Highest):
        for option in form.options:
            yield from _condition_usages(option.when, sign)
    elif isinstance(form, Parts):
        for part in form.parts:
            yield from _form_usages(part.scoring, part.id, sign)
    else:
        assert_never(form)


def indicator_usages(owner: str, form: Scoring) -> tuple[Usage, ...]:
    """How a scoring form (an indicator's, usually) reads each of its selections."""
    return tuple(dict.fromkeys(_form_usages(form, owner, 1)))


@attrs.frozen
class Effect:
    """What one more fact can do to an indicator, from the selections that select it."""

    raises: tuple[str, ...]
    lowers: tuple[str, ...]
    either: tuple[str, ...]
    deduction: bool

    @property
    def neutral(self) -> bool:
        """No selection of the indicator selects the fact."""
        return not (self.raises or self.lowers or self.either)


def _describe(usage: Usage) -> str:
    from ..rubric.describe import describe_select

    return describe_select(usage.select)


def fact_effect(usages: tuple[Usage, ...], fact: Fact) -> Effect:
    """Classify one more ``fact`` for an indicator read through ``usages``."""
    raises: list[str] = []
    lowers: list[str] = []
    either: list[str] = []
    deduction = False
    for usage in usages:
        if not select_matches(usage.select, fact):
            continue
        polarity = usage.polarity
        if usage.field is not None:
            value = getattr(fact, usage.field, None)
            if value is None or value == 0:
                continue
            if value < 0:
                polarity = -polarity
        deduction = deduction or usage.deduction
        where = {1: raises, -1: lowers, 0: either}[polarity]
        where.append(_describe(usage))
    return Effect(tuple(raises), tuple(lowers), tuple(either), deduction)


# --------------------------------------------------------------------------- units


@attrs.frozen
class Unit:
    """An indicator, or one part of an indicator: the smallest thing with points of its own."""

    id: str
    indicator: str
    scoring: Scoring


def scoring_units(rubric: Rubric) -> tuple[Unit, ...]:
    """Every indicator, and the parts of those made of parts."""
    units: list[Unit] = []
    for indicator in rubric.indicators:
        units.append(Unit(indicator.id, indicator.id, indicator.scoring))
        units.extend(Unit(p.id, indicator.id, p.scoring) for p in parts_in(indicator.scoring))
    return tuple(units)


def _is_per_capita(q: Quantity) -> bool:
    return (
        isinstance(q, Ratio)
        and isinstance(q.denominator, Headcount)
        and isinstance(q.numerator, Count | Total | ValueOf)
    )


def _counts_facts(form: Scoring) -> bool:
    """Whether a form reads selected facts itself: items, a deduction's facts, a score."""
    if isinstance(form, PerItem | BestItem | AssessorScore):
        return True
    if isinstance(form, Deduct):
        return form.assessor is not None or any(d.select for d in form.deductions)
    if isinstance(form, Linear | Bands | WhenAll | Highest):
        return False  # through their quantities only
    if isinstance(form, Parts):
        return any(_counts_facts(part.scoring) for part in form.parts)
    assert_never(form)


def per_capita_units(rubric: Rubric) -> tuple[Unit, ...]:
    """Units that read per-capita quantities only.

    A per-capita quantity is ``per_capita(...)``: a count, a sum or a reported value divided by
    the team's headcount.
    """
    found = []
    for unit in scoring_units(rubric):
        if isinstance(unit.scoring, Parts):
            continue
        quantities = list(form_quantities(unit.scoring))
        direct = _counts_facts(unit.scoring)
        if quantities and not direct and all(_is_per_capita(q) for q in quantities):
            found.append(unit)
    return tuple(found)


def per_capita_value_ofs(units: tuple[Unit, ...]) -> tuple[ValueOf, ...]:
    """The reported values that are numerators of the units' per-capita ratios."""
    found: dict[ValueOf, None] = {}
    for unit in units:
        for q in form_quantities(unit.scoring):
            if isinstance(q, Ratio) and isinstance(q.numerator, ValueOf):
                found.setdefault(q.numerator)
    return tuple(found)


def unit_points(assessment: Assessment, unit: Unit) -> Decimal:
    """A unit's points in an assessment: the indicator's, or the sum of the part's lines."""
    indicator = assessment.indicator(unit.indicator)
    if unit.id == unit.indicator:
        return indicator.points
    prefix = unit.id + "#"
    return sum(
        (
            line.points
            for line in indicator.lines
            if line.source == unit.id or line.source.startswith(prefix)
        ),
        ZERO,
    )


def rubric_ids(rubric: Rubric) -> Mapping[str, str]:
    """Every indicator and part id, mapped to its indicator's id."""
    return {unit.id: unit.indicator for unit in scoring_units(rubric)}
