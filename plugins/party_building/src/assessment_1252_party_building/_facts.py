"""The fact kinds this rule set adds: two appraisal results with a fixed vocabulary.

Both are ratings of one person. Their ``rating`` is checked when the record is read, so a typo
in a spreadsheet is an input error naming the record instead of a silently lost point. Use the
member's id as the record ``id``: a second rating of the same person is then a duplicate id.
"""

from __future__ import annotations

from typing import ClassVar, Final, Literal

import attrs
from attrs import validators as v

from assessment_engine import Record

__all__ = ["LEADER_RATINGS", "REVIEW_RATINGS", "LeaderAppraisal", "PartyReview"]

#: 班组长年度考核: 优秀, 称职, 基本称职, 不称职.
LEADER_RATINGS: Final = ("excellent", "competent", "basically_competent", "incompetent")
#: 民主评议党员: 优秀, 合格, 基本合格, 不合格.
REVIEW_RATINGS: Final = ("excellent", "qualified", "basically_qualified", "unqualified")


@attrs.frozen(kw_only=True)
class LeaderAppraisal(Record):
    """The team leader's annual appraisal (班组长年度考核结果).

    :param rating: ``excellent`` 优秀, ``competent`` 称职, ``basically_competent`` 基本称职 or
        ``incompetent`` 不称职.
    :param member: the leader's member id or name, for the record (not scored).
    """

    fact_kind: ClassVar[str] = "leader_appraisal"
    fact_label: ClassVar[str] = "班组长年度考核 (team leader's annual appraisal)"

    rating: Literal["excellent", "competent", "basically_competent", "incompetent"] = attrs.field(
        validator=v.in_(LEADER_RATINGS)
    )
    member: str = attrs.field(default="", validator=v.instance_of(str))


@attrs.frozen(kw_only=True)
class PartyReview(Record):
    """One party member's result in the democratic review (民主评议党员).

    :param rating: ``excellent`` 优秀, ``qualified`` 合格, ``basically_qualified`` 基本合格 or
        ``unqualified`` 不合格.
    :param member: the member's id or name, for the record (not scored).
    """

    fact_kind: ClassVar[str] = "party_review"
    fact_label: ClassVar[str] = "民主评议党员 (democratic review of a party member)"

    rating: Literal["excellent", "qualified", "basically_qualified", "unqualified"] = attrs.field(
        validator=v.in_(REVIEW_RATINGS)
    )
    member: str = attrs.field(default="", validator=v.instance_of(str))
