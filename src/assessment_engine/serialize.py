"""JSON for results, through one project-owned cattrs converter.

Numbers are written as exact strings (``"12.5"``, ``"20/3"`` for a ratio that does not
terminate), keys in the classes' field order, so the same assessment always gives the same
bytes. :func:`assessment_from_data` reads an assessment back.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import cattrs

from ._base.numbers import exact_text
from .results import Assessment, QuotaResult

__all__ = ["assessment_from_data", "converter", "dumps"]

#: The converter every result goes through (never cattrs' global one).
converter = cattrs.Converter(forbid_extra_keys=True)
converter.register_unstructure_hook(Decimal, exact_text)
converter.register_structure_hook(Decimal, lambda value, _: Decimal(value))


def dumps(data: Any, *, indent: int | None = None) -> str:
    """Canonical JSON text: UTF-8 characters kept, compact (or indented), a final newline."""
    if indent is None:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"
    return json.dumps(data, ensure_ascii=False, indent=indent) + "\n"


def assessment_to_data(assessment: Assessment) -> dict[str, Any]:
    """An assessment as plain data."""
    return converter.unstructure(assessment)  # type: ignore[no-any-return]


def quota_to_data(quota: QuotaResult) -> dict[str, Any]:
    """A quota's use as plain data."""
    return converter.unstructure(quota)  # type: ignore[no-any-return]


def assessment_from_data(data: dict[str, Any]) -> Assessment:
    """Rebuild an assessment from :func:`assessment_to_data`'s form."""
    return converter.structure(data, Assessment)
