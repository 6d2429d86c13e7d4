"""The objects plugins register: dimensions, indicators, rules, grade scales, weights, ranking.

All are frozen ``attrs`` data: comparable, hashable, listable, and serialisable through the
rubric converter, so a rubric can be diffed, hashed, stored and (later) loaded from files.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

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
from .conditions import CONDITION_TYPES, QUANTITY_TYPES, Composite, Condition, Quantity
from .scoring import SCORING_TYPES, Scoring

__all__ = [
    "Bonus",
    "Dimension",
    "GradeBand",
    "GradeScale",
    "Indicator",
    "Penalty",
    "Quota",
    "Ranking",
    "SortKey",
    "Title",
    "Veto",
    "Weight",
]


def _decimal(value: object) -> Decimal:
    return to_decimal(value)


def _share(value: object) -> Fraction:
    """An exact share: a decimal (``0.1``) or a fraction written ``"1/3"``."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, str) and "/" in value:
        try:
            return Fraction(value.strip())
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"not a fraction: {value!r}") from None
    return Fraction(to_decimal(value))


def _scoring(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, SCORING_TYPES):
        raise TypeError(
            f"{attribute.name} must be a scoring form (PerItem, Bands, Deduct, ...), got {value!r}"
        )


def _optional_condition(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, CONDITION_TYPES):
        raise TypeError(f"{attribute.name} must be a condition, got {value!r}")


def _condition(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, CONDITION_TYPES):
        raise TypeError(f"{attribute.name} must be a condition, got {value!r}")


@attrs.frozen(kw_only=True)
class Dimension:
    """An assessment dimension (党建, 业务, 精神文明): a total of indicators plus adjustments.

    :param max: the declared total of its indicators' maxima (e.g. 100).
    :param bonus_cap: the most its bonuses can add together (e.g. 10); ``None`` for no cap.
    :param order: display order (ties by id).
    :param floor: the lowest score penalties can take it to: ``0`` by default (扣完为止), a
        negative number to let penalties go below 0 down to it, or ``None`` for no floor (a
        negative total is kept, 负分保留).
    """

    id: str = attrs.field(validator=check_id)
    label: str = attrs.field(validator=check_label)
    max: Decimal = attrs.field(converter=_decimal, validator=positive)
    bonus_cap: Decimal | None = attrs.field(
        default=None, converter=optional_decimal, validator=non_negative
    )
    order: int = 0
    floor: Decimal | None = attrs.field(
        default=Decimal(0), converter=optional_decimal, metadata={OMIT_DEFAULT: True}
    )

    @floor.validator
    def _floor_at_most_zero(self, attribute: attrs.Attribute[Any], value: Decimal | None) -> None:
        if value is not None and value > 0:
            raise ValueError(f"floor must be 0, negative or None (no floor), got {value}")


@attrs.frozen(kw_only=True)
class Indicator:
    """An indicator (指标): points from one scoring form, clipped to ``[0, max]``.

    :param monotone: declare that a qualifying fact never lowers and a violation never raises
        the points; the consistency kit tests it.
    :param order: display order within the dimension (ties by id); it never changes points.
    """

    id: str = attrs.field(validator=check_id)
    dimension: str = attrs.field(validator=check_id)
    label: str = attrs.field(validator=check_label)
    max: Decimal = attrs.field(converter=_decimal, validator=positive)
    scoring: Scoring = attrs.field(validator=_scoring)
    description: str = ""
    monotone: bool = True
    order: int = 0


@attrs.frozen(kw_only=True)
class Bonus:
    """Points added to a dimension outside its indicators (加分).

    Bonuses (and penalties) of one dimension that share a ``group`` are mutually exclusive:
    only the largest triggered amount applies — a group may hold bonuses and penalties together,
    their amounts compared by size — and equal amounts go to the first in rubric order
    (``order``, then id). The dimension's ``bonus_cap`` caps the total. ``order`` is the
    display order within the dimension (ties by id).
    """

    id: str = attrs.field(validator=check_id)
    dimension: str = attrs.field(validator=check_id)
    label: str = attrs.field(validator=check_label)
    scoring: Scoring = attrs.field(validator=_scoring)
    group: str | None = attrs.field(default=None, validator=attrs.validators.optional(check_id))
    order: int = 0


@attrs.frozen(kw_only=True)
class Penalty:
    """Points taken from a dimension outside its indicators (扣分), down to its ``floor``.

    Penalties sharing a ``group`` (with each other or with bonuses) are mutually exclusive:
    only the largest triggered amount applies (equal amounts: the first in rubric order).
    ``order`` is the display order within the dimension (ties by id).
    """

    id: str = attrs.field(validator=check_id)
    dimension: str = attrs.field(validator=check_id)
    label: str = attrs.field(validator=check_label)
    scoring: Scoring = attrs.field(validator=_scoring)
    group: str | None = attrs.field(default=None, validator=attrs.validators.optional(check_id))
    order: int = 0


@attrs.frozen(kw_only=True)
class Veto:
    """A one-vote veto (一票否决): when ``when`` holds the team is disqualified.

    Points are still computed and explained; the grade of ``dimension`` (every grade when
    ``dimension`` is ``None``) and the composite grade become the scale's veto label; the team
    gets no title and no rank. Every triggered veto is listed, in rubric order: by ``order``,
    then id (the order in which a team's veto reasons are given).
    """

    id: str = attrs.field(validator=check_id)
    label: str = attrs.field(validator=check_label)
    when: Condition = attrs.field(validator=_condition)
    dimension: str | None = attrs.field(default=None, validator=attrs.validators.optional(check_id))
    order: int = attrs.field(default=0, metadata={OMIT_DEFAULT: True})


@attrs.frozen(kw_only=True)
class GradeBand:
    """One grade band: reached at ``at_least`` (inclusive) and up to the next band above.

    ``at_least=None`` marks the bottom band, which catches everything below; a scale whose last
    band has an ``at_least`` gives no grade below it. ``requires`` is an extra condition:
    without it the team gets the next band it qualifies for.
    """

    label: str = attrs.field(validator=check_label)
    at_least: Decimal | None = attrs.field(default=None, converter=optional_decimal)
    requires: Condition | None = attrs.field(default=None, validator=_optional_condition)


def _grade_band_tuple(value: Iterable[GradeBand]) -> tuple[GradeBand, ...]:
    return tuple(value)


def _bands(instance: object, attribute: attrs.Attribute[Any], bands: tuple[GradeBand, ...]) -> None:
    if not bands:
        raise ValueError("a grade scale needs at least one band")
    *upper, bottom = bands
    if bottom.at_least is None and bottom.requires is not None:
        raise ValueError(
            "the catch-all bottom band (no at_least) takes no requires: it catches everything"
        )
    previous: Decimal | None = None
    for band in bands if bottom.at_least is not None else upper:
        if band.at_least is None:
            raise ValueError(f"band {band.label!r}: only the last band may omit at_least")
        if previous is not None and band.at_least >= previous:
            raise ValueError(
                "bands must be listed from the highest down with strictly decreasing"
                f" at_least: {band.label!r} ({band.at_least}) follows {previous}"
            )
        previous = band.at_least
    labels = [b.label for b in bands]
    if len(set(labels)) != len(labels):
        raise ValueError(f"band labels repeat: {labels}")


@attrs.frozen(kw_only=True)
class GradeScale:
    """Grade bands for one dimension (``of="civility"``) or for the composite (``of=None``).

    Bands are half-open intervals listed from the top: ``[90, ∞) 优秀, [80, 90) 良好, …``,
    without gaps or overlaps. A last band without ``at_least`` catches everything below; a last
    band with one ends the scale, and a score below it gets no grade (``None``: 不评等级).
    ``veto_label`` is the grade of a vetoed team; ``None`` gives a vetoed team no grade.
    """

    id: str = attrs.field(validator=check_id)
    label: str = attrs.field(validator=check_label)
    of: str | None = attrs.field(default=None, validator=attrs.validators.optional(check_id))
    bands: tuple[GradeBand, ...] = attrs.field(
        converter=_grade_band_tuple, validator=[tuple_of(GradeBand)["validator"], _bands]
    )
    veto_label: str | None = attrs.field(
        default="一票否决 (vetoed)",
        validator=attrs.validators.optional(check_label),  # type: ignore[arg-type]
    )

    @veto_label.validator
    def _veto_label_free(self, attribute: attrs.Attribute[Any], value: str | None) -> None:
        if value is not None and value in {b.label for b in self.bands}:
            raise ValueError(f"veto_label {value!r} is also a band label")


@attrs.frozen(kw_only=True)
class Weight:
    """A dimension's weight in the composite (e.g. 0.30 for 党建)."""

    dimension: str = attrs.field(validator=check_id)
    weight: Decimal = attrs.field(converter=_decimal, validator=non_negative)


@attrs.frozen(kw_only=True)
class Quota:
    """At most ``share`` of the assessed teams, rounded down, and at least ``minimum``.

    ``share`` is exact: ``"0.1"``, ``Decimal("0.1")`` or ``"1/3"`` (a fraction, since a third
    has no exact decimal). The teams counted are all teams assessed in the period, vetoed ones
    included. Titles that list this quota share it. A tie straddling the boundary gives every
    tied team the title and reports the overrun; input order never decides.
    """

    id: str = attrs.field(validator=check_id)
    label: str = attrs.field(validator=check_label)
    share: Fraction = attrs.field(converter=_share)
    minimum: int = attrs.field(default=1, validator=attrs.validators.ge(0))

    @share.validator
    def _share(self, attribute: attrs.Attribute[Any], value: Fraction) -> None:
        if not 0 < value <= 1:
            raise ValueError(f"share must be in (0, 1], got {value}")


@attrs.frozen(kw_only=True)
class Title:
    """A title (红旗班组, 先进班组, …) awarded when ``when`` holds, within its quotas.

    Titles of one ``group`` are exclusive: a team gets the first, by ``order``, that it
    qualifies for and that still has room. A vetoed team gets no title.
    """

    id: str = attrs.field(validator=check_id)
    label: str = attrs.field(validator=check_label)
    when: Condition | None = attrs.field(default=None, validator=_optional_condition)
    order: int = 0
    group: str = attrs.field(default="title", validator=check_id)
    quotas: tuple[str, ...] = attrs.field(default=(), **tuple_of(str))


def _sort_quantity(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, QUANTITY_TYPES):
        raise TypeError(f"{attribute.name} must be a quantity, got {value!r}")


@attrs.frozen(kw_only=True)
class SortKey:
    """One key of the ranking order: a quantity, highest first unless ``descending=False``."""

    quantity: Quantity = attrs.field(validator=_sort_quantity)
    descending: bool = True
    label: str = attrs.field(default="", validator=attrs.validators.instance_of(str))


def _default_keys() -> tuple[SortKey, ...]:
    return (SortKey(quantity=Composite(), label="综合得分 (composite)"),)


@attrs.frozen(kw_only=True)
class Ranking:
    """How teams are ranked.

    By default: composite descending, competition ranking (ties share the better rank: 1, 1, 3),
    vetoed teams unranked. Further ``keys`` form a declared tie-break chain, shown in the
    explanation. ``vetoed="last"`` ranks vetoed teams after all others instead.
    """

    keys: tuple[SortKey, ...] = attrs.field(factory=_default_keys, **tuple_of(SortKey))
    vetoed: Literal["unranked", "last"] = attrs.field(
        default="unranked", validator=attrs.validators.in_(("unranked", "last"))
    )

    @keys.validator
    def _non_empty(self, attribute: attrs.Attribute[Any], value: tuple[SortKey, ...]) -> None:
        if not value:
            raise ValueError("a ranking needs at least one key")
