"""Rubric objects back to the expression language: the inverse of :mod:`._parse`.

``parse(format(x)) == x`` for every condition, quantity and selection the parser can produce;
the form printed is the canonical one (single-quoted text, ``exists(...)`` for ``count(...) >
0``, ``metric('k')`` for the value of a metric, ``per_capita(q)`` for a ratio to the headcount,
parentheses around a nested ``and``/``or`` chain, so that grouping survives).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Final, assert_never

from ..._base.numbers import exact_text
from .. import (
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
from ._parse import KEYWORDS

__all__ = [
    "FORMATTED_TYPES",
    "format_condition",
    "format_condition_lines",
    "format_quantity",
    "format_selection",
]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ID_FUNCTIONS: Final[dict[type, tuple[str, str]]] = {
    IndicatorPoints: ("indicator_points", "indicator"),
    AdjustmentPoints: ("adjustment_points", "rule"),
    Triggered: ("triggered", "rule"),
    DimensionScore: ("dimension_score", "dimension"),
    DimensionBonus: ("dimension_bonus", "dimension"),
    DimensionPenalty: ("dimension_penalty", "dimension"),
    Grade: ("grade", "scale"),
    TeamAttr: ("team", "field"),
}
_CONSTANTS: Final[dict[type, str]] = {
    Headcount: "headcount",
    Composite: "composite",
    Vetoed: "vetoed",
    PenaltyTotal: "penalty_total",
}
_FIELD_FUNCTIONS: Final[dict[type, str]] = {
    Total: "total",
    Mean: "mean",
    Largest: "largest",
    DistinctCount: "distinct",
}
#: Every class of :mod:`assessment_engine.rubric.conditions` the language writes.
FORMATTED_TYPES: Final[frozenset[type]] = frozenset(
    {
        *_ID_FUNCTIONS,
        *_CONSTANTS,
        *_FIELD_FUNCTIONS,
        Count,
        ValueOf,
        Ratio,
        Field,
        Select,
        Compare,
        OneOf,
        HasTag,
        AllOf,
        AnyOf,
        Not,
    }
)


def _quote(text: str) -> str:
    out = []
    for char in text:
        if char in "\\'":
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif char == "\r":
            out.append("\\r")
        elif ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0 or char in "\u2028\u2029\ufeff":
            out.append(f"\\u{ord(char):04x}")
        elif 0xD800 <= ord(char) <= 0xDFFF:
            raise ValueError(f"the expression language cannot write the surrogate {char!r}")
        else:
            out.append(char)
    return "'" + "".join(out) + "'"


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return exact_text(value)
    if isinstance(value, str):
        return _quote(value)
    raise TypeError(f"cannot write the constant {value!r}")


def _name(name: str, what: str) -> str:
    if not _NAME.fullmatch(name) or name in KEYWORDS:
        raise ValueError(f"the {what} {name!r} cannot be written in the expression language")
    return name


def format_selection(select: Select) -> str:
    """``kind`` or ``kind where <condition>``."""
    kind = _name(select.kind, "fact kind")
    if select.where is None:
        return kind
    return f"{kind} where {format_condition(select.where)}"


def _metric_kind(q: ValueOf) -> str | None:
    where = q.select.where
    if (
        q.select.kind == "metric"
        and q.field == "value"
        and isinstance(where, Compare)
        and where.left == Field("kind")
        and where.op == "=="
        and isinstance(where.value, str)
    ):
        return where.value
    return None


def format_quantity(q: Field | Quantity) -> str:
    """A quantity (or a field, in a where clause) as the language writes it."""
    cls = type(q)
    if isinstance(q, Field):
        return _name(q.name, "field")
    if isinstance(q, Headcount | Composite | Vetoed | PenaltyTotal):
        return _CONSTANTS[cls]
    if isinstance(
        q,
        IndicatorPoints
        | AdjustmentPoints
        | Triggered
        | DimensionScore
        | DimensionBonus
        | DimensionPenalty
        | Grade
        | TeamAttr,
    ):
        function, attribute = _ID_FUNCTIONS[cls]
        return f"{function}({_quote(getattr(q, attribute))})"
    if isinstance(q, Count):
        return f"count({format_selection(q.select)})"
    if isinstance(q, Total | Mean | Largest | DistinctCount):
        return f"{_FIELD_FUNCTIONS[cls]}({format_selection(q.select)}, {_name(q.field, 'field')})"
    if isinstance(q, ValueOf):
        default = "" if q.default is None else f", default={exact_text(q.default)}"
        metric = _metric_kind(q)
        if metric is not None:
            return f"metric({_quote(metric)}{default})"
        field = "" if q.field == "value" else f", {_name(q.field, 'field')}"
        return f"value({format_selection(q.select)}{field}{default})"
    if isinstance(q, Ratio):
        if q.denominator == Headcount():
            return f"per_capita({format_quantity(q.numerator)})"
        return f"ratio({format_quantity(q.numerator)}, {format_quantity(q.denominator)})"
    assert_never(q)


def _chain(items: tuple[Condition, ...]) -> bool:
    return len(items) >= 2


def _grouped(cond: Condition) -> str:
    text = format_condition(cond)
    if isinstance(cond, AllOf | AnyOf) and _chain(cond.items):
        return f"({text})"
    return text


def format_condition(cond: Condition) -> str:
    """A condition (team level, or a where clause's filter) as the language writes it."""
    if isinstance(cond, Compare):
        if (
            isinstance(cond.left, Count)
            and cond.op == ">"
            and isinstance(cond.value, Decimal)
            and cond.value == 0
        ):
            return f"exists({format_selection(cond.left.select)})"
        return f"{format_quantity(cond.left)} {cond.op} {_value(cond.value)}"
    if isinstance(cond, OneOf):
        values = sorted(cond.values, key=_order)
        return f"{format_quantity(cond.left)} in [{', '.join(_value(v) for v in values)}]"
    if isinstance(cond, HasTag):
        return f"has_tag({_quote(cond.tag)})"
    if isinstance(cond, AllOf | AnyOf):
        word = "and" if isinstance(cond, AllOf) else "or"
        if not _chain(cond.items):
            function = "all" if isinstance(cond, AllOf) else "any"
            return f"{function}({', '.join(format_condition(c) for c in cond.items)})"
        return f" {word} ".join(_grouped(c) for c in cond.items)
    if isinstance(cond, Not):
        return f"not {_grouped(cond.item)}"
    assert_never(cond)


def _order(value: Any) -> tuple[int, Any]:
    if isinstance(value, bool):
        return (0, value)
    if isinstance(value, Decimal):
        return (1, value)
    return (2, value)


def format_condition_lines(cond: Condition, *, width: int = 88, indent: str = "") -> str:
    """Like :func:`format_condition`, with a long ``and``/``or`` chain one item per line.

    A nested chain that is still too long opens a parenthesis on its line and indents its own
    items. The text parses to the same condition: line breaks are only whitespace.
    """
    flat = format_condition(cond)
    if len(indent) + len(flat) <= width or not isinstance(cond, AllOf | AnyOf):
        return flat
    if not _chain(cond.items):
        return flat
    word = "and" if isinstance(cond, AllOf) else "or"
    lines = []
    for i, item in enumerate(cond.items):
        prefix = "" if i == 0 else f"{word} "
        text = _grouped(item)
        nested = isinstance(item, AllOf | AnyOf) and _chain(item.items)
        if nested and len(indent) + len(prefix) + len(text) > width:
            inner = format_condition_lines(item, width=width, indent=indent + "    ")
            lines.append(f"{prefix}(\n{indent}    {inner}\n{indent})")
        else:
            lines.append(prefix + text)
    return f"\n{indent}".join(lines)
