"""Opening a ledger's schema: what is there is recognised, created when asked, brought up to date.

A ledger is recognised by its ``ledger_meta`` row ``format`` (and, in a SQLite file, its
``application_id``); anything else is refused with one :class:`LedgerFileError` saying what it
is. A new ledger gets its meta and schema tables, then every migration of
:mod:`._migrations`, each recorded as a row of ``ledger_schema`` under the write lock.
"""

from __future__ import annotations

import sqlalchemy as sa

from .._base.version import VERSION
from ..errors import LedgerFileError
from ._connect import APPLICATION_ID, Database, Target
from ._migrations import Migration, pending
from ._tables import META_TABLE, SCHEMA_TABLE

__all__ = ["FORMAT", "check_target", "open_schema", "schema_version"]

#: The value of ``format`` in every ledger's ``ledger_meta``.
FORMAT = "assessment-engine ledger"


def check_target(target: Target, *, create: bool) -> None:
    """Refuse a ledger file that is a directory, or missing when it is not to be created.

    (Before connecting: connecting to SQLite creates the file.)
    """
    path = target.path
    if path is None:
        return
    if path.is_dir():
        raise LedgerFileError(str(target), "this is a directory, not a ledger file")
    if not create and not path.exists():
        raise LedgerFileError(
            str(target), "no ledger here: the file does not exist (`record` creates it)"
        )


def open_schema(db: Database, *, create: bool) -> None:
    """Check that ``db`` holds a ledger (or create one) and apply the missing migrations.

    :raises LedgerFileError: for a foreign or newer database, or none where ``create`` is
        false.
    """
    with db.read() as conn:
        found = _inspect(conn, db.target)
        todo = _pending(conn, db.target) if found else ()
    if not found and not create:
        raise LedgerFileError(str(db.target), "no ledger in this database (`record` creates one)")
    if found and not todo:
        return
    with db.write() as conn:
        if not _inspect(conn, db.target):
            _bootstrap(conn, db)
        for migration in _pending(conn, db.target):
            migration.apply(conn)
            conn.execute(
                SCHEMA_TABLE.insert().values(
                    version=migration.version,
                    description=migration.description,
                    engine_version=VERSION,
                    applied_at=db.now(),
                )
            )


def schema_version(db: Database) -> int:
    """The number of the last migration applied."""
    with db.read() as conn:
        return max(_applied(conn), default=0)


def _inspect(conn: sa.Connection, target: Target) -> bool:
    """Whether a ledger is there (``False``: nothing yet); raises for anything foreign."""
    names = set(sa.inspect(conn).get_table_names())
    sqlite = target.backend == "sqlite"
    if META_TABLE.name not in names:
        ours = sorted(n for n in names if n.startswith("ledger_"))
        if ours:
            raise LedgerFileError(
                str(target),
                f"not a usable ledger: it has ledger tables ({', '.join(ours[:4])}) but no"
                " ledger_meta",
            )
        if sqlite and names:
            shown = ", ".join(sorted(names)[:5]) + (" ..." if len(names) > 5 else "")
            raise LedgerFileError(
                str(target),
                f"not an assessment-engine ledger: a SQLite database with other tables ({shown})",
            )
        return False
    meta = dict(conn.execute(sa.select(META_TABLE.c.key, META_TABLE.c.value)).all())
    if meta.get("format") != FORMAT:
        raise LedgerFileError(
            str(target),
            f"not an assessment-engine ledger (its ledger_meta has format {meta.get('format')!r})",
        )
    if sqlite:
        app_id = conn.exec_driver_sql("PRAGMA application_id").scalar()
        if app_id != APPLICATION_ID:
            raise LedgerFileError(
                str(target), f"not an assessment-engine ledger (its application id is {app_id!r})"
            )
    return True


def _applied(conn: sa.Connection) -> dict[int, str]:
    query = sa.select(SCHEMA_TABLE.c.version, SCHEMA_TABLE.c.description)
    return {int(version): str(text) for version, text in conn.execute(query)}


def _pending(conn: sa.Connection, target: Target) -> tuple[Migration, ...]:
    try:
        return pending(_applied(conn))
    except ValueError as exc:
        raise LedgerFileError(str(target), str(exc)) from None


def _bootstrap(conn: sa.Connection, db: Database) -> None:
    META_TABLE.create(conn)
    SCHEMA_TABLE.create(conn)
    now = db.now()
    for key, value in (("format", FORMAT), ("created_at", now), ("created_by", VERSION)):
        conn.execute(META_TABLE.insert().values(key=key, value=value))
    if db.target.backend == "sqlite":
        conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
