"""The store: rows in, rows out, through SQLAlchemy Core; one code path for both back ends.

Nothing here decides anything about assessments; :mod:`._ledger` does. Every write happens
inside :meth:`Store.write` (which holds the ledger's write lock, see :mod:`._connect`), and
every row is only ever inserted. Opening the schema is :mod:`._schema`'s, checking the stored
hashes :mod:`._verify`'s.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from ..errors import UnknownRecordError
from ._connect import Clock, Database, Target
from ._facts import StoredFacts
from ._json import canonical
from ._model import (
    Appeal,
    AppealDecision,
    Correction,
    FactKey,
    PluginVersion,
    ResultRow,
    RubricVersion,
    Run,
    RunState,
    SourceFile,
    StateChange,
    Submission,
)
from ._rubrics import CapturedRubric
from ._schema import check_target, open_schema, schema_version
from ._tables import (
    appeal_decisions,
    appeals,
    corrections,
    fact_documents,
    results,
    rubric_versions,
    runs,
    states,
    submissions,
)
from ._verify import verify

__all__ = ["Store"]


def _keys(text: str) -> tuple[FactKey, ...]:
    return tuple(FactKey(**item) for item in json.loads(text))


def _keys_text(keys: Sequence[FactKey]) -> str:
    return canonical(
        [{"kind": k.kind, "period": k.period, "team": k.team, "id": k.id} for k in keys]
    )


def _result_row(row: sa.RowMapping) -> ResultRow:
    return ResultRow(
        run=row["run"],
        team=row["team"],
        name=row["name"],
        department=row["department"],
        rank=row["rank"],
        composite=Decimal(row["composite"]),
        grade=row["grade"],
        titles=tuple(json.loads(row["titles"])),
        vetoed=bool(row["vetoed"]),
    )


def _new_id(result: sa.CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


class Store(Database):
    """A ledger's tables on one database; opened (created or migrated) on construction."""

    def __init__(self, target: Target, *, create: bool, clock: Clock) -> None:
        check_target(target, create=create)
        super().__init__(target, clock)
        try:
            open_schema(self, create=create)
        except BaseException:
            self.close()
            raise

    def schema_version(self) -> int:
        """The number of the last migration applied."""
        return schema_version(self)

    def verify(self) -> list[str]:
        """Every problem found checking the stored hashes and the rows' agreement."""
        return verify(self)

    # ------------------------------------------------------------------ submissions
    def insert_submission(
        self,
        conn: sa.Connection,
        facts: StoredFacts,
        *,
        sources: Sequence[SourceFile],
        author: str,
        note: str,
    ) -> int:
        """Store a submission (its facts once per content); its id."""
        exists = conn.execute(
            sa.select(fact_documents.c.hash).where(fact_documents.c.hash == facts.hash)
        ).first()
        if exists is None:
            conn.execute(
                fact_documents.insert().values(
                    hash=facts.hash, records=facts.records, body=facts.text
                )
            )
        result = conn.execute(
            submissions.insert().values(
                facts=facts.hash,
                periods=canonical(list(facts.periods)),
                sources=canonical(
                    [{"path": s.path, "sha256": s.sha256, "size": s.size} for s in sources]
                ),
                author=author,
                note=note,
                recorded_at=self.now(),
            )
        )
        return _new_id(result)

    def submission(self, conn: sa.Connection, submission_id: int) -> Submission:
        """One submission, by id."""
        query = (
            sa.select(submissions, fact_documents.c.records, corrections.c.id.label("correction"))
            .join(fact_documents, fact_documents.c.hash == submissions.c.facts)
            .outerjoin(corrections, corrections.c.submission == submissions.c.id)
            .where(submissions.c.id == submission_id)
        )
        row = conn.execute(query).mappings().first()
        if row is None:
            raise UnknownRecordError("submission", submission_id)
        return Submission(
            id=row["id"],
            facts_hash=row["facts"],
            records=row["records"],
            periods=tuple(json.loads(row["periods"])),
            sources=tuple(SourceFile(**s) for s in json.loads(row["sources"])),
            author=row["author"],
            note=row["note"],
            recorded_at=row["recorded_at"],
            correction=row["correction"],
        )

    def submission_ids(self, conn: sa.Connection) -> list[int]:
        """Every submission's id, in order."""
        return list(conn.execute(sa.select(submissions.c.id).order_by(submissions.c.id)).scalars())

    def facts_text(self, conn: sa.Connection, facts_hash: str) -> str:
        """The stored facts of a submission (its canonical JSON)."""
        query = sa.select(fact_documents.c.body).where(fact_documents.c.hash == facts_hash)
        return str(conn.execute(query).scalar_one())

    # ------------------------------------------------------------------ rubric versions
    def rubric_version_for(self, conn: sa.Connection, captured: CapturedRubric) -> int:
        """The id of the stored rubric version equal to ``captured``, storing it if new."""
        query = sa.select(rubric_versions.c.id).where(
            rubric_versions.c.content_hash == captured.content_hash,
            rubric_versions.c.plugins_hash == captured.plugins_hash,
        )
        found = conn.execute(query).scalar()
        if found is not None:
            return int(found)
        result = conn.execute(
            rubric_versions.insert().values(
                content_hash=captured.content_hash,
                plugins_hash=captured.plugins_hash,
                data=canonical(captured.data),
                plugins=canonical(
                    [
                        {
                            "name": p.name,
                            "distribution": p.distribution,
                            "version": p.version,
                            "source": p.source,
                        }
                        for p in captured.plugins
                    ]
                ),
                provenance=canonical(captured.provenance),
                recorded_at=self.now(),
            )
        )
        return _new_id(result)

    def rubric_version_ids(self, conn: sa.Connection) -> list[int]:
        """Every rubric version's id, in order."""
        query = sa.select(rubric_versions.c.id).order_by(rubric_versions.c.id)
        return list(conn.execute(query).scalars())

    def rubric_version(self, conn: sa.Connection, version_id: int) -> RubricVersion:
        """One rubric version, by id (without its data)."""
        row = self._rubric_row(conn, version_id)
        return RubricVersion(
            id=row["id"],
            content_hash=row["content_hash"],
            plugins=tuple(PluginVersion(**p) for p in json.loads(row["plugins"])),
            recorded_at=row["recorded_at"],
        )

    def rubric_payload(
        self, conn: sa.Connection, version_id: int
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """A rubric version's data (``Rubric.to_data()``) and provenance."""
        row = self._rubric_row(conn, version_id)
        return json.loads(row["data"]), json.loads(row["provenance"])

    def _rubric_row(self, conn: sa.Connection, version_id: int) -> sa.RowMapping:
        query = sa.select(rubric_versions).where(rubric_versions.c.id == version_id)
        row = conn.execute(query).mappings().first()
        if row is None:
            raise UnknownRecordError("rubric version", version_id)
        return row

    # ------------------------------------------------------------------ runs
    def insert_run(
        self,
        conn: sa.Connection,
        *,
        period: str,
        submission: int,
        rubric_version: int,
        rubric_hash: str,
        engine_version: str,
        matcher: str,
        report: str,
        report_hash: str,
        rows: Sequence[dict[str, Any]],
        parent: int | None,
        correction: int | None,
        author: str,
        note: str,
    ) -> int:
        """Store a run, its result rows and its first state (``draft``); its id."""
        now = self.now()
        result = conn.execute(
            runs.insert().values(
                period=period,
                submission=submission,
                rubric_version=rubric_version,
                rubric_hash=rubric_hash,
                engine_version=engine_version,
                matcher=matcher,
                report=report,
                report_hash=report_hash,
                teams=len(rows),
                parent=parent,
                correction=correction,
                author=author,
                note=note,
                recorded_at=now,
            )
        )
        run_id = _new_id(result)
        if rows:
            conn.execute(results.insert(), [{"run": run_id, **row} for row in rows])
        self.insert_state(conn, run_id, "draft", until=None, author=author, note="recorded")
        return run_id

    def _states_of(self, conn: sa.Connection, run_ids: Sequence[int] | None) -> dict[int, str]:
        query = sa.select(states.c.run, states.c.state).order_by(states.c.id)
        if run_ids is not None:
            query = query.where(states.c.run.in_(run_ids))
        latest: dict[int, str] = {}
        for run_id, state in conn.execute(query):
            latest[run_id] = state
        return latest

    _RUN_COLUMNS = tuple(c for c in runs.c if c.name != "report")

    def _run(self, row: sa.RowMapping, state: str) -> Run:
        values = {key: row[key] for key in row.keys()}  # noqa: SIM118 - a RowMapping
        return Run(**values, state=state)  # type: ignore[arg-type]

    def run(self, conn: sa.Connection, run_id: int) -> Run:
        """One run, by id, with its current state."""
        query = sa.select(*self._RUN_COLUMNS).where(runs.c.id == run_id)
        row = conn.execute(query).mappings().first()
        if row is None:
            raise UnknownRecordError("run", run_id)
        return self._run(row, self._states_of(conn, [run_id])[run_id])

    def runs(
        self, conn: sa.Connection, *, period: str | None = None, state: RunState | None = None
    ) -> tuple[Run, ...]:
        """Every run (of ``period``, in ``state``), in the order recorded."""
        query = sa.select(*self._RUN_COLUMNS).order_by(runs.c.id)
        if period is not None:
            query = query.where(runs.c.period == period)
        latest = self._states_of(conn, None)
        found = (self._run(row, latest[row["id"]]) for row in conn.execute(query).mappings())
        return tuple(r for r in found if state is None or r.state == state)

    def report_text(self, conn: sa.Connection, run_id: int) -> str:
        """A run's stored report (``Report.to_json()``, byte for byte)."""
        query = sa.select(runs.c.report).where(runs.c.id == run_id)
        found = conn.execute(query).scalar()
        if found is None:
            raise UnknownRecordError("run", run_id)
        return str(found)

    def results(self, conn: sa.Connection, run_id: int) -> tuple[ResultRow, ...]:
        """A run's result rows, in rank order."""
        query = sa.select(results).where(results.c.run == run_id).order_by(results.c.position)
        return tuple(_result_row(row) for row in conn.execute(query).mappings())

    def team_results(self, conn: sa.Connection, team: str) -> tuple[ResultRow, ...]:
        """One team's result rows across every run, in the order recorded."""
        query = sa.select(results).where(results.c.team == team).order_by(results.c.run)
        return tuple(_result_row(row) for row in conn.execute(query).mappings())

    # ------------------------------------------------------------------ states
    def insert_state(
        self,
        conn: sa.Connection,
        run_id: int,
        state: RunState,
        *,
        until: datetime.date | None,
        author: str,
        note: str,
    ) -> StateChange:
        """Record that ``run_id`` entered ``state``."""
        now = self.now()
        result = conn.execute(
            states.insert().values(
                run=run_id,
                state=state,
                until=until.isoformat() if until else None,
                author=author,
                note=note,
                recorded_at=now,
            )
        )
        return StateChange(
            id=_new_id(result),
            run=run_id,
            state=state,
            until=until,
            author=author,
            note=note,
            recorded_at=now,
        )

    def states(self, conn: sa.Connection, run_id: int) -> tuple[StateChange, ...]:
        """A run's state changes, in order."""
        query = sa.select(states).where(states.c.run == run_id).order_by(states.c.id)
        return tuple(
            StateChange(
                id=row["id"],
                run=row["run"],
                state=row["state"],
                until=datetime.date.fromisoformat(row["until"]) if row["until"] else None,
                author=row["author"],
                note=row["note"],
                recorded_at=row["recorded_at"],
            )
            for row in conn.execute(query).mappings()
        )

    # ------------------------------------------------------------------ corrections
    def insert_correction(
        self,
        conn: sa.Connection,
        *,
        base: int,
        submission: int,
        replaced: Sequence[FactKey],
        added: Sequence[FactKey],
        retracted: Sequence[FactKey],
        reason: str,
        author: str,
    ) -> int:
        """Store a correction (its new submission is stored first); its id."""
        result = conn.execute(
            corrections.insert().values(
                base=base,
                submission=submission,
                replaced=_keys_text(replaced),
                added=_keys_text(added),
                retracted=_keys_text(retracted),
                reason=reason,
                author=author,
                recorded_at=self.now(),
            )
        )
        return _new_id(result)

    def corrections(
        self, conn: sa.Connection, correction_id: int | None = None
    ) -> tuple[Correction, ...]:
        """Every correction (or the one of ``correction_id``), in order."""
        query = sa.select(corrections).order_by(corrections.c.id)
        if correction_id is not None:
            query = query.where(corrections.c.id == correction_id)
        found = tuple(
            Correction(
                id=row["id"],
                base=row["base"],
                submission=row["submission"],
                replaced=_keys(row["replaced"]),
                added=_keys(row["added"]),
                retracted=_keys(row["retracted"]),
                reason=row["reason"],
                author=row["author"],
                recorded_at=row["recorded_at"],
            )
            for row in conn.execute(query).mappings()
        )
        if correction_id is not None and not found:
            raise UnknownRecordError("correction", correction_id)
        return found

    # ------------------------------------------------------------------ appeals
    def insert_appeal(
        self, conn: sa.Connection, *, run_id: int, team: str, claim: str, author: str
    ) -> int:
        """Store an appeal; its id."""
        result = conn.execute(
            appeals.insert().values(
                run=run_id, team=team, claim=claim, author=author, recorded_at=self.now()
            )
        )
        return _new_id(result)

    def insert_decision(
        self,
        conn: sa.Connection,
        *,
        appeal_id: int,
        outcome: str,
        settled_by: int | None,
        reason: str,
        author: str,
    ) -> None:
        """Store an appeal's decision (once: a second one violates a unique constraint)."""
        conn.execute(
            appeal_decisions.insert().values(
                appeal=appeal_id,
                outcome=outcome,
                settled_by=settled_by,
                reason=reason,
                author=author,
                recorded_at=self.now(),
            )
        )

    def appeals(
        self, conn: sa.Connection, *, appeal_id: int | None = None, run_id: int | None = None
    ) -> tuple[Appeal, ...]:
        """Appeals with their decisions: all, one, or those against one run."""
        d = appeal_decisions
        query = (
            sa.select(
                appeals,
                d.c.outcome,
                d.c.settled_by,
                d.c.reason,
                d.c.author.label("decided_by"),
                d.c.recorded_at.label("decided_at"),
            )
            .outerjoin(d, d.c.appeal == appeals.c.id)
            .order_by(appeals.c.id)
        )
        if appeal_id is not None:
            query = query.where(appeals.c.id == appeal_id)
        if run_id is not None:
            query = query.where(appeals.c.run == run_id)
        found = []
        for row in conn.execute(query).mappings():
            decision = None
            if row["outcome"] is not None:
                decision = AppealDecision(
                    outcome=row["outcome"],
                    settled_by=row["settled_by"],
                    reason=row["reason"],
                    author=row["decided_by"],
                    recorded_at=row["decided_at"],
                )
            found.append(
                Appeal(
                    id=row["id"],
                    run=row["run"],
                    team=row["team"],
                    claim=row["claim"],
                    author=row["author"],
                    recorded_at=row["recorded_at"],
                    decision=decision,
                )
            )
        if appeal_id is not None and not found:
            raise UnknownRecordError("appeal", appeal_id)
        return tuple(found)
