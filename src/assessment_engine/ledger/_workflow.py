"""The steps that write: recording a run, publish, finalize, appeal, decide.

Each is checked and written under the ledger's write lock, so that two people taking steps at
once cannot both succeed where only one may (finalize a run with an appeal lodged a moment
before, decide one appeal twice).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..errors import LedgerStateError
from ..report import Report
from ._facts import StoredFacts
from ._json import canonical, sha256
from ._model import Appeal, AppealOutcome, Correction, FactKey, Run, StateChange, Submission
from ._rubrics import CapturedRubric

if TYPE_CHECKING:  # the store needs SQLAlchemy, which the package's import does not
    from ._store import Store

__all__ = ["appeal", "decide", "finalize", "insert_correction", "insert_run", "publish"]


def _exact(value: Any) -> str:
    """A number as the report writes it: positional, without trailing zeros (``96.5``)."""
    return format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)


def insert_run(
    store: Store,
    report: Report,
    *,
    matcher: str,
    captured: CapturedRubric | None,
    rubric_version: int | None,
    submission: Submission | None,
    stored: StoredFacts | None,
    files: Sequence[Any],
    parent: int | None,
    correction: int | None,
    author: str,
    note: str,
) -> Run:
    """Store a run, its result rows and its first state.

    The submission and the rubric version are stored too when they are new (``stored``,
    ``captured``).
    """
    text = report.to_json()
    rows = [
        {
            "team": row.team,
            "position": position,
            "name": row.name,
            "department": row.department,
            "rank": row.rank,
            "composite": _exact(row.composite),
            "grade": row.grade.label if row.grade is not None else None,
            "titles": _titles_text(row.titles),
            "vetoed": row.vetoed,
        }
        for position, row in enumerate(report.rows())
    ]
    with store.write() as conn:
        if submission is None:
            assert stored is not None
            submission_id = store.insert_submission(
                conn, stored, sources=files, author=author, note=note
            )
        else:
            submission_id = submission.id
        if rubric_version is None:
            assert captured is not None
            rubric_version = store.rubric_version_for(conn, captured)
        run_id = store.insert_run(
            conn,
            period=report.period,
            submission=submission_id,
            rubric_version=rubric_version,
            rubric_hash=report.rubric_hash,
            engine_version=report.engine_version,
            matcher=matcher,
            report=text,
            report_hash=sha256(text),
            rows=rows,
            parent=parent,
            correction=correction,
            author=author,
            note=note,
        )
        return store.run(conn, run_id)


def _titles_text(titles: Sequence[str]) -> str:
    return canonical(list(titles))


def insert_correction(
    store: Store,
    stored: StoredFacts,
    *,
    base: int,
    keys: tuple[Sequence[FactKey], Sequence[FactKey], Sequence[FactKey]],
    reason: str,
    author: str,
) -> Correction:
    """Store a correction's new submission and the correction (replaced, added, retracted)."""
    replaced, added, retracted = keys
    with store.write() as conn:
        new_id = store.insert_submission(
            conn,
            stored,
            sources=(),
            author=author,
            note=f"correction of submission {base}: {reason}",
        )
        correction_id = store.insert_correction(
            conn,
            base=base,
            submission=new_id,
            replaced=replaced,
            added=added,
            retracted=retracted,
            reason=reason,
            author=author,
        )
        return store.corrections(conn, correction_id)[0]


def publish(
    store: Store, run_id: int, *, author: str, until: datetime.date | None, note: str
) -> StateChange:
    """See ``Ledger.publish``."""
    with store.write() as conn:
        current = store.run(conn, run_id)
        if current.state != "draft":
            raise LedgerStateError(
                f"run {run_id}", f"it is {current.state}: only a draft can be published"
            )
        change = store.insert_state(
            conn, run_id, "published", until=until, author=author, note=note
        )
        for other in store.runs(conn, period=current.period, state="published"):
            if other.id != run_id:
                store.insert_state(
                    conn,
                    other.id,
                    "superseded",
                    until=None,
                    author=author,
                    note=f"superseded by run {run_id}",
                )
        return change


def finalize(store: Store, run_id: int, *, author: str, note: str, early: bool) -> StateChange:
    """See ``Ledger.finalize``."""
    subject = f"run {run_id}"
    with store.write() as conn:
        current = store.run(conn, run_id)
        if current.state != "published":
            raise LedgerStateError(
                subject,
                f"it is {current.state}: only a published run becomes final (publish it"
                " for its publicity period first)"
                if current.state == "draft"
                else f"it is {current.state}: only a published run becomes final",
            )
        open_appeals = [a for a in store.appeals(conn, run_id=run_id) if a.open]
        if open_appeals:
            listed = ", ".join(f"appeal {a.id} ({a.team})" for a in open_appeals)
            raise LedgerStateError(subject, f"{listed} still open: decide first")
        published = [s for s in store.states(conn, run_id) if s.state == "published"]
        until = published[-1].until if published else None
        today = store.clock().astimezone(datetime.UTC).date()
        if until is not None and today <= until and not early:
            raise LedgerStateError(
                subject,
                f"its publicity period runs until {until.isoformat()} (today is"
                f" {today.isoformat()}); finalize after it, or early=True with a reason",
            )
        change = store.insert_state(conn, run_id, "final", until=None, author=author, note=note)
        for other in store.runs(conn, period=current.period, state="final"):
            if other.id != run_id:
                store.insert_state(
                    conn,
                    other.id,
                    "superseded",
                    until=None,
                    author=author,
                    note=f"superseded by run {run_id}",
                )
        return change


def appeal(store: Store, run_id: int, *, team: str, claim: str, author: str) -> Appeal:
    """See ``Ledger.appeal``."""
    with store.write() as conn:
        current = store.run(conn, run_id)
        if current.state != "published":
            raise LedgerStateError(
                f"run {run_id}",
                f"it is {current.state}: appeals are lodged against a published run, during"
                " its publicity period",
            )
        teams = {row.team for row in store.results(conn, run_id)}
        if team not in teams:
            raise LedgerStateError(f"run {run_id}", f"it has no team {team!r}")
        appeal_id = store.insert_appeal(conn, run_id=run_id, team=team, claim=claim, author=author)
        return store.appeals(conn, appeal_id=appeal_id)[0]


def decide(
    store: Store,
    appeal_id: int,
    *,
    outcome: AppealOutcome,
    reason: str,
    author: str,
    settling: Run | None,
) -> Appeal:
    """See ``Ledger.decide``."""
    subject = f"appeal {appeal_id}"
    with store.write() as conn:
        current = store.appeals(conn, appeal_id=appeal_id)[0]
        if not current.open:
            assert current.decision is not None
            raise LedgerStateError(subject, f"it was decided already ({current.decision.outcome})")
        if outcome == "upheld" and settling is None:
            raise LedgerStateError(
                subject, "an upheld appeal is settled by a re-run: pass settled_by"
            )
        if settling is not None and settling.id != current.run:
            lineage = _lineage(store, conn, settling.id)
            if current.run not in lineage:
                raise LedgerStateError(
                    subject,
                    f"run {settling.id} is not a re-run of the appealed run {current.run}",
                )
        store.insert_decision(
            conn,
            appeal_id=appeal_id,
            outcome=outcome,
            settled_by=settling.id if settling else None,
            reason=reason,
            author=author,
        )
        return store.appeals(conn, appeal_id=appeal_id)[0]


def _lineage(store: Store, conn: Any, run_id: int) -> list[int]:
    """The ids of the runs ``run_id`` re-runs, parent first."""
    chain: list[int] = []
    parent: int | None = store.run(conn, run_id).parent
    while parent is not None and parent not in chain:
        chain.append(parent)
        parent = store.run(conn, parent).parent
    return chain
