"""What the strategies and the consistency kit read from a rubric, without running it.

* which selections a rubric uses, and whether a fact is selected (the engine's own semantics:
  the condition is compiled with :func:`~._plan.to_expr` and evaluated by the plain matcher);
* the constants it compares with (text values of filters, thresholds of bands and conditions,
  item counts that reach caps and floors), so that generated teams land on and around them.

What one more fact does to an indicator, and the scoring units, are in :mod:`._effects`.
Nothing here depends on Hypothesis.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, Final

import attrs

from .._matcher.python import evaluate
from .._pipeline._plan import to_expr
from ..facts import Fact
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
    Largest,
    Mean,
    Not,
    OneOf,
    Quantity,
    Ratio,
    Select,
    Stage,
    Total,
    ValueOf,
)
from ..rubric.model import Bonus, Indicator, Penalty
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

__all__ = [
    "Target",
    "assessor_selects",
    "conditions_of",
    "field_constants",
    "matches",
    "points_tables",
    "rubric_selects",
    "rubric_targets",
    "singleton_selects",
]

# --------------------------------------------------------------------------- selections


def _operand_value(fact: Fact, operand: object) -> object:
    if isinstance(operand, Field):
        return getattr(fact, operand.name, None)
    if isinstance(operand, tuple):  # ("tag", name)
        return operand[1] in getattr(fact, "tags", frozenset())
    raise TypeError(f"a filter reads fields and tags, not {operand!r}")  # pragma: no cover


def _filter_operands(cond: Condition) -> list[object]:
    if isinstance(cond, Compare | OneOf):
        return [cond.left]
    if isinstance(cond, HasTag):
        return [("tag", cond.tag)]
    if isinstance(cond, AllOf | AnyOf):
        return [x for c in cond.items for x in _filter_operands(c)]
    return _filter_operands(cond.item)


def matches(select: Select, fact: Fact) -> bool:
    """Whether ``select`` selects ``fact``, exactly as the engine decides it."""
    if fact.fact_kind != select.kind:
        return False
    if select.where is None:
        return True
    operands: list[object] = []
    for operand in _filter_operands(select.where):
        key = operand.name if isinstance(operand, Field) else operand
        if key not in operands:
            operands.append(key)
    position = {key: i for i, key in enumerate(operands)}

    def prop(operand: object) -> int:
        return position[operand.name if isinstance(operand, Field) else operand]

    record = tuple(
        _operand_value(fact, Field(key) if isinstance(key, str) else key) for key in operands
    )
    return evaluate(to_expr(select.where, prop), record)


def conditions_of(form: Scoring) -> Iterator[Condition]:
    """The team-level conditions of a scoring form (and of its parts)."""
    if isinstance(form, Deduct):
        yield from (d.when for d in form.deductions if d.when is not None)
    elif isinstance(form, WhenAll):
        yield from form.conditions
    elif isinstance(form, Highest):
        yield from (option.when for option in form.options)
    elif isinstance(form, Parts):
        for part in form.parts:
            yield from conditions_of(part.scoring)


def _quantities_of(cond: Condition) -> Iterator[Quantity]:
    if isinstance(cond, Compare | OneOf):
        if not isinstance(cond.left, Field):
            yield cond.left
    elif isinstance(cond, AllOf | AnyOf):
        for item in cond.items:
            yield from _quantities_of(item)
    elif isinstance(cond, Not):
        yield from _quantities_of(cond.item)


def _selects_of_quantity(q: Quantity) -> Iterator[Select]:
    if isinstance(q, Count | Total | Mean | Largest | DistinctCount | ValueOf):
        yield q.select
    elif isinstance(q, Ratio):
        yield from _selects_of_quantity(q.numerator)
        yield from _selects_of_quantity(q.denominator)


def _form_quantities(form: Scoring) -> Iterator[Quantity]:
    if isinstance(form, Linear | Bands):
        yield form.quantity
    elif isinstance(form, Parts):
        for part in form.parts:
            yield from _form_quantities(part.scoring)
    for cond in conditions_of(form) if not isinstance(form, Parts) else ():
        yield from _quantities_of(cond)


def _form_selects(form: Scoring, owner: str) -> Iterator[Select]:
    if isinstance(form, PerItem | BestItem):
        yield form.select
    elif isinstance(form, Deduct):
        yield from (d.select for d in form.deductions if d.select is not None)
    elif isinstance(form, AssessorScore):
        yield _score_select(owner)
    elif isinstance(form, Parts):
        for part in form.parts:
            yield from _form_selects(part.scoring, part.id)
    for q in _form_quantities(form) if not isinstance(form, Parts) else ():
        yield from _selects_of_quantity(q)


def _scored(rubric: Rubric) -> Iterator[Indicator | Bonus | Penalty]:
    """Everything with a scoring form: indicators, bonuses, penalties."""
    yield from rubric.indicators
    yield from rubric.bonuses
    yield from rubric.penalties


def _score_select(owner: str) -> Select:
    return Select("score", Compare(Field("indicator"), "==", owner))


def _all_conditions(rubric: Rubric) -> Iterator[Condition]:
    for item in _scored(rubric):
        yield from conditions_of(item.scoring)
    for veto in rubric.vetoes:
        yield veto.when
    for scale in rubric.grade_scales:
        yield from (b.requires for b in scale.bands if b.requires is not None)
    for title in rubric.titles:
        if title.when is not None:
            yield title.when


def rubric_selects(rubric: Rubric) -> tuple[Select, ...]:
    """Every selection the rubric uses, each once, in first-use order."""
    found: dict[Select, None] = {}
    for item in _scored(rubric):
        for select in _form_selects(item.scoring, item.id):
            found.setdefault(select)
    for cond in _all_conditions(rubric):
        for q in _quantities_of(cond):
            for select in _selects_of_quantity(q):
                found.setdefault(select)
    for key in rubric.ranking.keys:
        for select in _selects_of_quantity(key.quantity):
            found.setdefault(select)
    return tuple(found)


def assessor_selects(rubric: Rubric) -> dict[str, tuple[Select, AssessorScore]]:
    """Every assessor-scored indicator, part or rule: its score selection and its bounds."""
    found: dict[str, tuple[Select, AssessorScore]] = {}

    def visit(owner: str, form: Scoring) -> None:
        if isinstance(form, AssessorScore):
            found[owner] = (_score_select(owner), form)
        elif isinstance(form, Parts):
            for part in form.parts:
                visit(part.id, part.scoring)

    for item in _scored(rubric):
        visit(item.id, item.scoring)
    return found


def singleton_selects(rubric: Rubric) -> tuple[Select, ...]:
    """Selections that may hold at most one fact per team (a reported value, an assessor score).

    A second fact in one of them is an input error, so generated teams keep the first.
    """
    found: dict[Select, None] = {}
    for select in rubric_selects(rubric):
        if select.kind == "score":
            found.setdefault(select)
    for q in _all_quantities(rubric):
        for value_of in _value_ofs(q):
            found.setdefault(value_of.select)
    return tuple(found)


def _value_ofs(q: Quantity) -> Iterator[ValueOf]:
    if isinstance(q, ValueOf):
        yield q
    elif isinstance(q, Ratio):
        yield from _value_ofs(q.numerator)
        yield from _value_ofs(q.denominator)


def _all_quantities(rubric: Rubric) -> Iterator[Quantity]:
    for item in _scored(rubric):
        yield from _form_quantities(item.scoring)
    for cond in _all_conditions(rubric):
        yield from _quantities_of(cond)
    for key in rubric.ranking.keys:
        yield key.quantity


# --------------------------------------------------------------------------- constants


def _where_constants(
    kind: str, cond: Condition, texts: dict[tuple[str, str], set[str]], numbers: Any
) -> None:
    if isinstance(cond, Compare | OneOf) and isinstance(cond.left, Field):
        values = [cond.value] if isinstance(cond, Compare) else sorted(cond.values, key=repr)
        for value in values:
            if isinstance(value, str):
                texts.setdefault((kind, cond.left.name), set()).add(value)
            elif isinstance(value, Decimal):
                numbers.setdefault((kind, cond.left.name), set()).add(value)
    elif isinstance(cond, AllOf | AnyOf):
        for item in cond.items:
            _where_constants(kind, item, texts, numbers)
    elif isinstance(cond, Not):
        _where_constants(kind, cond.item, texts, numbers)


def _tags(cond: Condition | None) -> Iterator[str]:
    if isinstance(cond, HasTag):
        yield cond.tag
    elif isinstance(cond, AllOf | AnyOf):
        for item in cond.items:
            yield from _tags(item)
    elif isinstance(cond, Not):
        yield from _tags(cond.item)


def _points_tables(form: Scoring) -> Iterator[tuple[str, PointsBy]]:
    if isinstance(form, PerItem | BestItem) and isinstance(form.points, PointsBy):
        yield form.select.kind, form.points
    elif isinstance(form, Parts):
        for part in form.parts:
            yield from _points_tables(part.scoring)


def points_tables(rubric: Rubric) -> dict[Select, tuple[tuple[str, tuple[str, ...]], ...]]:
    """For each selection scored by a points table: the field and the values worth points."""
    found: dict[Select, dict[tuple[str, tuple[str, ...]], None]] = {}
    for item in _scored(rubric):
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
    for item in _scored(rubric):
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


_DIRECTION: Final = {">=": 1, ">": 1, "<=": -1, "<": -1}


def _targets_of_condition(cond: Condition, source: str, sign: int) -> Iterator[Target]:
    if isinstance(cond, Compare | OneOf) and not isinstance(cond.left, Field):
        q = cond.left
        if q.quantity_stage() != Stage.FACTS:
            return
        if isinstance(cond, Compare):
            values, direction = [cond.value], _DIRECTION.get(cond.op, 0)
        else:
            values, direction = sorted(cond.values, key=repr), 0
        for value in values:
            if isinstance(value, Decimal):
                yield Target(q, value, _counted(q), source, sign * direction)
    elif isinstance(cond, AllOf | AnyOf):
        for item in cond.items:
            yield from _targets_of_condition(item, source, sign)
    elif isinstance(cond, Not):
        yield from _targets_of_condition(cond.item, source, -sign)


def _item_points(points: Decimal | PointsBy) -> list[Decimal]:
    if isinstance(points, Decimal):
        return [points]
    values = [p for _, p in points.table] + [points.default]
    positive = [p for p in values if p > 0]
    return sorted({min(positive), max(positive)}) if positive else []


def _targets_of_form(
    form: Scoring, owner: str, sign: int, most: Decimal | None = None
) -> Iterator[Target]:
    if isinstance(form, PerItem) and (form.cap is not None or most is not None):
        cap = form.cap if form.cap is not None else most
        assert cap is not None
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
    elif isinstance(form, Parts):
        for part in form.parts:
            yield from _targets_of_form(part.scoring, part.id, sign, part.cap or most)
    if isinstance(form, Deduct):
        for line in form.deductions:
            if line.when is not None:
                yield from _targets_of_condition(line.when, owner, -sign)
    elif not isinstance(form, Parts):
        for cond in conditions_of(form):
            yield from _targets_of_condition(cond, owner, sign)


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
    return tuple(t for t in found if t.quantity.quantity_stage() == Stage.FACTS)
