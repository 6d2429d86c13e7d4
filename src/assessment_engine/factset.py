"""A validated, indexed collection of facts: what an engine assesses.

Building a :class:`FactSet` checks what can be checked without a rubric — every item is a fact,
record ids are unique per team, period and kind, every team a record names has a
:class:`~assessment_engine.facts.Team` record in that period — and reports every problem
together in one :class:`~assessment_engine.errors.InputError`. Either the whole set is valid
or none of it is used.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from .errors import InputError, InputProblem
from .facts import Fact, Record, Team, fact_identity

__all__ = ["FactSet"]


class FactSet:
    """Facts indexed by period and team; immutable once built.

    :param facts: the facts, in any order (the order never changes a result).
    :param source: where they came from, for error messages (a file name).
    :param locations: optionally, each fact's position in its source (``"record 3"``,
        ``"line 7"``), parallel to ``facts``; used in error messages.
    """

    __slots__ = ("_locations", "_records", "_source", "_teams")

    def __init__(
        self,
        facts: Iterable[Fact],
        *,
        source: str = "<facts>",
        locations: Sequence[str] | None = None,
    ) -> None:
        items = list(facts)
        if locations is not None and len(locations) != len(items):
            raise ValueError("locations must be parallel to facts")
        self._source = source
        problems: list[InputProblem] = []
        teams: dict[str, dict[str, Team]] = {}
        team_where: dict[tuple[str, str], str] = {}
        records: dict[str, dict[str, list[Record]]] = {}
        seen: dict[tuple[str, str, str, str], str] = {}
        where_of: dict[int, str] = {}

        def where(i: int, fact: object) -> str:
            base = locations[i] if locations is not None else f"item {i}"
            if isinstance(fact, Fact):
                return f"{base} ({fact_identity(fact)})"
            return base

        for i, fact in enumerate(items):
            if not isinstance(fact, Fact):
                problems.append(
                    InputProblem(
                        source=source,
                        record=where(i, fact),
                        field=None,
                        reason=f"expected a fact, got {type(fact).__name__}",
                    )
                )
                continue
            location = where(i, fact)
            if isinstance(fact, Team):
                key2 = (fact.period, fact.team)
                if key2 in team_where:
                    problems.append(
                        InputProblem(
                            source=source,
                            record=location,
                            field="team",
                            reason=f"team {fact.team} already described by {team_where[key2]}",
                        )
                    )
                    continue
                team_where[key2] = location
                teams.setdefault(fact.period, {})[fact.team] = fact
            elif isinstance(fact, Record):
                key4 = (fact.period, fact.team, fact.fact_kind, fact.id)
                if key4 in seen:
                    problems.append(
                        InputProblem(
                            source=source,
                            record=location,
                            field="id",
                            reason=f"id {fact.id!r} is already used by {seen[key4]}"
                            f" (ids are unique per team, period and kind)",
                        )
                    )
                    continue
                seen[key4] = location
                where_of[id(fact)] = location
                records.setdefault(fact.period, {}).setdefault(fact.team, []).append(fact)
            else:
                problems.append(
                    InputProblem(
                        source=source,
                        record=location,
                        field=None,
                        reason=f"{type(fact).__name__} derives from Fact but not from Record",
                    )
                )
        for period, by_team in sorted(records.items()):
            known = teams.get(period, {})
            for team_id, team_records in sorted(by_team.items()):
                if team_id not in known:
                    for record in team_records[:3]:
                        problems.append(
                            InputProblem(
                                source=source,
                                record=where_of[id(record)],
                                field="team",
                                reason=f"no team record for team {team_id!r} in period"
                                f" {period!r}; add one (kind 'team') with its name,"
                                " department and headcount",
                            )
                        )
        if problems:
            raise InputError(problems)
        self._teams = {p: dict(sorted(t.items())) for p, t in sorted(teams.items())}
        self._records = {
            p: {t: tuple(rs) for t, rs in sorted(by_team.items())} for p, by_team in records.items()
        }
        self._locations = dict(where_of)

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

    def location(self, record: Record) -> str:
        """Where a record came from, for error messages."""
        return self._locations.get(id(record), fact_identity(record))

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
