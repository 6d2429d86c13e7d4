"""Connecting to a ledger: a SQLite file (the default) or a PostgreSQL database, one interface.

Both go through SQLAlchemy Core, so every query, every transaction and every check is one code
path; what differs is set up here:

* **SQLite**: write-ahead logging (readers never wait for the writer, and a crash mid-write
  leaves the last committed state), ``synchronous=FULL`` (a committed run survives a power
  cut too), foreign keys on, and SQLAlchemy — not the ``sqlite3`` module — emitting ``BEGIN``:
  ``BEGIN IMMEDIATE`` for a write, so two writers queue for the lock instead of deadlocking
  when a read turns into a write. The file's ``application_id`` marks it as a ledger.
* **PostgreSQL** (psycopg 3): a write transaction takes one transaction-level advisory lock,
  so writes are serialised exactly as on SQLite (the checks a step makes before it inserts
  cannot race); readers never wait. ``lock_timeout`` bounds the wait.

Errors of the drivers become the ledger's: a corrupt or foreign file, an unreachable server
and a lock held too long each get one clear message.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..errors import LedgerBusyError, LedgerError, LedgerFileError, LedgerUnavailableError

try:
    import sqlalchemy as sa
except ImportError as exc:  # pragma: no cover - the test extra installs it
    raise LedgerUnavailableError(
        f"the ledger needs SQLAlchemy, which cannot be imported ({exc})",
        extra="ledger",
        module="sqlalchemy",
    ) from exc

__all__ = [
    "APPLICATION_ID",
    "BUSY_SECONDS",
    "Clock",
    "Database",
    "Target",
    "create_engine",
    "parse_target",
    "translate_errors",
]

#: Written into every ledger file's header (``PRAGMA application_id``): "AELG".
APPLICATION_ID = 0x41454C47
#: How long a writer waits for the write lock before :class:`LedgerBusyError`.
BUSY_SECONDS = 30.0
#: The key of the PostgreSQL advisory lock that serialises writers.
_PG_LOCK_KEY = 0x41454C47

_WRITE = "assessment_engine_ledger_write"

#: What gives the time recorded with every row.
Clock = Callable[[], datetime.datetime]


class Target:
    """Where a ledger lives: a SQLite file or a database URL (shown without its password)."""

    def __init__(self, url: sa.URL, path: Path | None) -> None:
        self.url = url
        self.path = path
        self.backend = "sqlite" if path is not None else "postgresql"

    def __str__(self) -> str:
        if self.path is not None:
            return str(self.path)
        return self.url.render_as_string(hide_password=True)


def parse_target(target: str | os.PathLike[str]) -> Target:
    """A file path or ``sqlite:///PATH`` (SQLite) or ``postgresql://...`` (psycopg) URL.

    :raises LedgerFileError: for a URL of another database.
    """
    text = os.fspath(target)
    if "://" not in text:
        path = Path(text)
        return Target(sa.URL.create("sqlite", database=str(path)), path)
    try:
        url = sa.make_url(text)
    except sa.exc.ArgumentError as exc:
        raise LedgerFileError(text, f"not a ledger address: {exc}") from None
    scheme = url.drivername
    if scheme == "sqlite":
        if not url.database or url.database == ":memory:":
            raise LedgerFileError(text, "a ledger is a file: give sqlite:///PATH")
        return Target(url, Path(url.database))
    if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        return Target(url.set(drivername="postgresql+psycopg"), None)
    raise LedgerFileError(
        text, f"unsupported database {scheme!r}: use a file path, sqlite:/// or postgresql://"
    )


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy's begin event emits BEGIN
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_SECONDS * 1000)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA journal_mode = WAL")
    finally:
        cursor.close()


def _sqlite_begin(conn: sa.Connection) -> None:
    write = conn.get_execution_options().get(_WRITE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _pg_begin(conn: sa.Connection) -> None:
    if conn.get_execution_options().get(_WRITE, False):
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{int(BUSY_SECONDS * 1000)}ms'")
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK_KEY})")


def create_engine(target: Target) -> sa.Engine:
    """The SQLAlchemy engine for ``target``, set up as the module docstring says.

    :raises LedgerUnavailableError: when psycopg is missing for a PostgreSQL target.
    """
    if target.path is not None:
        engine = sa.create_engine(target.url, connect_args={"timeout": BUSY_SECONDS})
        sa.event.listen(engine, "connect", _sqlite_connect)
        sa.event.listen(engine, "begin", _sqlite_begin)
        return engine
    try:
        import psycopg  # noqa: F401
    except ImportError as exc:
        raise LedgerUnavailableError(
            f"a PostgreSQL ledger needs psycopg, which cannot be imported ({exc})",
            extra="postgres",
            module="psycopg",
        ) from exc
    engine = sa.create_engine(target.url, pool_pre_ping=True, isolation_level="READ COMMITTED")
    sa.event.listen(engine, "begin", _pg_begin)
    return engine


_CORRUPT = re.compile(r"file is not a database|malformed|file is encrypted|not a database")


@contextlib.contextmanager
def translate_errors(target: Target) -> Iterator[None]:
    """Turn the drivers' errors into the ledger's (one clear message each)."""
    try:
        yield
    except sa.exc.DBAPIError as exc:
        raise _translated(target, exc) from exc


def _translated(target: Target, exc: sa.exc.DBAPIError) -> Exception:
    message = str(exc.orig) if exc.orig is not None else str(exc)
    first = message.strip().splitlines()[0] if message.strip() else type(exc).__name__
    code = getattr(exc.orig, "sqlstate", None)
    if "database is locked" in message or code in ("55P03", "40P01"):
        return LedgerBusyError(str(target), BUSY_SECONDS)
    if target.backend == "sqlite":
        if _CORRUPT.search(message):
            return LedgerFileError(
                str(target), f"not a ledger: the file is corrupt or not a SQLite database ({first})"
            )
        if "unable to open database file" in message:
            return LedgerFileError(str(target), f"the file cannot be opened ({first})")
        if "readonly" in message or "read-only" in message:
            return LedgerFileError(str(target), f"the file cannot be written ({first})")
    elif isinstance(exc, sa.exc.OperationalError) and code is None:
        return LedgerFileError(str(target), f"cannot connect to the database ({first})")
    if "append-only" in message:
        return LedgerError(f"{target}: {first}")
    return exc


class Database:
    """A ledger's database: its connections, read and write transactions, and its clock."""

    def __init__(self, target: Target, clock: Clock) -> None:
        self.target = target
        self.clock = clock
        self.engine = create_engine(target)

    @contextlib.contextmanager
    def read(self) -> Iterator[sa.Connection]:
        """A connection in a read transaction (a consistent snapshot; never waits)."""
        with translate_errors(self.target), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextlib.contextmanager
    def write(self) -> Iterator[sa.Connection]:
        """A connection in a write transaction: holds the write lock; all or nothing."""
        with translate_errors(self.target), self.engine.connect() as conn:
            conn.execution_options(**{_WRITE: True})
            with conn.begin():
                yield conn

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def now(self) -> str:
        """The clock's time as stored: ISO 8601 with its UTC offset, to the second."""
        return self.clock().astimezone(datetime.UTC).isoformat(timespec="seconds")
