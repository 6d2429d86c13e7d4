"""Shared by the ledger's tests: a ledger on each back end, and a throwaway PostgreSQL server.

``ledger_target`` is parametrised over ``sqlite`` (a file in the test's directory) and
``postgresql`` (a fresh database on a server), so that one test module runs on both back ends.

The server: ``ASSESSMENT_ENGINE_POSTGRES_URL`` names one to use (a database the tests may
create databases on); otherwise the tests start their own, from Debian's ``postgresql``
package (``/usr/lib/postgresql/*/bin``): ``initdb`` a cluster in a temporary directory (as
the ``postgres`` user when running as root, since initdb refuses root), ``pg_ctl start`` it on
a free loopback port with trust authentication, and stop and delete it at the end. Without a
server or the package the PostgreSQL tests skip, saying why — unless
``ASSESSMENT_ENGINE_REQUIRE_POSTGRES`` is set (``nox -s ledger_pg`` sets it and installs the
package), when they fail.

Import the fixtures into a test module: ``from ledger_support import ledger_target``.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REQUIRE = "ASSESSMENT_ENGINE_REQUIRE_POSTGRES"
URL_ENV = "ASSESSMENT_ENGINE_POSTGRES_URL"
BACKENDS = ("sqlite", "postgresql")
_counter = itertools.count()


def _unavailable(reason: str) -> None:
    if os.environ.get(REQUIRE):
        pytest.fail(f"{reason}, and {REQUIRE} is set: the PostgreSQL tests must run")
    pytest.skip(
        f"{reason} (set {REQUIRE}=1 to make this a failure; `nox -s ledger_pg` installs"
        " Debian's postgresql and runs them)"
    )


def _bin_dir() -> Path | None:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: (
            int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0
        ),
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Cluster:
    """A throwaway PostgreSQL cluster in a temporary directory."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="assessment-ledger-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.user: str | None = None
        if os.geteuid() == 0:
            try:
                entry = pwd.getpwnam("postgres")
            except KeyError:
                shutil.rmtree(self.root, ignore_errors=True)
                raise RuntimeError(
                    "running as root and there is no user 'postgres' to run initdb as"
                ) from None
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
            self.user = "postgres"

    def _run(self, *args: str) -> None:
        subprocess.run(
            args,
            check=True,
            capture_output=True,
            text=True,
            user=self.user,
            cwd=self.root,
            timeout=120,
        )

    def start(self) -> str:
        self._run(
            str(self.bin_dir / "initdb"),
            "-D", str(self.data),
            "-U", "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-sync",
        )  # fmt: skip
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            str(self.bin_dir / "pg_ctl"),
            "-D", str(self.data),
            "-l", str(self.root / "server.log"),
            "-o", options,
            "-w",
            "start",
        )  # fmt: skip
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._run(
                str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"
            )
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        path = self.root / "server.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a PostgreSQL server's ``postgres`` database (or skip/fail, see the module)."""
    try:
        import psycopg  # noqa: F401
        import sqlalchemy  # noqa: F401
    except ImportError as exc:
        _unavailable(f"psycopg or SQLAlchemy is not installed ({exc}; extra 'postgres')")
    given = os.environ.get(URL_ENV)
    if given:
        yield given
        return
    bin_dir = _bin_dir()
    if bin_dir is None:
        _unavailable(
            "PostgreSQL's server programs are not installed (Debian: apt-get install postgresql)"
        )
        return
    try:
        cluster = _Cluster(bin_dir)
    except RuntimeError as exc:
        _unavailable(str(exc))
        return
    try:
        url = cluster.start()
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        detail = getattr(exc, "stderr", "") or ""
        log = cluster.log()
        cluster.stop()
        _unavailable(f"a throwaway PostgreSQL server could not be started: {exc} {detail} {log}")
        return
    try:
        yield url
    finally:
        cluster.stop()


def _create_database(server: str) -> str:
    import sqlalchemy as sa

    name = f"ledger_test_{os.getpid()}_{next(_counter)}"
    engine = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
    finally:
        engine.dispose()
    return str(sa.make_url(server).set(database=name).render_as_string(hide_password=False))


@pytest.fixture(params=BACKENDS)
def ledger_target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a fresh ledger goes: a SQLite file, or a new PostgreSQL database's URL."""
    if request.param == "sqlite":
        return str(tmp_path / "ledger.db")
    server = request.getfixturevalue("postgres_server")
    return _create_database(server)


# --------------------------------------------------------------------------- a tiny rule set
def tiny_rubric():  # type: ignore[no-untyped-def]
    """A one-dimension rubric (volunteer events, 2 points each, at most 10) for quick runs."""
    from assessment_engine.rubric import (
        Dimension,
        GradeBand,
        GradeScale,
        Indicator,
        PerItem,
        Rubric,
        facts,
    )

    return Rubric.build(
        dimensions=[Dimension(id="cv", label="精神文明 (civility)", max=10)],
        indicators=[
            Indicator(
                id="cv.events",
                dimension="cv",
                label="志愿活动 (volunteer events)",
                max=10,
                scoring=PerItem(facts("activity", kind="volunteer"), points=2, cap=10),
            )
        ],
        grade_scales=[
            GradeScale(
                id="cv.grade",
                label="等级 (grade)",
                of="cv",
                bands=[
                    GradeBand(label="优秀 (excellent)", at_least=8),
                    GradeBand(label="合格 (pass)"),
                ],
            )
        ],
    )


def tiny_facts(period: str = "2024", events: dict[str, int] | None = None) -> list:  # type: ignore[type-arg]
    """Teams t1..t3 with 1, 3 and 5 volunteer events (or as ``events`` says)."""
    from assessment_engine import Activity, Team

    events = events if events is not None else {"t1": 1, "t2": 3, "t3": 5}
    facts: list = []  # type: ignore[type-arg]
    for team, count in events.items():
        facts.append(
            Team(team=team, period=period, name=f"班组 {team}", department="所", headcount=2)
        )
        facts += [
            Activity(team=team, period=period, id=f"v{i}", kind="volunteer", hours=2)
            for i in range(count)
        ]
    return facts
