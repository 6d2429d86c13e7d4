"""Value domains for the static checks: what a field or quantity can hold.

Also the helpers that read domains off fact types (``Literal`` vocabularies, ``in_``/``ge``/``le``
validators) and scoring forms (points tables, band regions).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction
from typing import assert_never

import attrs

from .._matcher.base import NEGATED
from ..facts import Fact, field_specs
from ..rubric.conditions import AllOf, AnyOf, Compare, Condition, Field, HasTag, Not, OneOf, Value
from ..rubric.scoring import Bands, BestItem, PerItem, PointsBy
from ._intervals import Interval, frac

__all__ = [
    "NEGATED",
    "Domain",
    "Truth",
    "band_regions",
    "compare",
    "conjuncts",
    "field_vocabulary",
    "item_points",
    "number_range",
    "one_of",
]

#: ``(can hold, can fail)`` of a condition.
Truth = tuple[bool, bool]

_NUMERIC = ("number", "ratio")


@attrs.frozen
class Domain:
    """The values a field or quantity can take.

    :param kind: ``number``, ``ratio``, ``text``, ``flag``, ``tags`` or ``date``.
    :param numbers: for numbers, the range of present values (``None``: never present).
    :param values: for text and flags, the possible values (``None``: any).
    :param missing: whether the value can be missing (comparisons with it then fail).
    """

    kind: str
    numbers: Interval | None = None
    values: frozenset[Value] | None = None
    missing: bool = False


def _as_fraction(value: object) -> Fraction | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal | Fraction):
        return frac(value)
    if isinstance(value, float):
        return Fraction(repr(value))
    return None


def field_vocabulary(cls: type[Fact], name: str) -> frozenset[Value] | None:
    """The closed set of values a field can hold (``Literal`` type or ``in_`` validator)."""
    spec = field_specs(cls).get(name)
    if spec is None or spec.vocabulary is None:
        return None
    return frozenset(spec.vocabulary)  # type: ignore[arg-type]


def number_range(cls: type[Fact], name: str) -> Interval:
    """The values a number field's validators accept (its bounds, or its closed vocabulary)."""
    spec = field_specs(cls).get(name)
    result = Interval.everything()
    if spec is None:
        return result
    for bound, strict, op in (
        (spec.minimum, spec.minimum_strict, (">", ">=")),
        (spec.maximum, spec.maximum_strict, ("<", "<=")),
    ):
        if bound is not None:
            allowed = Interval.constraint(op[0] if strict else op[1], frac(bound))
            if allowed is not None:
                result = result.intersect(allowed)
    if spec.vocabulary:
        numbers = [_as_fraction(x) for x in spec.vocabulary]
        present = [x for x in numbers if x is not None]
        if present and len(present) == len(numbers):
            result = result.intersect(Interval(min(present), max(present)))
    return result


def conjuncts(cond: Condition | None, negate: bool = False) -> Iterator[tuple[Condition, bool]]:
    """The atoms that must all hold, ``Not`` pushed down: ``(condition, negated)`` pairs."""
    if cond is None:
        return
    if isinstance(cond, Not):
        yield from conjuncts(cond.item, not negate)
    elif isinstance(cond, AllOf | AnyOf):
        if isinstance(cond, AllOf) != negate:  # a conjunction, once Not is pushed down
            for item in cond.items:
                yield from conjuncts(item, negate)
        else:
            yield cond, negate
    elif isinstance(cond, Compare | OneOf | HasTag):
        yield cond, negate
    else:
        assert_never(cond)


def item_points(form: PerItem | BestItem, cls: type[Fact] | None) -> list[Decimal]:
    """The points one fact can earn under ``form`` (a points table reduced by the selection)."""
    points = form.points
    if not isinstance(points, PointsBy):
        return [points]
    table = dict(points.table)
    allowed: frozenset[Value] | None = None
    if cls is not None:
        allowed = field_vocabulary(cls, points.field)
    for atom, negated in conjuncts(form.select.where):
        if negated or not isinstance(atom, Compare | OneOf) or atom.left != Field(points.field):
            continue
        if isinstance(atom, Compare):
            if atom.op != "==":
                continue
            values: frozenset[Value] = frozenset([atom.value])
        else:
            values = atom.values
        allowed = values if allowed is None else allowed & values
    if allowed is None:
        return [*table.values(), points.default]
    found = [table[v] for v in allowed if isinstance(v, str) and v in table]
    if any(not (isinstance(v, str) and v in table) for v in allowed):
        found.append(points.default)
    return found or [Decimal(0)]


def band_regions(bands: Bands) -> list[Interval]:
    """Per band, then for ``otherwise``: the quantity values that choose it."""
    regions = []
    above: Interval | None = None  # the values that reach a higher band
    for band in bands.bands:
        reach = Interval(frac(band.threshold), None, lo_open=band.strict)
        region = reach if above is None else reach.intersect(_below(above))
        regions.append(region)
        above = reach
    regions.append(Interval.everything() if above is None else _below(above))
    return regions


def _below(reach: Interval) -> Interval:
    """The values below ``[t, ∞)`` or ``(t, ∞)``."""
    return Interval(None, reach.lo, hi_open=not reach.lo_open)


def compare(domain: Domain, op: str, value: Value) -> Truth:
    if domain.kind in _NUMERIC:
        if domain.numbers is None:
            return False, True
        if not isinstance(value, Decimal):  # pragma: no cover - refused when assembled
            return True, True
        can_hold, can_fail = domain.numbers.compare(op, value)
        return can_hold, can_fail or domain.missing
    values = domain.values
    if values is None or op not in ("==", "!="):
        return True, True
    if op == "==":
        return value in values, domain.missing or values != {value}
    return bool(values - {value}), domain.missing or value in values


def one_of(domain: Domain, wanted: frozenset[Value], negate: bool) -> Truth:
    if domain.kind in _NUMERIC:
        numbers = domain.numbers
        if numbers is None:
            return False, True
        inside = any(isinstance(v, Decimal) and numbers.contains(v) for v in wanted)
        only = numbers.single is not None and any(
            isinstance(v, Decimal) and frac(v) == numbers.single for v in wanted
        )
        if negate:
            return not only, domain.missing or inside
        return inside, domain.missing or not only
    values = domain.values
    if values is None:
        return True, True
    if negate:
        return bool(values - wanted), domain.missing or bool(values & wanted)
    return bool(values & wanted), domain.missing or bool(values - wanted)
