"""Scale-out: the same report from one process, a process pool and a Dask cluster.

Every executor and every kind of partition must give ``report.to_json()``'s bytes of a plain
``engine.assess`` — on the example institute (titles, quotas, vetoes) and on a generated
workload of a few hundred teams (ties) written to several files. The pool and the cluster are
started once for the module and stopped at its end.
"""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from assessment_engine import Engine
from assessment_engine.errors import AssessmentError, InputError
from assessment_engine.render import json as render_json
from assessment_engine.scale import (
    DaskCluster,
    Executor,
    InProcess,
    ProcessPool,
    RubricSpec,
    assess_files,
    partitions,
    spec_of,
)

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

import facts_files  # noqa: E402
import workload  # noqa: E402
import workload_plugin  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "institute-2024.json"
TEAMS = 300


@pytest.fixture(scope="module")
def pool() -> Iterator[ProcessPool]:
    with ProcessPool(2) as executor:
        yield executor


@pytest.fixture(scope="module")
def cluster() -> Iterator[DaskCluster]:
    pytest.importorskip("distributed")
    with DaskCluster(2) as executor:
        yield executor


@pytest.fixture(params=["in-process", "pool", "dask"])
def executor(request: pytest.FixtureRequest) -> Executor:
    if request.param == "in-process":
        return InProcess()
    return request.getfixturevalue("pool" if request.param == "pool" else "cluster")  # type: ignore[no-any-return]


def _split(records: list[dict], parts: int) -> list[list[dict]]:
    """Records in ``parts`` lists, each team's records (its team record first) in one of them."""
    teams = sorted({r["team"] for r in records})
    where = {team: i % parts for i, team in enumerate(teams)}
    out: list[list[dict]] = [[] for _ in range(parts)]
    for r in records:
        out[where[r["team"]]].append(r)
    return out


def _write(directory: Path, name: str, records: list[dict], parts: int) -> list[Path]:
    paths = []
    for i, chunk in enumerate(_split(records, parts)):
        path = directory / f"{name}-{i}.json"
        path.write_text(json.dumps({"facts": chunk}, default=str), encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def example_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    records = json.loads(EXAMPLE.read_text(encoding="utf-8"))["facts"]
    return _write(tmp_path_factory.mktemp("example"), "institute", records, 3)


@pytest.fixture(scope="module")
def workload_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    records = list(facts_files.project_records(workload.generate(TEAMS, seed=14)))
    for r in records:  # a few departments, for partitions by department
        if r["fact"] == "team":
            r["department"] = f"dept-{int(r['team'][1:]) % 7}"
    return _write(tmp_path_factory.mktemp("workload"), "workload", records, 4)


@pytest.fixture(scope="module")
def example_engine() -> Iterator[Engine]:
    with Engine() as engine:
        yield engine


@pytest.fixture(scope="module")
def workload_engine() -> Iterator[Engine]:
    with Engine([workload_plugin], entry_points=False) as engine:
        yield engine


def _reference(engine: Engine, files: list[Path]) -> str:
    return engine.assess(engine.load_facts(*files)).to_json()


@pytest.mark.parametrize("partition_by", ["hash", "department", "file"])
def test_example_report_is_byte_identical(
    executor: Executor, example_engine: Engine, example_files: list[Path], partition_by: str
) -> None:
    expected = _reference(example_engine, example_files)
    report = assess_files(
        example_engine,
        example_files,
        executor=executor,
        partition_by=partition_by,  # type: ignore[arg-type]
    )
    assert report.to_json() == expected
    assert report.explained


@pytest.mark.parametrize("partition_by", ["hash", "department", "file"])
def test_workload_report_is_byte_identical(
    executor: Executor, workload_engine: Engine, workload_files: list[Path], partition_by: str
) -> None:
    expected = _reference(workload_engine, workload_files)
    report = assess_files(
        workload_engine,
        workload_files,
        executor=executor,
        partition_by=partition_by,  # type: ignore[arg-type]
        partitions_count=3,
    )
    assert len(report) == TEAMS
    assert report.to_json() == expected
    assert any("并列" in a.rank_note or "share" in a.rank_note for a in report)  # ties exist


def test_without_details_the_ranking_and_lean_json_are_the_same(
    pool: ProcessPool, workload_engine: Engine, workload_files: list[Path]
) -> None:
    single = workload_engine.assess(workload_engine.load_facts(*workload_files))
    costs: list[dict] = []
    merged = assess_files(
        workload_engine, workload_files, executor=pool, details=False, costs=costs
    )
    assert [c["partition"] for c in costs] == [0, 1]
    assert sum(c["teams"] for c in costs) == TEAMS
    assert all(c["pid"] != os.getpid() and c["cpu_seconds"] > 0 for c in costs)
    assert merged.rows() == single.rows()
    assert merged.quotas == single.quotas
    ours, theirs = io.StringIO(), io.StringIO()
    render_json.write(merged, ours, details=False)
    render_json.write(single, theirs, details=False)
    assert ours.getvalue() == theirs.getvalue()
    assert not merged.explained
    with pytest.raises(AssessmentError, match="kept no explanations"):
        merged[merged.teams[0]]


def test_plugins_by_name_build_the_same_rubric(
    pool: ProcessPool, workload_engine: Engine, workload_files: list[Path]
) -> None:
    spec = RubricSpec(
        rubric_hash=workload_engine.rubric.content_hash,
        matcher="python",
        plugins=(f"{BENCH / 'workload_plugin.py'}",),
        entry_points=False,
    )
    report = assess_files(workload_engine, workload_files, executor=pool, spec=spec)
    assert report.to_json() == _reference(workload_engine, workload_files)


def test_a_worker_with_another_rubric_is_named(
    workload_engine: Engine, workload_files: list[Path]
) -> None:
    spec = RubricSpec(rubric_hash=workload_engine.rubric.content_hash, entry_points=True)
    with pytest.raises(AssessmentError, match="is not the driver's"):
        assess_files(workload_engine, workload_files, spec=spec)


def test_input_problems_come_back_once_and_nothing_is_returned(
    pool: ProcessPool, workload_engine: Engine, workload_files: list[Path], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "facts": [
                    {
                        "fact": "activity",
                        "team": "nobody",
                        "period": "2024",
                        "id": "x",
                        "kind": "lecture",
                        "hours": "-3",
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    files = [*workload_files, bad]
    with pytest.raises(InputError) as single:
        workload_engine.load_facts(*files)
    with pytest.raises(InputError) as merged:
        assess_files(workload_engine, files, executor=pool)
    assert merged.value.problems == single.value.problems


def test_a_team_split_across_files_is_refused_with_file_partitions(
    workload_engine: Engine, workload_files: list[Path], tmp_path: Path
) -> None:
    records = json.loads(workload_files[0].read_text(encoding="utf-8"))["facts"]
    team = next(r for r in records if r["fact"] == "team")
    copy = tmp_path / "copy.json"
    copy.write_text(json.dumps({"facts": [team]}), encoding="utf-8")
    with pytest.raises(InputError, match=f"team {team['team']} is in partitions 1 and 5"):
        assess_files(workload_engine, [*workload_files, copy], partition_by="file")


def test_the_period_is_chosen_across_partitions(example_engine: Engine, tmp_path: Path) -> None:
    both = [EXAMPLE, EXAMPLE.with_name("institute-2023.json")]
    with pytest.raises(InputError, match="span periods 2023, 2024"):
        assess_files(example_engine, both, partition_by="file")
    report = assess_files(example_engine, both, partition_by="file", period="2023")
    expected = example_engine.assess(example_engine.load_facts(both[1])).to_json()
    assert report.to_json() == expected
    with pytest.raises(InputError, match="no team has records for period '1999'"):
        assess_files(example_engine, both, partition_by="file", period="1999")


def test_partitions_cover_every_team_once() -> None:
    parts = partitions(["a.json"], "hash", 4)
    teams = [f"T{i}" for i in range(1000)]
    owners = [[p.index for p in parts if p.holds(t, "")] for t in teams]
    assert all(len(o) == 1 for o in owners)
    assert {o[0] for o in owners} == {0, 1, 2, 3}
    by_department = partitions(["a.json"], "department", 3)
    assert [p.holds("T1", "食品所") for p in by_department].count(True) == 1
    assert [p.files for p in partitions(["a.csv", "b.csv"], "file", 9)] == [("a.csv",), ("b.csv",)]
    with pytest.raises(ValueError, match="unknown partition kind"):
        partitions(["a.json"], "team", 2)  # type: ignore[arg-type]


def test_spec_of_ships_the_rubric_as_data(example_engine: Engine) -> None:
    spec = spec_of(example_engine)
    assert spec.data is not None
    assert spec.rubric_hash == example_engine.rubric.content_hash
    assert spec.matcher == example_engine.matcher


def test_the_benchmark_runs_on_a_tiny_workload(tmp_path: Path) -> None:
    import argparse

    import scale as bench_scale

    args = argparse.Namespace(teams=60, files=2, repeat=1, seed=7, dir=tmp_path, workers=2)
    result = bench_scale.speedup(args)
    assert result["same_bytes"]
    assert result["teams"] == 60
    assert len(list(tmp_path.glob("*.parquet"))) == 2


def test_an_existing_cluster_by_its_scheduler_address(
    workload_engine: Engine, workload_files: list[Path]
) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"},
    ) as cluster:
        executor = DaskCluster(scheduler=cluster.scheduler_address)
        report = assess_files(workload_engine, workload_files, executor=executor)
        assert executor.workers == 1  # read from the cluster
        assert report.to_json() == _reference(workload_engine, workload_files)
