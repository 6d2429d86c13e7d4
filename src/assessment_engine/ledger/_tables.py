"""The ledger's tables (SQLAlchemy Core) and the guards that make every one append-only.

Every table's rows are only ever inserted: a trigger on each refuses ``UPDATE`` and ``DELETE``
(and, on PostgreSQL, ``TRUNCATE``). A run's state changes are rows of ``ledger_states``; an
appeal's decision is a row of ``ledger_appeal_decisions``; a correction is a new submission.
Content that repeats (the facts of a submission, a rubric) is stored once, under its hash.
JSON columns hold canonical JSON text (sorted keys where a key order is not part of the data).
"""

from __future__ import annotations

import sqlalchemy as sa

__all__ = ["APPEND_ONLY_TABLES", "META_TABLE", "SCHEMA_TABLE", "guard_statements", "metadata"]

metadata = sa.MetaData()

_TEXT_ID = sa.String(64)  # SHA-256 hex digests
_NAME = sa.String(200)
_STAMP = sa.String(40)  # ISO 8601 with its UTC offset

#: What the file or database is: ``format``, created by which engine version, and when.
META_TABLE = sa.Table(
    "ledger_meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

#: One row per applied schema migration (see ``_migrations.py``).
SCHEMA_TABLE = sa.Table(
    "ledger_schema",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("engine_version", _NAME, nullable=False),
    sa.Column("applied_at", _STAMP, nullable=False),
)

fact_documents = sa.Table(
    "ledger_fact_documents",
    metadata,
    sa.Column("hash", _TEXT_ID, primary_key=True),
    sa.Column("records", sa.Integer, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
)

submissions = sa.Table(
    "ledger_submissions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("facts", _TEXT_ID, sa.ForeignKey("ledger_fact_documents.hash"), nullable=False),
    sa.Column("periods", sa.Text, nullable=False),
    sa.Column("sources", sa.Text, nullable=False),
    sa.Column("author", _NAME, nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("recorded_at", _STAMP, nullable=False),
)

corrections = sa.Table(
    "ledger_corrections",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("base", sa.Integer, sa.ForeignKey("ledger_submissions.id"), nullable=False),
    sa.Column(
        "submission",
        sa.Integer,
        sa.ForeignKey("ledger_submissions.id"),
        nullable=False,
        unique=True,
    ),
    sa.Column("replaced", sa.Text, nullable=False),
    sa.Column("added", sa.Text, nullable=False),
    sa.Column("retracted", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("author", _NAME, nullable=False),
    sa.Column("recorded_at", _STAMP, nullable=False),
)

rubric_versions = sa.Table(
    "ledger_rubric_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("content_hash", _TEXT_ID, nullable=False),
    sa.Column("plugins_hash", _TEXT_ID, nullable=False),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("plugins", sa.Text, nullable=False),
    sa.Column("provenance", sa.Text, nullable=False),
    sa.Column("recorded_at", _STAMP, nullable=False),
    sa.UniqueConstraint("content_hash", "plugins_hash"),
)

runs = sa.Table(
    "ledger_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("period", _NAME, nullable=False),
    sa.Column("submission", sa.Integer, sa.ForeignKey("ledger_submissions.id"), nullable=False),
    sa.Column(
        "rubric_version", sa.Integer, sa.ForeignKey("ledger_rubric_versions.id"), nullable=False
    ),
    sa.Column("rubric_hash", _TEXT_ID, nullable=False),
    sa.Column("engine_version", _NAME, nullable=False),
    sa.Column("matcher", sa.String(20), nullable=False),
    sa.Column("report", sa.Text, nullable=False),
    sa.Column("report_hash", _TEXT_ID, nullable=False),
    sa.Column("teams", sa.Integer, nullable=False),
    sa.Column("parent", sa.Integer, sa.ForeignKey("ledger_runs.id"), nullable=True),
    sa.Column("correction", sa.Integer, sa.ForeignKey("ledger_corrections.id"), nullable=True),
    sa.Column("author", _NAME, nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("recorded_at", _STAMP, nullable=False),
    sa.Index("ledger_runs_by_period", "period"),
)

results = sa.Table(
    "ledger_results",
    metadata,
    sa.Column("run", sa.Integer, sa.ForeignKey("ledger_runs.id"), primary_key=True),
    sa.Column("team", _NAME, primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("department", sa.Text, nullable=False),
    sa.Column("rank", sa.Integer, nullable=True),
    sa.Column("composite", sa.String(60), nullable=False),
    sa.Column("grade", sa.Text, nullable=True),
    sa.Column("titles", sa.Text, nullable=False),
    sa.Column("vetoed", sa.Boolean, nullable=False),
    sa.Index("ledger_results_by_team", "team"),
)

states = sa.Table(
    "ledger_states",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("run", sa.Integer, sa.ForeignKey("ledger_runs.id"), nullable=False),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("until", sa.String(10), nullable=True),
    sa.Column("author", _NAME, nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("recorded_at", _STAMP, nullable=False),
    sa.UniqueConstraint("run", "state"),  # a run enters each state at most once
    sa.CheckConstraint(
        "state IN ('draft', 'published', 'final', 'superseded')", name="ledger_states_state"
    ),
)

appeals = sa.Table(
    "ledger_appeals",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("run", sa.Integer, sa.ForeignKey("ledger_runs.id"), nullable=False),
    sa.Column("team", _NAME, nullable=False),
    sa.Column("claim", sa.Text, nullable=False),
    sa.Column("author", _NAME, nullable=False),
    sa.Column("recorded_at", _STAMP, nullable=False),
)

appeal_decisions = sa.Table(
    "ledger_appeal_decisions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "appeal", sa.Integer, sa.ForeignKey("ledger_appeals.id"), nullable=False, unique=True
    ),
    sa.Column("outcome", sa.String(20), nullable=False),
    sa.Column("settled_by", sa.Integer, sa.ForeignKey("ledger_runs.id"), nullable=True),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("author", _NAME, nullable=False),
    sa.Column("recorded_at", _STAMP, nullable=False),
    sa.CheckConstraint("outcome IN ('upheld', 'rejected')", name="ledger_appeal_outcome"),
)

#: Every table, in creation order; all of them refuse UPDATE and DELETE.
APPEND_ONLY_TABLES: tuple[sa.Table, ...] = tuple(metadata.sorted_tables)

# ``%%``: the driver reads ``%`` as a placeholder (psycopg turns ``%%`` back into ``%``).
_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the ledger is append-only: %% on %% is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END
$$
"""


def guard_statements(dialect: str, tables: tuple[sa.Table, ...]) -> list[str]:
    """The DDL that makes ``tables`` append-only on ``dialect`` (``sqlite`` or ``postgresql``)."""
    statements: list[str] = []
    if dialect == "postgresql":
        statements.append(_PG_FUNCTION)
        for table in tables:
            statements.append(
                f"CREATE TRIGGER {table.name}_append_only BEFORE UPDATE OR DELETE ON {table.name}"
                " FOR EACH ROW EXECUTE FUNCTION ledger_append_only()"
            )
            statements.append(
                f"CREATE TRIGGER {table.name}_no_truncate BEFORE TRUNCATE ON {table.name}"
                " FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only()"
            )
        return statements
    for table in tables:
        for operation in ("UPDATE", "DELETE"):
            statements.append(
                f"CREATE TRIGGER {table.name}_no_{operation.lower()} BEFORE {operation}"
                f" ON {table.name} BEGIN SELECT RAISE(ABORT, 'the ledger is append-only:"
                f" {operation} on {table.name} is refused'); END"
            )
    return statements
