"""Fact kinds declared as data: a declaration becomes a frozen ``attrs`` class, and back.

A rubric file declares the fact kinds its rules read (``[fact.leader_appraisal]``), so that an
assessment office needs no Python. :func:`build_fact_type` turns a declaration into a real
:class:`~assessment_engine.facts.Record` subclass with attrs' standard validators (``in_`` for
a vocabulary, ``ge``/``le`` for bounds), so the loaders, the strategies and the consistency kit
treat it exactly like a hand-written class, and it validates records as strictly.
:func:`describe_fact_type` reads a Python class back into a declaration, for the dumper; what it
cannot read (a custom validator or converter, a derivation written in Python) is an error
naming the field, and the dumper's caller declares that field instead.

A derived field (``init=False`` in Python) is computed from the record's other fields by a
derivation: ``quarter(date)``, ``month(date)``, ``year(date)`` (1-4, 1-12, the year) or
``concat(level, '_', role)`` (fields and quoted text joined).
"""

from __future__ import annotations

import datetime
import re
import typing
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Final

import attrs
from attrs import validators as v

from ..._base.numbers import to_decimal
from ...facts import Record

__all__ = [
    "FIELD_TYPES",
    "FieldDeclaration",
    "KindDeclaration",
    "build_fact_type",
    "describe_fact_type",
    "parse_derivation",
]

#: The field types a declaration may use, and the Python type each stands for.
FIELD_TYPES: Final[dict[str, Any]] = {
    "integer": int,
    "number": Decimal,
    "text": str,
    "flag": bool,
    "date": datetime.date,
    "tags": frozenset[str],
}
_BASE_FIELDS: Final = ("team", "period", "id", "tags")
_DERIVATION: Final = re.compile(r"^\s*([a-z_]+)\s*\((.*)\)\s*$", re.DOTALL)
_ARGUMENT: Final = re.compile(r"\s*('(?:[^'\\]|\\.)*'|[A-Za-z_][A-Za-z0-9_]*)\s*(,|$)")


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


#: The default of a required field.
MISSING: Final = _Missing()


@attrs.frozen(kw_only=True)
class FieldDeclaration:
    """One declared field: its type and what a valid value is."""

    name: str
    type: str = attrs.field(validator=v.in_(tuple(FIELD_TYPES)))
    optional: bool = False
    default: object = MISSING
    values: tuple[str, ...] | None = None
    min: Decimal | None = None
    max: Decimal | None = None
    non_empty: bool = False
    derived: str | None = None
    description: str = ""


@attrs.frozen(kw_only=True)
class KindDeclaration:
    """A declared fact kind: its name, label and fields.

    ``fields`` are those beyond ``team``, ``period``, ``id`` and ``tags``.
    """

    kind: str
    label: str
    description: str = ""
    fields: tuple[FieldDeclaration, ...] = ()


# ----------------------------------------------------------------------------- derivations
def parse_derivation(text: str) -> tuple[str, tuple[str, ...]]:
    """``"concat(level, '_', role)"`` → ``("concat", ("level", "'_'", "role"))``.

    :raises ValueError: for anything else than the four derivations.
    """
    match = _DERIVATION.match(text)
    if match is None:
        raise ValueError(
            "a derivation is quarter(FIELD), month(FIELD), year(FIELD) or concat(...),"
            f" got {text!r}"
        )
    function, rest = match.groups()
    args: list[str] = []
    pos = 0
    while pos < len(rest) and rest.strip():
        arg = _ARGUMENT.match(rest, pos)
        if arg is None:
            raise ValueError(f"cannot read the arguments of {text!r}")
        args.append(arg.group(1))
        pos = arg.end()
        if arg.group(2) == "":
            break
    if function in ("quarter", "month", "year"):
        if len(args) != 1 or args[0].startswith("'"):
            raise ValueError(f"{function}(...) takes one date field, got {text!r}")
    elif function == "concat":
        if len(args) < 2:
            raise ValueError(f"concat(...) joins at least two fields or texts, got {text!r}")
    else:
        raise ValueError(
            f"unknown derivation {function!r}: quarter, month, year and concat are known"
        )
    return function, tuple(args)


def _derive(function: str, args: tuple[str, ...]) -> Callable[[Any], object]:
    if function != "concat":
        name = args[0]
        parts: dict[str, Callable[[datetime.date], int]] = {
            "quarter": lambda d: (d.month - 1) // 3 + 1,
            "month": lambda d: d.month,
            "year": lambda d: d.year,
        }
        part = parts[function]

        def date_part(self: Any) -> object:
            value = getattr(self, name)
            return None if value is None else part(value)

        return date_part

    pieces = [
        (True, a[1:-1].replace("\\'", "'").replace("\\\\", "\\"))
        if a.startswith("'")
        else (False, a)
        for a in args
    ]

    def concat(self: Any) -> object:
        out = []
        for literal, text in pieces:
            value = text if literal else getattr(self, text)
            if value is None:
                return None
            out.append(str(value))
        return "".join(out)

    return concat


# ----------------------------------------------------------------------------- declaration → class
def _not_blank(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, str) and not value.strip():
        raise ValueError(f"{attribute.name} must be non-empty text, got {value!r}")


def _optional_decimal(value: object) -> Decimal | None:
    return None if value is None else to_decimal(value)


def _tags(value: object) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, list | tuple | set | frozenset):
        raise TypeError(f"expected a collection of tags, got {type(value).__name__}")
    return frozenset(value)


def _field(decl: FieldDeclaration, sources: dict[str, FieldDeclaration]) -> Any:
    base: Any = FIELD_TYPES[decl.type]
    tp: Any = typing.Literal[decl.values] if decl.values is not None else base
    if decl.optional:
        tp = typing.Optional[tp]  # noqa: UP045 - a Literal has no | operator
    checks: list[Any] = []
    if decl.type != "tags":
        checks.append(v.instance_of(base))
    if decl.values is not None:
        checks.append(v.in_(decl.values))
    if decl.min is not None:
        checks.append(v.ge(int(decl.min) if decl.type == "integer" else decl.min))
    if decl.max is not None:
        checks.append(v.le(int(decl.max) if decl.type == "integer" else decl.max))
    if decl.non_empty:
        checks.append(_not_blank)
    validator: Any = v.and_(*checks) if checks else None
    if validator is not None and decl.optional:
        validator = v.optional(validator)
    kwargs: dict[str, Any] = {"type": tp, "validator": validator}
    if decl.type == "number":
        kwargs["converter"] = _optional_decimal if decl.optional else to_decimal
    elif decl.type == "tags":
        kwargs["converter"] = _tags
    if decl.derived is not None:
        function, args = parse_derivation(decl.derived)
        for arg in args:
            if not arg.startswith("'") and arg not in sources:
                raise ValueError(
                    f"field {decl.name!r} derives from {arg!r}, which is not a field declared"
                    " before it"
                )
        kwargs.update(init=False, default=attrs.Factory(_derive(function, args), takes_self=True))
        kwargs.pop("converter", None)
    elif decl.default is not MISSING:
        kwargs["default"] = decl.default
    elif decl.optional:
        kwargs["default"] = None
    return attrs.field(**kwargs)


def _class_name(kind: str) -> str:
    return "".join(part.capitalize() for part in kind.split("_")) or "Declared"


def build_fact_type(decl: KindDeclaration) -> type[Record]:
    """A frozen attrs :class:`Record` subclass for a declared kind.

    :raises ValueError: for a field named like a base field, or a derivation from an unknown field.
    """
    fields: dict[str, Any] = {}
    seen: dict[str, FieldDeclaration] = {}
    for decl_field in decl.fields:
        if decl_field.name in _BASE_FIELDS or decl_field.name in (
            "fact",
            "fact_kind",
            "fact_label",
        ):
            raise ValueError(f"{decl_field.name!r} is a field of every record; it is not declared")
        fields[decl_field.name] = _field(decl_field, seen)
        seen[decl_field.name] = decl_field
    cls = attrs.make_class(
        _class_name(decl.kind), fields, bases=(Record,), frozen=True, kw_only=True
    )
    cls.fact_kind = decl.kind  # type: ignore[attr-defined]
    cls.fact_label = decl.label  # type: ignore[attr-defined]
    cls.__doc__ = decl.description or decl.label
    cls.__module__ = "assessment_engine.rubric.files.declared"
    return typing.cast("type[Record]", cls)


# ----------------------------------------------------------------------------- class → declaration
def _leaves(validator: Any) -> list[Any]:
    found: list[Any] = []
    stack = [validator]
    while stack:
        item = stack.pop()
        if item is None:
            continue
        if isinstance(item, list | tuple):
            stack.extend(item)
        elif hasattr(item, "_validators"):
            stack.extend(item._validators)
        elif type(item).__name__ == "_OptionalValidator":
            stack.append(item.validator)
        else:
            found.append(item)
    return found


def _type_of(tp: Any) -> tuple[str | None, bool, tuple[str, ...] | None]:
    optional = False
    if typing.get_origin(tp) in (typing.Union, type(int | None)):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        optional = len(args) < len(typing.get_args(tp))
        tp = args[0] if len(args) == 1 else tp
    if typing.get_origin(tp) is typing.Literal:
        values = typing.get_args(tp)
        if all(isinstance(x, str) for x in values):
            return "text", optional, tuple(values)
        return None, optional, None
    for name, python in FIELD_TYPES.items():
        if tp == python:
            return name, optional, None
    return None, optional, None


def describe_fact_type(cls: type[Record]) -> list[tuple[str, FieldDeclaration | str]]:
    """Read a Python fact class's own fields as declarations, in class order.

    A field is described from its type, default and attrs' standard validators; a field that
    cannot be (a custom validator or converter, a field derived by Python code) comes with the
    reason instead, for the caller to declare it or to report it.
    """
    attrs.resolve_types(cls)
    result: list[tuple[str, FieldDeclaration | str]] = []
    for field in attrs.fields(cls):
        if field.name not in _BASE_FIELDS:
            result.append((field.name, _describe(cls, field)))
    return result


def _describe(cls: type[Record], field: attrs.Attribute[Any]) -> FieldDeclaration | str:
    kind, optional, values = _type_of(field.type)
    where = f"{cls.fact_kind}.{field.name}"
    if kind is None:
        return f"{where}: its type {field.type!r} has no declared form"
    decl: dict[str, Any] = {"name": field.name, "type": kind, "optional": optional}
    if values is not None:
        decl["values"] = values
    default: Any = field.default
    if not field.init or (isinstance(default, attrs.Factory) and default.takes_self):  # type: ignore[arg-type]
        return (
            f"{where} is derived by Python code; declare it with a derivation such as"
            ' derived = "quarter(date)"'
        )
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        default = default.factory()
    if default is not attrs.NOTHING and not (optional and default is None):
        decl["default"] = default
    converter: Any = field.converter
    if converter not in (None, to_decimal, _optional_decimal):
        return f"{where} has a converter {converter!r} with no declared form"
    unknown = _read_validators(field, decl)
    if unknown:
        return f"{where} has a validator with no declared form: {unknown}"
    return FieldDeclaration(**decl)


def _read_validators(field: attrs.Attribute[Any], decl: dict[str, Any]) -> str:
    for leaf in _leaves(field.validator):
        name = type(leaf).__name__
        if name == "_InValidator":
            decl["values"] = tuple(leaf.options)
        elif name == "_NumberValidator" and leaf.compare_op in (">=", "<="):
            decl["min" if leaf.compare_op == ">=" else "max"] = to_decimal(leaf.bound)
        elif name == "_InstanceOfValidator" or leaf is _not_blank:
            decl["non_empty"] = decl.get("non_empty", False) or leaf is _not_blank
        else:
            return repr(leaf)
    return ""
