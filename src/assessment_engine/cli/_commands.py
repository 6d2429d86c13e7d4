"""The commands that assess: evaluate, explain, report; and template."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import click
from rich.console import Group

from .._base.hints import did_you_mean
from .._base.numbers import exact_text
from .._base.progress import ProgressCallback
from ..engine import Engine
from ..loading import converter_for, template_kinds, write_template
from ..render import csv as csv_format
from ..render import html as html_format
from ..render import json as json_format
from ..render import xlsx as xlsx_format
from ..report import Report
from ..serialize import assessment_to_data, dumps
from ..whatif import Change, Suggestion, find_scale, next_band, next_grade_changes
from . import _tables
from ._common import (
    build_engine,
    engine_inputs,
    engine_options,
    period_option,
    progress_option,
)
from ._errors import problem_options, remember_inputs
from ._inputs import fact_files
from ._lint_note import lint_note
from ._output import Output, output_options, safe, safe_json
from ._progress import progress_display
from ._report import NEXT_GRADE_MAX, next_grades, page_folder, since_previous
from ._scale import assessed, scale_of, scale_options

__all__ = ["COMMANDS", "find_team", "gloss_option"]

_FORMATS: Final = {".json": "json", ".csv": "csv", ".xlsx": "xlsx", ".txt": "table"}
_FACTS = click.argument("facts", nargs=-1, required=True, type=click.Path(path_type=str))


def _done(message: str) -> None:
    click.echo(safe(message, lines=True), err=True)


def _teams(count: int) -> str:
    return f"{count} team{'s' if count != 1 else ''}"


def _inputs(facts: Sequence[str], plugins: Sequence[str]) -> list[tuple[str, str]]:
    found = [("FACTS", f) for f in facts] + engine_inputs(plugins)
    remember_inputs(*found)
    return found


def _step_names(facts: Sequence[str], out: Output) -> dict[str, str]:
    files = ", ".join(facts) if len(facts) <= 2 else f"{len(facts)} files"
    return {
        "reading": f"reading {files}",
        "checking": "checking the facts",
        "assessing": "assessing",
        "writing": f"writing {out}",
    }


def gloss_option(func: Any) -> Any:
    """--gloss: the English glosses of the rubric's labels beside the Chinese (workbooks, HTML)."""
    return click.option(
        "--gloss/--no-gloss",
        default=False,
        show_default=True,
        help="Workbooks and the HTML report: labels and headers with their English gloss"
        " (党建 (party building)); by default the Chinese label alone (the HTML report shows"
        " the English on hover).",
    )(func)


def find_team(given: str, period: str, teams: Sequence[tuple[str, str]]) -> str:
    """The id of the team ``given`` names: its id, or its name (exactly, then ignoring case).

    :param teams: ``(id, name)`` of every team of ``period``.
    :raises click.BadParameter: for no such team (with a "did you mean"), or a name that
        several teams share (listing their ids).
    """
    ids = [team for team, _ in teams]
    if given in ids:
        return given
    named = [team for team, name in teams if name == given]
    if not named:
        folded = given.strip().casefold()
        named = [team for team, name in teams if name.strip().casefold() == folded]
    if len(named) == 1:
        return named[0]
    if named:
        raise click.BadParameter(
            safe(f"{given!r} is the name of {len(named)} teams ({', '.join(named)}): give its id"),
            param_hint="TEAM",
        )
    known = sorted(ids)
    names = sorted({name for _, name in teams})
    shown = ", ".join(known[:20]) + (" …" if len(known) > 20 else "")
    raise click.BadParameter(
        safe(
            f"no team {given!r} in period {period}{did_you_mean(given, [*known, *names])};"
            f" teams: {shown}"
        ),
        param_hint="TEAM",
    )


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
    help="table, json (the full report), csv (the ranking) or xlsx (the results workbook)."
    " Default: from --output's suffix, else table.",
)
@click.option(
    "--no-details",
    is_flag=True,
    help="json: the ranking and the points only, without explanations; xlsx: no 得分明细 sheet"
    " (a fraction of the time and size).",
)
@click.option(
    "--indent",
    type=click.IntRange(1, 8),
    default=None,
    help="json: indent by this many spaces for reading (default: compact, one line: the bytes"
    " of Report.to_json(), and written several times faster).",
)
@click.option(
    "--lint/--no-lint",
    "lint",
    default=None,
    help="Warn on standard error about facts the rule sets do not count (default: on up to"
    " 5,000 teams).",
)
@output_options()
@gloss_option
@progress_option
@scale_options
@problem_options
def evaluate(
    facts: tuple[str, ...],
    period: str | None,
    plugins: tuple[str, ...],
    no_entry_points: bool,
    block: tuple[str, ...],
    matcher: str | None,
    fmt: str | None,
    no_details: bool,
    indent: int | None,
    output: str | None,
    force: bool,
    gloss: bool,
    progress: bool | None,
    lint: bool | None,
    workers: int | None,
    scheduler: str | None,
    partition_by: str,
) -> None:
    """Assess every team in FACTS and show or write the ranking.

    FACTS are .json, .csv, .xlsx and .parquet files; '-' reads standard input.
    """
    out = Output(output, force=force, inputs=_inputs(facts, plugins))
    chosen = fmt or _FORMATS.get(out.suffix, "table")
    if chosen == "xlsx" and out.to_terminal:
        raise click.UsageError("--format xlsx writes a workbook: give -o FILE.xlsx")
    with (
        fact_files(facts) as files,
        progress_display(progress, _step_names(facts, out)) as tick,
        build_engine(plugins, no_entry_points, block, matcher) as engine,
    ):
        report, fact_set = assessed(
            engine,
            scale_of(workers, scheduler, partition_by),
            files,
            tick,
            period=period,
            details=chosen in ("json", "xlsx") and not no_details,  # the ranking lines need none
            plugins=plugins,
            no_entry_points=no_entry_points,
            block=block,
        )
        if fact_set is not None:  # the data lint reads the facts: with workers they stay there
            lint_note(engine, fact_set, report.period, len(report), asked=lint)
        _write_report(report, chosen, out, tick, gloss=gloss, details=not no_details, indent=indent)
    if not out.is_stdout:
        _done(f"wrote {out}: {_teams(len(report))}, period {report.period}")


def _write_report(
    report: Report,
    fmt: str,
    out: Output,
    tick: ProgressCallback | None,
    *,
    gloss: bool,
    details: bool = True,
    indent: int | None = None,
) -> None:
    if fmt == "xlsx":
        out.binary(
            lambda target: xlsx_format.render(
                report, target, progress=tick, gloss=gloss, details=details
            )
        )
    elif fmt == "table":
        out.render(_tables.ranking(report))
    elif fmt == "json":
        out.stream(
            lambda fh: json_format.write(report, fh, details=details, indent=indent, progress=tick),
            escape=safe_json,
        )
    else:
        out.text(csv_format.render(report, progress=tick), escape=safe)


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
@output_options()
@progress_option
@problem_options
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
    output: str | None,
    force: bool,
    progress: bool | None,
) -> None:
    """Explain TEAM's assessment line by line, and the smallest change to its next grade.

    TEAM is a team's id or its name (食品所理化室).
    """
    out = Output(output, force=force, inputs=_inputs(facts, plugins))
    with (
        fact_files(facts) as files,
        progress_display(progress, _step_names(facts, out)) as tick,
        build_engine(plugins, no_entry_points, block, matcher) as engine,
    ):
        fact_set = files.read(engine, tick)
        report = engine.assess(fact_set, period=period, progress=tick)
        team = find_team(team, report.period, [(r.team, r.name) for r in report.rows()])
        assessment = report[team]
        rubric = engine.rubric
        grade_scale = None
        if rubric.grade_scales:
            try:
                grade_scale = find_scale(rubric, scale)
            except ValueError as exc:
                raise click.BadParameter(safe(str(exc)), param_hint="--scale") from None
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
            out.text(dumps(data, indent=2), escape=safe_json)
            return
        parts: list[Any] = [_tables.explanation(assessment, rubric=rubric)]
        if grade_scale is not None:
            parts.append(
                _tables.next_grade(
                    assessment, rubric, grade_scale, suggestions, max_changes=max_changes
                )
            )
        out.render(Group(*parts))


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


# ----------------------------------------------------------------------------- report
@click.command()
@_FACTS
@period_option
@engine_options
@click.option("--title", default=None, help="The report's title (default: from the period).")
@output_options(required=False)
@click.option(
    "--html",
    "html_path",
    default=None,
    hidden=True,
    help="The earlier name of --output (kept so that existing scripts work).",
)
@gloss_option
@click.option(
    "--max-changes",
    type=click.IntRange(0, 5),
    default=2,
    show_default=True,
    help="Each team's next-grade suggestions in its drill-down: the most fact changes one may"
    f" make (0 skips the search; reports of more than {NEXT_GRADE_MAX} teams skip it).",
)
@click.option(
    "--ledger",
    "ledger_target",
    default=None,
    metavar="PATH|URL",
    help="Show each team's change since the previous period's final run in this ledger.",
)
@progress_option
@scale_options
@problem_options
def report(
    facts: tuple[str, ...],
    period: str | None,
    plugins: tuple[str, ...],
    no_entry_points: bool,
    block: tuple[str, ...],
    matcher: str | None,
    title: str | None,
    output: str | None,
    html_path: str | None,
    force: bool,
    gloss: bool,
    max_changes: int,
    ledger_target: str | None,
    progress: bool | None,
    workers: int | None,
    scheduler: str | None,
    partition_by: str,
) -> None:
    """Write the HTML report of the assessment of FACTS to -o FILE.html ('-': standard output)."""
    if output is not None and html_path is not None and output != html_path:
        raise click.UsageError("give the report's file once: -o FILE.html")
    target = output if output is not None else html_path
    if target is None:
        raise click.UsageError("the report needs -o FILE.html (or -o - for standard output)")
    inputs = _inputs(facts, plugins)
    if ledger_target is not None and "://" not in ledger_target:
        inputs.append(("--ledger", ledger_target))
    out = Output(target, force=force, inputs=inputs)
    steps = {**_step_names(facts, out), "suggesting": "next-grade suggestions"}
    with (
        fact_files(facts) as files,
        progress_display(progress, steps) as tick,
        build_engine(plugins, no_entry_points, block, matcher) as engine,
    ):
        result, fact_set = assessed(
            engine,
            scale_of(workers, scheduler, partition_by),
            files,
            tick,
            period=period,
            details=True,
            plugins=plugins,
            no_entry_points=no_entry_points,
            block=block,
        )
        if fact_set is None and max_changes > 0 and len(result) <= NEXT_GRADE_MAX:
            fact_set = files.read(engine, tick)  # a small report's search reads the facts here
        suggestions = (
            None
            if fact_set is None
            else next_grades(engine, fact_set, result, max_changes=max_changes, progress=tick)
        )
        since = since_previous(ledger_target, result) if ledger_target is not None else None
        options: dict[str, Any] = {
            "title": title,
            "gloss": gloss,
            "next_grade": suggestions,
            "since": since,
            "progress": tick,
        }
        if out.path is None or len(result) <= html_format.ONE_PAGE_MAX:
            out.stream(lambda fh: html_format.write(result, fh, **options))
        else:
            with page_folder(out.path, force=force) as (folder, href, back):
                pages = html_format.PageFolder(folder, href, back)
                out.stream(lambda fh: html_format.write(result, fh, pages=pages, **options))
    if not out.is_stdout:
        _done(f"wrote {out}: {_teams(len(result))}, period {result.period}")


# ----------------------------------------------------------------------------- template
@click.command()
@output_options(required=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["xlsx", "csv"]),
    default=None,
    help="xlsx (one sheet per kind) or csv (one file with a 'fact' column). Default: from"
    " --output's suffix; csv for standard output.",
)
@click.option(
    "--kinds",
    multiple=True,
    metavar="KIND[,KIND...]",
    help="Only these fact kinds (team is always included). Default: every kind the rule sets"
    " know, plugin kinds included.",
)
@gloss_option
@engine_options
def template(
    output: str,
    force: bool,
    fmt: str | None,
    kinds: tuple[str, ...],
    gloss: bool,
    plugins: tuple[str, ...],
    no_entry_points: bool,
    block: tuple[str, ...],
    matcher: str | None,
) -> None:
    """Write the spreadsheet template that data owners fill in (see docs/cli.md)."""
    out = Output(output, force=force, inputs=engine_inputs(plugins))
    chosen_format = fmt or {".xlsx": "xlsx", ".csv": "csv", "": "csv"}.get(out.suffix)
    if chosen_format is None:
        raise click.BadParameter("the template is a .xlsx or a .csv file", param_hint="--output")
    wanted = [k.strip() for item in kinds for k in item.split(",") if k.strip()] or None
    with build_engine(plugins, no_entry_points, block, matcher) as engine:
        fact_types = engine.rubric.fact_types
    try:
        chosen = template_kinds(fact_types, wanted)
    except ValueError as exc:
        raise click.BadParameter(safe(str(exc)), param_hint="--kinds") from None
    out.binary(
        lambda target: write_template(
            target,
            fact_types=fact_types,
            kinds=chosen,
            format=chosen_format,  # type: ignore[arg-type]
            gloss=gloss,
        )
    )
    if not out.is_stdout:
        _done(f"wrote {out}: {', '.join(chosen)}")


COMMANDS = (evaluate, explain, report, template)
