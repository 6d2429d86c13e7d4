"""Rubric objects to and from plain data (JSON-ready), and the rubric's content hash.

The data form is explicit and stable: every object is ``{"type": "<ClassName>", <fields>}``
(a field added later, marked :data:`~._values.OMIT_DEFAULT`, only when it is not at its default),
decimals are exact strings, sets are sorted lists, and a condition constant keeps its type
(``{"number": "90"}`` for a number, a plain string for text, ``true``/``false`` for a flag).
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs

from .._base.numbers import exact_text
from . import conditions, model, scoring
from ._values import OMIT_DEFAULT

__all__ = ["content_hash", "from_data", "to_data"]

_CLASSES: dict[str, type] = {}
for _module in (conditions, scoring, model):
    for _name in _module.__all__:
        _obj = getattr(_module, _name)
        if isinstance(_obj, type) and attrs.has(_obj):
            _CLASSES[_obj.__name__] = _obj


def _value_to_data(value: object) -> Any:
    if isinstance(value, Decimal):
        return {"number": exact_text(value)}
    return value


def _value_from_data(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"number"}:
        return Decimal(value["number"])
    return value


def to_data(obj: Any) -> Any:
    """Plain, JSON-ready data for a rubric object (recursively)."""
    if attrs.has(type(obj)):
        name = type(obj).__name__
        data: dict[str, Any] = {"type": name}
        for field in attrs.fields(type(obj)):
            value = getattr(obj, field.name)
            if field.metadata.get(OMIT_DEFAULT) and value == field.default:
                continue  # a later field at its default: the data of earlier rubrics
            if (name, field.name) == ("Compare", "value"):
                data[field.name] = _value_to_data(value)
            elif (name, field.name) == ("OneOf", "values"):
                data[field.name] = sorted(
                    (_value_to_data(x) for x in value), key=lambda x: json.dumps(x, sort_keys=True)
                )
            else:
                data[field.name] = to_data(value)
        return data
    if isinstance(obj, Decimal | Fraction):
        return exact_text(obj)
    if isinstance(obj, tuple | list):
        return [to_data(x) for x in obj]
    if isinstance(obj, frozenset | set):
        return sorted(to_data(x) for x in obj)
    if obj is None or isinstance(obj, bool | int | str):
        return obj
    raise TypeError(f"cannot turn {type(obj).__name__} into rubric data")


def from_data(data: Any) -> Any:
    """Rebuild rubric objects from :func:`to_data`'s form; validation runs as on construction."""
    if isinstance(data, dict):
        if "type" not in data:
            raise ValueError(f"rubric data object without 'type': {sorted(data)}")
        name = data["type"]
        cls = _CLASSES.get(name)
        if cls is None:
            raise ValueError(f"unknown rubric object type {name!r}")
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            if key == "type":
                continue
            if (name, key) == ("Compare", "value"):
                kwargs[key] = _value_from_data(value)
            elif (name, key) == ("OneOf", "values"):
                kwargs[key] = [_value_from_data(x) for x in value]
            else:
                kwargs[key] = from_data(value)
        if name in ("AllOf", "AnyOf"):
            return cls(*kwargs["items"])
        return cls(**kwargs)
    if isinstance(data, list):
        return tuple(from_data(x) for x in data)
    return data


def content_hash(payload: Any) -> str:
    """The content hash of plain data: SHA-256 of its canonical JSON (sorted keys, compact, UTF-8).

    Of a rubric's data it is the rubric's hash: ``content_hash(rubric.to_data()) ==
    rubric.content_hash``, so that stored rubric data can be checked without rebuilding it. The
    fact classes' import paths of ``to_data(classes=True)`` are left out: where a class is
    defined is not part of what the rubric decides.
    """
    kinds = payload.get("fact_types") if isinstance(payload, dict) else None
    if isinstance(kinds, dict) and any(
        isinstance(v, dict) and "class" in v for v in kinds.values()
    ):
        payload = {
            **payload,
            "fact_types": {
                k: {f: x for f, x in v.items() if f != "class"} if isinstance(v, dict) else v
                for k, v in kinds.items()
            },
        }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
