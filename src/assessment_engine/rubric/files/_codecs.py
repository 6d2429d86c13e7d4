"""How each rubric class is written in a file, read off the model's own attrs fields.

Nothing here lists the model's fields by hand: :func:`fields_of` reads a class's attrs fields
and their types, and :func:`codec_for` maps each type to the way a file writes it. The loader,
the dumper and the JSON Schema all go through these two functions, so a field added to the
model is in the file format, its schema and its round trip at once; a type with no file form is
an error here, and the completeness test fails.

Three rules shape the format beyond "a class is a table of its fields":

* a field typed :data:`~assessment_engine.rubric.Scoring` is written as one key named after the
  form, in the table of its owner (``[indicator.bands]``, ``[[indicator.parts]]``);
* a form whose only field is a list is written as that list (``parts``, ``highest``);
* conditions, quantities and selections are strings in the expression language.

:class:`~assessment_engine.rubric.Band` is written ``{ at_least = 90, points = 8 }`` or
``{ above = 90, points = 8 }`` (its ``threshold`` and ``strict``), and a field that may be
``None`` but defaults to something else (``Deduct.floor``, ``Dimension.floor``,
``GradeScale.veto_label``) is ``"none"`` for ``None``, since TOML has no null.
"""

from __future__ import annotations

import functools
import re
import typing
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final

import attrs

from .. import (
    Band,
    Bonus,
    Condition,
    Dimension,
    GradeScale,
    Indicator,
    Penalty,
    PointsBy,
    Quantity,
    Quota,
    Ranking,
    Scoring,
    Select,
    Title,
    Veto,
    Weight,
)

__all__ = [
    "FORMS",
    "SECTIONS",
    "Codec",
    "FieldForm",
    "codec_for",
    "fields_of",
    "form_name",
    "list_form",
]

#: The sections of a file: key -> (class, whether it is an array of tables).
SECTIONS: Final[dict[str, tuple[type, bool]]] = {
    "dimension": (Dimension, True),
    "indicator": (Indicator, True),
    "bonus": (Bonus, True),
    "penalty": (Penalty, True),
    "veto": (Veto, True),
    "title": (Title, True),
    "quota": (Quota, True),
    "grade_scale": (GradeScale, True),
    "weight": (Weight, True),
    "ranking": (Ranking, False),
}


def form_name(cls: type) -> str:
    """``PerItem`` → ``per_item``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()


#: The scoring forms, by their key in a file.
FORMS: Final[dict[str, type]] = {form_name(c): c for c in typing.get_args(Scoring)}


@attrs.frozen
class Codec:
    """How one value is written: ``kind`` and, for tables and lists, the class inside."""

    kind: str  # text integer flag number share choice texts condition conditions quantity
    #             selection points table object list scoring
    cls: type | None = None
    choices: tuple[str, ...] = ()
    optional: bool = False


@attrs.frozen
class FieldForm:
    """One field of a class as a file writes it."""

    name: str
    codec: Codec
    required: bool
    default: Any

    @property
    def takes_none(self) -> bool:
        """Whether the file writes ``"none"`` for ``None`` (TOML has no null).

        For a field that may be ``None`` but defaults to something else: ``Deduct.floor``,
        ``Dimension.floor``, ``GradeScale.veto_label``.
        """
        return self.codec.optional and self.default is not None and not self.required


_CONDITIONS: Final = frozenset(typing.get_args(Condition))
_QUANTITIES: Final = frozenset(typing.get_args(Quantity))
_SCORINGS: Final = frozenset(typing.get_args(Scoring))


def codec_for(tp: Any) -> Codec:
    """The codec of a resolved field type.

    :raises TypeError: for a type that has no form in a file.
    """
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, type(int | None)) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        inner = codec_for(rest[0] if len(rest) == 1 else functools.reduce(lambda a, b: a | b, rest))
        return attrs.evolve(inner, optional=True)
    if origin in (typing.Union, type(int | None)):
        members = frozenset(args)
        if members == _CONDITIONS:
            return Codec("condition")
        if members == _QUANTITIES:
            return Codec("quantity")
        if members == _SCORINGS:
            return Codec("scoring")
        if members == {Decimal, PointsBy}:
            return Codec("points")
        raise TypeError(f"no file form for the union {tp!r}")
    if origin is typing.Literal:
        return Codec("choice", choices=tuple(str(a) for a in args))
    if origin is tuple:
        item = args[0]
        if item is str:
            return Codec("texts")
        if typing.get_origin(item) is tuple:
            return Codec("table")
        if frozenset(typing.get_args(item)) == _CONDITIONS:
            return Codec("conditions")
        if isinstance(item, type) and attrs.has(item):
            return Codec("list", cls=item)
        raise TypeError(f"no file form for {tp!r}")
    simple = {str: "text", int: "integer", bool: "flag", Decimal: "number", Fraction: "share"}
    if tp in simple:
        return Codec(simple[tp])
    if tp is Select:
        return Codec("selection")
    if isinstance(tp, type) and attrs.has(tp):
        return Codec("object", cls=tp)
    raise TypeError(f"no file form for {tp!r}")


@functools.cache
def fields_of(cls: type) -> tuple[FieldForm, ...]:
    """The fields of a rubric class as a file writes them (``Band`` as ``at_least``/``above``)."""
    if cls is Band:
        return (
            FieldForm("at_least", Codec("number", optional=True), False, None),
            FieldForm("above", Codec("number", optional=True), False, None),
            FieldForm("points", Codec("number"), True, None),
        )
    attrs.resolve_types(cls)
    result = []
    for field in attrs.fields(cls):
        if not field.init:
            continue
        default: Any = field.default
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            default = default.factory()
        required = default is attrs.NOTHING
        result.append(FieldForm(field.name, codec_for(field.type), required, default))
    return tuple(result)


def list_form(cls: type) -> FieldForm | None:
    """The one list field of a form written as a list (``Parts``, ``Highest``), else ``None``."""
    forms = fields_of(cls)
    if cls in _SCORINGS and len(forms) == 1 and forms[0].codec.kind == "list":
        return forms[0]
    return None
