"""Versioned schema migrations: an explicit, append-only migration table.

Each migration is a numbered Python step, applied in order, inside one transaction that holds
the ledger's write lock, and recorded as a row of ``ledger_schema`` (version, description,
the engine version that applied it, when). Opening a ledger applies the missing steps; a ledger
whose schema is newer than this library knows is refused, never touched.

Why not alembic: its version table is *updated* in place on every upgrade, which the ledger's
append-only guards refuse (and a ledger must not have one mutable table); alembic wants a
script directory and an ``env.py`` shipped beside the package and run as a separate step, while
a ledger is opened by whatever library version an office has installed and must bring itself
up to date there; and a ledger never goes back (a downgrade would drop history), so alembic's
downgrade half has no use. A tuple of functions and one table does the rest in a few lines.

Each step names the tables it creates explicitly, so that a step stays what it was when later
steps add tables to :mod:`._tables`.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs
import sqlalchemy as sa

from . import _tables

__all__ = ["MIGRATIONS", "Migration", "pending"]


@attrs.frozen
class Migration:
    """One schema step: its number, what it does, and the function that does it."""

    version: int
    description: str
    apply: Callable[[sa.Connection], None]


_V1_TABLES = (
    "ledger_fact_documents",
    "ledger_submissions",
    "ledger_corrections",
    "ledger_rubric_versions",
    "ledger_runs",
    "ledger_results",
    "ledger_states",
    "ledger_appeals",
    "ledger_appeal_decisions",
)


def _v1(conn: sa.Connection) -> None:
    tables = [_tables.metadata.tables[name] for name in _V1_TABLES]
    _tables.metadata.create_all(conn, tables=tables)
    guarded = (_tables.META_TABLE, _tables.SCHEMA_TABLE, *tables)
    for statement in _tables.guard_statements(conn.dialect.name, guarded):
        conn.exec_driver_sql(statement)


#: Every migration, in order; a ledger's schema version is the number of the last one applied.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "submissions, rubric versions, runs, states, corrections, appeals", _v1),
)


def pending(applied: dict[int, str]) -> tuple[Migration, ...]:
    """The migrations not yet applied, given ``{version: description}`` of those that are.

    :raises ValueError: when the applied steps are not a prefix of :data:`MIGRATIONS` (a
        ledger of a newer library, or one whose schema table was tampered with); the message
        says which.
    """
    known = {m.version: m for m in MIGRATIONS}
    newest = max(applied, default=0)
    if newest > len(MIGRATIONS):
        raise ValueError(
            f"the ledger has schema version {newest}, written by a newer assessment-engine;"
            f" this one knows versions up to {len(MIGRATIONS)}: upgrade assessment-engine"
        )
    for version in range(1, newest + 1):
        if version not in applied:
            raise ValueError(f"schema version {version} is missing from ledger_schema")
        if applied[version] != known[version].description:
            raise ValueError(
                f"schema version {version} is {applied[version]!r}, expected"
                f" {known[version].description!r}"
            )
    return MIGRATIONS[newest:]
