"""What the ``report`` command hands the HTML page, and the page files beside it.

Next-grade suggestions and the changes since the previous final run are computed here and
passed as plain data, with page files written into a folder that replaces the old one whole.

The page (room 8) never imports the what-if search (11) or the ledger (12): the command runs
them and passes their answers as plain data (:class:`~assessment_engine.render.html.NextGrade`,
the ledger's ``TeamSince``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

import click

from .._base.numbers import exact_text
from .._base.progress import ProgressCallback, ticker
from ..engine import Engine
from ..facts import field_specs
from ..factset import FactSet
from ..render.html import NextGrade, NextGradeOption, TeamChange
from ..report import Report
from ..rubric.plain import FIELD_WORDS, Names, names_of
from ..whatif import Change, find_scale, next_band, next_grade_changes
from ._output import safe

__all__ = ["NEXT_GRADE_MAX", "change_words", "next_grades", "page_folder", "since_previous"]

#: Reports with more teams get no next-grade suggestions (each team is one search).
NEXT_GRADE_MAX = 200


def _value(value: object) -> str:
    if value is None:
        return "未填"
    if isinstance(value, frozenset):
        return "、".join(sorted(value)) or "无"
    return exact_text(value) if not isinstance(value, str) else value  # type: ignore[arg-type]


def change_words(change: Change, names: Names) -> str:
    """One fact change in plain words: ``新增一项成果（tech_award，级别 national）``."""
    fact = change.fact
    kind = names.kind(fact.fact_kind)
    why = f"——为「{names.label(change.why.partition(':')[0])}」" if change.why else ""
    if change.action == "remove":
        return f"删除{kind} {getattr(fact, 'id', '')}{why}"
    fields = [
        f
        for f, spec in field_specs(type(fact)).items()
        if spec.init and f not in ("team", "period", "id")
    ]
    if change.action == "edit" and change.before is not None:
        diffs = [
            f"{FIELD_WORDS.get(f, f)} {_value(getattr(change.before, f))} →"
            f" {_value(getattr(fact, f))}"
            for f in fields
            if getattr(change.before, f) != getattr(fact, f)
        ]
        return f"修改{kind} {getattr(fact, 'id', '')}：{'，'.join(diffs)}{why}"
    given = [
        f"{FIELD_WORDS.get(f, f)} {_value(getattr(fact, f))}"
        for f in fields
        if getattr(fact, f) not in (None, "", frozenset())
    ]
    return f"新增一项{kind}（{'，'.join(given)}）{why}"


def next_grades(
    engine: Engine,
    facts: FactSet,
    report: Report,
    *,
    max_changes: int,
    progress: ProgressCallback | None,
) -> dict[str, NextGrade] | None:
    """Each team's next grade on the composite scale and the smallest changes that reach it.

    ``None`` when the rubric has no grade scale, ``max_changes`` is 0, or the report has more
    than :data:`NEXT_GRADE_MAX` teams.
    """
    rubric = engine.rubric
    if not rubric.grade_scales or max_changes <= 0 or len(report) > NEXT_GRADE_MAX:
        return None
    try:
        scale = find_scale(rubric, None)
    except ValueError:
        return None
    names = names_of(rubric)
    found: dict[str, NextGrade] = {}
    tick = ticker(progress, "suggesting", len(report))
    for row in report.rows():
        grade = row.grade.label if scale.of is None and row.grade else None
        if scale.of is not None:
            grade = next((g.label for d, g in row.dimension_grades if d == scale.of), None)
        band = next_band(scale, grade or "")
        short = None
        options: tuple[NextGradeOption, ...] = ()
        if band is not None:
            score = row.composite if scale.of is None else dict(row.dimension_scores)[scale.of]
            if band.at_least is not None and grade != scale.veto_label and band.at_least > score:
                short = band.at_least - score
            suggestions = next_grade_changes(
                engine,
                facts,
                row.team,
                period=report.period,
                scale=scale.id,
                max_changes=max_changes,
            )
            options = tuple(
                NextGradeOption(
                    grade_after=s.grade_after or "无等级 (no grade)",
                    score_before=s.score_before,
                    score_after=s.score_after,
                    changes=tuple(change_words(c, names) for c in s.changes),
                )
                for s in suggestions
            )
        found[row.team] = NextGrade(
            scale=scale.label,
            grade=grade,
            next=band.label if band is not None else None,
            short=short,
            options=options,
            searched=max_changes,
        )
        tick.advance()
    tick.finish()
    return found


def since_previous(target: str, report: Report) -> Mapping[str, TeamChange]:
    """Each team's change since the previous period's final run in the ledger at ``target``."""
    from ..errors import LedgerError
    from ..ledger import Ledger

    try:
        with Ledger.open(target) as ledger:
            changes = ledger.changes_since_previous_final(report)
    except LedgerError as exc:
        raise click.UsageError(safe(f"--ledger {target}: {exc}")) from None
    return {item.team: item for item in changes}


@contextlib.contextmanager
def page_folder(index: Path, *, force: bool) -> Iterator[tuple[Path, str, str]]:
    """A temporary folder for the page files of ``index``, moved to ``STEM_files`` on success.

    Yields the temporary folder, the address of the final folder from the page and the page's
    address from a page file. An existing folder is replaced only with ``force``; on an error
    the temporary folder is removed and the old one kept.
    """
    final = index.with_name(f"{index.stem}_files")
    if final.exists() and not force:
        raise click.UsageError(
            safe(
                f"{final} already exists (the page files of an earlier report); --force replaces it"
            )
        )
    temporary = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=index.parent or "."))
    try:
        yield temporary, final.name, f"../{index.name}"
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    old = None
    if final.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{final.name}.old.", dir=index.parent or "."))
        os.replace(final, old / final.name)
    os.replace(temporary, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
