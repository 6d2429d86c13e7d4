"""Writing a workbook's sheets: streamed rows, fitted widths, frozen headers, autofilter.

openpyxl's write-only mode keeps memory flat for 100,000 teams. A column's width must be set
before the first row is written, so each sheet holds its first rows back (up to
:data:`SAMPLE_ROWS`), fits every column to their widest text — East Asian characters counting
two — and then streams the rest. Text is always stored as a string cell, never a formula
(``_base/sheets.store_text``); numbers get a fixed number format (``0.00`` for points).
"""

from __future__ import annotations

import contextlib
import io
import os
import zipfile
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import IO, Any, Final

from .._base.numbers import exact_text
from .._base.sheets import FIXED_TIME, display_width, fixed_zip, store_text

__all__ = [
    "MAX_ROWS",
    "POINTS",
    "SAMPLE_ROWS",
    "WHOLE",
    "Sheet",
    "safe_title",
    "save",
    "writing",
]

#: The number format of points and scores.
POINTS: Final = "0.00"
#: The number format of whole numbers (ranks, counts).
WHOLE: Final = "0"
#: Rows a sheet holds back to fit its column widths.
SAMPLE_ROWS: Final = 1000
#: The most rows an Excel sheet holds.
MAX_ROWS: Final = 1_048_576

_MIN_WIDTH: Final = 6
_MAX_WIDTH: Final = 60
_BAD_TITLE: Final = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))

Value = str | int | Decimal | None


def safe_title(title: str, taken: set[str]) -> str:
    r"""A sheet name Excel accepts (31 characters, none of ``[]:*?/\``), unique in ``taken``."""
    base = title.translate(_BAD_TITLE).strip("'").strip() or "sheet"
    name = base[:31]
    number = 2
    while name.casefold() in taken:
        suffix = f" ({number})"
        name = base[: 31 - len(suffix)] + suffix
        number += 1
    taken.add(name.casefold())
    return name


def _text(value: Value, fmt: str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal) and fmt == POINTS:
        return f"{value:.2f}"
    if isinstance(value, Decimal):
        return exact_text(value)
    return str(value)


class Sheet:
    """One sheet: a bold header row (frozen, with an autofilter), then rows of values.

    :param book: an openpyxl write-only workbook.
    :param title: the sheet's name (made safe and unique with :func:`safe_title`).
    :param headers: the column names.
    :param formats: each column's number format (``None``: text).
    :param comments: header comments by column index.
    :param freeze: the first cell that scrolls (``"D2"``: the header and three columns stay).
    :param wrap: the columns whose long text wraps instead of widening the column.
    """

    def __init__(
        self,
        book: Any,
        title: str,
        headers: Sequence[str],
        formats: Sequence[str | None],
        *,
        taken: set[str],
        comments: dict[int, str] | None = None,
        freeze: str = "A2",
        wrap: frozenset[int] = frozenset(),
    ) -> None:
        from openpyxl.styles import Alignment, Font

        self._book = book
        self.title = safe_title(title, taken)
        self._sheet = book.create_sheet(self.title)
        self._headers = list(headers)
        self._formats = list(formats)
        self._comments = comments or {}
        self._freeze = freeze
        self._wrap = wrap
        self._bold = Font(bold=True)
        self._wrapped = Alignment(wrap_text=True, vertical="top")
        self._pending: list[Sequence[Value]] | None = []
        self._widths = [display_width(h) for h in self._headers]
        self.rows = 0

    def append(self, values: Sequence[Value]) -> None:
        """Add one row (as many values as headers)."""
        self.rows += 1
        if self._pending is None:
            self._write(values)
            return
        self._pending.append(values)
        for index, value in enumerate(values):
            width = display_width(_text(value, self._formats[index]))
            if width > self._widths[index]:
                self._widths[index] = width
        if len(self._pending) >= SAMPLE_ROWS:
            self._start()

    @property
    def full(self) -> bool:
        """Whether the sheet holds as many rows as Excel allows (the header included)."""
        return self.rows + 1 >= MAX_ROWS

    def _start(self) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.comments import Comment
        from openpyxl.utils import get_column_letter

        sheet = self._sheet
        for index, width in enumerate(self._widths):
            shown = min(_MAX_WIDTH if index not in self._wrap else 40, max(_MIN_WIDTH, width + 2))
            sheet.column_dimensions[get_column_letter(index + 1)].width = shown
        sheet.freeze_panes = self._freeze
        header = []
        for index, name in enumerate(self._headers):
            cell = store_text(WriteOnlyCell(sheet), name)
            cell.font = self._bold
            if index in self._comments:
                cell.comment = Comment(self._comments[index], "assessment-engine")
            header.append(cell)
        sheet.append(header)
        pending, self._pending = self._pending or [], None
        for values in pending:
            self._write(values)

    def _write(self, values: Sequence[Value]) -> None:
        from openpyxl.cell import WriteOnlyCell

        sheet = self._sheet
        cells: list[Any] = []
        for index, value in enumerate(values):
            fmt = self._formats[index]
            if value is None:
                cells.append(None)
            elif isinstance(value, str):
                cell = store_text(WriteOnlyCell(sheet), value)
                if index in self._wrap:
                    cell.alignment = self._wrapped
                cells.append(cell)
            else:
                cell = WriteOnlyCell(sheet, value=value)
                if fmt is not None:
                    cell.number_format = fmt
                cells.append(cell)
        sheet.append(cells)

    def close(self) -> None:
        """Write what is held back and set the autofilter over every row."""
        from openpyxl.utils import get_column_letter

        if self._pending is not None:
            self._start()
        last = get_column_letter(max(1, len(self._headers)))
        self._sheet.auto_filter.ref = f"A1:{last}{self.rows + 1}"


def save(book: Any, target: str | IO[bytes] | Any) -> None:
    """Save a workbook to a path or a binary file: the same results give the same bytes."""
    book.properties.created = FIXED_TIME
    book.properties.modified = FIXED_TIME
    book.properties.creator = "assessment-engine"
    buffer = io.BytesIO()
    _save_to(book, buffer)
    data = fixed_zip(buffer.getvalue())
    if hasattr(target, "write"):
        target.write(data)
        return
    with open(target, "wb") as handle:
        handle.write(data)


def _save_to(book: Any, buffer: io.BytesIO) -> None:
    # openpyxl's save_workbook, with the archive closed here when writing fails: left to the
    # garbage collector, a half-written archive fails again in ``ZipFile.__del__`` (printed as
    # an ignored exception when the process exits, Python 3.13)
    from openpyxl.writer.excel import ExcelWriter

    archive = zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    try:
        ExcelWriter(book, archive).save()
    except BaseException:
        with contextlib.suppress(BaseException):
            archive.close()
        archive.fp = None  # nothing left for __del__ to close
        raise


@contextlib.contextmanager
def writing(book: Any) -> Iterator[Any]:
    """The block that writes ``book``: when it fails, the half-written sheets are discarded.

    openpyxl's write-only sheets stream into temporary files through generators; after an
    error (a full disk) those are closed here and their files removed, instead of failing
    again when the interpreter exits.
    """
    try:
        yield book
    except BaseException:
        for sheet in getattr(book, "_sheets", ()):
            writer = getattr(sheet, "_writer", None)
            for stream in (getattr(sheet, "_rows", None), getattr(writer, "xf", None)):
                if stream is not None:
                    with contextlib.suppress(BaseException):
                        stream.close()
            out = getattr(writer, "out", None)
            if isinstance(out, str):
                with contextlib.suppress(OSError):
                    os.remove(out)
        raise
