"""What is not a ledger gets one clear error: corrupt, foreign, truncated files, a directory, a
database of another application, a missing extra."""

from __future__ import annotations

import builtins
import contextlib
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

sa = pytest.importorskip("sqlalchemy")

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # --import-mode=importlib: make the sibling module importable
    sys.path.insert(0, str(HERE))

import ledger_support  # noqa: E402
from assessment_engine import Engine  # noqa: E402
from assessment_engine.ledger import (  # noqa: E402
    Ledger,
    LedgerError,
    LedgerFileError,
    LedgerUnavailableError,
)
from ledger_support import tiny_facts, tiny_rubric  # noqa: E402

postgres_server = ledger_support.postgres_server


def _ledger_with_a_run(path: Path) -> None:
    with (
        Ledger.open(path, create=True) as ledger,
        Engine.from_rubric(tiny_rubric(), matcher="python") as engine,
    ):
        ledger.record(engine, tiny_facts(), author="a")


def test_random_bytes_are_not_a_ledger(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are meeting notes, not a database\n" * 100)
    with pytest.raises(LedgerFileError, match="not a ledger: the file is corrupt or not a SQLite"):
        Ledger.open(path)
    with pytest.raises(LedgerFileError, match="not a ledger"):
        Ledger.open(path, create=True)  # never overwritten
    assert path.read_bytes().startswith(b"these are meeting notes")


def test_another_applications_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount TEXT)")
    with pytest.raises(
        LedgerFileError, match=r"not an assessment-engine ledger: a SQLite database with other"
    ):
        Ledger.open(path, create=True)
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("invoices",)]


def test_a_ledger_with_a_foreign_mark_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    _ledger_with_a_run(path)
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("PRAGMA application_id = 7")
    with pytest.raises(LedgerFileError, match="its application id is 7"):
        Ledger.open(path)


def test_a_corrupt_ledger_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    _ledger_with_a_run(path)
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the schema page, after the header
    path.write_bytes(bytes(data))
    with pytest.raises(LedgerFileError, match="corrupt"):
        Ledger.open(path)


def test_a_truncated_ledger_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    _ledger_with_a_run(path)
    size = path.stat().st_size
    path.write_bytes(path.read_bytes()[: size // 3])

    def read_everything() -> None:
        with Ledger.open(path) as ledger:
            ledger.verify()
            for run in ledger.runs():
                ledger.report(run)

    with pytest.raises(LedgerError) as caught:
        read_everything()
    assert str(path) in str(caught.value)


def test_missing_files_and_directories(tmp_path: Path) -> None:
    with pytest.raises(LedgerFileError, match="no ledger here: the file does not exist"):
        Ledger.open(tmp_path / "typo.db")
    assert not (tmp_path / "typo.db").exists()
    with pytest.raises(LedgerFileError, match="this is a directory"):
        Ledger.open(tmp_path, create=True)
    with pytest.raises(LedgerFileError, match="unsupported database 'mysql'"):
        Ledger.open("mysql://localhost/x")
    with pytest.raises(LedgerFileError, match="a ledger is a file"):
        Ledger.open("sqlite://")


def test_a_postgresql_database_with_foreign_ledger_tables(postgres_server: str) -> None:
    target = ledger_support._create_database(postgres_server)
    engine = sa.create_engine(target)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE ledger_runs (id integer)")
    finally:
        engine.dispose()
    with pytest.raises(LedgerFileError, match=r"ledger tables \(ledger_runs\) but no ledger_meta"):
        Ledger.open(target, create=True)


def test_an_unreachable_server_is_named() -> None:
    url = "postgresql://nobody@127.0.0.1:9/none?connect_timeout=2"
    with pytest.raises(LedgerFileError, match="cannot connect to the database"):
        Ledger.open(url)


def _without(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    real = builtins.__import__

    def fake(module: str, *args: Any, **kwargs: Any) -> Any:
        if module == name or module.startswith(name + "."):
            raise ImportError(f"No module named {name!r}")
        return real(module, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake)


def test_a_missing_extra_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as patched:
        _without(patched, "psycopg")
        with pytest.raises(LedgerUnavailableError) as caught:
            Ledger.open("postgresql://nobody@127.0.0.1/x")
    assert caught.value.extra == "postgres"
    assert "install the extra 'postgres' (pip install 'assessment-engine[postgres]')" in str(
        caught.value
    )
    monkeypatch.delitem(sys.modules, "assessment_engine.ledger._connect")
    monkeypatch.delitem(sys.modules, "assessment_engine.ledger._store")
    _without(monkeypatch, "sqlalchemy")
    with pytest.raises(LedgerUnavailableError) as caught:
        Ledger.open("anything.db", create=True)
    assert caught.value.extra == "ledger"
    assert "the ledger needs SQLAlchemy" in str(caught.value)


_WITHOUT_SQLALCHEMY = """
import sys

class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "sqlalchemy" or name.startswith("sqlalchemy."):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return None

sys.meta_path.insert(0, Block())
import assessment_engine.ledger as ledger
import assessment_engine.cli  # the command line registers the ledger's commands
assert "sqlalchemy" not in sys.modules
try:
    ledger.Ledger.open(sys.argv[1], create=True)
except ledger.LedgerUnavailableError as exc:
    print(exc.extra, exc)
"""


def test_the_package_and_the_command_line_import_without_sqlalchemy(tmp_path: Path) -> None:
    pytest.importorskip("click")
    done = subprocess.run(
        [sys.executable, "-c", _WITHOUT_SQLALCHEMY, str(tmp_path / "l.db")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ledger the ledger needs SQLAlchemy, which cannot be imported")
    assert not (tmp_path / "l.db").exists()
