"""Fact classes in a rubric's plain data: each kind's import path and fields, and back.

A rubric's data names each fact kind's class by its import path and lists the fields a rubric
can reference (name, kind of value, optional), so that the data says what the rubric assumed of
its facts. Reading it back imports each class by that path and checks that it is still a fact
class of that kind with those fields: a plugin that was uninstalled or changed is named, with
the difference, instead of a rubric built on classes that are not what they were.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from ..errors import RubricDataError
from ..facts import Fact, fact_fields, validate_fact_type

__all__ = ["fact_type_data", "fact_types_from_data"]


def fact_type_data(cls: type[Fact]) -> dict[str, Any]:
    """A fact class as a rubric's data holds it.

    ``{"class": "MODULE.CLASS", "fields": {NAME: [KIND, OPTIONAL], ...}}``, the fields those a
    rubric can reference (:func:`~assessment_engine.facts.fact_fields`).
    """
    return {
        "class": f"{cls.__module__}.{cls.__qualname__}",
        "fields": {name: [spec.kind, spec.optional] for name, spec in fact_fields(cls).items()},
    }


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
            problems.append(f"fact kind {kind!r}: expected {{'class': PATH, 'fields': ...}}")
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
    stored = {name: tuple(value) for name, value in dict(spec.get("fields", {})).items()}
    now = {name: (f.kind, f.optional) for name, f in fact_fields(cls).items()}
    if stored == now:
        return True
    changes = []
    for name in sorted(stored.keys() | now.keys()):
        if name not in now:
            changes.append(f"field {name!r} removed")
        elif name not in stored:
            changes.append(f"field {name!r} added")
        elif stored[name] != now[name]:
            changes.append(f"field {name!r} was {list(stored[name])}, now {list(now[name])}")
    problems.append(f"fact kind {kind!r} ({path}) changed: {', '.join(changes)}")
    return False
