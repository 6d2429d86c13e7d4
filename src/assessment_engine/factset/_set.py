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

from .._base.collector import paused_gc
from ..errors import InputError, InputProblem
from ..facts import Fact, Record, Team, fact_identity
from ._rows import ID, PERIOD, TEAM, Row, row_identity, row_kind, to_row

__all__ = ["FactSet"]

_record_id = operator.attrgetter("id")


class FactSet:
    """Facts indexed by period and team; immutable once built.

    :param facts: the facts, in any order (the order never changes a result).
    :param source: where they came from, for error messages (a file name).
    :param locations: optionally, each fact's position in its source (``"record 3"``,
        ``"line 7"``), parallel to ``facts``; used in error messages.
    """

    __slots__ = ("_index", "_items", "_keys", "_locations", "_records", "_source", "_teams")

    def __init__(
        self,
        facts: Iterable[Fact],
        *,
        source: str = "<facts>",
        locations: Sequence[str] | None = None,
    ) -> None:
        with paused_gc():
            self._build(facts, source, locations)

    def _build(self, facts: Iterable[Fact], source: str, locations: Sequence[str] | None) -> None:
        items = facts if isinstance(facts, list | tuple) else list(facts)
        if locations is not None and len(locations) != len(items):
            raise ValueError("locations must be parallel to facts")
        self._source = source
        self._items = items
        self._locations = locations
        self._index: dict[int, int] | None = None  # id(fact) -> position; built on first error
        self._keys: dict[tuple[str, str, str, str], int] | None = None  # row key -> position
        problems: list[InputProblem] = []
        teams: dict[str, dict[str, Team]] = {}
        records: dict[str, dict[str, list[Record]]] = {}
        team_type = Team
        record_type = Record
        # facts usually arrive team by team: remember the last team's list
        last_team: str | None = None
        last_period: str | None = None
        last_list: list[Record] = []
        for index, fact in enumerate(items):
            if isinstance(fact, record_type):
                if fact.team == last_team and fact.period == last_period:
                    last_list.append(fact)
                    continue
                last_team, last_period = fact.team, fact.period
                by_team = records.get(fact.period)
                if by_team is None:
                    by_team = records[fact.period] = {}
                found = by_team.get(fact.team)
                if found is None:
                    found = by_team[fact.team] = []
                found.append(fact)
                last_list = found
            elif isinstance(fact, team_type):
                known = teams.setdefault(fact.period, {})
                if fact.team in known:
                    first = self.location(known[fact.team])
                    problems.append(
                        self._problem(
                            index, fact, "team", f"team {fact.team} is already described by {first}"
                        )
                    )
                else:
                    known[fact.team] = fact
            else:
                reason = (
                    f"{type(fact).__name__} derives from Fact but not from Record"
                    if isinstance(fact, Fact)
                    else f"expected a fact, got {type(fact).__name__}"
                )
                problems.append(self._problem(index, fact, None, reason))
        for period, by_team in sorted(records.items()):
            known = teams.get(period, {})
            for team_id, team_records in sorted(by_team.items()):
                if team_id not in known:
                    for record in team_records[:3]:
                        problems.append(
                            InputProblem(
                                source=source,
                                record=self.location(record),
                                field="team",
                                reason=f"no team record for team {team_id!r} in period"
                                f' {period!r}; add one ("fact": "team") with its name,'
                                " department and headcount",
                            )
                        )
                # ids unique across kinds settle it at C speed; else check per kind
                if len(set(map(_record_id, team_records))) != len(team_records) and len(
                    {(type(r), r.id) for r in team_records}
                ) != len(team_records):
                    problems.extend(self._duplicates(team_records))
        if problems:
            raise InputError(problems)
        self._teams = {p: dict(sorted(t.items())) for p, t in sorted(teams.items())}
        self._records = {
            p: {t: tuple(rs) for t, rs in by_team.items()} for p, by_team in records.items()
        }

    def _duplicates(self, team_records: list[Record]) -> list[InputProblem]:
        seen: dict[tuple[type, str], Record] = {}
        problems = []
        for record in team_records:
            key = (type(record), record.id)
            first = seen.get(key)
            if first is None:
                seen[key] = record
                continue
            problems.append(
                InputProblem(
                    source=self._source,
                    record=self.location(record),
                    field="id",
                    reason=f"id {record.id!r} is already used by {self.location(first)}"
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
        return f"{base} ({fact_identity(fact)})" if isinstance(fact, Fact) else base

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
        return self._records.get(period, {}).get(team, ())

    def rows(self, period: str, team: str) -> tuple[Row, ...]:
        """The records of one team in one period as rows (what the pipeline reads)."""
        return tuple(map(to_row, self.records(period, team)))

    def location(self, fact: Fact | Row) -> str:
        """Where a fact (or a record's row) came from, for error messages.

        An object is found by identity, a row by its kind, team, period and id (unique in a
        valid set), through indexes built when first asked: keeping locations costs nothing
        until an error, and many errors cost one pass each.
        """
        if isinstance(fact, tuple):
            return self._row_location(fact)
        if self._index is None:
            self._index = {}
            for i, item in enumerate(self._items):
                self._index.setdefault(id(item), i)  # the first position of a repeated object
        index = self._index.get(id(fact))
        if index is None or self._items[index] is not fact:
            return fact_identity(fact)
        return self._where(index, fact)

    def _row_location(self, row: Row) -> str:
        if self._keys is None:
            self._keys = {}
            for i, item in enumerate(self._items):
                if isinstance(item, Record):
                    key = (item.fact_kind, item.team, item.period, item.id)
                    self._keys.setdefault(key, i)
        index = self._keys.get((row_kind(row), row[TEAM], row[PERIOD], row[ID]))
        if index is None:
            return row_identity(row)
        return self._where(index, self._items[index])

    def __iter__(self) -> Iterator[Fact]:
        for period, teams in self._teams.items():
            for team_id, team in teams.items():
                yield team
                yield from self._records.get(period, {}).get(team_id, ())

    def __len__(self) -> int:
        teams = sum(len(t) for t in self._teams.values())
        records = sum(len(rs) for by_team in self._records.values() for rs in by_team.values())
        return teams + records

    def __repr__(self) -> str:
        return f"<FactSet {self._source}: {len(self)} facts, periods {list(self.periods)}>"
