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
from typing import TYPE_CHECKING, Any

from .._base.collector import paused_gc
from .._base.hints import did_you_mean
from .._base.numbers import EXACT, exact_text, ratio_of
from .._matcher.base import Matcher
from ..errors import InputError, InputProblem
from ..facts import Fact, Record, Team
from ..rubric.conditions import (
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
from ._plan import PHASE_GRADES, PHASE_ITEMS, PHASE_TITLES, KindPlan, Plan

if TYPE_CHECKING:
    from ._codegen import FastPaths

__all__ = ["TeamState", "evaluate"]

ZERO = Decimal(0)
_MEMO_LIMIT = 1_000_000  # distinct records remembered per cluster before the memo restarts


class TeamState:
    """Everything computed about one team; results and explanations are read from it."""

    __slots__ = (
        "_lists",
        "composite",
        "grades",
        "masks",
        "plan",
        "points",
        "records",
        "team",
        "values",
        "vetoes",
    )

    #: Every number the scoring produced, in one tuple (one object per team for the garbage
    #: collector to look at, rather than eight): indicator points, adjustment amounts, amounts
    #: applied, then per dimension base, bonus before its cap, bonus, penalty and score. The
    #: properties below read it.
    points: tuple[Decimal, ...]
    vetoes: tuple[int, ...]
    composite: Decimal
    grades: Sequence[tuple[str, int]]  # (label, band index; -1 when vetoed)

    def __init__(self, plan: Plan, team: Team, records: Sequence[Record]) -> None:
        # the rest is filled by the pipeline (or the generated fast path)
        self.plan = plan
        self.team = team
        self.records = records
        self.values: Any = [None] * len(plan.quantities)
        self.masks: Any = [0] * len(plan.team_clusters)
        self._lists: list[list[Fact]] | None = None

    @property
    def lists(self) -> list[list[Fact]]:
        """The team's facts per selection.

        Not kept after scoring (a million teams' worth of small lists would cost memory and
        garbage-collector time); routed again from the memoised answers when an explanation
        asks for them.
        """
        if self._lists is None:
            self._lists = _team_lists(self)
        return self._lists

    @property
    def ind_points(self) -> tuple[Decimal, ...]:
        """Points per indicator, in plan order."""
        i, _, _ = layout(self.plan)
        return self.points[:i]

    @property
    def adj_amounts(self) -> tuple[Decimal, ...]:
        """Each adjustment's amount before its exclusive group."""
        i, a, _ = layout(self.plan)
        return self.points[i : i + a]

    @property
    def adj_applied(self) -> tuple[Decimal, ...]:
        """Each adjustment's amount after its exclusive group."""
        i, a, _ = layout(self.plan)
        return self.points[i + a : i + 2 * a]

    def _dimension_field(self, field: int) -> tuple[Decimal, ...]:
        i, a, _ = layout(self.plan)
        return self.points[i + 2 * a + field :: 5]

    @property
    def dim_base(self) -> tuple[Decimal, ...]:
        """Indicator points per dimension."""
        return self._dimension_field(0)

    @property
    def dim_bonus_raw(self) -> tuple[Decimal, ...]:
        """Bonuses applied per dimension, before its cap."""
        return self._dimension_field(1)

    @property
    def dim_bonus(self) -> tuple[Decimal, ...]:
        """Bonuses per dimension, after its cap."""
        return self._dimension_field(2)

    @property
    def dim_penalty(self) -> tuple[Decimal, ...]:
        """Penalties per dimension."""
        return self._dimension_field(3)

    @property
    def dim_score(self) -> tuple[Decimal, ...]:
        """Score per dimension."""
        return self._dimension_field(4)

    def finish(self) -> None:
        """Freeze the computed values and drop the per-selection lists."""
        self.values = tuple(self.values)
        self.masks = tuple(self.masks)
        self._lists = None


Locate = Callable[[Record], str]


def layout(plan: Plan) -> tuple[int, int, int]:
    """(indicators, adjustments, dimensions): the shape of :attr:`TeamState.points`."""
    return (len(plan.indicators), len(plan.adjustments), len(plan.rubric.dimensions))


def point_offset(plan: Plan, part: str, index: int) -> int:
    """Where a number is in :attr:`TeamState.points`.

    ``part`` is ``indicator``, ``amount``, ``applied`` or one of ``base``, ``bonus_raw``,
    ``bonus``, ``penalty``, ``score`` (``index`` is then the dimension's).
    """
    i, a, _ = layout(plan)
    if part == "indicator":
        return index
    if part == "amount":
        return i + index
    if part == "applied":
        return i + a + index
    field = ("base", "bonus_raw", "bonus", "penalty", "score").index(part)
    return i + 2 * a + 5 * index + field


def evaluate(
    plan: Plan,
    teams: Sequence[tuple[Team, Sequence[Record]]],
    *,
    source: str,
    locate: Locate,
) -> list[TeamState]:
    """Assess ``teams`` with the plan's matcher.

    :raises InputError: with every input problem found (nothing is assessed then).

    The cyclic garbage collector is paused meanwhile: the pipeline creates many small containers
    and no reference cycles, and a full collection over millions of live facts would otherwise
    cost more than the assessment.
    """
    with paused_gc():
        return _evaluate(plan, teams, source=source, locate=locate)


def _evaluate(
    plan: Plan,
    teams: Sequence[tuple[Team, Sequence[Record]]],
    *,
    source: str,
    locate: Locate,
) -> list[TeamState]:
    with decimal.localcontext(EXACT):
        assess_team = _fast_paths(plan).assess_team
        states: list[TeamState] = []
        problems: list[InputProblem] = []
        start, chunk = 0, 64
        while start < len(teams):
            deferred = []
            for team, records in teams[start : start + chunk]:
                state = TeamState(plan, team, records)
                states.append(state)
                if not assess_team(state):
                    deferred.append(state)
            if deferred:
                _phased(plan, deferred, problems, source, locate)
            start += chunk
            # the first teams warm the memos (few distinct answers exist); then most teams take
            # the fast path, and each matcher batch for the rest is large
            chunk = 8192
        if problems:
            raise InputError(problems)
    return states


def _phased(
    plan: Plan,
    states: list[TeamState],
    problems: list[InputProblem],
    source: str,
    locate: Locate,
) -> None:
    """The reference pipeline: every phase over every team, the matcher asked in batches."""
    found: list[InputProblem] = []
    _route(plan, states, found, source, locate)
    _quantities(plan, states, found, source, locate)
    if found:
        problems.extend(found)
        return
    _resolve(plan, states, PHASE_ITEMS)
    paths = _fast_paths(plan)
    for state in states:
        paths.score(state)
    _resolve(plan, states, PHASE_GRADES)
    for state in states:
        paths.grades(state)
    _resolve(plan, states, PHASE_TITLES)
    for state in states:
        state.finish()


def _team_lists(state: TeamState) -> list[list[Fact]]:
    """Route one team's facts again (memo hits; the matcher only if the memo was reset).

    The team was assessed, so its facts route without problems.
    """
    _route(state.plan, [state], [], "", repr)
    assert state._lists is not None
    return state._lists


# --------------------------------------------------------------------------- facts


def _route(
    plan: Plan,
    states: list[TeamState],
    problems: list[InputProblem],
    source: str,
    locate: Locate,
) -> None:
    table = _route_table(plan)
    table_get = table.get
    pending: list[tuple[list[list[Fact]], Fact, KindPlan, Any]] = []
    width = len(plan.selects)
    for state in states:
        lists = state._lists = [[] for _ in range(width)]
        for fact in state.records:
            entry = table_get(type(fact))
            if entry is None:
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
            key = entry[0](fact)
            hit = entry[1](key)
            if hit is None:
                pending.append((lists, fact, entry[2], key))
                continue
            for s in hit:
                lists[s].append(fact)
    if not pending:
        return
    distinct: dict[int, tuple[KindPlan, dict[Any, None]]] = {}
    for _, _, kind_plan, key in pending:
        distinct.setdefault(id(kind_plan), (kind_plan, {}))[1][key] = None
    for kind_plan, keys in distinct.values():
        _match_kind(kind_plan, plan.matcher, list(keys))
    for lists, waiting, kind_plan, key in pending:
        for s in kind_plan.memo[key]:
            lists[s].append(waiting)


_NOTHING: tuple[int, ...] = ()


def _nothing(key: object) -> tuple[int, ...]:
    return _NOTHING


def _constant(fact: Fact) -> None:
    return None


RouteEntry = tuple[Callable[[Fact], Any], Callable[[Any], Any], Any]


def _route_table(plan: Plan) -> dict[type, RouteEntry]:
    """Per fact class: its projection key, its memo lookup and its plan; built once per plan.

    Kinds that no selection reads route nowhere at the cost of one lookup.
    """
    table: dict[type, RouteEntry] | None = plan.derived.get("route_table")
    if table is None:
        table = {}
        for cls in plan.rubric.fact_types.values():
            kind_plan = plan.kinds.get(cls)
            if kind_plan is None:
                table[cls] = (_constant, _nothing, None)
            else:
                table[cls] = (kind_plan.key, kind_plan.memo.get, kind_plan)
        plan.derived["route_table"] = table
    return table


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
    compute_quantities = _fast_paths(plan).quantities
    owners = plan.assessor_scores
    for state in states:
        raw: list[tuple[Any, tuple[Fact, ...]]] = []
        lists, team = state.lists, state.team
        compute_quantities(state, raw)
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
            scores = lists[select]
            if len(scores) > 1:
                problems.append(
                    InputProblem(
                        source=source,
                        record=locate(scores[1]),  # type: ignore[arg-type]
                        field="indicator",
                        reason=f"a second score for {owner!r} in team {team.team}"
                        f" (the first is {locate(scores[0])})",  # type: ignore[arg-type]
                    )
                )
            for score in scores:
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


def _resolve(plan: Plan, states: list[TeamState], phase: int) -> None:
    matcher = plan.matcher
    for tc in plan.team_clusters:
        if tc.phase != phase:
            continue
        memo, key, index = tc.memo, tc.key, tc.index
        keys = [key(state.values) for state in states]
        misses = [k for k in dict.fromkeys(keys) if k not in memo]
        if misses:
            if len(memo) + len(misses) > _MEMO_LIMIT:
                memo.clear()  # restart: every key of these teams is a miss now
                misses = list(dict.fromkeys(keys))
            masks = matcher.match(tc.cluster, [tc.record(k) for k in misses])
            memo.update(zip(misses, masks, strict=True))
        for state, k in zip(states, keys, strict=True):
            state.masks[index] = memo[k]


# --------------------------------------------------------------------------- scoring


LateGetters = dict[int, list[tuple[int, Callable[[TeamState], Any]]]]


def _late_getters(plan: Plan) -> LateGetters:
    cached = plan.derived.get("late")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    indicators = {ip.indicator.id: i for i, ip in enumerate(plan.indicators)}
    adjustments = {ap.rule.id: i for i, ap in enumerate(plan.adjustments)}
    vetoes = {veto.id: i for i, (veto, _, _) in enumerate(plan.vetoes)}
    dims = plan.dimension_index
    scales = {scale.id: i for i, (scale, _) in enumerate(plan.scales)}

    def at(part: str, index: int) -> Callable[[TeamState], Any]:
        offset = point_offset(plan, part, index)
        return lambda s: s.points[offset]

    def getter(q: Quantity) -> Callable[[TeamState], Any]:
        if isinstance(q, IndicatorPoints):
            return at("indicator", indicators[q.indicator])
        if isinstance(q, AdjustmentPoints):
            return at("applied", adjustments[q.rule])
        if isinstance(q, Triggered):
            if q.rule in vetoes:
                i = vetoes[q.rule]
                return lambda s: i in s.vetoes
            offset = point_offset(plan, "applied", adjustments[q.rule])
            return lambda s: s.points[offset] > 0
        if isinstance(q, Vetoed):
            return lambda s: bool(s.vetoes)
        if isinstance(q, DimensionScore):
            return at("score", dims[q.dimension])
        if isinstance(q, DimensionBonus):
            return at("bonus", dims[q.dimension])
        if isinstance(q, DimensionPenalty):
            return at("penalty", dims[q.dimension])
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
                return ratio_of(s.values[num], s.values[den], as_pair=simple)

            return ratio
        raise TypeError(f"no getter for {q!r}")  # pragma: no cover

    late: LateGetters = {Stage.ITEMS: [], Stage.DIMENSIONS: [], Stage.GRADES: []}
    for qp in plan.quantities:
        if qp.compute is None:
            late[qp.stage].append((qp.index, getter(qp.quantity)))
    plan.derived["late"] = late
    return late


def _fast_paths(plan: Plan) -> FastPaths:
    cached = plan.derived.get("fast")
    if cached is None:
        from ._codegen import compile_fast_paths

        cached = compile_fast_paths(plan, _late_getters(plan), _route_table(plan))
        plan.derived["fast"] = cached
    return cached


def group_members(plan: Plan) -> dict[int, list[int]]:
    """Per adjustment in an exclusive group: the group's members (itself included)."""
    cached = plan.derived.get("group_members")
    if cached is None:
        cached = {i: members for members in _groups(plan) for i in members}
        plan.derived["group_members"] = cached
    return cached


def _groups(plan: Plan) -> list[list[int]]:
    """Exclusive groups: indices of adjustments sharing (dimension, kind, group), in id order."""
    cached = plan.derived.get("groups")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    by_key: dict[tuple[int, str, str], list[int]] = {}
    for i, ap in enumerate(plan.adjustments):
        if ap.rule.group is not None:
            by_key.setdefault((ap.dimension, ap.kind, ap.rule.group), []).append(i)
    # members by id: equal amounts go to the smallest id
    groups = [
        sorted(members, key=lambda i: plan.adjustments[i].rule.id)
        for _, members in sorted(by_key.items())
    ]
    plan.derived["groups"] = groups
    return groups
