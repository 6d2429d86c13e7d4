"""Drawing whole teams for :mod:`assessment_engine.strategies`.

Counts, sums and reported values are realised at, just below and just above a rubric's
thresholds; :func:`crossings` draws the one more fact that takes a team across a threshold
(for the monotonicity property).
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping, Sequence
from decimal import ROUND_DOWN, Decimal
from typing import Any, assert_never

import attrs
from hypothesis import strategies as st

from .._analysis import Target
from .._pipeline import select_matches
from ..facts import Fact, Record, Team
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
    Quantity,
    Ratio,
    Select,
    TeamAttr,
    Total,
    Triggered,
    ValueOf,
    Vetoed,
)
from ._records import (
    DELTAS,
    MOST_ITEMS,
    MOST_RECORDS,
    MOST_TARGETS,
    TEAM_POOL,
    Context,
    aim,
    draw_int,
    draw_record,
    draw_score,
    draw_team,
    field_models,
    pick,
)

__all__: list[str] = []


def _split(draw: st.DrawFn, value: Decimal, integral: bool) -> list[Decimal]:
    """Parts (one to three) that add up to ``value`` exactly."""
    parts = draw_int(draw, 1, 3)
    if value <= 0 or parts == 1:
        return [value]
    step = Decimal(1) if integral else Decimal("0.01")
    first = (value / parts).quantize(step, rounding=ROUND_DOWN)
    return [first] * (parts - 1) + [value - first * (parts - 1)]


def _field_kind(ctx: Context, kind: str, field: str) -> str:
    for model in field_models(ctx.fact_types[kind]):
        if model.name == field:
            return model.kind
    return "derived"


def _realise(
    draw: st.DrawFn,
    ctx: Context,
    q: Quantity,
    value: Decimal,
    team: str,
    period: str,
) -> list[Record] | None:
    """Records that give the quantity ``value`` (as near as it can); ``None``: cannot."""

    def aimed(select: Select, fixed: Mapping[str, Any] | None = None) -> Record | None:
        if select.kind not in ctx.fact_types or select.kind in ("team", "score"):
            return None
        quiet = not fixed or not isinstance(q, Total | Mean | Largest | ValueOf)
        return draw_record(
            draw, ctx, select.kind, team, period, select=select, fixed=fixed, quiet=quiet
        )

    made: list[Record | None] = []
    if isinstance(q, Count):
        made = [aimed(q.select) for _ in range(min(int(value), MOST_ITEMS))]
    elif isinstance(q, DistinctCount):
        field_kind = _field_kind(ctx, q.select.kind, q.field)
        has_date = _field_kind(ctx, q.select.kind, "date") == "date"
        for i in range(min(int(value), MOST_ITEMS)):
            fixed: dict[str, Any] = {}
            if field_kind in ("text", "decimal", "int"):
                fixed = {q.field: f"v{i}" if field_kind == "text" else Decimal(i)}
            elif field_kind == "date" or (field_kind == "derived" and has_date):
                # a derived field (a quarter, a month) follows the date: spread the dates
                fixed = {"date" if field_kind == "derived" else q.field: _spread_date(i)}
            made.append(aimed(q.select, fixed))
    elif isinstance(q, Total | Mean | Largest | ValueOf):
        if value < 0:
            return None
        integral = _field_kind(ctx, q.select.kind, q.field) == "int"
        if isinstance(q, Total):
            parts = _split(draw, value, integral)
        elif isinstance(q, Mean):
            parts = [value] * draw_int(draw, 1, 3)
        else:
            parts = [value]
        made = [aimed(q.select, {q.field: part}) for part in parts]
    elif isinstance(
        q,
        Headcount
        | TeamAttr
        | Ratio
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
    ):
        return None  # not counted from records alone (a ratio is aimed at by its parts)
    else:
        assert_never(q)
    return [r for r in made if r is not None]


def _spread_date(i: int) -> datetime.date:
    """Distinct dates, a quarter apart first, then a day apart."""
    return datetime.date(2024, 1 + 3 * (i % 4), 1 + i // 4)


def _near(draw: st.DrawFn, value: Decimal, integral: bool, reach: bool = False) -> Decimal:
    """At, just below or just above ``value`` (at or above when ``reach``)."""
    side = pick(draw, (0, 1) if reach else (-1, 0, 1))
    if integral:
        if side < 0:
            return Decimal(max(0, math.ceil(value) - 1))
        return Decimal(math.ceil(value) if side == 0 else math.floor(value) + 1)
    return max(Decimal(0), value + side * pick(draw, DELTAS))


def _aim_target(
    draw: st.DrawFn,
    ctx: Context,
    target: Target,
    team: str,
    period: str,
    headcount: int,
    reach: bool = False,
) -> list[Record]:
    q = target.quantity
    if isinstance(q, Ratio):
        num, den = q.numerator, q.denominator
        records: list[Record] = []
        if isinstance(den, Headcount):
            base = Decimal(headcount)
        else:
            base = Decimal(draw_int(draw, 1, 4))
            found = _realise(draw, ctx, den, base, team, period)
            if found is None:
                return []
            records = found
        if _integral(num):  # a count: the whole numbers around threshold × denominator
            value = _near(draw, target.value * base, True, reach)
        else:  # a sum: just beside the threshold of the ratio itself
            value = _near(draw, target.value, False, reach) * base
        return records + (_realise(draw, ctx, num, value, team, period) or [])
    value = _near(draw, target.value, target.integral, reach)
    return _realise(draw, ctx, q, value, team, period) or []


def _integral(q: Quantity) -> bool:
    return isinstance(q, Count | DistinctCount)


def _current(q: Quantity, records: Sequence[Fact]) -> Decimal | None:
    """A count's or a sum's value over one team's records (``None``: another quantity)."""
    if isinstance(q, Count):
        return Decimal(sum(1 for r in records if select_matches(q.select, r)))
    if isinstance(q, Total):
        values = [getattr(r, q.field, None) for r in records if select_matches(q.select, r)]
        return sum((Decimal(v) for v in values if v is not None), Decimal(0))
    return None


@st.composite
def crossings(draw: st.DrawFn, ctx: Context, items: tuple[Fact, ...]) -> Record | None:
    """One more record that takes a team's count or sum exactly to a threshold above it.

    The sharpest test of monotonicity: the fact that crosses a band's edge. Teams whose value
    lies between two thresholds are preferred (a band table not in step shows there). ``None``
    when no threshold of a count or a sum lies above any team's value.
    """
    by_team: dict[str, list[Record]] = {}
    team_records: dict[str, Team] = {}
    for fact in items:
        if isinstance(fact, Team):
            team_records[fact.team] = fact
        elif isinstance(fact, Record):
            by_team.setdefault(fact.team, []).append(fact)
    nearest: dict[tuple[str, Quantity], Decimal] = {}  # the gap to the nearest threshold above
    inside: set[tuple[str, Quantity]] = set()  # with a threshold at or below the value, too
    for team, team_record in team_records.items():
        records = by_team.get(team, [])
        for target in ctx.targets:
            q, value = target.quantity, target.value
            if isinstance(q, Ratio) and isinstance(q.denominator, Headcount):
                if team_record.headcount is None:  # drawn teams always have one
                    continue
                q, value = q.numerator, value * team_record.headcount
            current = _current(q, records)
            if current is None:
                continue
            key = (team, q)
            if value > current:
                nearest[key] = min(nearest.get(key, value - current), value - current)
            elif value > 0:
                inside.add(key)
    if not nearest:
        return None
    preferred = sorted((k for k in nearest if k in inside), key=repr)
    pool = preferred if preferred and draw_int(draw, 0, 3) else sorted(nearest, key=repr)
    team, q = pick(draw, pool)
    gap = nearest[team, q]
    assert isinstance(q, Count | Total)
    if q.select.kind not in ctx.fact_types or q.select.kind in ("team", "score"):
        return None
    fixed = {q.field: gap} if isinstance(q, Total) else None
    period = team_records[team].period
    return draw_record(draw, ctx, q.select.kind, team, period, select=q.select, fixed=fixed)


def _keep_singletons(ctx: Context, records: list[Record]) -> list[Record]:
    """Drop the second and later facts of a selection that takes one (an input error)."""
    taken: set[Select] = set()
    kept = []
    for record in records:
        hits = [
            s for s in ctx.singletons if s.kind == record.fact_kind and select_matches(s, record)
        ]
        if any(s in taken for s in hits):
            continue
        taken.update(hits)
        kept.append(record)
    return kept


@st.composite
def draw_teams(
    draw: st.DrawFn,
    ctx: Context,
    min_size: int,
    max_size: int,
    period: str,
    max_records: int,
) -> list[Fact]:
    ids = draw(
        st.lists(st.sampled_from(TEAM_POOL), min_size=min_size, max_size=max_size, unique=True)
    )
    kinds = tuple(k for k in ctx.record_kinds() if k != "score")
    out: list[Fact] = []
    for team in ids:
        way = draw_int(draw, 0, 2 if ctx.headcounts else 1)
        if way == 2:
            headcount = pick(draw, ctx.headcounts)
        else:
            headcount = draw_int(draw, 1, 8) if way == 0 else draw_int(draw, 9, 40)
        records: list[Record] = []
        strong = bool(ctx.good) and draw_int(draw, 0, 3) == 0
        aimed: set[Quantity] = set()
        if strong:
            # every threshold worth reaching, reached (the highest of each quantity): a team
            # that can earn titles, unless the few facts below take them away
            for target in ctx.good:
                aimed.add(target.quantity)
                records.extend(_aim_target(draw, ctx, target, team, period, headcount, True))
        pool = [q for q in (ctx.not_bad_quantities if strong else ctx.quantities) if q not in aimed]
        for _ in range(draw_int(draw, 0, min(len(pool), 3 if strong else MOST_TARGETS))):
            # one threshold per quantity: two would add up and land on neither
            quantity = pool.pop(draw_int(draw, 0, len(pool) - 1))
            target = pick(draw, ctx.by_quantity[quantity])
            records.extend(_aim_target(draw, ctx, target, team, period, headcount))
        for _ in range(draw_int(draw, 0, min(2, max_records) if strong else max_records)):
            kind = pick(draw, kinds)
            select, want = aim(draw, ctx, kind)
            record = draw_record(
                draw, ctx, kind, team, period, select=select, want=want, quiet=True
            )
            if record is not None:
                records.append(record)
        records = _keep_singletons(ctx, records[:MOST_RECORDS])
        numbered: list[Fact] = [attrs.evolve(r, id=f"r{n}") for n, r in enumerate(records, start=1)]
        for owner in sorted(ctx.assessor):
            if draw_int(draw, 0, 1):
                numbered.append(draw_score(draw, ctx, owner, team, period, f"s{len(numbered) + 1}"))
        out.append(draw_team(draw, ctx, team, period, headcount))
        out.extend(numbered)
    return out
