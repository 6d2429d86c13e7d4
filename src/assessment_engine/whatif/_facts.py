"""What-if helpers: test a selection's filter on a fact, and build a minimal fact that passes it.

Private to :mod:`assessment_engine.whatif`. The filter test mirrors the matchers' semantics
(negation pushed down to the comparisons; a comparison with a missing value never holds); the
engine itself is still the judge of every candidate, since each one is re-assessed.
"""

from __future__ import annotations

import datetime
import itertools
import math
import typing
from collections.abc import Iterator, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal, assert_never

from .._matcher.base import NEGATED
from .._pipeline import select_matches
from ..facts import Fact, Record, field_specs
from ..rubric.conditions import AllOf, AnyOf, Compare, Condition, Field, HasTag, Not, OneOf, Select
from ..rubric.scoring import PointsBy

__all__ = [
    "PLACEHOLDER_ID",
    "at_least",
    "at_most",
    "build_fact",
    "field_types",
    "number_step",
]

#: The id a built fact carries until the search gives it a unique one.
PLACEHOLDER_ID = "what-if"
_MAX_ALTERNATIVES = 24


# ----------------------------------------------------------------------------- numbers
def number_step(value: Decimal | Fraction) -> Decimal:
    """The smallest step shown at the precision of ``value``: 90 → 0.1, 0.85 → 0.01."""
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        places = max(1, -exponent) if isinstance(exponent, int) else 1
    else:
        places = 2
    return Decimal(1).scaleb(-places)


def at_least(bound: Decimal | Fraction, *, strict: bool, integer: bool) -> Decimal:
    """The smallest plain value ≥ ``bound`` (> when ``strict``), whole when ``integer``."""
    exact = Fraction(bound)
    if integer:
        whole = math.floor(exact) + 1 if strict else math.ceil(exact)
        return Decimal(whole)
    step = number_step(bound)
    scale = int(1 / Fraction(step))
    ticks = Fraction(math.ceil(exact * scale), scale)
    if strict and ticks == exact:
        ticks += Fraction(step)
    return Decimal(ticks.numerator) / Decimal(ticks.denominator)


def at_most(bound: Decimal | Fraction, *, strict: bool, integer: bool) -> Decimal:
    """The largest plain value ≤ ``bound`` (< when ``strict``), whole when ``integer``."""
    exact = Fraction(bound)
    if integer:
        whole = math.ceil(exact) - 1 if strict else math.floor(exact)
        return Decimal(whole)
    step = number_step(bound)
    scale = int(1 / Fraction(step))
    ticks = Fraction(math.floor(exact * scale), scale)
    if strict and ticks == exact:
        ticks -= Fraction(step)
    return Decimal(ticks.numerator) / Decimal(ticks.denominator)


# ----------------------------------------------------------------------------- fields
def field_types(cls: type[Fact]) -> dict[str, tuple[Any, bool]]:
    """Each constructor field's type (``X | None`` read as ``X``) and whether it is required."""
    return {
        name: (spec.type, spec.required) for name, spec in field_specs(cls).items() if spec.init
    }


def _placeholders(tp: Any, period: str) -> list[object]:
    if typing.get_origin(tp) is Literal:
        return list(typing.get_args(tp))[:8]
    if tp is bool:
        return [True]
    if tp is int:
        return [1]
    if tp is Decimal:
        return [Decimal(1)]
    if tp is datetime.date:
        year = period[:4]
        return [datetime.date(int(year), 7, 1)] if year.isdigit() else [datetime.date.today()]
    if tp is str:
        return [PLACEHOLDER_ID]
    return []


def _coerce(value: object, tp: Any) -> object:
    """A condition constant as the field's type wants it (whole numbers for int fields)."""
    if tp is int and isinstance(value, Decimal | Fraction):
        return math.ceil(value)
    if tp is Decimal and isinstance(value, Fraction):
        return at_least(value, strict=False, integer=False)
    return value


# ----------------------------------------------------------------------------- filter solving
_Assign = tuple[tuple[tuple[str, object], ...], frozenset[str]]


def _merge(parts: list[_Assign]) -> _Assign | None:
    fields: dict[str, object] = {}
    tags: set[str] = set()
    for assigned, part_tags in parts:
        for name, value in assigned:
            if name in fields and fields[name] != value:
                return None
            fields[name] = value
        tags |= part_tags
    return tuple(sorted(fields.items(), key=lambda kv: kv[0])), frozenset(tags)


def _solve(where: Condition | None, negated: bool = False) -> list[_Assign]:
    """Field assignments that may satisfy a filter (checked afterwards with :func:`matches`)."""
    empty: _Assign = ((), frozenset())
    if where is None:
        return [empty]
    if isinstance(where, Compare):
        if not isinstance(where.left, Field):
            return []  # a team quantity: no field of the fact to set
        op = NEGATED[where.op] if negated else where.op
        value = where.value
        name = where.left.name
        if op in ("==", ">=", "<="):
            return [(((name, value),), frozenset())]
        if op in (">", "<") and isinstance(value, Decimal):
            step = number_step(value)
            moved = value + step if op == ">" else value - step
            return [(((name, moved),), frozenset())]
        return [empty]  # != : the default value may do; matches() decides
    if isinstance(where, OneOf):
        if not isinstance(where.left, Field):
            return []
        if negated:
            return [empty]
        name = where.left.name
        values = sorted(where.values, key=lambda v: (type(v).__name__, str(v)))
        return [(((name, v),), frozenset()) for v in values]
    if isinstance(where, HasTag):
        return [empty] if negated else [((), frozenset({where.tag}))]
    if isinstance(where, AllOf | AnyOf):
        options = [_solve(c, negated) for c in where.items]
        if isinstance(where, AllOf) == negated:  # a disjunction, once Not is pushed down
            return [a for option in options for a in option][:_MAX_ALTERNATIVES]
        result: list[_Assign] = []
        for combo in itertools.product(*options):
            merged = _merge(list(combo))
            if merged is not None:
                result.append(merged)
            if len(result) >= _MAX_ALTERNATIVES:
                break
        return result
    if isinstance(where, Not):
        return _solve(where.item, not negated)
    assert_never(where)


def _preferred(points: PointsBy | None, field: str) -> list[str]:
    if points is None or points.field != field:
        return []
    ranked = sorted(points.table, key=lambda kv: (-kv[1], kv[0]))
    return [key for key, _ in ranked[:3]]


def _points_of(fact: Fact, points: PointsBy | None) -> Decimal:
    if points is None:
        return Decimal(0)
    return points.points_for(getattr(fact, points.field, None))


def build_fact(
    cls: type[Fact],
    where: Condition | None,
    *,
    team: str,
    period: str,
    points: PointsBy | None = None,
    values: Mapping[str, object] | None = None,
) -> Record | None:
    """A minimal record of ``cls`` that passes ``where``; the one worth the most ``points``.

    ``values`` sets fields outright (a metric's value, an activity's hours); required fields
    the filter leaves open get placeholder values (the first values of a ``Literal``, ``1``,
    ``"what-if"``, a date inside the period's year). ``None`` when nothing valid passes.
    """
    if not issubclass(cls, Record):
        return None
    kinds = field_types(cls)
    best: tuple[Decimal, int, Record] | None = None
    order = 0
    for assigned, tags in _solve(where):
        base = dict(assigned)
        for name, value in (values or {}).items():
            if name in kinds:
                base[name] = value
        for fields in _fill(base, kinds, period, points):
            try:
                fact = cls(
                    team=team,
                    period=period,
                    id=PLACEHOLDER_ID,
                    tags=tags,
                    **{k: _coerce(v, kinds[k][0]) for k, v in fields.items() if k in kinds},
                )
            except Exception:  # a plugin fact class may refuse the values in any way
                continue
            if not isinstance(fact, Record) or not select_matches(
                Select(cls.fact_kind, where), fact
            ):
                continue
            order += 1
            key = (_points_of(fact, points), -order)
            if best is None or key > best[:2]:
                best = (key[0], key[1], fact)
    return None if best is None else best[2]


def _fill(
    base: dict[str, object],
    kinds: Mapping[str, tuple[Any, bool]],
    period: str,
    points: PointsBy | None,
) -> Iterator[dict[str, object]]:
    """``base`` completed with values for the required fields it leaves open."""
    open_fields: list[tuple[str, list[object]]] = []
    for name, (tp, required) in kinds.items():
        if name in base or name in ("team", "period", "id", "tags"):
            continue
        preferred: list[object] = list(_preferred(points, name))
        if preferred:
            open_fields.append((name, preferred))
        elif required:
            choices = _placeholders(tp, period)
            if not choices:
                return
            open_fields.append((name, choices))
    names = [n for n, _ in open_fields]
    for count, combo in enumerate(itertools.product(*(c for _, c in open_fields))):
        if count >= 64:
            return
        yield {**base, **dict(zip(names, combo, strict=True))}
