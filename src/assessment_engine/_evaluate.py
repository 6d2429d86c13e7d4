"""Run a plan over teams: route facts, compute quantities, match, score, grade.

The pipeline is set-oriented: each phase runs over every team before the next starts, so the
matcher is asked once per phase about every *distinct* record it has not seen before (batched
into durable-rules sessions), never once per team. The same pipeline re-assesses a single team
in an incremental session.

Phases: (1) route each fact to the selections its filters satisfy; (2) compute the fact
quantities and check the input they depend on; (3) match indicator, adjustment and veto
conditions; (4) score indicators and adjustments, apply exclusive groups and caps, total the
dimensions and the composite; (5) match grade bands and grade; (6) match title conditions.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ._matcher.base import Matcher
from ._numbers import EXACT, exact_text
from ._plan import PHASE_GRADES, PHASE_ITEMS, PHASE_TITLES, KindPlan, Plan
from .errors import InputError, InputProblem
from .facts import Fact, Record, Team, fact_identity
from .rubric._rubric import did_you_mean
from .rubric.conditions import (
    AdjustmentPoints,
    Composite,
    DimensionBonus,
    DimensionPenalty,
    DimensionScore,
    Grade,
    IndicatorPoints,
    PenaltyTotal,
    Quantity,
    Ratio,
    Stage,
    Triggered,
    Vetoed,
)

__all__ = ["TeamState", "evaluate"]

ZERO = Decimal(0)
_MEMO_LIMIT = 1_000_000  # distinct records remembered per cluster before the memo restarts


class TeamState:
    """Everything computed about one team; results and explanations are read from it."""

    __slots__ = (
        "adj_amounts",
        "adj_applied",
        "composite",
        "dim_base",
        "dim_bonus",
        "dim_bonus_raw",
        "dim_penalty",
        "dim_score",
        "grades",
        "ind_points",
        "lists",
        "masks",
        "plan",
        "records",
        "team",
        "values",
        "vetoes",
    )

    def __init__(self, plan: Plan, team: Team, records: Sequence[Record]) -> None:
        self.plan = plan
        self.team = team
        self.records = records
        self.lists: list[list[Fact]] = [[] for _ in plan.selects]
        self.values: list[Any] = [None] * len(plan.quantities)
        self.masks: list[int] = [0] * len(plan.team_clusters)
        self.ind_points: list[Decimal] = []
        self.adj_amounts: list[Decimal] = []
        self.adj_applied: list[Decimal] = []
        self.vetoes: tuple[int, ...] = ()
        self.dim_base: list[Decimal] = []
        self.dim_bonus_raw: list[Decimal] = []
        self.dim_bonus: list[Decimal] = []
        self.dim_penalty: list[Decimal] = []
        self.dim_score: list[Decimal] = []
        self.composite = ZERO
        self.grades: list[tuple[str, int]] = []  # (label, band index; -1 when vetoed)


Locate = Callable[[Record], str]


def evaluate(
    plan: Plan,
    matcher: Matcher,
    teams: Sequence[tuple[Team, Sequence[Record]]],
    *,
    source: str,
    locate: Locate,
) -> list[TeamState]:
    """Assess ``teams``; raise :class:`InputError` with every input problem found."""
    with decimal.localcontext(EXACT):
        states = [TeamState(plan, team, records) for team, records in teams]
        problems: list[InputProblem] = []
        _route(plan, matcher, states, problems, source, locate)
        _quantities(plan, states, problems, source, locate)
        if problems:
            raise InputError(problems)
        _resolve(plan, matcher, states, PHASE_ITEMS)
        late = _late_getters(plan)
        for state in states:
            _score(plan, state, late)
        _resolve(plan, matcher, states, PHASE_GRADES)
        for state in states:
            _grade(plan, state, late)
        _resolve(plan, matcher, states, PHASE_TITLES)
    return states


# --------------------------------------------------------------------------- facts


def _route(
    plan: Plan,
    matcher: Matcher,
    states: list[TeamState],
    problems: list[InputProblem],
    source: str,
    locate: Locate,
) -> None:
    routes: dict[type, KindPlan | None] = dict.fromkeys(plan.rubric.fact_types.values())
    routes.update(plan.kinds)
    routes_get = routes.get
    missing = object()
    pending: list[tuple[list[list[Fact]], Fact, KindPlan, Any]] = []
    for state in states:
        lists = state.lists
        for fact in state.records:
            kind_plan = routes_get(type(fact), missing)
            if kind_plan is None:
                continue
            if kind_plan is missing:
                problems.append(
                    InputProblem(
                        source=source,
                        record=locate(fact),
                        field=None,
                        reason=f"{type(fact).__qualname__} is not a fact kind any registered"
                        f" plugin provides (known: {', '.join(plan.rubric.fact_types)})",
                    )
                )
                continue
            assert isinstance(kind_plan, KindPlan)
            key = kind_plan.key(fact)
            hit = kind_plan.memo.get(key)
            if hit is None:
                pending.append((lists, fact, kind_plan, key))
                continue
            for s in hit:
                lists[s].append(fact)
    if not pending:
        return
    distinct: dict[int, tuple[KindPlan, dict[Any, None]]] = {}
    for _, _, kind_plan, key in pending:
        distinct.setdefault(id(kind_plan), (kind_plan, {}))[1][key] = None
    for kind_plan, keys in distinct.values():
        _match_kind(kind_plan, matcher, list(keys))
    for lists, fact, kind_plan, key in pending:
        for s in kind_plan.memo[key]:
            lists[s].append(fact)


def _match_kind(kind_plan: KindPlan, matcher: Matcher, keys: list[Any]) -> None:
    if len(kind_plan.memo) + len(keys) > _MEMO_LIMIT:
        kind_plan.memo.clear()
    records = [kind_plan.record(k) for k in keys]
    routed: list[list[int]] = [list(kind_plan.always) for _ in keys]
    for cluster, route in zip(kind_plan.clusters, kind_plan.routes, strict=True):
        for i, mask in enumerate(matcher.match(cluster, records)):
            bit = 0
            while mask:
                if mask & 1:
                    routed[i].append(route[bit])
                mask >>= 1
                bit += 1
    for key, selects in zip(keys, routed, strict=True):
        kind_plan.memo[key] = tuple(sorted(selects))


def _quantities(
    plan: Plan,
    states: list[TeamState],
    problems: list[InputProblem],
    source: str,
    locate: Locate,
) -> None:
    stage1 = [(q.index, q.compute) for q in plan.quantities if q.compute is not None]
    owners = plan.assessor_scores
    for state in states:
        raw: list[tuple[Any, tuple[Fact, ...]]] = []
        values, lists, team = state.values, state.lists, state.team
        for index, compute in stage1:
            values[index] = compute(lists, team, raw)
        for q, found in raw:
            names = ", ".join(locate(f) for f in found if isinstance(f, Record))
            problems.append(
                InputProblem(
                    source=source,
                    record=locate(found[1]) if isinstance(found[1], Record) else str(found[1]),
                    field=q.field,
                    reason=f"team {team.team} has {len(found)} facts where the rubric expects"
                    f" one ({q.select.kind} selected by {q!r}): {names}",
                )
            )
        for owner, (select, form) in owners.items():
            found = lists[select]
            if len(found) > 1:
                problems.append(
                    InputProblem(
                        source=source,
                        record=locate(found[1]),  # type: ignore[arg-type]
                        field="indicator",
                        reason=f"a second score for {owner!r} in team {team.team}"
                        f" (the first is {locate(found[0])})",  # type: ignore[arg-type]
                    )
                )
            for score in found:
                value = score.value  # type: ignore[attr-defined]
                if not form.minimum <= value <= form.maximum:
                    problems.append(
                        InputProblem(
                            source=source,
                            record=locate(score),  # type: ignore[arg-type]
                            field="value",
                            reason=f"score {exact_text(value)} for {owner!r} is outside its"
                            f" bounds [{exact_text(form.minimum)}, {exact_text(form.maximum)}]",
                        )
                    )
        if plan.all_scores is not None:
            for score in lists[plan.all_scores]:
                indicator = score.indicator  # type: ignore[attr-defined]
                if indicator not in owners:
                    problems.append(
                        InputProblem(
                            source=source,
                            record=locate(score),  # type: ignore[arg-type]
                            field="indicator",
                            reason=f"{indicator!r} is not an assessor-scored indicator or part"
                            + did_you_mean(indicator, owners)
                            + (f"; scored ones: {', '.join(sorted(owners))}" if owners else ""),
                        )
                    )


# --------------------------------------------------------------------------- matching


def _resolve(plan: Plan, matcher: Matcher, states: list[TeamState], phase: int) -> None:
    for tc in plan.team_clusters:
        if tc.phase != phase:
            continue
        memo, key, index = tc.memo, tc.key, tc.index
        misses: dict[Any, None] = {}
        for state in states:
            k = key(state.values)
            if k not in memo:
                misses[k] = None
        if misses:
            if len(memo) + len(misses) > _MEMO_LIMIT:
                memo.clear()
            keys = list(misses)
            masks = matcher.match(tc.cluster, [tc.record(k) for k in keys])
            memo.update(zip(keys, masks, strict=True))
        for state in states:
            state.masks[index] = memo[key(state.values)]


# --------------------------------------------------------------------------- scoring


LateGetters = dict[int, list[tuple[int, Callable[[TeamState], Any]]]]


def _late_getters(plan: Plan) -> LateGetters:
    cached = getattr(plan, "_late", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    indicators = {ip.indicator.id: i for i, ip in enumerate(plan.indicators)}
    adjustments = {ap.rule.id: i for i, ap in enumerate(plan.adjustments)}
    vetoes = {veto.id: i for i, (veto, _, _) in enumerate(plan.vetoes)}
    dims = plan.dimension_index
    scales = {scale.id: i for i, (scale, _) in enumerate(plan.scales)}

    def getter(q: Quantity) -> Callable[[TeamState], Any]:
        if isinstance(q, IndicatorPoints):
            i = indicators[q.indicator]
            return lambda s: s.ind_points[i]
        if isinstance(q, AdjustmentPoints):
            i = adjustments[q.rule]
            return lambda s: s.adj_applied[i]
        if isinstance(q, Triggered):
            if q.rule in vetoes:
                i = vetoes[q.rule]
                return lambda s: i in s.vetoes
            i = adjustments[q.rule]
            return lambda s: s.adj_applied[i] > 0
        if isinstance(q, Vetoed):
            return lambda s: bool(s.vetoes)
        if isinstance(q, DimensionScore):
            i = dims[q.dimension]
            return lambda s: s.dim_score[i]
        if isinstance(q, DimensionBonus):
            i = dims[q.dimension]
            return lambda s: s.dim_bonus[i]
        if isinstance(q, DimensionPenalty):
            i = dims[q.dimension]
            return lambda s: s.dim_penalty[i]
        if isinstance(q, PenaltyTotal):
            return lambda s: sum(s.dim_penalty, ZERO)
        if isinstance(q, Composite):
            return lambda s: s.composite
        if isinstance(q, Grade):
            i = scales[q.scale]
            return lambda s: s.grades[i][0]
        if isinstance(q, Ratio):
            num = plan.quantity_index[q.numerator]
            den = plan.quantity_index[q.denominator]
            simple = q.numerator.quantity_kind() == "number" and (
                q.denominator.quantity_kind() == "number"
            )

            def ratio(s: TeamState) -> Any:
                n, d = s.values[num], s.values[den]
                if n is None or d is None:
                    return None
                if simple:
                    return (n, d)
                fd = _fraction(d)
                return None if fd == 0 else _fraction(n) / fd

            return ratio
        raise TypeError(f"no getter for {q!r}")  # pragma: no cover

    late: LateGetters = {Stage.ITEMS: [], Stage.DIMENSIONS: [], Stage.GRADES: []}
    for qp in plan.quantities:
        if qp.compute is None:
            late[qp.stage].append((qp.index, getter(qp.quantity)))
    plan._late = late  # type: ignore[attr-defined]
    return late


def _fraction(value: Any) -> Fraction:
    if isinstance(value, tuple):
        return Fraction(value[0]) / Fraction(value[1])
    return Fraction(value)


def _score(plan: Plan, state: TeamState, late: LateGetters) -> None:
    state.ind_points = [ip.points(state) for ip in plan.indicators]
    amounts = [ap.amount(state) for ap in plan.adjustments]
    state.adj_amounts = amounts
    state.adj_applied = apply_groups(plan, amounts)
    state.vetoes = tuple(
        i for i, (_, ref, _) in enumerate(plan.vetoes) if state.masks[ref.cluster] >> ref.bit & 1
    )
    values = state.values
    for index, get in late[Stage.ITEMS]:
        values[index] = get(state)
    n = len(plan.rubric.dimensions)
    base = [ZERO] * n
    bonus_raw = [ZERO] * n
    penalty = [ZERO] * n
    for ip, points in zip(plan.indicators, state.ind_points, strict=True):
        base[ip.dimension] += points
    for ap, applied in zip(plan.adjustments, state.adj_applied, strict=True):
        if ap.kind == "bonus":
            bonus_raw[ap.dimension] += applied
        else:
            penalty[ap.dimension] += applied
    bonus = []
    score = []
    composite = ZERO
    for i, dim in enumerate(plan.rubric.dimensions):
        cap = dim.bonus_cap
        b = cap if cap is not None and bonus_raw[i] > cap else bonus_raw[i]
        bonus.append(b)
        total = base[i] + b - penalty[i]
        if total < 0:
            total = ZERO
        score.append(total)
        composite += plan.weights[i] * total
    state.dim_base, state.dim_bonus_raw, state.dim_bonus = base, bonus_raw, bonus
    state.dim_penalty, state.dim_score, state.composite = penalty, score, composite
    for index, get in late[Stage.DIMENSIONS]:
        values[index] = get(state)


def apply_groups(plan: Plan, amounts: list[Decimal]) -> list[Decimal]:
    """Amounts after exclusive groups: only the largest of a group applies (ties: first id)."""
    groups = _groups(plan)
    if not groups:
        return amounts
    applied = list(amounts)
    for members in groups:
        best = -1
        for i in members:
            if amounts[i] > 0 and (best < 0 or amounts[i] > amounts[best]):
                best = i
        for i in members:
            if i != best:
                applied[i] = ZERO
    return applied


def _groups(plan: Plan) -> list[list[int]]:
    cached = getattr(plan, "_groups", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    by_key: dict[tuple[int, str, str], list[int]] = {}
    for i, ap in enumerate(plan.adjustments):
        if ap.rule.group is not None:
            by_key.setdefault((ap.dimension, ap.kind, ap.rule.group), []).append(i)
    groups = [members for _, members in sorted(by_key.items())]
    plan._groups = groups  # type: ignore[attr-defined]
    return groups


def _grade(plan: Plan, state: TeamState, late: LateGetters) -> None:
    grades: list[tuple[str, int]] = []
    vetoed_dims = {plan.vetoes[i][0].dimension for i in state.vetoes}
    for scale, refs in plan.scales:
        if state.vetoes and (scale.of is None or None in vetoed_dims or scale.of in vetoed_dims):
            grades.append((scale.veto_label, -1))
            continue
        chosen = len(scale.bands) - 1
        for i, ref in enumerate(refs):
            if ref is not None and state.masks[ref.cluster] >> ref.bit & 1:
                chosen = i
                break
        grades.append((scale.bands[chosen].label, chosen))
    state.grades = grades
    for index, get in late[Stage.GRADES]:
        state.values[index] = get(state)


def describe_team(team: Team) -> str:
    """``team T1 (2024)`` for messages."""
    return fact_identity(team)
