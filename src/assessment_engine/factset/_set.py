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
from typing import Any

from .._base.collector import paused_gc
from ..errors import InputError, InputProblem
from ..facts import Fact, Record, Team, fact_identity
from ._rows import ID, PERIOD, TEAM, Row, from_row, is_row, row_identity, row_kind, to_row

__all__ = ["FactSet"]

_row_id = operator.itemgetter(ID)
_row_key = operator.itemgetter(0, ID)


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
    def of_items(
        cls,
        items: Sequence[Team | Record | Row],
        *,
        source: str = "<facts>",
        locations: Sequence[str] | None = None,
    ) -> FactSet:
        """A fact set of team objects, records and records' rows, checked as the constructor does.

        What the loaders' fast paths build from: a row (:func:`~assessment_engine.factset.to_row`)
        must hold values its class's validators accept (the loaders check them in bulk).
        """
        fact_set = cls.__new__(cls)
        with paused_gc():
            fact_set._build(items, source, locations)
        return fact_set

    def _build(
        self, facts: Iterable[Fact | Row], source: str, locations: Sequence[str] | None
    ) -> None:
        given = facts if isinstance(facts, list | tuple) else list(facts)
        if locations is not None and len(locations) != len(given):
            raise ValueError("locations must be parallel to facts")
        objects = any(isinstance(x, Record) for x in given)
        # records are kept as rows; the objects given stay for their locations
        items: Sequence[Any] = (
            [to_row(x) if isinstance(x, Record) else x for x in given] if objects else given
        )
        self._source = source
        self._items = items
        self._given = given if objects else None
        self._locations = locations
        self._index: dict[int, int] | None = None  # id(item) -> position; built on first error
        self._keys: dict[tuple[str, str, str, str], int] | None = None  # row key -> position
        problems: list[InputProblem] = []
        teams: dict[str, dict[str, Team]] = {}
        rows: dict[str, dict[str, list[Row]]] = {}
        team_type = Team
        # records usually arrive team by team: remember the last team's list
        last_team: object = None
        last_period: object = None
        last_list: list[Row] = []
        for index, item in enumerate(items):
            if is_row(item):
                team_id, period = item[TEAM], item[PERIOD]
                if team_id == last_team and period == last_period:
                    last_list.append(item)
                    continue
                last_team, last_period = team_id, period
                by_team = rows.get(period)
                if by_team is None:
                    by_team = rows[period] = {}
                found = by_team.get(team_id)
                if found is None:
                    found = by_team[team_id] = []
                found.append(item)
                last_list = found
            elif isinstance(item, team_type):
                known = teams.setdefault(item.period, {})
                if item.team in known:
                    first = self.location(known[item.team])
                    problems.append(
                        self._problem(
                            index, item, "team", f"team {item.team} is already described by {first}"
                        )
                    )
                else:
                    known[item.team] = item
            else:
                reason = (
                    f"{type(item).__name__} derives from Fact but not from Record"
                    if isinstance(item, Fact)
                    else f"expected a fact, got {type(item).__name__}"
                )
                problems.append(self._problem(index, item, None, reason))
        for period, by_team in sorted(rows.items()):
            known = teams.get(period, {})
            for team_id, team_rows in sorted(by_team.items()):
                if team_id not in known:
                    for row in team_rows[:3]:
                        problems.append(
                            InputProblem(
                                source=source,
                                record=self.location(row),
                                field="team",
                                reason=f"no team record for team {team_id!r} in period"
                                f' {period!r}; add one ("fact": "team") with its name,'
                                " department and headcount",
                            )
                        )
                # ids unique across kinds settle it at C speed; else check per kind
                if len(set(map(_row_id, team_rows))) != len(team_rows) and len(
                    set(map(_row_key, team_rows))
                ) != len(team_rows):
                    problems.extend(self._duplicates(team_rows))
        if problems:
            raise InputError(problems)
        self._teams = {p: dict(sorted(t.items())) for p, t in sorted(teams.items())}
        self._rows = {p: {t: tuple(rs) for t, rs in by_team.items()} for p, by_team in rows.items()}

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
        if isinstance(fact, Record):  # an object made from a row: found by its identity fields
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
