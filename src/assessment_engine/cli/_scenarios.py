"""``assessment-engine test``: run scenario files against the rule sets, with coverage."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from .._plugins import rubric_files
from ..scenarios import (
    CaseResult,
    FileRun,
    ScenarioFile,
    ScenarioFileError,
    is_scenario_file,
    load_scenarios,
    run_file,
    show_value,
)
from ._common import engine_options, load_plugin

__all__ = ["COMMANDS", "test"]

#: Where ``--rubric`` values are kept for the command (``_common``'s engine options).
_RUBRIC_FILES = "assessment_engine.rubric_files"


def _files(paths: tuple[str, ...]) -> list[Path]:
    found: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*") if is_scenario_file(p))
            if not inside:
                raise click.BadParameter(
                    f"{given}: no *.scenarios.toml or *.scenarios.xlsx file in this folder",
                    param_hint="SCENARIOS",
                )
            found.extend(inside)
        elif not path.exists():
            raise click.BadParameter(f"{given}: no such file", param_hint="SCENARIOS")
        else:
            found.append(path)
    return found


def _case_data(result: CaseResult) -> dict[str, Any]:
    s = result.scenario
    return {
        "name": s.name,
        "file": s.source,
        "line": s.line,
        "outcome": result.outcome,
        "checked": result.checked,
        "error": result.error,
        "mismatches": [
            {
                "team": m.expectation.team,
                "expect": m.expectation.what,
                "id": m.expectation.id,
                "line": m.expectation.line,
                "expected": show_value(m.expectation.expected),
                "actual": show_value(m.actual),
                "why": list(m.why),
            }
            for m in result.mismatches
        ],
    }


def _run_data(run: FileRun) -> dict[str, Any]:
    coverage = run.coverage
    return {
        "file": run.file.source,
        "error": run.error,
        "results": [_case_data(r) for r in run.results],
        "coverage": None
        if coverage is None
        else {
            "reached": {what: [got, total] for what, got, total in coverage.reached},
            "indicators_missed": list(coverage.indicators_missed),
            "bands_missed": list(coverage.bands_missed),
            "grade_bands_missed": list(coverage.grade_bands_missed),
            "rules_missed": list(coverage.rules_missed),
        },
    }


@click.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(path_type=str))
@engine_options
@click.option(
    "--coverage/--no-coverage",
    "show_coverage",
    default=True,
    show_default=True,
    help="Show the indicators, bands and rules that no scenario reaches.",
)
@click.option(
    "--require-coverage",
    is_flag=True,
    help="Fail (exit 1) when a scenario file leaves anything of the rubric unreached.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def test(
    scenarios: tuple[str, ...],
    plugins: tuple[str, ...],
    no_entry_points: bool,
    block: tuple[str, ...],
    matcher: str | None,
    show_coverage: bool,
    require_coverage: bool,
    fmt: str,
) -> None:
    """Run the scenarios in SCENARIOS (.toml, .xlsx files or folders) and compare verdicts.

    Each case gives teams' facts and the verdict expected of them; a line per case says PASS,
    FAIL (with a diff: expected against actual, and why) or ERROR (the case could not be
    assessed). Exit 0 when every case passes, 1 when one fails or errs, 3 for a scenario file
    that cannot be read, 4 when the rule sets do not build.
    """
    context = click.get_current_context()
    extra: list[object] = [load_plugin(spec) for spec in plugins]
    given = context.meta.get(_RUBRIC_FILES, ())
    if given:
        extra.extend(rubric_files(*given))
    files: list[ScenarioFile] = []
    problems: list[str] = []
    for path in _files(scenarios):
        try:
            files.append(load_scenarios(path))
        except ScenarioFileError as exc:
            problems.append(str(exc))
    if problems:
        click.echo(click.style("error: ", fg="red", bold=True) + "\n".join(problems), err=True)
        raise click.exceptions.Exit(3)
    runs = [
        run_file(
            file,
            plugins=extra,
            entry_points=False if no_entry_points else None,
            block=block,
            matcher=matcher,  # type: ignore[arg-type]
        )
        for file in files
    ]
    if fmt == "json":
        click.echo(json.dumps([_run_data(r) for r in runs], ensure_ascii=False, indent=2))
    else:
        _print(runs, show_coverage)
    if any(run.error for run in runs) and not any(run.results for run in runs):
        raise click.exceptions.Exit(4)
    uncovered = require_coverage and any(
        run.coverage is not None and not run.coverage.complete for run in runs
    )
    if not all(run.passed for run in runs) or uncovered:
        raise click.exceptions.Exit(1)


def _print(runs: list[FileRun], show_coverage: bool) -> None:
    counts = {"passed": 0, "failed": 0, "error": 0}
    for run in runs:
        click.echo(run.file.source)
        if run.error:
            click.echo(click.style("  ERROR ", fg="red", bold=True) + "the rule sets do not build:")
            click.echo("\n".join(f"    {line}" for line in run.error.splitlines()))
            counts["error"] += len(run.file.scenarios)
            continue
        for result in run.results:
            counts[result.outcome] += 1
            colour = {"passed": "green", "failed": "red", "error": "yellow"}[result.outcome]
            head, _, rest = result.headline().partition(" ")
            click.echo("  " + click.style(head, fg=colour, bold=True) + " " + rest.lstrip())
            if not result.passed:
                click.echo(result.diff().replace("\n", "\n  ").join(("  ", "")))
        if show_coverage and run.coverage is not None:
            click.echo("  " + run.coverage.text().replace("\n", "\n  "))
    total = sum(counts.values())
    summary = ", ".join(f"{n} {word}" for word, n in counts.items() if n or word == "passed")
    click.echo(f"{total} scenario{'s' if total != 1 else ''}: {summary}")


from ._lint import COMMANDS as _LINT  # noqa: E402

#: The commands of this module and of ``_lint`` (registered by ``cli/__init__``).
COMMANDS = (test, *_LINT)
