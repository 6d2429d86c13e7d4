"""The benchmark's parts, each measuring the engine and the reference doing one job, in turn.

Every function returns plain data for ``bench/results.json``; ``page.py`` turns it into
``docs/performance.md``. Every engine result is checked against the reference's digest of the
same teams (``check``), and a path whose results differ says so.

1. :func:`records_in_memory` — the workload's dict records → typed facts → ranking rows.
2. :func:`files` — a facts file → a results file, per format (JSON, CSV, XLSX, Parquet).
3. :func:`command_line` — ``assessment-engine evaluate`` and ``report`` as whole processes.
4. :func:`engine_only` — compile + score + rank on an existing ``FactSet``; a second assessment;
   explanations; the one-fact incremental re-assessment.
5. :func:`profiles` — the records-in-memory and JSON paths under cProfile: their top costs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from harness import CLI_ENV, CLI_RUBRIC, Limits, cli_argv, job_argv, measure, run_child


def catalog(workdir: Path, limits: Limits) -> dict:
    """The formats and builders this installation offers, found out in a child process (the
    driver imports neither the engine nor the formats' libraries: see ``jobs.catalog``)."""
    run = run_child(job_argv("catalog", workdir), limits)
    if not run.ok:
        raise SystemExit(f"could not ask the installation what it offers: {run.note}")
    return run.data


def _say(text: str) -> None:
    print(text, flush=True)


def _checked(result: dict, expected: str) -> dict:
    """Mark a measurement with whether every run's digest is the reference's."""
    if result.get("status") == "ok" and result.get("digests"):
        result["same_results"] = set(result["digests"]) == {expected}
    return result


def _check_file(path: Path, expected: str, limits: Limits) -> dict:
    """The digest of a results file, read back in another process; its size."""
    if not path.exists():
        return {"same_results": None, "note": "no output file"}
    size = path.stat().st_size
    run = run_child(
        job_argv("check", path), Limits(timeout=limits.timeout, max_rss_mb=limits.max_rss_mb)
    )
    path.unlink()
    if not run.ok:
        return {"bytes": size, "same_results": None, "note": f"could not be checked: {run.note}"}
    same = run.data["digest"] == expected
    return {"bytes": size, "same_results": same, "teams": run.data["teams"]}


def reference_digest(n: int, limits: Limits) -> tuple[dict, str]:
    """The reference on the records in memory: its measurement and its digest (the truth)."""
    result = measure(job_argv("memory-ref", n), limits, label="reference")
    digests = set(result.get("digests", []))
    if result["status"] != "ok" or len(digests) != 1:
        raise SystemExit(f"the reference did not give one result at {n} teams: {result}")
    return result, digests.pop()


# --------------------------------------------------------------------------- 1. records in memory


def records_in_memory(
    n: int, limits: Limits, reference: dict, digest: str, offer: dict, *, variants: bool
) -> dict:
    _say(f"  records in memory → ranking, {n:,} teams")
    known = offer["builders"]
    headline = known["headline"]
    entry = {
        "reference": reference,
        "builder": headline,
        "builder_description": known["describe"][headline],
        "engine": _checked(
            measure(job_argv("memory-engine", n, headline), limits, label=headline), digest
        ),
    }
    if variants:
        entry["variants"] = {
            name: dict(
                _checked(measure(job_argv("memory-engine", n, name), limits, label=name), digest),
                description=known["describe"][name],
            )
            for name in known["variants"]
        }
    return entry


# --------------------------------------------------------------------------- 2. files


def prepare_input(fmt: str, suffix: str, n: int, workdir: Path, limits: Limits) -> dict:
    """Write the facts file of ``n`` teams (once per run of the benchmark; not timed)."""
    path = workdir / f"facts-{n}{suffix}"
    if not path.exists():
        run = run_child(
            job_argv("generate", fmt, n, path),
            Limits(timeout=max(limits.timeout, 3600), max_rss_mb=limits.max_rss_mb),
        )
        if not run.ok:
            return {"path": None, "note": f"the input could not be written: {run.note}"}
    return {"path": str(path), "bytes": path.stat().st_size}


def recorded(given: dict) -> dict:
    """The input as the results file keeps it: its file name, never this machine's path."""
    return {k: (Path(v).name if k == "path" and v else v) for k, v in given.items()}


def files(
    n: int,
    formats: list[str],
    limits: Limits,
    digest: str,
    workdir: Path,
    offer: dict,
    xlsx_max: int,
) -> dict:
    out: dict = {}
    for name in formats:
        fmt = offer["formats"][name]
        _say(f"  {name} file → results file, {n:,} teams")
        entry: dict = {}
        out[name] = entry
        missing = fmt["missing"]
        if missing:
            entry["skipped"] = f"{missing} is not installed (the reference and the files need it)"
            continue
        if name == "xlsx" and n > xlsx_max:
            entry["skipped"] = (
                f"over --xlsx-max {xlsx_max:,} teams (openpyxl alone takes minutes per run here)"
            )
            continue
        supported, how = fmt["engine_reads"], fmt["how"]
        entry["engine_reads"] = how
        given = prepare_input(name, fmt["suffix"], n, workdir, limits)
        entry["input"] = recorded(given)
        if given["path"] is None:
            continue
        facts = Path(given["path"])
        ref_out = workdir / f"ref-{n}{fmt['suffix']}"
        entry["reference"] = measure(
            job_argv("file-ref", name, facts, ref_out), limits, label="reference"
        )
        entry["reference"]["output"] = _check_file(ref_out, digest, limits)
        if not supported:
            entry["engine"] = {"status": "unsupported", "note": how}
            continue
        eng_out = workdir / f"engine-{n}{fmt['suffix']}"
        entry["engine"] = measure(
            job_argv("file-engine", name, facts, eng_out), limits, label="engine"
        )
        entry["engine"]["output"] = _check_file(eng_out, digest, limits)
    return out


# --------------------------------------------------------------------------- 3. the command line

#: name -> (input format, the engine's arguments after FACTS, the reference's, output suffix);
#: ``--force``: every repeat replaces the output the run before wrote
CLI_JOBS = {
    "evaluate → CSV": (
        "json",
        ["--no-progress", "--force", "--format", "csv", "-o"],
        ["--format", "csv", "-o"],
        ".csv",
    ),
    "evaluate → JSON": (
        "json",
        ["--no-progress", "--force", "--format", "json", "--no-details", "-o"],
        ["--format", "json", "-o"],
        ".json",
    ),
    "evaluate → JSON with explanations": (
        "json",
        ["--no-progress", "--force", "--format", "json", "-o"],
        ["--format", "json", "-o"],
        ".json",
    ),
    "report → HTML": ("json", ["--no-progress", "--force", "-o"], ["--html"], ".html"),
    "evaluate XLSX → XLSX": (
        "xlsx",
        ["--no-progress", "--force", "--format", "xlsx", "-o"],
        ["--format", "xlsx", "-o"],
        ".xlsx",
    ),
}


def command_line(
    n: int, limits: Limits, digest: str, workdir: Path, offer: dict, xlsx_max: int, jobs: list[str]
) -> dict:
    out: dict = {}
    for name in jobs:
        fmt_name, engine_args, ref_args, suffix = CLI_JOBS[name]
        _say(f"  assessment-engine {name}, {n:,} teams")
        entry: dict = {}
        out[name] = entry
        fmt = offer["formats"][fmt_name]
        if fmt_name == "xlsx" and n > xlsx_max:
            entry["skipped"] = f"over --xlsx-max {xlsx_max:,} teams"
            continue
        if fmt["missing"]:
            entry["skipped"] = f"{fmt['missing']} is not installed"
            continue
        given = prepare_input(fmt_name, fmt["suffix"], n, workdir, limits)
        entry["input"] = recorded(given)
        if given["path"] is None:
            continue
        command = "report" if name.startswith("report") else "evaluate"
        eng_out = workdir / f"cli-engine-{n}{suffix}"
        ref_out = workdir / f"cli-ref-{n}{suffix}"
        ref_argv = [
            sys.executable,
            str(Path(__file__).with_name("reference_cli.py")),
            command,
            given["path"],
            *ref_args,
            ref_out,
        ]
        entry["reference"] = measure(ref_argv, limits, label="reference")
        entry["reference"]["output"] = _check_file(ref_out, digest, limits)
        argv = cli_argv(command, given["path"], *CLI_RUBRIC, *engine_args, eng_out)
        entry["command"] = " ".join(
            [
                "assessment-engine",
                command,
                f"facts-{n}{fmt['suffix']}",
                *engine_args,
                f"out{suffix}",
            ]
        )
        entry["engine"] = measure(argv, limits, env=CLI_ENV, label="engine")
        entry["engine"]["output"] = _check_file(eng_out, digest, limits)
    return out


# --------------------------------------------------------------------------- 4. engine only


def engine_only(n: int, limits: Limits, digest: str, matcher: str) -> dict:
    _say(f"  engine only (an existing FactSet), {n:,} teams")
    return _checked(
        measure(job_argv("engine-only", n, matcher), limits, label="engine only"), digest
    )


def incremental(n: int, limits: Limits, matcher: str, operations: int) -> dict:
    _say(f"  incremental add/retract, {n:,} teams")
    run = run_child(job_argv("incremental", n, matcher, operations), limits)
    if not run.ok:
        return {"status": run.status, "note": run.note, "teams": n}
    return {"status": "ok", "teams": n, **run.data}


# --------------------------------------------------------------------------- profiles


def profiles(n: int, limits: Limits, workdir: Path, offer: dict) -> dict:
    """The records-in-memory and JSON paths once each under cProfile: their top costs."""
    script = str(Path(__file__).with_name("profiling.py"))
    facts = prepare_input("json", ".json", n, workdir, limits)
    wanted = {
        "records in memory → ranking": ["memory-engine", n, offer["builders"]["headline"]],
        "JSON facts file → results file": [
            "file-engine",
            "json",
            facts["path"],
            workdir / "profiled.json",
        ],
    }
    out = {}
    for label, job in wanted.items():
        _say(f"  profile: {label}, {n:,} teams")
        target = workdir / "profile.json"
        run = run_child([sys.executable, script, target, *map(str, job)], limits)
        if run.ok:
            out[label] = {"teams": n, **json.loads(target.read_text(encoding="utf-8"))}
        else:
            out[label] = {"teams": n, "status": run.status, "note": run.note}
    (workdir / "profiled.json").unlink(missing_ok=True)
    return out
