"""What the generated fast path is worth: the same assessment with it and without it.

The generated ``assess_team`` (``_pipeline/_codegen.py``) fuses every step of one team into one
function when the memos already know every answer it needs; without it, every team goes through
the phased path (routing, quantities, matching in batches, the generated stage functions
between). Both give the same results (checked here, and by a property test); this measures the
difference, each configuration in its own fresh process, median of three.

    python bench/fast_path.py [--sizes 10000,100000] [--repeat 3]

Prints one JSON line per size. This is a development measurement: it switches the fast path off
through the engine's private pipeline, which no user can do.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def child(n: int, fast: bool) -> dict:
    import common
    import engine_facts
    import workload_plugin
    from assessment_engine import Engine, FactSet
    from jobs import engine_rows as _engine_rows

    facts = FactSet(engine_facts.generate_facts(n), source="bench")
    engine = Engine(plugins=[workload_plugin], entry_points=False, matcher="durable")
    plan = engine._pipeline.plan
    if not fast:
        plan.fast = type(plan.fast)(
            quantities=plan.fast.quantities,
            score=plan.fast.score,
            grades=plan.fast.grades,
            assess_team=lambda state: False,  # every team takes the phased path
            source=plan.fast.source,
        )
    start = time.perf_counter()
    report = engine.assess(facts)
    rows = _engine_rows(report)
    first = time.perf_counter() - start
    start = time.perf_counter()
    again = _engine_rows(engine.assess(facts))
    second = time.perf_counter() - start
    assert common.digest(again) == common.digest(rows)
    engine.close()
    return {"first": first, "again": second, "digest": common.digest(rows)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs=2)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(int(args.child[0]), args.child[1] == "fast")))
        return
    for n in (int(s) for s in args.sizes.split(",")):
        runs: dict[str, list[dict]] = {"fast": [], "phased": []}
        for _ in range(args.repeat):
            for mode in runs:
                out = subprocess.run(
                    [sys.executable, __file__, "--child", str(n), mode],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
                runs[mode].append(json.loads(out))
        digests = {r["digest"] for mode in runs.values() for r in mode}
        result = {"teams": n, "same results": len(digests) == 1}
        for mode, found in runs.items():
            for key in ("first", "again"):
                result[f"{mode} {key} s"] = round(statistics.median(r[key] for r in found), 3)
        for key in ("first", "again"):
            result[f"phased/fast {key}"] = round(
                result[f"phased {key} s"] / result[f"fast {key} s"], 2
            )
        print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
