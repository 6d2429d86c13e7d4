"""Conditions and quantities: what a rubric can test and count, as plain data.

Two levels, one vocabulary:

* a **filter** tests one fact's fields — ``Field("kind").equals("volunteer")`` — and selects the
  facts an item counts: ``facts("activity", kind="volunteer")``;
* a **quantity** is a per-team number or text — ``Count(select)``, ``Total(select, "hours")``,
  ``per_capita(...)``, ``DimensionScore("civility")`` — and a **condition** compares quantities with
  constants: ``Count(incidents).above(0)``, ``AllOf(...)``, ``AnyOf(...)``, ``Not(...)``.

Every object here is a frozen ``attrs`` class: comparable, hashable, listable, serialisable. The
compiler turns conditions into durable-rules rulesets (and into the plain-Python matcher's form);
nothing here runs code of its own.

Comparisons with a missing value (an optional field that is ``None``, a ratio whose denominator is
zero, a metric that was not reported) never hold, whatever the operator — and ``Not`` is pushed
down to the comparisons, so ``Not(x.at_least(3))`` means ``x.below(3)`` and is false as well when
``x`` is missing. That is the semantics of the Rete matcher, and both matchers implement it.
"""

from __future__ import annotations

import enum
import typing
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, ClassVar, Final, Literal, cast

import attrs

from ._values import Value, check_id, optional_decimal, to_value

__all__ = [
    "AdjustmentPoints",
    "AllOf",
    "AnyOf",
    "Compare",
    "Composite",
    "Condition",
    "Count",
    "DimensionBonus",
    "DimensionPenalty",
    "DimensionScore",
    "DistinctCount",
    "Field",
    "Grade",
    "HasTag",
    "Headcount",
    "IndicatorPoints",
    "Largest",
    "Mean",
    "Not",
    "OneOf",
    "Operator",
    "PenaltyTotal",
    "Phase",
    "Quantity",
    "Ratio",
    "Select",
    "Stage",
    "TeamAttr",
    "Total",
    "Triggered",
    "Value",
    "ValueOf",
    "Vetoed",
    "achievements",
    "activities",
    "exists",
    "facts",
    "incidents",
    "metric",
    "per_capita",
]

Operator = Literal["==", "!=", ">=", ">", "<=", "<"]
OPERATORS: tuple[Operator, ...] = ("==", "!=", ">=", ">", "<=", "<")


class Phase(enum.IntEnum):
    """The pipeline's one numbering: what is known once each phase of an assessment is done.

    A quantity is known from its phase on (:meth:`quantity_stage`); a condition is matched once
    everything it reads is known, and may read nothing later than its place allows (checked
    when the rubric is assembled): indicator, adjustment and veto conditions read ``FACTS``,
    grade bands and their requirements up to ``DIMENSIONS``, titles up to ``GRADES``.
    """

    #: counted from the team's facts (counts, totals, reported values, headcount)
    FACTS = 1
    #: indicator points, bonus and penalty amounts, vetoes
    ITEMS = 2
    #: dimension scores and the composite
    DIMENSIONS = 3
    #: grade labels
    GRADES = 4

    @property
    def label(self) -> str:
        """What is known in this phase, in words."""
        return _PHASE_LABELS[self]


_PHASE_LABELS: Final = {
    Phase.FACTS: "facts",
    Phase.ITEMS: "indicator and rule points",
    Phase.DIMENSIONS: "dimension scores",
    Phase.GRADES: "grades",
}

#: The earlier name of :class:`Phase`.
Stage = Phase


def _value(value: object) -> Value:
    return to_value(value)


def _values(values: Iterable[object]) -> frozenset[Value]:
    if isinstance(values, str):
        raise TypeError("one_of expects a collection of values, not one string")
    result = frozenset(to_value(x) for x in values)
    if not result:
        raise ValueError("one_of needs at least one value")
    return result


class _Comparable:
    """Builders shared by fields and quantities: ``x.at_least(3)``, ``x.one_of("a", "b")``."""

    __slots__ = ()

    def at_least(self, value: object) -> Compare:
        """``self >= value`` (不少于, 以上)."""
        return Compare(self, ">=", value)  # type: ignore[arg-type]

    def above(self, value: object) -> Compare:
        """``self > value`` (高于, 超过)."""
        return Compare(self, ">", value)  # type: ignore[arg-type]

    def at_most(self, value: object) -> Compare:
        """``self <= value`` (不超过)."""
        return Compare(self, "<=", value)  # type: ignore[arg-type]

    def below(self, value: object) -> Compare:
        """``self < value`` (低于, 不足)."""
        return Compare(self, "<", value)  # type: ignore[arg-type]

    def equals(self, value: object) -> Compare:
        """``self == value``."""
        return Compare(self, "==", value)  # type: ignore[arg-type]

    def differs_from(self, value: object) -> Compare:
        """``self != value`` (false when the value is missing)."""
        return Compare(self, "!=", value)  # type: ignore[arg-type]

    def one_of(self, *values: object) -> OneOf:
        """``self`` equals one of ``values``."""
        return OneOf(self, values)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- fact level


@attrs.frozen
class Field(_Comparable):
    """A field of the fact being filtered, e.g. ``Field("level")``."""

    name: str = attrs.field(validator=attrs.validators.instance_of(str))


@attrs.frozen
class HasTag:
    """The fact being filtered carries ``tag`` in its ``tags``."""

    tag: str = attrs.field(validator=attrs.validators.instance_of(str))


@attrs.frozen
class Select:
    """The facts of one kind that satisfy a filter: what an item counts.

    Usually built with :func:`facts`: ``facts("achievement", kind="patent", role="lead")``.
    """

    kind: str = attrs.field(validator=check_id)
    where: Condition | None = None


def facts(kind: str, where: Condition | None = None, /, **equals: object) -> Select:
    """Select facts of ``kind`` whose fields equal the keyword values and satisfy ``where``.

    A keyword value that is a list, tuple or set means "one of"::

        facts("activity", kind="volunteer")
        facts("achievement", kind="project_approved", level=("national", "ministerial"))
        facts("member", Field("age").below(35))
    """
    parts: list[Condition] = []
    for name in sorted(equals):
        value = equals[name]
        if isinstance(value, list | tuple | set | frozenset):
            parts.append(OneOf(Field(name), value))
        else:
            parts.append(Compare(Field(name), "==", value))
    if where is not None:
        parts.append(where)
    condition: Condition | None
    if not parts:
        condition = None
    elif len(parts) == 1:
        condition = parts[0]
    else:
        condition = AllOf(*parts)
    return Select(kind, condition)


def activities(
    kind: str | tuple[str, ...], where: Condition | None = None, /, **eq: object
) -> Select:
    """The team's ``activity`` records of ``kind`` (one of several when a tuple), and ``where``.

    Shorthand for ``facts("activity", where, kind=kind, **eq)``, as are :func:`achievements`
    and :func:`incidents` for their kinds.
    """
    return facts("activity", where, kind=kind, **eq)


def achievements(
    kind: str | tuple[str, ...], where: Condition | None = None, /, **eq: object
) -> Select:
    """The team's ``achievement`` records of ``kind`` (and ``where`` / field equalities)."""
    return facts("achievement", where, kind=kind, **eq)


def incidents(
    kind: str | tuple[str, ...], where: Condition | None = None, /, **eq: object
) -> Select:
    """The team's ``incident`` records of ``kind`` (and ``where`` / field equalities)."""
    return facts("incident", where, kind=kind, **eq)


# --------------------------------------------------------------------------- quantities


class _Quantity(_Comparable):
    """Base of every per-team quantity.

    ``stage`` says when the value is known; ``value_kind`` is ``number``, ``ratio`` (an exact
    fraction), ``text`` or ``flag``.
    """

    __slots__ = ()
    stage: ClassVar[Phase] = Phase.FACTS
    value_kind: ClassVar[str] = "number"

    def quantity_stage(self) -> Phase:
        """The phase from which this quantity is known."""
        return self.stage

    def quantity_kind(self) -> str:
        """``number``, ``ratio``, ``text`` or ``flag``."""
        return self.value_kind


@attrs.frozen
class Count(_Quantity):
    """How many facts the selection holds (件数, 人数, 次数)."""

    select: Select


@attrs.frozen
class Total(_Quantity):
    """The sum of a number field over the selection (e.g. hours); 0 when it is empty."""

    select: Select
    field: str


@attrs.frozen
class Mean(_Quantity):
    """The mean of a number field over the selection (人均分); missing when it is empty."""

    value_kind: ClassVar[str] = "ratio"
    select: Select
    field: str


@attrs.frozen
class Largest(_Quantity):
    """The largest value of a number field over the selection; missing when it is empty."""

    select: Select
    field: str


@attrs.frozen
class DistinctCount(_Quantity):
    """How many distinct values a field takes over the selection (e.g. distinct quarters)."""

    select: Select
    field: str


@attrs.frozen
class ValueOf(_Quantity):
    """The field of the one fact the selection holds (a reported metric).

    Two matching facts for one team are an input error naming both records; none gives
    ``default`` (missing when ``default`` is ``None``).
    """

    select: Select
    field: str = "value"
    default: Decimal | None = attrs.field(default=None, converter=optional_decimal)


@attrs.frozen
class Headcount(_Quantity):
    """The team's headcount, from its :class:`~assessment_engine.facts.Team` record."""


@attrs.frozen
class TeamAttr(_Quantity):
    """A text attribute of the team record: ``id``, ``name`` or ``department``."""

    value_kind: ClassVar[str] = "text"
    field: Literal["id", "name", "department"] = attrs.field(
        validator=attrs.validators.in_(("id", "name", "department"))
    )


@attrs.frozen
class Ratio(_Quantity):
    """An exact ratio of two number quantities (15/30 is exactly 0.5); missing when ÷ 0."""

    value_kind: ClassVar[str] = "ratio"
    numerator: Quantity
    denominator: Quantity

    def quantity_stage(self) -> Phase:
        """The later of the two parts' phases."""
        return max(self.numerator.quantity_stage(), self.denominator.quantity_stage())


def metric(kind: str, default: object = None) -> ValueOf:
    """The ``value`` of the team's one ``metric`` record of ``kind`` (``default`` when absent)."""
    return ValueOf(facts("metric", kind=kind), default=default)


def per_capita(quantity: Quantity) -> Ratio:
    """``quantity`` divided by the team's headcount (人均), exactly."""
    return Ratio(quantity, Headcount())


@attrs.frozen
class IndicatorPoints(_Quantity):
    """Points an indicator awarded (after its max)."""

    stage: ClassVar[Phase] = Phase.ITEMS
    indicator: str = attrs.field(validator=check_id)


@attrs.frozen
class AdjustmentPoints(_Quantity):
    """Points a bonus or penalty rule applied (after its group and cap)."""

    stage: ClassVar[Phase] = Phase.ITEMS
    rule: str = attrs.field(validator=check_id)


@attrs.frozen
class Triggered(_Quantity):
    """Whether a veto fired, or a bonus or penalty applied a non-zero amount."""

    stage: ClassVar[Phase] = Phase.ITEMS
    value_kind: ClassVar[str] = "flag"
    rule: str = attrs.field(validator=check_id)


@attrs.frozen
class DimensionScore(_Quantity):
    """A dimension's score: indicator points + bonus − penalties, floored at 0."""

    stage: ClassVar[Phase] = Phase.DIMENSIONS
    dimension: str = attrs.field(validator=check_id)


@attrs.frozen
class DimensionBonus(_Quantity):
    """The bonus a dimension received (after its cap)."""

    stage: ClassVar[Phase] = Phase.DIMENSIONS
    dimension: str = attrs.field(validator=check_id)


@attrs.frozen
class DimensionPenalty(_Quantity):
    """The penalty points a dimension lost."""

    stage: ClassVar[Phase] = Phase.DIMENSIONS
    dimension: str = attrs.field(validator=check_id)


@attrs.frozen
class PenaltyTotal(_Quantity):
    """Penalty points lost across all dimensions."""

    stage: ClassVar[Phase] = Phase.DIMENSIONS


@attrs.frozen
class Composite(_Quantity):
    """The weighted composite of the dimension scores."""

    stage: ClassVar[Phase] = Phase.DIMENSIONS


@attrs.frozen
class Vetoed(_Quantity):
    """Whether any veto fired for the team."""

    stage: ClassVar[Phase] = Phase.ITEMS
    value_kind: ClassVar[str] = "flag"


@attrs.frozen
class Grade(_Quantity):
    """The label a grade scale gave the team (the veto label when vetoed)."""

    stage: ClassVar[Phase] = Phase.GRADES
    value_kind: ClassVar[str] = "text"
    scale: str = attrs.field(validator=check_id)


Quantity = (
    Count
    | Total
    | Mean
    | Largest
    | DistinctCount
    | ValueOf
    | Headcount
    | TeamAttr
    | Ratio
    | IndicatorPoints
    | AdjustmentPoints
    | Triggered
    | DimensionScore
    | DimensionBonus
    | DimensionPenalty
    | PenaltyTotal
    | Composite
    | Vetoed
    | Grade
)
QUANTITY_TYPES: tuple[type, ...] = typing.get_args(Quantity)

# --------------------------------------------------------------------------- conditions


def _operand(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, (Field, *QUANTITY_TYPES)):
        raise TypeError(
            f"{attribute.name} must be a Field or a quantity (Count, Total, ...), got {value!r}"
        )


@attrs.frozen
class Compare:
    """``left <op> value`` where ``op`` is one of ``== != >= > <= <``."""

    left: Field | Quantity = attrs.field(validator=_operand)
    op: Operator = attrs.field(validator=attrs.validators.in_(OPERATORS))
    value: Value = attrs.field(converter=_value)


@attrs.frozen
class OneOf:
    """``left`` equals one of ``values``."""

    left: Field | Quantity = attrs.field(validator=_operand)
    values: frozenset[Value] = attrs.field(converter=_values)


def _conditions(items: Iterable[object]) -> tuple[Condition, ...]:
    result = tuple(items)
    for item in result:
        if not isinstance(item, CONDITION_TYPES):
            raise TypeError(f"expected a condition, got {item!r}")
    return cast("tuple[Condition, ...]", result)


@attrs.frozen(init=False)
class AllOf:
    """Every condition holds (且). ``AllOf()`` with no condition always holds."""

    items: tuple[Condition, ...]

    def __init__(self, *items: Condition) -> None:
        self.__attrs_init__(_conditions(items))


@attrs.frozen(init=False)
class AnyOf:
    """At least one condition holds (或). ``AnyOf()`` with no condition never holds."""

    items: tuple[Condition, ...]

    def __init__(self, *items: Condition) -> None:
        self.__attrs_init__(_conditions(items))


@attrs.frozen
class Not:
    """The condition does not hold (comparisons with a missing value stay false)."""

    item: Condition = attrs.field()

    @item.validator
    def _check(self, attribute: attrs.Attribute[object], value: object) -> None:
        _conditions([value])


Condition = Compare | OneOf | HasTag | AllOf | AnyOf | Not
CONDITION_TYPES: tuple[type, ...] = (Compare, OneOf, HasTag, AllOf, AnyOf, Not)


def exists(select: Select) -> Compare:
    """At least one fact in the selection: ``Count(select).above(0)``."""
    return Count(select).above(0)
