"""Reading scenario files written in TOML, every problem located by line and column.

A file has an optional ``[scenarios]`` table (the rule sets to run against, a default period)
and an array of ``[[scenario]]`` tables. A case with one team writes its ``team``, ``facts`` and
``expect`` in the scenario table itself; a case with several (ranks, titles with quotas) writes
one ``[[scenario.teams]]`` table per team. ``docs/scenarios.md`` describes the format.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from .._base.hints import did_you_mean
from ..rubric.files import FileProblem, Position, PositionIndex, index_positions
from ._model import EXPECTATIONS, Expectation, Scenario, ScenarioFile, ScenarioFileError, Setup

__all__ = ["DEFAULT_PERIOD", "DEFAULT_TEAM", "read_toml", "read_toml_text"]

#: The period of a scenario's facts when neither the file nor the record names one.
DEFAULT_PERIOD: Final = "test"
#: The id of a one-team scenario's team when the scenario names none.
DEFAULT_TEAM: Final = "T1"
_HEADER: Final = ("description", "rubric", "block", "entry_points", "matcher", "period")
_CASE: Final = ("name", "description", "team", "facts", "expect", "teams")
_TEAM_CASE: Final = ("team", "facts", "expect")
_TEAM_FIELDS: Final = ("team", "name", "department", "headcount", "period")

TomlPath = tuple[str | int, ...]


def _path_text(path: TomlPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


class _Reader:
    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self.problems: list[FileProblem] = []
        self.positions = PositionIndex({}, {})
        self.period = DEFAULT_PERIOD

    def problem(self, path: TomlPath, reason: str) -> None:
        where = self.where(path) if path else None
        self.problems.append(
            FileProblem(
                source=self.source,
                line=where.line if where else 0,
                column=where.column if where else 0,
                path=_path_text(path),
                reason=reason,
            )
        )

    def where(self, path: TomlPath) -> Position:
        """A key's position; an array item's is where its value starts."""
        if path and isinstance(path[-1], int) and path in self.positions.values:
            return self.positions.value(path)
        return self.positions.key(path)

    def line(self, path: TomlPath) -> int:
        return self.where(path).line

    def unknown(self, table: Mapping[str, Any], known: tuple[str, ...], path: TomlPath) -> None:
        for key in table:
            if key not in known:
                self.problem(
                    (*path, key),
                    f"unknown key {key!r}{did_you_mean(key, known)}; the keys are"
                    f" {', '.join(known)}",
                )

    def texts(self, value: object, path: TomlPath) -> tuple[str, ...]:
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list) and all(isinstance(x, str) for x in value):
            return tuple(value)
        self.problem(path, f"expected a list of texts, got {value!r}")
        return ()

    # ------------------------------------------------------------------ the file
    def document(self) -> ScenarioFile:
        try:
            data = tomllib.loads(self.text, parse_float=Decimal)
        except tomllib.TOMLDecodeError as exc:
            message = str(exc)
            match = re.search(r"\(at line (\d+), column (\d+)\)", message)
            line, column = (int(match[1]), int(match[2])) if match else (0, 0)
            reason = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message)
            raise ScenarioFileError(
                [FileProblem(source=self.source, line=line, column=column, path="", reason=reason)]
            ) from None
        self.positions = index_positions(self.text)
        self.unknown(data, ("scenarios", "scenario"), ())
        header = data.get("scenarios", {})
        setup = Setup()
        description = ""
        if not isinstance(header, dict):
            self.problem(("scenarios",), "expected a table: [scenarios]")
        else:
            setup, description = self.header(header)
        cases = data.get("scenario", [])
        if not isinstance(cases, list):
            self.problem(("scenario",), "expected an array of tables: [[scenario]]")
            cases = []
        if not cases and not self.problems:
            self.problem((), "no [[scenario]] table: the file has no case to run")
        scenarios: list[Scenario] = []
        names: dict[str, int] = {}
        for i, case in enumerate(cases):
            found = self.scenario(case, ("scenario", i))
            if found is None:
                continue
            if found.name in names:
                self.problem(
                    ("scenario", i, "name"),
                    f"scenario {found.name!r} is also the name of the case on line"
                    f" {names[found.name]}; names are unique in a file",
                )
            names.setdefault(found.name, found.line)
            scenarios.append(found)
        if self.problems:
            raise ScenarioFileError(self.problems)
        return ScenarioFile(
            source=self.source, description=description, setup=setup, scenarios=tuple(scenarios)
        )

    def header(self, header: Mapping[str, Any]) -> tuple[Setup, str]:
        path: TomlPath = ("scenarios",)
        self.unknown(header, _HEADER, path)
        here = Path(self.source).parent
        names = self.texts(header.get("rubric", []), (*path, "rubric"))
        rubric = tuple(os.fspath(here / name) for name in names)
        block = self.texts(header.get("block", []), (*path, "block"))
        entry_points = header.get("entry_points", True)
        if not isinstance(entry_points, bool):
            self.problem((*path, "entry_points"), "expected true or false")
            entry_points = True
        matcher = header.get("matcher")
        if matcher is not None and matcher not in ("durable", "python"):
            self.problem((*path, "matcher"), f"expected 'durable' or 'python', got {matcher!r}")
            matcher = None
        period = header.get("period", DEFAULT_PERIOD)
        if not isinstance(period, str):
            self.problem((*path, "period"), f"expected text, got {period!r}")
        else:
            self.period = period
        description = header.get("description", "")
        return Setup(rubric=rubric, block=block, entry_points=entry_points, matcher=matcher), str(
            description
        )

    # ------------------------------------------------------------------ one case
    def scenario(self, case: object, path: TomlPath) -> Scenario | None:
        if not isinstance(case, dict):
            self.problem(path, "expected a table: [[scenario]]")
            return None
        self.unknown(case, _CASE, path)
        name = case.get("name")
        if not isinstance(name, str) or not name.strip():
            where = (*path, "name") if "name" in case else path
            self.problem(where, 'a scenario needs a name (name = "...")')
            name = f"scenario {path[-1]}"
        records: list[tuple[Mapping[str, object], str]] = []
        expectations: list[Expectation] = []
        if "teams" in case:
            teams = case["teams"]
            if any(key in case for key in _TEAM_CASE):
                self.problem(
                    path,
                    "a scenario writes its team, facts and expect either in the scenario or in"
                    " [[scenario.teams]] tables, not both",
                )
            if not isinstance(teams, list) or not teams:
                self.problem((*path, "teams"), "expected an array of tables: [[scenario.teams]]")
                teams = []
            for j, team in enumerate(teams):
                where = (*path, "teams", j)
                if not isinstance(team, dict):
                    self.problem(where, "expected a table: [[scenario.teams]]")
                    continue
                self.unknown(team, _TEAM_CASE, where)
                self.team(team, where, records, expectations, default=None)
        else:
            self.team(case, path, records, expectations, default=DEFAULT_TEAM)
        ids = [str(r["team"]) for r, _ in records if r["fact"] == "team"]
        for repeated in sorted({t for t in ids if ids.count(t) > 1}):
            self.problem(path, f"team {repeated!r} is written twice in this scenario")
        return Scenario(
            name=name,
            source=self.source,
            line=self.line(path),
            records=tuple(records),
            expectations=tuple(expectations),
        )

    def team(
        self,
        table: Mapping[str, Any],
        path: TomlPath,
        records: list[tuple[Mapping[str, object], str]],
        expectations: list[Expectation],
        default: str | None,
    ) -> None:
        raw = table.get("team", default)
        record: dict[str, object]
        if isinstance(raw, str):
            record = {"team": raw}
        elif isinstance(raw, dict):
            self.unknown(raw, _TEAM_FIELDS, (*path, "team"))
            record = {"team": default, **raw} if default is not None else dict(raw)
        else:
            self.problem(
                (*path, "team") if "team" in table else path,
                'each team needs a team: an id (team = "T1") or a table'
                ' (team = { team = "T1", headcount = 12 })',
            )
            return
        team_id = record.get("team")
        if not isinstance(team_id, str):
            self.problem((*path, "team"), f"the team's id must be text, got {team_id!r}")
            return
        record.setdefault("name", team_id)
        record.setdefault("period", self.period)
        records.append(({"fact": "team", **record}, f"line {self.line((*path, 'team'))}"))
        facts = table.get("facts", [])
        if not isinstance(facts, list):
            self.problem((*path, "facts"), "expected a list of records: facts = [{ fact = ... }]")
            facts = []
        counters: dict[str, int] = {}
        for k, fact in enumerate(facts):
            where = (*path, "facts", k)
            if not isinstance(fact, dict) or not isinstance(fact.get("fact"), str):
                self.problem(
                    where,
                    'a record is a table naming its kind: { fact = "activity", kind = ... }',
                )
                continue
            kind = str(fact["fact"])
            counters[kind] = counters.get(kind, 0) + 1
            data: dict[str, object] = {"team": team_id, "period": record["period"], **fact}
            data.setdefault("id", f"{kind}-{counters[kind]}")
            records.append((data, f"line {self.line(where)}"))
        expect = table.get("expect", {})
        if not isinstance(expect, dict):
            self.problem((*path, "expect"), "expected a table: expect = { ... }")
            return
        if not expect:
            self.problem(path, f"team {team_id!r} expects nothing: add expect = {{ ... }}")
        self.unknown(expect, tuple(EXPECTATIONS), (*path, "expect"))
        for what, value in expect.items():
            if what in EXPECTATIONS:
                expectations.extend(self.expect(team_id, what, value, (*path, "expect", what)))

    def expect(self, team: str, what: str, value: object, path: TomlPath) -> list[Expectation]:
        if EXPECTATIONS[what]:
            if not isinstance(value, dict):
                self.problem(path, f'expected a table of ids: {what} = {{ "id" = ... }}')
                return []
            found = []
            for key, item in value.items():
                checked = self.value(what, item, (*path, key))
                if checked is not _BAD:
                    found.append(
                        Expectation(
                            team=team,
                            what=what,
                            id=key,
                            expected=checked,
                            line=self.line((*path, key)),
                        )
                    )
            return found
        checked = self.value(what, value, path)
        if checked is _BAD:
            return []
        return [Expectation(team=team, what=what, id="", expected=checked, line=self.line(path))]

    def value(self, what: str, value: object, path: TomlPath) -> Any:
        if what == "grades":
            if isinstance(value, str):
                return None if value == "none" else value
            self.problem(path, f'expected a grade label (or "none" for no grade), got {value!r}')
            return _BAD
        if what in ("titles", "vetoes"):
            if isinstance(value, list) and all(isinstance(x, str) for x in value):
                return tuple(value)
            self.problem(path, f"expected a list of {what[:-1]} ids, got {value!r}")
            return _BAD
        if what == "rank":
            if value == "none":
                return None
            if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
                return value
            self.problem(path, f'expected a rank (1, 2, ...) or "none" (unranked), got {value!r}')
            return _BAD
        if what == "vetoed":
            if isinstance(value, bool):
                return value
            self.problem(path, f"expected true or false, got {value!r}")
            return _BAD
        if isinstance(value, int | Decimal) and not isinstance(value, bool):
            return Decimal(value)
        hint = " (write it without quotes)" if isinstance(value, str) else ""
        self.problem(path, f"expected a number, got {value!r}{hint}")
        return _BAD


_BAD: Final = object()


def read_toml_text(text: str, *, source: str = "<string>") -> ScenarioFile:
    """Read a scenario file's text; rubric paths in it are relative to ``source``'s folder.

    :raises ScenarioFileError: with every problem, located.
    """
    return _Reader(text, source).document()


def read_toml(path: str | os.PathLike[str]) -> ScenarioFile:
    """Read a scenario file (UTF-8 TOML); problems name the file as ``path`` is written.

    :raises OSError: when the file cannot be read.
    :raises ScenarioFileError: with every problem, located.
    """
    with open(path, encoding="utf-8") as handle:
        return read_toml_text(handle.read(), source=os.fspath(path))
