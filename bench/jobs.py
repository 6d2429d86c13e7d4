"""The measured jobs, each run in a fresh process: ``python bench/jobs.py JOB ARGS...``.

A job prepares its input (not timed), does one whole job between two clock readings, and prints
one JSON line: ``time`` (wall and CPU seconds of the timed part), ``steps`` (seconds of its
parts), ``maxrss_mb`` (the process's peak resident memory when the job is done, before any
check) and, where the job holds its ranking rows, their ``digest``. Output files are checked by
the driver afterwards (``check``), in another process, so checking never adds to a job's memory.

Jobs:

- ``memory-ref N`` / ``memory-engine N BUILDER`` — records in memory → ranking rows.
- ``file-ref FORMAT FACTS OUT`` / ``file-engine FORMAT FACTS OUT`` — a facts file → a results file.
- ``engine-only N MATCHER`` — compile + score + rank on an existing ``FactSet`` (typed facts
  built before the clock starts), the fact set's building, a second assessment, explanations.
- ``incremental N MATCHER OPERATIONS`` — one-fact add/retract in a session.
- ``generate FORMAT N PATH`` — write the workload as a facts file (preparation).
- ``check PATH`` — the digest of a results file's rows (any format, any writer).
- ``catalog WORKDIR`` — the formats the engine reads and the ways to build facts (detected).

``bench/profiling.py`` runs one of these jobs under cProfile.
"""

from __future__ import annotations

import json
import random
import resource
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

# Only what the reference's jobs need is imported here; the engine's jobs import the engine
# themselves, so that a reference process neither loads nor pays for it.
import common  # noqa: E402
import facts_files  # noqa: E402
import reference  # noqa: E402
import results_files  # noqa: E402
import workload  # noqa: E402


class Clock:
    """Wall and CPU time since it was made, and named steps in between."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        self.steps: dict[str, float] = {}
        self._last = self.wall

    def step(self, name: str) -> None:
        now = time.perf_counter()
        self.steps[name] = self.steps.get(name, 0.0) + now - self._last
        self._last = now

    def add(self, steps: dict[str, float]) -> None:
        """Steps timed elsewhere (their time since the last step is then not counted again)."""
        for name, seconds in steps.items():
            self.steps[name] = self.steps.get(name, 0.0) + seconds
        self._last = time.perf_counter()

    def result(self, **extra: object) -> dict:
        return {
            "time": {
                "wall": time.perf_counter() - self.wall,
                "cpu": time.process_time() - self.cpu,
            },
            "steps": self.steps,
            "maxrss_mb": maxrss_mb(),
            **extra,
        }


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def engine_rows(report) -> list[tuple]:
    """Every ranking row, in the reference's shape (team, total, pb, bz, cv, grade, rank)."""
    rows = []
    for row in report.rows():
        dims = dict(row.dimension_scores)
        rows.append(
            (
                row.team,
                row.composite,
                dims["party_building"],
                dims["business"],
                dims["civility"],
                row.grade.label if row.grade is not None else None,
                row.rank,
            )
        )
    return rows


def import_engine() -> None:
    """Import the engine and the workload's plugin before a clock starts: an application has
    its libraries imported when its data arrives (the reference's imports are not timed either)."""
    import assessment_engine  # noqa: F401
    import workload_plugin  # noqa: F401


def new_engine(matcher: str | None = None):
    import workload_plugin
    from assessment_engine import Engine

    return Engine(plugins=[workload_plugin], entry_points=False, matcher=matcher)


# --------------------------------------------------------------------------- records in memory


def memory_ref(n: int) -> dict:
    teams = workload.generate(n)
    clock = Clock()
    rows = reference.run(teams)
    clock.step("score and rank")
    result = clock.result()
    result["digest"] = common.digest(rows)
    return result


def memory_engine(n: int, builder: str) -> dict:
    import builders

    import_engine()
    teams = workload.generate(n)
    clock = Clock()
    engine = new_engine()
    clock.step("engine")
    fact_set, steps = builders.BUILDERS[builder].build(engine, teams)
    clock.add(steps)
    report = engine.assess(fact_set)
    clock.step("assess")
    rows = engine_rows(report)
    clock.step("rows")
    result = clock.result()
    result["digest"] = common.digest(rows)
    return result


# --------------------------------------------------------------------------- files


def file_ref(fmt: str, facts: str, out: str) -> dict:
    clock = Clock()
    teams = facts_files.FORMATS[fmt].read(Path(facts))
    clock.step("read")
    rows = reference.run(teams)
    clock.step("score and rank")
    results_files.WRITERS[fmt](rows, Path(out))
    clock.step("write")
    return clock.result()


def file_engine(fmt: str, facts: str, out: str) -> dict:
    import_engine()
    clock = Clock()
    engine = new_engine()
    clock.step("engine")
    fact_set = engine.load_facts(facts)
    clock.step("load")
    report = engine.assess(fact_set)
    clock.step("assess")
    if fmt == "json":  # the same job as the reference's: the ranking and the points, streamed
        from assessment_engine.render import json as json_format

        with open(out, "w", encoding="utf-8") as handle:
            json_format.write(report, handle, details=False)
    else:  # the public API writes no CSV/XLSX/Parquet results: the rows, as the reference does
        rows = engine_rows(report)
        clock.step("rows")
        results_files.WRITERS[fmt](rows, Path(out))
    clock.step("write")
    return clock.result()


# --------------------------------------------------------------------------- engine only


def engine_only(n: int, matcher: str) -> dict:
    import engine_facts
    from assessment_engine import FactSet

    facts = engine_facts.generate_facts(n)
    clock = Clock()
    fact_set = FactSet(facts, source="bench")
    factset = clock.result()["time"]
    clock = Clock()
    engine = new_engine(matcher)
    clock.step("engine")
    report = engine.assess(fact_set)
    clock.step("assess")
    rows = engine_rows(report)
    clock.step("rows")
    result = clock.result(factset=factset)
    result["digest"] = common.digest(rows)
    # the same engine again on the same facts: its match memo is warm
    again = Clock()
    if common.digest(engine_rows(engine.assess(fact_set))) != result["digest"]:
        raise SystemExit("a second assessment by the same engine gave other results")
    result["again"] = again.result()["time"]
    # a full explained assessment (built, then its text) for a sample of teams
    sample = report.teams[: min(1000, n)]
    explain = time.perf_counter()
    for team in sample:
        report[team].explain().text()
    result["explain_per_team_ms"] = (time.perf_counter() - explain) / len(sample) * 1000
    engine.close()
    return result


def incremental(n: int, matcher: str, operations: int) -> dict:
    import engine_facts
    from assessment_engine import Activity, FactSet

    fact_set = FactSet(engine_facts.generate_facts(n), source="bench")
    engine = new_engine(matcher)
    session = engine.session(fact_set)
    rnd = random.Random(7)
    timings = []
    checks = 0
    for i in range(operations):
        team = workload.team_id(rnd.randrange(n))
        fact = Activity(
            team=team,
            period=engine_facts.PERIOD,
            id=f"extra-{i}",
            kind=rnd.choice(workload.ACTIVITY_KINDS),
            hours=rnd.randint(1, 8),
        )
        start = time.perf_counter()
        added = session.add(fact)
        timings.append(time.perf_counter() - start)
        start = time.perf_counter()
        restored = session.retract(fact)
        timings.append(time.perf_counter() - start)
        checks += added.team == team and restored is not None
    engine.close()
    timings.sort()
    if checks != operations:
        raise SystemExit(f"only {checks} of {operations} add/retract pairs checked out")
    return {
        "operations": len(timings),
        "median_ms": statistics.median(timings) * 1000,
        "p90_ms": timings[int(len(timings) * 0.9)] * 1000,
        "maxrss_mb": maxrss_mb(),
    }


# --------------------------------------------------------------------------- preparation, checks


def generate(fmt: str, n: int, path: str) -> dict:
    start = time.perf_counter()
    facts_files.FORMATS[fmt].write(workload.generate(n), Path(path))
    return {"seconds": time.perf_counter() - start, "bytes": Path(path).stat().st_size}


def catalog(workdir: str) -> dict:
    """What this installation offers: the formats (and whether the engine reads each, found
    out by trying) and the ways to build facts from records. Asked in a child process, so the
    driver itself never imports the engine (a child's peak memory counts its parent's pages at
    the fork)."""
    import builders

    formats = {}
    for name, fmt in facts_files.FORMATS.items():
        missing = facts_files.missing_module(fmt)
        reads, how = facts_files.engine_reads(fmt, Path(workdir)) if not missing else (False, "")
        formats[name] = {
            "suffix": fmt.suffix,
            "missing": missing,
            "engine_reads": reads,
            "how": how,
        }
    first = builders.headline()
    return {
        "formats": formats,
        "builders": {
            "headline": first.name,
            "variants": [b.name for b in builders.variants()],
            "describe": {b.name: b.describe for b in builders.BUILDERS.values()},
        },
    }


def check(path: str) -> dict:
    rows = results_files.read_rows(Path(path))
    return {"digest": common.digest(rows), "teams": len(rows)}


JOBS = {
    "memory-ref": lambda a: memory_ref(int(a[0])),
    "memory-engine": lambda a: memory_engine(int(a[0]), a[1]),
    "file-ref": lambda a: file_ref(a[0], a[1], a[2]),
    "file-engine": lambda a: file_engine(a[0], a[1], a[2]),
    "engine-only": lambda a: engine_only(int(a[0]), a[1]),
    "incremental": lambda a: incremental(int(a[0]), a[1], int(a[2])),
    "generate": lambda a: generate(a[0], int(a[1]), a[2]),
    "check": lambda a: check(a[0]),
    "catalog": lambda a: catalog(a[0]),
}


def run(job: str, args: list[str]) -> dict:
    """Run one job in this process (the tests call this directly on tiny sizes)."""
    return JOBS[job](args)


def main(argv: list[str]) -> int:
    job, *args = argv
    print(json.dumps(run(job, args)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
