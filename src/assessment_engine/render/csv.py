"""The ranking as CSV text: a header row, then one row per team in rank order.

Numbers stay exact: cells hold the exact decimal text (``87.6``); titles are shown by label.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from .._base.numbers import exact_text
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
    return str(value)


def render(report: Report) -> str:
    """The ranking as CSV text (a header row, then one row per team in rank order)."""
    headers, rows = ranking_table(report)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    return buffer.getvalue()
