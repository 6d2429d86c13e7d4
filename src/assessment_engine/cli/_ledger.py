"""``assessment-engine ledger ...``: the assessment ledger on the command line.

Record, list, show, compare, reproduce, correct, appeal, publish and finalize runs
(``docs/ledger.md``).

Every command takes ``--ledger PATH|URL`` (or ``ASSESSMENT_ENGINE_LEDGER``); writing commands
take ``--author`` (default ``ASSESSMENT_ENGINE_AUTHOR``, else the login name). Exit codes as
for every command: 1 a step refused (a draft finalized, an open appeal) or a run that does not
reproduce, 2 an unknown run or appeal, 3 a ledger file that is corrupt or foreign (or fact
files that are), 4 the rule sets.
"""

from __future__ import annotations

import datetime
import getpass
import json
import os
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

import attrs
import click
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..ledger import (
    APPEAL_OUTCOMES,
    Ledger,
    LedgerError,
    LedgerFileError,
    Run,
    SourceFile,
    UnknownRecordError,
)
from . import _tables
from ._commands import find_team
from ._common import build_engine, engine_inputs, engine_options
from ._errors import problem_options, remember_inputs
from ._inputs import STDIN_NAME, FactFiles, fact_files
from ._output import STDIO, Output, output_options, safe, safe_json
from ._scale import assess as assess_scaled
from ._scale import scale_of, scale_options

__all__ = ["COMMANDS", "ledger"]

F = TypeVar("F", bound=Callable[..., Any])
LEDGER_ENV = "ASSESSMENT_ENGINE_LEDGER"
AUTHOR_ENV = "ASSESSMENT_ENGINE_AUTHOR"


def _exit_code(exc: LedgerError) -> int:
    if isinstance(exc, UnknownRecordError):
        return 2
    if isinstance(exc, LedgerFileError):
        return 3
    return 1


class _LedgerGroup(click.Group):
    """The ledger's commands: its errors become one message and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LedgerError as exc:
            parent = ctx.find_root()
            if parent.params.get("traceback"):
                raise
            message = safe(str(exc), lines=True)
            click.echo(click.style("error: ", fg="red", bold=True) + message, err=True)
            ctx.exit(_exit_code(exc))


def _ledger_option(func: F) -> F:
    return click.option(
        "--ledger",
        "target",
        required=True,
        envvar=LEDGER_ENV,
        metavar="PATH|URL",
        help="The ledger: a SQLite file (created by `record`) or postgresql://user@host/db."
        f" Default: ${LEDGER_ENV}.",
    )(func)


def _author_option(func: F) -> F:
    return click.option(
        "--author",
        default=lambda: os.environ.get(AUTHOR_ENV) or getpass.getuser(),
        show_default=f"${AUTHOR_ENV} or the login name",
        help="Who does this (recorded with it).",
    )(func)


def _format_option(*choices: str) -> Callable[[F], F]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=choices[0],
        show_default=True,
    )


def _open(target: str, *, create: bool = False) -> Ledger:
    return Ledger.open(target, create=create)


def _plain(value: Any) -> Any:
    """JSON-ready data for the ledger's attrs objects (exact numbers as text)."""
    if attrs.has(type(value)):
        return {f.name: _plain(getattr(value, f.name)) for f in attrs.fields(type(value))}
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _echo(message: str) -> None:
    """A line for a person: the ledger's data in it (authors, notes) escaped."""
    click.echo(safe(message, lines=True))


def _json(out: Output, data: Any) -> None:
    out.text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", escape=safe_json)


def _ledger_inputs(target: str) -> list[tuple[str, str]]:
    """The ledger's file (a SQLite path), which no output may overwrite."""
    found = [] if "://" in target else [("--ledger", target)]
    remember_inputs(*found)
    return found


def _sources(files: FactFiles) -> list[str | SourceFile]:
    """The submission's files as given; standard input as ``<stdin>`` with its hash."""
    sources: list[str | SourceFile] = []
    for given in files.given:
        if given == STDIO and files.stdin is not None and files.stdin_sha256 is not None:
            sources.append(
                SourceFile(path=STDIN_NAME, sha256=files.stdin_sha256, size=len(files.stdin))
            )
        else:
            sources.append(given)
    return sources


def _run_line(run: Run) -> str:
    return (
        f"run {run.id}: period {run.period}, {run.teams} teams, {run.state},"
        f" rubric {run.rubric_hash[:12]}, facts of submission {run.submission}"
    )


@click.group(cls=_LedgerGroup)
def ledger() -> None:
    """Keep every run: record, compare, reproduce, correct, appeal, publish (docs/ledger.md).

    Commands: record, history, show, diff, reproduce, correct, appeal, decide, publish,
    finalize, verify.
    """


# ----------------------------------------------------------------------------- record
@ledger.command()
@click.argument("facts", nargs=-1, required=True, type=click.Path(path_type=str))
@_ledger_option
@click.option("--period", default=None, help="Record only this period (default: each one).")
@_author_option
@click.option("--note", default="", help="A note kept with the submission and the runs.")
@engine_options
@scale_options
@problem_options
def record(
    facts: tuple[str, ...],
    target: str,
    period: str | None,
    author: str,
    note: str,
    plugins: tuple[str, ...],
    no_entry_points: bool,
    block: tuple[str, ...],
    matcher: str | None,
    workers: int | None,
    scheduler: str | None,
    partition_by: str,
) -> None:
    """Submit FACTS (hashed, as they are on disk) and record one draft run per period.

    '-' reads the facts from standard input (recorded as <stdin>, with its hash). With
    --workers or --scheduler, each period is assessed in partitions (docs/scale.md); the facts
    are still read here, to be stored.
    """
    scale = scale_of(workers, scheduler, partition_by)
    remember_inputs(*(("FACTS", f) for f in facts), *engine_inputs(plugins))
    with (
        fact_files(facts) as files,
        build_engine(plugins, no_entry_points, block, matcher) as engine,
    ):
        fact_set = files.read(engine)
        with _open(target, create=True) as book:
            submission = book.submit(fact_set, author=author, sources=_sources(files), note=note)
            for each in [period] if period else list(fact_set.periods):
                ready = None
                if scale.enabled:
                    ready = assess_scaled(
                        engine,
                        scale,
                        files.paths,
                        period=each,
                        details=True,
                        plugins=plugins,
                        no_entry_points=no_entry_points,
                        block=block,
                    )
                run = book.record(
                    engine, submission, author=author, period=each, note=note, report=ready
                )
                _echo(f"recorded {_run_line(run)}")


# ----------------------------------------------------------------------------- history
@ledger.command()
@_ledger_option
@click.option("--period", default=None, help="Only this period's runs.")
@click.option("--team", default=None, help="One team's result in every run.")
@_format_option("table", "json")
@output_options()
def history(
    target: str, period: str | None, team: str | None, fmt: str, output: str | None, force: bool
) -> None:
    """List the runs (newest last), or one team's results across them."""
    out = Output(output, force=force, inputs=_ledger_inputs(target))
    with _open(target) as book:
        runs = book.runs(period=period)
        if team is not None:
            by_run = {row.run: row for row in book.team_history(team)}
            rows = [(run, by_run[run.id]) for run in runs if run.id in by_run]
            if not rows:
                raise UnknownRecordError("team", repr(team), "no run has it")
            if fmt == "json":
                _json(out, [{"run": _plain(r), "result": _plain(row)} for r, row in rows])
                return
            table = Table("run", "period", "state", "rank", "composite", "grade", "titles")
            for run, row in rows:
                _tables.row(
                    table,
                    str(run.id),
                    run.period,
                    run.state,
                    "—" if row.rank is None else str(row.rank),
                    format(row.composite.normalize(), "f"),
                    row.grade or "",
                    " ".join(row.titles),
                )
            out.render(table)
            return
        if fmt == "json":
            _json(out, [_plain(r) for r in runs])
            return
        table = Table("run", "period", "state", "recorded", "author", "teams", "rubric", "facts")
        for run in runs:
            origin = f" (re-run of {run.parent})" if run.parent else ""
            _tables.row(
                table,
                str(run.id),
                run.period,
                run.state,
                run.recorded_at[:16].replace("T", " "),
                run.author,
                str(run.teams),
                run.rubric_hash[:12],
                f"{run.submission}{origin}",
            )
        out.render(table)


# ----------------------------------------------------------------------------- show
@ledger.command()
@click.argument("run")
@_ledger_option
@click.option("--team", default=None, help="Explain one team's result (its id or its name).")
@_format_option("table", "json")
@output_options()
def show(
    run: str, target: str, team: str | None, fmt: str, output: str | None, force: bool
) -> None:
    """Show RUN (a number, latest, PERIOD/final ...): its ranking, states and appeals.

    --format json prints the stored report exactly as the engine wrote it.
    """
    out = Output(output, force=force, inputs=_ledger_inputs(target))
    with _open(target) as book:
        found = book.run(run)
        report = book.report(found)
        if team is not None:
            try:
                team = find_team(team, report.period, [(a.team, a.name) for a in report])
            except click.BadParameter:
                raise UnknownRecordError(
                    "team", repr(team), f"run {found.id} has no such team"
                ) from None
            if fmt == "json":
                _json(out, report.to_data()["teams"][report.teams.index(team)])
                return
            out.render(_tables.explanation(report[team]))
            return
        if fmt == "json":
            out.text(report.to_json(), escape=safe_json)
            return
        table = Table("rank", "team", "name", "composite", "grade", "titles")
        for row in book.results(found):
            _tables.row(
                table,
                "—" if row.rank is None else str(row.rank),
                row.team,
                row.name,
                format(row.composite.normalize(), "f"),
                row.grade or "",
                " ".join(row.titles),
            )
        lines: list[str] = []
        for change in book.states(found):
            until = f" until {change.until.isoformat()}" if change.until else ""
            note = f": {change.note}" if change.note else ""
            lines.append(f"  {change.recorded_at} {change.state}{until} by {change.author}{note}")
        for appeal in book.appeals(run=found):
            decided = (
                f" → {appeal.decision.outcome} ({appeal.decision.reason})"
                if appeal.decision
                else " (open)"
            )
            lines.append(f"  appeal {appeal.id} by {appeal.team}: {appeal.claim}{decided}")
        parts: list[RenderableType] = [Text(safe(_run_line(found))), table]
        if lines:
            parts.append(Text(safe("\n".join(lines), lines=True)))
        out.render(Group(*parts))


# ----------------------------------------------------------------------------- diff
@ledger.command()
@click.argument("run_a")
@click.argument("run_b")
@_ledger_option
@click.option("--team", default=None, help="Only this team's changes.")
@_format_option("text", "json")
@output_options()
def diff(
    run_a: str,
    run_b: str,
    target: str,
    team: str | None,
    fmt: str,
    output: str | None,
    force: bool,
) -> None:
    """Compare RUN_A with RUN_B: each team's moves and their causes, and stability.

    Each change is attributed to the facts, the rubric or both; the stability of the scores
    (PSI) and of the ranks follows.
    """
    out = Output(output, force=force, inputs=_ledger_inputs(target))
    with _open(target) as book:
        result = book.diff(run_a, run_b)
    if team is not None:
        try:
            change = result[team]
        except KeyError:
            raise UnknownRecordError("team", repr(team), "in neither run") from None
        if fmt == "json":
            _json(out, _plain(change))
        else:
            out.text(safe(change.explain(), lines=True) + "\n")
        return
    if fmt == "json":
        _json(out, _plain(result))
    else:
        out.text(safe(result.text(), lines=True) + "\n")


# ----------------------------------------------------------------------------- reproduce
@ledger.command()
@click.argument("run")
@_ledger_option
@click.option(
    "--installed",
    is_flag=True,
    help="Reproduce with the installed plugins (the engine options) instead of the run's own"
    " stored rubric.",
)
@engine_options
def reproduce(
    run: str,
    target: str,
    installed: bool,
    plugins: tuple[str, ...],
    no_entry_points: bool,
    block: tuple[str, ...],
    matcher: str | None,
) -> None:
    """Assess RUN's stored facts again: exit 0 if byte-identical, else say what differs (1).

    By default under RUN's own rubric, rebuilt from the ledger; --installed uses the installed
    plugins (and the engine options).
    """
    with _open(target) as book:
        if installed:
            with build_engine(plugins, no_entry_points, block, matcher) as engine:
                result = book.reproduce(run, engine=engine)
        else:
            result = book.reproduce(run)
    _echo(result.text())
    if not result.identical:
        raise click.exceptions.Exit(1)


# ----------------------------------------------------------------------------- correct
@ledger.command()
@click.argument("run")
@click.argument("facts", nargs=-1, type=click.Path(path_type=str))
@_ledger_option
@click.option("--reason", required=True, help="Why (kept with the correction).")
@click.option(
    "--retract",
    multiple=True,
    metavar="KIND/TEAM/ID",
    help="Remove this fact (team/TEAM for a team record). Repeatable.",
)
@click.option(
    "--rerun/--no-rerun",
    default=True,
    show_default=True,
    help="Re-assess RUN's period with the corrected facts under RUN's own rubric.",
)
@_author_option
@problem_options
def correct(
    run: str,
    facts: tuple[str, ...],
    target: str,
    reason: str,
    retract: tuple[str, ...],
    rerun: bool,
    author: str,
) -> None:
    """Correct the facts RUN assessed, and re-run it.

    Records in FACTS (.json, .csv or .xlsx files, read as for `evaluate`; they need not repeat
    the team records) replace those with the same kind, team, period and id (or are added);
    --retract removes one. Nothing is overwritten: the corrected facts are a new submission.
    """
    if not facts and not retract:
        raise click.UsageError("give corrected FACTS files, --retract, or both")
    remember_inputs(*(("FACTS", f) for f in facts))
    with _open(target) as book, fact_files(facts) as files:
        found = book.run(run)
        new = files.records(book.fact_types(found)) if facts else ()
        correction = book.correct(found, new, retract=retract, reason=reason, author=author)
        named = [str(k) for k in correction.superseded + correction.added]
        _echo(
            f"correction {correction.id}: submission {correction.submission} supersedes"
            f" submission {correction.base} in {len(named)} fact(s): {', '.join(named)}"
        )
        if rerun:
            again = book.rerun(found, correction=correction, author=author, note=reason)
            _echo(f"recorded {_run_line(again)} (re-run of run {found.id})")


# ----------------------------------------------------------------------------- appeals
@ledger.command()
@click.argument("run")
@_ledger_option
@click.option("--team", required=True, help="The team that appeals.")
@click.option("--claim", required=True, help="What the team claims.")
@_author_option
def appeal(run: str, target: str, team: str, claim: str, author: str) -> None:
    """Lodge TEAM's appeal against RUN during its publicity period."""
    with _open(target) as book:
        lodged = book.appeal(run, team=team, claim=claim, author=author)
    _echo(f"appeal {lodged.id}: {lodged.team} against run {lodged.run} (open)")


@ledger.command()
@click.argument("appeal_id", type=int, metavar="APPEAL")
@_ledger_option
@click.option("--outcome", required=True, type=click.Choice(APPEAL_OUTCOMES))
@click.option("--reason", required=True, help="Why (kept with the decision).")
@click.option("--settled-by", default=None, metavar="RUN", help="The re-run that settles it.")
@_author_option
def decide(
    appeal_id: int, target: str, outcome: str, reason: str, settled_by: str | None, author: str
) -> None:
    """Decide APPEAL: upheld (settled by a re-run) or rejected."""
    with _open(target) as book:
        decided = book.decide(
            appeal_id,
            outcome=outcome,  # type: ignore[arg-type]
            reason=reason,
            author=author,
            settled_by=settled_by,
        )
    assert decided.decision is not None
    by = f", settled by run {decided.decision.settled_by}" if decided.decision.settled_by else ""
    _echo(f"appeal {decided.id}: {decided.decision.outcome}{by}")


# ----------------------------------------------------------------------------- workflow
@ledger.command()
@click.argument("run")
@_ledger_option
@click.option(
    "--until",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The last day of the publicity period (公示), YYYY-MM-DD.",
)
@click.option("--note", default="")
@_author_option
def publish(run: str, target: str, until: datetime.datetime | None, note: str, author: str) -> None:
    """Publish draft RUN for its publicity period (公示)."""
    with _open(target) as book:
        change = book.publish(run, author=author, until=until.date() if until else None, note=note)
        _echo(_run_line(book.run(change.run)))


@ledger.command()
@click.argument("run")
@_ledger_option
@click.option("--early", is_flag=True, help="Before the publicity period ends (say why in --note).")
@click.option("--note", default="")
@_author_option
def finalize(run: str, target: str, early: bool, note: str, author: str) -> None:
    """Make published RUN final (refused while an appeal against it is open)."""
    with _open(target) as book:
        change = book.finalize(run, author=author, early=early, note=note)
        _echo(_run_line(book.run(change.run)))


@ledger.command()
@_ledger_option
def verify(target: str) -> None:
    """Check every stored hash and row; exit 1 listing any problem."""
    with _open(target) as book:
        problems = book.verify()
        count = len(book.runs())
    for problem in problems:
        _echo(f"problem: {problem}")
    if problems:
        raise click.exceptions.Exit(1)
    _echo(f"{target}: {count} runs, every hash and row intact")


#: The ledger group.
COMMANDS = (ledger,)
