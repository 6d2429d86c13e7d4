"""Fact classes in a rubric's plain data: each kind's data form (and class path), and back.

A rubric's data holds each fact kind's *data form* — its label and, per field a rubric can
reference, the kind of value, whether it may be missing, its default, its closed vocabulary and
whether it is derived — the same for a Python class and a kind declared in a rubric file, so
that both hash alike. ``Rubric.to_data(classes=True)`` also names each class by its import path.
Reading that back imports each class by its path and checks that it still has that data form: a
plugin that was uninstalled or changed is named, with the difference, instead of a rubric built
on classes that are not what they were.
"""

from __future__ import annotations

import datetime
import importlib
import types
import typing
from collections.abc import Mapping
from typing import Any, Literal

import attrs

from ..errors import RubricDataError
from ..facts import READ_REQUIRED, Fact, fact_fields, validate_fact_type
from . import _serial

__all__ = ["fact_type_data", "fact_types_from_data"]


def fact_type_data(cls: type[Fact]) -> dict[str, Any]:
    """What a rubric sees of a fact kind, as data: the same for a Python class and a declaration.

    The label, and per field its kind, whether it may be missing, its default (absent when the
    field is required), its closed vocabulary (a ``Literal`` type) and whether the kind derives
    it (``init=False``). A field that may be left out unless a rule reads it
    (:data:`~assessment_engine.facts.READ_REQUIRED`) is required, as a rubric sees it: the
    records it reads always have it. Not the class's import path, and not its validators: two
    classes that read the same records the same way hash alike, wherever they are defined.
    """
    fields: dict[str, Any] = {}
    own = attrs.fields_dict(cls)
    for name, spec in fact_fields(cls).items():
        field = own[name]
        if field.metadata.get(READ_REQUIRED):  # required wherever a rubric reads it
            fields[name] = {"kind": spec.kind, "optional": False}
            continue
        entry: dict[str, Any] = {"kind": spec.kind, "optional": spec.optional}
        default: Any = field.default
        if not field.init:
            entry["derived"] = True
        elif isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            entry["default"] = _serial.to_data(_plain_default(default.factory()))
        elif default is not attrs.NOTHING:
            entry["default"] = _serial.to_data(_plain_default(default))
        tp = field.type
        if typing.get_origin(tp) in (typing.Union, types.UnionType):
            tp = next(a for a in typing.get_args(tp) if a is not type(None))
        if typing.get_origin(tp) is Literal:
            entry["values"] = sorted(typing.get_args(tp), key=repr)
        fields[name] = entry
    return {"label": cls.fact_label, "fields": fields}


def _plain_default(value: object) -> object:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def fact_types_from_data(
    data: Mapping[str, Any], *, check_fields: bool = True
) -> dict[str, type[Fact]]:
    """The fact classes a rubric's data names, by kind, imported by their paths.

    :param data: a rubric's plain data (:meth:`Rubric.to_data`); its ``fact_types`` are read.
    :param check_fields: also check that each class is still a fact class of its kind with the
        fields the data lists (name, kind of value, optional); without it, only that it imports
        (enough to read facts, not to rebuild the rubric).
    :raises RubricDataError: naming every class that cannot be imported, is not a fact class of
        its kind, or whose fields changed (``field 'leader' added``).
    """
    section = data.get("fact_types") if isinstance(data, Mapping) else None
    if not isinstance(section, Mapping):
        raise RubricDataError(
            [f"rubric data: fact_types must map each kind to its class, got {section!r}"]
        )
    problems: list[str] = []
    found: dict[str, type[Fact]] = {}
    for kind, spec in section.items():
        if not (isinstance(spec, Mapping) and isinstance(spec.get("class"), str)):
            problems.append(
                f"fact kind {kind!r}: the data names no class to import (write it with"
                " Rubric.to_data(classes=True))"
            )
            continue
        cls = _imported(kind, spec["class"], problems)
        if cls is None:
            continue
        if check_fields and not _same(kind, cls, spec, problems):
            continue
        found[kind] = cls
    if problems:
        raise RubricDataError(problems)
    return found


def _imported(kind: str, path: str, problems: list[str]) -> type[Fact] | None:
    module_name, _, qualname = path.rpartition(".")
    try:
        obj: Any = importlib.import_module(module_name)
        for part in qualname.split("."):
            obj = getattr(obj, part)
    except Exception as exc:  # whatever importing the plugin's module raises
        problems.append(
            f"fact kind {kind!r}: its class {path} cannot be imported"
            f" ({type(exc).__name__}: {exc}); install the plugin that provides it"
        )
        return None
    return obj  # type: ignore[no-any-return]


def _same(kind: str, cls: type[Fact], spec: Mapping[str, Any], problems: list[str]) -> bool:
    """Whether ``cls`` is still the fact class ``spec`` describes (else a problem says how)."""
    path = spec["class"]
    try:
        now_kind = validate_fact_type(cls)
    except (TypeError, ValueError) as exc:
        problems.append(f"fact kind {kind!r}: {path} is not a fact class any more: {exc}")
        return False
    if now_kind != kind:
        problems.append(f"fact kind {kind!r} ({path}) changed: it is now kind {now_kind!r}")
        return False
    stored = {k: v for k, v in spec.items() if k != "class"}
    now = fact_type_data(cls)
    if stored == now:
        return True
    changes = []
    if stored.get("label") != now["label"]:
        changes.append(f"label was {stored.get('label')!r}, now {now['label']!r}")
    was, fields = dict(stored.get("fields", {})), now["fields"]
    for name in sorted(was.keys() | fields.keys()):
        if name not in fields:
            changes.append(f"field {name!r} removed")
        elif name not in was:
            changes.append(f"field {name!r} added")
        elif was[name] != fields[name]:
            changes.append(
                f"field {name!r} was {_field_text(was[name])}, now {_field_text(fields[name])}"
            )
    problems.append(f"fact kind {kind!r} ({path}) changed: {', '.join(changes)}")
    return False


def _field_text(entry: object) -> str:
    """A field's data form in words: ``number, optional, default 0``."""
    if not isinstance(entry, Mapping):
        return repr(entry)
    words = [str(entry.get("kind"))]
    if entry.get("optional"):
        words.append("optional")
    if entry.get("derived"):
        words.append("derived")
    if "default" in entry:
        words.append(f"default {entry['default']!r}")
    if "values" in entry:
        words.append(f"one of {entry['values']!r}")
    return ", ".join(words)
