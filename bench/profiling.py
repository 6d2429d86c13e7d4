"""Where a job's time goes, by function: one job under cProfile, its top costs as JSON.

    python bench/profiling.py OUT.json JOB ARGS...      (JOB and ARGS as for bench/jobs.py)

Writes ``{"job", "args", "seconds", "own": [...], "cumulative": [...]}``: the functions with the
most time of their own, and the engine's functions (``assessment_engine``, the code it
generates, cattrs and attrs underneath) with the most time including their callees. Times under
cProfile are inflated (about ×1.5–2) and are for ranking costs only, never for ratios.
"""

from __future__ import annotations

import cProfile
import json
import pstats
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import jobs  # noqa: E402

TOP = 12
#: Where a function must come from to be listed among the cumulative costs.
ENGINE_CODE = (
    "assessment_engine",
    "<assessment_engine generated",
    "cattrs",
    "<attrs generated",
    "<cattrs generated",
)


def _name(key: tuple[str, int, str]) -> str:
    path, line, function = key
    if path == "~":
        return function  # a builtin: "<built-in method ...>"
    parts = Path(path).parts
    if "assessment_engine" in parts:
        path = "/".join(parts[parts.index("assessment_engine") :])
    else:
        path = Path(path).name
    return f"{path}:{line}({function})"


def summary(profiler: cProfile.Profile) -> dict:
    """The top costs of a profile (own time; the engine's cumulative time)."""
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    rows = [
        {"function": _name(key), "calls": nc, "own": tt, "cumulative": ct, "path": key[0]}
        for key, (_, nc, tt, ct, _) in stats.items()
    ]
    own = sorted(rows, key=lambda r: -r["own"])[:TOP]
    engine = [
        r
        for r in rows
        if any(mark in r["path"] for mark in ENGINE_CODE)
        and not r["function"].endswith("(<module>)")
    ]
    cumulative = sorted(engine, key=lambda r: -r["cumulative"])[:TOP]
    strip = lambda r: {k: v for k, v in r.items() if k != "path"}  # noqa: E731
    return {"own": [strip(r) for r in own], "cumulative": [strip(r) for r in cumulative]}


def main(argv: list[str]) -> int:
    out, job, *args = argv
    jobs.import_engine()  # imports are not the job's cost (nor timed by jobs.py)
    import builders  # noqa: F401

    profiler = cProfile.Profile()
    start = time.perf_counter()
    result = profiler.runcall(jobs.run, job, args)
    seconds = time.perf_counter() - start
    data = {
        "job": job,
        "args": args,
        "seconds": seconds,
        "steps": result.get("steps", {}),
        **summary(profiler),
    }
    Path(out).write_text(json.dumps(data, indent=1), encoding="utf-8")
    print(json.dumps({"seconds": seconds}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
