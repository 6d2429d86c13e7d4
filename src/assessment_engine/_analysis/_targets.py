"""The constants a rubric compares with, so that generated teams land on and around them.

Text values of filters, thresholds of bands and conditions, item counts that reach caps and
floors. Which selections a rubric uses is in :mod:`assessment_engine.rubric.walk`; what one more
fact does to an indicator, and the scoring units, are in :mod:`._effects`. Nothing here depends
on Hypothesis.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from decimal import Decimal
from typing import Final, assert_never

import attrs

from ..rubric import Rubric
from ..rubric.conditions import (
    AllOf,
    AnyOf,
    Compare,
    Condition,
    Count,
    DistinctCount,
    Field,
    HasTag,
    Headcount,
    Not,
    OneOf,
    Phase,
    Quantity,
    Select,
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
    PointsBy,
    Scoring,
    WhenAll,
)
from ..rubric.walk import form_conditions, operands, rubric_selects, scored

__all__ = [
    "DIRECTION",
    "Target",
    "field_constants",
    "points_tables",
    "rubric_targets",
]

# --------------------------------------------------------------------------- constants


def _where_constants(
    kind: str,
    cond: Condition,
    texts: dict[tuple[str, str], set[str]],
    numbers: dict[tuple[str, str], set[Decimal]],
) -> None:
    if isinstance(cond, Compare | OneOf):
        if not isinstance(cond.left, Field):
            return  # a team quantity: no field of the kind
        values = [cond.value] if isinstance(cond, Compare) else sorted(cond.values, key=repr)
        for value in values:
            if isinstance(value, str):
                texts.setdefault((kind, cond.left.name), set()).add(value)
            elif isinstance(value, Decimal):
                numbers.setdefault((kind, cond.left.name), set()).add(value)
    elif isinstance(cond, HasTag):
        return  # tags are collected from operands()
    elif isinstance(cond, AllOf | AnyOf):
        for item in cond.items:
            _where_constants(kind, item, texts, numbers)
    elif isinstance(cond, Not):
        _where_constants(kind, cond.item, texts, numbers)
    else:
        assert_never(cond)


def _tags(cond: Condition) -> Iterator[str]:
    """The tags a filter tests, each once, in first-use order."""
    for operand in operands(cond):
        if isinstance(operand, tuple):
            yield operand[1]


def _points_tables(form: Scoring) -> Iterator[tuple[str, PointsBy]]:
    for item in _item_forms(form):
        if isinstance(item.points, PointsBy):
            yield item.select.kind, item.points


def points_tables(rubric: Rubric) -> dict[Select, tuple[tuple[str, tuple[str, ...]], ...]]:
    """For each selection scored by a points table: the field and the values worth points."""
    found: dict[Select, dict[tuple[str, tuple[str, ...]], None]] = {}
    for item in scored(rubric):
        for form in _item_forms(item.scoring):
            if isinstance(form.points, PointsBy):
                keys = tuple(k for k, p in form.points.table if p > 0)
                if keys:
                    found.setdefault(form.select, {})[(form.points.field, keys)] = None
    return {select: tuple(tables) for select, tables in found.items()}


def _item_forms(form: Scoring) -> Iterator[PerItem | BestItem]:
    if isinstance(form, PerItem | BestItem):
        yield form
    elif isinstance(form, Parts):
        for part in form.parts:
            yield from _item_forms(part.scoring)
    elif isinstance(form, Linear | Bands | Deduct | AssessorScore | WhenAll | Highest):
        return
    else:
        assert_never(form)


def field_constants(
    rubric: Rubric,
) -> tuple[
    dict[tuple[str, str], tuple[str, ...]],
    dict[tuple[str, str], tuple[Decimal, ...]],
    tuple[str, ...],
]:
    """The text values, numbers and tags the rubric's filters and points tables mention.

    Text values and numbers are keyed by ``(fact kind, field)``; tags are listed once.
    """
    texts: dict[tuple[str, str], set[str]] = {}
    numbers: dict[tuple[str, str], set[Decimal]] = {}
    tags: dict[str, None] = {}
    for select in rubric_selects(rubric):
        if select.where is not None:
            _where_constants(select.kind, select.where, texts, numbers)
            tags.update(dict.fromkeys(_tags(select.where)))
    for item in scored(rubric):
        for kind, table in _points_tables(item.scoring):
            texts.setdefault((kind, table.field), set()).update(key for key, _ in table.table)
    return (
        {k: tuple(sorted(v)) for k, v in sorted(texts.items())},
        {k: tuple(sorted(v)) for k, v in sorted(numbers.items())},
        tuple(sorted(tags)),
    )


@attrs.frozen
class Target:
    """A value of a per-team quantity worth landing on: a threshold, a cap, a floor.

    ``integral`` targets count facts; the others are sums and values. ``sign`` says whether
    reaching it is good for the team (``1``: a band, a cap), bad (``-1``: a deduction's floor,
    a veto, a penalty) or either (``0``: an equality).
    """

    quantity: Quantity
    value: Decimal
    integral: bool
    source: str
    sign: int = 1


def _counted(q: Quantity) -> bool:
    return isinstance(q, Count | DistinctCount | Headcount)


DIRECTION: Final = {">=": 1, ">": 1, "<=": -1, "<": -1}


def _targets_of_condition(cond: Condition, source: str, sign: int) -> Iterator[Target]:
    if isinstance(cond, Compare | OneOf):
        if isinstance(cond.left, Field):
            return  # a fact's field (only in filters)
        q = cond.left
        if q.quantity_stage() != Phase.FACTS:
            return
        if isinstance(cond, Compare):
            values, direction = [cond.value], DIRECTION.get(cond.op, 0)
        else:
            values, direction = sorted(cond.values, key=repr), 0
        for value in values:
            if isinstance(value, Decimal):
                yield Target(q, value, _counted(q), source, sign * direction)
    elif isinstance(cond, AllOf | AnyOf):
        for item in cond.items:
            yield from _targets_of_condition(item, source, sign)
    elif isinstance(cond, HasTag):
        return
    elif isinstance(cond, Not):
        yield from _targets_of_condition(cond.item, source, -sign)
    else:
        assert_never(cond)


def _item_points(points: Decimal | PointsBy) -> list[Decimal]:
    """The points one item can be worth, when positive (an item worth 0 never reaches a cap)."""
    if isinstance(points, Decimal):
        return [points] if points > 0 else []
    values = [p for _, p in points.table] + [points.default]
    positive = [p for p in values if p > 0]
    return sorted({min(positive), max(positive)}) if positive else []


def _targets_of_form(
    form: Scoring, owner: str, sign: int, most: Decimal | None = None
) -> Iterator[Target]:
    if isinstance(form, PerItem):
        cap = form.cap if form.cap is not None else most
        if cap is not None:
            for points in _item_points(form.points):
                count = math.ceil(cap / points)
                yield Target(Count(form.select), Decimal(count), True, f"{owner} cap", sign)
    elif isinstance(form, BestItem):
        yield Target(Count(form.select), Decimal(1), True, f"{owner} best item", sign)
    elif isinstance(form, Linear):
        unit = form.unit or Decimal(1)
        counted = _counted(form.quantity)
        yield Target(form.quantity, unit, counted, f"{owner} unit", sign)
        if form.cap is not None and form.points > 0:
            reach = math.ceil(form.cap / form.points) * unit
            yield Target(form.quantity, reach, counted, f"{owner} cap", sign)
    elif isinstance(form, Bands):
        counted = _counted(form.quantity)
        for band in form.bands:
            yield Target(form.quantity, band.threshold, counted, f"{owner} band", sign)
    elif isinstance(form, Deduct):
        for line in form.deductions:
            if line.select is not None:
                count = math.ceil(form.base / line.points) if form.base > 0 else 1
                yield Target(Count(line.select), Decimal(count), True, f"{owner} floor", -sign)
        for cond in form_conditions(form):  # a deduction line's condition: holding costs points
            yield from _targets_of_condition(cond, owner, -sign)
    elif isinstance(form, WhenAll | Highest):
        for cond in form_conditions(form):
            yield from _targets_of_condition(cond, owner, sign)
    elif isinstance(form, Parts):
        for part in form.parts:
            yield from _targets_of_form(part.scoring, part.id, sign, part.cap or most)
    elif isinstance(form, AssessorScore):
        return
    else:
        assert_never(form)


def rubric_targets(rubric: Rubric) -> tuple[Target, ...]:
    """Every threshold, cap and floor of the rubric, as a value of a stage-1 quantity."""
    found: dict[Target, None] = {}
    for indicator in rubric.indicators:
        found.update(
            dict.fromkeys(_targets_of_form(indicator.scoring, indicator.id, 1, indicator.max))
        )
    for bonus in rubric.bonuses:
        found.update(dict.fromkeys(_targets_of_form(bonus.scoring, bonus.id, 1)))
    for penalty in rubric.penalties:
        found.update(dict.fromkeys(_targets_of_form(penalty.scoring, penalty.id, -1)))
    for veto in rubric.vetoes:
        found.update(dict.fromkeys(_targets_of_condition(veto.when, veto.id, -1)))
    for scale in rubric.grade_scales:
        for band in scale.bands:
            if band.requires is not None:
                found.update(dict.fromkeys(_targets_of_condition(band.requires, scale.id, 1)))
    for title in rubric.titles:
        if title.when is not None:
            found.update(dict.fromkeys(_targets_of_condition(title.when, title.id, 1)))
    return tuple(t for t in found if t.quantity.quantity_stage() == Phase.FACTS)
