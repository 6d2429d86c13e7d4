"""Facts about teams: typed, validated, immutable records.

Every fact belongs to one team and one period. :class:`Team` describes the team itself; every
other fact is a :class:`Record` with an ``id`` unique among the team's records of its kind in
that period. The built-in kinds cover what the 1252 method measures (members, activities,
achievements, metrics, incidents and assessor-entered scores); a plugin adds kinds of its own by
subclassing :class:`Record`, setting the class attribute ``fact_kind``, and returning the class
from ``assessment_register_fact_types``.

Plugin fact types use :func:`to_decimal` as the converter of exact number fields (it reads
ints, numeric strings and Decimals, and floats through their shortest representation).

Facts are ``attrs`` frozen classes with keyword-only constructors and standard validators::

    >>> fact = Activity(team="T1", period="2024", id="a1", kind="volunteer", hours=3)
    >>> fact.hours, fact.fact_kind
    (Decimal('3'), 'activity')
"""

from __future__ import annotations

import datetime
import re
import types
import typing
from collections.abc import Mapping
from decimal import Decimal
from typing import ClassVar, Final, Literal

import attrs
from attrs import validators as v

from ._base.numbers import to_decimal

__all__ = [
    "PARTY_STATUSES",
    "Achievement",
    "Activity",
    "Fact",
    "FieldKind",
    "FieldSpec",
    "Incident",
    "Member",
    "Metric",
    "Record",
    "Score",
    "Team",
    "fact_fields",
    "fact_identity",
    "to_decimal",
    "validate_fact_type",
]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$")
_KIND = re.compile(r"^[a-z][a-z0-9_]*$")

#: Party status of a member (党员 / 预备党员 / 入党申请人 / 入党积极分子 / 群众).
PARTY_STATUSES: Final = ("member", "probationary", "applicant", "activist", "none")


def _name(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not _NAME.match(value) or len(value) > 64:
        raise ValueError(
            f"{attribute.name} must be 1-64 characters of letters, digits, '_', '.', ':' or '-'"
            f" starting with a letter or digit, got {value!r}"
        )


def _text(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{attribute.name} must be text, got {type(value).__name__}")
    if len(value) > 10_000:
        raise ValueError(f"{attribute.name} is longer than 10,000 characters")


def _nonempty(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    _text(instance, attribute, value)
    if not value.strip():
        raise ValueError(f"{attribute.name} must not be empty")


def _optional_decimal(value: object) -> Decimal | None:
    return None if value is None else to_decimal(value)


def _tags(value: object) -> frozenset[str]:
    if isinstance(value, str):
        raise TypeError("tags must be a collection of strings, not one string")
    if not isinstance(value, frozenset | set | list | tuple):
        raise TypeError(f"tags must be a collection of strings, got {type(value).__name__}")
    result = frozenset(value)
    for tag in result:
        if not isinstance(tag, str) or not tag:
            raise TypeError(f"every tag must be a non-empty string, got {tag!r}")
    return result


def _non_negative(instance: object, attribute: attrs.Attribute[Decimal], value: Decimal) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must not be negative, got {value}")


_optional_text = v.optional(_text)
_optional_name = v.optional(_nonempty)
_optional_date = v.optional(v.instance_of(datetime.date))


@attrs.frozen(kw_only=True)
class Fact:
    """Base of every fact: which team it is about and which period it belongs to.

    :param team: the team's id (letters, digits, ``_ . : -``; at most 64 characters).
    :param period: the assessment period, e.g. ``"2024"`` or ``"2024-H1"``.
    """

    fact_kind: ClassVar[str] = "fact"
    fact_label: ClassVar[str] = "fact"

    team: str = attrs.field(validator=_name)
    period: str = attrs.field(validator=_name)


@attrs.frozen(kw_only=True)
class Team(Fact):
    """A team (班组) in one period: the unit that is assessed.

    :param name: display name, e.g. ``"食品所微生物班组"``.
    :param department: the department (所) the team belongs to.
    :param headcount: members in the period; per-capita indicators divide by it.
    """

    fact_kind: ClassVar[str] = "team"
    fact_label: ClassVar[str] = "班组 (team)"

    name: str = attrs.field(validator=_nonempty)
    department: str = attrs.field(validator=_nonempty)
    headcount: int = attrs.field(validator=[v.instance_of(int), v.ge(1), v.le(100_000)])


@attrs.frozen(kw_only=True)
class Record(Fact):
    """Base of every fact other than :class:`Team`.

    :param id: unique among the team's records of this kind in the period.
    :param tags: free labels a rubric can test with ``has_tag``.
    """

    fact_kind: ClassVar[str] = "record"
    fact_label: ClassVar[str] = "record"

    id: str = attrs.field(validator=_name)
    tags: frozenset[str] = attrs.field(default=frozenset(), converter=_tags)


@attrs.frozen(kw_only=True)
class Member(Record):
    """A member of the team (班组成员).

    :param party_status: ``member`` 党员, ``probationary`` 预备党员, ``applicant`` 入党申请人,
        ``activist`` 入党积极分子, ``none`` 群众.
    :param role: e.g. ``"leader"`` (班组长) or ``"staff"``.
    :param education: e.g. ``"doctorate"``, ``"master"``, ``"bachelor"``.
    """

    fact_kind: ClassVar[str] = "member"
    fact_label: ClassVar[str] = "成员 (member)"

    name: str = attrs.field(default="", validator=_text)
    party_status: Literal["member", "probationary", "applicant", "activist", "none"] = attrs.field(
        default="none", validator=v.in_(PARTY_STATUSES)
    )
    role: str = attrs.field(default="staff", validator=_nonempty)
    age: int | None = attrs.field(
        default=None, validator=v.optional([v.instance_of(int), v.ge(14), v.le(100)])
    )
    education: str | None = attrs.field(default=None, validator=_optional_name)


@attrs.frozen(kw_only=True)
class Activity(Record):
    """Something the team did: a study session, a lecture, volunteer work, a visit, ...

    :param kind: what sort of activity (e.g. ``"volunteer"``, ``"theory_test"``).
    :param hours: hours spent (summed by ``total(..., "hours")``).
    :param participants: how many took part, if recorded.
    :param level: e.g. ``"institute"``, ``"city"``, ``"provincial"``, ``"national"``.
    """

    fact_kind: ClassVar[str] = "activity"
    fact_label: ClassVar[str] = "活动 (activity)"

    kind: str = attrs.field(validator=_name)

    date: datetime.date | None = attrs.field(default=None, validator=_optional_date)
    hours: Decimal = attrs.field(default=Decimal(0), converter=to_decimal, validator=_non_negative)
    participants: int | None = attrs.field(
        default=None, validator=v.optional([v.instance_of(int), v.ge(0)])
    )
    level: str | None = attrs.field(default=None, validator=_optional_name)
    description: str = attrs.field(default="", validator=_text)


@attrs.frozen(kw_only=True)
class Achievement(Record):
    """A result: an approved project, an accepted project, a standard, a patent, an award, ...

    :param level: e.g. ``"national"``, ``"ministerial"``, ``"bureau"``.
    :param award: the award's class, e.g. ``"first"``, ``"second"``, ``"third"``.
    :param role: ``"lead"`` (主导/第一承担) or ``"participant"`` (参与).
    :param value: a stated value, e.g. an innovation's value in yuan.
    """

    fact_kind: ClassVar[str] = "achievement"
    fact_label: ClassVar[str] = "成果 (achievement)"

    kind: str = attrs.field(validator=_name)

    level: str | None = attrs.field(default=None, validator=_optional_name)
    award: str | None = attrs.field(default=None, validator=_optional_name)
    role: str | None = attrs.field(default=None, validator=_optional_name)
    value: Decimal | None = attrs.field(default=None, converter=_optional_decimal)
    date: datetime.date | None = attrs.field(default=None, validator=_optional_date)
    description: str = attrs.field(default="", validator=_text)


@attrs.frozen(kw_only=True)
class Metric(Record):
    """A measured value for the period: a rate, a percentage, a count, a satisfaction score.

    :param kind: what is measured (e.g. ``"on_time_rate"``).
    :param value: the value, exact.
    """

    fact_kind: ClassVar[str] = "metric"
    fact_label: ClassVar[str] = "指标值 (metric)"

    kind: str = attrs.field(validator=_name)

    value: Decimal = attrs.field(converter=to_decimal)
    unit: str = attrs.field(default="", validator=_text)


@attrs.frozen(kw_only=True)
class Incident(Record):
    """Something that went wrong: a complaint, a violation, an accident.

    :param kind: what happened (e.g. ``"discipline_violation"``).
    :param severity: e.g. ``"minor"``, ``"serious"``.
    :param member: the member concerned, if any.
    """

    fact_kind: ClassVar[str] = "incident"
    fact_label: ClassVar[str] = "事件 (incident)"

    kind: str = attrs.field(validator=_name)

    severity: str | None = attrs.field(default=None, validator=_optional_name)
    member: str | None = attrs.field(default=None, validator=_optional_name)
    date: datetime.date | None = attrs.field(default=None, validator=_optional_date)
    description: str = attrs.field(default="", validator=_text)


@attrs.frozen(kw_only=True)
class Score(Record):
    """An assessor-entered score for one indicator (or indicator part).

    :param indicator: the id of the indicator or part the score is for.
    :param value: the score; the rubric declares its bounds and out-of-bounds values are
        rejected with an error naming this record.
    """

    fact_kind: ClassVar[str] = "score"
    fact_label: ClassVar[str] = "评分 (assessor score)"

    indicator: str = attrs.field(validator=_name)
    value: Decimal = attrs.field(converter=to_decimal)
    assessor: str = attrs.field(default="", validator=_text)
    note: str = attrs.field(default="", validator=_text)


def fact_identity(fact: Fact) -> str:
    """A short human-readable identity: ``"activity a-12 of team T1 (2024)"``."""
    if isinstance(fact, Record):
        return f"{fact.fact_kind} {fact.id} of team {fact.team} ({fact.period})"
    return f"{fact.fact_kind} record of team {fact.team} ({fact.period})"


FieldKind = Literal["number", "text", "flag", "tags", "date"]


@attrs.frozen
class FieldSpec:
    """What a rubric may do with one field of a fact kind.

    :param name: the attribute name.
    :param kind: ``number`` (int or Decimal: compared and summed), ``text`` (compared for
        equality), ``flag`` (bool), ``tags`` (tested with ``has_tag``) or ``date``.
    :param optional: whether the field may be ``None``.
    """

    name: str
    kind: FieldKind
    optional: bool


def _classify(tp: object) -> tuple[FieldKind | None, bool]:
    optional = False
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        optional = len(args) < len(typing.get_args(tp))
        if len(args) != 1:
            return None, optional
        tp = args[0]
        origin = typing.get_origin(tp)
    if origin is Literal:
        values = typing.get_args(tp)
        if all(isinstance(x, str) for x in values):
            return "text", optional
        return None, optional
    if tp is bool:
        return "flag", optional
    if tp in (int, Decimal):
        return "number", optional
    if tp is str:
        return "text", optional
    if tp is datetime.date:
        return "date", optional
    if origin is frozenset and typing.get_args(tp) == (str,):
        return "tags", optional
    return None, optional


_FIELDS_CACHE: dict[type[Fact], Mapping[str, FieldSpec]] = {}


def fact_fields(cls: type[Fact]) -> Mapping[str, FieldSpec]:
    """The fields of a fact class that a rubric can reference, by name.

    ``team`` and ``period`` are left out: a rubric always works within one team and period.
    """
    cached = _FIELDS_CACHE.get(cls)
    if cached is not None:
        return cached
    attrs.resolve_types(cls)
    specs: dict[str, FieldSpec] = {}
    for field in attrs.fields(cls):
        if field.name in ("team", "period"):
            continue
        kind, optional = _classify(field.type)
        if kind is not None:
            specs[field.name] = FieldSpec(field.name, kind, optional)
    result = types.MappingProxyType(specs)
    _FIELDS_CACHE[cls] = result
    return result


def validate_fact_type(cls: object) -> str:
    """Check that ``cls`` can be registered as a fact type and return its kind name.

    A fact type is a frozen ``attrs`` class derived from :class:`Fact` (in practice from
    :class:`Record`) that sets its own class attribute ``fact_kind`` to a lower-case
    identifier. Raises ``TypeError`` or ``ValueError`` with the reason otherwise.
    """
    if not isinstance(cls, type) or not issubclass(cls, Fact):
        raise TypeError(f"a fact type must be a class derived from Record, got {cls!r}")
    if not attrs.has(cls):
        raise TypeError(f"{cls.__qualname__} must be an attrs class (@attrs.frozen)")
    params = getattr(cls, "__attrs_attrs__", ())
    if not params or cls.__setattr__ is object.__setattr__:
        raise TypeError(f"{cls.__qualname__} must be frozen (@attrs.frozen)")
    kind = cls.__dict__.get("fact_kind")
    if not isinstance(kind, str) or not _KIND.match(kind):
        raise ValueError(
            f"{cls.__qualname__} must set its own class attribute fact_kind to a lower-case"
            f" identifier, got {kind!r}"
        )
    if kind in ("fact", "record"):
        raise ValueError(f"{cls.__qualname__} must set its own fact_kind (not {kind!r})")
    if not isinstance(cls.__dict__.get("fact_label", kind), str):
        raise TypeError(f"{cls.__qualname__}.fact_label must be a string")
    return kind
