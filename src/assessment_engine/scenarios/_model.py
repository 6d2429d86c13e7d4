"""Scenarios as data: given a team's facts, expect this verdict — and what a run found."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Final, Literal

import attrs

from ..errors import AssessmentError
from ..rubric.files import FileProblem

__all__ = [
    "EXPECTATIONS",
    "CaseResult",
    "Expectation",
    "Mismatch",
    "Outcome",
    "Scenario",
    "ScenarioFile",
    "ScenarioFileError",
    "Setup",
]

#: What a scenario can expect of a team, by its key in a file: whether it names an id.
EXPECTATIONS: Final[Mapping[str, bool]] = {
    "indicators": True,
    "parts": True,
    "bonuses": True,
    "penalties": True,
    "dimensions": True,
    "grades": True,
    "composite": False,
    "titles": False,
    "rank": False,
    "vetoes": False,
    "vetoed": False,
}

#: A scenario's outcome.
Outcome = Literal["passed", "failed", "error"]


class ScenarioFileError(AssessmentError):
    """A scenario file that cannot be read: every problem, each located by line and column.

    :ivar problems: the problems, in file order (:class:`~assessment_engine.rubric.files.
        FileProblem`: file, line, column, key path, reason).
    """

    def __init__(self, problems: Sequence[FileProblem]) -> None:
        self.problems: tuple[FileProblem, ...] = tuple(
            sorted(problems, key=lambda p: (p.source, p.line, p.column, p.path))
        )
        count = len(self.problems)
        sources = ", ".join(sorted({p.source for p in self.problems}))
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''} in scenario file {sources}:\n"
            + "\n".join(f"  - {p}" for p in self.problems)
        )

    @classmethod
    def unsupported(cls, source: str, suffix: str) -> ScenarioFileError:
        """The error for a file that is neither TOML nor XLSX."""
        reason = f"unsupported file type {suffix or '(no suffix)'!r}: use .toml or .xlsx"
        return cls([FileProblem(source=source, line=0, column=0, path="", reason=reason)])


@attrs.frozen(kw_only=True)
class Expectation:
    """One thing a scenario expects of one team.

    :param team: the team's id.
    :param what: one of :data:`EXPECTATIONS` (``indicators``, ``grades``, ``rank``, ...).
    :param id: the indicator, part, rule, dimension or grade scale it concerns (``""`` for the
        composite, titles, rank, vetoes and ``vetoed``).
    :param expected: a number (``Decimal``), a grade label or ``None`` (no grade), a rank or
        ``None`` (unranked), a tuple of title or veto ids, or a flag.
    :param line: where the expectation is written (0 when not known).
    """

    team: str
    what: str
    id: str
    expected: Decimal | str | int | bool | tuple[str, ...] | None
    line: int = 0

    def subject(self) -> str:
        """What is checked, in words: ``indicator bp.task``, ``rank``."""
        singular = {
            "indicators": "indicator",
            "parts": "part",
            "bonuses": "bonus",
            "penalties": "penalty",
            "dimensions": "dimension",
            "grades": "grade",
        }
        word = singular.get(self.what, self.what)
        return f"{word} {self.id}" if self.id else word


@attrs.frozen(kw_only=True)
class Scenario:
    """One case: the facts of one or more teams assessed together, and what to expect.

    :param name: the case's name, unique in its file.
    :param source: the file it was read from.
    :param line: where it starts.
    :param records: the records as plain data with their locations (``"line 12"``), read with
        the engine's fact kinds when the case runs.
    :param expectations: what the case expects, team by team.
    :param workbook: for a case of an XLSX scenario workbook, the workbook whose fact sheets
        hold the records of its teams (``records`` is empty then).
    :param team_ids: for such a case, the teams it assesses.
    """

    name: str
    source: str
    line: int
    records: tuple[tuple[Mapping[str, object], str], ...]
    expectations: tuple[Expectation, ...]
    workbook: str = ""
    team_ids: tuple[str, ...] = ()

    @property
    def teams(self) -> tuple[str, ...]:
        """The teams the case assesses, in the order they are written."""
        if self.workbook:
            return self.team_ids
        return tuple(dict.fromkeys(str(r["team"]) for r, _ in self.records if r["fact"] == "team"))


@attrs.frozen(kw_only=True)
class Setup:
    """The rule sets a scenario file is run against, from its ``[scenarios]`` table.

    :param rubric: rubric files (paths resolved against the scenario file's folder).
    :param block: plugins left out.
    :param entry_points: whether the installed plugins are registered too.
    :param matcher: the matcher (``None``: the engine's default).
    """

    rubric: tuple[str, ...] = ()
    block: tuple[str, ...] = ()
    entry_points: bool = True
    matcher: str | None = None


@attrs.frozen(kw_only=True)
class ScenarioFile:
    """A file of scenarios: its setup and its cases, in file order."""

    source: str
    description: str
    setup: Setup
    scenarios: tuple[Scenario, ...]


@attrs.frozen(kw_only=True)
class Mismatch:
    """An expectation that did not hold: what was expected, what the engine gave, and why.

    :param why: the explanation lines behind the actual value (the indicator's lines, the
        grade's reason, the rank note), for the diff.
    """

    expectation: Expectation
    actual: object
    why: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class CaseResult:
    """The outcome of one scenario.

    :param outcome: ``passed``, ``failed`` (an expectation did not hold) or ``error`` (the case
        could not be assessed: invalid facts, an unknown indicator id in an expectation).
    :param mismatches: every expectation that did not hold.
    :param error: why the case could not be assessed.
    :param checked: how many expectations were checked.
    """

    scenario: Scenario
    outcome: Outcome
    mismatches: tuple[Mismatch, ...] = ()
    error: str = ""
    checked: int = 0

    @property
    def passed(self) -> bool:
        """Whether every expectation held."""
        return self.outcome == "passed"

    def headline(self) -> str:
        """``PASS  name (file:line)``, ``FAIL ...`` or ``ERROR ...``."""
        word = {"passed": "PASS ", "failed": "FAIL ", "error": "ERROR"}[self.outcome]
        s = self.scenario
        return f"{word} {s.name} ({s.source}:{s.line})"

    def diff(self) -> str:
        """Each expectation that did not hold, expected against actual, with the reasons."""
        if self.outcome == "error":
            return "\n".join(f"  {line}" for line in self.error.splitlines())
        out: list[str] = []
        for m in self.mismatches:
            e = m.expectation
            where = f" (line {e.line})" if e.line else ""
            out.append(f"  {e.team} {e.subject()}{where}")
            out.append(f"    - expected {show_value(e.expected)}")
            out.append(f"    + got      {show_value(m.actual)}")
            out.extend(f"      {line}" for line in m.why)
        return "\n".join(out)


def show_value(value: object) -> str:
    """A value as a diff shows it: exact numbers, ``none``, lists in brackets."""
    from .._base.numbers import exact_text

    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return exact_text(value)
    if isinstance(value, tuple):
        return "[" + ", ".join(repr(x) for x in value) + "]"
    if isinstance(value, str):
        return repr(value)
    return str(value)
