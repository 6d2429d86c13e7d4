"""What the workbooks and CSV files the project writes share: safe text, widths, same bytes.

* **Formula injection** (CSV injection; OWASP's guidance): a spreadsheet evaluates a cell
  whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return. In CSV such a
  text gets a leading ``'`` (:func:`csv_text`); in a workbook every text is stored as a string
  cell, never a formula, and those texts also get Excel's quote prefix, so that editing the
  cell does not turn it into one (:func:`store_text`).
* **Widths**: a column fits its widest text, East Asian characters counting two
  (:func:`display_width`).
* **Labels**: the office's language first — ``党建`` — and the English gloss of a
  ``中文 (English)`` label only when asked (:func:`label_text`, :func:`words`).
* **Same bytes**: a workbook's zip entries and document properties carry no clock
  (:func:`fixed_zip`), so the same results give the same file.
"""

from __future__ import annotations

import datetime
import io
import re
import unicodedata
import zipfile
from typing import Any, Final

__all__ = [
    "FIXED_TIME",
    "FORMULA_START",
    "ILLEGAL_IN_XLSX",
    "csv_text",
    "display_width",
    "fixed_zip",
    "label_text",
    "needs_quote",
    "split_label",
    "store_text",
    "words",
    "xlsx_text",
]

#: The characters a spreadsheet reads as the start of a formula (with their full-width forms,
#: which some input methods turn into formulas too).
FORMULA_START: Final = frozenset("=+-@\t\r＝＋－＠")

#: The characters an XLSX file cannot hold (XML 1.0 forbids them).
ILLEGAL_IN_XLSX: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")

#: The time written into workbooks (their zip entries and document properties).
FIXED_TIME: Final = datetime.datetime(1980, 1, 1)


def needs_quote(text: str) -> bool:
    """Whether a spreadsheet would evaluate ``text`` as a formula."""
    return bool(text) and text[0] in FORMULA_START


def csv_text(text: str) -> str:
    """A CSV cell's text that no spreadsheet evaluates: ``'=1+1`` for ``=1+1``."""
    return "'" + text if needs_quote(text) else text


def xlsx_text(text: str) -> str:
    r"""Text an XLSX cell can hold: the control characters XML forbids written as ``\x1b``."""
    return ILLEGAL_IN_XLSX.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def store_text(cell: Any, text: str) -> Any:
    """Put ``text`` into an openpyxl cell as a string, never a formula; return the cell.

    A text a spreadsheet would evaluate also gets the quote prefix (shown as a leading ``'``
    in the formula bar), so that editing the cell keeps it text.
    """
    cell.value = xlsx_text(text)
    cell.data_type = "s"
    if needs_quote(text):
        cell.quotePrefix = True
    return cell


def display_width(text: str) -> int:
    """The columns ``text`` takes on screen: East Asian wide characters count two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
_STAMP = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()


def fixed_zip(data: bytes) -> bytes:
    """The zip archive ``data`` with its entries and modification time at :data:`FIXED_TIME`.

    The same content then gives the same bytes, whenever it is saved.
    """
    stamp = FIXED_TIME.timetuple()[:6]
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the time of saving
                data = _MODIFIED.sub(rb"\g<1>" + _STAMP + rb"\g<2>", data)
            target.writestr(entry, data)
    return out.getvalue()


def split_label(label: str) -> tuple[str, str | None]:
    """A ``中文 (English gloss)`` label as ``("中文", "English gloss")``; no gloss: ``None``."""
    head, sep, rest = label.partition(" (")
    if sep and head and rest.endswith(")"):
        return head, rest[:-1]
    return label, None


def label_text(label: str, gloss: bool) -> str:
    """A rubric label for a spreadsheet: the Chinese part, or all of it with ``gloss``."""
    return label if gloss else split_label(label)[0]


def words(chinese: str, english: str, gloss: bool) -> str:
    """``排名``, or ``排名 (rank)`` with ``gloss``."""
    return f"{chinese} ({english})" if gloss else chinese
