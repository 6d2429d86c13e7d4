"""Facts as rows: the compact form the pipeline reads, one tuple per record.

A row is ``(code, value, value, ...)``: a small integer naming the record's class
(:func:`row_class`), then the values of all its attrs fields in class order, with the tags as a
sorted tuple. Every record kind keeps the base fields of :class:`~assessment_engine.facts.Record`
first, so a row's ``team``, ``period``, ``id`` and ``tags`` are always at :data:`TEAM`,
:data:`PERIOD`, :data:`ID` and :data:`TAGS`; a field's index in its kind's rows is
:func:`field_index`.

Why this form: a row costs one C-level tuple, where a frozen attrs object costs a Python call
per field, so the loaders' fast paths build rows directly from validated values and objects are
made from rows only when asked for. And a row holds nothing but strings, numbers, ``None`` and
tuples of strings, so the garbage collector stops tracking it after its first look: millions of
rows then cost no collector time, where millions of objects are traversed by every full
collection.
"""

from __future__ import annotations

import operator
import types
from collections.abc import Callable
from typing import Any, Final

import attrs

from ..facts import Fact, Record, fact_identity

__all__ = [
    "ID",
    "PERIOD",
    "TAGS",
    "TEAM",
    "Row",
    "field_index",
    "from_row",
    "is_row",
    "kind_code",
    "row_class",
    "row_identity",
    "row_kind",
    "to_row",
]

#: A record as a row: ``(code, *values)``.
Row = tuple[Any, ...]

#: Where the base fields are in every row.
TEAM: Final = 1
PERIOD: Final = 2
ID: Final = 3
TAGS: Final = 4

_NAMES: dict[type, tuple[str, ...]] = {}
_GETTERS: dict[type, Callable[[Fact], tuple[Any, ...]]] = {}
_SETTERS: dict[type, tuple[Callable[[Any, Any], None], ...]] = {}
_CLASSES: list[type[Any]] = []
_CODES: dict[type, int] = {}


def kind_code(cls: type[Fact]) -> int:
    """The code naming ``cls`` in rows (given when first asked, for the life of the process)."""
    code = _CODES.get(cls)
    if code is None:
        code = _CODES[cls] = len(_CLASSES)
        _CLASSES.append(cls)
    return code


def row_class(row: Row) -> type[Fact]:
    """The class of the record a row holds."""
    return _CLASSES[row[0]]


def is_row(item: object) -> bool:
    """Whether ``item`` is a record's row."""
    return type(item) is tuple and bool(item) and type(item[0]) is int


def _names(cls: type[Fact]) -> tuple[str, ...]:
    found = _NAMES.get(cls)
    if found is None:
        found = _NAMES[cls] = tuple(f.name for f in attrs.fields(cls))
    return found


def field_index(cls: type[Fact], name: str) -> int:
    """Where ``name`` is in the rows of ``cls``.

    :raises ValueError: for a name that is not a field of ``cls``.
    """
    return _names(cls).index(name) + 1


def tags_tuple(tags: frozenset[str]) -> tuple[str, ...]:
    """Tags as rows hold them: a sorted tuple."""
    return tuple(sorted(tags)) if tags else ()


def to_row(fact: Fact) -> Row:
    """A record as a row (its class's code, then every field's value)."""
    cls = type(fact)
    getter = _GETTERS.get(cls)
    if getter is None:
        getter = _GETTERS[cls] = operator.attrgetter(*_names(cls))
    values = getter(fact)
    code = kind_code(cls)
    if isinstance(fact, Record):
        return (code, *values[:3], tags_tuple(values[3]), *values[4:])
    return (code, *values)


def _setter(cls: type[Fact], name: str) -> Callable[[Any, Any], None]:
    """What sets field ``name`` of a new, frozen ``cls`` object: its slot's own setter if any."""
    slot = getattr(cls, name, None)
    if isinstance(slot, types.MemberDescriptorType):
        return slot.__set__

    def set_attribute(fact: Any, value: Any) -> None:
        object.__setattr__(fact, name, value)

    return set_attribute


def _setters(cls: type[Fact]) -> tuple[Callable[[Any, Any], None], ...]:
    found = _SETTERS.get(cls)
    if found is None:
        found = _SETTERS[cls] = tuple(_setter(cls, name) for name in _names(cls))
    return found


def from_row(row: Row) -> Record:
    """The record a row holds, as its frozen attrs object (without validating again)."""
    cls: Any = _CLASSES[row[0]]
    fact = cls.__new__(cls)
    values = list(row[1:])
    if issubclass(cls, Record):
        values[TAGS - 1] = frozenset(values[TAGS - 1])
    for set_value, value in zip(_setters(cls), values, strict=True):
        set_value(fact, value)
    return fact  # type: ignore[no-any-return]


def row_kind(row: Row) -> str:
    """The fact kind of a row."""
    return _CLASSES[row[0]].fact_kind  # type: ignore[no-any-return]


def row_identity(row: Row | Fact) -> str:
    """A row's (or a fact's) short identity, as ``facts.fact_identity`` gives it."""
    if isinstance(row, Fact):
        return fact_identity(row)
    if not issubclass(_CLASSES[row[0]], Record):
        return f"{row_kind(row)} record of team {row[TEAM]} ({row[PERIOD]})"
    return f"{row_kind(row)} {row[ID]} of team {row[TEAM]} ({row[PERIOD]})"
