"""Facts as rows: the compact form the pipeline reads, one tuple per record.

A row is ``(cls, value, value, ...)``: the record's class, then the values of all its attrs
fields in class order. Every record kind keeps the base fields of
:class:`~assessment_engine.facts.Record` first, so a row's ``team``, ``period``, ``id`` and
``tags`` are always at :data:`TEAM`, :data:`PERIOD`, :data:`ID` and :data:`TAGS`; a field's
index in its kind's rows is :func:`field_index`. Rows cost a C-level tuple each, where building
a frozen attrs object costs a Python call per field: the loaders' fast paths build rows
directly from validated values, and objects are made from rows only when asked for.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any, Final

import attrs

from ..facts import Fact, Record

__all__ = [
    "ID",
    "PERIOD",
    "TAGS",
    "TEAM",
    "Row",
    "field_index",
    "from_row",
    "row_identity",
    "row_kind",
    "to_row",
]

#: A record as a row: ``(cls, *values)``.
Row = tuple[Any, ...]

#: Where the base fields are in every row.
TEAM: Final = 1
PERIOD: Final = 2
ID: Final = 3
TAGS: Final = 4


_NAMES: dict[type, tuple[str, ...]] = {}
_GETTERS: dict[type, Callable[[Fact], Row]] = {}


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


def to_row(fact: Fact) -> Row:
    """A record as a row (the class, then every field's value)."""
    cls = type(fact)
    getter = _GETTERS.get(cls)
    if getter is None:
        getter = _GETTERS[cls] = operator.attrgetter("__class__", *_names(cls))
    return getter(fact)


def from_row(row: Row) -> Record:
    """The record a row holds, as its frozen attrs object (without validating again)."""
    cls = row[0]
    fact = cls.__new__(cls)
    for name, value in zip(_names(cls), row[1:], strict=True):
        object.__setattr__(fact, name, value)
    return fact  # type: ignore[no-any-return]


def row_kind(row: Row) -> str:
    """The fact kind of a row."""
    return row[0].fact_kind  # type: ignore[no-any-return]


def row_identity(row: Row) -> str:
    """A row's short identity, as :func:`~assessment_engine.facts.fact_identity` gives it."""
    return f"{row[0].fact_kind} {row[ID]} of team {row[TEAM]} ({row[PERIOD]})"
