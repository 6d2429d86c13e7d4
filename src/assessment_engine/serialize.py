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
from .results import Assessment, Grade, QuotaResult, Standing

__all__ = ["assessment_from_data", "converter", "dumps", "standing_to_data"]

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


def _label(grade: Grade | None) -> str | None:
    return None if grade is None else grade.label


def standing_to_data(standing: Standing) -> dict[str, Any]:
    """One line of the ranking as plain data: the lean results' entry for a team.

    ``{"team", "name", "department", "rank", "composite", "grade", "scores", "grades",
    "titles", "vetoed"}``: ``grade`` is the composite grade's label (``null`` without a
    composite scale, or for no grade); ``scores`` and ``grades`` map dimension ids, in the
    rubric's order, to the exact score and to the grade's label (``null`` for a dimension
    without a grade scale); ``titles`` are title ids in the rubric's order.
    """
    return {
        "team": standing.team,
        "name": standing.name,
        "department": standing.department,
        "rank": standing.rank,
        "composite": exact_text(standing.composite),
        "grade": _label(standing.grade),
        "scores": {d: exact_text(s) for d, s in standing.dimension_scores},
        "grades": {
            d: _label(g) for d, g in zip(standing.dimension_ids, standing.grades, strict=True)
        },
        "titles": list(standing.titles),
        "vetoed": standing.vetoed,
    }


def quota_to_data(quota: QuotaResult) -> dict[str, Any]:
    """A quota's use as plain data."""
    return converter.unstructure(quota)  # type: ignore[no-any-return]


def assessment_from_data(data: dict[str, Any]) -> Assessment:
    """Rebuild an assessment from :func:`assessment_to_data`'s form."""
    return converter.structure(data, Assessment)
