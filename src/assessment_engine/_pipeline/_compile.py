"""Compile a checked rubric into a :class:`~._plan.Plan`, every table the evaluator reads included.

The scorers register what they read into :class:`~._slots.Slots`; the registered conditions are
grouped into clusters (by phase and the quantity slots they read, chunked to the matchers'
limits); the fact streams get their filter clusters; then the derived tables — the route table,
the late getters, the exclusive groups — and the generated fast path are worked out once.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, assert_never

from .._matcher.base import MAX_RULES_PER_CLUSTER, And, Atom, Cluster, Expr, Or, Property, Rule
from ..facts import Fact, fact_fields
from ..factset import Row, kind_code
from ..rubric import Rubric
from ..rubric.conditions import (
    AllOf,
    Compare,
    Composite,
    Condition,
    DimensionScore,
    Field,
    Phase,
    Quantity,
    Select,
)
from ..rubric.walk import Operand, operands, quantity_selects
from ._codegen import compile_fast_paths
from ._conditions import to_expr
from ._late import late_getters
from ._plan import KindPlan, Plan, RouteEntry, TeamCluster, VetoPlan
from ._scorers import AdjustmentPlan, IndicatorPlan, compile_scoring
from ._slots import RuleRef, Slots

__all__ = ["compile_plan"]

_MAX_COMPARISONS = 60  # see _matcher.durable.LIMITS["comparisons per cluster"]


def _cost(expr: Expr, kinds: Sequence[str]) -> int:
    """Comparisons the expression costs once encoded for durable-rules."""
    if isinstance(expr, Atom):
        return 2 if kinds[expr.prop] == "number" and expr.op in ("==", "!=") else 1
    if isinstance(expr, And | Or):
        return sum(_cost(x, kinds) for x in expr.items)
    assert_never(expr)


def _chunks(rules: list[Rule], kinds: Sequence[str]) -> list[list[Rule]]:
    chunks: list[list[Rule]] = []
    cost = 0
    for rule in rules:
        c = _cost(rule.expr, kinds)
        if chunks and len(chunks[-1]) < MAX_RULES_PER_CLUSTER and cost + c <= _MAX_COMPARISONS:
            chunks[-1].append(rule)
            cost += c
        else:
            chunks.append([rule])
            cost = c
    return chunks


def _prop_kind(q: Quantity) -> Any:
    kind = q.quantity_kind()
    return "number" if kind == "ratio" else kind


def _team_clusters(slots: Slots, first_code: int) -> list[TeamCluster]:
    """The registered rules grouped by (phase, slots read), chunked; each rule bound."""
    groups: dict[tuple[Phase, tuple[int, ...]], list[RuleRef]] = {}
    for ref in slots.rules:
        read: list[int] = []
        for q in operands(ref.condition):
            slot = slots.quantity(q)  # type: ignore[arg-type]  # team rules read quantities
            if slot not in read:
                read.append(slot)
        groups.setdefault((ref.phase, tuple(sorted(read))), []).append(ref)
    clusters: list[TeamCluster] = []
    code = first_code
    for (phase, read_slots), refs in sorted(groups.items()):
        position = {s: i for i, s in enumerate(read_slots)}
        properties = tuple(
            Property(
                f"q{s}:{type(slots.quantities[s].quantity).__name__}",
                _prop_kind(slots.quantities[s].quantity),
            )
            for s in read_slots
        )
        kinds = [p.kind for p in properties]

        def prop(q: Any, position: dict[int, int] = position) -> int:
            return position[slots.quantity(q)]

        rules = [Rule(ref.name, to_expr(ref.condition, prop)) for ref in refs]
        start = 0
        for chunk in _chunks(rules, kinds):
            cluster = Cluster(code, f"team-phase{int(phase)}", properties, tuple(chunk))
            tc = TeamCluster(len(clusters), phase, cluster, read_slots)
            clusters.append(tc)
            for bit, _ in enumerate(chunk):
                refs[start + bit].bind(tc.index, bit)
            start += len(chunk)
            code += 1
    return clusters


def _fact_streams(rubric: Rubric, selects: Sequence[Select]) -> dict[type[Fact], KindPlan]:
    """Per fact kind that a selection reads: its projection and its filter clusters."""
    by_kind: dict[str, list[int]] = {}
    for index, select in enumerate(selects):
        by_kind.setdefault(select.kind, []).append(index)
    kinds: dict[type[Fact], KindPlan] = {}
    code = 1
    for kind in sorted(by_kind):
        cls = rubric.fact_types[kind]
        indices = by_kind[kind]
        read: dict[Operand, None] = {}
        for i in indices:
            where = selects[i].where
            if where is not None:
                read.update(dict.fromkeys(operands(where)))
        fields = tuple(sorted(o.name for o in read if isinstance(o, Field)))
        tags = tuple(sorted(o[1] for o in read if isinstance(o, tuple)))
        plan = KindPlan(kind, cls, fields, tags)
        position: dict[object, int] = {f: i for i, f in enumerate(fields)}
        position.update({("tag", t): len(fields) + i for i, t in enumerate(tags)})
        specs = fact_fields(cls)
        properties = tuple(
            Property(f, specs[f].kind)  # type: ignore[arg-type]  # rubric checks: no "other"
            for f in fields
        ) + tuple(Property(f"tag:{t}", "flag") for t in tags)

        def prop(operand: object, position: dict[object, int] = position) -> int:
            return position[operand.name if isinstance(operand, Field) else operand]

        always = []
        filtered: list[tuple[int, Rule]] = []
        for i in indices:
            where = selects[i].where
            if where is None:
                always.append(i)
            else:
                filtered.append((i, Rule(f"select:{i}", to_expr(where, prop))))
        plan.always = tuple(always)
        start = 0
        for chunk in _chunks([r for _, r in filtered], [p.kind for p in properties]):
            plan.clusters.append(Cluster(code, f"facts-{kind}", properties, tuple(chunk)))
            plan.routes.append(tuple(filtered[start + b][0] for b in range(len(chunk))))
            start += len(chunk)
            code += 1
        kinds[cls] = plan
    return kinds


def _nothing(key: object) -> tuple[int, ...]:
    return ()


def _constant(row: Row) -> None:
    return None


def _route_table(rubric: Rubric, kinds: dict[type[Fact], KindPlan]) -> dict[int, RouteEntry]:
    """Per fact class (by its rows' code): its projection key, its memo lookup and its plan.

    Kinds that no selection reads route nowhere at the cost of one lookup.
    """
    table: dict[int, RouteEntry] = {}
    for cls in rubric.fact_types.values():
        kind_plan = kinds.get(cls)
        if kind_plan is None:
            table[kind_code(cls)] = (_constant, _nothing, None)
        else:
            table[kind_code(cls)] = (kind_plan.key, kind_plan.memo.get, kind_plan)
    return table


def _groups(adjustments: Sequence[AdjustmentPlan]) -> list[list[int]]:
    """Exclusive groups: indices of adjustments sharing (dimension, group), in rubric order.

    A group may hold bonuses and penalties together; members are in rubric order (``order``,
    then id), and equal amounts go to the first.
    """
    by_key: dict[tuple[int, str], list[int]] = {}
    for i, ap in enumerate(adjustments):
        if ap.rule.group is not None:
            by_key.setdefault((ap.dimension, ap.rule.group), []).append(i)
    return [
        sorted(members, key=lambda i: (adjustments[i].rule.order, adjustments[i].rule.id))
        for _, members in sorted(by_key.items())
    ]


def compile_plan(rubric: Rubric) -> Plan:
    """Compile a checked rubric into a plan, its fast path generated."""
    slots = Slots(rubric.fact_types)
    dimension_index = {d.id: i for i, d in enumerate(rubric.dimensions)}
    weight_of = {w.dimension: w.weight for w in rubric.weights}
    weights = [weight_of.get(d.id, Decimal(1)) for d in rubric.dimensions]
    indicators = [
        IndicatorPlan(
            indicator,
            dimension_index[indicator.dimension],
            compile_scoring(slots, indicator.scoring, indicator.id, indicator.label),
        )
        for indicator in rubric.indicators
    ]
    adjustments: list[AdjustmentPlan] = []
    for kind, items in (("bonus", rubric.bonuses), ("penalty", rubric.penalties)):
        for adj in items:
            scorer = compile_scoring(slots, adj.scoring, adj.id, adj.label)
            adjustments.append(AdjustmentPlan(adj, kind, dimension_index[adj.dimension], scorer))
    vetoes = []
    for veto in rubric.vetoes:
        ref = slots.rule(Phase.FACTS, f"{veto.id}#veto", veto.when)
        selects: dict[int, None] = {}
        for q in operands(veto.when):
            for select in quantity_selects(q):  # type: ignore[arg-type]  # vetoes read quantities
                selects.setdefault(slots.select(select))
        vetoes.append(VetoPlan(veto, ref, tuple(selects)))
    scales = []
    for scale in rubric.grade_scales:
        score: Quantity = Composite() if scale.of is None else DimensionScore(scale.of)
        refs: list[RuleRef | None] = []
        for i, band in enumerate(scale.bands):
            if band.at_least is None:
                refs.append(None)
                continue
            cond: Condition = Compare(score, ">=", band.at_least)
            if band.requires is not None:
                cond = AllOf(cond, band.requires)
            refs.append(slots.rule(Phase.DIMENSIONS, f"{scale.id}#band{i}", cond))
        scales.append((scale, refs))
    titles = [
        (
            title,
            None
            if title.when is None
            else slots.rule(Phase.GRADES, f"{title.id}#title", title.when),
        )
        for title in rubric.titles
    ]
    for key in rubric.ranking.keys:
        slots.quantity(key.quantity)
    all_scores = slots.select(Select("score")) if "score" in rubric.fact_types else None
    kinds = _fact_streams(rubric, slots.selects)
    first_team_code = sum(len(k.clusters) for k in kinds.values()) + 1
    team_clusters = _team_clusters(slots, first_team_code)
    plan = Plan(
        rubric=rubric,
        selects=slots.selects,
        quantities=slots.quantities,
        quantity_index=slots.quantity_index,
        kinds=kinds,
        team_clusters=team_clusters,
        indicators=indicators,
        adjustments=adjustments,
        vetoes=vetoes,
        scales=scales,
        titles=titles,
        weights=weights,
        assessor_scores=slots.assessor_scores,
        all_scores=all_scores,
        routes=_route_table(rubric, kinds),
        groups=_groups(adjustments),
    )
    plan.late = late_getters(plan)
    plan.fast = compile_fast_paths(plan)
    return plan
