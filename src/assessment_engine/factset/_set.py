"""A validated, indexed collection of facts: what an engine assesses.

Building a :class:`FactSet` checks what can be checked without a rubric — every item is a fact,
record ids are unique per team, period and kind, every team a record names has a
:class:`~assessment_engine.facts.Team` record in that period — and reports every problem
together in one :class:`~assessment_engine.errors.InputError`. Either the whole set is valid
or none of it is used.

Validation is done team by team, so checking a million facts needs memory for one team's ids
at a time; locations for error messages are only worked out when there is an error.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Iterator, Sequence
from itertools import groupby
from typing import Any

from .._base.collector import paused_gc
from ..errors import InputError, InputProblem
from ..facts import Fact, Record, Team, fact_identity
from ._bounds import number_problems
from ._rows import (
    ID,
    PERIOD,
    TEAM,
    Row,
    from_row,
    is_row,
    kind_code,
    row_identity,
    row_kind,
    to_row,
)

__all__ = ["FactSet"]

_row_id = operator.itemgetter(ID)
_row_key = operator.itemgetter(0, ID)
_row_code = operator.itemgetter(0)
_period_team = operator.itemgetter(PERIOD, TEAM)
_row_team = operator.itemgetter(TEAM)
_row_period = operator.itemgetter(PERIOD)


#: A team whose rows pass every check of a set: its team row, and its records' rows in order.
_Ready = tuple[Row, tuple[Row, ...]]


def _group(
    rows: Iterable[Row], team_code: int | None = None
) -> tuple[dict[tuple[str, str], list[Row]], dict[tuple[str, str], _Ready]]:
    """Rows by period and team: those to check, and (given ``team_code``) those checked.

    A run of one team's rows at a time (``groupby`` on the team, in C, making no key a row):
    records arrive team by team, so a run is many rows long, and mostly of one period. With
    ``team_code`` (every row a row, the team's too), a team whose rows are all in one run is
    checked as its run is read, while its rows are in the processor's caches: when it passes
    (one team row, first; record ids unique) it is ready, its rows a tuple, never a list to
    check again; else, or when a later run adds to it, its rows are left to check.
    """
    groups: dict[tuple[str, str], list[Row]] = {}
    ready: dict[tuple[str, str], _Ready] = {}
    for team_id, run in groupby(rows, _row_team):
        team_rows = list(run)
        if len(set(map(_row_period, team_rows))) == 1:
            parts = [((team_rows[0][PERIOD], team_id), team_rows)]
        else:  # the team's rows of several periods: a run a period
            parts = [(key, list(sub)) for key, sub in groupby(team_rows, _period_team)]
        for key, part in parts:
            known = groups.get(key)
            if known is not None:
                known.extend(part)
                continue
            done = ready.pop(key, None)
            if done is not None:  # a later run of a team thought whole: check all its rows
                groups[key] = [done[0], *done[1], *part]
                continue
            checked = _checked(part, team_code) if team_code is not None else None
            if checked is None:
                groups[key] = part
            else:
                ready[key] = checked
    return groups, ready


def _checked(rows: list[Row], team_code: int) -> _Ready | None:
    """A team's rows split into its team row and its records' rows, when they pass, else None."""
    if rows[0][0] != team_code:
        return None
    records = rows[1:]
    if team_code in map(_row_code, records) or len(set(map(_row_id, records))) != len(records):
        return None
    return rows[0], tuple(records)


class FactSet:
    """Facts indexed by period and team; immutable once built.

    :param facts: the facts, in any order (the order never changes a result).
    :param source: where they came from, for error messages (a file name).
    :param locations: optionally, each fact's position in its source (``"record 3"``,
        ``"line 7"``), parallel to ``facts``; used in error messages.
    """

    __slots__ = ("_given", "_index", "_items", "_keys", "_locations", "_rows", "_source", "_teams")

    def __init__(
        self,
        facts: Iterable[Fact],
        *,
        source: str = "<facts>",
        locations: Sequence[str] | None = None,
    ) -> None:
        with paused_gc():
            self._build(facts, source, locations)

    @classmethod
    def of_rows(
        cls,
        items: Sequence[Row],
        *,
        source: str = "<facts>",
        locations: Sequence[str] | None = None,
    ) -> FactSet:
        """A fact set of rows, teams' and records' alike, checked as the constructor does.

        What the loaders' fast paths build from: a row (:func:`~assessment_engine.factset.to_row`)
        must hold values its class's validators accept (the loaders check them in bulk). Rows
        that arrive team by team are grouped a run at a time.
        """
        fact_set = cls.__new__(cls)
        with paused_gc():
            fact_set._build(items, source, locations, rows_only=True)
        return fact_set

    def _build(
        self,
        facts: Iterable[Fact | Row],
        source: str,
        locations: Sequence[str] | None,
        rows_only: bool = False,
    ) -> None:
        given = facts if isinstance(facts, list | tuple) else list(facts)
        if locations is not None and len(locations) != len(given):
            raise ValueError("locations must be parallel to facts")
        self._source = source
        self._locations = locations
        self._index: dict[int, int] | None = None  # id(item) -> position; built on first error
        self._keys: dict[tuple[str, str, str, str], int] | None = None  # row key -> position
        problems: list[InputProblem] = []
        teams: dict[tuple[str, str], Team] = {}
        if rows_only:  # every item a row, teams' included: their objects are made here
            self._items: Sequence[Any] = given
            self._given: Sequence[Any] | None = None
            records: Sequence[Row] = given  # type: ignore[assignment]
        else:
            records, items = self._objects(given, teams, problems)
            self._items, self._given = items, (given if items is not given else None)
        team_code = kind_code(Team)
        groups, ready = _group(records, team_code if rows_only else None)
        by_period: dict[str, dict[str, tuple[Row, ...]]] = {}
        for key in sorted([*groups, *ready]):
            period, team_id = key
            done = ready.get(key)
            if done is not None:  # checked as it was grouped
                teams[key] = from_row(done[0])  # type: ignore[assignment]
                if done[1]:
                    by_period.setdefault(period, {})[team_id] = done[1]
                continue
            team_rows = groups[key]
            if rows_only:
                codes = list(map(_row_code, team_rows))
                count = codes.count(team_code)
                if count == 1:
                    teams[key] = from_row(team_rows.pop(codes.index(team_code)))  # type: ignore[assignment]
                elif count > 1:
                    problems.extend(self._repeated_teams(team_rows, team_code))
                    team_rows = [r for r in team_rows if r[0] != team_code]
            if key not in teams and not (rows_only and count > 1):
                problems.extend(self._no_team(team_rows, team_id, period))
            # ids unique across kinds settle it at C speed; else check per kind
            if len(set(map(_row_id, team_rows))) != len(team_rows) and len(
                set(map(_row_key, team_rows))
            ) != len(team_rows):
                problems.extend(self._duplicates(team_rows))
            if team_rows:
                by_period.setdefault(period, {})[team_id] = tuple(team_rows)
        if problems:
            raise InputError(problems)
        by_team: dict[str, dict[str, Team]] = {}
        for (period, team_id), team in sorted(teams.items()):
            by_team.setdefault(period, {})[team_id] = team
        self._teams = by_team
        self._rows = by_period

    def _objects(
        self,
        given: Sequence[Any],
        teams: dict[tuple[str, str], Team],
        problems: list[InputProblem],
    ) -> tuple[list[Row], Sequence[Any]]:
        """The records given as objects (or rows) as rows; the teams and misfits set aside.

        Returns the records' rows and the items located by position (``given`` itself when it
        holds no record objects, else a parallel list with each record as its row).
        """
        rows: list[Row] = []
        items: list[Any] = []
        converted = False
        team_type = Team
        for index, item in enumerate(given):
            if type(item) is tuple and item and type(item[0]) is int:  # a row (see is_row)
                rows.append(item)
                items.append(item)
            elif isinstance(item, Record):
                for field, reason in number_problems(item):
                    problems.append(self._problem(index, item, field, reason))
                row = to_row(item)
                rows.append(row)
                items.append(row)
                converted = True
            elif isinstance(item, team_type):
                items.append(item)
                for field, reason in number_problems(item):
                    problems.append(self._problem(index, item, field, reason))
                key = (item.period, item.team)
                if key in teams:
                    first = self.location(teams[key])
                    problems.append(
                        self._problem(
                            index, item, "team", f"team {item.team} is already described by {first}"
                        )
                    )
                else:
                    teams[key] = item
            else:
                items.append(item)
                reason = (
                    f"{type(item).__name__} derives from Fact but not from Record"
                    if isinstance(item, Fact)
                    else f"expected a fact, got {type(item).__name__}"
                )
                problems.append(self._problem(index, item, None, reason))
        return rows, (items if converted else given)

    def _repeated_teams(self, team_rows: list[Row], team_code: int) -> list[InputProblem]:
        repeated = [r for r in team_rows if r[0] == team_code]
        team_id, period = repeated[0][TEAM], repeated[0][PERIOD]
        positions = [
            i
            for i, item in enumerate(self._items)
            if item[0] == team_code and item[TEAM] == team_id and item[PERIOD] == period
        ]
        first = self._where(positions[0], repeated[0])
        return [
            InputProblem(
                source=self._source,
                record=self._where(i, self._items[i]),
                field="team",
                reason=f"team {team_id} is already described by {first}",
            )
            for i in positions[1:]
        ]

    def _no_team(self, team_rows: list[Row], team_id: str, period: str) -> list[InputProblem]:
        return [
            InputProblem(
                source=self._source,
                record=self.location(row),
                field="team",
                reason=f"no team record for team {team_id!r} in period"
                f' {period!r}; add one ("fact": "team") with its name,'
                " department and headcount",
            )
            for row in team_rows[:3]
        ]

    def _duplicates(self, team_rows: list[Row]) -> list[InputProblem]:
        seen: dict[tuple[type, str], Row] = {}
        problems = []
        for row in team_rows:
            key = (row[0], row[ID])
            first = seen.get(key)
            if first is None:
                seen[key] = row
                continue
            problems.append(
                InputProblem(
                    source=self._source,
                    record=self.location(row),
                    field="id",
                    reason=f"id {row[ID]!r} is already used by {self.location(first)}"
                    " (ids are unique per team, period and kind)",
                )
            )
        return problems

    def _problem(self, index: int, fact: object, field: str | None, reason: str) -> InputProblem:
        return InputProblem(
            source=self._source, record=self._where(index, fact), field=field, reason=reason
        )

    def _where(self, index: int, fact: object) -> str:
        base = self._locations[index] if self._locations is not None else f"item {index}"
        if isinstance(fact, Fact):
            return f"{base} ({fact_identity(fact)})"
        if is_row(fact):
            return f"{base} ({row_identity(fact)})"  # type: ignore[arg-type]
        return base

    @property
    def source(self) -> str:
        """Where the facts came from."""
        return self._source

    @property
    def periods(self) -> tuple[str, ...]:
        """Every period that has a team, sorted."""
        return tuple(self._teams)

    def choose_period(self, period: str | None = None) -> str:
        """The period an assessment of this set covers: ``period``, or the only one it holds.

        What the engine asks before it assesses, and what each scale-out worker asks of its
        own partition (:mod:`assessment_engine.scale`).

        :raises InputError: when ``period`` is given and no team has records for it, or when
            it is not given and the set holds no period or several.
        """
        periods = self.periods
        if period is not None:
            if period not in periods:
                known = ", ".join(periods) or "none"
                reason = f"no team has records for period {period!r} (periods present: {known})"
                raise InputError([self._all_records("period", reason)])
            return period
        if len(periods) == 1:
            return periods[0]
        reason = (
            "the facts contain no team record"
            if not periods
            else f"the facts span periods {', '.join(periods)}: pass period=..."
        )
        raise InputError([self._all_records("period", reason)])

    def _all_records(self, field: str, reason: str) -> InputProblem:
        return InputProblem(source=self._source, record="(all records)", field=field, reason=reason)

    def teams(self, period: str) -> tuple[Team, ...]:
        """The teams of a period, sorted by id."""
        return tuple(self._teams.get(period, {}).values())

    def team(self, period: str, team: str) -> Team | None:
        """One team's record, or ``None``."""
        return self._teams.get(period, {}).get(team)

    def records(self, period: str, team: str) -> tuple[Record, ...]:
        """The records of one team in one period (every kind but ``team``)."""
        return tuple(map(from_row, self.rows(period, team)))

    def rows(self, period: str, team: str) -> tuple[Row, ...]:
        """The records of one team in one period as rows (what the pipeline reads)."""
        return self._rows.get(period, {}).get(team, ())

    def location(self, fact: Fact | Row) -> str:
        """Where a fact (or a record's row) came from, for error messages.

        An object is found by identity, a row by its kind, team, period and id (unique in a
        valid set), through indexes built when first asked: keeping locations costs nothing
        until an error, and many errors cost one pass each.
        """
        if self._index is None:
            self._index = {}
            for i, item in enumerate(self._items):
                self._index.setdefault(id(item), i)  # the first position of a repeated object
            for i, item in enumerate(self._given or ()):
                self._index.setdefault(id(item), i)
        index = self._index.get(id(fact))
        if index is not None and (
            self._items[index] is fact or (self._given is not None and self._given[index] is fact)
        ):
            return self._where(index, fact)
        if isinstance(fact, tuple):
            return self._row_location(fact)
        if isinstance(fact, Record | Team):  # an object made from a row: found by its identity
            return self._row_location(to_row(fact))
        return fact_identity(fact)

    def _row_location(self, row: Row) -> str:
        if self._keys is None:
            self._keys = {}
            for i, item in enumerate(self._items):
                if type(item) is tuple:
                    self._keys.setdefault((row_kind(item), item[TEAM], item[PERIOD], item[ID]), i)
        index = self._keys.get((row_kind(row), row[TEAM], row[PERIOD], row[ID]))
        if index is None:
            return row_identity(row)
        return self._where(index, self._items[index])

    def __iter__(self) -> Iterator[Fact]:
        for period, teams in self._teams.items():
            for team_id, team in teams.items():
                yield team
                yield from map(from_row, self._rows.get(period, {}).get(team_id, ()))

    def __len__(self) -> int:
        teams = sum(len(t) for t in self._teams.values())
        records = sum(len(rs) for by_team in self._rows.values() for rs in by_team.values())
        return teams + records

    def __repr__(self) -> str:
        return f"<FactSet {self._source}: {len(self)} facts, periods {list(self.periods)}>"
