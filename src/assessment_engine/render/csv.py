"""The ranking as CSV text: a header row, then one row per team in rank order.

Numbers stay exact: cells hold the exact decimal text (``87.6``); titles are shown by label.
The column names are ids (``rank``, ``pb``, ``pb grade``): CSV is the ranking for programs, the
workbook (:mod:`.xlsx`) the one for people. A text a spreadsheet would evaluate as a formula
(``=HYPERLINK(...)`` in a department, ``-1`` as a name) gets a leading ``'``.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from .._base.numbers import exact_text
from .._base.progress import ProgressCallback, ticker
from .._base.sheets import csv_text
from ..report import Report
from ._table import Cell, ranking_table

__all__ = ["render"]


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return exact_text(value)
    if isinstance(value, int):
        return str(value)
    return csv_text(value)


def render(report: Report, *, progress: ProgressCallback | None = None) -> str:
    """The ranking as CSV text (a header row, then one row per team in rank order).

    :param progress: told how many teams are written (step ``"writing"``).
    """
    headers, rows = ranking_table(report)
    tick = ticker(progress, "writing", len(rows))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([csv_text(h) for h in headers])
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
        tick.advance()
    tick.finish()
    return buffer.getvalue()
