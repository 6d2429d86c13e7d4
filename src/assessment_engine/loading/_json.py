"""JSON facts files: a list of records, or an object ``{"facts": [...]}``."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import cattrs

from .._base.hints import did_you_mean
from .._base.numbers import brief
from ._converter import describe
from ._files import read_text
from ._problems import Loaded
from ._types import PathLike

__all__ = ["read_json"]


class _JsonObject(dict[str, Any]):
    """A JSON object that remembers keys given more than once (``json`` keeps only the last)."""

    duplicates: tuple[str, ...] = ()


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object as a dict; one with a key given twice remembers which (the slow case)."""
    plain = dict(pairs)
    if len(plain) == len(pairs):
        return plain
    result = _JsonObject()
    duplicates: list[str] = []
    for key, value in pairs:
        if key in result and key not in duplicates:
            duplicates.append(key)
        result[key] = value
    result.duplicates = tuple(duplicates)
    return result


def _json_int(text: str) -> int | Decimal:
    """A JSON integer; one too long for an int (past 18 digits) is kept as a Decimal.

    The checks then refuse it as too large, with its field; ``int()`` of 5,000 digits would
    fail the interpreter's conversion limit with no location.
    """
    return int(text) if len(text) <= 18 else Decimal(text)


def read_json(path: PathLike, converter: cattrs.Converter) -> Loaded:
    loaded = Loaded(os.fspath(path))
    text = read_text(path, loaded)
    if text is None:
        return loaded
    try:
        document = json.loads(
            text,
            parse_float=Decimal,
            parse_int=_json_int,
            parse_constant=Decimal,
            object_pairs_hook=_json_object,
        )
    except json.JSONDecodeError as exc:
        loaded.file_problem(
            f"not valid JSON: {exc.msg}", record=f"line {exc.lineno}, column {exc.colno}"
        )
        return loaded
    except RecursionError:
        loaded.file_problem("not usable JSON: nested too deeply")
        return loaded
    records: object = document
    if isinstance(document, Mapping):
        if "facts" not in document:
            loaded.file_problem(
                'expected a list of records or an object {"facts": [...]},'
                " got an object without a 'facts' key",
                record="top level",
            )
            return loaded
        for key in sorted(set(document) - {"facts"}):
            loaded.file_problem(
                f"unknown key {brief(key)} at the top level{did_you_mean(key, ['facts'])};"
                ' expected {"facts": [...]}',
                record="top level",
                field=key,
            )
        records = document["facts"]
    if not isinstance(records, list):
        loaded.file_problem(
            f'expected a list of records or an object {{"facts": [...]}}, got {describe(records)}',
            record="top level",
        )
        return loaded
    for index, raw in enumerate(records):
        location = f"record {index}"
        if isinstance(raw, _JsonObject) and raw.duplicates:
            for key in raw.duplicates:
                loaded.file_problem("given more than once in this record", location, key)
        loaded.add(converter, raw, location)
    return loaded
