"""Benchmark: the engine against the plain-Python reference on the shared workload.

Every measurement runs in a fresh process (``python bench/run.py --child ...``) and is repeated
three times; the median is reported. Wall-clock and CPU time are both recorded; the ratios use
wall-clock time, like the peers' numbers in the shared README. Results go to
``docs/performance.md`` (and ``bench/results.json``).

Usage: ``python bench/run.py [--sizes 1000,10000,100000] [--repeat 3] [--output docs/performance.md]``
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))


# --------------------------------------------------------------------------- children


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _since(start: tuple[float, float]) -> dict[str, float]:
    wall, cpu = _clock()
    return {"wall": wall - start[0], "cpu": cpu - start[1]}


def _settle(freeze: bool) -> None:
    """With ``freeze``: move the input (already built) out of the garbage collector's sight.

    ``gc.freeze()`` after loading long-lived data is CPython's documented practice for programs
    that keep millions of objects; applied to both processes alike, it shows what the
    collector's traversals of the input cost each of them.
    """
    if freeze:
        gc.collect()
        gc.freeze()


def child_reference(n: int, freeze: bool = False) -> dict:
    import common
    import reference
    import workload

    teams = workload.generate(n)
    _settle(freeze)
    start = _clock()
    rows = reference.run(teams)
    result = {"time": _since(start), "digest": common.digest(rows)}
    result["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def _engine_rows(report) -> list[tuple]:
    """(team, total, pb, bz, cv, grade, rank) rows, the reference's shape."""
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
                row.grade,
                row.rank,
            )
        )
    return rows


def child_engine(n: int, matcher: str, freeze: bool = False) -> dict:
    import common
    import engine_facts
    import workload_plugin
    from assessment_engine import Engine, FactSet

    facts = engine_facts.generate_facts(n)
    _settle(freeze)
    start = _clock()
    fact_set = FactSet(facts, source="bench")
    factset_time = _since(start)
    start = _clock()
    engine = Engine(plugins=[workload_plugin], entry_points=False, matcher=matcher)
    build_time = _since(start)
    report = engine.assess(fact_set)
    rows = _engine_rows(report)
    assess_time = _since(start)
    result = {
        "time": assess_time,
        "build": build_time,
        "factset": factset_time,
        "digest": common.digest(rows),
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    # the same engine again on the same facts: its match memo is warm
    start = _clock()
    again = engine.assess(fact_set)
    if common.digest(_engine_rows(again)) != result["digest"]:
        raise SystemExit("a second assessment by the same engine gave other results")
    result["again"] = _since(start)
    del again
    # explanations: every team's full explained assessment for a sample, and the JSON of all
    sample = report.teams[: min(1000, n)]
    start = _clock()
    for team in sample:
        report[team].explain().text()
    result["explain_per_team_ms"] = _since(start)["wall"] / len(sample) * 1000
    if n <= 10_000:
        start = _clock()
        report.to_json()
        result["json"] = _since(start)
    engine.close()
    return result


def child_incremental(n: int, matcher: str, operations: int) -> dict:
    import engine_facts
    import workload_plugin
    from assessment_engine import Activity, Engine, FactSet

    fact_set = FactSet(engine_facts.generate_facts(n), source="bench")
    engine = Engine(plugins=[workload_plugin], entry_points=False, matcher=matcher)
    session = engine.session(fact_set)
    rnd = random.Random(7)
    kinds = ("study_session", "theory_test", "volunteer", "lecture", "community_service")
    timings = []
    checks = 0
    for i in range(operations):
        team = f"T{rnd.randrange(n):06d}"
        fact = Activity(
            team=team,
            period=engine_facts.PERIOD,
            id=f"extra-{i}",
            kind=rnd.choice(kinds),
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
    return {
        "operations": len(timings),
        "median_ms": statistics.median(timings) * 1000,
        "p90_ms": timings[int(len(timings) * 0.9)] * 1000,
        "checks": checks,
    }


# --------------------------------------------------------------------------- parent


def _run_child(*args: str) -> dict:
    env = dict(os.environ, PYTHONHASHSEED="0")
    out = subprocess.run(
        [sys.executable, str(Path(__file__)), "--child", *args],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _median(runs: list[dict], *path: str) -> float:
    values = []
    for run in runs:
        value = run
        for key in path:
            value = value[key]
        values.append(value)
    return statistics.median(values)


def _machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} logical CPUs; {platform.system()} {platform.release()};"
        f" Python {platform.python_version()}"
    )


def measure(sizes: list[int], repeat: int, matcher: str, operations: int) -> dict:
    results: dict = {"machine": _machine(), "matcher": matcher, "sizes": {}}
    for n in sizes:
        ref = [_run_child("reference", str(n)) for _ in range(repeat)]
        eng = [_run_child("engine", str(n), matcher) for _ in range(repeat)]
        same = {r["digest"] for r in ref} == {e["digest"] for e in eng} and len(
            {r["digest"] for r in ref}
        ) == 1
        entry = {
            "reference_wall": _median(ref, "time", "wall"),
            "reference_cpu": _median(ref, "time", "cpu"),
            "engine_wall": _median(eng, "time", "wall"),
            "engine_cpu": _median(eng, "time", "cpu"),
            "factset_wall": _median(eng, "factset", "wall"),
            "build_wall": _median(eng, "build", "wall"),
            "again_wall": _median(eng, "again", "wall"),
            "reference_rss_mb": _median(ref, "maxrss_mb"),
            "engine_rss_mb": _median(eng, "maxrss_mb"),
            "explain_per_team_ms": _median(eng, "explain_per_team_ms"),
            "same_results": same,
            "digest": ref[0]["digest"],
        }
        if "json" in eng[0]:
            entry["json_wall"] = _median(eng, "json", "wall")
        results["sizes"][str(n)] = entry
        print(
            f"{n:>7} teams: reference {entry['reference_wall']:.3f}s, engine"
            f" {entry['engine_wall']:.3f}s (x{entry['engine_wall'] / entry['reference_wall']:.2f}),"
            f" fact set {entry['factset_wall']:.3f}s, same results: {same}",
            flush=True,
        )
    n_max = max(sizes)
    ref = [_run_child("reference", str(n_max), "freeze") for _ in range(repeat)]
    eng = [_run_child("engine", str(n_max), matcher, "freeze") for _ in range(repeat)]
    results["frozen"] = {
        "teams": n_max,
        "reference_wall": _median(ref, "time", "wall"),
        "engine_wall": _median(eng, "time", "wall"),
        "factset_wall": _median(eng, "factset", "wall"),
        "same_results": {r["digest"] for r in ref} == {e["digest"] for e in eng},
    }
    frozen = results["frozen"]
    print(
        f"{n_max:>7} teams, input frozen: reference {frozen['reference_wall']:.3f}s, engine"
        f" {frozen['engine_wall']:.3f}s (x{frozen['engine_wall'] / frozen['reference_wall']:.2f})",
        flush=True,
    )
    n_inc = max(sizes)
    results["incremental"] = _run_child("incremental", str(n_inc), matcher, str(operations))
    results["incremental"]["teams"] = n_inc
    print(f"incremental at {n_inc} teams: median {results['incremental']['median_ms']:.3f} ms")
    return results


def write_markdown(results: dict, path: Path) -> None:
    lines = [
        "# Performance",
        "",
        "Measured by `bench/run.py` (`nox -s bench`) on the shared workload: a deterministic",
        "generator of N teams × ~40 facts (members, activities, achievements, metrics, rare",
        "incidents) and a 12-indicator rubric over three dimensions with a bonus, a veto, grade",
        "bands and ranking. `bench/workload.py` rebuilds the shared generator inside the project;",
        "`bench/check_workload.py` confirms it yields the same teams (SHA-256 of the generated data",
        "for 1,000 and 10,000 teams equals the shared generator's). The rubric is expressed through",
        "the public plugin API (`bench/workload_plugin.py`).",
        "",
        "## Method",
        "",
        "- Each number is the median of three fresh processes; wall-clock time; the reference is",
        "  `bench/reference.py` (plain Python loops over dicts: the speed limit for this workload).",
        "- **Engine time = compile + score + rank**, as for the peers: building the engine from the",
        "  plugin (hook calls, rubric checks, compilation, durable-rules rulesets), assessing every",
        "  team with explanations recorded (every team's state keeps what its explanation is built",
        "  from), ranking, and reading every team's total, dimension scores, grade and rank.",
        "- The input is a validated `FactSet` of typed facts; building it (grouping by team and",
        "  checking ids and team records) is timed separately as *fact set* — the reference has",
        "  no equivalent step, and the sum is shown too.",
        "- Every run checks the engine's results against the reference team by team (a digest",
        "  over team, total, three dimension scores, grade and rank).",
        "- Peak memory is the process's maximum RSS, each process generating its own input.",
        f"- Matcher: `{results['matcher']}`. Machine: {results['machine']}.",
        "",
        "## Results",
        "",
        "| teams | reference | engine | × reference | of which building the engine | fact set |"
        " (engine + fact set) × reference | same engine again × reference | same results |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|:---:|",
    ]
    for n, e in results["sizes"].items():
        ratio = e["engine_wall"] / e["reference_wall"]
        total = (e["engine_wall"] + e["factset_wall"]) / e["reference_wall"]
        lines.append(
            f"| {int(n):,} | {e['reference_wall']:.3f} s | {e['engine_wall']:.3f} s |"
            f" {ratio:.2f} | {e['build_wall']:.3f} s | {e['factset_wall']:.3f} s | {total:.2f} |"
            f" {e['again_wall'] / e['reference_wall']:.2f} |"
            f" {'yes' if e['same_results'] else '**no**'} |"
        )
    lines += [
        "",
        "An engine's first assessment pays a warm-up: its first teams go through the phased path,",
        "which asks durable-rules about every new fact projection and quantity combination (opening",
        "sessions, asserting, reading matches) and remembers the answers; later teams mostly reuse",
        "them. At 1,000 teams that warm-up is most of the engine's time. *Same engine again* is a",
        "second `assess` of the same facts by the same engine (the memo warm), what a service that",
        "keeps its engine sees for data like the last period's; same results checked.",
    ]
    largest = results["sizes"][str(max(int(n) for n in results["sizes"]))]
    inc = results["incremental"]
    lines += [
        "",
        "| measure | value |",
        "|---|---:|",
        f"| peak memory, reference ({max(int(n) for n in results['sizes']):,} teams) |"
        f" {largest['reference_rss_mb']:.0f} MB |",
        f"| peak memory, engine | {largest['engine_rss_mb']:.0f} MB |",
        f"| engine ÷ reference memory | {largest['engine_rss_mb'] / largest['reference_rss_mb']:.2f} |",
        f"| one-fact incremental re-assessment, median ({inc['teams']:,} teams, {inc['operations']} add/retract) |"
        f" {inc['median_ms']:.3f} ms |",
        f"| same, 90th percentile | {inc['p90_ms']:.3f} ms |",
        f"| full explained assessment of one team (build + text), median per team |"
        f" {largest['explain_per_team_ms']:.3f} ms |",
    ]
    for n, e in results["sizes"].items():
        if "json_wall" in e:
            lines.append(f"| report JSON for {int(n):,} teams | {e['json_wall']:.3f} s |")
    frozen = results["frozen"]
    lines += [
        "",
        "### The garbage collector's share",
        "",
        "Both processes keep their whole input alive (4 million facts at 100,000 teams). Every",
        "container the engine keeps per team (its state, its ranking key) and every one the caller",
        "builds afterwards counts towards CPython's next full collection, which then traverses all",
        "of those facts; the reference allocates little and rarely pays that. The same run with",
        "`gc.freeze()` called in both processes right after the input is built (CPython's",
        "documented practice for programs that hold large long-lived data) shows the share:",
        "",
        "| teams | reference | engine | × reference | (engine + fact set) × reference | same results |",
        "|---:|---:|---:|---:|---:|:---:|",
        f"| {frozen['teams']:,} (input frozen) | {frozen['reference_wall']:.3f} s |"
        f" {frozen['engine_wall']:.3f} s | {frozen['engine_wall'] / frozen['reference_wall']:.2f} |"
        f" {(frozen['engine_wall'] + frozen['factset_wall']) / frozen['reference_wall']:.2f} |"
        f" {'yes' if frozen['same_results'] else '**no**'} |",
        "",
        "## Targets",
        "",
        "| target | result |",
        "|---|---|",
    ]
    ratio = largest["engine_wall"] / largest["reference_wall"]
    total = (largest["engine_wall"] + largest["factset_wall"]) / largest["reference_wall"]
    mem = largest["engine_rss_mb"] / largest["reference_rss_mb"]
    lines += [
        f"| ≤ 3× plain Python end to end, explanations recorded | {'met' if ratio <= 3 else 'not met'}:"
        f" ×{ratio:.2f} (×{total:.2f} with the fact set built from typed facts; with the input"
        f" frozen ×{frozen['engine_wall'] / frozen['reference_wall']:.2f}) |",
        f"| one-fact incremental re-assessment < 1 ms median | {'met' if inc['median_ms'] < 1 else 'not met'}:"
        f" {inc['median_ms']:.3f} ms |",
        f"| 100k teams, peak memory ≤ 2× plain Python | {'met' if mem <= 2 else 'not met'}: ×{mem:.2f} |",
        "",
        "Absolute times move by up to 25 % between runs on these machines; ratios within one batch",
        "of runs move about 15 %. The peers' ratios on the same workload (shared README): pandas ×10,",
        "business-rules ×25, zen-engine ×38, CLIPS ×49, durable-rules used directly ×228.",
        "",
        "## Why it is fast",
        "",
        "durable-rules sees few, meaningful records: each distinct projection of a fact (the fields",
        "its filters read) and each distinct combination of quantities a rule reads is matched once,",
        "in batches of 512 per session, and the answer is remembered (see `docs/matchers.md`). The",
        "per-team work — routing facts, quantities, scores, caps, dimensions, grades — runs in",
        "Python generated once per rubric (`src/assessment_engine/_codegen.py`); explanations are",
        "rebuilt from the kept state when asked for.",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", nargs="+")
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--matcher", default="durable")
    parser.add_argument("--operations", type=int, default=500)
    parser.add_argument("--output", default=str(ROOT / "docs" / "performance.md"))
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "reference":
            out = child_reference(int(rest[0]), freeze="freeze" in rest)
        elif kind == "engine":
            out = child_engine(int(rest[0]), rest[1], freeze="freeze" in rest)
        else:
            out = child_incremental(int(rest[0]), rest[1], int(rest[2]))
        print(json.dumps(out))
        return 0
    sizes = [int(s) for s in args.sizes.split(",")]
    results = measure(sizes, args.repeat, args.matcher, args.operations)
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    write_markdown(results, Path(args.output))
    ok = all(e["same_results"] for e in results["sizes"].values())
    print(f"results {'match' if ok else 'DO NOT MATCH'} the reference; wrote {args.output}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
