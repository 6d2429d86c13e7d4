"""The JSON Schema of rubric files, generated from the same codecs the loader reads by.

Editors use it for completion and checks as one types (Taplo / "Even Better TOML" read a
``#:schema docs/rubric-file.schema.json`` first line). It checks a file's shape — keys, types,
one scoring form per indicator — not what only the loader can: expressions, references, the
model's own rules. ``docs/rubric-file.schema.json`` is this function's output, and a test keeps
it so.
"""

from __future__ import annotations

import inspect
from typing import Any, Final

from .. import Band
from ._codecs import FORMS, SECTIONS, Codec, fields_of, list_form
from ._kinds import FIELD_TYPES
from ._load import FORMAT_VERSION

__all__ = ["SCHEMA_ID", "json_schema"]

#: The schema's ``$id``.
SCHEMA_ID: Final = "https://example.invalid/assessment-engine/rubric-file.schema.json"
_EXPRESSIONS: Final = {
    "condition": "A condition in the expression language, e.g."
    " \"count(incident where kind == 'accident') > 0\".",
    "quantity": "A quantity in the expression language, e.g. \"metric('on_time_rate')\".",
    "selection": "A selection in the expression language, e.g."
    " \"activity where kind == 'volunteer'\".",
}


def _summary(cls: type) -> str:
    doc = inspect.getdoc(cls) or cls.__name__
    return doc.split("\n\n")[0].replace("\n", " ")


class _Builder:
    def __init__(self) -> None:
        self.defs: dict[str, Any] = {}

    def ref(self, cls: type) -> dict[str, Any]:
        name = cls.__name__
        if name not in self.defs:
            self.defs[name] = {}  # reserve: classes may refer to themselves
            self.defs[name] = self.table(cls)
        return {"$ref": f"#/$defs/{name}"}

    def codec(self, codec: Codec) -> dict[str, Any]:
        kind = codec.kind
        if kind == "text":
            return {"type": "string"}
        if kind == "integer":
            return {"type": "integer"}
        if kind == "flag":
            return {"type": "boolean"}
        if kind == "number":
            return {"type": "number"}
        if kind == "share":
            return {
                "description": 'An exact share: a decimal (0.1) or a fraction in quotes ("1/3").',
                "type": ["number", "string"],
            }
        if kind == "choice":
            return {"enum": list(codec.choices)}
        if kind == "texts":
            return {"type": "array", "items": {"type": "string"}}
        if kind in _EXPRESSIONS:
            return {"type": "string", "description": _EXPRESSIONS[kind]}
        if kind == "conditions":
            return {"type": "array", "items": self.codec(Codec("condition")), "minItems": 1}
        if kind == "points":
            from .. import PointsBy

            return {"oneOf": [{"type": "number"}, self.ref(PointsBy)]}
        if kind == "table":
            return {"type": "object", "additionalProperties": {"type": "number"}}
        if kind == "list":
            assert codec.cls is not None
            return {"type": "array", "items": self.ref(codec.cls)}
        assert kind == "object"
        assert codec.cls is not None
        return self.ref(codec.cls)

    def table(self, cls: type) -> dict[str, Any]:
        properties: dict[str, Any] = {}
        required: list[str] = []
        scoring = False
        for form in fields_of(cls):
            if form.codec.kind == "scoring":
                scoring = True
                for name, form_cls in FORMS.items():
                    only = list_form(form_cls)
                    properties[name] = self.codec(only.codec) if only else self.ref(form_cls)
                continue
            schema = self.codec(form.codec)
            if form.takes_none:
                schema = {"oneOf": [schema, {"const": "none"}]}
            properties[form.name] = schema
            if form.required:
                required.append(form.name)
        result: dict[str, Any] = {
            "description": _summary(cls),
            "type": "object",
            "properties": properties,
            "additionalProperties": False,
        }
        if required:
            result["required"] = required
        if scoring:
            result["oneOf"] = [{"required": [name]} for name in FORMS]
        if cls is Band:
            result["oneOf"] = [{"required": ["at_least"]}, {"required": ["above"]}]
        return result


def _fact_kind() -> dict[str, Any]:
    field = {
        "type": "object",
        "properties": {
            "type": {"enum": list(FIELD_TYPES)},
            "optional": {"type": "boolean"},
            "default": {},
            "values": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "min": {"type": "number"},
            "max": {"type": "number"},
            "non_empty": {"type": "boolean"},
            "derived": {
                "type": "string",
                "description": "quarter(FIELD), month(FIELD), year(FIELD) or"
                " concat(FIELD or 'text', ...)",
            },
            "description": {"type": "string"},
        },
        "required": ["type"],
        "additionalProperties": False,
    }
    return {
        "description": "A fact kind declared as data: its label and fields (beyond team, period,"
        " id and tags).",
        "type": "object",
        "properties": {
            "label": {"type": "string", "minLength": 1},
            "description": {"type": "string"},
            "fields": {"type": "object", "additionalProperties": field},
        },
        "required": ["label"],
        "additionalProperties": False,
    }


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a rubric file's data."""
    builder = _Builder()
    properties: dict[str, Any] = {
        "rubric": {
            "type": "object",
            "properties": {
                "format": {"const": FORMAT_VERSION},
                "description": {"type": "string"},
            },
            "additionalProperties": False,
        },
        "fact": {
            "type": "object",
            "propertyNames": {"pattern": "^[a-z][a-z0-9_]*$"},
            "additionalProperties": _fact_kind(),
        },
    }
    for key, (cls, array) in SECTIONS.items():
        ref = builder.ref(cls)
        properties[key] = {"type": "array", "items": ref} if array else ref
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "assessment_engine rubric file",
        "description": "A rule set as data (docs/rubric-files.md).",
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
        "$defs": dict(sorted(builder.defs.items())),
    }
