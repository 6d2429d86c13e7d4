"""Checking a ledger: every stored hash recomputed, the rows' agreement, SQLite's own check."""

from __future__ import annotations

import sqlalchemy as sa

from ..rubric import content_hash
from ._connect import Database
from ._json import loads, sha256
from ._tables import fact_documents, results, rubric_versions, runs, states

__all__ = ["verify"]


def verify(db: Database) -> list[str]:
    """Every problem found checking the stored hashes and the rows' agreement (none: ``[]``)."""
    problems: list[str] = []
    with db.read() as conn:
        if db.target.backend == "sqlite":
            check = conn.exec_driver_sql("PRAGMA quick_check").scalars().all()
            if check != ["ok"]:
                problems.extend(f"SQLite quick_check: {line}" for line in check)
        for digest, body in conn.execute(sa.select(fact_documents.c.hash, fact_documents.c.body)):
            if sha256(body) != digest:
                problems.append(f"the facts stored under {digest[:12]} do not match their hash")
        for version_id, digest, data in conn.execute(
            sa.select(rubric_versions.c.id, rubric_versions.c.content_hash, rubric_versions.c.data)
        ):
            if content_hash(loads(data)) != digest:
                problems.append(f"rubric version {version_id} does not match its hash")
        with_state = set(conn.execute(sa.select(states.c.run).distinct()).scalars())
        counts: dict[int, int] = dict(
            conn.execute(sa.select(results.c.run, sa.func.count()).group_by(results.c.run)).all()
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
            if run_id not in with_state:
                problems.append(f"run {run_id} has no state")
    return problems
