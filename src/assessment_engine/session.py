"""Incremental assessment: add or retract one fact and get that team re-assessed.

A session holds one period's facts and every team's computed state. A change re-runs the
pipeline for the one team it concerns — the other teams are not re-scored — and moves that team
in the standings, so ranks are current at once. Titles with quotas depend on every team's rank;
they are re-assigned when next read (a pass over the standings, not a re-scoring).

A rejected change (an invalid fact, a duplicate id, a fact for an unknown team) raises and leaves
the session exactly as it was.
"""

from __future__ import annotations

from ._pipeline import Pipeline, TeamState
from .errors import InputError, InputProblem, SessionError
from .facts import Fact, Record, Team, fact_identity
from .factset import FactSet, Row, number_problems, row_identity, to_row
from .report import Report
from .results import Assessment, Standing

__all__ = ["Session"]

_SOURCE = "<session>"


class Session:
    """An open assessment of one period that accepts changes; see :meth:`Engine.session`.

    It shares its engine's pipeline (the compiled rubric and the matcher with its memos).
    """

    def __init__(
        self, pipeline: Pipeline, facts: FactSet, period: str, *, engine_version: str
    ) -> None:
        self._pipeline = pipeline
        self._version = engine_version
        self.period = period
        self._teams: dict[str, Team] = {t.team: t for t in facts.teams(period)}
        self._records: dict[str, dict[tuple[str, str], Record]] = {
            t: {(r.fact_kind, r.id): r for r in facts.records(period, t)} for t in self._teams
        }
        states = pipeline.assess(
            [(team, self._rows(tid)) for tid, team in self._teams.items()],
            source=facts.source,
            locate=facts.location,
        )
        self._standings = pipeline.standings(states)

    # ---------------------------------------------------------------- changes
    def add(self, fact: Fact) -> Standing:
        """Add a record (or a new team's record); return the team's re-assessed standing.

        The standing carries the new points, grades, titles and rank; :meth:`assessment` gives
        the full explanation.
        """
        self._check_period(fact)
        if isinstance(fact, Fact):
            for field, reason in number_problems(fact):
                raise self._problem(fact, field, reason)
        if isinstance(fact, Team):
            if fact.team in self._teams:
                raise self._problem(fact, "team", f"team {fact.team} is already in the session")
            self._rescore(fact, {})
            return self.standing(fact.team)
        if not isinstance(fact, Record):
            raise self._problem(fact, None, f"expected a fact, got {type(fact).__name__}")
        team = self._team_of(fact)
        records = self._records[fact.team]
        key = (fact.fact_kind, fact.id)
        if key in records:
            raise self._problem(
                fact,
                "id",
                f"{fact_identity(records[key])} is already in the session; retract it"
                " first to replace it",
            )
        self._rescore(team, {**records, key: fact})
        return self.standing(fact.team)

    def retract(self, fact: Fact) -> Standing | None:
        """Remove a record and return its team's re-assessed standing.

        Retracting a :class:`~assessment_engine.facts.Team` record removes the team and all its
        records, and returns ``None``. A record is found by kind and id.
        """
        self._check_period(fact)
        if isinstance(fact, Team):
            if fact.team not in self._teams:
                raise SessionError(f"team {fact.team!r} is not in this session")
            del self._teams[fact.team]
            del self._records[fact.team]
            self._standings.remove(fact.team)
            return None
        if not isinstance(fact, Record):
            raise SessionError(f"expected a fact, got {type(fact).__name__}")
        team = self._teams.get(fact.team)
        records = self._records.get(fact.team, {})
        key = (fact.fact_kind, fact.id)
        if team is None or key not in records:
            raise SessionError(f"{fact_identity(fact)} is not in this session")
        remaining = {k: v for k, v in records.items() if k != key}
        self._rescore(team, remaining)
        return self.standing(fact.team)

    def _rescore(self, team: Team, records: dict[tuple[str, str], Record]) -> None:
        (state,) = self._pipeline.assess(
            [(team, tuple(map(to_row, records.values())))],
            source=_SOURCE,
            locate=row_identity,
        )
        # only now, after the team was assessed without error, is the change applied
        self._teams[team.team] = team
        self._records[team.team] = records
        self._standings.update(state)

    # ---------------------------------------------------------------- reading
    @property
    def teams(self) -> tuple[str, ...]:
        """The teams in the session, in rank order."""
        return tuple(self._standings.order())

    def assessment(self, team: str) -> Assessment:
        """One team's current assessment (rank and titles reflect every change so far)."""
        if team not in self._teams:
            raise SessionError(f"team {team!r} is not in this session")
        return self._pipeline.assessment(
            self._standings.state(team), self._standings, self._version
        )

    def standing(self, team: str) -> Standing:
        """One team's current line of the ranking table (points, grades, titles, rank)."""
        if team not in self._teams:
            raise SessionError(f"team {team!r} is not in this session")
        (row,) = self._pipeline.rows(self._standings, [team], {team: self._standings.rank(team)})
        return row

    def records(self, team: str) -> tuple[Record, ...]:
        """The records of one team currently in the session."""
        if team not in self._teams:
            raise SessionError(f"team {team!r} is not in this session")
        return tuple(self._records[team].values())

    def _rows(self, team: str) -> tuple[Row, ...]:
        return tuple(map(to_row, self._records[team].values()))

    def state(self, team: str) -> TeamState:
        """The raw computed state of one team (for tools and tests)."""
        if team not in self._teams:
            raise SessionError(f"team {team!r} is not in this session")
        return self._standings.state(team)

    def rank(self, team: str) -> int | None:
        """A team's current rank, without building its assessment."""
        if team not in self._teams:
            raise SessionError(f"team {team!r} is not in this session")
        return self._standings.rank(team)

    def facts(self) -> FactSet:
        """The session's current facts."""
        items: list[Fact] = []
        for team_id, team in self._teams.items():
            items.append(team)
            items.extend(self._records[team_id].values())
        return FactSet(items, source=_SOURCE)

    def report(self) -> Report:
        """A report of the current state; identical to assessing :meth:`facts` afresh."""
        standings = self._pipeline.standings(
            [self._standings.state(t) for t in sorted(self._teams)]
        )
        return Report(
            period=self.period,
            pipeline=self._pipeline,
            standings=standings,
            engine_version=self._version,
        )

    # ---------------------------------------------------------------- checks
    def _check_period(self, fact: Fact) -> None:
        if isinstance(fact, Fact) and fact.period != self.period:
            raise self._problem(
                fact, "period", f"this session assesses period {self.period!r}, not {fact.period!r}"
            )

    def _team_of(self, fact: Record) -> Team:
        team = self._teams.get(fact.team)
        if team is None:
            raise self._problem(
                fact, "team", f"team {fact.team!r} is not in this session; add its team record"
            )
        return team

    @staticmethod
    def _problem(fact: object, field: str | None, reason: str) -> InputError:
        record = fact_identity(fact) if isinstance(fact, Fact) else repr(fact)
        return InputError([InputProblem(source=_SOURCE, record=record, field=field, reason=reason)])
