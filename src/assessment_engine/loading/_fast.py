"""The fast path for records: a validated row per record, without an object per record.

Reading a record through the converter (``_converter``) structures it field by field with
detailed error reporting, then builds the frozen attrs object, which runs every converter and
validator: a few microseconds a record. A file holds records whose values repeat — the same
kinds, levels, periods, ids, team ids and small numbers over and over — so this path checks each
*distinct* value of a field once, with exactly the converter hook, attrs converter and validator
the object path uses, remembers the result, and builds the record's row
(:mod:`assessment_engine.factset`) from remembered values.

Whatever this path is not sure of — an unknown key, a missing required field, a value that does
not pass, a class whose validators it cannot run field by field — makes it give up on that
record (``None``), and the record goes through the converter, which accepts or refuses it with
its own, exact messages. So the fast path accepts exactly the records the object path accepts,
with equal values; a differential test holds the two to it.
"""

from __future__ import annotations

import itertools
import linecache
from collections.abc import Callable, Mapping
from typing import Any, Final

import attrs
import cattrs
from attrs import validators as v

from .. import facts as facts_module
from .._base.numbers import to_decimal
from ..facts import TAG, Fact, Record
from ..factset import TAGS, Row, kind_code, tags_tuple

__all__ = ["FastRecords"]

_MISSING: Final = object()
_CACHE_LIMIT: Final = 65_536  # distinct values remembered per field
_COUNTER = itertools.count(1)

#: The validators a field may have for the fast path to run it on a value alone: none of them
#: reads another field of the instance.
_KNOWN_VALIDATORS: Final[tuple[type, ...]] = (
    type(v.instance_of(int)),
    type(v.in_(())),
    type(v.ge(0)),
    type(v.optional(v.instance_of(int))),
    type(v.and_()),
)
#: The validators of the fact classes' own module: each reads only the value it is given (a
#: rule of facts.py), so the fast path may run it on a value alone.
_KNOWN_FUNCTIONS: Final = tuple(
    value
    for name, value in vars(facts_module).items()
    if name.startswith("_")
    and callable(value)
    and getattr(value, "__module__", "") == facts_module.__name__
)
_KNOWN_CONVERTERS: Final = frozenset(
    c
    for c in (
        to_decimal,
        getattr(facts_module, "_optional_decimal", None),
        getattr(facts_module, "_tags", None),
    )
    if c is not None
)


def _known_validator(validator: object) -> bool:
    if validator is None:
        return True
    if isinstance(validator, list | tuple):
        return all(_known_validator(x) for x in validator)
    if any(validator is f for f in _KNOWN_FUNCTIONS):
        return True
    if not isinstance(validator, _KNOWN_VALIDATORS):
        return False
    inner = getattr(validator, "_validators", None)
    if inner is not None:
        return all(_known_validator(x) for x in inner)
    wrapped = getattr(validator, "validator", None)  # optional(...)
    return wrapped is None or _known_validator(wrapped)


def _fast_kind(cls: type[Fact]) -> bool:
    """Whether every field of ``cls`` can be checked alone, with known validators."""
    if "__attrs_post_init__" in cls.__dict__ or getattr(cls, "__attrs_pre_init__", None):
        return False
    for field in attrs.fields(cls):
        if not field.init or field.alias != field.name:
            return False
        if field.converter is not None and not any(field.converter is c for c in _KNOWN_CONVERTERS):
            return False
        if not _known_validator(field.validator):
            return False
    return True


def _checker(
    field: attrs.Attribute[Any], converter: cattrs.Converter
) -> Callable[[object], object]:
    """The value a field takes for an input, exactly as building the object gives it."""
    structure = converter.structure
    tp: Any = field.type
    convert = field.converter
    validate = field.validator

    def check(value: object) -> object:
        result = structure(value, tp)
        if convert is not None:
            result = convert(result)  # type: ignore[operator]
        if validate is not None:
            validate(None, field, result)
        return result

    return check


def _as_tuple(check: Callable[[object], object]) -> Callable[[object], object]:
    """A tags field's checker, giving the tags as rows hold them (a sorted tuple)."""

    def tags(value: object) -> object:
        return tags_tuple(check(value))  # type: ignore[arg-type]

    return tags


def _default(field: attrs.Attribute[Any]) -> object:
    """The value a field takes when the record leaves it out (converted and validated)."""
    default: Any = field.default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        default = default.factory()
    if field.converter is not None:
        default = field.converter(default)  # type: ignore[operator]
    if field.validator is not None:
        field.validator(None, field, default)
    return default


def _compile(cls: type[Fact], converter: cattrs.Converter) -> Callable[[Mapping[str, Any]], Row]:
    """The generated function that turns a record of ``cls`` into its row, or ``None``."""
    attrs.resolve_types(cls)
    fields = attrs.fields(cls)
    names: dict[str, Any] = {
        "CODE": kind_code(cls),
        "M": _MISSING,
        "ALLOWED": frozenset([TAG, *(f.name for f in fields)]),
        "LIMIT": _CACHE_LIMIT,
        "str": str,
        "int": int,
        "type": type,
        "tuple": tuple,
        "len": len,
        "list": list,
        # inputs remembered by value: exact types only (True is not 1, 2.50 is not 2.5)
        "KEYS": frozenset([str, int, type(None), tuple]),
    }
    lines = ["def row(d):", "    if not d.keys() <= ALLOWED:", "        return None"]
    values = []
    for i, field in enumerate(fields):
        check = _checker(field, converter)
        is_tags = issubclass(cls, Record) and i == TAGS - 1
        names[f"K{i}"] = _as_tuple(check) if is_tags else check
        names[f"S{i}"] = {}  # remembered text values
        names[f"I{i}"] = {}  # remembered whole numbers
        names[f"N{i}"] = {}  # remembered None, and short lists by their items
        if field.default is not attrs.NOTHING:
            default = _default(field)
            names[f"D{i}"] = tags_tuple(default) if is_tags else default  # type: ignore[arg-type]
        value = f"x{i}"
        values.append(value)
        absent = f"{value} = D{i}" if field.default is not attrs.NOTHING else "return None"
        lines += [
            f"    v = d.get({field.name!r}, M)",
            "    if v is M:",
            f"        {absent}",
            "    else:",
            "        t = type(v)",
            f"        c = S{i} if t is str else (I{i} if t is int else N{i})",
            "        k = tuple(v) if t is list and len(v) < 9 else v",
            f"        {value} = M",
            "        if type(k) in KEYS:",
            "            try:",
            f"                {value} = c.get(k, M)",
            "            except TypeError:  # a list of unhashable items",
            "                k = M",
            "        else:",
            "            k = M",
            f"        if {value} is M:",
            "            try:",
            f"                {value} = K{i}(v)",
            "            except Exception:",
            "                return None",
            "            if k is not M and len(c) < LIMIT:",
            f"                c[k] = {value}",
        ]
    lines.append(f"    return (CODE, {', '.join(values)})")
    text = "\n".join(lines) + "\n"
    filename = f"<assessment_engine fast records {cls.__qualname__} #{next(_COUNTER)}>"
    linecache.cache[filename] = (len(text), None, text.splitlines(keepends=True), filename)
    namespace = dict(names)
    exec(compile(text, filename, "exec"), namespace)
    function: Callable[[Mapping[str, Any]], Row] = namespace["row"]
    return function


class FastRecords:
    """The fast path for the records of the kinds one converter reads.

    :meth:`row` gives a record's row, or ``None`` when the record must go through the
    converter (an unknown kind or key, a missing field, a value that does not pass, a kind
    whose validators cannot be run field by field).
    """

    def __init__(self, kinds: Mapping[str, type[Fact]], converter: cattrs.Converter) -> None:
        self._rows: dict[object, Callable[[Mapping[str, Any]], Row]] = {}
        for kind, cls in kinds.items():
            if _fast_kind(cls):
                try:
                    self._rows[kind] = _compile(cls, converter)
                except Exception:  # a default that does not validate: the object path says so
                    continue

    def row(self, raw: object) -> Row | None:
        """The row of a record (a mapping with a ``"fact"`` key), or ``None``."""
        if not isinstance(raw, dict):
            return None
        kind = raw.get(TAG)
        make = self._rows.get(kind) if type(kind) is str else None
        return None if make is None else make(raw)
