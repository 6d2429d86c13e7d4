"""The fill-in template for facts: an XLSX workbook (a sheet per kind) or one CSV file."""

from __future__ import annotations

import csv
import datetime
import io
import typing
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from .._base.hints import did_you_mean
from ..facts import TAG, Fact, Team, field_specs
from ._converter import converter_for
from ._rows import init_fields
from ._types import PathLike
from ._xlsx import column_letter, openpyxl_module

__all__ = ["FIELDS_SHEET", "field_description", "template_kinds", "write_template"]

#: The template's sheet describing every column (skipped when the workbook is read).
FIELDS_SHEET = "_fields"


def template_kinds(
    fact_types: Mapping[str, type[Fact]] | None = None, kinds: Iterable[str] | None = None
) -> list[str]:
    """The kinds a template holds: all of ``fact_types``, or ``kinds`` and ``team`` (first).

    :raises ValueError: for a kind that is not among ``fact_types``.
    """
    _, known = converter_for(fact_types)
    chosen = list(dict.fromkeys(kinds)) if kinds is not None else sorted(known)
    if Team.fact_kind not in chosen:
        chosen.append(Team.fact_kind)
    for kind in chosen:
        if kind not in known:
            raise ValueError(
                f"unknown fact kind {kind!r}{did_you_mean(kind, known)};"
                f" known kinds: {', '.join(sorted(known))}"
            )
    return sorted(chosen, key=lambda k: (k != Team.fact_kind, k))


def _type_text(tp: Any) -> str:
    if typing.get_origin(tp) is Literal:
        return "one of " + ", ".join(str(v) for v in typing.get_args(tp))
    if tp is int:
        return "whole number"
    if tp is Decimal:
        return "number"
    if tp is bool:
        return "true or false"
    if tp is datetime.date:
        return "date (YYYY-MM-DD)"
    if typing.get_origin(tp) is frozenset:
        return "tags, separated by ;"
    return "text"


def field_description(cls: type[Fact], field: str) -> tuple[str, str]:
    """A field's type in words and its default (``"required"`` when it has none)."""
    spec = field_specs(cls)[field]
    if spec.required:
        return _type_text(spec.type), "required"
    default = spec.default
    if default is None:
        shown = "empty"
    elif isinstance(default, frozenset):
        shown = "no tags" if not default else ";".join(sorted(default))
    elif isinstance(default, bool):
        shown = "true" if default else "false"
    elif default == "":
        shown = "empty text"
    else:
        shown = str(default)
    return _type_text(spec.type), f"default: {shown}"


def write_template(
    path: PathLike,
    *,
    fact_types: Mapping[str, type[Fact]] | None = None,
    kinds: Iterable[str] | None = None,
) -> list[str]:
    """Write the fill-in template for facts and return the kinds it holds.

    ``.xlsx``: one sheet per kind with its column headers (each header's comment gives the
    field's type and default) and a ``_fields`` sheet describing every column. ``.csv``: one
    file with a ``fact`` column and every column of the kinds (UTF-8 with a byte-order mark, so
    that Excel shows Chinese text).

    :param fact_types: the kinds to offer (``engine.rubric.fact_types``); ``None``: built-ins.
    :param kinds: only these kinds (``team`` is always first).
    :raises ValueError: for an unknown kind or a suffix other than ``.xlsx`` and ``.csv``.
    :raises OSError: when the file cannot be written.
    """
    _, known = converter_for(fact_types)
    chosen = template_kinds(fact_types, kinds)
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        columns: list[str] = [TAG]
        for kind in chosen:
            columns += [f for f in init_fields(known[kind]) if f not in columns]
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(columns)
        Path(path).write_text(buffer.getvalue(), encoding="utf-8-sig")
        return chosen
    if suffix != ".xlsx":
        raise ValueError(f"a template is .xlsx or .csv, not {suffix or '(no suffix)'!r}")
    _write_xlsx_template(path, chosen, known)
    return chosen


def _write_xlsx_template(
    path: PathLike, chosen: Sequence[str], known: Mapping[str, type[Fact]]
) -> None:
    openpyxl = openpyxl_module()
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    described: list[tuple[str, str, str, str, str]] = []
    for kind in chosen:
        cls = known[kind]
        sheet = workbook.create_sheet(kind)
        for number, field in enumerate(init_fields(cls), start=1):
            type_text, default = field_description(cls, field)
            cell = sheet.cell(row=1, column=number, value=field)
            cell.font = bold
            cell.comment = Comment(f"{field}: {type_text}; {default}", "assessment-engine")
            sheet.column_dimensions[column_letter(number)].width = max(12, len(field) + 4)
            described.append(
                (kind, str(cls.__dict__.get("fact_label", kind)), field, type_text, default)
            )
        sheet.freeze_panes = "A2"
    about = workbook.create_sheet(FIELDS_SHEET)
    about.append(["kind", "label", "field", "type", "default"])
    for cell in about[1]:
        cell.font = bold
    for row in described:
        about.append(list(row))
    for letter, width in zip("ABCDE", (22, 36, 16, 40, 22), strict=True):
        about.column_dimensions[letter].width = width
    workbook.save(path)
