"""The ledger on both back ends: the same tests on a SQLite file and on a PostgreSQL database.

Recording and reading back (the example institute's two years), reproducing byte for byte and
saying what differs when it cannot, the workflow (draft → published → final, superseding), a
correction → re-run → appeal flow, and the guarantees: no row is ever updated or deleted, a
writer killed with SIGKILL mid-write leaves every committed run intact and nothing half-written,
two writers at once are safe, a newer schema is refused.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

sa = pytest.importorskip("sqlalchemy")

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # --import-mode=importlib: make the sibling module importable
    sys.path.insert(0, str(HERE))

import ledger_support  # noqa: E402
from assessment_engine import Engine, dump_json  # noqa: E402
from assessment_engine.ledger import (  # noqa: E402
    FactKey,
    Ledger,
    LedgerFileError,
    LedgerStateError,
    UnknownRecordError,
)
from assessment_engine.ledger._tables import APPEND_ONLY_TABLES  # noqa: E402
from ledger_support import tiny_facts, tiny_rubric  # noqa: E402

ledger_target = ledger_support.ledger_target  # the fixtures: both back ends
postgres_server = ledger_support.postgres_server
EXAMPLES = HERE.parent / "examples"
YEARS = {year: EXAMPLES / f"institute-{year}.json" for year in ("2023", "2024")}


@pytest.fixture(scope="module")
def institute() -> Iterator[Engine]:
    """The example institute's rule sets (the 1252 method alone), plain matcher."""
    engine = Engine(block=["food_institute"], matcher="python")
    yield engine
    engine.close()


@pytest.fixture
def tiny() -> Iterator[Engine]:
    engine = Engine.from_rubric(tiny_rubric(), matcher="python")
    yield engine
    engine.close()


@pytest.fixture
def ledger(ledger_target: str) -> Iterator[Ledger]:
    with Ledger.open(ledger_target, create=True) as opened:
        yield opened


def _url(target: str) -> str:
    return target if "://" in target else f"sqlite:///{target}"


# --------------------------------------------------------------------------- recording
def test_the_example_institute_is_recorded_and_read_back(ledger: Ledger, institute: Engine) -> None:
    runs = []
    for year, path in YEARS.items():
        facts = institute.load_facts(path)
        run = ledger.record(institute, facts, author="李明", sources=[path], note=f"{year} 年度")
        runs.append(run)
        assert (run.period, run.state, run.teams, run.matcher) == (year, "draft", 11, "python")
        stored = ledger.report(run)
        assert stored.to_json() == institute.assess(facts).to_json()
        assert [r.team for r in ledger.results(run)] == list(institute.assess(facts).teams)
        row = {r.team: r for r in ledger.results(run)}
        for standing in institute.assess(facts).rows():
            assert row[standing.team].rank == standing.rank
            assert row[standing.team].composite == standing.composite
            assert row[standing.team].titles == standing.titles
        submission = ledger.submission(run.submission)
        assert submission.sources[0].sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
        assert submission.author == "李明"
        assert submission.periods == (year,)
        assert dump_json(ledger.facts(run)) == dump_json(facts)
    assert [r.id for r in ledger.runs()] == [r.id for r in runs]
    assert ledger.run("2024/latest") == ledger.run(runs[1].id) == ledger.run("latest")
    version = ledger.rubric_version_of(runs[1])
    assert version.content_hash == institute.rubric.content_hash == runs[1].rubric_hash
    plugins = {p.name: p.version for p in version.plugins}
    assert plugins["party_building"] == "0.1.0"
    assert "food_institute" not in plugins
    assert ledger.rubric(runs[0]).content_hash == institute.rubric.content_hash
    assert runs[0].rubric_version == runs[1].rubric_version  # one rubric version, stored once
    assert ledger.team_history("food-micro")[-1].rank == 3
    assert ledger.verify() == ()
    assert ledger.schema_version == 1


def test_the_same_facts_are_stored_once_and_submitted_twice(ledger: Ledger, tiny: Engine) -> None:
    first = ledger.record(tiny, tiny_facts(), author="a")
    second = ledger.record(tiny, list(reversed(tiny_facts())), author="b")
    assert first.id != second.id
    assert first.submission != second.submission
    one, two = ledger.submission(first.submission), ledger.submission(second.submission)
    assert one.facts_hash == two.facts_hash  # order never matters
    assert first.report_hash == second.report_hash
    assert first.rubric_version == second.rubric_version


def test_invalid_facts_or_a_missing_period_store_nothing(ledger: Ledger, tiny: Engine) -> None:
    from assessment_engine import Activity, InputError

    orphan = Activity(team="nobody", period="2024", id="v1", kind="volunteer", hours=1)
    with pytest.raises(InputError):
        ledger.record(tiny, [*tiny_facts(), orphan], author="a")
    with pytest.raises(InputError, match="2099"):
        ledger.record(tiny, tiny_facts(), author="a", period="2099")
    assert ledger.runs() == ()
    assert ledger.submissions() == ()


def test_unknown_runs_are_named(ledger: Ledger, tiny: Engine) -> None:
    with pytest.raises(UnknownRecordError, match="no run 'latest': no run yet"):
        ledger.run("latest")
    ledger.record(tiny, tiny_facts(), author="a")
    with pytest.raises(UnknownRecordError, match="periods in the ledger: 2024"):
        ledger.run("2023/final")
    with pytest.raises(UnknownRecordError, match="no run 7"):
        ledger.run(7)
    with pytest.raises(UnknownRecordError, match="use a run number"):
        ledger.run("yesterday")


# --------------------------------------------------------------------------- reproduce
def test_a_run_reproduces_byte_for_byte(ledger: Ledger, institute: Engine) -> None:
    run = ledger.record(institute, institute.load_facts(YEARS["2024"]), author="a")
    result = ledger.reproduce(run)
    assert result.identical
    assert result.causes == ()
    assert result.differences == ()
    assert result.report == ledger.report(run).to_json()
    assert result.reproduced_hash == run.report_hash
    assert "byte-identical" in result.text()
    with Engine(block=["food_institute"], matcher="durable") as durable:
        assert ledger.reproduce(run, engine=durable).identical  # the matchers agree


def test_reproduce_says_what_differs_when_the_plugins_changed(
    ledger: Ledger, institute: Engine
) -> None:
    run = ledger.record(institute, institute.load_facts(YEARS["2024"]), author="a")
    with Engine(matcher="python") as today:  # food_institute installed and no longer blocked
        result = ledger.reproduce(run, engine=today)
    assert not result.identical
    text = result.text()
    assert "plugin food_institute 0.1.0 was not registered then" in result.causes
    assert f"rubric was {run.rubric_hash[:12]}" in text
    assert "(plugin food_institute)" in text
    assert result.difference_count > 0
    paths = [d.path for d in result.differences]
    assert any(p.startswith("teams[food-") for p in paths), paths
    assert "rubric_hash" in paths


_PLUGIN = """
import attrs
from decimal import Decimal
from assessment_engine import Record
from assessment_engine.facts import to_decimal


@attrs.frozen(kw_only=True)
class Drill(Record):
    fact_kind = "drill"
    minutes: Decimal = attrs.field(converter=to_decimal)
{extra}
"""


def test_reproduce_names_a_fact_class_that_changed_or_is_gone(
    ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assessment_engine import Team
    from assessment_engine.facts import Achievement, Activity, Incident, Member, Metric, Score
    from assessment_engine.rubric import Dimension, Indicator, PerItem, Rubric, facts

    module = tmp_path / "drill_plugin.py"
    module.write_text(_PLUGIN.format(extra=""), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "drill_plugin", raising=False)
    import drill_plugin

    builtin = [Team, Member, Activity, Achievement, Metric, Incident, Score]
    rubric = Rubric.build(
        fact_types=[*builtin, drill_plugin.Drill],
        dimensions=[Dimension(id="safety", label="安全 (safety)", max=10)],
        indicators=[
            Indicator(
                id="safety.drills",
                dimension="safety",
                label="演练 (drills)",
                max=10,
                scoring=PerItem(facts("drill"), points=5, cap=10),
            )
        ],
    )
    data = [
        Team(team="t1", period="2024", name="班组", department="所", headcount=1),
        drill_plugin.Drill(team="t1", period="2024", id="d1", minutes=30),
    ]
    with Engine.from_rubric(rubric, matcher="python") as engine:
        run = ledger.record(engine, data, author="a")
    assert ledger.reproduce(run).identical

    module.write_text(_PLUGIN.format(extra="    leader: str = ''"), encoding="utf-8")
    monkeypatch.delitem(sys.modules, "drill_plugin")
    changed = ledger.reproduce(run)
    assert not changed.identical
    assert changed.causes == (
        "fact kind 'drill' (drill_plugin.Drill) changed: field 'leader' added",
    )

    module.unlink()
    monkeypatch.delitem(sys.modules, "drill_plugin")
    gone = ledger.reproduce(run)
    assert not gone.identical
    assert "fact kind 'drill': its class drill_plugin.Drill cannot be imported" in gone.causes[0]


# --------------------------------------------------------------------------- workflow
def test_draft_published_final_and_superseded(ledger: Ledger, tiny: Engine) -> None:
    first = ledger.record(tiny, tiny_facts(), author="a")
    with pytest.raises(LedgerStateError, match="it is draft: only a published run becomes final"):
        ledger.finalize(first, author="b")
    ledger.publish(first, author="b", note="公示")
    with pytest.raises(LedgerStateError, match="only a draft can be published"):
        ledger.publish(first, author="b")
    ledger.finalize(first, author="c")
    assert ledger.final_run("2024") == ledger.run(first.id)
    assert [s.state for s in ledger.states(first)] == ["draft", "published", "final"]
    assert [s.author for s in ledger.states(first)] == ["a", "b", "c"]

    second = ledger.record(tiny, tiny_facts(events={"t1": 4, "t2": 3, "t3": 5}), author="a")
    third = ledger.record(tiny, tiny_facts(events={"t1": 5, "t2": 3, "t3": 5}), author="a")
    ledger.publish(second, author="b")
    ledger.publish(third, author="b")  # one run of a period is in publicity at a time
    assert ledger.run(second.id).state == "superseded"
    assert ledger.states(second)[-1].note == f"superseded by run {third.id}"
    ledger.finalize(third, author="c")
    assert ledger.run(first.id).state == "superseded"
    assert ledger.final_run("2024") == ledger.run(third.id)
    assert ledger.run("2024/final").id == third.id


def test_the_publicity_period_holds_finalisation(ledger_target: str, tiny: Engine) -> None:
    now = [datetime.datetime(2025, 1, 6, 9, 0, tzinfo=datetime.UTC)]
    with Ledger.open(ledger_target, create=True, clock=lambda: now[0]) as ledger:
        run = ledger.record(tiny, tiny_facts(), author="a")
        ledger.publish(run, author="b", until=datetime.date(2025, 1, 10))
        assert ledger.states(run)[-1].until == datetime.date(2025, 1, 10)
        with pytest.raises(LedgerStateError, match="publicity period runs until 2025-01-10"):
            ledger.finalize(run, author="c")
        now[0] = datetime.datetime(2025, 1, 11, 9, 0, tzinfo=datetime.UTC)
        assert ledger.finalize(run, author="c").recorded_at == "2025-01-11T09:00:00+00:00"


def test_a_correction_a_rerun_and_an_appeal_end_to_end(ledger: Ledger, institute: Engine) -> None:
    published = ledger.record(institute, institute.load_facts(YEARS["2024"]), author="考核办 李")
    ledger.publish(published, author="考核办 李", until=datetime.date(2000, 1, 1))
    appeal = ledger.appeal(
        published,
        team="food-micro",
        claim="培养基质量控制项目验收为国内先进，记录漏填了等级",
        author="食品所微生物班组 黄",
    )
    assert appeal.open
    assert ledger.appeals(open=True) == (appeal,)
    with pytest.raises(LedgerStateError, match=rf"appeal {appeal.id} \(food-micro\) still open"):
        ledger.finalize(published, author="考核办 李")

    (old,) = [
        f
        for f in ledger.facts(published)
        if f.team == "food-micro" and getattr(f, "id", None) == "accepted-03"
    ]
    fixed = attrs.evolve(old, level="domestic_advanced")
    correction = ledger.correct(
        published, [fixed], reason=f"appeal {appeal.id}: 验收等级漏填", author="考核办 王"
    )
    key = FactKey(kind="achievement", period="2024", team="food-micro", id="accepted-03")
    assert correction.replaced == (key,)
    assert correction.superseded == (key,)
    assert correction.base == published.submission
    assert ledger.submission(correction.submission).correction == correction.id

    rerun = ledger.rerun(published, correction=correction, author="考核办 王")
    assert (rerun.parent, rerun.correction) == (published.id, correction.id)
    assert rerun.rubric_version == published.rubric_version  # only the facts changed
    changes = ledger.diff(published, rerun)
    micro, appliance = changes["food-micro"], changes["elec-appliance"]
    assert (micro.rank_before, micro.rank_after) == (3, 3)
    assert micro.composite_change == Decimal("0.5")
    assert [(i.id, i.cause) for i in micro.items] == [("bp.acceptance", "facts")]
    assert (appliance.rank_before, appliance.rank_after) == (3, 4)
    assert appliance.overtaken_by == ("food-micro",)
    assert appliance.items == ()
    assert appliance.titles_lost == ("title.advanced",)
    assert [t.team for t in changes.changed_teams] == ["food-micro", "elec-appliance"]

    with pytest.raises(LedgerStateError, match="an upheld appeal is settled by a re-run"):
        ledger.decide(appeal, outcome="upheld", reason="核实无误", author="考核办 张")
    decided = ledger.decide(
        appeal, outcome="upheld", reason="核实无误", author="考核办 张", settled_by=rerun
    )
    assert decided.decision is not None
    assert decided.decision.settled_by == rerun.id
    with pytest.raises(LedgerStateError, match="decided already"):
        ledger.decide(appeal, outcome="rejected", reason="x", author="y")

    ledger.publish(rerun, author="考核办 李")
    assert ledger.run(published.id).state == "superseded"
    ledger.finalize(rerun, author="考核办 李", early=True, note="申诉已处理，提前定稿")
    assert ledger.final_run("2024") == ledger.run(rerun.id)
    assert [s.state for s in ledger.states(published)] == ["draft", "published", "superseded"]
    assert ledger.reproduce(published).identical
    assert ledger.reproduce(rerun).identical
    assert ledger.verify() == ()


def test_corrections_and_appeals_refuse_what_does_not_make_sense(
    ledger: Ledger, tiny: Engine
) -> None:
    run = ledger.record(tiny, tiny_facts(), author="a")
    with pytest.raises(LedgerStateError, match="changes nothing"):
        ledger.correct(run, [tiny_facts()[1]], reason="r", author="a")
    with pytest.raises(LedgerStateError, match=r"cannot retract activity/t1/v9 \(2024\)"):
        ledger.correct(run, retract=["activity/t1/v9"], reason="r", author="a")
    removed = ledger.correct(run, retract=["activity/t3/v4"], reason="duplicate", author="a")
    assert [str(k) for k in removed.retracted] == ["activity/t3/v4 (2024)"]
    with pytest.raises(LedgerStateError, match="appeals are lodged against a published run"):
        ledger.appeal(run, team="t1", claim="c", author="t1")
    ledger.publish(run, author="a")
    with pytest.raises(LedgerStateError, match="no team 'zz'"):
        ledger.appeal(run, team="zz", claim="c", author="t1")
    appeal = ledger.appeal(run, team="t1", claim="c", author="t1")
    other = ledger.record(tiny, tiny_facts(), author="a")
    with pytest.raises(LedgerStateError, match="is not a re-run of the appealed run"):
        ledger.decide(appeal, outcome="upheld", reason="r", author="a", settled_by=other)
    rejected = ledger.decide(appeal, outcome="rejected", reason="复核无误", author="a")
    assert rejected.decision is not None
    assert rejected.decision.outcome == "rejected"
    with pytest.raises(LedgerStateError, match="needs a correction or another engine"):
        ledger.rerun(run, author="a")
    with pytest.raises(ValueError, match="author must be a non-empty string"):
        ledger.record(tiny, tiny_facts(), author=" ")


# --------------------------------------------------------------------------- append-only
def _full_flow(ledger: Ledger, tiny: Engine) -> None:
    run = ledger.record(tiny, tiny_facts(), author="a", sources=())
    ledger.publish(run, author="a")
    appeal = ledger.appeal(run, team="t1", claim="c", author="t1")
    fix = ledger.correct(run, tiny_facts(events={"t1": 2})[2:3], reason="r", author="a")
    rerun = ledger.rerun(run, correction=fix, author="a")
    ledger.decide(appeal, outcome="upheld", reason="r", author="a", settled_by=rerun)
    ledger.publish(rerun, author="a")
    ledger.finalize(rerun, author="a")
    ledger.reproduce(run)
    ledger.diff(run, rerun)


def test_no_statement_ever_updates_or_deletes(ledger: Ledger, tiny: Engine) -> None:
    seen: list[str] = []

    def capture(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement.lstrip().split(None, 1)[0].upper())

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", capture)
    try:
        _full_flow(ledger, tiny)
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", capture)
    assert "INSERT" in seen
    assert "SELECT" in seen
    assert not {"UPDATE", "DELETE", "TRUNCATE", "DROP", "ALTER"} & set(seen), sorted(set(seen))


def test_every_table_refuses_update_and_delete(
    ledger: Ledger, ledger_target: str, tiny: Engine
) -> None:
    _full_flow(ledger, tiny)
    engine = sa.create_engine(_url(ledger_target))
    try:
        for table in APPEND_ONLY_TABLES:
            with engine.connect() as conn:
                before = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()
            assert before, f"{table.name} has no rows to test"
            column = next(iter(table.c)).name
            for statement in (
                f"UPDATE {table.name} SET {column} = {column}",
                f"DELETE FROM {table.name}",
            ):
                with (
                    engine.connect() as conn,
                    pytest.raises(sa.exc.DatabaseError) as caught,
                    conn.begin(),
                ):
                    conn.exec_driver_sql(statement)
                assert "append-only" in str(caught.value), statement
            with engine.connect() as conn:
                after = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()
            assert after == before
        if engine.dialect.name == "postgresql":
            with (
                engine.connect() as conn,
                pytest.raises(sa.exc.DatabaseError, match="append-only"),
                conn.begin(),
            ):
                conn.exec_driver_sql("TRUNCATE ledger_states")
    finally:
        engine.dispose()
    assert ledger.verify() == ()


# --------------------------------------------------------------------------- crashes and writers
_WRITER = textwrap.dedent(
    """
    import sys, time, pathlib
    sys.path.insert(0, {tests!r})
    import sqlalchemy as sa
    from assessment_engine import Engine
    from assessment_engine.ledger import Ledger
    from ledger_support import tiny_facts, tiny_rubric

    target, marker = sys.argv[1], pathlib.Path(sys.argv[2])
    pause_after, count = int(sys.argv[3]), int(sys.argv[4])
    recorded = 0

    def pause(conn, cursor, statement, parameters, context, executemany):
        inserting = statement.lstrip().upper().startswith("INSERT")
        if recorded >= pause_after and inserting and "ledger_results" in statement:
            marker.write_text("inside a write")
            time.sleep(120)

    if pause_after >= 0:
        sa.event.listen(sa.engine.Engine, "after_cursor_execute", pause)
    engine = Engine.from_rubric(tiny_rubric(), matcher="python")
    with Ledger.open(target, create=True) as ledger, engine:
        for i in range(count):
            facts = tiny_facts(events={{"t1": i % 6, "t2": 3, "t3": 5}})
            ledger.record(engine, facts, author=sys.argv[5])
            recorded += 1
    """
)


def _writer(
    target: str, tmp_path: Path, *, pause_after: int, count: int, author: str
) -> subprocess.Popen[bytes]:
    script = tmp_path / "writer.py"
    script.write_text(_WRITER.format(tests=str(HERE)), encoding="utf-8")
    marker = tmp_path / f"marker-{author}"
    return subprocess.Popen(
        [sys.executable, str(script), target, str(marker), str(pause_after), str(count), author],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait_for(path: Path, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if process.poll() is not None:
            _, err = process.communicate()
            raise AssertionError(f"the writer ended early: {err.decode()}")
        if time.monotonic() > deadline:
            process.kill()
            process.communicate()
            raise AssertionError("the writer did not reach the write")
        time.sleep(0.02)


def test_a_writer_killed_mid_write_loses_nothing_committed(
    ledger_target: str, tmp_path: Path, tiny: Engine
) -> None:
    writer = _writer(ledger_target, tmp_path, pause_after=3, count=10, author="killed")
    _wait_for(tmp_path / "marker-killed", writer)
    os.kill(writer.pid, signal.SIGKILL)  # inside the fourth run's transaction
    writer.communicate(timeout=30)
    assert writer.returncode == -signal.SIGKILL
    with Ledger.open(ledger_target) as ledger:
        runs = ledger.runs()
        assert [r.id for r in runs] == [1, 2, 3]  # the fourth is not visible
        assert len(ledger.submissions()) == 3
        assert ledger.verify() == ()
        for run in runs:
            assert len(ledger.results(run)) == 3
            assert ledger.reproduce(run).identical
        after = ledger.record(tiny, tiny_facts(), author="next")  # the lock is free again
        assert after.state == "draft"
        assert ledger.verify() == ()


def test_writers_killed_at_random_moments_leave_no_half_written_run(
    ledger_target: str, tmp_path: Path
) -> None:
    for attempt, delay in enumerate((0.9, 1.3, 1.7)):
        writer = _writer(
            ledger_target, tmp_path, pause_after=-1, count=10_000, author=f"w{attempt}"
        )
        time.sleep(delay)
        os.kill(writer.pid, signal.SIGKILL)
        writer.communicate(timeout=30)
        if not os.path.exists(ledger_target) and "://" not in ledger_target:
            continue  # killed before it created the file
        with Ledger.open(ledger_target, create=True) as ledger:
            assert ledger.verify() == ()
            for run in ledger.runs():
                assert run.state == "draft"
                assert len(ledger.results(run)) == 3
                assert ledger.report(run).period == "2024"


def test_two_processes_write_at_once(ledger_target: str, tmp_path: Path) -> None:
    with Ledger.open(ledger_target, create=True):
        pass
    writers = [
        _writer(ledger_target, tmp_path, pause_after=-1, count=8, author=name)
        for name in ("甲", "乙")
    ]
    for writer in writers:
        _, err = writer.communicate(timeout=240)
        assert writer.returncode == 0, err.decode()
    with Ledger.open(ledger_target) as ledger:
        runs = ledger.runs()
        assert len(runs) == 16
        assert len({r.id for r in runs}) == 16
        assert sorted(r.author for r in runs) == ["乙"] * 8 + ["甲"] * 8
        assert len({r.rubric_version for r in runs}) == 1  # the same version, stored once
        assert ledger.verify() == ()


# --------------------------------------------------------------------------- schema
def test_a_newer_schema_is_refused(ledger: Ledger, ledger_target: str) -> None:
    engine = sa.create_engine(_url(ledger_target))
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO ledger_schema (version, description, engine_version, applied_at)"
                " VALUES (2, 'from the future', '9.0', '2030-01-01T00:00:00+00:00')"
            )
    finally:
        engine.dispose()
    with pytest.raises(LedgerFileError, match="schema version 2, written by a newer"):
        Ledger.open(ledger_target)


def test_no_ledger_is_created_unless_asked(ledger_target: str) -> None:
    with pytest.raises(LedgerFileError, match="no ledger"):
        Ledger.open(ledger_target)
