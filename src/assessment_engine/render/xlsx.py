"""The results workbook an assessment office hands round, in the office's language.

Sheets, named and headed in Chinese — the rubric's labels as it states them, without their
English gloss unless ``gloss=True`` (``党建`` or ``党建 (party building)``):

* ``排名`` (ranking): rank, team id, team, department, composite and its grade, each
  dimension's score and grade, titles, vetoed (是/否);
* one sheet per dimension, named by its label: rank, team id, team, each indicator's points
  (the header's comment gives its full label, id and maximum), bonus, penalty, score, grade;
* ``得分明细`` (score details): every team's explanation, one row per line — dimension, kind
  (indicator, bonus, penalty, veto), item, its id, the line, its points, why, the facts —
  continued on ``得分明细 (2)`` ... past Excel's 1,048,576 rows (left out with
  ``details=False``);
* ``说明`` (about): period, team count, rubric hash, engine version.

Points and scores are numbers written from the exact decimals, shown as ``0.00``; columns fit
their text (Chinese characters counting two); headers are bold and frozen, with an autofilter;
text is always a string cell, never a formula. The same report gives the same bytes.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Final

from .._base.numbers import exact_text
from .._base.optional import require
from .._base.progress import ProgressCallback, ticker
from .._base.sheets import label_text, split_label, words
from ..errors import SpreadsheetUnavailableError
from ..report import Report
from ..results import Assessment, FactRef
from ._workbook import POINTS, WHOLE, Sheet, save, writing

__all__ = ["ABOUT_SHEET", "DETAIL_SHEET", "RANKING_SHEET", "render", "sheet_title"]

#: The sheets' names (with ``gloss=True``: ``排名 (ranking)`` and so on).
RANKING_SHEET: Final = ("排名", "ranking")
DETAIL_SHEET: Final = ("得分明细", "score details")
ABOUT_SHEET: Final = ("说明", "about")

_W: Final = {
    "rank": ("排名", "rank"),
    "team_id": ("班组编号", "team id"),
    "team": ("班组", "team"),
    "department": ("部门", "department"),
    "composite": ("综合得分", "composite"),
    "grade": ("综合等级", "composite grade"),
    "titles": ("称号", "titles"),
    "vetoed": ("一票否决", "vetoed"),
    "bonus": ("加分", "bonus"),
    "penalty": ("扣分", "penalty"),
    "score": ("得分", "score"),
    "dim_grade": ("等级", "grade"),
    "dimension": ("维度", "dimension"),
    "kind": ("类别", "kind"),
    "item": ("项目", "item"),
    "id": ("编号", "id"),
    "line": ("明细", "line"),
    "points": ("得分", "points"),
    "why": ("说明", "why"),
    "facts": ("依据", "facts"),
    "indicator": ("指标", "indicator"),
    "veto": ("一票否决", "veto"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "period": ("期间", "period"),
    "teams": ("班组数", "teams"),
    "hash": ("规则集哈希", "rubric hash"),
    "version": ("引擎版本", "engine version"),
    "max": ("满分", "max"),
    "value": ("内容", "value"),
}


def sheet_title(name: tuple[str, str], gloss: bool = False) -> str:
    """A fixed sheet's name: ``排名``, or ``排名 (ranking)`` with ``gloss``."""
    return words(*name, gloss)


def _facts(refs: tuple[FactRef, ...]) -> str:
    return ", ".join(f"{r.kind} {r.id}" + (f" ({r.detail})" if r.detail else "") for r in refs)


class _Words:
    def __init__(self, gloss: bool) -> None:
        self.gloss = gloss

    def __call__(self, key: str) -> str:
        return words(*_W[key], self.gloss)

    def label(self, label: str) -> str:
        return label_text(label, self.gloss)

    def grade_of(self, label: str) -> str:
        """``党建等级`` (``党建等级 (party building grade)``) for a dimension's label."""
        chinese, english = split_label(label)
        return words(f"{chinese}等级", f"{english or chinese} grade", self.gloss)


def _ranking(book: Any, report: Report, w: _Words, taken: set[str]) -> None:
    rubric = report.rubric
    scaled = {s.of for s in rubric.grade_scales}
    headers = [w("rank"), w("team_id"), w("team"), w("department"), w("composite")]
    formats: list[str | None] = [WHOLE, None, None, None, POINTS]
    if None in scaled:
        headers.append(w("grade"))
        formats.append(None)
    for dim in rubric.dimensions:
        headers.append(w.label(dim.label))
        formats.append(POINTS)
        if dim.id in scaled:
            headers.append(w.grade_of(dim.label))
            formats.append(None)
    headers += [w("titles"), w("vetoed")]
    formats += [None, None]
    sheet = Sheet(
        book, sheet_title(RANKING_SHEET, w.gloss), headers, formats, taken=taken, freeze="D2"
    )
    titles = {t.id: w.label(t.label) for t in rubric.titles}
    joiner = "; " if w.gloss else "、"
    for row in report.rows():
        values: list[Any] = [row.rank, row.team, row.name, row.department, row.composite]
        if None in scaled:
            values.append(w.label(row.grade.text) if row.grade else None)
        for dim_id, score, grade in zip(row.dimension_ids, row.scores, row.grades, strict=True):
            values.append(score)
            if dim_id in scaled:
                values.append(w.label(grade.text) if grade else None)
        values.append(joiner.join(titles.get(t, t) for t in row.titles) or None)
        values.append(w("yes") if row.vetoed else w("no"))
        sheet.append(values)
    sheet.close()


class _Dimensions:
    """One sheet per dimension, filled team by team."""

    def __init__(self, book: Any, report: Report, w: _Words, taken: set[str]) -> None:
        rubric = report.rubric
        self._w = w
        self._scaled = {s.of for s in rubric.grade_scales}
        self._sheets: dict[str, tuple[Sheet, list[str]]] = {}
        for dim in rubric.dimensions:
            indicators = [i for i in rubric.indicators if i.dimension == dim.id]
            headers = [w("rank"), w("team_id"), w("team")]
            headers += [w.label(i.label) for i in indicators]
            headers += [w("bonus"), w("penalty"), w("score")]
            formats: list[str | None] = [WHOLE, None, None]
            formats += [POINTS] * (len(indicators) + 3)
            if dim.id in self._scaled:
                headers.append(w("dim_grade"))
                formats.append(None)
            comments = {
                3 + n: f"{i.label} [{i.id}], {w('max')} {exact_text(i.max)}"
                for n, i in enumerate(indicators)
            }
            sheet = Sheet(
                book,
                w.label(dim.label),
                headers,
                formats,
                taken=taken,
                comments=comments,
                freeze="D2",
            )
            self._sheets[dim.id] = (sheet, [i.id for i in indicators])

    def add(self, a: Assessment) -> None:
        for result in a.dimensions:
            sheet, indicator_ids = self._sheets[result.id]
            points = {i.id: i.points for i in result.indicators}
            values: list[Any] = [a.rank, a.team, a.name]
            values += [points.get(i) for i in indicator_ids]
            values += [result.bonus, result.penalty, result.score]
            if result.id in self._scaled:
                values.append(self._w.label(result.grade.text) if result.grade else None)
            sheet.append(values)

    def close(self) -> None:
        for sheet, _ in self._sheets.values():
            sheet.close()


class _Details:
    """得分明细: every line of every team's explanation, continued past a sheet's last row."""

    def __init__(self, book: Any, w: _Words, taken: set[str]) -> None:
        self._book = book
        self._w = w
        self._taken = taken
        self._headers = [
            w("rank"), w("team_id"), w("team"), w("dimension"), w("kind"), w("item"), w("id"),
            w("line"), w("points"), w("why"), w("facts"),
        ]  # fmt: skip
        self._formats: list[str | None] = [WHOLE, None, None, None, None, None, None, None,
                                           POINTS, None, None]  # fmt: skip
        self._sheet = self._new()

    def _new(self) -> Sheet:
        return Sheet(
            self._book,
            sheet_title(DETAIL_SHEET, self._w.gloss),
            self._headers,
            self._formats,
            taken=self._taken,
            freeze="D2",
            wrap=frozenset({9, 10}),
        )

    def _row(self, a: Assessment, *cells: Any) -> None:
        if self._sheet.full:
            self._sheet.close()
            self._sheet = self._new()
        self._sheet.append([a.rank, a.team, a.name, *cells])

    def add(self, a: Assessment) -> None:
        w = self._w
        for veto in a.vetoes:
            self._row(
                a,
                None,
                w("veto"),
                w.label(veto.label),
                veto.id,
                None,
                None,
                None,
                _facts(veto.facts),
            )
        for dim in a.dimensions:
            name = w.label(dim.label)
            for ind in dim.indicators:
                if not ind.lines:
                    self._row(
                        a,
                        name,
                        w("indicator"),
                        w.label(ind.label),
                        ind.id,
                        None,
                        Decimal(0),
                        None,
                        None,
                    )
                for line in ind.lines:
                    self._row(
                        a,
                        name,
                        w("indicator"),
                        w.label(ind.label),
                        ind.id,
                        w.label(line.label),
                        line.points,
                        line.reason,
                        _facts(line.facts),
                    )
            for adj in dim.adjustments:
                kind = w("bonus") if adj.kind == "bonus" else w("penalty")
                for line in adj.lines:
                    self._row(
                        a,
                        name,
                        kind,
                        w.label(adj.label),
                        adj.id,
                        w.label(line.label),
                        line.points,
                        line.reason,
                        _facts(line.facts),
                    )

    def close(self) -> None:
        self._sheet.close()


def _about(book: Any, report: Report, w: _Words, taken: set[str]) -> None:
    sheet = Sheet(
        book, sheet_title(ABOUT_SHEET, w.gloss), [w("item"), w("why")], [None, None], taken=taken
    )
    for key, value in (
        ("period", report.period),
        ("teams", len(report)),
        ("hash", report.rubric_hash),
        ("version", report.engine_version),
    ):
        sheet.append([w(key), value])
    sheet.close()


def render(
    report: Report,
    target: str | Path | IO[bytes],
    *,
    gloss: bool = False,
    details: bool = True,
    progress: ProgressCallback | None = None,
) -> None:
    """Write the results workbook to a path or a binary file (see the module's documentation).

    :param gloss: labels and headers with their English gloss (``党建 (party building)``).
    :param details: with ``False``, no 得分明细 sheet (the largest and slowest to write).
    :param progress: told how many teams are written (step ``"writing"``); every team's
        explanation is built for the 得分明细 sheet.
    :raises SpreadsheetUnavailableError: when openpyxl is not installed.
    """
    openpyxl = require(
        "openpyxl",
        extra="cli",
        purpose="writing XLSX workbooks",
        error=SpreadsheetUnavailableError,
    )
    w = _Words(gloss)
    book = openpyxl.Workbook(write_only=True)
    with writing(book):
        taken: set[str] = set()
        _ranking(book, report, w, taken)
        dimensions = _Dimensions(book, report, w, taken)
        lines = _Details(book, w, taken) if details else None
        tick = ticker(progress, "writing", len(report))
        for assessment in report.each_assessment():
            dimensions.add(assessment)
            if lines is not None:
                lines.add(assessment)
            tick.advance()
        dimensions.close()
        if lines is not None:
            lines.close()
        _about(book, report, w, taken)
        save(book, target if not isinstance(target, Path) else str(target))
    tick.finish()
