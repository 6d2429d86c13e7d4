"""Comparing two recorded runs: per team, what moved, and whether the facts or the rubric moved it.

Attribution assesses run A's facts under run B's rubric (the *bridge*). For every value (a rank,
a composite, a grade, the titles, a dimension's score, an indicator's or an adjustment's points)
with A's value ``a``, the bridge's ``x`` and B's ``b``: ``a → x`` is the rubric's doing and
``x → b`` the facts'. The cause is ``rubric``, ``facts``, ``both`` (each moved it, possibly
cancelling), or ``none``. When both runs share a rubric the bridge is A itself (every change is
the facts'); when they assessed the same facts it is B (every change is the rubric's).

Rank moves are explained exactly: a team's rank is one more than the number of teams ranked
above it, so its change is the teams that moved ahead of it (``overtaken_by``) plus those newly
ranked above it (``entered_above``), less the teams it moved ahead of (``overtook``) and those
above it that are no longer ranked (``left_above``: vetoed, or gone).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Literal, Protocol

import attrs

from ..engine import Engine
from ..errors import AssessmentError, LedgerStateError
from ..factset import FactSet
from ..results import Assessment, FactRef
from ._facts import facts_from_text
from ._model import Run
from ._reproduce import plugin_changes
from ._rubrics import RubricChange, compare_rubrics
from ._stability import Stability, stability
from ._view import LedgerView

__all__ = ["Cause", "DimensionChange", "ItemChange", "RunDiff", "TeamChange", "cause_of"]

Cause = Literal["facts", "rubric", "both", "none", "unattributed"]
ZERO = Decimal(0)


class _Reports(Protocol):
    """What the diff reads of a report: a stored one or one just computed."""

    @property
    def teams(self) -> tuple[str, ...]: ...

    def __contains__(self, team: object) -> bool: ...

    def __getitem__(self, team: str) -> Assessment: ...


def cause_of(before: object, bridged: object, after: object, *, bridge: bool = True) -> Cause:
    """The cause of a change from ``before`` to ``after`` given the bridged value."""
    if not bridge:
        return "none" if before == after else "unattributed"
    by_rubric, by_facts = before != bridged, bridged != after
    if by_rubric and by_facts:
        return "both"
    if by_rubric:
        return "rubric"
    return "facts" if by_facts else "none"


def _num(value: Decimal | None) -> str:
    if value is None:
        return "—"
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _signed(value: Decimal) -> str:
    return ("+" if value > 0 else "") + _num(value)


@attrs.frozen(kw_only=True)
class ItemChange:
    """One indicator's or adjustment's points for one team: before, bridged, after, and why.

    Adjustments are signed (a penalty's points are negative). ``None``: the rubric of that side
    has no such item. ``facts_in``/``facts_out``: facts behind its lines that only B / only A
    cite.
    """

    kind: Literal["indicator", "bonus", "penalty"]
    id: str
    label: str
    dimension: str
    before: Decimal | None
    after: Decimal | None
    bridged: Decimal | None
    cause: Cause
    facts_in: tuple[FactRef, ...]
    facts_out: tuple[FactRef, ...]

    @property
    def change(self) -> Decimal:
        """``after − before`` (a missing side counts as 0)."""
        return (self.after or ZERO) - (self.before or ZERO)

    def __str__(self) -> str:
        cited = ", ".join(
            [
                *(f"+{r.kind} {r.id}" for r in self.facts_in),
                *(f"−{r.kind} {r.id}" for r in self.facts_out),
            ]
        )
        return (
            f"{self.id} {self.label}: {_num(self.before)} → {_num(self.after)}"
            f" ({_signed(self.change)}, {self.cause})" + (f" [{cited}]" if cited else "")
        )


@attrs.frozen(kw_only=True)
class DimensionChange:
    """One dimension of one team: weight, score and grade on both sides (and the bridge's)."""

    id: str
    label: str
    weight_before: Decimal | None
    weight_after: Decimal | None
    score_before: Decimal | None
    score_after: Decimal | None
    score_bridged: Decimal | None
    cause: Cause
    grade_before: str | None
    grade_after: str | None
    grade_cause: Cause

    @property
    def contribution_before(self) -> Decimal:
        """Weight × score in A (what the dimension added to the composite)."""
        return (self.weight_before or ZERO) * (self.score_before or ZERO)

    @property
    def contribution_after(self) -> Decimal:
        """Weight × score in B."""
        return (self.weight_after or ZERO) * (self.score_after or ZERO)

    def __str__(self) -> str:
        text = f"{self.id} {self.label}: {_num(self.score_before)} → {_num(self.score_after)}"
        text += f" ({self.cause})"
        if self.weight_before != self.weight_after:
            text += f", weight {_num(self.weight_before)} → {_num(self.weight_after)}"
        if self.grade_before != self.grade_after:
            text += f", grade {self.grade_before} → {self.grade_after} ({self.grade_cause})"
        return text


@attrs.frozen(kw_only=True)
class TeamChange:
    """Everything that changed for one team from run A to run B, each change with its cause.

    ``presence`` is ``both``, ``added`` (only in B) or ``removed`` (only in A). Ranks are
    ``None`` for an unranked (vetoed) or absent team. ``dimensions`` and ``items`` hold only
    what changed.
    """

    team: str
    name: str
    presence: Literal["both", "added", "removed"]
    rank_before: int | None
    rank_after: int | None
    rank_cause: Cause
    composite_before: Decimal | None
    composite_after: Decimal | None
    composite_bridged: Decimal | None
    composite_cause: Cause
    grade_before: str | None
    grade_after: str | None
    grade_cause: Cause
    titles_before: tuple[str, ...]
    titles_after: tuple[str, ...]
    titles_cause: Cause
    vetoes_before: tuple[str, ...]
    vetoes_after: tuple[str, ...]
    vetoes_cause: Cause
    dimensions: tuple[DimensionChange, ...]
    items: tuple[ItemChange, ...]
    overtook: tuple[str, ...]
    overtaken_by: tuple[str, ...]
    entered_above: tuple[str, ...]
    left_above: tuple[str, ...]

    @property
    def rank_change(self) -> int | None:
        """Places gained (``before − after``: positive is up), when ranked on both sides."""
        if self.rank_before is None or self.rank_after is None:
            return None
        return self.rank_before - self.rank_after

    @property
    def composite_change(self) -> Decimal | None:
        """``after − before`` of the composite, when present on both sides."""
        if self.composite_before is None or self.composite_after is None:
            return None
        return self.composite_after - self.composite_before

    @property
    def titles_gained(self) -> tuple[str, ...]:
        """Titles in B and not in A."""
        return tuple(t for t in self.titles_after if t not in self.titles_before)

    @property
    def titles_lost(self) -> tuple[str, ...]:
        """Titles in A and not in B."""
        return tuple(t for t in self.titles_before if t not in self.titles_after)

    @property
    def changed(self) -> bool:
        """Whether anything about the team's result changed."""
        return (
            self.presence != "both"
            or self.rank_before != self.rank_after
            or self.composite_before != self.composite_after
            or self.grade_before != self.grade_after
            or self.titles_before != self.titles_after
            or self.vetoes_before != self.vetoes_after
            or bool(self.dimensions)
            or bool(self.items)
        )

    def explain(self) -> str:
        """Why the team moved, line by line."""
        head = f"{self.team} {self.name}"
        if self.presence == "added":
            composite = _num(self.composite_after)
            return f"{head}: new in run B (rank {self.rank_after}, composite {composite})"
        if self.presence == "removed":
            return f"{head}: not in run B (was rank {self.rank_before})"
        rank = f"rank {self.rank_before or '—'} → {self.rank_after or '—'}"
        if self.rank_change:
            rank += f" ({self.rank_change:+d}, {self.rank_cause})"
        composite = f"composite {_num(self.composite_before)} → {_num(self.composite_after)}"
        if self.composite_change:
            composite += f" ({_signed(self.composite_change)}, {self.composite_cause})"
        lines = [f"{head}: {rank}; {composite}"]
        if self.grade_before != self.grade_after:
            lines.append(f"  grade {self.grade_before} → {self.grade_after} ({self.grade_cause})")
        if self.titles_gained or self.titles_lost:
            moved = [*(f"+{t}" for t in self.titles_gained), *(f"−{t}" for t in self.titles_lost)]
            lines.append(f"  titles {' '.join(moved)} ({self.titles_cause})")
        if self.vetoes_before != self.vetoes_after:
            vetoes = f"{list(self.vetoes_before)} → {list(self.vetoes_after)}"
            lines.append(f"  vetoes {vetoes} ({self.vetoes_cause})")
        for dim in self.dimensions:
            lines.append(f"  {dim}")
            lines += [f"    {item}" for item in self.items if item.dimension == dim.id]
        others = [
            (self.overtaken_by, "moved ahead of it"),
            (self.entered_above, "newly ranked above it"),
            (self.overtook, "it moved ahead of"),
            (self.left_above, "no longer ranked above it"),
        ]
        for teams, what in others:
            if teams:
                lines.append(f"  {what}: {', '.join(teams)}")
        return "\n".join(lines)


@attrs.frozen(kw_only=True)
class RunDiff:
    """Two runs compared: each team's changes with causes, the rubric's changes, stability."""

    run_a: int
    run_b: int
    period_a: str
    period_b: str
    rubric_a: str
    rubric_b: str
    facts_changed: bool
    rubric_changes: tuple[RubricChange, ...]
    plugin_changes: tuple[str, ...]
    bridge: str
    teams: tuple[TeamChange, ...]
    stability: Stability

    @property
    def rubric_changed(self) -> bool:
        """Whether the two runs used different rubrics."""
        return self.rubric_a != self.rubric_b

    @property
    def changed_teams(self) -> tuple[TeamChange, ...]:
        """The teams whose result changed."""
        return tuple(t for t in self.teams if t.changed)

    def __getitem__(self, team: str) -> TeamChange:
        for change in self.teams:
            if change.team == team:
                return change
        raise KeyError(team)

    def text(self) -> str:
        """The whole comparison, readable."""
        lines = [
            f"run {self.run_a} ({self.period_a}) → run {self.run_b} ({self.period_b}):"
            f" facts {'changed' if self.facts_changed else 'unchanged'},"
            f" rubric {'changed' if self.rubric_changed else 'unchanged'}",
            f"attribution: {self.bridge}",
        ]
        lines += [f"  rubric: {c}" for c in self.rubric_changes]
        lines += [f"  {c}" for c in self.plugin_changes]
        for team in self.changed_teams:
            lines.append("")
            lines.append(team.explain())
        lines.append("")
        lines.append(self.stability.text())
        return "\n".join(lines)


# --------------------------------------------------------------------------- building
def _items(a: Assessment | None) -> dict[str, tuple[str, str, str, Decimal, tuple[FactRef, ...]]]:
    found: dict[str, tuple[str, str, str, Decimal, tuple[FactRef, ...]]] = {}
    if a is None:
        return found
    for dim in a.dimensions:
        for ind in dim.indicators:
            refs = tuple(r for line in ind.lines for r in line.facts)
            found[ind.id] = ("indicator", ind.label, dim.id, ind.points, refs)
        for adj in dim.adjustments:
            refs = tuple(r for line in adj.lines for r in line.facts)
            sign = adj.applied if adj.kind == "bonus" else -adj.applied
            kind = "bonus" if adj.kind == "bonus" else "penalty"
            found[adj.id] = (kind, adj.label, dim.id, sign, refs)
    return found


def _dims(a: Assessment | None) -> dict[str, tuple[str, Decimal, Decimal, str | None]]:
    if a is None:
        return {}
    return {
        d.id: (d.label, d.weight, d.score, d.grade.label if d.grade else None) for d in a.dimensions
    }


def _grade(a: Assessment | None) -> str | None:
    return a.grade.label if a is not None and a.grade is not None else None


def _unique(refs: Iterable[FactRef]) -> tuple[FactRef, ...]:
    """The refs, one per fact (kind and id), in order."""
    seen: dict[tuple[str, str], FactRef] = {}
    for ref in refs:
        seen.setdefault((ref.kind, ref.id), ref)
    return tuple(seen.values())


def _team_change(
    team: str,
    a: Assessment | None,
    x: Assessment | None,
    b: Assessment | None,
    bridged: bool,
) -> TeamChange:
    def c(before: object, bridge_value: object, after: object) -> Cause:
        return cause_of(before, bridge_value, after, bridge=bridged)

    items_a, items_x, items_b = _items(a), _items(x), _items(b)
    items: list[ItemChange] = []
    for item_id in [*items_b, *(k for k in items_a if k not in items_b)]:
        ia, ix, ib = items_a.get(item_id), items_x.get(item_id), items_b.get(item_id)
        pa, px, pb = (i[3] if i else None for i in (ia, ix, ib))
        refs_a = {(r.kind, r.id) for r in (ia[4] if ia else ())}
        refs_b = {(r.kind, r.id) for r in (ib[4] if ib else ())}
        if (pa or ZERO) == (px or ZERO) == (pb or ZERO) and refs_a == refs_b:
            continue
        ref = ib or ia
        assert ref is not None
        items.append(
            ItemChange(
                kind=ref[0],  # type: ignore[arg-type]
                id=item_id,
                label=ref[1],
                dimension=ref[2],
                before=pa,
                after=pb,
                bridged=px,
                cause=c(pa or ZERO, px or ZERO, pb or ZERO),
                facts_in=_unique(r for r in (ib[4] if ib else ()) if (r.kind, r.id) not in refs_a),
                facts_out=_unique(r for r in (ia[4] if ia else ()) if (r.kind, r.id) not in refs_b),
            )
        )
    dims_a, dims_x, dims_b = _dims(a), _dims(x), _dims(b)
    dimensions: list[DimensionChange] = []
    item_dims = {i.dimension for i in items}
    for dim_id in [*dims_b, *(k for k in dims_a if k not in dims_b)]:
        da, dx, db = dims_a.get(dim_id), dims_x.get(dim_id), dims_b.get(dim_id)
        if da == db and dim_id not in item_dims and (dx is None or dx == da):
            continue
        shown = db or da
        assert shown is not None
        sa_, sx, sb = (d[2] if d else None for d in (da, dx, db))
        ga, gx, gb = (d[3] if d else None for d in (da, dx, db))
        dimensions.append(
            DimensionChange(
                id=dim_id,
                label=shown[0],
                weight_before=da[1] if da else None,
                weight_after=db[1] if db else None,
                score_before=sa_,
                score_after=sb,
                score_bridged=sx,
                cause=c(
                    da[1] * da[2] if da else None,
                    dx[1] * dx[2] if dx else None,
                    db[1] * db[2] if db else None,
                ),
                grade_before=ga,
                grade_after=gb,
                grade_cause=c(ga, gx, gb),
            )
        )
    titles = [tuple(t.id for t in s.titles) if s else () for s in (a, x, b)]
    vetoes = [tuple(v.id for v in s.vetoes) if s else () for s in (a, x, b)]
    rank = [s.rank if s else None for s in (a, x, b)]
    composite = [s.composite if s else None for s in (a, x, b)]
    grade = [_grade(s) for s in (a, x, b)]
    named = b or a
    assert named is not None
    return TeamChange(
        team=team,
        name=named.name,
        presence="both" if a and b else ("added" if b else "removed"),
        rank_before=rank[0],
        rank_after=rank[2],
        rank_cause=c(*rank),
        composite_before=composite[0],
        composite_after=composite[2],
        composite_bridged=composite[1],
        composite_cause=c(*composite),
        grade_before=grade[0],
        grade_after=grade[2],
        grade_cause=c(*grade),
        titles_before=titles[0],
        titles_after=titles[2],
        titles_cause=c(*titles),
        vetoes_before=vetoes[0],
        vetoes_after=vetoes[2],
        vetoes_cause=c(*vetoes),
        dimensions=tuple(dimensions),
        items=tuple(items),
        overtook=(),
        overtaken_by=(),
        entered_above=(),
        left_above=(),
    )


def _with_moves(change: TeamChange, before: dict[str, int], after: dict[str, int]) -> TeamChange:
    """Fill in who moved past whom (both rank maps hold ranked teams only)."""
    team = change.team
    if team not in before or team not in after:
        return change
    ra, rb = before[team], after[team]
    above_a = {t for t, r in before.items() if r < ra}
    above_b = {t for t, r in after.items() if r < rb}
    both = before.keys() & after.keys()

    def ordered(teams: Iterable[str]) -> tuple[str, ...]:
        return tuple(sorted(teams, key=lambda t: (after.get(t, before.get(t, 0)), t)))

    return attrs.evolve(
        change,
        overtaken_by=ordered(t for t in above_b - above_a if t in both),
        overtook=ordered(t for t in above_a - above_b if t in both),
        entered_above=ordered(t for t in above_b if t not in before),
        left_above=ordered(t for t in above_a if t not in after),
    )


def _get(report: _Reports | None, team: str) -> Assessment | None:
    return report[team] if report is not None and team in report else None


def _ranks(report: _Reports) -> dict[str, int]:
    return {t: r for t in report.teams if (r := report[t].rank) is not None}


def _bridge(ledger: LedgerView, run_a: Run, run_b: Run) -> tuple[_Reports | None, str]:
    """Run A's facts under run B's rubric, and how the attribution was made."""
    if run_a.rubric_hash == run_b.rubric_hash:
        return ledger.report(run_a), "one rubric: every change comes from the facts"
    facts_a = ledger.submission(run_a.submission).facts_hash
    if facts_a == ledger.submission(run_b.submission).facts_hash and run_a.period == run_b.period:
        return ledger.report(run_b), "the same facts: every change comes from the rubric"
    try:
        rubric = ledger.rubric(run_b)
    except LedgerStateError as exc:
        return None, f"not attributed: {exc}"
    try:
        old = facts_from_text(
            ledger.facts_text(run_a.submission),
            ledger.fact_types(run_a),
            source=f"submission {run_a.submission}",
        )
    except (AssessmentError, LedgerStateError) as exc:
        return None, f"not attributed: the facts of run {run_a.id} cannot be read: {exc}"
    kept = [f for f in old if rubric.fact_types.get(f.fact_kind) is type(f)]
    left_out = sorted({f.fact_kind for f in old} - {f.fact_kind for f in kept})
    note = f"run {run_a.id}'s facts assessed under run {run_b.id}'s rubric separate the two" + (
        f" (facts of kinds {', '.join(left_out)} left out: the new rubric lacks them)"
        if left_out
        else ""
    )
    with Engine.from_rubric(rubric, matcher=run_b.matcher) as engine:  # type: ignore[arg-type]
        try:
            return engine.assess(FactSet(kept), period=run_a.period), note
        except AssessmentError as exc:
            return (
                None,
                f"not attributed: run {run_a.id}'s facts do not assess under the new rubric: {exc}",
            )


def diff_runs(ledger: LedgerView, run_a: Run, run_b: Run) -> RunDiff:
    """See :meth:`Ledger.diff`."""
    report_a, report_b = ledger.report(run_a), ledger.report(run_b)
    bridge, note = _bridge(ledger, run_a, run_b)
    teams = [*report_b.teams, *(t for t in report_a.teams if t not in report_b)]
    changes = [
        _team_change(
            team,
            _get(report_a, team),
            _get(bridge, team),
            _get(report_b, team),
            bridge is not None,
        )
        for team in teams
    ]
    before, after = _ranks(report_a), _ranks(report_b)
    version_a = ledger.rubric_version(run_a.rubric_version)
    version_b = ledger.rubric_version(run_b.rubric_version)
    rubric_changes: Sequence[RubricChange] = ()
    if run_a.rubric_hash != run_b.rubric_hash:
        rubric_changes = compare_rubrics(
            ledger.rubric_data(version_a),
            ledger.rubric_data(version_b),
            ledger.rubric_provenance(version_a),
            ledger.rubric_provenance(version_b),
        )
    return RunDiff(
        run_a=run_a.id,
        run_b=run_b.id,
        period_a=run_a.period,
        period_b=run_b.period,
        rubric_a=run_a.rubric_hash,
        rubric_b=run_b.rubric_hash,
        facts_changed=ledger.submission(run_a.submission).facts_hash
        != ledger.submission(run_b.submission).facts_hash,
        rubric_changes=tuple(rubric_changes),
        plugin_changes=tuple(plugin_changes(version_a.plugins, version_b.plugins)),
        bridge=note,
        teams=tuple(_with_moves(c, before, after) for c in changes),
        stability=stability(report_a, report_b),
    )
