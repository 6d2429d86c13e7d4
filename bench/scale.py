"""Scale-out benchmark: the speed-up on 2 processes, and a million teams on a LocalCluster.

    python bench/scale.py speedup --teams 40000 --files 8 --repeat 3
    python bench/scale.py cluster --teams 1000000 --files 20 --workers 2

The shared workload (``workload.py``, its rubric ``workload_plugin.py``) is written once as
Parquet files of equal size (``--files``), kept under ``--dir`` for the next run, and assessed
with ``partition_by="file"``: each worker reads its own files. The output is the lean JSON
(``render.json.write(report, out, details=False)``), as a large run writes it.

``speedup`` times, alternating in one process (A/B, median of ``--repeat``): one process
(``engine.load_facts`` + ``engine.assess`` + the lean JSON) and ``ProcessPool(2)`` (the pool
started and stopped in the timing), checks the two outputs are the same bytes, and reports the
wall times, the ratio and each process's CPU time. ``cluster`` runs once on a
``DaskCluster(--workers)`` and reports the wall time, the driver's CPU and peak memory, and
each worker's CPU and peak memory (read by the workers themselves). Results are appended to
``bench/scale-results.json``; ``docs/scale.md`` quotes them.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import facts_files  # noqa: E402
import workload  # noqa: E402
import workload_plugin  # noqa: E402
from assessment_engine import Engine  # noqa: E402
from assessment_engine.render import json as render_json  # noqa: E402
from assessment_engine.scale import DaskCluster, ProcessPool, assess_files  # noqa: E402

RESULTS = HERE / "scale-results.json"


def write_files(teams: int, files: int, directory: Path, seed: int) -> list[Path]:
    """The workload's first ``teams`` teams in ``files`` Parquet files (kept for the next run)."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / f"teams-{teams}-{seed}-{i:03d}-of-{files}.parquet" for i in range(files)]
    if all(p.exists() for p in paths):
        return paths
    rnd = random.Random(seed)
    per = -(-teams // files)
    started = time.perf_counter()
    for i, path in enumerate(paths):
        chunk = [
            (workload.team_id(n), workload.generate_team(rnd, workload.team_id(n)))
            for n in range(i * per, min(teams, (i + 1) * per))
        ]
        partial = path.with_suffix(".partial")
        facts_files.write_parquet(chunk, partial)
        partial.rename(path)
        print(f"  wrote {path.name} ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    return paths


def lean_json(report) -> bytes:
    out = io.StringIO()
    render_json.write(report, out, details=False)
    return out.getvalue().encode()


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one_process(engine: Engine, paths: list[Path]) -> dict:
    wall, cpu = time.perf_counter(), time.process_time()
    report = engine.assess(engine.load_facts(*paths))
    assessed = time.perf_counter() - wall
    data = lean_json(report)
    return {
        "wall": time.perf_counter() - wall,
        "assessed": assessed,
        "cpu": time.process_time() - cpu,
        "data": data,
    }


def partitioned(engine: Engine, paths: list[Path], executor) -> dict:
    costs: list = []
    wall, cpu = time.perf_counter(), time.process_time()
    report = assess_files(
        engine, paths, executor=executor, partition_by="file", details=False, costs=costs
    )
    assessed = time.perf_counter() - wall
    data = lean_json(report)
    return {
        "wall": time.perf_counter() - wall,
        "assessed": assessed,
        "cpu": time.process_time() - cpu,
        "data": data,
        "costs": costs,
        "workers_cpu": sum(c["cpu_seconds"] for c in costs),
    }


def speedup(args: argparse.Namespace) -> dict:
    """One process, a pool started in the timing (cold) and one started before (warm), A/B."""
    paths = write_files(args.teams, args.files, args.dir, args.seed)
    runs: dict[str, list[dict]] = {"one": [], "cold": [], "warm": []}
    with Engine([workload_plugin], entry_points=False) as engine, ProcessPool(2) as warm:
        partitioned(engine, paths[:1], warm)  # the warm pool's workers have built their engine
        for run in range(args.repeat):
            one = one_process(engine, paths)
            cold = partitioned(engine, paths, ProcessPool(2))
            hot = partitioned(engine, paths, warm)
            assert one["data"] == cold["data"] == hot["data"], "the pool's output differs"
            for name, got in (("one", one), ("cold", cold), ("warm", hot)):
                runs[name].append(got)
            print(
                f"  run {run + 1}: one process {one['wall']:.2f} s; pool(2) cold {cold['wall']:.2f} s,"
                f" warm {hot['wall']:.2f} s (driver cpu {hot['cpu']:.2f}, workers cpu"
                f" {hot['workers_cpu']:.2f})",
                file=sys.stderr,
            )

    def med(name: str, key: str) -> float:
        return round(statistics.median(r[key] for r in runs[name]), 3)

    return {
        "job": "speedup",
        "teams": args.teams,
        "files": args.files,
        "repeat": args.repeat,
        "one_process_s": med("one", "wall"),
        "one_process_assessed_s": med("one", "assessed"),
        "one_process_cpu_s": med("one", "cpu"),
        "pool2_cold_s": med("cold", "wall"),
        "pool2_warm_s": med("warm", "wall"),
        "pool2_warm_assessed_s": med("warm", "assessed"),
        "pool2_driver_cpu_s": med("warm", "cpu"),
        "pool2_workers_cpu_s": med("warm", "workers_cpu"),
        "speedup_cold": round(med("one", "wall") / med("cold", "wall"), 3),
        "speedup_warm": round(med("one", "wall") / med("warm", "wall"), 3),
        "speedup_assessed_warm": round(med("one", "assessed") / med("warm", "assessed"), 3),
        "same_bytes": True,
    }


def cluster(args: argparse.Namespace) -> dict:
    paths = write_files(args.teams, args.files, args.dir, args.seed)
    with Engine([workload_plugin], entry_points=False) as engine:
        before = peak_mib()
        with DaskCluster(args.workers, memory_limit=0) as executor:
            got = partitioned(engine, paths, executor)
    wall, cpu, data, costs = got["wall"], got["cpu"], got["data"], got["costs"]
    by_worker: dict[int, dict] = {}
    for c in costs:
        w = by_worker.setdefault(c["pid"], {"cpu_s": 0.0, "peak_mib": 0.0, "partitions": 0})
        w["cpu_s"] += c["cpu_seconds"]
        w["peak_mib"] = max(w["peak_mib"], (c["peak_rss_kib"] or 0) / 1024)
        w["partitions"] += 1
    workers_cpu = sum(w["cpu_s"] for w in by_worker.values())
    return {
        "job": "cluster",
        "teams": args.teams,
        "files": args.files,
        "workers": args.workers,
        "wall_s": round(wall, 1),
        "assessed_s": round(got["assessed"], 1),
        "driver_cpu_s": round(cpu, 1),
        "driver_peak_mib": round(max(before, peak_mib())),
        "workers_cpu_s": round(workers_cpu, 1),
        "worker_cpu_us_per_team": round(workers_cpu / args.teams * 1e6),
        "driver_cpu_us_per_team": round(cpu / args.teams * 1e6),
        "per_worker": [
            {k: round(v, 1) if isinstance(v, float) else v for k, v in w.items()}
            for w in by_worker.values()
        ],
        "output_bytes": len(data),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("job", choices=["speedup", "cluster"])
    parser.add_argument("--teams", type=int, default=40_000)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=workload.DEFAULT_SEED)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/assessment-engine-scale-bench"))
    parser.add_argument("--no-record", action="store_true", help="do not append to the results")
    args = parser.parse_args()
    result = speedup(args) if args.job == "speedup" else cluster(args)
    result["cpus"] = os.cpu_count()
    result["python"] = sys.version.split()[0]
    print(json.dumps(result, indent=2))
    if not args.no_record:
        found = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
        found.append(result)
        RESULTS.write_text(json.dumps(found, indent=2) + "\n")


if __name__ == "__main__":
    main()
