"""The HTML report beside the assessment: time, memory and size at 10,000 and 100,000 teams.

Run from the repository root::

    python bench/html_report.py 10000 100000

For each size, on the shared workload (``bench/workload.py``, its rule set in
``bench/workload_plugin.py``): ``Engine.assess`` (CPU time), then the report written as the
command line writes it — the page streamed with the explanations in page files beside it
(``render.html.write(..., pages=PageFolder(...))``) — and the page alone without the
explanations' files counted. Prints one line per size; docs/html-report.md keeps the numbers.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import engine_facts  # noqa: E402
import workload_plugin  # noqa: E402
from assessment_engine import Engine  # noqa: E402
from assessment_engine.render import html  # noqa: E402


def measure(n: int) -> str:
    """One size: assess, write; CPU seconds, peak memory, the page's and the files' sizes."""
    facts = engine_facts.generate_facts(n)
    with Engine(plugins=[workload_plugin], entry_points=False) as engine:
        started = time.process_time()
        report = engine.assess(facts, period=engine_facts.PERIOD)
        assess = time.process_time() - started
        del facts
        with tempfile.TemporaryDirectory() as work:
            folder = Path(work) / "report_files"
            page = Path(work) / "report.html"
            calls = []
            started = time.process_time()
            with page.open("w", encoding="utf-8") as out:
                html.write(
                    report,
                    out,
                    pages=html.PageFolder(folder, "report_files", "../report.html"),
                    progress=lambda *call: calls.append(call),
                )
            write = time.process_time() - started
            files = sum(p.stat().st_size for p in folder.iterdir())
            biggest = max(p.stat().st_size for p in folder.iterdir())
            size = page.stat().st_size
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return (
        f"| {n:,} | {assess:.2f} s | {write:.2f} s | ×{write / assess:.2f} | {peak:,.0f} MB"
        f" | {size / 1e6:.1f} MB | {n // html.TEAMS_PER_FILE + (n % html.TEAMS_PER_FILE > 0):,}"
        f" files, {files / 1e6:,.0f} MB (largest {biggest / 1e6:.1f} MB) | {len(calls)} |"
    )


def main(argv: list[str]) -> None:
    """Measure each size given (default 10,000) and print the table's rows."""
    print(
        "| teams | Engine.assess | HTML written | × assess | peak memory | page | page files"
        " | progress calls |"
    )
    print("|---:|---:|---:|---:|---:|---:|---|---:|")
    for n in [int(a) for a in argv] or [10_000]:
        print(measure(n), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
