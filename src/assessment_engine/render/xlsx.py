"""The results workbook: the ranking, one sheet per dimension, and what produced it.

XLSX cells hold numbers written from the exact decimals; titles are shown by label.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from .._base.numbers import exact_text
from .._base.optional import require
from ..errors import SpreadsheetUnavailableError
from ..report import Report
from ._table import ranking_table

__all__ = ["ABOUT_SHEET", "RANKING_SHEET", "render"]

RANKING_SHEET = "ranking"
ABOUT_SHEET = "about"


def render(report: Report, path: str | Path, *, advance: Callable[[], None] | None = None) -> None:
    """Write the results workbook.

    Sheets: ``ranking`` (the columns of :func:`ranking_table`), one sheet per dimension named by
    its id (rank, team, name, each indicator's points — the header's comment gives its label
    and maximum —, bonus, penalty, score, grade), and ``about`` (period, rubric hash, engine).

    :param advance: called once per team written (for a progress bar).
    """
    openpyxl = require(
        "openpyxl",
        extra="cli",
        purpose="writing XLSX workbooks",
        error=SpreadsheetUnavailableError,
    )
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    def clean(values: list[Any]) -> list[Any]:
        """Control characters cannot be stored in a workbook: they are left out."""
        return [ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in values]

    bold = Font(bold=True)
    workbook = openpyxl.Workbook()
    ranking = workbook.active
    ranking.title = RANKING_SHEET
    headers, rows = ranking_table(report)
    ranking.append(headers)
    for values in rows:
        ranking.append(clean(list(values)))
    rubric = report.rubric
    scaled = {s.of for s in rubric.grade_scales}
    sheets = {}
    for dim in rubric.dimensions:
        sheet = workbook.create_sheet(dim.id[:31])
        indicators = [i for i in rubric.indicators if i.dimension == dim.id]
        sheet.append(
            ["rank", "team", "name"]
            + [i.id for i in indicators]
            + ["bonus", "penalty", "score"]
            + (["grade"] if dim.id in scaled else [])
        )
        for column, indicator in enumerate(indicators, start=4):
            label = f"{indicator.label}, max {exact_text(indicator.max)}"
            sheet.cell(row=1, column=column).comment = Comment(label, "assessment-engine")
        sheets[dim.id] = (sheet, indicators)
    for assessment in report:
        for result in assessment.dimensions:
            sheet, indicators = sheets[result.id]
            points = {i.id: i.points for i in result.indicators}
            row: list[Any] = [assessment.rank, assessment.team, assessment.name]
            row += [points.get(i.id) for i in indicators]
            row += [result.bonus, result.penalty, result.score]
            if result.id in scaled:
                row.append(result.grade.label if result.grade else None)
            sheet.append(clean(row))
        if advance is not None:
            advance()
    about = workbook.create_sheet(ABOUT_SHEET)
    for key, value in (
        ("period", report.period),
        ("teams", len(report)),
        ("rubric hash", report.rubric_hash),
        ("engine version", report.engine_version),
    ):
        about.append([key, value])
    for sheet in workbook.worksheets:
        if sheet.title != ABOUT_SHEET:
            for cell in sheet[1]:
                cell.font = bold
            sheet.freeze_panes = "A2"
    workbook.save(path)
