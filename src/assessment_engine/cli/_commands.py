"""The commands: evaluate, explain, plugins, check, report, template."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from .._base.hints import did_you_mean
from .._base.numbers import exact_text
from ..engine import Engine
from ..kit import check_rubric
from ..loading import converter_for, template_kinds, write_template
from ..render import csv as csv_format
from ..render import html as html_format
from ..render import xlsx as xlsx_format
from ..report import Report
from ..serialize import assessment_to_data, dumps
from ..whatif import Change, Suggestion, find_scale, next_band, next_grade_changes
from . import _tables
from ._common import (
    Steps,
    build_engine,
    engine_options,
    input_size,
    period_option,
    print_to,
    read_facts,
    show_progress,
    team_count,
    write_text,
)

__all__ = ["COMMANDS"]

_FORMATS = {".json": "json", ".csv": "csv", ".xlsx": "xlsx", ".txt": "table"}
_FACTS = click.argument("facts", nargs=-1, required=True, type=click.Path(path_type=str))


def _done(message: str) -> None:
    click.echo(message, err=True)


def _teams(count: int) -> str:
    return f"{count} team{'s' if count != 1 else ''}"


# ----------------------------------------------------------------------------- evaluate
@click.command()
@_FACTS
@period_option
@engine_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv", "xlsx"]),
    default=None,
    help="table, json (the full report), csv (the ranking) or xlsx (ranking + one sheet per"
    " dimension). Default: from --output's suffix, else table.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file instead of standard output (needed for xlsx).",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show progress on standard error (default: on a terminal, for 100 teams or more,"
    " or 1 MB of fact files or more).",
)
def evaluate(
    facts: tuple[str, ...],
    period: str | None,
    plugins: tuple[str, ...],
    no_entry_points: bool,
    block: tuple[str, ...],
    matcher: str | None,
    fmt: str | None,
    output: Path | None,
    progress: bool | None,
) -> None:
    """Assess every team in FACTS (.json, .csv, .xlsx files) and show or write the ranking."""
    chosen = fmt or (_FORMATS.get(output.suffix.lower(), "table") if output else "table")
    if chosen == "xlsx" and output is None:
        raise click.UsageError("--format xlsx needs --output FILE.xlsx")
    with build_engine(plugins, no_entry_points, block, matcher) as engine:
        loading = Steps(show_progress(progress, teams=0, size=input_size(facts)))
        with loading.running():
            loading.task(f"reading {len(facts)} file{'s' if len(facts) != 1 else ''}")
            fact_set = read_facts(engine, facts)
        steps = Steps(show_progress(progress, teams=team_count(fact_set, period)))
        with steps.running():
            task = steps.task(f"assessing {team_count(fact_set, period)} teams")
            report = engine.assess(fact_set, period=period)
            steps.done(task)
            _write_report(report, chosen, output, steps)


def _write_report(report: Report, fmt: str, output: Path | None, steps: Steps) -> None:
    if fmt == "xlsx":
        assert output is not None
        task = steps.task("writing the workbook", total=len(report))
        xlsx_format.render(report, output, advance=steps.advancer(task))
        _done(f"wrote {output}: {_teams(len(report))}, period {report.period}")
        return
    if fmt == "table":
        print_to(output, _tables.ranking(report))
    else:
        text = report.to_json(indent=2) if fmt == "json" else csv_format.render(report)
        if output is None:
            click.echo(text, nl=False)
        else:
            write_text(output, text)
    if output is not None:
        _done(f"wrote {output}: {_teams(len(report))}, period {report.period}")


# ----------------------------------------------------------------------------- explain
@click.command()
@click.argument("team")
@_FACTS
@period_option
@engine_options
@click.option(
    "--scale",
    default=None,
    help="The grade scale for the next-grade search: a scale id, a dimension id or"
    " 'composite' (default: the composite scale).",
)
@click.option(
    "--max-changes",
    type=click.IntRange(0, 5),
    default=3,
    show_default=True,
    help="The most fact changes a next-grade suggestion may make; 0 skips the search.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text (rich tables) or json (the assessment and the suggestions as data).",
)
def explain(
    team: str,
    facts: tuple[str, ...],
    period: str | None,
    plugins: tuple[str, ...],
    no_entry_points: bool,
    block: tuple[str, ...],
    matcher: str | None,
    scale: str | None,
    max_changes: int,
    fmt: str,
) -> None:
    """Explain TEAM's assessment line by line, and the smallest change to its next grade."""
    with build_engine(plugins, no_entry_points, block, matcher) as engine:
        fact_set = read_facts(engine, facts)
        report = engine.assess(fact_set, period=period)
        if team not in report:
            known = sorted(report.teams)
            shown = ", ".join(known[:20]) + (" …" if len(known) > 20 else "")
            raise click.BadParameter(
                f"no team {team!r} in period {report.period}{did_you_mean(team, known)};"
                f" teams: {shown}",
                param_hint="TEAM",
            )
        assessment = report[team]
        rubric = engine.rubric
        grade_scale = None
        if rubric.grade_scales:
            try:
                grade_scale = find_scale(rubric, scale)
            except ValueError as exc:
                raise click.BadParameter(str(exc), param_hint="--scale") from None
        suggestions: tuple[Suggestion, ...] = ()
        if grade_scale is not None and max_changes > 0:
            suggestions = next_grade_changes(
                engine,
                fact_set,
                team,
                period=report.period,
                scale=grade_scale.id,
                max_changes=max_changes,
            )
        if fmt == "json":
            data = {
                "assessment": assessment_to_data(assessment),
                "next_grade": _next_grade_data(engine, assessment, grade_scale, suggestions),
            }
            click.echo(dumps(data, indent=2), nl=False)
            return
        parts: list[Any] = [_tables.explanation(assessment, rubric=rubric)]
        if grade_scale is not None:
            parts.append(
                _tables.next_grade(
                    assessment, rubric, grade_scale, suggestions, max_changes=max_changes
                )
            )
        from rich.console import Group

        print_to(None, Group(*parts))


def _next_grade_data(
    engine: Engine, assessment: Any, scale: Any, suggestions: Sequence[Suggestion]
) -> dict[str, Any] | None:
    if scale is None:
        return None
    converter, _ = converter_for(engine.rubric.fact_types)
    label = (
        assessment.grade.label
        if scale.of is None and assessment.grade
        else next(
            (d.grade.label for d in assessment.dimensions if d.id == scale.of and d.grade), ""
        )
    )
    band = next_band(scale, label)

    def change(c: Change) -> dict[str, Any]:
        return {
            "action": c.action,
            "fact": converter.unstructure(c.fact),
            "before": converter.unstructure(c.before) if c.before is not None else None,
            "why": c.why,
            "text": c.describe(),
        }

    return {
        "scale": scale.id,
        "grade": label,
        "next": band.label if band is not None else None,
        "suggestions": [
            {
                "size": s.size,
                "grade_after": s.grade_after,
                "score_before": exact_text(s.score_before),
                "score_after": exact_text(s.score_after),
                "changes": [change(c) for c in s.changes],
            }
            for s in suggestions
        ],
    }


# ----------------------------------------------------------------------------- plugins
@click.command()
@engine_options
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def plugins(
    plugins: tuple[str, ...],
    no_entry_points: bool,
    block: tuple[str, ...],
    matcher: str | None,
    fmt: str,
) -> None:
    """List the plugins: source, version, the indicators and fact kinds they register, hooks."""
    with build_engine(plugins, no_entry_points, block, matcher) as engine:
        rubric = engine.rubric
        if fmt == "json":
            data = [
                {
                    "name": info.name,
                    "source": info.source,
                    "distribution": info.distribution,
                    "version": info.version,
                    "hooks": list(info.hooks),
                    "indicators": _tables.plugin_indicators(rubric, info.name),
                    "fact_kinds": _tables.plugin_fact_kinds(rubric, info.name),
                    "objects": sorted(
                        key for key, owner in rubric.provenance.items() if owner == info.name
                    ),
                }
                for info in engine.plugins
            ]
            click.echo(json.dumps(data, ensure_ascii=False, indent=2))
            return
        print_to(None, _tables.plugins_table(engine.plugins, rubric))


# ----------------------------------------------------------------------------- check
@click.command()
@engine_options
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def check(
    plugins: tuple[str, ...],
    no_entry_points: bool,
    block: tuple[str, ...],
    matcher: str | None,
    fmt: str,
) -> None:
    """Run the rubric consistency checks; exit 1 when one finds an error."""
    with build_engine(plugins, no_entry_points, block, matcher) as engine:
        found = check_rubric(engine.rubric)
    if fmt == "json":
        data = [
            {"severity": f.severity, "subject": f.subject, "check": f.check, "message": f.message}
            for f in found
        ]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print_to(None, _tables.findings(found))
    if any(f.severity == "error" for f in found):
        raise click.exceptions.Exit(1)


# ----------------------------------------------------------------------------- report
@click.command()
@click.option(
    "--html",
    "html_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The HTML file to write (one self-contained document).",
)
@_FACTS
@period_option
@engine_options
@click.option("--title", default=None, help="The report's title (default: from the period).")
def report(
    html_path: Path,
    facts: tuple[str, ...],
    period: str | None,
    plugins: tuple[str, ...],
    no_entry_points: bool,
    block: tuple[str, ...],
    matcher: str | None,
    title: str | None,
) -> None:
    """Write the HTML report of the assessment of FACTS."""
    with build_engine(plugins, no_entry_points, block, matcher) as engine:
        fact_set = read_facts(engine, facts)
        result = engine.assess(fact_set, period=period)
        html = html_format.render(result, title=title)
    write_text(html_path, html)
    _done(f"wrote {html_path}: {_teams(len(result))}, period {result.period}")


# ----------------------------------------------------------------------------- template
@click.command()
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="facts.xlsx (one sheet per kind) or facts.csv (one file with a 'fact' column).",
)
@click.option(
    "--kinds",
    multiple=True,
    metavar="KIND[,KIND...]",
    help="Only these fact kinds (team is always included). Default: every kind the rule sets"
    " know, plugin kinds included.",
)
@engine_options
def template(
    output: Path,
    kinds: tuple[str, ...],
    plugins: tuple[str, ...],
    no_entry_points: bool,
    block: tuple[str, ...],
    matcher: str | None,
) -> None:
    """Write the spreadsheet template that data owners fill in (see docs/cli.md)."""
    if output.suffix.lower() not in (".xlsx", ".csv"):
        raise click.BadParameter("the template is a .xlsx or a .csv file", param_hint="--output")
    wanted = [k.strip() for item in kinds for k in item.split(",") if k.strip()] or None
    with build_engine(plugins, no_entry_points, block, matcher) as engine:
        fact_types = engine.rubric.fact_types
    try:
        chosen = template_kinds(fact_types, wanted)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--kinds") from None
    write_template(output, fact_types=fact_types, kinds=chosen)
    _done(f"wrote {output}: {', '.join(chosen)}")


COMMANDS = (evaluate, explain, plugins, check, report, template)
