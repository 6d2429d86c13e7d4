"""The fact kind this rule set adds: a visit to a family the team is paired with (结对帮扶走访).

"当年每季度至少走访1次, 每季度1分" counts the quarters with at least one visit, and "结对帮扶
困难家庭, 每户2分" counts the families helped. A visit records the family and the date; the
record derives ``quarter`` (1–4) from the date, so that the rubric can count distinct quarters
(``DistinctCount``) and distinct families. The data owner fills in only ``family`` and
``date``; files never contain ``quarter`` (it is not an ``__init__`` field).
"""

from __future__ import annotations

import datetime
from typing import ClassVar

import attrs
from attrs import validators as v

from assessment_engine import Record

__all__ = ["PairingVisit"]


def _family(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{attribute.name} must be non-empty text, got {value!r}")


def _quarter(self: PairingVisit) -> int:
    return (self.date.month - 1) // 3 + 1


@attrs.frozen(kw_only=True)
class PairingVisit(Record):
    """A visit to (or help for) a family in need the team is paired with (结对帮扶).

    :param family: which family: a name or an id, the same for every visit to that family.
    :param date: when the visit took place (required: the quarter is taken from it).
    :param description: what was done, for the record.
    :ivar quarter: 1–4, derived from ``date``.
    """

    fact_kind: ClassVar[str] = "pairing_visit"
    fact_label: ClassVar[str] = "结对帮扶走访 (visit to a paired family)"

    family: str = attrs.field(validator=_family)
    date: datetime.date = attrs.field(validator=v.instance_of(datetime.date))
    description: str = attrs.field(default="", validator=v.instance_of(str))
    quarter: int = attrs.field(init=False, default=attrs.Factory(_quarter, takes_self=True))
