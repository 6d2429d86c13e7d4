"""Scale-out faults: a worker that dies is retried once, then a PartitionError names it.

The ``fuse`` records of ``scale_support.py`` bring down the worker that reads them
(``os.abort()``, SIGKILL), once, twice or always; only workers read facts, so the driver is
never at risk. Nothing partial comes back, and the driver's engine and the executor stay
usable after a failure.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from assessment_engine import Engine
from assessment_engine.errors import PartitionError
from assessment_engine.scale import DaskCluster, Executor, ProcessPool, RubricSpec, assess_files

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scale_support

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "institute-2024.json"
FILES = 3
FUSED = 1  # the file (and partition) holding the fuse


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    with Engine([("fuse", scale_support)]) as built:
        yield built


@pytest.fixture(scope="module")
def spec(engine: Engine) -> RubricSpec:
    return RubricSpec(
        rubric_hash=engine.rubric.content_hash,
        matcher=engine.matcher,
        plugins=(str(scale_support.PATH),),
    )


@pytest.fixture(scope="module")
def split() -> list[list[dict]]:
    records = json.loads(EXAMPLE.read_text(encoding="utf-8"))["facts"]
    teams = sorted({r["team"] for r in records})
    out: list[list[dict]] = [[] for _ in range(FILES)]
    for r in records:
        out[teams.index(r["team"]) % FILES].append(r)
    return out


def _files(directory: Path, split: list[list[dict]], action: str) -> list[Path]:
    paths = []
    for i, chunk in enumerate(split):
        records = list(chunk)
        if i == FUSED:
            team = next(r["team"] for r in chunk if r["fact"] == "team")
            fuse = {"fact": "fuse", "team": team, "period": "2024", "id": "f1", "action": action}
            records.append(fuse)
        path = directory / f"part-{i}.json"
        path.write_text(json.dumps({"facts": records}), encoding="utf-8")
        paths.append(path)
    return paths


def _teams_of(chunk: list[dict]) -> tuple[str, ...]:
    return tuple(sorted(r["team"] for r in chunk if r["fact"] == "team"))


@pytest.fixture(scope="module")
def expected(
    engine: Engine, split: list[list[dict]], tmp_path_factory: pytest.TempPathFactory
) -> str:
    files = _files(tmp_path_factory.mktemp("reference"), split, "noop")
    return engine.assess(engine.load_facts(*files)).to_json()


@pytest.fixture(scope="module")
def cluster() -> Iterator[DaskCluster]:
    pytest.importorskip("distributed")
    with DaskCluster(2) as executor:
        yield executor


@pytest.fixture(params=["pool", "dask"])
def executor(request: pytest.FixtureRequest) -> Iterator[Executor]:
    if request.param == "dask":
        yield request.getfixturevalue("cluster")
        return
    with ProcessPool(2) as pool:
        yield pool


def test_a_worker_that_dies_once_is_retried_and_the_report_is_whole(
    executor: Executor,
    engine: Engine,
    spec: RubricSpec,
    split: list[list[dict]],
    expected: str,
    tmp_path: Path,
) -> None:
    marker = tmp_path / "tripped"
    files = _files(tmp_path, split, f"once:{marker}")
    report = assess_files(engine, files, executor=executor, partition_by="file", spec=spec)
    assert marker.exists()  # the first attempt did die
    assert report.to_json() == expected


def test_a_partition_that_dies_twice_is_an_error_naming_it(
    executor: Executor,
    engine: Engine,
    spec: RubricSpec,
    split: list[list[dict]],
    expected: str,
    tmp_path: Path,
) -> None:
    files = _files(tmp_path, split, "abort")
    with pytest.raises(PartitionError) as raised:
        assess_files(engine, files, executor=executor, partition_by="file", spec=spec)
    error = raised.value
    assert error.index == FUSED
    assert error.partition == f"partition {FUSED + 1} of {FILES} (file)"
    assert error.files == (str(files[FUSED]),)
    assert error.teams == ()  # it died while reading its files: the census died too
    assert "died" in error.reason
    assert "again on its retry" in error.reason
    # the driver's engine and the executor are still usable
    (tmp_path / "clean").mkdir()
    clean = _files(tmp_path / "clean", split, "noop")
    assert engine.assess(engine.load_facts(*clean)).to_json() == expected
    again = assess_files(engine, clean, executor=executor, partition_by="file", spec=spec)
    assert again.to_json() == expected


def test_the_error_names_the_teams_when_they_can_be_read(
    engine: Engine, spec: RubricSpec, split: list[list[dict]], tmp_path: Path
) -> None:
    counter = tmp_path / "deaths"
    files = _files(tmp_path, split, f"twice:{counter}")
    with ProcessPool(2) as pool, pytest.raises(PartitionError) as raised:
        assess_files(engine, files, executor=pool, partition_by="file", spec=spec)
    assert raised.value.teams == _teams_of(split[FUSED])
    assert raised.value.teams[0] in str(raised.value)
    assert counter.read_text().count("\n") == 2


def test_a_killed_worker_is_retried_then_named(
    engine: Engine, spec: RubricSpec, split: list[list[dict]], tmp_path: Path
) -> None:
    files = _files(tmp_path, split, "kill")
    with ProcessPool(2, context="forkserver") as pool, pytest.raises(PartitionError) as raised:
        assess_files(engine, files, executor=pool, partition_by="file", spec=spec)
    assert raised.value.index == FUSED
