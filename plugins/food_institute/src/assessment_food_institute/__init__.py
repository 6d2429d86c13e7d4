"""The food institute (食品所) plugin: instrument innovations (仪器创新) in the business dimension.

A department plugin: it adds one fact kind and one indicator without touching the core or the
built-in rule sets. The indicator goes into the business dimension ``bp`` (业务), which the
``business_performance`` rule set registers; without that plugin (or a stand-in registering a
``Dimension(id="bp", ...)``) building the engine fails with ``RubricError: unknown dimension
'bp'``.
"""

from decimal import Decimal, InvalidOperation
from typing import ClassVar, Literal

import attrs
from attrs import validators as v

from assessment_engine import Record, hookimpl
from assessment_engine.rubric import (
    AllOf,
    Condition,
    Field,
    Indicator,
    Part,
    Parts,
    PerItem,
    Select,
    facts,
)

__all__ = [
    "BUSINESS_DIMENSION",
    "INSTRUMENT_INNOVATION",
    "STATUSES",
    "InstrumentInnovation",
    "assessment_register_fact_types",
    "assessment_register_indicators",
]

#: The id of the business dimension (业务), registered by the business_performance plugin.
BUSINESS_DIMENSION = "bp"
#: ``in_use``: in routine use for testing (投入使用); ``prototype``: not yet (样机, 试制).
STATUSES = ("in_use", "prototype")


def _yuan(value: object) -> Decimal:
    """An exact amount of yuan from an int, a Decimal or a numeric string (never a float)."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise TypeError(
            "value_yuan must be an int, a Decimal or a numeric string,"
            f" got {type(value).__name__} {value!r}"
        )
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise ValueError(f"value_yuan must be a number of yuan, got {value!r}") from None
    if not amount.is_finite():
        raise ValueError(f"value_yuan must be a finite number of yuan, got {value!r}")
    if not 0 <= amount < 10**15:
        raise ValueError(f"value_yuan must be at least 0 and below 10**15, got {amount}")
    return amount


def _text(instance: object, attribute: "attrs.Attribute[str]", value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{attribute.name} must be non-empty text, got {value!r}")


@attrs.frozen(kw_only=True)
class InstrumentInnovation(Record):
    """An instrument a team built or rebuilt (仪器创新), with the value the institute assessed.

    :param instrument: what was built, e.g. ``"电位滴定仪改造为氟离子测定仪"``.
    :param value_yuan: the assessed value (认定价值) in yuan, exact.
    :param status: ``"in_use"`` (投入使用) or ``"prototype"`` (样机); only innovations in use
        earn points.
    :param adopted_by: who outside the team adopted it, if anyone (e.g. ``"省市场监管局"``).
    """

    fact_kind: ClassVar[str] = "instrument_innovation"
    fact_label: ClassVar[str] = "仪器创新 (instrument innovation)"

    instrument: str = attrs.field(validator=_text)
    value_yuan: Decimal = attrs.field(converter=_yuan)
    status: Literal["in_use", "prototype"] = attrs.field(
        default="in_use", validator=v.in_(STATUSES)
    )
    adopted_by: str | None = attrs.field(default=None, validator=v.optional(_text))
    description: str = attrs.field(default="", validator=v.instance_of(str))


def _in_use(value: Condition) -> Select:
    """The team's innovations in use whose value satisfies ``value``."""
    return facts("instrument_innovation", value, status="in_use")


_VALUE = Field("value_yuan")

#: 仪器创新: per innovation in use, ≥ 1,000,000 yuan 5, ≥ 100,000 yuan 3, else 1; at most 10.
INSTRUMENT_INNOVATION = Indicator(
    id="food.instrument_innovation",
    dimension=BUSINESS_DIMENSION,
    label="仪器创新 (instrument innovations)",
    max=10,
    description="每项投入使用的仪器创新按认定价值计分：100万元及以上5分，10万元及以上3分，"
    "其他1分；累计不超过10分。 Per innovation in use, by assessed value: 5, 3 or 1 points;"
    " at most 10.",
    scoring=Parts(
        [
            Part(
                id="food.instrument_innovation.major",
                label="100万元及以上 每项5分 (≥ 1,000,000 yuan: 5 each)",
                scoring=PerItem(_in_use(_VALUE.at_least(1_000_000)), points=5),
            ),
            Part(
                id="food.instrument_innovation.medium",
                label="10万–100万元 每项3分 (100,000 to 999,999.99 yuan: 3 each)",
                scoring=PerItem(
                    _in_use(AllOf(_VALUE.at_least(100_000), _VALUE.below(1_000_000))), points=3
                ),
            ),
            Part(
                id="food.instrument_innovation.minor",
                label="10万元以下 每项1分 (below 100,000 yuan: 1 each)",
                scoring=PerItem(_in_use(_VALUE.below(100_000)), points=1),
            ),
        ]
    ),
)


@hookimpl
def assessment_register_fact_types() -> list[type[Record]]:
    """The ``instrument_innovation`` fact kind."""
    return [InstrumentInnovation]


@hookimpl
def assessment_register_indicators() -> list[Indicator]:
    """``food.instrument_innovation``, in the business dimension ``bp``."""
    return [INSTRUMENT_INNOVATION]
