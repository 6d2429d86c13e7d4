"""Reading the ``[fact.<kind>]`` declarations of a file into fact classes.

Private to the package; :mod:`._kinds` builds the classes, this module reads and checks the
declarations' tables, each problem at its key.
"""

from __future__ import annotations

import datetime
import keyword
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final

from ..._base.hints import did_you_mean
from ...facts import Record
from ._kinds import FIELD_TYPES, FieldDeclaration, KindDeclaration, build_fact_type
from ._positions import Path
from ._reader import BAD, Reader

__all__ = ["KIND_NAME", "DeclarationReader"]

#: A fact kind's or a declared field's name.
KIND_NAME: Final = re.compile(r"[a-z][a-z0-9_]*")
_FACT_KEYS: Final = ("label", "description", "fields")
_FIELD_KEYS: Final = (
    "type",
    "optional",
    "default",
    "values",
    "min",
    "max",
    "non_empty",
    "derived",
    "description",
)


class DeclarationReader(Reader):
    """Reads the fact kinds a file declares (before its sections, which may select them)."""

    def kinds(self, data: Mapping[str, Any]) -> list[type[Record]]:
        declared = data.get("fact", {})
        if not isinstance(declared, dict):
            self.problem(("fact",), "expected tables: [fact.<kind>]")
            return []
        result: list[type[Record]] = []
        for kind, table in declared.items():
            path: Path = ("fact", kind)
            if not KIND_NAME.fullmatch(kind):
                self.problem(path, f"a fact kind is a lower-case identifier, not {kind!r}")
                continue
            if not isinstance(table, dict):
                self.problem(path, "expected a table with label and fields")
                continue
            self.unknown_keys(table, _FACT_KEYS, path, f"fact kind {kind!r}")
            label = table.get("label")
            if not isinstance(label, str) or not label.strip():
                self.problem(path, "a fact kind needs a label (text)")
                continue
            fields = [
                self.field_declaration(name, spec, (*path, "fields", name))
                for name, spec in self.table(table.get("fields", {}), (*path, "fields")).items()
            ]
            if any(f is None for f in fields):
                continue
            decl = KindDeclaration(
                kind=kind,
                label=label,
                description=self.text_of(table, "description", path),
                fields=tuple(f for f in fields if f is not None),
            )
            try:
                cls = build_fact_type(decl)
            except (TypeError, ValueError) as exc:
                self.problem(path, str(exc))
                continue
            self.locations[f"fact:{kind}"] = self.positions.key(path)
            result.append(cls)
        return result

    def field_declaration(self, name: str, spec: object, path: Path) -> FieldDeclaration | None:
        if not isinstance(spec, dict):
            self.problem(path, 'expected a table such as { type = "text" }')
            return None
        if not KIND_NAME.fullmatch(name) or keyword.iskeyword(name):
            self.problem(path, f"a field name is a lower-case identifier, not {name!r}")
            return None
        before = len(self.problems)
        self.unknown_keys(spec, _FIELD_KEYS, path, f"field {name!r}")
        kind = spec.get("type")
        if not isinstance(kind, str) or kind not in FIELD_TYPES:
            self.problem(
                (*path, "type"),
                f"type must be one of {', '.join(FIELD_TYPES)}, got {kind!r}"
                + (did_you_mean(kind, FIELD_TYPES) if isinstance(kind, str) else ""),
            )
            return None
        args: dict[str, Any] = {"name": name, "type": kind}
        for key in ("optional", "non_empty"):
            if key in spec:
                if not isinstance(spec[key], bool):
                    self.problem((*path, key), f"{key} is true or false")
                args[key] = spec[key]
        if "values" in spec:
            values = spec["values"]
            if (
                kind != "text"
                or not isinstance(values, list)
                or not values
                or not all(isinstance(x, str) for x in values)
            ):
                self.problem(
                    (*path, "values"), "values is a non-empty list of texts, for a text field"
                )
            else:
                args["values"] = tuple(values)
        for key in ("min", "max"):
            if key in spec:
                bound = spec[key]
                if (
                    kind not in ("integer", "number")
                    or isinstance(bound, bool)
                    or not isinstance(bound, int | Decimal)
                ):
                    self.problem((*path, key), f"{key} is a number, for an integer or number field")
                else:
                    args[key] = Decimal(bound)
        if "derived" in spec:
            if not isinstance(spec["derived"], str):
                self.problem((*path, "derived"), 'derived is a derivation such as "quarter(date)"')
            elif "default" in spec:
                self.problem((*path, "derived"), "a derived field has no default")
            else:
                args["derived"] = spec["derived"]
        if "default" in spec:
            default = self.default(kind, spec["default"], (*path, "default"))
            if default is not BAD:
                args["default"] = default
        if "description" in spec:
            args["description"] = self.text_of(spec, "description", path)
        if len(self.problems) > before:
            return None
        try:
            return FieldDeclaration(**args)
        except (TypeError, ValueError) as exc:
            self.problem(path, str(exc))
            return None

    def default(self, kind: str, value: object, path: Path) -> object:
        python = FIELD_TYPES[kind]
        if kind == "tags" and isinstance(value, list) and all(isinstance(x, str) for x in value):
            return frozenset(value)
        if kind == "number" and isinstance(value, int | Decimal) and not isinstance(value, bool):
            return Decimal(value)
        if kind == "date" and type(value) is datetime.date:
            return value
        if kind == "integer" and isinstance(value, int) and not isinstance(value, bool):
            return value
        if kind in ("text", "flag") and type(value) is python:
            return value
        return self.problem(path, f"the default of a {kind} field must be a {kind}, got {value!r}")
