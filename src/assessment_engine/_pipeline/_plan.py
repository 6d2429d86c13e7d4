"""Compile a rubric into a plan: selections, quantities, clusters of rules, and scorers.

The plan is what an assessment runs. Its parts:

* **fact streams** — for each fact kind, the filters its selections use, compiled into
  clusters; a fact's *projection* (the fields the filters read) is matched once and the answer
  remembered, so the matcher sees each distinct projection once, however many facts share it;
* **quantities** — per-team numbers in slots, computed from the selected facts (stage 1) or
  from earlier results (indicator points, dimension scores, grades);
* **team clusters** — the rubric's conditions (bands, vetoes, conditional awards, deductions,
  grade bands and requirements, titles) compiled into rules grouped by the quantities they read,
  matched per distinct combination of values, phase by phase;
* **scorers** — exact arithmetic over the matcher's answers (see :mod:`._scorers`).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from .._base.numbers import exact_ratio, ratio_of
from .._matcher.base import (
    MAX_RULES_PER_CLUSTER,
    And,
    Atom,
    Cluster,
    Expr,
    Or,
    Property,
    Rule,
    negate,
)
from ..facts import Fact
from ..rubric import Rubric
from ..rubric.conditions import (
    AllOf,
    AnyOf,
    Compare,
    Composite,
    Condition,
    Count,
    DimensionScore,
    DistinctCount,
    Field,
    HasTag,
    Headcount,
    Largest,
    Mean,
    Not,
    OneOf,
    Quantity,
    Ratio,
    Select,
    Stage,
    TeamAttr,
    Total,
    ValueOf,
)
from ..rubric.model import GradeScale, Title, Veto
from ._scorers import (
    AdjustmentPlan,
    IndicatorPlan,
    RuleRef,
    Scorer,
    compile_scoring,
)

__all__ = [
    "PHASE_GRADES",
    "PHASE_ITEMS",
    "PHASE_TITLES",
    "KindPlan",
    "Plan",
    "TeamCluster",
    "compile_plan",
    "to_expr",
]

PHASE_ITEMS = 1  # conditions of indicators, adjustments and vetoes (over fact quantities)
PHASE_GRADES = 3  # grade bands and their requirements (up to dimension scores)
PHASE_TITLES = 4  # titles (up to grades)
_MAX_COMPARISONS = 60  # see _matcher.durable.LIMITS["comparisons per cluster"]


def _cost(expr: Expr, kinds: Sequence[str]) -> int:
    """Comparisons the expression costs once encoded for durable-rules."""
    if isinstance(expr, Atom):
        return 2 if kinds[expr.prop] == "number" and expr.op in ("==", "!=") else 1
    return sum(_cost(x, kinds) for x in expr.items)


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


def _sort_key(value: object) -> tuple[str, str]:
    return (type(value).__name__, str(value))


def to_expr(cond: Condition, prop: Callable[[object], int], negated: bool = False) -> Expr:
    """A condition in negation normal form over property indices."""
    if isinstance(cond, Compare):
        atom = Atom(prop(cond.left), cond.op, cond.value)
        return negate(atom) if negated else atom
    if isinstance(cond, OneOf):
        p = prop(cond.left)
        values = sorted(cond.values, key=_sort_key)
        if negated:
            return And(tuple(Atom(p, "!=", v) for v in values))
        return Or(tuple(Atom(p, "==", v) for v in values))
    if isinstance(cond, HasTag):
        return Atom(prop(("tag", cond.tag)), "!=" if negated else "==", True)
    if isinstance(cond, AllOf):
        items = tuple(to_expr(c, prop, negated) for c in cond.items)
        return Or(items) if negated else And(items)
    if isinstance(cond, AnyOf):
        items = tuple(to_expr(c, prop, negated) for c in cond.items)
        return And(items) if negated else Or(items)
    if isinstance(cond, Not):
        return to_expr(cond.item, prop, not negated)
    raise TypeError(f"not a condition: {cond!r}")  # pragma: no cover


def _operands(cond: Condition) -> list[object]:
    """The fields, tags or quantities a condition reads, in first-use order."""
    if isinstance(cond, Compare | OneOf):
        return [cond.left]
    if isinstance(cond, HasTag):
        return [("tag", cond.tag)]
    if isinstance(cond, AllOf | AnyOf):
        return [x for c in cond.items for x in _operands(c)]
    if isinstance(cond, Not):
        return _operands(cond.item)
    raise TypeError(f"not a condition: {cond!r}")  # pragma: no cover


class KindPlan:
    """How the facts of one kind are matched and routed to selections."""

    __slots__ = ("always", "clusters", "fields", "key", "kind", "memo", "routes", "tags")

    def __init__(self, kind: str, fields: tuple[str, ...], tags: tuple[str, ...]) -> None:
        self.kind = kind
        self.fields = fields
        self.tags = tags
        self.always: tuple[int, ...] = ()
        self.clusters: list[Cluster] = []
        self.routes: list[tuple[int, ...]] = []  # per cluster: rule bit -> select index
        self.memo: dict[Any, tuple[int, ...]] = {}
        self.key: Callable[[Fact], Any] = _constant_key
        if fields and not tags:
            self.key = operator.attrgetter(*fields)
        elif tags:
            getter = operator.attrgetter(*fields) if fields else None
            many = len(fields) > 1

            def key(fact: Fact, getter: Any = getter, tags: tuple[str, ...] = tags) -> Any:
                own = fact.tags  # type: ignore[attr-defined]
                found = tuple(t in own for t in tags)
                if getter is None:
                    return found
                values = getter(fact)
                return (*values, *found) if many else (values, *found)

            self.key = key

    def record(self, key: Any) -> tuple[object, ...]:
        """The matcher record for a projection key."""
        width = len(self.fields) + len(self.tags)
        if width == 0:
            return ()
        if width == 1 and not self.tags:
            return (key,)
        return tuple(key)


def _constant_key(fact: Fact) -> Any:
    return None


class TeamCluster:
    """A cluster of team-level rules, the quantity slots it reads, and its memo."""

    __slots__ = ("cluster", "index", "key", "memo", "phase", "slots")

    def __init__(self, index: int, phase: int, cluster: Cluster, slots: tuple[int, ...]) -> None:
        self.index = index
        self.phase = phase
        self.cluster = cluster
        self.slots = slots
        self.memo: dict[Any, int] = {}
        # a rule may read no quantity at all (``WhenAll(2, [AllOf()])``): one constant key
        getter = operator.itemgetter(*slots) if slots else _no_slots
        self.key: Callable[[list[Any]], Any] = getter

    def record(self, key: Any) -> tuple[object, ...]:
        """The matcher record for a key (ratios as exact fractions, ÷0 as missing)."""
        values = (key,) if len(self.slots) == 1 else key
        return tuple(_matchable(v) for v in values)


def _no_slots(values: list[Any]) -> tuple[()]:
    return ()


def _matchable(value: object) -> object:
    return exact_ratio(*value) if isinstance(value, tuple) else value


class QuantityPlan:
    """One quantity slot: the quantity, when it is known, and (stage 1) how to compute it."""

    __slots__ = ("compute", "index", "quantity", "stage")

    def __init__(self, index: int, quantity: Quantity, compute: Callable[..., Any] | None) -> None:
        self.index = index
        self.quantity = quantity
        self.stage = quantity.quantity_stage()
        self.compute = compute


class Plan:
    """The compiled rubric: everything :mod:`._evaluate` needs, nothing it must compute again."""

    def __init__(self, rubric: Rubric) -> None:
        self.rubric = rubric
        self.selects: list[Select] = []
        self.select_index: dict[Select, int] = {}
        self.quantities: list[QuantityPlan] = []
        self.quantity_index: dict[Quantity, int] = {}
        self.kinds: dict[type[Fact], KindPlan] = {}
        self.team_clusters: list[TeamCluster] = []
        self.indicators: list[IndicatorPlan] = []
        self.adjustments: list[AdjustmentPlan] = []
        self.vetoes: list[tuple[Veto, RuleRef, tuple[int, ...]]] = []
        self.scales: list[tuple[GradeScale, list[RuleRef | None]]] = []
        self.titles: list[tuple[Title, RuleRef | None]] = []
        self.dimension_index = {d.id: i for i, d in enumerate(rubric.dimensions)}
        self.weights: list[Decimal] = []
        self.pending_rules: list[tuple[int, RuleRef, Condition]] = []
        self.assessor_scores: dict[str, tuple[int, Any]] = {}
        self.matcher: Any = None  # set by the engine that owns the plan
        #: what the evaluator derives from the plan once (route table, generated code, ...)
        self.derived: dict[str, Any] = {}
        self.all_scores: int | None = None

    def quantity_selects(self, slot: int) -> list[int]:
        """The selections a stage-1 quantity reads (for explanations)."""
        cache: dict[int, list[int]] = self.__dict__.setdefault("_quantity_selects", {})
        found = cache.get(slot)
        if found is None:
            found = cache[slot] = _selects_of(self, self.quantities[slot].quantity)
        return found

    # ------------------------------------------------------------------ registries
    def select(self, select: Select) -> int:
        """The slot of a selection's fact list."""
        index = self.select_index.get(select)
        if index is None:
            index = len(self.selects)
            self.selects.append(select)
            self.select_index[select] = index
        return index

    def quantity(self, q: Quantity) -> int:
        """The slot of a quantity's value."""
        index = self.quantity_index.get(q)
        if index is None:
            compute = self._compute(q)
            index = len(self.quantities)
            self.quantities.append(QuantityPlan(index, q, compute))
            self.quantity_index[q] = index
        return index

    def rule(self, phase: int, name: str, condition: Condition) -> RuleRef:
        """Register a condition to be matched in a phase; resolved when the plan is finished."""
        ref = RuleRef(name, condition)
        for operand in _operands(condition):
            if not isinstance(operand, Field | tuple):
                self.quantity(operand)  # type: ignore[arg-type]
        self.pending_rules.append((phase, ref, condition))
        return ref

    def _compute(self, q: Quantity) -> Callable[..., Any] | None:
        """How to compute a stage-1 quantity from (lists, team); None for later stages."""
        if isinstance(q, Count):
            s = self.select(q.select)
            return lambda lists, team, problems: len(lists[s])
        if isinstance(q, Total):
            s, get = self.select(q.select), operator.attrgetter(q.field)
            return lambda lists, team, problems: _total(lists[s], get)
        if isinstance(q, Mean):
            s, get = self.select(q.select), operator.attrgetter(q.field)

            def mean(lists: list[list[Fact]], team: Any, problems: list[Any]) -> Any:
                values = [v for f in lists[s] if (v := get(f)) is not None]
                return (sum(values, Decimal(0)), len(values)) if values else None

            return mean
        if isinstance(q, Largest):
            s, get = self.select(q.select), operator.attrgetter(q.field)

            def largest(lists: list[list[Fact]], team: Any, problems: list[Any]) -> Any:
                values = [v for f in lists[s] if (v := get(f)) is not None]
                return max(values) if values else None

            return largest
        if isinstance(q, DistinctCount):
            s, get = self.select(q.select), operator.attrgetter(q.field)
            return lambda lists, team, problems: len(
                {v for f in lists[s] if (v := get(f)) is not None}
            )
        if isinstance(q, ValueOf):
            s, get, default = self.select(q.select), operator.attrgetter(q.field), q.default

            def value_of(lists: list[list[Fact]], team: Any, problems: list[Any]) -> Any:
                found = lists[s]
                if not found:
                    return default
                if len(found) > 1:
                    problems.append((q, tuple(found)))
                    return default
                value = get(found[0])
                return default if value is None else value

            return value_of
        if isinstance(q, Headcount):
            return lambda lists, team, problems: team.headcount
        if isinstance(q, TeamAttr):
            attr = operator.attrgetter("team" if q.field == "id" else q.field)
            return lambda lists, team, problems: attr(team)
        if isinstance(q, Ratio):
            self.quantity(q.numerator)
            self.quantity(q.denominator)
            if q.quantity_stage() > Stage.FACTS:
                return None
            num = self._compute(q.numerator)
            den = self._compute(q.denominator)
            assert num is not None
            assert den is not None
            simple = q.numerator.quantity_kind() == "number" and (
                q.denominator.quantity_kind() == "number"
            )

            def ratio(lists: list[list[Fact]], team: Any, problems: list[Any]) -> Any:
                n, d = num(lists, team, problems), den(lists, team, problems)
                return ratio_of(n, d, as_pair=simple)

            return ratio
        return None  # known only after scoring; filled by the evaluator

    # ------------------------------------------------------------------ finishing
    def finish(self) -> None:
        """Group the registered rules into clusters; build the fact streams."""
        self._build_fact_streams()
        groups: dict[tuple[int, tuple[int, ...]], list[tuple[RuleRef, Condition]]] = {}
        for phase, ref, cond in self.pending_rules:
            read: list[int] = []
            for operand in _operands(cond):
                slot = self.quantity(operand)  # type: ignore[arg-type]
                if slot not in read:
                    read.append(slot)
            groups.setdefault((phase, tuple(sorted(read))), []).append((ref, cond))
        code = len(self.clusters_of_kinds()) + 1
        for (phase, slots), items in sorted(groups.items()):
            position = {s: i for i, s in enumerate(slots)}
            properties = tuple(
                Property(
                    f"q{s}:{type(self.quantities[s].quantity).__name__}",
                    _prop_kind(self.quantities[s].quantity),
                )
                for s in slots
            )
            kinds = [p.kind for p in properties]
            rules = [
                Rule(
                    ref.name,
                    to_expr(cond, lambda q, pos=position: pos[self.quantity(q)]),  # type: ignore[misc]
                )
                for ref, cond in items
            ]
            refs = [ref for ref, _ in items]
            start = 0
            for chunk in _chunks(rules, kinds):
                cluster = Cluster(code, f"team-phase{phase}", properties, tuple(chunk))
                tc = TeamCluster(len(self.team_clusters), phase, cluster, slots)
                self.team_clusters.append(tc)
                for bit, _ in enumerate(chunk):
                    refs[start + bit].bind(tc.index, bit)
                start += len(chunk)
                code += 1
        self.pending_rules.clear()

    def _build_fact_streams(self) -> None:
        by_kind: dict[str, list[int]] = {}
        for index, select in enumerate(self.selects):
            by_kind.setdefault(select.kind, []).append(index)
        code = 1
        for kind in sorted(by_kind):
            cls = self.rubric.fact_types[kind]
            indices = by_kind[kind]
            operands: list[object] = []
            for i in indices:
                where = self.selects[i].where
                if where is not None:
                    for operand in _operands(where):
                        if operand not in operands:
                            operands.append(operand)
            fields = tuple(sorted(o.name for o in operands if isinstance(o, Field)))
            tags = tuple(sorted(o[1] for o in operands if isinstance(o, tuple)))
            plan = KindPlan(kind, fields, tags)
            position: dict[object, int] = {f: i for i, f in enumerate(fields)}
            position.update({("tag", t): len(fields) + i for i, t in enumerate(tags)})
            from ..facts import fact_fields

            specs = fact_fields(cls)
            properties = tuple(
                Property(f, "text" if specs[f].kind == "text" else specs[f].kind)  # type: ignore[arg-type]
                for f in fields
            ) + tuple(Property(f"tag:{t}", "flag") for t in tags)
            always = []
            filtered: list[tuple[int, Rule]] = []
            for i in indices:
                where = self.selects[i].where
                if where is None:
                    always.append(i)
                    continue

                def prop(operand: object, position: dict[object, int] = position) -> int:
                    key = operand.name if isinstance(operand, Field) else operand
                    return position[key]

                expr = to_expr(where, prop)
                filtered.append((i, Rule(f"select:{i}", expr)))
            plan.always = tuple(always)
            kinds = [p.kind for p in properties]
            start = 0
            for chunk in _chunks([r for _, r in filtered], kinds):
                plan.clusters.append(Cluster(code, f"facts-{kind}", properties, tuple(chunk)))
                plan.routes.append(tuple(filtered[start + b][0] for b in range(len(chunk))))
                start += len(chunk)
                code += 1
            self.kinds[cls] = plan

    def clusters_of_kinds(self) -> list[Cluster]:
        """The fact streams' clusters."""
        return [c for plan in self.kinds.values() for c in plan.clusters]

    def all_clusters(self) -> list[Cluster]:
        """Every cluster the matcher must prepare."""
        return self.clusters_of_kinds() + [tc.cluster for tc in self.team_clusters]


def _selects_of(plan: Plan, q: Quantity) -> list[int]:
    if isinstance(q, Count | Total | Mean | Largest | DistinctCount | ValueOf):
        return [plan.select(q.select)]
    if isinstance(q, Ratio):
        return _selects_of(plan, q.numerator) + _selects_of(plan, q.denominator)
    return []


def _prop_kind(q: Quantity) -> Any:
    kind = q.quantity_kind()
    return "number" if kind == "ratio" else kind


def _total(facts: list[Fact], get: Callable[[Fact], Any]) -> Any:
    total: Any = 0
    for f in facts:
        v = get(f)
        if v is not None:
            total += v
    return total


def compile_plan(rubric: Rubric) -> Plan:
    """Compile a checked rubric into a plan."""
    plan = Plan(rubric)
    weights = {w.dimension: w.weight for w in rubric.weights}
    plan.weights = [weights.get(d.id, Decimal(1)) for d in rubric.dimensions]
    for indicator in rubric.indicators:
        scorer: Scorer = compile_scoring(plan, indicator.scoring, indicator.id, indicator.label)
        plan.indicators.append(
            IndicatorPlan(indicator, plan.dimension_index[indicator.dimension], scorer)
        )
    for kind, items in (("bonus", rubric.bonuses), ("penalty", rubric.penalties)):
        for adj in items:
            scorer = compile_scoring(plan, adj.scoring, adj.id, adj.label)
            plan.adjustments.append(
                AdjustmentPlan(adj, kind, plan.dimension_index[adj.dimension], scorer)
            )
    for veto in rubric.vetoes:
        ref = plan.rule(PHASE_ITEMS, f"{veto.id}#veto", veto.when)
        selects: list[int] = []
        for operand in _operands(veto.when):
            for s in _selects_of(plan, operand):  # type: ignore[arg-type]
                if s not in selects:
                    selects.append(s)
        plan.vetoes.append((veto, ref, tuple(selects)))
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
            refs.append(plan.rule(PHASE_GRADES, f"{scale.id}#band{i}", cond))
        plan.scales.append((scale, refs))
    for title in rubric.titles:
        title_ref = (
            None if title.when is None else plan.rule(PHASE_TITLES, f"{title.id}#title", title.when)
        )
        plan.titles.append((title, title_ref))
    for key in rubric.ranking.keys:
        plan.quantity(key.quantity)
    if "score" in rubric.fact_types:
        plan.all_scores = plan.select(Select("score"))
    plan.finish()
    return plan
