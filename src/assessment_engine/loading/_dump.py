"""Writing facts as JSON that the JSON reader reads back to equal facts."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from ..facts import BUILTIN_FACT_TYPES, TAG, Fact, validate_fact_type
from ._converter import converter_for

__all__ = ["dump_json"]


def _sort_key(record: Mapping[str, Any]) -> tuple[str, str, str, str, str]:
    return (
        record["period"],
        record["team"],
        record[TAG],
        record.get("id", ""),
        json.dumps(record, ensure_ascii=False, sort_keys=True),
    )


def dump_json(facts: Iterable[Fact]) -> str:
    """Facts as JSON text that :func:`load_json` reads back to equal facts.

    (Facts of kinds from plugins load back with ``fact_types=engine.rubric.fact_types``.)

    Deterministic: records are sorted by period, team, fact kind and id; fields keep their
    class order; numbers are exact strings in positional notation (``"12.50"``), dates
    ``YYYY-MM-DD``, tags a sorted list. The form is ``{"facts": [...]}``, indented, UTF-8
    characters kept, with a final newline.

    :raises TypeError: for an item that is not a fact.
    :raises ValueError: for a fact whose class is not a registrable fact type, or two classes
        with the same kind.
    """
    items = list(facts)
    kinds: dict[str, type[Fact]] = {}
    for item in items:
        if not isinstance(item, Fact):
            raise TypeError(f"expected a fact, got {type(item).__name__}")
        cls = type(item)
        kind = validate_fact_type(cls)
        if kinds.setdefault(kind, cls) is not cls:
            raise ValueError(f"two classes have the fact kind {kind!r}: {kinds[kind]} and {cls}")
    converter, _ = converter_for({**{c.fact_kind: c for c in BUILTIN_FACT_TYPES}, **kinds})
    records = sorted((converter.unstructure(item) for item in items), key=_sort_key)
    return json.dumps({"facts": records}, ensure_ascii=False, indent=2) + "\n"
