"""Generated fast paths: straight-line Python compiled once per plan.

The evaluator's work per team — route its facts through the memoised filter answers, compute
the fact quantities, look up the memoised rule answers, score every indicator and adjustment,
apply groups, caps and floors, total the dimensions and the composite, grade — is the same
sequence of small steps for every team. Written as calls through scorer objects it costs more in
interpreter overhead than in arithmetic, so the plan is compiled into Python source (as
``attrs`` generates ``__init__``) with constants bound by name and the common forms inlined.

Three functions are generated:

* ``quantities(state, problems)`` and ``score(state)``: steps of the phased pipeline;
* ``assess_team(state)``: the whole assessment of one team in one function, for the case where
  every answer it needs is already memoised. It stops as soon as something is not (a
  projection or a combination of values the matcher has not seen, an input problem to
  report), and the team then goes through the phased pipeline, which asks the matcher in
  batches: from the start, or — when only a rule's answer was missing — from the matching of
  rules on, keeping the facts it routed and the quantities it computed. The phased pipeline
  is the reference: a test runs both and compares.

Forms without an inline version call their scorer object. Explanations never use generated
code; a property test holds explanation lines and generated points to the same totals. The
source is kept (``plan.fast.source``) and registered in :mod:`linecache`, as attrs does, so a
traceback through generated code shows its lines.
"""

from __future__ import annotations

import itertools
import linecache
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Final, assert_never

from ..facts import fact_fields
from ..factset import field_index
from ..rubric.conditions import (
    AdjustmentPoints,
    Composite,
    Count,
    DimensionBonus,
    DimensionPenalty,
    DimensionScore,
    DistinctCount,
    Grade,
    Headcount,
    IndicatorPoints,
    Largest,
    Mean,
    PenaltyTotal,
    Phase,
    Ratio,
    TeamAttr,
    Total,
    Triggered,
    ValueOf,
    Vetoed,
)
from ._plan import ASSESSED, NOT_STARTED, ROUTED, FastPaths, Plan
from ._scorers import (
    AdjustmentPlan,
    BandsScorer,
    IndicatorPlan,
    LinearScorer,
    PerItemScorer,
    Scorer,
    WhenAllScorer,
)
from ._slots import RuleRef, is_simple_ratio
from ._state import NO_LISTS

__all__ = ["compile_fast_paths"]

ZERO = Decimal(0)


class _Source:
    """Accumulates generated lines and the constants they refer to."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.names: dict[str, Any] = {"ZERO": ZERO}
        self._ids: dict[int, str] = {}
        self.indent = 1

    def const(self, value: Any, prefix: str = "C") -> str:
        key = id(value)
        name = self._ids.get(key)
        if name is None:
            name = f"{prefix}{len(self._ids)}"
            self._ids[key] = name
            self.names[name] = value
        return name

    def add(self, line: str, extra: int = 0) -> None:
        self.lines.append("    " * (self.indent + extra) + line)


def _bit(ref: RuleRef) -> str:
    return f"(M[{ref.cluster}] >> {ref.bit} & 1)"


def _bounds(scorer: Scorer) -> tuple[Decimal | None, Decimal | None]:
    """Known lower and upper bounds of a scorer's points (None when unknown)."""
    if isinstance(scorer, PerItemScorer) and not scorer.best:
        return ZERO, scorer.cap
    if isinstance(scorer, BandsScorer):
        return ZERO, max([*scorer.band_points, scorer.form.otherwise])
    if isinstance(scorer, WhenAllScorer):
        return ZERO, scorer.form.points
    return None, None


def _emit_scorer(src: _Source, scorer: Scorer, var: str) -> None:
    """Code that leaves the scorer's points in ``var``."""
    if isinstance(scorer, PerItemScorer) and not scorer.best:
        if scorer.fixed is not None:
            src.add(f"{var} = len(L[{scorer.select}]) * {src.const(scorer.fixed)}")
        else:
            table = src.const(scorer.lookup)
            default = src.const(scorer.default)
            src.add(f"{var} = ZERO")
            src.add(f"for _f in L[{scorer.select}]:")
            src.add(f"{var} += {table}.get(_f[{scorer.index}], {default})", 1)
        if scorer.cap is not None:
            _emit_clip(src, var, scorer.cap)
        return
    if isinstance(scorer, BandsScorer):
        keyword = "if"
        for ref, points in zip(scorer.refs, scorer.band_points, strict=True):
            src.add(f"{keyword} {_bit(ref)}:")
            src.add(f"{var} = {src.const(points)}", 1)
            keyword = "elif"
        src.add("else:")
        src.add(f"{var} = {src.const(scorer.form.otherwise)}", 1)
        return
    if isinstance(scorer, WhenAllScorer):
        condition = " and ".join(_bit(ref) for ref in scorer.refs)
        src.add(f"{var} = {src.const(scorer.form.points)} if {condition} else ZERO")
        return
    if isinstance(scorer, LinearScorer) and scorer.kind == "number":
        # a plain number (int or Decimal) or missing: no ratio, so no Fraction needed
        per = src.const(scorer.per)
        src.add(f"_x = V[{scorer.slot}]")
        src.add("if _x is None or _x <= 0:")
        src.add(f"{var} = ZERO", 1)
        src.add("else:")
        if scorer.unit is None:
            src.add(f"{var} = {per} * _x", 1)
        else:
            src.add(f"{var} = {per} * (_x // {src.const(scorer.unit)})", 1)
        if scorer.cap is not None:
            _emit_clip(src, var, scorer.cap)
        return
    src.add(f"{var} = {src.const(scorer.points, 'S')}(st)")


def _emit_clip(src: _Source, var: str, top: Decimal) -> None:
    """``var = min(var, top)``, as a test (cheaper than min() on Decimals)."""
    name = src.const(top)
    src.add(f"if {var} > {name}:")
    src.add(f"{var} = {name}", 1)


def _emit_indicator(src: _Source, ip: IndicatorPlan, var: str) -> None:
    src.add(f"# indicator {ip.indicator.id}")
    _emit_scorer(src, ip.scorer, var)
    low, high = _bounds(ip.scorer)
    if high is None or high > ip.max:
        _emit_clip(src, var, ip.max)
    if low is None or low < 0:
        src.add(f"if {var} < 0:")
        src.add(f"{var} = ZERO", 1)


def _emit_adjustment(src: _Source, ap: AdjustmentPlan, var: str) -> None:
    src.add(f"# {ap.kind} {ap.rule.id}")
    _emit_scorer(src, ap.scorer, var)
    low, _ = _bounds(ap.scorer)
    if low is None or low < 0:
        src.add(f"if {var} < 0:")
        src.add(f"{var} = ZERO", 1)


#: The most terms one ``+`` chain holds: Python's compiler recurses once per term of a chain
#: (3,000 indicators in a dimension were a RecursionError), so longer sums nest in groups.
_CHAIN: Final = 64


def _sum(terms: list[str]) -> str:
    """Source for the sum of ``terms`` (exact Decimals: any grouping gives the same value)."""
    if not terms:
        return "ZERO"
    if len(terms) == 1:
        return f"ZERO + {terms[0]}"
    while len(terms) > _CHAIN:
        terms = [
            "(" + " + ".join(terms[i : i + _CHAIN]) + ")" for i in range(0, len(terms), _CHAIN)
        ]
    return " + ".join(terms)


def _emit_score(src: _Source, plan: Plan) -> None:
    for i, ip in enumerate(plan.indicators):
        _emit_indicator(src, ip, f"p{i}")
    for i, ap in enumerate(plan.adjustments):
        _emit_adjustment(src, ap, f"a{i}")
    applied = [f"a{i}" for i in range(len(plan.adjustments))]
    for g, members in enumerate(plan.groups):
        # only the largest positive amount applies; ties go to the first (smallest id)
        src.add(f"_best = -1  # exclusive group {g}")
        src.add("_top = ZERO")
        for i in members:
            src.add(f"if a{i} > _top:")
            src.add(f"_best = {i}", 1)
            src.add(f"_top = a{i}", 1)
        for i in members:
            src.add(f"g{i} = a{i} if _best == {i} else ZERO")
            applied[i] = f"g{i}"
    if plan.vetoes:
        src.add("_v = []")
        for i, vp in enumerate(plan.vetoes):
            src.add(f"if {_bit(vp.ref)}:")
            src.add(f"_v.append({i})", 1)
        src.add("st.vetoes = tuple(_v)")
    else:
        src.add("st.vetoes = ()")
    n = len(plan.rubric.dimensions)
    for d, dim in enumerate(plan.rubric.dimensions):
        base = [f"p{i}" for i, ip in enumerate(plan.indicators) if ip.dimension == d]
        bonus = [
            applied[i]
            for i, ap in enumerate(plan.adjustments)
            if ap.dimension == d and ap.kind == "bonus"
        ]
        penalty = [
            applied[i]
            for i, ap in enumerate(plan.adjustments)
            if ap.dimension == d and ap.kind == "penalty"
        ]
        src.add(f"b{d} = {_sum(base)}")
        src.add(f"br{d} = {_sum(bonus)}")
        src.add(f"pe{d} = {_sum(penalty)}")
        if dim.bonus_cap is not None:
            cap = src.const(dim.bonus_cap)
            src.add(f"bo{d} = {cap} if br{d} > {cap} else br{d}")
        else:
            src.add(f"bo{d} = br{d}")
        if penalty and dim.floor is not None:  # the dimension's floor (0 unless it says)
            floor = "ZERO" if dim.floor == 0 else src.const(dim.floor)
            src.add(f"s{d} = b{d} + bo{d} - pe{d}")
            src.add(f"if s{d} < {floor}:")
            src.add(f"s{d} = {floor}", 1)
        elif penalty:  # no floor: a negative total is kept
            src.add(f"s{d} = b{d} + bo{d} - pe{d}")
        else:
            src.add(f"s{d} = b{d} + bo{d}")
    terms = [
        f"s{d}" if weight == 1 else f"{src.const(weight)} * s{d}"
        for d, weight in enumerate(plan.weights)
    ]
    src.add(f"st.composite = {_sum(terms)}")
    numbers = [f"p{i}" for i in range(len(plan.indicators))]
    numbers += [f"a{i}" for i in range(len(plan.adjustments))]
    numbers += applied
    for d in range(n):
        numbers += [f"b{d}", f"br{d}", f"bo{d}", f"pe{d}", f"s{d}"]
    # one tuple for every number (see TeamState.points), then what later stages read
    src.add(f"st.points = ({''.join(f'{x}, ' for x in numbers)})")
    for slot, getter in (*plan.late[Phase.ITEMS], *plan.late[Phase.DIMENSIONS]):
        src.add(f"V[{slot}] = {src.const(getter, 'G')}(st)")


def _emit_grades(src: _Source, plan: Plan) -> None:
    """Grades: the veto label when a relevant veto fired, else the first band whose rule holds."""
    names = []
    for j, (scale, refs) in enumerate(plan.scales):
        var = f"gr{j}"
        names.append(var)
        relevant = [
            vp.ref
            for vp in plan.vetoes
            if scale.of is None or vp.veto.dimension is None or vp.veto.dimension == scale.of
        ]
        keyword = "if"
        if relevant:
            src.add(f"if {' or '.join(_bit(ref) for ref in relevant)}:")
            src.add(f"{var} = {src.const((scale.veto_label, -1))}", 1)
            keyword = "elif"
        for i, ref in enumerate(refs):
            if ref is None:
                continue
            src.add(f"{keyword} {_bit(ref)}:")
            src.add(f"{var} = {src.const((scale.bands[i].label, i))}", 1)
            keyword = "elif"
        bottom = len(scale.bands) - 1
        # the catch-all bottom band, or no grade (None) below a scale that ends in an edge
        below = (scale.bands[bottom].label, bottom) if refs[bottom] is None else (None, bottom + 1)
        if keyword == "if":
            src.add(f"{var} = {src.const(below)}")
        else:
            src.add("else:")
            src.add(f"{var} = {src.const(below)}", 1)
    src.add(f"st.grades = ({''.join(f'{n}, ' for n in names)})")
    for slot, getter in plan.late[Phase.GRADES]:
        src.add(f"V[{slot}] = {src.const(getter, 'G')}(st)")


def _emit_quantities(src: _Source, plan: Plan, *, fast: bool = False) -> None:
    """Stage-1 quantities; with ``fast``, an input problem returns False instead of recording."""
    for qp in plan.quantities:
        if qp.compute is None:
            continue
        q, i = qp.quantity, qp.index
        if isinstance(q, Count):
            src.add(f"V[{i}] = len(L[{plan.select_index[q.select]}])")
        elif isinstance(q, Headcount):
            src.add(f"V[{i}] = team.headcount")
        elif isinstance(q, Total):
            cls = plan.rubric.fact_types[q.select.kind]
            spec = fact_fields(cls)[q.field]
            at = field_index(cls, q.field)
            src.add("_t = 0")
            src.add(f"for _f in L[{plan.select_index[q.select]}]:")
            if spec.optional:
                src.add(f"_x = _f[{at}]", 1)
                src.add("if _x is not None:", 1)
                src.add("_t += _x", 2)
            else:
                src.add(f"_t += _f[{at}]", 1)
            src.add(f"V[{i}] = _t")
        elif isinstance(q, Ratio) and is_simple_ratio(q):
            n = plan.quantity_index[q.numerator]
            d = plan.quantity_index[q.denominator]
            src.add(f"_n = V[{n}]")
            src.add(f"_d = V[{d}]")
            src.add(f"V[{i}] = None if _n is None or _d is None else (_n, _d)")
        elif fast and isinstance(q, ValueOf):
            default = src.const(q.default)
            src.add(f"_l = L[{plan.select_index[q.select]}]")
            src.add("if not _l:")
            src.add(f"V[{i}] = {default}", 1)
            src.add("elif len(_l) > 1:")
            src.add(f"return {NOT_STARTED}", 1)  # the phased path reports it
            src.add("else:")
            at = field_index(plan.rubric.fact_types[q.select.kind], q.field)
            src.add(f"_x = _l[0][{at}]", 1)
            src.add(f"V[{i}] = {default} if _x is None else _x", 1)
        elif isinstance(
            q,
            Ratio
            | ValueOf
            | Mean
            | Largest
            | DistinctCount
            | TeamAttr
            | IndicatorPoints
            | AdjustmentPoints
            | Triggered
            | DimensionScore
            | DimensionBonus
            | DimensionPenalty
            | PenaltyTotal
            | Composite
            | Vetoed
            | Grade,
        ):  # not inlined: the slot's compute function
            src.add(f"V[{i}] = {src.const(qp.compute, 'Q')}(L, team, problems)")
        else:
            assert_never(q)


def _emit_lookups(src: _Source, plan: Plan, phase: Phase) -> None:
    """Memo lookups of one phase's clusters; a miss hands the team to the phased pipeline."""
    for tc in plan.team_clusters:
        if tc.phase != phase:
            continue
        memo = src.const(tc.memo.get, "K")
        if len(tc.slots) == 1:
            key = f"V[{tc.slots[0]}]"
        else:
            key = "(" + ", ".join(f"V[{s}]" for s in tc.slots) + ")"
        src.add(f"_m = {memo}({key})")
        src.add("if _m is None:")
        src.add(f"return {ROUTED}", 1)  # routed and quantified: the phased path goes on
        src.add(f"M[{tc.index}] = _m")


_COUNTER = itertools.count(1)


def _build(src: _Source, name: str) -> Callable[..., Any]:
    """Compile the source and register it in ``linecache``, so tracebacks show its lines."""
    text = "\n".join(src.lines) + "\n"
    filename = f"<assessment_engine generated {name} #{next(_COUNTER)}>"
    # as attrs does: a traceback through generated code shows the generated line
    linecache.cache[filename] = (len(text), None, text.splitlines(keepends=True), filename)
    namespace = dict(src.names)
    exec(compile(text, filename, "exec"), namespace)
    function: Callable[..., Any] = namespace[name]
    function.__source__ = text  # type: ignore[attr-defined]
    return function


def _quantity_function(plan: Plan) -> Callable[..., Any]:
    src = _Source()
    src.lines.append("def quantities(st, problems):")
    src.add("L = st.lists")
    src.add("V = st.values")
    src.add("team = st.team")
    _emit_quantities(src, plan)
    return _build(src, "quantities")


def _score_function(plan: Plan) -> Callable[..., Any]:
    src = _Source()
    src.lines.append("def score(st):")
    src.add("L = st.lists")
    src.add("V = st.values")
    src.add("M = st.masks")
    _emit_score(src, plan)
    return _build(src, "score")


def _grades_function(plan: Plan) -> Callable[..., Any]:
    src = _Source()
    src.lines.append("def grades(st):")
    src.add("V = st.values")
    src.add("M = st.masks")
    _emit_grades(src, plan)
    return _build(src, "grades")


def _team_function(plan: Plan) -> Callable[..., Any]:
    src = _Source()
    src.lines.append("def assess_team(st):")
    src.add("team = st.team")
    lists = ", ".join("[]" for _ in plan.selects)
    src.add(f"L = [{lists}]" if len(plan.selects) != 1 else f"L = [{lists},]")
    src.add("for _f in st.records:")
    src.add(f"_e = {src.const(plan.routes.get, 'T')}(_f[0])", 1)
    src.add("if _e is None:", 1)
    src.add(f"return {NOT_STARTED}", 2)
    src.add("_h = _e[1](_e[0](_f))", 1)
    src.add("if _h is None:", 1)
    src.add(f"return {NOT_STARTED}", 2)
    src.add("for _s in _h:", 1)
    src.add("L[_s].append(_f)", 2)
    src.add("st.lists = L")  # the scorers that are not inlined read it
    owners = [select for select, _ in plan.assessor_scores.values()]
    checked = [*owners, *([plan.all_scores] if plan.all_scores is not None else [])]
    for select in checked:  # assessor scores are validated (and reported) by the phased path
        src.add(f"if L[{select}]:")
        src.add(f"return {NOT_STARTED}", 1)
    src.add("V = st.values")
    src.add("problems = []")
    _emit_quantities(src, plan, fast=True)
    src.add("if problems:")
    src.add(f"return {NOT_STARTED}", 1)
    src.add("M = st.masks")
    _emit_lookups(src, plan, Phase.FACTS)
    _emit_score(src, plan)
    _emit_lookups(src, plan, Phase.DIMENSIONS)
    _emit_grades(src, plan)
    _emit_lookups(src, plan, Phase.GRADES)
    src.add("st.values = tuple(V)")
    src.add("st.masks = tuple(M)")
    src.add(f"st.lists = {src.const(NO_LISTS, 'N')}")
    src.add(f"return {ASSESSED}")
    return _build(src, "assess_team")


def compile_fast_paths(plan: Plan) -> FastPaths:
    """Generate the plan's :class:`~._plan.FastPaths` (their source registered in linecache)."""
    functions = (
        _quantity_function(plan),
        _score_function(plan),
        _grades_function(plan),
        _team_function(plan),
    )
    return FastPaths(
        *functions,
        source="\n".join(f.__source__ for f in functions),  # type: ignore[attr-defined]
    )
