"""Short human-readable text for selections, quantities, conditions and values.

Used in explanations ("count of activity[kind=volunteer] ≥ 4") and in error messages; never
parsed back.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import assert_never

from .._base.numbers import display, exact_text
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

__all__ = [
    "describe_condition",
    "describe_quantity",
    "describe_select",
    "describe_value",
    "short_label",
]

_OPS = {"==": "=", "!=": "≠", ">=": "≥", ">": ">", "<=": "≤", "<": "<"}


def describe_value(value: object) -> str:
    """A value as shown in explanations: exact numbers, ratios as ``5/10 = 0.5``."""
    if value is None:
        return "无 (missing)"
    if isinstance(value, bool):
        return "是 (yes)" if value else "否 (no)"
    if isinstance(value, tuple):
        num, den = value
        if den == 0:
            return f"{exact_text(num)}/0 (missing)"
        frac = Fraction(num) / Fraction(den)
        text = exact_text(frac)
        shown = text if "/" not in text else display(frac, 4)
        return f"{exact_text(num)}/{exact_text(den)} = {shown}"
    if isinstance(value, Fraction):
        text = exact_text(value)
        return text if "/" not in text else f"{text} ≈ {display(value, 4)}"
    if isinstance(value, Decimal | int):
        return exact_text(value)
    return str(value)


def _const(value: object) -> str:
    if isinstance(value, str):
        return value
    return describe_value(value)


def describe_select(select: Select) -> str:
    """``activity[kind=volunteer]``."""
    if select.where is None:
        return select.kind
    return f"{select.kind}[{_filter(select.where)}]"


def _filter(cond: Condition) -> str:
    if isinstance(cond, Compare | OneOf):
        if not isinstance(cond.left, Field):  # a team quantity
            return describe_condition(cond)
        name = cond.left.name
        if isinstance(cond, Compare):
            return f"{name}{_OPS[cond.op]}{_const(cond.value)}"
        values = "|".join(sorted(_const(v) for v in cond.values))
        return f"{name}∈{{{values}}}"
    if isinstance(cond, HasTag):
        return f"#{cond.tag}"
    if isinstance(cond, AllOf):
        return ", ".join(_filter(c) for c in cond.items)
    if isinstance(cond, AnyOf):
        return " or ".join(_filter(c) for c in cond.items)
    if isinstance(cond, Not):
        return f"not ({_filter(cond.item)})"
    assert_never(cond)


def describe_quantity(q: Quantity) -> str:
    """``count of activity[kind=volunteer]``, ``per capita total hours of …``."""
    if isinstance(q, Count):
        return f"count of {describe_select(q.select)}"
    if isinstance(q, Total):
        return f"total {q.field} of {describe_select(q.select)}"
    if isinstance(q, Mean):
        return f"mean {q.field} of {describe_select(q.select)}"
    if isinstance(q, Largest):
        return f"largest {q.field} of {describe_select(q.select)}"
    if isinstance(q, DistinctCount):
        return f"distinct {q.field} of {describe_select(q.select)}"
    if isinstance(q, ValueOf):
        return f"{q.field} of {describe_select(q.select)}"
    if isinstance(q, Headcount):
        return "headcount"
    if isinstance(q, TeamAttr):
        return f"team {q.field}"
    if isinstance(q, Ratio):
        if isinstance(q.denominator, Headcount):
            return f"per capita {describe_quantity(q.numerator)}"
        return f"({describe_quantity(q.numerator)}) / ({describe_quantity(q.denominator)})"
    if isinstance(q, IndicatorPoints):
        return f"points of {q.indicator}"
    if isinstance(q, AdjustmentPoints):
        return f"points of {q.rule}"
    if isinstance(q, Triggered):
        return f"{q.rule} triggered"
    if isinstance(q, DimensionScore):
        return f"score of {q.dimension}"
    if isinstance(q, DimensionBonus):
        return f"bonus of {q.dimension}"
    if isinstance(q, DimensionPenalty):
        return f"penalty of {q.dimension}"
    if isinstance(q, PenaltyTotal):
        return "total penalty"
    if isinstance(q, Composite):
        return "composite"
    if isinstance(q, Vetoed):
        return "vetoed"
    if isinstance(q, Grade):
        return f"grade of {q.scale}"
    assert_never(q)


def describe_condition(cond: Condition) -> str:
    """``count of incident[kind=accident] > 0``, ``all of (…)``."""
    if isinstance(cond, Compare):
        left = cond.left.name if isinstance(cond.left, Field) else describe_quantity(cond.left)
        return f"{left} {_OPS[cond.op]} {_const(cond.value)}"
    if isinstance(cond, OneOf):
        left = cond.left.name if isinstance(cond.left, Field) else describe_quantity(cond.left)
        values = ", ".join(sorted(_const(v) for v in cond.values))
        return f"{left} ∈ {{{values}}}"
    if isinstance(cond, HasTag):
        return f"has tag {cond.tag}"
    if isinstance(cond, AllOf):
        return "all of (" + "; ".join(describe_condition(c) for c in cond.items) + ")"
    if isinstance(cond, AnyOf):
        return "any of (" + "; ".join(describe_condition(c) for c in cond.items) + ")"
    if isinstance(cond, Not):
        return f"not ({describe_condition(cond.item)})"
    assert_never(cond)


def short_label(label: str) -> str:
    """The Chinese part of a ``中文 (English gloss)`` label, for tight places; else the label.

    ``优秀 (excellent)`` → ``优秀``; a label without a gloss is returned as it is.
    """
    head, sep, _ = label.partition(" (")
    return head if sep and head else label
