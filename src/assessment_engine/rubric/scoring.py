"""Scoring forms: how an indicator, a part, a bonus or a penalty turns facts into points.

Each form is frozen data and covers one pattern of published Chinese rubrics:

========================  =================================================================
form                      pattern
========================  =================================================================
:class:`PerItem`          每项得N分，最高M分 — points per fact, optionally by an attribute
                          (国家级5分/省级3分), with a cap (累计不超过)
:class:`BestItem`         取最高一项，不累计 — the best single fact's points
:class:`Linear`           每满500份得1分 / 每小时0.5分 — points per (whole) unit of a quantity
:class:`Bands`            ≥90%得8分 … — the highest band reached, inclusive or strict
:class:`Deduct`           基础分N分，每起扣M分，扣完为止 — a base minus deductions, floored;
                          with :class:`AssessorDeduction`, 其他情况酌情扣分 (an
                          assessor-entered deduction within declared bounds)
:class:`AssessorScore`    an assessor-entered score within declared bounds
:class:`WhenAll`          full points only when every condition holds
:class:`Highest`          the largest of several conditional awards (non-cumulative)
:class:`Parts`            an indicator made of parts, each with its own rule and cap
========================  =================================================================

Points are exact decimals. Ratios are compared exactly but never divided into points: a
linear form over a ratio needs a ``unit`` (人均每满10小时得1分).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from .._base.numbers import to_decimal
from ._values import (
    OMIT_DEFAULT,
    check_id,
    check_label,
    non_negative,
    optional_decimal,
    positive,
    tuple_of,
)
from .conditions import CONDITION_TYPES, QUANTITY_TYPES, Condition, Quantity, Select

__all__ = [
    "AssessorDeduction",
    "AssessorScore",
    "Band",
    "Bands",
    "BestItem",
    "Deduct",
    "Deduction",
    "Highest",
    "Linear",
    "Option",
    "Part",
    "Parts",
    "PerItem",
    "PointsBy",
    "Scoring",
    "WhenAll",
]


def _decimal(value: object) -> Decimal:
    return to_decimal(value)


def _band_tuple(value: Iterable[Band]) -> tuple[Band, ...]:
    return tuple(value)


def _condition_tuple(value: Iterable[Condition]) -> tuple[Condition, ...]:
    return tuple(value)


def _part_tuple(value: Iterable[Part]) -> tuple[Part, ...]:
    return tuple(value)


def _quantity(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, QUANTITY_TYPES):
        raise TypeError(f"{attribute.name} must be a quantity (Count, Total, ...), got {value!r}")


def _condition(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, CONDITION_TYPES):
        raise TypeError(f"{attribute.name} must be a condition, got {value!r}")


def _table(
    value: Mapping[str, object] | tuple[tuple[str, object], ...],
) -> tuple[tuple[str, Decimal], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    result = tuple(sorted((str(k), to_decimal(p)) for k, p in items))
    if len({k for k, _ in result}) != len(result):
        raise ValueError("points table has a repeated key")
    return result


@attrs.frozen
class PointsBy:
    """Points that depend on a text field of the fact: ``PointsBy("level", {"national": 5})``.

    A fact whose field has no entry earns ``default``.
    """

    field: str
    table: tuple[tuple[str, Decimal], ...] = attrs.field(converter=_table)
    default: Decimal = attrs.field(default=Decimal(0), converter=_decimal, validator=non_negative)

    def points_for(self, value: object) -> Decimal:
        """Points for one field value."""
        for key, points in self.table:
            if key == value:
                return points
        return self.default

    @table.validator
    def _check(
        self, attribute: attrs.Attribute[Any], value: tuple[tuple[str, Decimal], ...]
    ) -> None:
        for key, points in value:
            if points < 0:
                raise ValueError(f"points for {key!r} must not be negative, got {points}")


def _points(value: object) -> Decimal | PointsBy:
    return value if isinstance(value, PointsBy) else to_decimal(value)


def _check_points(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, Decimal) and value < 0:
        raise ValueError(f"{attribute.name} must not be negative, got {value}")


@attrs.frozen
class PerItem:
    """Points for every fact in the selection, summed, optionally capped (每项N分，最高M分)."""

    select: Select
    points: Decimal | PointsBy = attrs.field(
        default=Decimal(1), converter=_points, validator=_check_points
    )
    cap: Decimal | None = attrs.field(
        default=None, converter=optional_decimal, validator=non_negative
    )


@attrs.frozen
class BestItem:
    """The single best fact's points (取最高一项，不累计); 0 when the selection is empty."""

    select: Select
    points: Decimal | PointsBy = attrs.field(converter=_points, validator=_check_points)


@attrs.frozen
class Linear:
    """``points × quantity``, or ``points × ⌊quantity / unit⌋`` when ``unit`` is given; capped.

    A ratio quantity (per capita, a share) needs a ``unit`` so that points stay exact decimals.
    Negative quantities count as 0.
    """

    quantity: Quantity = attrs.field(validator=_quantity)
    points: Decimal = attrs.field(converter=_decimal, validator=non_negative)
    unit: Decimal | None = attrs.field(default=None, converter=optional_decimal, validator=positive)
    cap: Decimal | None = attrs.field(
        default=None, converter=optional_decimal, validator=non_negative
    )


@attrs.frozen
class Band:
    """One band: ``points`` when the quantity is ≥ ``threshold`` (or > when ``strict``)."""

    threshold: Decimal = attrs.field(converter=_decimal)
    points: Decimal = attrs.field(converter=_decimal, validator=non_negative)
    strict: bool = False

    @classmethod
    def at_least(cls, threshold: object, points: object) -> Band:
        """≥ ``threshold`` (不少于, 以上, 达到)."""
        return cls(threshold, points, strict=False)

    @classmethod
    def above(cls, threshold: object, points: object) -> Band:
        """> ``threshold`` (高于, 超过)."""
        return cls(threshold, points, strict=True)


def _bands_ordered(
    instance: object, attribute: attrs.Attribute[Any], bands: tuple[Band, ...]
) -> None:
    if not bands:
        raise ValueError("bands needs at least one band")
    for higher, lower in itertools.pairwise(bands):
        if (higher.threshold, higher.strict) <= (lower.threshold, lower.strict):
            raise ValueError(
                "bands must be listed from the highest threshold down, without repeats:"
                f" {_band_text(higher)} is listed before {_band_text(lower)}"
            )


def _band_text(band: Band) -> str:
    return f"{'>' if band.strict else '≥'} {band.threshold}"


@attrs.frozen
class Bands:
    """Points from the highest band the quantity reaches, else ``otherwise``.

    Bands are listed from the highest threshold down; thresholds are compared exactly (a ratio
    15/30 reaches a 0.5 band).
    """

    quantity: Quantity = attrs.field(validator=_quantity)
    bands: tuple[Band, ...] = attrs.field(
        converter=_band_tuple, validator=[tuple_of(Band)["validator"], _bands_ordered]
    )
    otherwise: Decimal = attrs.field(default=Decimal(0), converter=_decimal, validator=non_negative)


@attrs.frozen
class Deduction:
    """One deduction line: ``points`` per fact in ``select``, or once when ``when`` holds."""

    label: str = attrs.field(validator=check_label)
    points: Decimal = attrs.field(converter=_decimal, validator=positive)
    select: Select | None = None
    when: Condition | None = attrs.field(default=None)

    @when.validator
    def _exactly_one(self, attribute: attrs.Attribute[Any], value: object) -> None:
        if (self.select is None) == (value is None):
            raise ValueError(f"deduction {self.label!r} needs exactly one of select or when")
        if value is not None:
            _condition(self, attribute, value)


@attrs.frozen
class AssessorDeduction:
    """A deduction the assessor enters (其他情况酌情扣分), as a ``score`` fact for the owner.

    The ``score`` fact's ``indicator`` is the id of the indicator, part or rule whose
    :class:`Deduct` holds this line, and its ``value`` is the number of points taken off — a
    positive number, shown as ``−N`` in the explanation under ``label``. A value outside
    ``[minimum, maximum]`` is an input error naming the record; a deduction not entered takes
    nothing off and the explanation says so.
    """

    label: str = attrs.field(validator=check_label)
    maximum: Decimal = attrs.field(converter=_decimal, validator=positive)
    minimum: Decimal = attrs.field(default=Decimal(0), converter=_decimal, validator=non_negative)

    @minimum.validator
    def _bounds(self, attribute: attrs.Attribute[Any], value: Decimal) -> None:
        if value > self.maximum:
            raise ValueError(f"minimum {value} is above maximum {self.maximum}")


def _optional_assessor(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, AssessorDeduction):
        raise TypeError(f"assessor must be an AssessorDeduction or None, got {value!r}")


@attrs.frozen
class Deduct:
    """``base`` minus every deduction, never below ``floor`` (扣完为止).

    ``assessor`` adds a deduction the assessor enters (:class:`AssessorDeduction`), taken
    after the listed ones; with it, ``deductions`` may be empty.
    """

    base: Decimal = attrs.field(converter=_decimal, validator=non_negative)
    deductions: tuple[Deduction, ...] = attrs.field(**tuple_of(Deduction))
    floor: Decimal | None = attrs.field(
        default=Decimal(0), converter=optional_decimal, validator=non_negative
    )
    assessor: AssessorDeduction | None = attrs.field(
        default=None, validator=_optional_assessor, metadata={OMIT_DEFAULT: True}
    )


@attrs.frozen
class AssessorScore:
    """A score entered by an assessor as a ``score`` fact for this indicator or part.

    A value outside ``[minimum, maximum]`` is an input error naming the record; a missing score
    gives 0 points and says so in the explanation.
    """

    maximum: Decimal = attrs.field(converter=_decimal, validator=non_negative)
    minimum: Decimal = attrs.field(default=Decimal(0), converter=_decimal, validator=non_negative)

    @minimum.validator
    def _bounds(self, attribute: attrs.Attribute[Any], value: Decimal) -> None:
        if value > self.maximum:
            raise ValueError(f"minimum {value} is above maximum {self.maximum}")


@attrs.frozen
class WhenAll:
    """``points`` when every condition holds, else 0; the explanation lists each condition."""

    points: Decimal = attrs.field(converter=_decimal, validator=non_negative)
    conditions: tuple[Condition, ...] = attrs.field(converter=_condition_tuple)

    @conditions.validator
    def _check(self, attribute: attrs.Attribute[Any], value: tuple[object, ...]) -> None:
        if not value:
            raise ValueError("WhenAll needs at least one condition")
        for item in value:
            _condition(self, attribute, item)


@attrs.frozen
class Option:
    """One conditional award of :class:`Highest`."""

    label: str = attrs.field(validator=check_label)
    when: Condition = attrs.field(validator=_condition)
    points: Decimal = attrs.field(converter=_decimal, validator=non_negative)


@attrs.frozen
class Highest:
    """The largest award among the options whose condition holds (不累计); 0 when none."""

    options: tuple[Option, ...] = attrs.field(**tuple_of(Option))

    @options.validator
    def _non_empty(self, attribute: attrs.Attribute[Any], value: tuple[Option, ...]) -> None:
        if not value:
            raise ValueError("Highest needs at least one option")


@attrs.frozen
class Part:
    """One part of an indicator, with its own scoring form and optional cap.

    A part may itself be made of parts (``scoring=Parts(...)``: 一级指标 → 二级指标 → 三级指标);
    part ids are unique across the whole rubric, at every depth.
    """

    id: str = attrs.field(validator=check_id)
    label: str = attrs.field(validator=check_label)
    scoring: Scoring
    cap: Decimal | None = attrs.field(
        default=None, converter=optional_decimal, validator=non_negative
    )


def _parts_unique(
    instance: object, attribute: attrs.Attribute[Any], value: tuple[Part, ...]
) -> None:
    if not value:
        raise ValueError("Parts needs at least one part")
    ids = [p.id for p in value]
    if len(set(ids)) != len(ids):
        raise ValueError(f"part ids repeat: {sorted(ids)}")


@attrs.frozen
class Parts:
    """The sum of the parts' points (each clipped to its cap); the indicator clips to its max."""

    parts: tuple[Part, ...] = attrs.field(
        converter=_part_tuple, validator=[tuple_of(Part)["validator"], _parts_unique]
    )


Scoring = PerItem | BestItem | Linear | Bands | Deduct | AssessorScore | WhenAll | Highest | Parts
SCORING_TYPES: tuple[type, ...] = (
    PerItem,
    BestItem,
    Linear,
    Bands,
    Deduct,
    AssessorScore,
    WhenAll,
    Highest,
    Parts,
)
