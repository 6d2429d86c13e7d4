"""Writing a rubric file: rubric objects → file data → TOML text that :func:`load` reads back.

The file data follows :mod:`._codecs` (the same rules the loader reads by), fields equal to
their default are left out, and the TOML is written by a small emitter that chooses readable
shapes: a short flat table or list of tables is written inline, anything larger as
``[section]`` / ``[[section]]`` headers. Numbers are exact (``0.3``, ``15``); conditions are
written in the expression language's canonical form.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final

from ..._base.numbers import exact_text
from ...facts import Record
from .. import Band, Rubric
from ._codecs import SECTIONS, Codec, fields_of, form_name, list_form
from ._errors import FileProblem, RubricFileError
from ._format import format_condition, format_condition_lines, format_quantity, format_selection
from ._kinds import MISSING, FieldDeclaration, describe_fact_type
from ._load import BUILTIN_FACT_TYPES, FORMAT_VERSION

__all__ = ["dump", "to_file_data"]

_INLINE_WIDTH: Final = 96
_BARE_KEY: Final = re.compile(r"[A-Za-z0-9_-]+")


# ----------------------------------------------------------------------------- objects → data
def _number(value: Decimal | int) -> int | Decimal:
    text = exact_text(value)
    return int(text) if "." not in text else Decimal(text)


def _value(codec: Codec, value: Any) -> Any:
    kind = codec.kind
    if value is None:
        return None
    if kind == "number":
        return _number(value)
    if kind == "share":
        return exact_text(value) if isinstance(value, Fraction) else str(value)
    if kind == "condition":
        return format_condition_lines(value)
    if kind == "conditions":
        return [format_condition(c) for c in value]
    if kind == "quantity":
        return format_quantity(value)
    if kind == "selection":
        return format_selection(value)
    if kind == "points":
        return _number(value) if isinstance(value, Decimal) else _object(value)
    if kind == "table":
        return {key: _number(points) for key, points in value}
    if kind == "texts":
        return list(value)
    if kind == "list":
        return [_object(item) for item in value]
    if kind == "object":
        return _object(value)
    return value


def _object(obj: Any) -> dict[str, Any]:
    cls: type = type(obj)
    if cls is Band:
        return {
            "above" if obj.strict else "at_least": _number(obj.threshold),
            "points": _number(obj.points),
        }
    data: dict[str, Any] = {}
    for form in fields_of(cls):
        value = getattr(obj, form.name)
        if form.codec.kind == "scoring":
            only = list_form(type(value))
            name = form_name(type(value))
            data[name] = _value(only.codec, getattr(value, only.name)) if only else _object(value)
            continue
        if not form.required and value == form.default and type(value) is type(form.default):
            continue
        if form.takes_none and value is None:
            data[form.name] = "none"
            continue
        data[form.name] = _value(form.codec, value)
    return data


def _declaration(decl: FieldDeclaration) -> dict[str, Any]:
    data: dict[str, Any] = {"type": decl.type}
    if decl.optional:
        data["optional"] = True
    if decl.default is not MISSING:
        default = decl.default
        if isinstance(default, frozenset):
            default = sorted(default)
        elif isinstance(default, Decimal):
            default = _number(default)
        data["default"] = default
    if decl.values is not None:
        data["values"] = list(decl.values)
    for key in ("min", "max"):
        bound = getattr(decl, key)
        if bound is not None:
            data[key] = _number(bound)
    if decl.non_empty:
        data["non_empty"] = True
    if decl.derived is not None:
        data["derived"] = decl.derived
    if decl.description:
        data["description"] = decl.description
    return data


def _fact_kind(
    cls: type[Record], declared: Mapping[str, Mapping[str, Any]], problems: list[str]
) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name, found in describe_fact_type(cls):
        if name in declared:
            fields[name] = dict(declared[name])
        elif isinstance(found, str):
            problems.append(found)
        else:
            fields[name] = _declaration(found)
    data: dict[str, Any] = {"label": cls.fact_label}
    if fields:
        data["fields"] = fields
    return data


def to_file_data(
    rubric: Rubric,
    *,
    plugin: str | None = None,
    declare: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
    description: str = "",
) -> dict[str, Any]:
    """The file data of ``rubric`` (or of what plugin ``plugin`` registered in it).

    :param declare: per fact kind, per field, the declaration to write instead of the one read
        from the Python class (needed for fields the class validates or derives with its own
        code).
    :raises RubricFileError: naming every field that has no declaration.
    """

    def mine(key: str) -> bool:
        return plugin is None or rubric.plugin_of(key) == plugin

    declare = declare or {}
    header: dict[str, Any] = {"format": FORMAT_VERSION}
    if description:
        header["description"] = description
    data: dict[str, Any] = {"rubric": header}
    problems: list[str] = []
    kinds = {
        kind: _fact_kind(cls, declare.get(kind, {}), problems)  # type: ignore[arg-type]
        for kind, cls in rubric.fact_types.items()
        if cls not in BUILTIN_FACT_TYPES and mine(f"fact:{kind}")
    }
    if problems:
        raise RubricFileError(
            [
                FileProblem(source="<dump>", line=0, column=0, path="fact", reason=p)
                for p in problems
            ]
        )
    if kinds:
        data["fact"] = kinds
    groups: dict[str, tuple[Any, ...]] = {
        "dimension": rubric.dimensions,
        "indicator": rubric.indicators,
        "bonus": rubric.bonuses,
        "penalty": rubric.penalties,
        "veto": rubric.vetoes,
        "title": rubric.titles,
        "quota": rubric.quotas,
        "grade_scale": rubric.grade_scales,
    }
    for key, objects in groups.items():
        chosen = [_object(o) for o in objects if mine(o.id)]
        if chosen:
            data[key] = chosen
    weights = [_object(w) for w in rubric.weights if mine(f"weight:{w.dimension}")]
    if weights:
        data["weight"] = weights
    if "ranking" in rubric.provenance and mine("ranking"):
        data["ranking"] = _object(rubric.ranking)
    assert set(data) <= {"rubric", "fact", *SECTIONS}
    return data


def dump(
    rubric: Rubric,
    *,
    plugin: str | None = None,
    declare: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
    description: str = "",
) -> str:
    """A rubric as the text of a rubric file; :func:`load` reads it back with the same hash.

    :param plugin: write only what this plugin registered (its fact kinds, objects, weights
        and ranking); by default everything but the built-in fact kinds.
    :param declare: declarations for fact-kind fields a Python class checks or derives in code
        (``{"pairing_visit": {"quarter": {"type": "integer", "derived": "quarter(date)"}}}``).
    :param description: the file's ``[rubric] description``.
    """
    return emit(to_file_data(rubric, plugin=plugin, declare=declare, description=description))


# ----------------------------------------------------------------------------- data → TOML
def _key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _string(key)


def _string(text: str) -> str:
    out = ['"']
    for char in text:
        if char == '"':
            out.append('\\"')
        elif char == "\\":
            out.append("\\\\")
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _multiline(text: str) -> str:
    """A TOML multi-line basic string: the text starts on the line after the quotes."""
    out = ['"""\n']
    for char in text:
        if char == '"':
            out.append('\\"')
        elif char == "\\":
            out.append("\\\\")
        elif char in "\n\t":
            out.append(char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    out.append('"""')
    return "".join(out)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        text = exact_text(value)
        return text if "." in text else text + ".0"
    if isinstance(value, str):
        return _multiline(value) if "\n" in value else _string(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise TypeError(f"cannot write {value!r} in TOML")


def _inline(value: Any) -> str:
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{_key(k)} = {_inline(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    return _scalar(value)


def _flat(value: Any) -> bool:
    """A table or list that holds no table of tables: fit to be written inline."""
    if isinstance(value, dict):
        return all(not isinstance(v, dict | list) or _flat_leaf(v) for v in value.values())
    if isinstance(value, list):
        return all(not isinstance(v, dict | list) or _flat_leaf(v) for v in value)
    return True


def _flat_leaf(value: Any) -> bool:
    if isinstance(value, dict):
        return all(not isinstance(v, dict | list) for v in value.values())
    return all(not isinstance(v, dict | list) for v in value)


def _is_tables(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _table(lines: list[str], path: str, table: Mapping[str, Any]) -> None:
    later: list[tuple[str, Any]] = []
    for key, value in table.items():
        name = f"{_key(key)}"
        if (
            isinstance(value, dict) and not (_flat(value) and len(_inline(value)) <= _INLINE_WIDTH)
        ) or (
            _is_tables(value)
            and not all(_flat(v) and len(_inline(v)) <= _INLINE_WIDTH for v in value)
        ):
            later.append((key, value))
        elif _is_tables(value) or (isinstance(value, list) and len(_inline(value)) > _INLINE_WIDTH):
            lines.append(f"{name} = [")
            lines.extend(f"    {_inline(item)}," for item in value)
            lines.append("]")
        else:
            lines.append(f"{name} = {_inline(value)}")
    for key, value in later:
        full = f"{path}.{_key(key)}" if path else _key(key)
        if isinstance(value, dict):
            lines.extend(["", f"[{full}]"])
            _table(lines, full, value)
        else:
            for item in value:
                lines.extend(["", f"[[{full}]]"])
                _table(lines, full, item)


def emit(data: Mapping[str, Any]) -> str:
    """TOML text for file data (tables, lists, texts, numbers, flags and dates).

    Top-level tables are always written with a header (``[rubric]``, ``[fact.<kind>]``) and
    lists of tables as arrays of tables (``[[indicator]]``); plain values come first.
    """
    lines: list[str] = []
    tables = [(k, v) for k, v in data.items() if isinstance(v, dict) or _is_tables(v)]
    for key, value in data.items():
        if not (isinstance(value, dict) or _is_tables(value)):
            lines.append(f"{_key(key)} = {_inline(value)}")
    for key, value in tables:
        if (
            isinstance(value, dict)
            and key == "fact"
            and all(isinstance(v, dict) for v in value.values())
        ):
            for kind, table in value.items():
                lines.extend(["", f"[fact.{_key(kind)}]"])
                _table(lines, f"fact.{_key(kind)}", table)
        elif isinstance(value, dict):
            lines.extend(["", f"[{_key(key)}]"])
            _table(lines, _key(key), value)
        else:
            for item in value:
                lines.extend(["", f"[[{_key(key)}]]"])
                _table(lines, _key(key), item)
    return "\n".join(lines).lstrip("\n") + "\n"
