"""The plain-Python reference as a command: the same jobs as ``assessment-engine``'s.

    python bench/reference_cli.py evaluate FACTS --format csv|json|xlsx -o OUT
    python bench/reference_cli.py report FACTS --html OUT

It reads the facts file by its suffix (``json``, ``csv``, openpyxl, pyarrow), scores the
workload's rubric in plain loops (``reference.py``), and writes the ranking: CSV, JSON, a
workbook, or one HTML page with the ranking table. Timed by the driver as a whole process, like
the engine's command line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import facts_files  # noqa: E402
import reference  # noqa: E402
import results_files  # noqa: E402

_BY_SUFFIX = {fmt.suffix: fmt for fmt in facts_files.FORMATS.values()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["evaluate", "report"])
    parser.add_argument("facts", type=Path)
    parser.add_argument("--format", choices=sorted(results_files.WRITERS))
    parser.add_argument("-o", "--output", type=Path)
    parser.add_argument("--html", type=Path)
    args = parser.parse_args(argv)
    teams = _BY_SUFFIX[args.facts.suffix.lower()].read(args.facts)
    rows = reference.run(teams)
    if args.command == "report":
        args.html.write_text(results_files.reference_html(rows), encoding="utf-8")
        return 0
    fmt = args.format or args.output.suffix.lstrip(".")
    results_files.WRITERS[fmt](rows, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
