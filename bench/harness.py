"""Running measured processes: one fresh child per run, timed, its peak memory read, bounded.

:func:`run_child` starts one process and watches it: wall time from start to exit, its own
resource usage from ``os.wait4`` (peak resident memory ``ru_maxrss``, user and system CPU), and
two bounds — a timeout and a resident-memory ceiling — past which it is killed and the run
recorded as *timed out after N s* or *stopped at N MB*, never dropped.

:func:`measure` repeats a run and keeps the median: up to ``repeat`` times, stopping after a run
that took longer than ``long_after`` seconds in all (the record says how many runs were made),
so the default run stays within its time budget.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


@dataclass
class Limits:
    """Bounds of one child and the repeat policy."""

    timeout: float = 900.0
    max_rss_mb: float = 12_000.0
    repeat: int = 3
    long_after: float = 60.0


@dataclass
class Run:
    """One child's run: what it printed (its last line, as JSON) and what the system saw."""

    status: str  # "ok", "timeout", "memory", "failed"
    wall: float  # seconds from start to exit, seen from outside
    cpu: float  # user + system seconds of the child
    maxrss_mb: float  # the child's peak resident memory (ru_maxrss)
    data: dict = field(default_factory=dict)
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run_child(
    argv: Sequence[str], limits: Limits, *, cwd: Path = ROOT, env: dict | None = None
) -> Run:
    """Run ``argv`` to its end (or to a bound) and measure it."""
    child_env = dict(os.environ, PYTHONHASHSEED="0", **(env or {}))
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(argv), cwd=cwd, env=child_env, stdout=out, stderr=err)
        status, note, peak_seen = "ok", "", 0.0
        while True:
            pid, wait_status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            elapsed = time.perf_counter() - start
            rss = _rss_mb(proc.pid)
            peak_seen = max(peak_seen, rss)
            if elapsed > limits.timeout:
                status, note = "timeout", f"timed out after {limits.timeout:.0f} s"
            elif rss > limits.max_rss_mb:
                status = "memory"
                note = f"stopped at {rss:,.0f} MB of memory (limit {limits.max_rss_mb:,.0f} MB) after {elapsed:.0f} s"
            if status != "ok":
                os.kill(proc.pid, signal.SIGKILL)
                _, wait_status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.01 if elapsed < 2 else 0.1)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(wait_status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    run = Run(
        status,
        wall,
        usage.ru_utime + usage.ru_stime,
        max(usage.ru_maxrss / 1024, peak_seen),
        note=note,
    )
    if status == "ok" and proc.returncode != 0:
        run.status = "failed"
        run.note = f"exit code {proc.returncode}: {stderr.strip()[-600:]}"
    elif status == "ok":
        lines = stdout.strip().splitlines()
        if lines and lines[-1].startswith("{"):
            run.data = json.loads(lines[-1])
    return run


def job_argv(job: str, *args: object) -> list[str]:
    """The command line of a job of ``bench/jobs.py``."""
    return [sys.executable, str(HERE / "jobs.py"), job, *map(str, args)]


def cli_argv(*args: object) -> list[str]:
    """``assessment-engine`` from this interpreter's environment, with the workload's rubric."""
    exe = Path(sys.executable).with_name("assessment-engine")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "assessment_engine.cli"]
    return [*command, *map(str, args)]


#: The CLI's plugin options for the workload (its module imports ``workload`` from bench/).
CLI_RUBRIC = ("--no-entry-points", "--plugin", str(HERE / "workload_plugin.py"))
CLI_ENV = {"PYTHONPATH": str(HERE)}


def measure(
    argv: Sequence[str], limits: Limits, *, env: dict | None = None, label: str = ""
) -> dict:
    """Run ``argv`` up to ``limits.repeat`` times; the medians, or how it failed.

    The result has ``status``, ``runs`` and, when the runs succeeded, the median ``wall`` (the
    job's own timed part when it reports one, else the whole process), ``process_wall``,
    ``cpu``, ``maxrss_mb`` (the job's own reading when it reports one, else the process's peak),
    its ``steps`` (medians) and ``digests`` (every run's, when the job reports one).
    """
    runs: list[Run] = []
    for i in range(max(1, limits.repeat)):
        run = run_child(argv, limits, env=env)
        runs.append(run)
        if label:
            shown = f"{_timed(run):.2f} s, {_rss(run):,.0f} MB" if run.ok else run.note
            print(f"    {label}: run {i + 1}: {shown}", flush=True)
        if not run.ok or run.wall > limits.long_after:
            break
    good = [r for r in runs if r.ok]
    if len(good) < len(runs):
        bad = next(r for r in runs if not r.ok)
        return {
            "status": bad.status,
            "note": bad.note,
            "runs": len(runs),
            "wall_seen": bad.wall,
            "maxrss_seen_mb": bad.maxrss_mb,
        }
    result = {
        "status": "ok",
        "runs": len(good),
        "wall": statistics.median(_timed(r) for r in good),
        "process_wall": statistics.median(r.wall for r in good),
        "cpu": statistics.median(r.data.get("time", {}).get("cpu", r.cpu) for r in good),
        "maxrss_mb": statistics.median(_rss(r) for r in good),
        "process_maxrss_mb": statistics.median(r.maxrss_mb for r in good),
    }
    steps = [r.data.get("steps") for r in good if r.data.get("steps")]
    if steps:
        result["steps"] = {k: statistics.median(s.get(k, 0.0) for s in steps) for k in steps[0]}
    digests = [r.data["digest"] for r in good if "digest" in r.data]
    if digests:
        result["digests"] = digests
    for key in ("factset", "again"):
        if key in good[0].data:
            result[key] = statistics.median(r.data[key]["wall"] for r in good)
    if "explain_per_team_ms" in good[0].data:
        result["explain_per_team_ms"] = statistics.median(
            r.data["explain_per_team_ms"] for r in good
        )
    return result


def _timed(run: Run) -> float:
    return run.data.get("time", {}).get("wall", run.wall)


def _rss(run: Run) -> float:
    return run.data.get("maxrss_mb", run.maxrss_mb)


def machine() -> dict:
    """The machine and interpreter, for the page."""
    import platform

    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.0f} GiB of memory"
    except OSError:
        pass
    return {
        "description": f"{cpu}, {os.cpu_count()} logical CPUs{memory}; {platform.system()} {platform.release()};"
        f" Python {platform.python_version()}",
        "python": platform.python_version(),
    }
