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
from typing import Any, ClassVar, Final, Literal, TypeGuard

import attrs
from attrs import validators as v

from ._base.numbers import to_decimal

__all__ = [
    "BUILTIN_FACT_TYPES",
    "PARTY_STATUSES",
    "READ_REQUIRED",
    "TAG",
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
    "field_specs",
    "is_name",
    "optional_decimal",
    "to_decimal",
    "validate_fact_type",
]

# ids, kinds and periods are matched whole (fullmatch): "T1\n" is not the id "T1"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:\-]{0,63}")
_KIND = re.compile(r"[a-z][a-z0-9_]*")

#: Party status of a member (党员 / 预备党员 / 入党申请人 / 入党积极分子 / 群众).
PARTY_STATUSES: Final = ("member", "probationary", "applicant", "activist", "none")


def is_name(value: object) -> TypeGuard[str]:
    """Whether ``value`` can be an id, a period or a team id.

    1-64 letters, digits, ``_ . : -``, starting with a letter or digit; the whole text is
    matched, so a trailing newline or space is refused.
    """
    return isinstance(value, str) and _NAME.fullmatch(value) is not None


# The validators below read only the value they are given, never another field of the instance:
# the loaders' fast path (loading/_fast.py) checks each distinct value once, relying on it.


def _name(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not is_name(value):
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


def optional_decimal(value: object) -> Decimal | None:
    """:func:`to_decimal`, with ``None`` kept: the converter of an optional number field."""
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


def _blank_or_text(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    """Empty (not given), or text that is not only spaces."""
    _text(instance, attribute, value)
    if value and not value.strip():
        raise ValueError(f"{attribute.name} must not be blank (leave it out instead)")


#: The metadata key of a field that may be left out of a record unless a rule reads it: to a
#: rubric the field is required (its data form says so), and a record without it is an input
#: error when a rule of the rubric reads it (``Team.department``, ``Team.headcount``).
READ_REQUIRED: Final = "assessment_engine.read_required"

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
    :param department: the department (所) the team belongs to; may be left out (``""``)
        when no rule reads it (``TeamAttr("department")``).
    :param headcount: members in the period; per-capita indicators divide by it. May be left
        out (``None``) when no rule reads it (``Headcount``, ``per_capita``).

    A team record without a field that a rule of the rubric reads is an input error naming the
    record, the field and the rule, when the team is assessed (:data:`READ_REQUIRED`).
    """

    fact_kind: ClassVar[str] = "team"
    fact_label: ClassVar[str] = "班组 (team)"

    name: str = attrs.field(validator=_nonempty)
    department: str = attrs.field(
        default="", validator=_blank_or_text, metadata={READ_REQUIRED: True}
    )
    headcount: int | None = attrs.field(
        default=None,
        validator=v.optional([v.instance_of(int), v.ge(1), v.le(100_000)]),
        metadata={READ_REQUIRED: True},
    )


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
    value: Decimal | None = attrs.field(default=None, converter=optional_decimal)
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


FieldKind = Literal["number", "text", "flag", "tags", "date", "other"]

#: The built-in fact kinds, registered by the built-in plugin exactly as a third party would.
BUILTIN_FACT_TYPES: Final[tuple[type[Fact], ...]] = (
    Team,
    Member,
    Activity,
    Achievement,
    Metric,
    Incident,
    Score,
)

#: The key (JSON) or column (CSV, XLSX) that names a record's fact kind; no fact class may
#: have a field of that name.
TAG: Final = "fact"


@attrs.frozen
class FieldSpec:
    """What one field of a fact class holds, read once from its type and validators.

    The one description of a fact field that the rubric checks, the loaders, the template, the
    consistency kit, the strategies and the what-if search all read.

    :param name: the attribute name.
    :param kind: ``number`` (int or Decimal: compared and summed), ``text`` (compared for
        equality), ``flag`` (bool), ``tags`` (tested with ``has_tag``), ``date``, or ``other``
        (a type a rubric cannot reference).
    :param optional: whether the field may be ``None``.
    :param type: the annotation without ``None`` (``int``, ``Decimal``, ``str``, a ``Literal``).
    :param required: whether the constructor needs it (it has no default).
    :param default: the default value (``attrs.NOTHING`` when required; a factory is called).
    :param vocabulary: the closed set of values it accepts (a ``Literal`` type or an ``in_``
        validator), in their declared order; ``None`` when open.
    :param minimum: the smallest value its validators accept, with ``minimum_strict`` when the
        bound itself is refused; ``maximum`` and ``maximum_strict`` likewise.
    :param free_text: text that may be anything (a description), not an identifier.
    :param init: whether the constructor takes it (``False`` for a field derived from others).
    """

    name: str
    kind: FieldKind
    optional: bool
    type: Any = None
    required: bool = False
    default: Any = None
    vocabulary: tuple[object, ...] | None = None
    minimum: Decimal | None = None
    minimum_strict: bool = False
    maximum: Decimal | None = None
    maximum_strict: bool = False
    free_text: bool = False
    init: bool = True

    @property
    def whole(self) -> bool:
        """Whether a number field holds whole numbers (``int``) rather than decimals."""
        return self.type is int


def _strip_none(tp: object) -> tuple[object, bool]:
    """``X | None`` as ``(X, True)``; any other type as ``(type, False)``."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        optional = len(args) < len(typing.get_args(tp))
        return (args[0] if len(args) == 1 else tp), optional
    return tp, False


def _kind_of(tp: object) -> FieldKind:
    if typing.get_origin(tp) is Literal:
        return "text" if all(isinstance(x, str) for x in typing.get_args(tp)) else "other"
    if tp is bool:
        return "flag"
    if tp in (int, Decimal):
        return "number"
    if tp is str:
        return "text"
    if tp is datetime.date:
        return "date"
    if typing.get_origin(tp) is frozenset and typing.get_args(tp) == (str,):
        return "tags"
    return "other"


def _leaf_validators(validator: object) -> tuple[list[object], bool]:
    """The validators inside ``and_``, lists and ``optional``, and whether one was ``optional``."""
    found: list[object] = []
    optional = False
    stack = [validator]
    while stack:
        item = stack.pop()
        if item is None:
            continue
        if isinstance(item, list | tuple):
            stack.extend(reversed(item))
        elif isinstance(getattr(item, "_validators", None), tuple | list):
            stack.extend(reversed(item._validators))  # type: ignore[attr-defined]
        elif type(item).__name__ == "_OptionalValidator":
            optional = True
            stack.append(item.validator)  # type: ignore[attr-defined]
        else:
            found.append(item)
    return found, optional


def _spec(field: attrs.Attribute[Any]) -> FieldSpec:
    tp, optional = _strip_none(field.type)
    validators, optional_validator = _leaf_validators(field.validator)
    vocabulary: tuple[object, ...] | None = None
    if typing.get_origin(tp) is Literal:
        vocabulary = typing.get_args(tp)
    low: tuple[Decimal, bool] | None = None
    high: tuple[Decimal, bool] | None = None
    free = False
    for item in validators:
        options = getattr(item, "options", None)
        if type(item).__name__ == "_InValidator" and isinstance(options, tuple | list | frozenset):
            listed = (
                tuple(options) if not isinstance(options, frozenset) else tuple(sorted(options))
            )
            known = vocabulary
            vocabulary = tuple(x for x in listed if known is None or x in known)
        elif type(item).__name__ == "_NumberValidator":
            bound = to_decimal(item.bound)  # type: ignore[attr-defined]
            op = item.compare_op  # type: ignore[attr-defined]
            if op in (">=", ">") and (low is None or bound >= low[0]):
                low = (bound, op == ">")
            elif op in ("<=", "<") and (high is None or bound <= high[0]):
                high = (bound, op == "<")
        elif item is _non_negative and (low is None or low[0] < 0):
            low = (Decimal(0), False)
        elif item is _text:
            free = True
    default: Any = field.default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        default = None if default.takes_self else default.factory()
    return FieldSpec(
        name=field.name,
        kind=_kind_of(tp),
        optional=optional or optional_validator,
        type=tp,
        required=field.default is attrs.NOTHING,
        default=default,
        vocabulary=vocabulary,
        minimum=None if low is None else low[0],
        minimum_strict=low is not None and low[1],
        maximum=None if high is None else high[0],
        maximum_strict=high is not None and high[1],
        free_text=free,
        init=field.init,
    )


_SPECS_CACHE: dict[type[Fact], Mapping[str, FieldSpec]] = {}


def field_specs(cls: type[Fact]) -> Mapping[str, FieldSpec]:
    """Every field of a fact class, in class order (``team``, ``period`` and derived ones too).

    :raises NameError: when the class's annotations do not resolve.
    """
    cached = _SPECS_CACHE.get(cls)
    if cached is None:
        attrs.resolve_types(cls)
        cached = types.MappingProxyType({f.name: _spec(f) for f in attrs.fields(cls)})
        _SPECS_CACHE[cls] = cached
    return cached


_FIELDS_CACHE: dict[type[Fact], Mapping[str, FieldSpec]] = {}


def fact_fields(cls: type[Fact]) -> Mapping[str, FieldSpec]:
    """The fields of a fact class that a rubric can reference, by name.

    ``team`` and ``period`` are left out (a rubric always works within one team and period), and
    so are fields of a type a rubric cannot reference (``kind == "other"``).
    """
    cached = _FIELDS_CACHE.get(cls)
    if cached is None:
        cached = types.MappingProxyType(
            {
                name: spec
                for name, spec in field_specs(cls).items()
                if name not in ("team", "period") and spec.kind != "other"
            }
        )
        _FIELDS_CACHE[cls] = cached
    return cached


def validate_fact_type(cls: object) -> str:
    """Check that ``cls`` is a fact type and return its kind name: the one definition.

    A fact type is :class:`Team` or a class derived from :class:`Record` that is itself a frozen
    ``attrs`` class (``@attrs.frozen(kw_only=True)``: a plain subclass inherits the fields but
    its own annotations are not fields), sets its own class attribute ``fact_kind`` to a
    lower-case identifier (``fact_label``, if set, is text; both are ``ClassVar``, not fields),
    keeps the base fields (``team``, ``period``, ``id``, ``tags``) as they are, has no field
    named ``fact`` (the tag that names a record's kind in files), and has annotations that
    resolve.

    :raises TypeError: or :class:`ValueError` with the reason.
    """
    if not isinstance(cls, type) or not issubclass(cls, Fact):
        raise TypeError(f"a fact type must be a class derived from Record, got {cls!r}")
    name = cls.__qualname__
    if not attrs.has(cls):
        raise TypeError(f"{name} must be an attrs class (@attrs.frozen)")
    clash = sorted({"fact_kind", "fact_label"} & set(attrs.fields_dict(cls)))
    if clash:
        raise TypeError(
            f"{name} declares {clash[0]} as an instance field; it is a class attribute:"
            " annotate it ClassVar[str]"
        )
    if cls.__setattr__ is object.__setattr__:
        raise TypeError(f"{name} must be frozen (@attrs.frozen)")
    kind = cls.__dict__.get("fact_kind")
    if not isinstance(kind, str) or not _KIND.fullmatch(kind):
        raise ValueError(
            f"{name} must set its own class attribute fact_kind to a lower-case identifier,"
            f" got {kind!r}"
        )
    if kind in ("fact", "record"):
        raise ValueError(f"{name} must set its own fact_kind (not {kind!r})")
    if not isinstance(cls.__dict__.get("fact_label", kind), str):
        raise TypeError(f"{name}.fact_label must be a string")
    if "__attrs_attrs__" not in cls.__dict__:
        raise TypeError(
            f"{name} must be an attrs class itself (@attrs.frozen(kw_only=True)); deriving"
            " from Record is not enough"
        )
    if not issubclass(cls, Record) and cls is not Team:
        raise TypeError(f"{name} must derive from Record (Team is the only team kind)")
    try:
        field_specs(cls)  # resolves the annotations, which the comparison below needs
    except NameError as exc:
        raise TypeError(
            f"the annotations of {name} do not resolve ({exc}): names used in them must be"
            f" importable from the class's module {cls.__module__!r}"
        ) from exc
    base = attrs.resolve_types(Record if issubclass(cls, Record) else Team)
    own = attrs.fields_dict(cls)
    for field_name, base_field in attrs.fields_dict(base).items():
        if own.get(field_name) != base_field:
            raise TypeError(
                f"{name} redefines the field {field_name!r} of {base.__name__};"
                " fact types keep the base fields as they are"
            )
    private = sorted(n for n in own if n.startswith("_"))
    if private:
        raise ValueError(
            f"{name} has the field {private[0]!r}, whose constructor argument attrs names"
            f" {private[0].lstrip('_')!r}: files could not give it; name the field without a"
            " leading underscore"
        )
    if TAG in own:
        raise ValueError(
            f"{name} has a field named {TAG!r}, which is the key that names every record's"
            " fact kind in files; rename the field"
        )
    return kind
