"""Run a plan over teams: route facts, compute quantities, match, score, grade.

The pipeline is set-oriented: each phase runs over every team before the next starts, so the
matcher is asked once per phase about every *distinct* record it has not seen before (batched
into durable-rules sessions), never once per team. The same pipeline re-assesses a single team
in an incremental session.

The steps, named by the :class:`~assessment_engine.rubric.conditions.Phase` whose results they
need: route each fact to the selections its filters satisfy and count the quantities of
``FACTS`` (checking the input they depend on); match the conditions that read ``FACTS``
(indicators, adjustments, vetoes); score, which makes ``ITEMS`` and ``DIMENSIONS`` known (points,
groups, caps, dimension totals, the composite); match the grade bands, which read up to
``DIMENSIONS``; grade, which makes ``GRADES`` known; match the titles, which read up to
``GRADES``. The generated fast path (:mod:`._codegen`) runs the same steps for one team.
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from typing import Any

from .._base.collector import paused_gc
from .._base.hints import did_you_mean
from .._base.numbers import EXACT, exact_text
from .._base.progress import ProgressCallback, ticker
from .._matcher.base import Matcher
from ..errors import InputError, InputProblem
from ..facts import Team
from ..factset import Row, field_index, row_class
from ..rubric.conditions import Phase
from ._plan import ASSESSED, ROUTED, KindPlan, Plan
from ._state import Locate, TeamState

__all__ = ["evaluate", "restore_lists"]

_MEMO_LIMIT = 1_000_000  # distinct records remembered per cluster before the memo restarts


def evaluate(
    plan: Plan,
    matcher: Matcher,
    teams: Sequence[tuple[Team, Sequence[Row]]],
    *,
    source: str,
    locate: Locate,
    progress: ProgressCallback | None = None,
) -> list[TeamState]:
    """Assess ``teams`` with ``matcher``.

    :param progress: told how many teams are done (step ``"assessing"``).
    :raises InputError: with every input problem found (nothing is assessed then).

    The cyclic garbage collector is paused meanwhile: the pipeline creates many small containers
    and no reference cycles, and a full collection over millions of live facts would otherwise
    cost more than the assessment.
    """
    with paused_gc():
        return _evaluate(plan, matcher, teams, source=source, locate=locate, progress=progress)


def _evaluate(
    plan: Plan,
    matcher: Matcher,
    teams: Sequence[tuple[Team, Sequence[Row]]],
    *,
    source: str,
    locate: Locate,
    progress: ProgressCallback | None,
) -> list[TeamState]:
    tick = ticker(progress, "assessing", len(teams))
    with decimal.localcontext(EXACT):
        assess_team = plan.fast.assess_team
        states: list[TeamState] = []
        problems: list[InputProblem] = []
        start, chunk = 0, 64
        while start < len(teams):
            fresh: list[TeamState] = []
            routed: list[TeamState] = []
            for team, records in teams[start : start + chunk]:
                state = plan.new_state(team, records)
                states.append(state)
                done = assess_team(state)
                if done == ROUTED:
                    routed.append(state)
                elif done != ASSESSED:
                    fresh.append(state)
            if fresh or routed:
                _phased(plan, matcher, fresh, problems, source, locate, routed=routed)
            tick.advance(min(chunk, len(teams) - start))
            start += chunk
            # the first teams warm the memos (few distinct answers exist); then most teams take
            # the fast path, and each matcher batch for the rest is large
            chunk = 8192
        if problems:
            raise InputError(problems)
    tick.finish()
    return states


def _phased(
    plan: Plan,
    matcher: Matcher,
    states: list[TeamState],
    problems: list[InputProblem],
    source: str,
    locate: Locate,
    *,
    routed: Sequence[TeamState] = (),
) -> None:
    """The reference pipeline: every phase over every team, the matcher asked in batches.

    ``routed`` teams come from the fast path with their facts routed and their fact quantities
    computed (exactly as the first two phases here would): they join at the matching of rules.
    """
    found: list[InputProblem] = []
    _route(plan, matcher, states, found, source, locate)
    _quantities(plan, states, found, source, locate)
    if found:
        problems.extend(found)
        return
    if routed:
        states = [*states, *routed]
    _resolve(plan, matcher, states, Phase.FACTS)
    paths = plan.fast
    for state in states:
        paths.score(state)
    _resolve(plan, matcher, states, Phase.DIMENSIONS)
    for state in states:
        paths.grades(state)
    _resolve(plan, matcher, states, Phase.GRADES)
    for state in states:
        state.finish()


def restore_lists(plan: Plan, matcher: Matcher, state: TeamState) -> None:
    """Route one assessed team's facts again, for its explanation (memo hits, as a rule).

    The matcher is asked only if a memo restarted since; the team was assessed, so its facts
    route without problems.
    """
    _route(plan, matcher, [state], [], "", repr)


# --------------------------------------------------------------------------- facts


def _route(
    plan: Plan,
    matcher: Matcher,
    states: list[TeamState],
    problems: list[InputProblem],
    source: str,
    locate: Locate,
) -> None:
    table_get = plan.routes.get
    pending: list[tuple[list[list[Row]], Row, KindPlan, Any]] = []
    width = len(plan.selects)
    for state in states:
        lists = state.lists = [[] for _ in range(width)]
        for fact in state.records:
            entry = table_get(fact[0])
            if entry is None:
                problems.append(
                    InputProblem(
                        source=source,
                        record=locate(fact),
                        field=None,
                        reason=f"{row_class(fact).__qualname__} is not a fact kind any registered"
                        f" plugin provides (known: {', '.join(plan.rubric.fact_types)})",
                    )
                )
                continue
            key = entry[0](fact)
            hit = entry[1](key)
            if hit is None:
                kind_plan = entry[2]
                assert kind_plan is not None  # a kind routed nowhere always hits
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
    for lists, waiting, kind_plan, key in pending:
        for s in kind_plan.memo[key]:
            lists[s].append(waiting)


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
    compute_quantities = plan.fast.quantities
    owners = plan.assessor_scores
    score_kind = plan.rubric.fact_types.get("score")
    if score_kind is not None:
        value_at = field_index(score_kind, "value")
        indicator_at = field_index(score_kind, "indicator")
    for state in states:
        raw: list[tuple[Any, tuple[Row, ...]]] = []
        lists, team = state.lists, state.team
        compute_quantities(state, raw)
        for q, found in raw:
            names = ", ".join(locate(f) for f in found)
            problems.append(
                InputProblem(
                    source=source,
                    record=locate(found[1]),
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
                        record=locate(scores[1]),
                        field="indicator",
                        reason=f"a second score for {owner!r} in team {team.team}"
                        f" (the first is {locate(scores[0])})",
                    )
                )
            for score in scores:
                value = score[value_at]
                if not form.minimum <= value <= form.maximum:
                    problems.append(
                        InputProblem(
                            source=source,
                            record=locate(score),
                            field="value",
                            reason=f"score {exact_text(value)} for {owner!r} is outside its"
                            f" bounds [{exact_text(form.minimum)}, {exact_text(form.maximum)}]",
                        )
                    )
        if plan.all_scores is not None:
            for score in lists[plan.all_scores]:
                indicator = score[indicator_at]
                if indicator not in owners:
                    problems.append(
                        InputProblem(
                            source=source,
                            record=locate(score),
                            field="indicator",
                            reason=f"{indicator!r} is not an assessor-scored indicator or part"
                            + did_you_mean(indicator, owners)
                            + (f"; scored ones: {', '.join(sorted(owners))}" if owners else ""),
                        )
                    )


# --------------------------------------------------------------------------- matching


def _resolve(plan: Plan, matcher: Matcher, states: list[TeamState], phase: Phase) -> None:
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
