"""Scenario workbooks: the fact sheets of ``assessment-engine template``, and an ``_expect`` sheet.

The fact sheets are read as any facts workbook is (one sheet per kind, or a ``fact`` column;
sheets whose name starts with ``_`` are skipped by the fact reader). The ``_expect`` sheet has
one expectation per row, under the header ``scenario | team | expect | id | value``: rows that
share a ``scenario`` form one case, which assesses the teams its rows name, together.
``expect`` is a key of :data:`~._model.EXPECTATIONS` (``indicators``, ``grades``, ``rank``, ...;
the singular ``indicator``, ``grade`` ... is read too); ``id`` the indicator, part, rule,
dimension or scale (empty for ``composite``, ``rank``, ``titles``, ``vetoes``, ``vetoed``);
``value`` the expected value — a number, a label, ``none``, ``true``/``false``, or ids separated
by ``;`` for ``titles`` and ``vetoes``.
"""

from __future__ import annotations

import os
import warnings
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from .._base.hints import did_you_mean
from .._base.optional import require
from ..errors import SpreadsheetUnavailableError
from ..rubric.files import FileProblem
from ._model import EXPECTATIONS, Expectation, Scenario, ScenarioFile, ScenarioFileError, Setup

__all__ = ["EXPECT_SHEET", "read_xlsx"]

#: The sheet of a scenario workbook that holds the expectations.
EXPECT_SHEET: Final = "_expect"
_COLUMNS: Final = ("scenario", "team", "expect", "id", "value")
_SINGULAR: Final = {
    "indicator": "indicators",
    "part": "parts",
    "bonus": "bonuses",
    "penalty": "penalties",
    "dimension": "dimensions",
    "grade": "grades",
    "title": "titles",
    "veto": "vetoes",
}


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value).strip()


def _value(what: str, raw: object) -> Any:
    text = _text(raw)
    if what == "grades":
        return None if text == "none" else text
    if what in ("titles", "vetoes"):
        return tuple(part.strip() for part in text.split(";") if part.strip())
    if what == "rank":
        if text == "none":
            return None
        if text.isdigit() and int(text) >= 1:
            return int(text)
        raise ValueError(f'expected a rank (1, 2, ...) or "none", got {text!r}')
    if what == "vetoed":
        if text.lower() in ("true", "yes", "是", "1"):
            return True
        if text.lower() in ("false", "no", "否", "0"):
            return False
        raise ValueError(f"expected true or false (yes/no, 是/否), got {text!r}")
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError(f"expected a number, got {text!r}") from None


def read_xlsx(path: str | os.PathLike[str]) -> ScenarioFile:
    """Read a scenario workbook's ``_expect`` sheet (its facts are read when the cases run).

    :raises ScenarioFileError: naming each bad row (``sheet _expect, row 4``).
    :raises SpreadsheetUnavailableError: when openpyxl is not installed.
    """
    source = os.fspath(path)
    openpyxl = require(
        "openpyxl",
        extra="cli",
        purpose="reading scenario workbooks",
        error=SpreadsheetUnavailableError,
    )
    problems: list[FileProblem] = []

    at: dict[str, int] = {}

    def problem(row: int, column: str, reason: str) -> None:
        problems.append(
            FileProblem(
                source=source,
                line=row,
                column=at.get(column, 0) + 1,
                path=f"{EXPECT_SHEET}.{column}" if column else EXPECT_SHEET,
                reason=reason,
            )
        )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
    try:
        if EXPECT_SHEET not in workbook.sheetnames:
            raise ScenarioFileError(
                [
                    FileProblem(
                        source=source,
                        line=0,
                        column=0,
                        path="",
                        reason=f"no {EXPECT_SHEET!r} sheet: a scenario workbook has its fact"
                        f" sheets and a sheet {EXPECT_SHEET!r} with the columns"
                        f" {' | '.join(_COLUMNS)}",
                    )
                ]
            )
        rows = list(workbook[EXPECT_SHEET].iter_rows(values_only=True))
    finally:
        workbook.close()
    header = [_text(cell).lower() for cell in (rows[0] if rows else ())]
    missing = [c for c in _COLUMNS if c not in header]
    if missing:
        problem(1, "", f"the header needs the columns {' | '.join(_COLUMNS)}; missing {missing}")
        raise ScenarioFileError(problems)
    at.update({c: header.index(c) for c in _COLUMNS})
    cases: dict[str, tuple[int, list[str], list[Expectation]]] = {}
    for number, row in enumerate(rows[1:], start=2):
        cells = {c: row[at[c]] if at[c] < len(row) else None for c in _COLUMNS}
        if all(_text(v) == "" for v in cells.values()):
            continue
        name, team = _text(cells["scenario"]), _text(cells["team"])
        what = _SINGULAR.get(_text(cells["expect"]), _text(cells["expect"]))
        if not name:
            problem(number, "scenario", "every row names its scenario")
            continue
        if not team:
            problem(number, "team", "every row names the team it expects something of")
            continue
        if what not in EXPECTATIONS:
            problem(
                number,
                "expect",
                f"unknown expectation {what!r}{did_you_mean(what, EXPECTATIONS)}; known:"
                f" {', '.join(EXPECTATIONS)}",
            )
            continue
        key = _text(cells["id"])
        if EXPECTATIONS[what] and not key:
            problem(number, "id", f"{what} needs the id of what it expects")
            continue
        try:
            expected = _value(what, cells["value"])
        except ValueError as exc:
            problem(number, "value", str(exc))
            continue
        _, teams, found = cases.setdefault(name, (number, [], []))
        if team not in teams:
            teams.append(team)
        found.append(
            Expectation(
                team=team,
                what=what,
                id=key if EXPECTATIONS[what] else "",
                expected=expected,
                line=number,
            )
        )
    if not cases and not problems:
        problem(2, "", "the sheet has no expectation: the workbook has no case to run")
    if problems:
        raise ScenarioFileError(problems)
    scenarios = tuple(
        Scenario(
            name=name,
            source=source,
            line=line,
            records=(),
            expectations=tuple(found),
            workbook=source,
            team_ids=tuple(teams),
        )
        for name, (line, teams, found) in cases.items()
    )
    return ScenarioFile(source=source, description="", setup=Setup(), scenarios=scenarios)
