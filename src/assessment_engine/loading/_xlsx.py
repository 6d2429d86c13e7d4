"""Facts in spreadsheets: read XLSX workbooks, write the fill-in template (XLSX or CSV).

The layout (``docs/cli.md`` and ``docs/facts.md`` describe it for data owners):

* **one sheet per fact kind**: the sheet is named after the kind (``team``, ``member``, or a
  plural such as ``members``), its first row names the columns — the kind's field names — and
  every further row is one record; or
* **a sheet with a ``fact`` column**, whatever its name, naming each row's kind (as in a mixed
  CSV file);
* sheets whose name starts with ``_`` are skipped (the template's ``_fields`` sheet describes
  every column), and so are empty sheets.

Cells are read as a CSV file's cells would be, through the same converter, so validation and
error messages are the same as for JSON and CSV; a problem is located as ``sheet member, row 7``
(Excel's row number). An empty cell means "not given". Numbers typed into text columns (a
period ``2024``, an id ``7``) are read as their text; dates may be date cells or
``YYYY-MM-DD`` text; formulas are read as the value Excel last computed. A cell formatted as a
percentage is refused: Excel stores 96.5 % as 0.965, while the rule sets read rates as percent
numbers (96.5) — type the number itself.

openpyxl is needed for XLSX (``pip install 'assessment-engine[cli]'``); it is imported only when
a workbook is read or written.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import typing
import warnings
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import attrs

from .._base.hints import did_you_mean
from ..errors import AssessmentError
from ..facts import Fact, Team
from ..factset import FactSet
from ..whatif._facts import field_types
from . import PathLike, _check_header, _Columns, _finish, _init_fields, _Loaded
from ._converter import TAG, converter_for

if TYPE_CHECKING:
    import cattrs

__all__ = [
    "SpreadsheetUnavailableError",
    "field_description",
    "load_xlsx",
    "template_kinds",
    "write_template",
]

#: The prefix of sheets that are not read (notes, the template's field descriptions).
SKIPPED_PREFIX = "_"
FIELDS_SHEET = "_fields"


class SpreadsheetUnavailableError(AssessmentError, ImportError):
    """openpyxl, needed to read or write XLSX workbooks, is not installed."""


def _openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError as exc:  # pragma: no cover - the cli extra installs it
        raise SpreadsheetUnavailableError(
            "reading and writing XLSX workbooks needs openpyxl:"
            " pip install 'assessment-engine[cli]' (or pip install openpyxl)"
        ) from exc
    return openpyxl


# ----------------------------------------------------------------------------- reading
def _cell_text(cell: Any) -> str | None:
    """A cell's value as the text a CSV cell would hold (``None`` when empty)."""
    value = cell.value
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal) and "%" in str(getattr(cell, "number_format", "")):
        raise ValueError(
            f"this cell is formatted as a percentage, so it holds {value!r}; type the number"
            " itself (96.5 for 96.5 %) in a cell formatted as a plain number"
        )
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip() or None


def _header(row: Sequence[Any]) -> list[str]:
    names = [_cell_header(cell) for cell in row]
    while names and not names[-1]:
        names.pop()
    return names


def _cell_header(cell: Any) -> str:
    value = cell.value
    if value is None:
        return ""
    return str(value).strip()


def _read_sheet(
    sheet: Any, loaded: _Loaded, converter: cattrs.Converter, kinds: Mapping[str, type[Fact]]
) -> None:
    name = str(sheet.title)
    rows = sheet.iter_rows()
    first = next(rows, None)
    header = _header(first) if first is not None else []
    if not header:
        return  # an empty sheet
    columns = _check_header(
        header,
        name,
        loaded,
        kinds,
        where=f"sheet {name}, row 1",
        no_kind_where=f"sheet {name}",
        column_label=_letter,
        no_kind=lambda hint: (
            f"the sheet name {name!r} names no fact kind{hint} and the sheet has no {TAG!r}"
            f" column; name the sheet after a kind (e.g. member), add a {TAG!r} column, or start"
            f" the name with {SKIPPED_PREFIX!r} to skip the sheet; known kinds:"
            f" {', '.join(sorted(kinds))}"
        ),
    )
    if columns is None:
        return
    for number, row in enumerate(rows, start=2):
        _read_row(row, number, name, columns, loaded, converter)


def _read_row(
    row: Sequence[Any],
    number: int,
    sheet: str,
    columns: _Columns,
    loaded: _Loaded,
    converter: cattrs.Converter,
) -> None:
    location = f"sheet {sheet}, row {number}"
    header = columns.names
    record = columns.new_record()
    problems = False
    empty = True
    for index, cell in enumerate(row):
        try:
            text = _cell_text(cell)
        except ValueError as exc:
            column = header[index] if index < len(header) else _letter(index + 1)
            loaded.file_problem(str(exc), location, column)
            problems, empty = True, False
            continue
        if text is None:
            continue
        empty = False
        if index >= len(header):
            loaded.file_problem(
                f"column {_letter(index + 1)} has a value but no name in row 1", location
            )
            problems = True
        elif columns.used[index]:
            record[header[index]] = text
    if not empty and not problems:
        loaded.add(converter, record, location)


def _letter(number: int) -> str:
    """Excel's name of a column: 1 → A, 27 → AA."""
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(number))


def _read_xlsx(
    path: PathLike, converter: cattrs.Converter, kinds: Mapping[str, type[Fact]]
) -> _Loaded:
    openpyxl = _openpyxl()
    loaded = _Loaded(os.fspath(path))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        loaded.file_problem("file not found")
        return loaded
    except IsADirectoryError:
        loaded.file_problem("this is a directory, not a file")
        return loaded
    except PermissionError:
        loaded.file_problem("permission denied: the file cannot be read")
        return loaded
    except Exception as exc:  # a bad zip, a missing part, openpyxl's own errors, ...
        loaded.file_problem(f"not a readable XLSX workbook ({type(exc).__name__}: {exc})")
        return loaded
    try:
        with warnings.catch_warnings():
            # openpyxl warns about what it drops (styles, data validation, ...): values stay
            warnings.simplefilter("ignore", UserWarning)
            for sheet in workbook.worksheets:
                if str(sheet.title).startswith(SKIPPED_PREFIX):
                    continue
                _read_sheet(sheet, loaded, converter, kinds)
    finally:
        workbook.close()
    return loaded


def load_xlsx(path: PathLike, *, fact_types: Mapping[str, type[Fact]] | None = None) -> FactSet:
    """Load facts from an XLSX workbook (one sheet per kind, or sheets with a ``fact`` column).

    :param path: the workbook; its path as given is the ``source`` of every problem.
    :param fact_types: the kinds to accept (``engine.rubric.fact_types``); ``None`` means the
        built-in kinds.
    :raises InputError: with every problem found (``sheet member, row 7``); nothing is
        returned then.
    :raises SpreadsheetUnavailableError: when openpyxl is not installed.
    """
    converter, kinds = converter_for(fact_types)
    return _finish([_read_xlsx(path, converter, kinds)])


# ----------------------------------------------------------------------------- the template
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
    tp, required = field_types(cls)[field]
    if required:
        return _type_text(tp), "required"
    default: Any = attrs.fields_dict(cls)[field].default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        default = None if default.takes_self else default.factory()
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
    return _type_text(tp), f"default: {shown}"


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
            columns += [f for f in _init_fields(known[kind]) if f not in columns]
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
    openpyxl = _openpyxl()
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    described: list[tuple[str, str, str, str, str]] = []
    for kind in chosen:
        cls = known[kind]
        sheet = workbook.create_sheet(kind)
        for number, field in enumerate(_init_fields(cls), start=1):
            type_text, default = field_description(cls, field)
            cell = sheet.cell(row=1, column=number, value=field)
            cell.font = bold
            cell.comment = Comment(f"{field}: {type_text}; {default}", "assessment-engine")
            sheet.column_dimensions[_letter(number)].width = max(12, len(field) + 4)
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
