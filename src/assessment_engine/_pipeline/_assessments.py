"""Turn a team's state and the standings into its :class:`~assessment_engine.results.Assessment`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

import attrs

from .._base.numbers import exact_text
from ..results import (
    AdjustmentResult,
    Assessment,
    DimensionResult,
    Grade,
    GradeResult,
    IndicatorResult,
    Line,
    Standing,
    TitleResult,
    VetoResult,
)
from ..rubric.conditions import AllOf, AnyOf, Compare, Condition, Field
from ..rubric.describe import describe_condition, describe_value
from ._conditions import condition_holds
from ._plan import Plan
from ._scorers import fact_refs
from ._standings import Standings
from ._state import TeamState

__all__ = ["build_assessment", "build_standings", "complete_assessment", "unmet_parts"]

ZERO = Decimal(0)


def _grade_result(plan: Plan, state: TeamState, index: int) -> GradeResult:
    scale, refs = plan.scales[index]
    label, band = state.grades[index]
    score = state.composite if scale.of is None else state.dim_score[plan.dimension_index[scale.of]]
    what = "综合得分 (composite)" if scale.of is None else f"{scale.of} 得分 (score)"
    if band < 0:
        names = ", ".join(plan.vetoes[i].veto.id for i in state.vetoes)
        none = "" if label is not None else ": 不评等级 (no grade)"
        return GradeResult(scale.id, scale.of, label, f"一票否决 (vetoed by {names}){none}")
    notes = []
    for i in range(band):
        upper = scale.bands[i]
        ref = refs[i]
        if upper.at_least is not None and score >= upper.at_least and ref is not None:
            requirement = upper.requires
            if requirement is not None:
                notes.append(
                    f"{what} {exact_text(score)} ≥ {exact_text(upper.at_least)} but"
                    f" {upper.label} also requires {describe_condition(requirement)}"
                )
    if band == len(scale.bands):  # below a scale that ends in an edge
        lowest = scale.bands[-1].at_least
        assert lowest is not None  # a scale without a catch-all band ends in an edge
        reason = f"{what} {exact_text(score)} < {exact_text(lowest)}: 不评等级 (no grade)"
        if score >= lowest:  # the edge was reached, its requirement was not (see the notes)
            reason = f"{what} {exact_text(score)}: 不评等级 (no grade)"
        if notes:
            reason += "; " + "; ".join(notes)
        return GradeResult(scale.id, scale.of, label, reason)
    chosen = scale.bands[band]
    if chosen.at_least is None:
        previous = scale.bands[band - 1].at_least if band > 0 else None
        # below the band above — unless that band was missed for its requirement (see notes)
        reason = (
            f"{what} {exact_text(score)} < {exact_text(previous)}"
            if previous is not None and score < previous
            else f"{what} {exact_text(score)}"
        )
    else:
        reason = f"{what} {exact_text(score)} ≥ {exact_text(chosen.at_least)}"
        if chosen.requires is not None:
            reason += " and its requirement holds"
    if notes:
        reason += "; " + "; ".join(notes)
    return GradeResult(scale.id, scale.of, label, reason)


def _adjustment_results(plan: Plan, state: TeamState, dim: int) -> tuple[AdjustmentResult, ...]:
    results = []
    amounts, applied_amounts = state.adj_amounts, state.adj_applied
    for i, ap in enumerate(plan.adjustments):
        if ap.dimension != dim:
            continue
        amount, applied = amounts[i], applied_amounts[i]
        lines = ap.lines(state)
        note = ""
        if applied != amount:
            winner = next(
                (
                    plan.adjustments[j].rule.id
                    for j in plan.group_members[i]
                    if j != i and applied_amounts[j] > 0
                ),
                None,
            )
            note = f"互斥组 {ap.rule.group} (exclusive group): only {winner} applies"
            sign = Decimal(1) if ap.kind == "bonus" else Decimal(-1)
            lines.append(
                Line(
                    f"{ap.rule.id}#group",
                    f"互斥 (exclusive group {ap.rule.group})",
                    sign * (applied - amount),
                    f"superseded by {winner}",
                )
            )
        if not amount and not any(line.facts for line in lines):
            continue  # a rule that did not trigger is not listed
        results.append(
            AdjustmentResult(
                id=ap.rule.id,
                label=ap.rule.label,
                kind=ap.kind,
                amount=amount,
                applied=applied,
                note=note,
                lines=tuple(lines),
            )
        )
    return tuple(results)


def build_assessment(
    plan: Plan, state: TeamState, standings: Standings | None, engine_version: str
) -> Assessment:
    """The complete, explained assessment of one team (its lists routed: see ``Pipeline``).

    Without ``standings``, the team's local assessment: everything but what depends on the
    other teams (its rank and rank note, titles and title notes), which
    :func:`complete_assessment` adds once the standings are known.
    """
    rubric = plan.rubric
    scale_of: dict[str | None, int] = {scale.of: i for i, (scale, _) in enumerate(plan.scales)}
    ind_points = state.ind_points
    base, bonus, bonus_raw = state.dim_base, state.dim_bonus, state.dim_bonus_raw
    penalty, score = state.dim_penalty, state.dim_score
    dimensions = []
    for d, dim in enumerate(rubric.dimensions):
        indicators = tuple(
            IndicatorResult(
                id=ip.indicator.id,
                label=ip.indicator.label,
                max=ip.max,
                points=ind_points[i],
                lines=tuple(ip.lines(state)),
            )
            for i, ip in enumerate(plan.indicators)
            if ip.dimension == d
        )
        grade_index = scale_of.get(dim.id)
        dimensions.append(
            DimensionResult(
                id=dim.id,
                label=dim.label,
                weight=plan.weights[d],
                base=base[d],
                bonus=bonus[d],
                bonus_before_cap=bonus_raw[d],
                penalty=penalty[d],
                score=score[d],
                grade=None if grade_index is None else _grade_result(plan, state, grade_index),
                indicators=indicators,
                adjustments=_adjustment_results(plan, state, d),
            )
        )
    vetoes = []
    for i in state.vetoes:
        vp = plan.vetoes[i]
        vetoes.append(
            VetoResult(
                vp.veto.id, vp.veto.label, vp.veto.dimension, fact_refs(state.facts_in(vp.selects))
            )
        )
    team_id = state.team.team
    composite_index = scale_of.get(None)
    team = state.team
    local = Assessment(
        team=team_id,
        name=team.name,
        department=team.department,
        period=team.period,
        headcount=team.headcount,
        dimensions=tuple(dimensions),
        composite=state.composite,
        grade=None if composite_index is None else _grade_result(plan, state, composite_index),
        vetoes=tuple(vetoes),
        titles=(),
        title_notes=(),
        rank=None,
        rank_note="",
        rubric_hash=rubric.content_hash,
        engine_version=engine_version,
    )
    return local if standings is None else complete_assessment(plan, local, state, standings)


def complete_assessment(
    plan: Plan, local: Assessment, state: TeamState, standings: Standings
) -> Assessment:
    """A local assessment completed with what the standings decide: rank, titles and notes.

    Needs the team's state without its records (values and matcher answers only), so a
    driver holding merged states completes the local assessments its workers built.
    """
    team_id = state.team.team
    outcome = standings.titles()
    return attrs.evolve(
        local,
        titles=tuple(
            TitleResult(plan.titles[i][0].id, plan.titles[i][0].label, note)
            for i, note in outcome.titles.get(team_id, [])
        ),
        title_notes=tuple(
            _title_note(plan, state, kind, index, detail)
            for kind, index, detail in outcome.notes.get(team_id, [])
        ),
        rank=standings.rank(team_id),
        rank_note=standings.rank_note(team_id),
    )


def build_standings(
    plan: Plan,
    standings: Standings,
    teams: Sequence[str],
    ranks: Mapping[str, int | None] | None = None,
) -> list[Standing]:
    """Lines of the ranking table for ``teams`` (no explanation is built).

    Lean on purpose: a table of 100,000 teams is 100,000 of these, so each holds one tuple of
    scores and one of grades, and shares one tuple of dimension ids with every other.
    """
    ranks = standings.ranks() if ranks is None else ranks
    dims = tuple(d.id for d in plan.rubric.dimensions)
    composite_scale = None
    scale_of_dim: list[int | None] = [None] * len(dims)
    for i, (scale, _) in enumerate(plan.scales):
        if scale.of is None:
            composite_scale = i
        else:
            scale_of_dim[dims.index(scale.of)] = i
    titles = standings.titles().titles
    title_ids = [title.id for title, _ in plan.titles]
    # one Grade object per (scale, label), shared by every row that has it
    shared: dict[tuple[int, str | None], Grade] = {}

    def grade_of(index: int, label: str | None) -> Grade:
        grade = shared.get((index, label))
        if grade is None:
            scale = plan.scales[index][0]
            grade = shared[index, label] = Grade(scale.id, scale.of, label)
        return grade

    rows = []
    for team in teams:
        state = standings.state(team)
        record = state.team
        grades = state.grades
        awarded = titles.get(team)
        rows.append(
            Standing(
                team=team,
                name=record.name,
                department=record.department,
                rank=ranks[team],
                composite=state.composite,
                grade=(
                    None
                    if composite_scale is None
                    else grade_of(composite_scale, grades[composite_scale][0])
                ),
                dimension_ids=dims,
                scores=state.dim_score,
                grades=tuple(
                    None if i is None else grade_of(i, grades[i][0]) for i in scale_of_dim
                ),
                titles=tuple(title_ids[i] for i, _ in awarded) if awarded else (),
                vetoed=bool(state.vetoes),
            )
        )
    return rows


def _title_note(plan: Plan, state: TeamState, kind: str, index: int, detail: str) -> str:
    if kind == "vetoed":
        return "一票否决，不授予称号 (vetoed: no title)"
    title, _ = plan.titles[index]
    if kind == "quota":
        return f"{title.label}: 名额已满 ({detail})"
    assert title.when is not None
    unmet = unmet_parts(plan, state, title.when)
    return f"{title.label}: 条件未满足 (condition not met): " + "; ".join(unmet)


def unmet_parts(plan: Plan, state: TeamState, condition: Condition) -> list[str]:
    """The parts of a condition that do not hold for a team, with the values it has.

    For an ``AllOf``, each failing item; otherwise the condition itself. Evaluated on the team's
    quantity values with the plain matcher's semantics (for explanations only; the decision was
    the matcher's).
    """
    items = condition.items if isinstance(condition, AllOf) else (condition,)
    failing = [_unmet_text(plan, state, item) for item in items if not _holds(plan, state, item)]
    return failing or [describe_condition(condition)]


def _holds(plan: Plan, state: TeamState, condition: Condition) -> bool:
    return condition_holds(condition, lambda q: state.values[plan.quantity_index[q]])  # type: ignore[index]


def _unmet_text(plan: Plan, state: TeamState, condition: Condition) -> str:
    if isinstance(condition, Compare) and not isinstance(condition.left, Field):
        value = describe_value(state.values[plan.quantity_index[condition.left]])
        return f"{describe_condition(condition)} (is {value})"
    if isinstance(condition, AnyOf):
        return f"{describe_condition(condition)}: none holds"
    return describe_condition(condition)
