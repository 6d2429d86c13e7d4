"""The fill-in template for facts: an XLSX workbook (a sheet per kind) or one CSV file.

The workbook is for the people who fill it in: each kind's sheet has its field names as the
header row (the names the readers expect: the template is read back as it is), bold and
frozen, with an autofilter, columns as wide as their text (Chinese characters counting two),
and **drop-downs** (data validation) for every field with a closed vocabulary
(``FieldSpec.vocabulary``) and for flags; whole numbers, numbers and their bounds
(``FieldSpec.minimum``/``maximum``) are validated too. Selecting a header or a cell shows the
field's type and default in Chinese (with ``gloss=True`` also in English). The drop-downs'
lists live in a hidden ``_lists`` sheet, so that values with commas or quotes work; the
readers skip every sheet whose name starts with ``_``. The same kinds give the same bytes.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import typing
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Final, Literal

from .._base.hints import did_you_mean
from .._base.sheets import FIXED_TIME, display_width, fixed_zip, label_text, store_text, words
from ..facts import TAG, Fact, FieldSpec, Team, field_specs
from ._converter import converter_for
from ._rows import init_fields
from ._types import PathLike
from ._xlsx import column_letter, openpyxl_module

__all__ = [
    "FIELDS_SHEET",
    "LISTS_SHEET",
    "TemplateFormat",
    "field_description",
    "template_kinds",
    "write_template",
]

#: The template's sheet describing every column (skipped when the workbook is read).
FIELDS_SHEET: Final = "_填写说明"
#: The hidden sheet holding the drop-downs' lists (skipped when the workbook is read).
LISTS_SHEET: Final = "_lists"

TemplateFormat = Literal["xlsx", "csv"]

_LAST_ROW: Final = 1_048_576
#: A flag's drop-down: the office's words (the loaders also take true/false and yes/no).
_FLAGS: Final = ("是", "否")
#: The defaults ``field_description`` words in English, in Chinese.
_DEFAULT_WORDS: Final = {
    "empty": "空",
    "no tags": "无标签",
    "empty text": "空文本",
    "false": "否",
    "true": "是",
}


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
        return "yes or no (是/否, true/false)"
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
    path: PathLike | IO[bytes],
    *,
    fact_types: Mapping[str, type[Fact]] | None = None,
    kinds: Iterable[str] | None = None,
    format: TemplateFormat | None = None,
    gloss: bool = False,
) -> list[str]:
    """Write the fill-in template for facts and return the kinds it holds.

    ``.xlsx``: one sheet per kind with its column headers, drop-downs and validation (see the
    module's documentation) and a ``_填写说明`` sheet describing every column. ``.csv``: one
    file with a ``fact`` column and every column of the kinds (UTF-8 with a byte-order mark, so
    that Excel shows Chinese text).

    :param path: the file, or a binary file object (then ``format`` is needed).
    :param fact_types: the kinds to offer (``engine.rubric.fact_types``); ``None``: built-ins.
    :param kinds: only these kinds (``team`` is always first).
    :param format: ``"xlsx"`` or ``"csv"``; by default the path's suffix.
    :param gloss: the descriptions also in English (``整数 (whole number)``).
    :raises ValueError: for an unknown kind or a suffix other than ``.xlsx`` and ``.csv``.
    :raises OSError: when the file cannot be written.
    """
    _, known = converter_for(fact_types)
    chosen = template_kinds(fact_types, kinds)
    if format is None:
        if not isinstance(path, str | os.PathLike):
            raise ValueError("a template written to a file object needs format='xlsx' or 'csv'")
        suffix = Path(path).suffix.lower()
        if suffix not in (".csv", ".xlsx"):
            raise ValueError(f"a template is .xlsx or .csv, not {suffix or '(no suffix)'!r}")
        format = "csv" if suffix == ".csv" else "xlsx"
    if format == "csv":
        columns: list[str] = [TAG]
        for kind in chosen:
            columns += [f for f in init_fields(known[kind]) if f not in columns]
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(columns)
        _write_bytes(path, buffer.getvalue().encode("utf-8-sig"))
        return chosen
    _write_bytes(path, _xlsx_template(chosen, known, gloss))
    return chosen


def _write_bytes(path: PathLike | IO[bytes], data: bytes) -> None:
    if isinstance(path, str | os.PathLike):
        Path(path).write_bytes(data)
    else:
        path.write(data)


def _type_words(spec: FieldSpec, gloss: bool) -> str:
    tp = spec.type
    if spec.vocabulary is not None:
        return words("可选值", "one of", gloss) + ": " + ", ".join(str(v) for v in spec.vocabulary)
    if tp is int:
        return words("整数", "whole number", gloss)
    if tp is Decimal:
        return words("数字", "number", gloss)
    if tp is bool:
        return words("是/否", "yes or no", gloss)
    if tp is datetime.date:
        return words("日期 YYYY-MM-DD", "date", gloss)
    if typing.get_origin(tp) is frozenset:
        return words("标签，用 ; 分隔", "tags, separated by ;", gloss)
    return words("文本", "text", gloss)


def _default_words(cls: type[Fact], field: str, gloss: bool) -> str:
    _, default = field_description(cls, field)
    if default == "required":
        return words("必填", "required", gloss)
    shown = default.removeprefix("default: ")
    chinese = _DEFAULT_WORDS.get(shown)
    if chinese is not None:
        shown = words(chinese, shown, gloss)
    return words("默认", "default", gloss) + ": " + shown


def _bounds(spec: FieldSpec) -> tuple[str, str | None, str | None] | None:
    """Data validation of a number field: (operator, formula1, formula2), or None."""
    low, high = spec.minimum, spec.maximum
    whole = spec.type is int
    if low is not None and spec.minimum_strict and whole:
        low, low_strict = low + 1, False
    else:
        low_strict = spec.minimum_strict
    if high is not None and spec.maximum_strict and whole:
        high, high_strict = high - 1, False
    else:
        high_strict = spec.maximum_strict
    if low is not None and high is not None and not low_strict and not high_strict:
        return "between", str(low), str(high)
    if low is not None:
        return ("greaterThan" if low_strict else "greaterThanOrEqual"), str(low), None
    if high is not None:
        return ("lessThan" if high_strict else "lessThanOrEqual"), str(high), None
    return None


class _Validations:
    """The drop-downs and number checks of one sheet, their lists in the hidden sheet."""

    def __init__(self, lists: Any, gloss: bool) -> None:
        self._lists = lists
        self._gloss = gloss
        self._columns: dict[tuple[str, ...], str] = {}

    def _list_range(self, values: tuple[str, ...]) -> str:
        from openpyxl.utils import get_column_letter, quote_sheetname

        found = self._columns.get(values)
        if found is None:
            column = len(self._columns) + 1
            for row, value in enumerate(values, start=1):
                store_text(self._lists.cell(row=row, column=column), value)
            letter = get_column_letter(column)
            found = f"{quote_sheetname(LISTS_SHEET)}!${letter}$1:${letter}${len(values)}"
            self._columns[values] = found
        return found

    def add(self, sheet: Any, letter: str, spec: FieldSpec, prompt: str) -> None:
        from openpyxl.worksheet.datavalidation import DataValidation

        cells = f"{letter}2:{letter}{_LAST_ROW}"
        checked: DataValidation | None = None
        if spec.vocabulary is not None or spec.type is bool:
            values = _FLAGS if spec.type is bool else tuple(str(v) for v in spec.vocabulary or ())
            checked = DataValidation(type="list", formula1=self._list_range(values))
            checked.error = words("请从下拉列表中选择", "choose a value from the list", self._gloss)
        elif spec.type in (int, Decimal):
            bounds = _bounds(spec)
            kind = "whole" if spec.type is int else "decimal"
            if bounds is not None:
                operator, low, high = bounds
                checked = DataValidation(type=kind, operator=operator, formula1=low, formula2=high)
            else:
                checked = DataValidation(
                    type=kind, operator="between", formula1="-999999999999999",
                    formula2="999999999999999",
                )  # fmt: skip
            checked.error = words("请填写数字", "type a number", self._gloss) + ": " + prompt
        if checked is None:
            checked = DataValidation(type=None)  # a prompt only
        checked.allow_blank = True
        checked.showErrorMessage = checked.type is not None
        checked.errorTitle = spec.name
        checked.promptTitle = spec.name
        checked.prompt = prompt[:255]
        checked.showInputMessage = True
        checked.add(cells)
        sheet.add_data_validation(checked)


def _xlsx_template(chosen: Sequence[str], known: Mapping[str, type[Fact]], gloss: bool) -> bytes:
    openpyxl = openpyxl_module()
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    described: list[list[str]] = []
    sheets = []
    for kind in chosen:
        cls = known[kind]
        sheets.append(workbook.create_sheet(kind))
    lists = workbook.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    for kind, sheet in zip(chosen, sheets, strict=True):
        cls = known[kind]
        specs = field_specs(cls)
        validations = _Validations(lists, gloss)
        fields = init_fields(cls)
        for number, field in enumerate(fields, start=1):
            spec = specs[field]
            type_words = _type_words(spec, gloss)
            default = _default_words(cls, field, gloss)
            prompt = f"{type_words}; {default}"
            cell = store_text(sheet.cell(row=1, column=number), field)
            cell.font = bold
            cell.comment = Comment(f"{field}: {prompt}", "assessment-engine")
            letter = column_letter(number)
            widest = max(
                [display_width(field), *(display_width(str(v)) for v in spec.vocabulary or ())]
            )
            sheet.column_dimensions[letter].width = min(40, max(12, widest + 4))
            validations.add(sheet, letter, spec, prompt)
            label = label_text(str(cls.__dict__.get("fact_label", kind)), gloss)
            choices = ", ".join(str(v) for v in spec.vocabulary) if spec.vocabulary else ""
            described.append([kind, label, field, type_words, default, choices])
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = f"A1:{column_letter(max(1, len(fields)))}1"
    about = workbook.create_sheet(FIELDS_SHEET)
    headers = [
        words("类别", "kind", gloss),
        words("名称", "label", gloss),
        words("字段", "field", gloss),
        words("类型", "type", gloss),
        words("默认", "default", gloss),
        words("可选值", "choices", gloss),
    ]
    rows = [headers, *described]
    for row_number, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            cell = store_text(about.cell(row=row_number, column=column), value)
            if row_number == 1:
                cell.font = bold
    for column in range(1, len(headers) + 1):
        widest = max(display_width(r[column - 1]) for r in rows)
        about.column_dimensions[column_letter(column)].width = min(60, max(10, widest + 2))
    about.freeze_panes = "A2"
    about.auto_filter.ref = f"A1:{column_letter(len(headers))}{len(rows)}"
    # the fields sheet first after the kinds; the hidden lists last
    workbook.move_sheet(about, offset=-1)
    workbook.properties.created = workbook.properties.modified = FIXED_TIME
    workbook.properties.creator = "assessment-engine"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return fixed_zip(buffer.getvalue())
