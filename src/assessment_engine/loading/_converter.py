"""The project's cattrs converter for facts: value hooks, the ``"fact"`` tag, field-located errors.

Private: :mod:`assessment_engine.loading` is the public face (``facts_converter``,
``converter_for``).
"""

from __future__ import annotations

import datetime
import functools
import re
import typing
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Final, Literal

import attrs
import cattrs
from cattrs.errors import (
    AttributeValidationNote,
    BaseValidationError,
    ClassValidationError,
    ForbiddenExtraKeysError,
)
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn

from .._base.hints import did_you_mean
from .._base.numbers import MAX_MAGNITUDE, brief, to_decimal
from ..facts import BUILTIN_FACT_TYPES, TAG, Fact, validate_fact_type
from ._fast import FastRecords

__all__ = [
    "builtin_kinds",
    "converter_for",
    "describe",
    "facts_converter",
    "fast_records",
]


_INT: Final = re.compile(r"[+-]?[0-9]{1,18}")
_NUMBER: Final = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: The words a flag (a yes/no field) is written with, in any case: JSON's, English and Chinese.
_TRUE: Final = frozenset({"true", "yes", "是"})
_FALSE: Final = frozenset({"false", "no", "否"})


# ----------------------------------------------------------------------------- value hooks
def describe(value: object) -> str:
    """A value's type in a data owner's words (JSON names where they apply)."""
    if value is None:
        return "null (nothing)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | Decimal):
        return f"the number {brief(value)}"
    if isinstance(value, float):
        return f"the float {value!r}"
    if isinstance(value, str):
        return f"the text {brief(value)}"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def _structure_str(value: object, _: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {describe(value)}")
    return value


def _structure_int(value: object, _: object) -> int:
    if isinstance(value, bool):
        raise TypeError(f"expected a whole number, got {describe(value)}")
    if isinstance(value, int):
        return _bounded_int(value)
    if isinstance(value, str) and _INT.fullmatch(text := value.strip()):
        if len(text.lstrip("+-")) > MAX_MAGNITUDE:
            raise ValueError(f"{brief(value)} is too large (the limit is 10**{MAX_MAGNITUDE})")
        return int(text)
    if isinstance(value, Decimal) and value.is_finite() and value.adjusted() >= MAX_MAGNITUDE:
        raise ValueError(f"{brief(value)} is too large (the limit is 10**{MAX_MAGNITUDE})")
    if isinstance(value, str | Decimal | float):
        raise ValueError(f"expected a whole number, got {describe(value)}")
    raise TypeError(f"expected a whole number, got {describe(value)}")


def _bounded_int(value: int) -> int:
    if -_INT_LIMIT < value < _INT_LIMIT:
        return value
    raise ValueError(f"{brief(value)} is too large (the limit is 10**{MAX_MAGNITUDE})")


_INT_LIMIT: Final = 10**MAX_MAGNITUDE


def _structure_decimal(value: object, _: object) -> Decimal:
    if isinstance(value, bool):
        raise TypeError(f"expected a number, got {describe(value)}")
    if isinstance(value, float):
        raise TypeError(
            f"expected an exact number, got the float {value!r}: write it as a string"
            ' ("0.1") or parse JSON with parse_float=decimal.Decimal'
        )
    if isinstance(value, int | Decimal):
        return to_decimal(value)
    if isinstance(value, str):
        if not _NUMBER.fullmatch(value.strip()):
            raise ValueError(f"expected a number, got {describe(value)}")
        return to_decimal(value)
    raise TypeError(f"expected a number, got {describe(value)}")


def _structure_bool(value: object, _: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    raise ValueError(f"expected true or false (yes/no, 是/否), got {describe(value)}")


def _structure_date(value: object, _: object) -> datetime.date:
    if type(value) is datetime.date:
        return value
    if not isinstance(value, str) or not _DATE.fullmatch(value.strip()):
        raise ValueError(f"expected a date written YYYY-MM-DD, got {describe(value)}")
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValueError(f"not a valid date: {value!r} ({exc})") from None


def _structure_tags(value: object, _: object) -> frozenset[str]:
    if isinstance(value, str):
        return frozenset(part.strip() for part in value.split(";") if part.strip())
    if not isinstance(value, list | tuple | set | frozenset):
        raise TypeError(
            f"expected a list of tags or text with tags separated by ';', got {describe(value)}"
        )
    for item in value:
        if not isinstance(item, str) or not item:
            raise TypeError(f"every tag must be a non-empty string, got {describe(item)}")
    return frozenset(value)


def _literal_hook(tp: Any) -> Callable[[object, object], object]:
    options = typing.get_args(tp)

    def structure(value: object, _: object) -> object:
        for option in options:
            if value == option and type(value) is type(option):
                return option
        hint = did_you_mean(value, map(str, options)) if isinstance(value, str) else ""
        listed = ", ".join(repr(o) for o in options)
        raise ValueError(f"must be one of {listed}; got {describe(value)}{hint}")

    return structure


def _is_literal(tp: Any) -> bool:
    return typing.get_origin(tp) is Literal


def _is_tags(tp: Any) -> bool:
    return typing.get_origin(tp) is frozenset and typing.get_args(tp) == (str,)


def _plain_decimal(value: Decimal) -> str:
    """Exact text in positional notation: ``12.50`` stays ``"12.50"``, ``1E+2`` is ``"100"``."""
    return format(value, "f")


# ----------------------------------------------------------------------------- fact hooks
def _located(cls: type, field: str, exc: Exception) -> ClassValidationError:
    """An error about one field, shaped like the ones cattrs raises itself."""
    exc.add_note(AttributeValidationNote(f"Structuring class {cls.__name__} @ {field}", field, str))
    return ClassValidationError(f"While structuring {cls.__name__}", [exc], cls)


def _field_errors(
    cls: type[Fact], data: Mapping[str, Any], converter: cattrs.Converter
) -> list[Exception]:
    """Run each field's converter and validators alone, to find which fields are invalid.

    attrs stops at the first failing validator and does not say which field it was; this pass
    finds them all. The validators get a partially filled instance, so a validator that looks at
    another valid field still works.
    """
    instance = object.__new__(cls)
    checks: list[tuple[attrs.Attribute[Any], Any]] = []
    errors: list[Exception] = []
    for field in attrs.fields(cls):
        if not field.init:
            continue
        try:
            if field.name in data:
                value = converter.structure(data[field.name], field.type)
            elif field.default is attrs.NOTHING:
                continue
            elif isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
                if field.default.takes_self:
                    continue
                value = field.default.factory()
            else:
                value = field.default
        except Exception:  # cattrs has reported it already
            continue
        try:
            conv = field.converter
            if isinstance(conv, attrs.Converter):
                if not (conv.takes_self or conv.takes_field):  # type: ignore[attr-defined]
                    value = conv.converter(value)  # type: ignore[attr-defined]
            elif conv is not None:
                value = conv(value)
        except (ValueError, TypeError) as exc:
            errors.append(_noted(exc, cls, field))
            continue
        object.__setattr__(instance, field.name, value)
        checks.append((field, value))
    for field, value in checks:
        if field.validator is None:
            continue
        try:
            field.validator(instance, field, value)
        except (ValueError, TypeError) as exc:
            errors.append(_noted(exc, cls, field))
        except AttributeError:  # a validator that reads a field this pass left unset
            pass
        except Exception as exc:  # a plugin's validator failing its own way: still this field's
            errors.append(_noted(_validator_failed(exc), cls, field))
    return errors


def _validator_failed(exc: Exception) -> ValueError:
    """A validator's own exception (``KeyError``, ``ZeroDivisionError``) as this field's error."""
    return ValueError(f"its validator failed: {type(exc).__name__}: {exc}")


def _noted(exc: Exception, cls: type, field: attrs.Attribute[Any]) -> Exception:
    exc.add_note(
        AttributeValidationNote(
            f"Structuring class {cls.__name__} @ attribute {field.name}", field.name, field.type
        )
    )
    return exc


def _class_hook(cls: type[Fact], converter: cattrs.Converter) -> Callable[[Any, Any], Fact]:
    attrs.resolve_types(cls)
    inner = make_dict_structure_fn(cls, converter)
    kind = cls.fact_kind
    position = {name: i for i, name in enumerate(attrs.fields_dict(cls))}

    def order(exc: Exception) -> int:
        for note in getattr(exc, "__notes__", ()):
            if isinstance(note, AttributeValidationNote):
                return position.get(note.name, len(position))
        return len(position)

    def structure(value: Any, _: Any) -> Fact:
        if not isinstance(value, Mapping):
            raise TypeError(f"expected a record (an object of fields), got {describe(value)}")
        if TAG in value:
            if value[TAG] != kind:
                raise _located(
                    cls, TAG, ValueError(f"expected {kind!r} here, got {describe(value[TAG])}")
                )
            value = {k: v for k, v in value.items() if k != TAG}
        try:
            return inner(value, cls)
        except ClassValidationError as exc:
            # cattrs runs the constructor (converters, validators) only when every field was
            # structured; run them field by field to attribute and report all of them
            located = _field_errors(cls, value, converter)
            if not located:
                raise
            with_notes, without = exc.group_exceptions()
            from_constructor = (
                not with_notes
                and len(without) == 1
                and not isinstance(without[0], BaseValidationError | ForbiddenExtraKeysError)
            )
            found = located if from_constructor else [*exc.exceptions, *located]
            raise ClassValidationError(exc.message, sorted(found, key=order), cls) from None

    return structure


def _fact_hook(kinds: Mapping[str, type[Fact]], converter: cattrs.Converter) -> Any:
    known = ", ".join(sorted(kinds))

    def structure(value: Any, _: Any) -> Fact:
        if not isinstance(value, Mapping):
            raise TypeError(
                f"expected a record (an object with a {TAG!r} key), got {describe(value)}"
            )
        if TAG not in value:
            raise _located(
                Fact,
                TAG,
                ValueError(f"missing: every record names its fact kind (one of {known})"),
            )
        kind = value[TAG]
        cls = kinds.get(kind) if isinstance(kind, str) else None
        if cls is None:
            hint = did_you_mean(kind, kinds) if isinstance(kind, str) else ""
            what = repr(kind) if isinstance(kind, str) else describe(kind)
            raise _located(
                Fact, TAG, ValueError(f"unknown fact kind {what}{hint}; known kinds: {known}")
            )
        return converter.structure(value, cls)

    return structure


def _fact_unstructure_hook(cls: type[Fact], converter: cattrs.Converter) -> Any:
    attrs.resolve_types(cls)
    inner = make_dict_unstructure_fn(cls, converter)
    kind = cls.fact_kind

    def unstructure(fact: Fact) -> dict[str, Any]:
        return {TAG: kind, **inner(fact)}

    return unstructure


def facts_converter(fact_types: Mapping[str, type[Fact]]) -> cattrs.Converter:
    """A new project-owned converter for facts of the given kinds (never cattrs' global one).

    ``converter.structure(data, Fact)`` reads a record tagged ``{"fact": "<kind>", ...}``;
    ``converter.structure(data, Activity)`` reads one of a known class (a ``"fact"`` key is
    then optional but must match). Unknown keys are rejected and every error is collected
    (``forbid_extra_keys`` and ``detailed_validation``); errors raised by the fact classes'
    validators are attributed to their field. ``converter.unstructure(fact)`` writes the tagged
    form back, with numbers as exact strings, dates as ``YYYY-MM-DD`` and tags as a sorted list.

    Values are read as follows: numbers (``Decimal``) from ints, Decimals or numeric strings,
    never from bools or floats; whole numbers from ints or digit strings; dates from
    ``YYYY-MM-DD`` strings; tags from a list of strings or one string ``"a;b"``; flags from
    booleans or ``true``/``false``/``yes``/``no``; text only from strings.

    :param fact_types: the kinds to accept, by kind name (``engine.rubric.fact_types``).
    :raises ValueError: if a name differs from its class's ``fact_kind`` or a class has a field
        named ``fact``.
    """
    kinds = dict(fact_types)
    for name, cls in kinds.items():
        kind = validate_fact_type(cls)
        if kind != name:
            raise ValueError(
                f"fact type {cls.__qualname__} is registered as {name!r}, not {kind!r}"
            )
    converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    # cattrs keeps its own str/int/bool hooks in a singledispatch table that is consulted first
    converter.register_structure_hook(str, _structure_str)
    converter.register_structure_hook(int, _structure_int)
    converter.register_structure_hook(bool, _structure_bool)
    converter.register_structure_hook_func(lambda t: t is Decimal, _structure_decimal)
    converter.register_structure_hook_func(lambda t: t is datetime.date, _structure_date)
    converter.register_structure_hook_func(_is_tags, _structure_tags)
    converter.register_structure_hook_factory(_is_literal, _literal_hook)
    converter.register_structure_hook_factory(
        lambda t: isinstance(t, type) and issubclass(t, Fact) and t is not Fact,
        lambda t: _class_hook(t, converter),
    )
    converter.register_structure_hook_func(lambda t: t is Fact, _fact_hook(kinds, converter))
    converter.register_unstructure_hook(Decimal, _plain_decimal)
    converter.register_unstructure_hook(datetime.date, datetime.date.isoformat)
    converter.register_unstructure_hook_func(_is_tags, sorted)
    converter.register_unstructure_hook_factory(
        lambda t: isinstance(t, type) and issubclass(t, Fact),
        lambda t: _fact_unstructure_hook(t, converter),
    )
    return converter


def builtin_kinds() -> dict[str, type[Fact]]:
    """The built-in fact kinds, by name."""
    return {cls.fact_kind: cls for cls in BUILTIN_FACT_TYPES}


@functools.lru_cache(maxsize=16)
def _cached_converter(key: tuple[tuple[str, type[Fact]], ...]) -> cattrs.Converter:
    converter = facts_converter(dict(key))
    _FAST[id(converter)] = (converter, FastRecords(dict(key), converter))
    return converter


#: The fast path of each shared converter (by identity; the converter is kept alive with it).
_FAST: dict[int, tuple[cattrs.Converter, FastRecords]] = {}


def fast_records(converter: cattrs.Converter) -> FastRecords | None:
    """The fast path for records of a converter from :func:`converter_for` (else ``None``)."""
    found = _FAST.get(id(converter))
    return found[1] if found is not None and found[0] is converter else None


def converter_for(
    fact_types: Mapping[str, type[Fact]] | None,
) -> tuple[cattrs.Converter, Mapping[str, type[Fact]]]:
    """A shared converter for these kinds (``None``: the built-in ones), and the kinds."""
    kinds = builtin_kinds() if fact_types is None else dict(fact_types)
    return _cached_converter(tuple(sorted(kinds.items(), key=lambda item: item[0]))), kinds
