"""XLSX workbooks of facts: one sheet per kind, or sheets with a ``fact`` column.

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
``YYYY-MM-DD`` text; formulas are read as the value Excel last computed, and a formula with no
computed value (saved by a tool that does not calculate) is refused by its cell. The sheet's
declared ``<dimension>`` is not trusted: every row present is read. A cell formatted as a
percentage is refused: Excel stores 96.5 % as 0.965, while the rule sets read rates as percent
numbers (96.5) — type the number itself.

openpyxl is needed for XLSX (``pip install 'assessment-engine[cli]'``); it is imported only when
a workbook is read or written.
"""

from __future__ import annotations

import datetime
import os
import warnings
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import cattrs

from .._base.limits import zip_problem
from .._base.optional import require
from ..errors import SpreadsheetUnavailableError
from ..facts import TAG, Fact
from ._files import checked_file
from ._problems import Loaded
from ._rows import Columns, check_header
from ._types import PathLike
from ._xlsx_formulas import uncomputed_formulas

__all__ = [
    "SKIPPED_PREFIX",
    "column_letter",
    "openpyxl_module",
    "read_xlsx",
]


#: The prefix of sheets that are not read (notes, the template's field descriptions).
SKIPPED_PREFIX = "_"


def openpyxl_module() -> Any:
    """openpyxl, imported when a workbook is first read or written."""
    return require(
        "openpyxl",
        extra="cli",
        purpose="reading and writing XLSX workbooks",
        error=SpreadsheetUnavailableError,
    )


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
    sheet: Any,
    loaded: Loaded,
    converter: cattrs.Converter,
    kinds: Mapping[str, type[Fact]],
    formulas: Mapping[tuple[int, int], str],
) -> None:
    name = str(sheet.title)
    # the <dimension> a workbook declares is not trusted: stale, it drops rows past it or
    # refuses valid ones; huge (A1:XFD1048576), it pads every row to 16,384 cells
    sheet.reset_dimensions()
    rows = sheet.iter_rows(min_row=1, min_col=1)
    first = next(rows, None)
    header = _header(first) if first is not None else []
    if not header:
        return  # an empty sheet
    columns = check_header(
        header,
        name,
        loaded,
        kinds,
        where=f"sheet {name}, row 1",
        no_kind_where=f"sheet {name}",
        column_label=column_letter,
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
        _read_row(row, number, name, columns, loaded, converter, formulas)


def _read_row(
    row: Sequence[Any],
    number: int,
    sheet: str,
    columns: Columns,
    loaded: Loaded,
    converter: cattrs.Converter,
    formulas: Mapping[tuple[int, int], str],
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
            column = header[index] if index < len(header) else column_letter(index + 1)
            loaded.file_problem(str(exc), location, column)
            problems, empty = True, False
            continue
        if text is None:
            formula = formulas.get((number, index + 1)) if formulas else None
            if formula is None:
                continue
            column = header[index] if index < len(header) else column_letter(index + 1)
            loaded.file_problem(
                f"cell {formula} is a formula with no computed value (the tool that saved the"
                " workbook did not calculate it); open and save the workbook in Excel or"
                " LibreOffice, or type the value",
                location,
                column,
            )
            problems, empty = True, False
            continue
        empty = False
        if index >= len(header):
            loaded.file_problem(
                f"column {column_letter(index + 1)} has a value but no name in row 1", location
            )
            problems = True
        elif columns.used[index]:
            record[header[index]] = text
    if not empty and not problems:
        loaded.add(converter, record, location)


def column_letter(number: int) -> str:
    """Excel's name of a column: 1 → A, 27 → AA."""
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(number))


def _read_sheets(
    workbook: Any,
    loaded: Loaded,
    converter: cattrs.Converter,
    kinds: Mapping[str, type[Fact]],
    formulas: Mapping[str, Mapping[tuple[int, int], str]],
) -> None:
    with warnings.catch_warnings():
        # openpyxl warns about what it drops (styles, data validation, ...): values stay
        warnings.simplefilter("ignore", UserWarning)
        for sheet in workbook.worksheets:
            title = str(sheet.title)
            if title.startswith(SKIPPED_PREFIX):
                continue
            try:
                _read_sheet(sheet, loaded, converter, kinds, formulas.get(title, {}))
            except Exception as exc:  # the sheet's XML is broken: openpyxl fails mid-sheet
                loaded.file_problem(
                    f"the sheet is not readable XLSX ({type(exc).__name__}: {exc})",
                    f"sheet {title}",
                )


def read_xlsx(
    path: PathLike, converter: cattrs.Converter, kinds: Mapping[str, type[Fact]]
) -> Loaded:
    openpyxl = openpyxl_module()
    loaded = Loaded(os.fspath(path))
    if not checked_file(path, loaded):
        return loaded
    problem = zip_problem(path)
    if problem is not None:
        loaded.file_problem(problem)
        return loaded
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below, also when openpyxl fails
    except FileNotFoundError:
        loaded.file_problem("file not found")
        return loaded
    except IsADirectoryError:
        loaded.file_problem("this is a directory, not a file")
        return loaded
    except PermissionError:
        loaded.file_problem("permission denied: the file cannot be read")
        return loaded
    except OSError as exc:
        loaded.file_problem(f"the file cannot be read: {exc.strerror or exc}")
        return loaded
    with handle:  # openpyxl leaves its archive open when a workbook fails to load
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except Exception as exc:  # a bad zip, a missing part, openpyxl's own errors, ...
            loaded.file_problem(f"not a readable XLSX workbook ({type(exc).__name__}: {exc})")
            return loaded
        try:
            _read_sheets(workbook, loaded, converter, kinds, uncomputed_formulas(os.fspath(path)))
        finally:
            workbook.close()
    return loaded
