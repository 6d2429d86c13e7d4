"""The rubric's tree walkers: what a condition reads, what a form counts, what a rubric selects.

One set, used by the rubric's own checks, the pipeline's compiler and the tools (the consistency
kit, the strategies, the what-if search). Every walk over a closed union (:data:`Condition`,
:data:`Quantity`, :data:`Scoring`) ends in ``assert_never``, so a new form or quantity that a
walker does not handle is a type error, not a silent gap.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import assert_never

import attrs

from ._parts import RubricParts
from .conditions import (
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
from .model import Bonus, Indicator, Penalty
from .scoring import (
    AssessorDeduction,
    AssessorScore,
    Bands,
    BestItem,
    Deduct,
    Highest,
    Linear,
    Part,
    Parts,
    PerItem,
    Scoring,
    WhenAll,
)

__all__ = [
    "Assessed",
    "Operand",
    "Tag",
    "all_conditions",
    "all_quantities",
    "assessor_selects",
    "condition_quantities",
    "form_conditions",
    "form_quantities",
    "form_selects",
    "operands",
    "parts_in",
    "quantity_selects",
    "rubric_selects",
    "score_select",
    "scored",
    "selects_in",
    "singleton_selects",
    "team_field_readers",
    "value_ofs",
]

#: A tag test's operand: ``("tag", name)``.
Tag = tuple[str, str]
#: What a condition reads: a fact's field, a tag, or a team quantity.
Operand = Field | Tag | Quantity


def operands(condition: Condition) -> list[Operand]:
    """The fields, tags and quantities a condition reads, each once, in first-use order."""
    found: dict[Operand, None] = {}
    stack: list[Condition] = [condition]
    while stack:  # iterative: a deep condition is no recursion limit
        cond = stack.pop()
        if isinstance(cond, Compare | OneOf):
            found.setdefault(cond.left)
        elif isinstance(cond, HasTag):
            found.setdefault(("tag", cond.tag))
        elif isinstance(cond, AllOf | AnyOf):
            stack.extend(reversed(cond.items))
        elif isinstance(cond, Not):
            stack.append(cond.item)
        else:
            assert_never(cond)
    return list(found)


def condition_quantities(condition: Condition) -> list[Quantity]:
    """The team quantities a condition compares (its operands that are not fields or tags)."""
    return [o for o in operands(condition) if not isinstance(o, Field | tuple)]


def quantity_selects(quantity: Quantity) -> list[Select]:
    """The selections a quantity is counted from (both parts of a ratio), in order."""
    q = quantity
    if isinstance(q, Count | Total | Mean | Largest | DistinctCount | ValueOf):
        return [q.select]
    if isinstance(q, Ratio):
        return list(
            dict.fromkeys([*quantity_selects(q.numerator), *quantity_selects(q.denominator)])
        )
    if isinstance(
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
        return []
    assert_never(q)


def value_ofs(quantity: Quantity) -> Iterator[ValueOf]:
    """The reported values (:class:`ValueOf`) a quantity reads, both parts of a ratio included."""
    q = quantity
    if isinstance(q, ValueOf):
        yield q
    elif isinstance(q, Ratio):
        yield from value_ofs(q.numerator)
        yield from value_ofs(q.denominator)
    elif isinstance(
        q,
        Count
        | Total
        | Mean
        | Largest
        | DistinctCount
        | Headcount
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
        return
    else:
        assert_never(q)


def form_conditions(form: Scoring) -> Iterator[Condition]:
    """The team-level conditions of a scoring form (and of its parts), in order."""
    if isinstance(form, Deduct):
        yield from (d.when for d in form.deductions if d.when is not None)
    elif isinstance(form, WhenAll):
        yield from form.conditions
    elif isinstance(form, Highest):
        yield from (option.when for option in form.options)
    elif isinstance(form, Parts):
        for part in form.parts:
            yield from form_conditions(part.scoring)
    elif isinstance(form, PerItem | BestItem | Linear | Bands | AssessorScore):
        return
    else:
        assert_never(form)


def form_quantities(form: Scoring) -> Iterator[Quantity]:
    """The quantities a scoring form reads: its own, and those its conditions compare."""
    if isinstance(form, Linear | Bands):
        yield form.quantity
    elif isinstance(form, Parts):
        for part in form.parts:
            yield from form_quantities(part.scoring)
    elif isinstance(form, Deduct | WhenAll | Highest):
        for cond in form_conditions(form):
            yield from condition_quantities(cond)
    elif isinstance(form, PerItem | BestItem | AssessorScore):
        return
    else:
        assert_never(form)


def score_select(owner: str) -> Select:
    """The selection of the assessor scores entered for ``owner`` (an indicator, part or rule)."""
    return Select("score", Compare(Field("indicator"), "==", owner))


def form_selects(form: Scoring, owner: str) -> Iterator[Select]:
    """Every selection a scoring form counts, directly or through its quantities."""
    if isinstance(form, Parts):
        for part in form.parts:
            yield from form_selects(part.scoring, part.id)
        return
    if isinstance(form, PerItem | BestItem):
        yield form.select
    elif isinstance(form, Deduct):
        yield from (d.select for d in form.deductions if d.select is not None)
        if form.assessor is not None:
            yield score_select(owner)
    elif isinstance(form, AssessorScore):
        yield score_select(owner)
    elif isinstance(form, Linear | Bands | WhenAll | Highest):
        pass  # through their quantities only
    else:
        assert_never(form)
    for q in form_quantities(form):
        yield from quantity_selects(q)


def parts_in(form: Scoring) -> Iterator[Part]:
    """Every part of a scoring form, nested parts included, depth first (a part before its own)."""
    if isinstance(form, Parts):
        for part in form.parts:
            yield part
            yield from parts_in(part.scoring)


def scored(rubric: RubricParts) -> Iterator[Indicator | Bonus | Penalty]:
    """Everything with a scoring form: indicators, bonuses, penalties."""
    yield from rubric.indicators
    yield from rubric.bonuses
    yield from rubric.penalties


def all_conditions(rubric: RubricParts) -> Iterator[Condition]:
    """Every team-level condition of the rubric: forms, vetoes, grade requirements, titles."""
    for item in scored(rubric):
        yield from form_conditions(item.scoring)
    for veto in rubric.vetoes:
        yield veto.when
    for scale in rubric.grade_scales:
        yield from (b.requires for b in scale.bands if b.requires is not None)
    for title in rubric.titles:
        if title.when is not None:
            yield title.when


def all_quantities(rubric: RubricParts) -> Iterator[Quantity]:
    """Every quantity the rubric reads: of its forms, its conditions and its ranking keys."""
    for item in scored(rubric):
        yield from form_quantities(item.scoring)
    for cond in all_conditions(rubric):
        yield from condition_quantities(cond)
    for key in rubric.ranking.keys:
        yield key.quantity


def rubric_selects(rubric: RubricParts) -> tuple[Select, ...]:
    """Every selection the rubric uses, each once, in first-use order."""
    found: dict[Select, None] = {}
    for item in scored(rubric):
        for select in form_selects(item.scoring, item.id):
            found.setdefault(select)
    for cond in all_conditions(rubric):
        for q in condition_quantities(cond):
            for select in quantity_selects(q):
                found.setdefault(select)
    for key in rubric.ranking.keys:
        for select in quantity_selects(key.quantity):
            found.setdefault(select)
    return tuple(found)


#: What an assessor enters for an owner, with its bounds: a score or a deduction.
Assessed = AssessorScore | AssessorDeduction


def assessor_selects(rubric: RubricParts) -> dict[str, tuple[Select, Assessed]]:
    """Every indicator, part or rule an assessor enters a ``score`` fact for.

    Its score selection and its bounds: an :class:`AssessorScore` or an
    :class:`AssessorDeduction`.
    """
    found: dict[str, tuple[Select, Assessed]] = {}

    def visit(owner: str, form: Scoring) -> None:
        if isinstance(form, AssessorScore):
            found[owner] = (score_select(owner), form)
        elif isinstance(form, Deduct) and form.assessor is not None:
            found[owner] = (score_select(owner), form.assessor)
        elif isinstance(form, Parts):
            for part in form.parts:
                visit(part.id, part.scoring)
        elif isinstance(form, PerItem | BestItem | Linear | Bands | Deduct | WhenAll | Highest):
            return
        else:
            assert_never(form)

    for item in scored(rubric):
        visit(item.id, item.scoring)
    return found


def singleton_selects(rubric: RubricParts) -> tuple[Select, ...]:
    """Selections that may hold at most one fact per team (a reported value, an assessor score).

    A second fact in one of them is an input error.
    """
    found: dict[Select, None] = {}
    for select in rubric_selects(rubric):
        if select.kind == "score":
            found.setdefault(select)
    for q in all_quantities(rubric):
        for value_of in value_ofs(q):
            found.setdefault(value_of.select)
    return tuple(found)


def selects_in(obj: object) -> Iterator[Select]:
    """Every :class:`Select` inside any rubric object, depth first (fields in class order)."""
    stack: list[object] = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, Select):
            yield item
        cls = type(item)
        if attrs.has(cls):
            stack.extend(reversed([getattr(item, f.name) for f in attrs.fields(cls)]))
        elif isinstance(item, tuple | list):
            stack.extend(reversed(item))
        elif isinstance(item, frozenset):
            stack.extend(sorted(item, key=repr, reverse=True))


def _leaves(q: Quantity) -> Iterator[Quantity]:
    """A quantity and, for a ratio, the quantities it divides (recursively)."""
    yield q
    if isinstance(q, Ratio):
        yield from _leaves(q.numerator)
        yield from _leaves(q.denominator)


def team_field_readers(rubric: RubricParts) -> dict[str, str]:
    """The team record's fields the rubric reads, each with the id of the first object that does.

    ``headcount`` (read by :class:`Headcount`, ``per_capita``) and the attributes read by
    :class:`TeamAttr`; a team record must have those that a rule reads.
    """
    owners: list[tuple[str, Iterator[Quantity]]] = []
    for item in scored(rubric):
        owners.append((item.id, form_quantities(item.scoring)))
    for veto in rubric.vetoes:
        owners.append((veto.id, iter(condition_quantities(veto.when))))
    for scale in rubric.grade_scales:
        for band in scale.bands:
            if band.requires is not None:
                owners.append((scale.id, iter(condition_quantities(band.requires))))
    for title in rubric.titles:
        if title.when is not None:
            owners.append((title.id, iter(condition_quantities(title.when))))
    owners.append(("ranking", (key.quantity for key in rubric.ranking.keys)))
    found: dict[str, str] = {}
    for owner, quantities in owners:
        for q in quantities:
            for leaf in _leaves(q):
                if isinstance(leaf, Headcount):
                    found.setdefault("headcount", owner)
                elif isinstance(leaf, TeamAttr):
                    found.setdefault(leaf.field, owner)
    return found
