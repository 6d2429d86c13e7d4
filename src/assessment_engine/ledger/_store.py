"""The store: rows in, rows out, through SQLAlchemy Core; one code path for both back ends.

Nothing here decides anything about assessments; :mod:`._ledger` does. Every write happens
inside :meth:`Store.write` (which holds the ledger's write lock, see :mod:`._connect`), and
every row is only ever inserted.
"""

from __future__ import annotations

import contextlib
import datetime
import json
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from .._base.version import VERSION
from ._connect import APPLICATION_ID, Target, create_engine, translate_errors, write_options
from ._errors import LedgerFileError, UnknownRecordError
from ._facts import StoredFacts
from ._json import canonical, loads
from ._migrations import Migration, pending
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
from ._tables import (
    META_TABLE,
    SCHEMA_TABLE,
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

__all__ = ["FORMAT", "Store"]

#: The value of ``format`` in every ledger's ``ledger_meta``.
FORMAT = "assessment-engine ledger"

Clock = Callable[[], datetime.datetime]


def _keys(text: str) -> tuple[FactKey, ...]:
    return tuple(FactKey(**item) for item in json.loads(text))


def _keys_text(keys: Sequence[FactKey]) -> str:
    return canonical(
        [{"kind": k.kind, "period": k.period, "team": k.team, "id": k.id} for k in keys]
    )


def _new_id(result: sa.CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


class Store:
    """A ledger's tables on one database; opened (created or migrated) on construction."""

    def __init__(self, target: Target, *, create: bool, clock: Clock) -> None:
        self.target = target
        self.clock = clock
        path = target.path
        if path is not None:
            if path.is_dir():
                raise LedgerFileError(str(target), "this is a directory, not a ledger file")
            if not create and not path.exists():
                raise LedgerFileError(
                    str(target), "no ledger here: the file does not exist (`record` creates it)"
                )
        self.engine = create_engine(target)
        try:
            self._open(create)
        except BaseException:
            self.engine.dispose()
            raise

    # ------------------------------------------------------------------ transactions
    @contextlib.contextmanager
    def read(self) -> Iterator[sa.Connection]:
        """A connection in a read transaction (a consistent snapshot; never waits)."""
        with translate_errors(self.target), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextlib.contextmanager
    def write(self) -> Iterator[sa.Connection]:
        """A connection in a write transaction: holds the write lock; all or nothing."""
        with translate_errors(self.target), self.engine.connect() as conn:
            conn.execution_options(**write_options())
            with conn.begin():
                yield conn

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def now(self) -> str:
        """The clock's time as stored: ISO 8601 with its UTC offset, to the second."""
        return self.clock().astimezone(datetime.UTC).isoformat(timespec="seconds")

    # ------------------------------------------------------------------ opening
    def _open(self, create: bool) -> None:
        with self.read() as conn:
            found = self._inspect(conn)
            todo = self._pending(conn) if found else ()
        if not found and not create:
            raise LedgerFileError(
                str(self.target), "no ledger in this database (`record` creates one)"
            )
        if found and not todo:
            return
        with self.write() as conn:
            if not self._inspect(conn):
                self._bootstrap(conn)
            for migration in self._pending(conn):
                migration.apply(conn)
                conn.execute(
                    SCHEMA_TABLE.insert().values(
                        version=migration.version,
                        description=migration.description,
                        engine_version=VERSION,
                        applied_at=self.now(),
                    )
                )

    def _inspect(self, conn: sa.Connection) -> bool:
        """Whether a ledger is there (``False``: nothing yet); raises for anything foreign."""
        names = set(sa.inspect(conn).get_table_names())
        sqlite = self.target.backend == "sqlite"
        if META_TABLE.name not in names:
            ours = sorted(n for n in names if n.startswith("ledger_"))
            if ours:
                raise LedgerFileError(
                    str(self.target),
                    f"not a usable ledger: it has ledger tables ({', '.join(ours[:4])}) but no"
                    " ledger_meta",
                )
            if sqlite and names:
                shown = ", ".join(sorted(names)[:5]) + (" ..." if len(names) > 5 else "")
                raise LedgerFileError(
                    str(self.target),
                    f"not an assessment-engine ledger: a SQLite database with other tables"
                    f" ({shown})",
                )
            return False
        meta = dict(conn.execute(sa.select(META_TABLE.c.key, META_TABLE.c.value)).all())
        if meta.get("format") != FORMAT:
            raise LedgerFileError(
                str(self.target),
                f"not an assessment-engine ledger (its ledger_meta has format"
                f" {meta.get('format')!r})",
            )
        if sqlite:
            app_id = conn.exec_driver_sql("PRAGMA application_id").scalar()
            if app_id != APPLICATION_ID:
                raise LedgerFileError(
                    str(self.target),
                    f"not an assessment-engine ledger (its application id is {app_id!r})",
                )
        return True

    def _applied(self, conn: sa.Connection) -> dict[int, str]:
        query = sa.select(SCHEMA_TABLE.c.version, SCHEMA_TABLE.c.description)
        return {int(version): str(text) for version, text in conn.execute(query)}

    def _pending(self, conn: sa.Connection) -> tuple[Migration, ...]:
        try:
            return pending(self._applied(conn))
        except ValueError as exc:
            raise LedgerFileError(str(self.target), str(exc)) from None

    def _bootstrap(self, conn: sa.Connection) -> None:
        META_TABLE.create(conn)
        SCHEMA_TABLE.create(conn)
        now = self.now()
        for key, value in (("format", FORMAT), ("created_at", now), ("created_by", VERSION)):
            conn.execute(META_TABLE.insert().values(key=key, value=value))
        if self.target.backend == "sqlite":
            conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")

    def schema_version(self) -> int:
        """The number of the last migration applied."""
        with self.read() as conn:
            return max(self._applied(conn), default=0)

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
        return tuple(
            ResultRow(
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
            for row in conn.execute(query).mappings()
        )

    def team_results(self, conn: sa.Connection, team: str) -> tuple[ResultRow, ...]:
        """One team's result rows across every run, in the order recorded."""
        query = sa.select(results).where(results.c.team == team).order_by(results.c.run)
        return tuple(
            ResultRow(
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
            for row in conn.execute(query).mappings()
        )

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

    # ------------------------------------------------------------------ integrity
    def verify(self) -> list[str]:
        """Every problem found checking the stored hashes and the rows' agreement."""
        problems: list[str] = []
        with self.read() as conn:
            if self.target.backend == "sqlite":
                check = conn.exec_driver_sql("PRAGMA quick_check").scalars().all()
                if check != ["ok"]:
                    problems.extend(f"SQLite quick_check: {line}" for line in check)
            from ._json import sha256

            for digest, body in conn.execute(
                sa.select(fact_documents.c.hash, fact_documents.c.body)
            ):
                if sha256(body) != digest:
                    problems.append(f"the facts stored under {digest[:12]} do not match their hash")
            from ._json import rubric_hash

            for version_id, digest, data in conn.execute(
                sa.select(
                    rubric_versions.c.id, rubric_versions.c.content_hash, rubric_versions.c.data
                )
            ):
                if rubric_hash(loads(data)) != digest:
                    problems.append(f"rubric version {version_id} does not match its hash")
            latest = self._states_of(conn, None)
            counts: dict[int, int] = dict(
                conn.execute(
                    sa.select(results.c.run, sa.func.count()).group_by(results.c.run)
                ).all()
            )
            for run_id, report, digest, teams in conn.execute(
                sa.select(runs.c.id, runs.c.report, runs.c.report_hash, runs.c.teams)
            ):
                if sha256(report) != digest:
                    problems.append(f"run {run_id}: the report does not match its hash")
                if counts.get(run_id, 0) != teams:
                    problems.append(
                        f"run {run_id}: {counts.get(run_id, 0)} result rows for {teams} teams"
                    )
                if run_id not in latest:
                    problems.append(f"run {run_id} has no state")
        return problems
