"""Each team's change since the previous period's final run: what a report shows beside a rank.

The previous period is the latest period before the current one, in text order ("2023" before
"2024", "2024-H1" before "2024-H2"), that has a final run; or the one named.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import attrs

from ..report import Report
from ..results import Assessment, Grade, GradeResult, Standing
from ._model import Run
from ._view import LedgerView, RunRef

__all__ = ["SincePrevious", "TeamSince", "changes_since_previous_final"]


@attrs.frozen(kw_only=True)
class TeamSince:
    """One team now, and in the previous period's final run (``None`` fields: it was not there).

    ``rank_change`` is places gained (positive is up); ``composite_change`` is now − then.
    ``dimension_grades_*`` are ``(dimension id, grade label)`` pairs.
    """

    team: str
    name: str
    new: bool
    rank_before: int | None
    rank_after: int | None
    composite_before: Decimal | None
    composite_after: Decimal
    grade_before: str | None
    grade_after: str | None
    dimension_grades_before: tuple[tuple[str, str], ...]
    dimension_grades_after: tuple[tuple[str, str], ...]
    titles_before: tuple[str, ...]
    titles_after: tuple[str, ...]

    @property
    def rank_change(self) -> int | None:
        """Places gained since then (``None`` when unranked on either side or new)."""
        if self.rank_before is None or self.rank_after is None:
            return None
        return self.rank_before - self.rank_after

    @property
    def composite_change(self) -> Decimal | None:
        """The composite's change since then (``None`` for a new team)."""
        return (
            None if self.composite_before is None else self.composite_after - self.composite_before
        )

    @property
    def titles_gained(self) -> tuple[str, ...]:
        """Titles held now and not then."""
        return tuple(t for t in self.titles_after if t not in self.titles_before)

    @property
    def titles_lost(self) -> tuple[str, ...]:
        """Titles held then and not now."""
        return tuple(t for t in self.titles_before if t not in self.titles_after)


@attrs.frozen(kw_only=True)
class SincePrevious:
    """Every team of the current report with its change since ``previous`` (a final run).

    ``previous`` is ``None`` when no earlier period has a final run; every team is then new.
    ``run`` is the current run's id (``None`` for a report not recorded).
    """

    period: str
    run: int | None
    previous: Run | None
    teams: tuple[TeamSince, ...]

    def __getitem__(self, team: str) -> TeamSince:
        for item in self.teams:
            if item.team == team:
                return item
        raise KeyError(team)

    def __iter__(self) -> Iterator[TeamSince]:
        return iter(self.teams)

    def __len__(self) -> int:
        return len(self.teams)


def _previous(ledger: LedgerView, period: str, named: str | None) -> Run | None:
    if named is not None:
        return ledger.final_run(named)
    finals = [r for r in ledger.runs(state="final") if r.period < period]
    if not finals:
        return None
    latest = max(r.period for r in finals)
    return [r for r in finals if r.period == latest][-1]


def _dimension_grades(standing: Standing) -> tuple[tuple[str, str], ...]:
    return tuple((d, g.label) for d, g in standing.dimension_grades if g.label is not None)


def _label(grade: Grade | None) -> str | None:
    return grade.label if grade is not None else None


def changes_since_previous_final(
    ledger: LedgerView, current: RunRef | Report, *, previous_period: str | None = None
) -> SincePrevious:
    """See :meth:`Ledger.changes_since_previous_final`."""
    if isinstance(current, Report):
        period, run_id, rows = current.period, None, current.rows()
    else:
        run = ledger.run(current)
        period, run_id = run.period, run.id
        report = ledger.report(run)
        rows = tuple(_standing(a) for a in report)
    previous = _previous(ledger, period, previous_period)
    before: dict[str, Standing] = {}
    if previous is not None:
        before = {a.team: _standing(a) for a in ledger.report(previous)}
    teams = []
    for row in rows:
        then = before.get(row.team)
        teams.append(
            TeamSince(
                team=row.team,
                name=row.name,
                new=then is None,
                rank_before=then.rank if then else None,
                rank_after=row.rank,
                composite_before=then.composite if then else None,
                composite_after=row.composite,
                grade_before=_label(then.grade) if then else None,
                grade_after=_label(row.grade),
                dimension_grades_before=_dimension_grades(then) if then else (),
                dimension_grades_after=_dimension_grades(row),
                titles_before=then.titles if then else (),
                titles_after=row.titles,
            )
        )
    return SincePrevious(period=period, run=run_id, previous=previous, teams=tuple(teams))


def _standing(assessment: Assessment) -> Standing:
    return Standing(
        team=assessment.team,
        name=assessment.name,
        department=assessment.department,
        rank=assessment.rank,
        composite=assessment.composite,
        grade=_grade(assessment.grade),
        dimension_ids=tuple(d.id for d in assessment.dimensions),
        scores=tuple(d.score for d in assessment.dimensions),
        grades=tuple(_grade(d.grade) for d in assessment.dimensions),
        titles=tuple(t.id for t in assessment.titles),
        vetoed=assessment.vetoed,
    )


def _grade(result: GradeResult | None) -> Grade | None:
    return None if result is None else Grade(result.scale, result.of, result.label)
