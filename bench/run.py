"""Benchmark: what users wait for, end to end, beside the plain-Python reference doing the same job.

Every measured path runs in its own fresh process (``bench/jobs.py``, or ``assessment-engine``
itself), repeated (median of ``--repeat``), with its wall time and peak memory; the reference
does the same job in the same run, so every figure is a ratio to it. Every path's ranking is
checked team by team against the reference's (a digest). Writes ``bench/results.json`` and
``docs/performance.md``.

Parts (``--parts``, all by default):

- ``memory`` — records in memory (the workload's dicts) → typed facts → ranking rows; at
  ``--sizes`` and ``--memory-sizes`` (the linearity series; add 1000000 there for 1 M teams).
- ``files`` — a facts file → a results file, for ``--formats`` json,csv,xlsx,parquet (XLSX only up
  to ``--xlsx-max`` teams; a format the engine cannot read yet is reported as such).
- ``cli`` — ``assessment-engine evaluate`` (→ CSV, → JSON, XLSX → XLSX) and ``report --html``.
- ``engine`` — the secondary figures: compile + score + rank on an existing ``FactSet``, the
  fact set's building, a second assessment, explanations, one-fact incremental re-assessment.
- ``profile`` — the records-in-memory and JSON paths once under cProfile at the smallest size:
  the functions that cost most (``bench/profiling.py``).

Usage::

    python bench/run.py                                    # everything at 10,000 and 100,000 teams
    python bench/run.py --parts memory --memory-sizes 1000000 --sizes 10000,100000
    python bench/run.py --parts files --formats json --sizes 100000 --repeat 1
    python bench/run.py --parts memory --sizes 1000000 --repeat 1 --merge --max-rss-mb 21000
                                                           # add 1 M (about 17.5 GB) to the page
    python bench/run.py --sizes 1000 --repeat 1 --output /tmp/perf.md   # a quick look
    python bench/run.py --render          # docs/performance.md again from bench/results.json

``python bench/profiling.py OUT.json JOB ARGS`` profiles one job of ``bench/jobs.py``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import page  # noqa: E402
import parts  # noqa: E402
from harness import Limits, machine  # noqa: E402

ALL_PARTS = ("memory", "files", "cli", "engine", "profile")
#: The other ways to build facts from records are measured at the smallest size, if this small.
VARIANTS_MAX = 100_000


def _ints(text: str) -> list[int]:
    return [int(s.replace("_", "")) for s in text.split(",") if s.strip()]


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes",
        type=_ints,
        default=[10_000, 100_000],
        help="team counts for every part (default 10000,100000)",
    )
    parser.add_argument(
        "--memory-sizes",
        type=_ints,
        default=[],
        help="further sizes for the records-in-memory path only (e.g. 1000000)",
    )
    parser.add_argument(
        "--parts", default=",".join(ALL_PARTS), help=f"comma-separated: {', '.join(ALL_PARTS)}"
    )
    parser.add_argument("--formats", default="json,csv,xlsx,parquet")
    parser.add_argument(
        "--cli", default=",".join(parts.CLI_JOBS), help="the command-line jobs to run"
    )
    parser.add_argument(
        "--xlsx-max",
        type=int,
        default=10_000,
        help="largest team count for XLSX paths (default 10000)",
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per measurement; the median is kept (default 3)"
    )
    parser.add_argument(
        "--long-after",
        type=float,
        default=60.0,
        help="stop repeating a measurement after a run that took longer (s; default 60)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=900.0,
        help="seconds before a child is stopped (default 900)",
    )
    parser.add_argument(
        "--max-rss-mb",
        type=float,
        default=12_000.0,
        help="resident memory at which a child is stopped (default 12000)",
    )
    parser.add_argument("--matcher", default="durable")
    parser.add_argument(
        "--operations",
        type=int,
        default=500,
        help="add/retract pairs of the incremental measurement",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="where input and output files go (default: a temporary directory, removed)",
    )
    parser.add_argument("--results", type=Path, default=HERE / "results.json")
    parser.add_argument(
        "--merge",
        action="store_true",
        help="add this run's sizes to the existing --results file instead of replacing it",
    )
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "performance.md")
    parser.add_argument(
        "--note",
        action="append",
        default=[],
        help="a remark on this run for the page (repeatable; with --render, added to --results)",
    )
    parser.add_argument(
        "--render",
        action="store_true",
        help="measure nothing: write --output again from the --results file",
    )
    return parser.parse_args(argv)


def benchmark(args: argparse.Namespace) -> dict:
    """Run the selected parts; the raw results."""
    chosen = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = set(chosen) - set(ALL_PARTS)
    if unknown:
        raise SystemExit(f"unknown parts: {', '.join(sorted(unknown))}")
    limits = Limits(
        timeout=args.timeout,
        max_rss_mb=args.max_rss_mb,
        repeat=args.repeat,
        long_after=args.long_after,
    )
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="assessment-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    cli_jobs = [j.strip() for j in args.cli.split(",") if j.strip()]
    results: dict = {
        "machine": machine(),
        "date": datetime.date.today().isoformat(),
        "settings": {
            "sizes": args.sizes,
            "memory_sizes": args.memory_sizes,
            "parts": chosen,
            "repeat": args.repeat,
            "long_after": args.long_after,
            "timeout": args.timeout,
            "max_rss_mb": args.max_rss_mb,
            "xlsx_max": args.xlsx_max,
            "matcher": args.matcher,
        },
        "reference_digest": {},
        "memory": {},
        "files": {},
        "cli": {},
        "engine_only": {},
    }
    offer = parts.catalog(workdir, limits)
    results["offer"] = offer
    memory_sizes = (
        sorted(set(args.sizes) | set(args.memory_sizes))
        if "memory" in chosen
        else sorted(set(args.sizes))
    )
    try:
        for n in memory_sizes:
            print(f"{n:,} teams", flush=True)
            reference, digest = parts.reference_digest(n, limits)
            results["reference_digest"][str(n)] = digest
            key = str(n)
            if "memory" in chosen:
                results["memory"][key] = parts.records_in_memory(
                    n,
                    limits,
                    reference,
                    digest,
                    offer,
                    variants=n == min(memory_sizes) <= VARIANTS_MAX,
                )
            if n not in args.sizes:
                continue
            if "files" in chosen:
                results["files"][key] = parts.files(
                    n, formats, limits, digest, workdir, offer, args.xlsx_max
                )
            if "cli" in chosen:
                results["cli"][key] = parts.command_line(
                    n, limits, digest, workdir, offer, args.xlsx_max, cli_jobs
                )
            if "engine" in chosen:
                results["engine_only"][key] = parts.engine_only(n, limits, digest, args.matcher)
            for name in list(workdir.glob(f"facts-{n}.*")):
                name.unlink()
        if "profile" in chosen:
            results["profiles"] = parts.profiles(min(args.sizes), limits, workdir, offer)
        if "engine" in chosen:
            results["incremental"] = parts.incremental(
                max(args.sizes), limits, args.matcher, args.operations
            )
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    return results


#: The parts of the results that are keyed by team count (merged size by size).
BY_SIZE = ("reference_digest", "memory", "files", "cli", "engine_only")
#: Of those, the parts keyed by team count and then by format or command.
BY_SIZE_AND_NAME = ("files", "cli")


def merge(old: dict, new: dict) -> dict:
    """``new`` measured on top of ``old``: sizes measured again replace theirs, others stay.

    So a long part (1 M teams in memory, XLSX at 100,000) can be run on its own and added to
    the page: ``--merge``. The machine and date are the newest run's; the settings list every
    size measured.
    """
    merged = {**old, "machine": new["machine"], "date": new["date"]}
    for key in BY_SIZE:
        merged[key] = {**old.get(key, {}), **new.get(key, {})}
        if key in BY_SIZE_AND_NAME:  # one format or command measured again keeps the others
            for n in set(old.get(key, {})) & set(new.get(key, {})):
                merged[key][n] = {**old[key][n], **new[key][n]}
        merged[key] = dict(sorted(merged[key].items(), key=lambda kv: int(kv[0])))
    merged["notes"] = [*old.get("notes", []), *new.get("notes", [])]
    for key in ("incremental", "profiles"):
        if key in new:
            merged[key] = new[key]
    settings = {**old.get("settings", {}), **new["settings"]}
    for key in ("sizes", "memory_sizes"):
        settings[key] = sorted(
            set(old.get("settings", {}).get(key, [])) | set(new["settings"][key])
        )
    settings["parts"] = sorted(
        set(old.get("settings", {}).get("parts", [])) | set(new["settings"]["parts"])
    )
    merged["settings"] = settings
    return merged


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.render:
        results = json.loads(args.results.read_text(encoding="utf-8"))
        if args.note:
            results["notes"] = [*results.get("notes", []), *args.note]
            args.results.write_text(
                json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )
        args.output.write_text(page.render(results), encoding="utf-8")
        print(f"wrote {args.output} from {args.results}")
        return 1 if page.mismatches(results) else 0
    start = time.perf_counter()
    results = benchmark(args)
    results["elapsed_s"] = time.perf_counter() - start
    results["notes"] = args.note
    if args.merge and args.results.exists():
        results = merge(json.loads(args.results.read_text(encoding="utf-8")), results)
    args.results.write_text(
        json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    args.output.write_text(page.render(results), encoding="utf-8")
    wrong = page.mismatches(results)
    print(
        f"wrote {args.results} and {args.output} (driver's peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)"
    )
    if wrong:
        print("results DIFFER from the reference on: " + "; ".join(wrong))
        return 1
    print("every checked path gives the reference's ranking")
    return 0


if __name__ == "__main__":
    sys.exit(main())
