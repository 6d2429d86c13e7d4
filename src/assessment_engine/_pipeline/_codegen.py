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
  every answer it needs is already memoised. It returns ``False`` as soon as something is not
  (a projection or a combination of values the matcher has not seen, an input problem to
  report), and the team then goes through the phased pipeline, which asks the matcher in
  batches. The phased pipeline is the reference: a test runs both and compares.

Forms without an inline version call their scorer object. Explanations never use generated
code; a property test holds explanation lines and generated points to the same totals. The
source is kept on the plan (``plan.generated_source``) for reading and debugging.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs

from ..facts import fact_fields
from ..rubric.conditions import Count, Headcount, Ratio, Stage, Total, ValueOf
from ._scorers import (
    AdjustmentPlan,
    IndicatorPlan,
    RuleRef,
    Scorer,
    _Bands,
    _Linear,
    _PerItem,
    _WhenAll,
)

__all__ = ["FastPaths", "compile_fast_paths"]

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
    if isinstance(scorer, _PerItem) and not scorer.best:
        return ZERO, scorer.cap
    if isinstance(scorer, _Bands):
        return ZERO, max([*scorer.band_points, scorer.form.otherwise])
    if isinstance(scorer, _WhenAll):
        return ZERO, scorer.form.points
    return None, None


def _emit_scorer(src: _Source, scorer: Scorer, var: str) -> None:
    """Code that leaves the scorer's points in ``var``."""
    if isinstance(scorer, _PerItem) and not scorer.best:
        if scorer.fixed is not None:
            src.add(f"{var} = len(L[{scorer.select}]) * {src.const(scorer.fixed)}")
        else:
            table = src.const(scorer.lookup)
            default = src.const(scorer.default)
            src.add(f"{var} = ZERO")
            src.add(f"for _f in L[{scorer.select}]:")
            src.add(f"{var} += {table}.get(_f.{scorer.field}, {default})", 1)
        if scorer.cap is not None:
            _emit_clip(src, var, scorer.cap)
        return
    if isinstance(scorer, _Bands):
        keyword = "if"
        for ref, points in zip(scorer.refs, scorer.band_points, strict=True):
            src.add(f"{keyword} {_bit(ref)}:")
            src.add(f"{var} = {src.const(points)}", 1)
            keyword = "elif"
        src.add("else:")
        src.add(f"{var} = {src.const(scorer.form.otherwise)}", 1)
        return
    if isinstance(scorer, _WhenAll):
        condition = " and ".join(_bit(ref) for ref in scorer.refs)
        src.add(f"{var} = {src.const(scorer.form.points)} if {condition} else ZERO")
        return
    if isinstance(scorer, _Linear) and scorer.kind == "number":
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


def _sum(terms: list[str]) -> str:
    if not terms:
        return "ZERO"
    if len(terms) == 1:
        return f"ZERO + {terms[0]}"
    return " + ".join(terms)


def _emit_score(src: _Source, plan: Any, late: dict[int, list[tuple[int, Any]]]) -> None:
    from ._evaluate import _groups

    for i, ip in enumerate(plan.indicators):
        _emit_indicator(src, ip, f"p{i}")
    for i, ap in enumerate(plan.adjustments):
        _emit_adjustment(src, ap, f"a{i}")
    applied = [f"a{i}" for i in range(len(plan.adjustments))]
    for g, members in enumerate(_groups(plan)):
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
        for i, (_, ref, _) in enumerate(plan.vetoes):
            src.add(f"if {_bit(ref)}:")
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
        if penalty:
            src.add(f"s{d} = b{d} + bo{d} - pe{d}")
            src.add(f"if s{d} < 0:")
            src.add(f"s{d} = ZERO", 1)
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
    for slot, getter in late[Stage.ITEMS]:
        src.add(f"V[{slot}] = {src.const(getter, 'G')}(st)")
    for slot, getter in late[Stage.DIMENSIONS]:
        src.add(f"V[{slot}] = {src.const(getter, 'G')}(st)")


def _emit_grades(src: _Source, plan: Any, late: dict[int, list[tuple[int, Any]]]) -> None:
    """Grades: the veto label when a relevant veto fired, else the first band whose rule holds."""
    names = []
    for j, (scale, refs) in enumerate(plan.scales):
        var = f"gr{j}"
        names.append(var)
        relevant = [
            ref
            for veto, ref, _ in plan.vetoes
            if scale.of is None or veto.dimension is None or veto.dimension == scale.of
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
        if keyword == "if":
            src.add(f"{var} = {src.const((scale.bands[bottom].label, bottom))}")
        else:
            src.add("else:")
            src.add(f"{var} = {src.const((scale.bands[bottom].label, bottom))}", 1)
    src.add(f"st.grades = ({''.join(f'{n}, ' for n in names)})")
    for slot, getter in late[Stage.GRADES]:
        src.add(f"V[{slot}] = {src.const(getter, 'G')}(st)")


def _emit_quantities(src: _Source, plan: Any, *, fast: bool = False) -> None:
    """Stage-1 quantities; with ``fast``, an input problem returns False instead of recording."""
    for qp in plan.quantities:
        if qp.compute is None:
            continue
        q, i = qp.quantity, qp.index
        if isinstance(q, Count):
            src.add(f"V[{i}] = len(L[{plan.select(q.select)}])")
        elif isinstance(q, Headcount):
            src.add(f"V[{i}] = team.headcount")
        elif isinstance(q, Total):
            spec = fact_fields(plan.rubric.fact_types[q.select.kind])[q.field]
            src.add("_t = 0")
            src.add(f"for _f in L[{plan.select(q.select)}]:")
            if spec.optional:
                src.add(f"_x = _f.{q.field}", 1)
                src.add("if _x is not None:", 1)
                src.add("_t += _x", 2)
            else:
                src.add(f"_t += _f.{q.field}", 1)
            src.add(f"V[{i}] = _t")
        elif (
            isinstance(q, Ratio)
            and q.numerator.quantity_kind() == "number"
            and q.denominator.quantity_kind() == "number"
        ):
            n = plan.quantity_index[q.numerator]
            d = plan.quantity_index[q.denominator]
            src.add(f"_n = V[{n}]")
            src.add(f"_d = V[{d}]")
            src.add(f"V[{i}] = None if _n is None or _d is None else (_n, _d)")
        elif fast and isinstance(q, ValueOf):
            default = src.const(q.default)
            src.add(f"_l = L[{plan.select(q.select)}]")
            src.add("if not _l:")
            src.add(f"V[{i}] = {default}", 1)
            src.add("elif len(_l) > 1:")
            src.add("return False", 1)  # the phased path reports it
            src.add("else:")
            src.add(f"_x = _l[0].{q.field}", 1)
            src.add(f"V[{i}] = {default} if _x is None else _x", 1)
        else:
            src.add(f"V[{i}] = {src.const(qp.compute, 'Q')}(L, team, problems)")


def _emit_lookups(src: _Source, plan: Any, phase: int) -> None:
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
        src.add("return False", 1)
        src.add(f"M[{tc.index}] = _m")


def _build(src: _Source, name: str) -> Callable[..., Any]:
    text = "\n".join(src.lines) + "\n"
    namespace = dict(src.names)
    exec(compile(text, f"<assessment_engine generated {name}>", "exec"), namespace)
    function: Callable[..., Any] = namespace[name]
    function.__source__ = text  # type: ignore[attr-defined]
    return function


def _quantity_function(plan: Any) -> Callable[..., Any]:
    src = _Source()
    src.lines.append("def quantities(st, problems):")
    src.add("L = st.lists")
    src.add("V = st.values")
    src.add("team = st.team")
    _emit_quantities(src, plan)
    return _build(src, "quantities")


def _score_function(plan: Any, late: dict[int, list[tuple[int, Any]]]) -> Callable[..., Any]:
    src = _Source()
    src.lines.append("def score(st):")
    src.add("L = st.lists")
    src.add("V = st.values")
    src.add("M = st.masks")
    _emit_score(src, plan, late)
    return _build(src, "score")


def _grades_function(plan: Any, late: dict[int, list[tuple[int, Any]]]) -> Callable[..., Any]:
    src = _Source()
    src.lines.append("def grades(st):")
    src.add("V = st.values")
    src.add("M = st.masks")
    _emit_grades(src, plan, late)
    return _build(src, "grades")


def _team_function(
    plan: Any, late: dict[int, list[tuple[int, Any]]], table: dict[type, Any]
) -> Callable[..., Any]:
    from ._plan import PHASE_GRADES, PHASE_ITEMS, PHASE_TITLES

    src = _Source()
    src.lines.append("def assess_team(st):")
    src.add("team = st.team")
    lists = ", ".join("[]" for _ in plan.selects)
    src.add(f"L = [{lists}]" if len(plan.selects) != 1 else f"L = [{lists},]")
    src.add("for _f in st.records:")
    src.add(f"_e = {src.const(table.get, 'T')}(type(_f))", 1)
    src.add("if _e is None:", 1)
    src.add("return False", 2)
    src.add("_h = _e[1](_e[0](_f))", 1)
    src.add("if _h is None:", 1)
    src.add("return False", 2)
    src.add("for _s in _h:", 1)
    src.add("L[_s].append(_f)", 2)
    owners = [select for select, _ in plan.assessor_scores.values()]
    checked = [*owners, *([plan.all_scores] if plan.all_scores is not None else [])]
    for select in checked:  # assessor scores are validated (and reported) by the phased path
        src.add(f"if L[{select}]:")
        src.add("return False", 1)
    src.add("V = st.values")
    src.add("problems = []")
    _emit_quantities(src, plan, fast=True)
    src.add("if problems:")
    src.add("return False", 1)
    src.add("M = st.masks")
    _emit_lookups(src, plan, PHASE_ITEMS)
    _emit_score(src, plan, late)
    _emit_lookups(src, plan, PHASE_GRADES)
    _emit_grades(src, plan, late)
    _emit_lookups(src, plan, PHASE_TITLES)
    src.add("st.values = tuple(V)")
    src.add("st.masks = tuple(M)")
    src.add("return True")
    return _build(src, "assess_team")


@attrs.frozen
class FastPaths:
    """The functions generated for one plan.

    ``quantities(st, problems)``, ``score(st)`` and ``grades(st)`` are the stages of the phased
    path (which runs the matcher between them); ``assess_team(st)`` fuses every stage for one
    team and returns False when a memo misses or the input has a problem (the team then takes
    the phased path).
    """

    quantities: Callable[..., None]
    score: Callable[..., None]
    grades: Callable[..., None]
    assess_team: Callable[..., bool]


def compile_fast_paths(
    plan: Any, late: dict[int, list[tuple[int, Any]]], table: dict[type, Any]
) -> FastPaths:
    """Generate the plan's :class:`FastPaths`; their source is kept on ``plan.generated_source``."""
    paths = FastPaths(
        quantities=_quantity_function(plan),
        score=_score_function(plan, late),
        grades=_grades_function(plan, late),
        assess_team=_team_function(plan, late, table),
    )
    plan.generated_source = "\n".join(f.__source__ for f in attrs.astuple(paths, recurse=False))
    return paths
