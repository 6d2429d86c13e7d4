"""The fact kind this rule set adds: a published standard (标准), scored by level and role.

A standard's points depend on two fields at once (国家 主导 5 / 参与 3, 行业 4 / 2, …), while a
points table (:class:`~assessment_engine.rubric.PointsBy`) reads one field. So the record
derives ``category`` (``"national_lead"``, …) from ``level`` and ``role``; the data owner fills
in only ``level`` and ``role``, and files never contain ``category`` (it is not an ``__init__``
field, so loading and ``dump_json`` leave it out).
"""

from __future__ import annotations

import datetime
from typing import ClassVar, Final, Literal

import attrs
from attrs import validators as v

from assessment_engine import Record

__all__ = ["STANDARD_LEVELS", "STANDARD_ROLES", "Standard"]

#: 国家标准, 行业标准, 地方标准, 团体标准.
STANDARD_LEVELS: Final = ("national", "industry", "local", "group")
#: 主导 (lead drafter) or 参与 (participating drafter).
STANDARD_ROLES: Final = ("lead", "participant")


def _category(self: Standard) -> str:
    return f"{self.level}_{self.role}"


@attrs.frozen(kw_only=True)
class Standard(Record):
    """A standard the team helped write, published in the period (标准, 已发布).

    :param level: ``national`` 国家, ``industry`` 行业, ``local`` 地方 or ``group`` 团体.
    :param role: ``lead`` 主导 or ``participant`` 参与.
    :param title: the standard's number and title, for the record.
    :param date: the publication date (发布), for the record.
    :ivar category: ``f"{level}_{role}"``, derived; what the points table reads.
    """

    fact_kind: ClassVar[str] = "standard"
    fact_label: ClassVar[str] = "标准 (standard)"

    level: Literal["national", "industry", "local", "group"] = attrs.field(
        validator=v.in_(STANDARD_LEVELS)
    )
    role: Literal["lead", "participant"] = attrs.field(validator=v.in_(STANDARD_ROLES))
    title: str = attrs.field(default="", validator=v.instance_of(str))
    date: datetime.date | None = attrs.field(
        default=None, validator=v.optional(v.instance_of(datetime.date))
    )
    category: str = attrs.field(init=False, default=attrs.Factory(_category, takes_self=True))
