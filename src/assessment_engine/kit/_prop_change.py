"""The properties of one change: one more fact (monotonicity, isolation), teams scaled up."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from decimal import Decimal
from typing import Any

import attrs

from .._analysis import (
    Unit,
    fact_effect,
    indicator_usages,
    per_capita_units,
    per_capita_value_ofs,
    scoring_units,
    unit_points,
)
from .._base.hints import did_you_mean
from .._pipeline import select_matches
from ..engine import Engine
from ..errors import InputError
from ..facts import Fact, Record, Team
from ..report import Report
from ..rubric import Rubric
from ..rubric.walk import singleton_selects
from ._prop_common import Facts, describe, difference, fail, items_of, own_results, report_of

__all__ = [
    "check_isolation",
    "check_monotonicity",
    "check_per_capita",
    "per_capita_targets",
    "scaled",
    "with_fact",
]


_USAGES: dict[int, tuple[Rubric, dict[str, Any]]] = {}


def _usages_of(rubric: Rubric) -> dict[str, Any]:
    cached = _USAGES.get(id(rubric))
    if cached is None or cached[0] is not rubric:
        usages = {i.id: indicator_usages(i.id, i.scoring) for i in rubric.indicators}
        cached = _USAGES[id(rubric)] = (rubric, usages)
    return cached[1]


def with_fact(engine: Engine, items: list[Fact], extra: Record) -> Report | None:
    """The report with one more fact, or ``None`` when that is not valid input."""
    try:
        return engine.assess([*items, extra])
    except InputError:
        return None  # the fact is not valid input here (a second reported value, say)


def check_monotonicity(
    engine: Engine,
    facts: Facts,
    extra: Record,
    *,
    report: Report | None = None,
    after: Report | None = None,
) -> int:
    """One more fact moves each monotone indicator only the declared way; returns comparisons.

    For every indicator declared ``monotone=True``, the fact is classified by the indicator's
    selections that select it. It is *qualifying* when one counts it in the team's favour (an
    item, a count or sum compared with ``≥``/``>``, a ratio's numerator): it must not lower the
    points. It is a *violation* when it is an ``incident`` or one reads it against the team (a
    deduction, a count compared with ``<``): it must not raise them. A
    fact that is both must leave the points unchanged, and so must a fact no selection of the
    indicator selects. Indicators that read the fact through a mean, a reported value or an
    equality (which can move either way) are skipped, and so is a fact that is not valid input
    (a second reported value for one metric).
    """
    items = items_of(facts)
    before = report_of(engine, items, report)
    if after is None:
        after = with_fact(engine, items, extra)
    if after is None or extra.team not in before:
        return 0
    usages = _usages_of(engine.rubric)
    old, new = before[extra.team], after[extra.team]
    incident = extra.fact_kind == "incident"
    compared = 0
    for indicator in engine.rubric.indicators:
        if not indicator.monotone:
            continue
        effect = fact_effect(usages[indicator.id], extra)
        if effect.either:
            continue
        was, now = old.indicator(indicator.id).points, new.indicator(indicator.id).points
        compared += 1
        if was == now:
            continue
        name = f"indicator {indicator.id} ({indicator.label}) is declared monotone, but"
        change = f"team {extra.team}'s points from {was} to {now}"
        fact = describe(extra)
        if effect.neutral:
            raise fail(
                "monotonicity",
                f"{name} adding {fact}, which none of its selections selects, changed {change}",
            )
        if effect.raises and now < was:
            also = ""
            if effect.lowers or incident:
                against = effect.lowers[0] if effect.lowers else "an incident"
                also = f"; it is also a violation ({against}), so the points must not change"
            raise fail(
                "monotonicity",
                f"{name} adding the qualifying fact {fact} (counted by {effect.raises[0]}{also})"
                f" lowered {change}",
            )
        if (effect.lowers or incident) and now > was:
            why = (
                f"a deduction: {effect.lowers[0]}"
                if effect.deduction
                else (
                    f"read against the team by {effect.lowers[0]}"
                    if effect.lowers
                    else "an incident"
                )
            )
            also = (
                f"; it is also counted by {effect.raises[0]}, so the points must not change"
                if effect.raises
                else ""
            )
            raise fail(
                "monotonicity", f"{name} adding the violation {fact} ({why}{also}) raised {change}"
            )
    return compared


def check_isolation(
    engine: Engine,
    facts: Facts,
    extra: Record,
    *,
    report: Report | None = None,
    after: Report | None = None,
) -> int:
    """A fact about one team never changes another team's own results; returns the teams.

    Ranks and titles are left out: they depend on every team by design.
    """
    items = items_of(facts)
    before = report_of(engine, items, report)
    if after is None:
        after = with_fact(engine, items, extra)
    if after is None:
        return 0
    compared = 0
    for team in before.teams:
        if team == extra.team:
            continue
        compared += 1
        was, now = own_results(before[team]), own_results(after[team])
        if was != now:
            raise fail(
                "isolation",
                f"adding {describe(extra)} changed team {team}'s results: {difference(was, now)}",
            )
    return compared


# --------------------------------------------------------------------------- per capita


def per_capita_targets(rubric: Rubric, ids: Collection[str] | None) -> tuple[Unit, ...]:
    """The units held to the per-capita property: ``ids``, or those reading only per capita."""
    if ids is None:
        return per_capita_units(rubric)
    if isinstance(ids, str):
        raise TypeError("per_capita must be a collection of indicator or part ids, not one string")
    known = {u.id: u for u in scoring_units(rubric)}
    chosen = []
    for unit_id in ids:
        if unit_id not in known:
            raise ValueError(
                f"per_capita names {unit_id!r}, not an indicator or part"
                + did_you_mean(unit_id, known)
            )
        chosen.append(known[unit_id])
    return tuple(chosen)


def _copy_id(record_id: str, copy: int) -> str:
    suffix = f".k{copy}"
    return record_id[: 64 - len(suffix)] + suffix


def scaled(rubric: Rubric, facts: Facts, factor: int, units: Sequence[Unit] = ()) -> list[Fact]:
    """Every team ``factor`` times as large: headcount × factor, every record ``factor`` times.

    A record that a selection takes only once (a reported value, an assessor score) stays
    single; when it is the numerator of one of ``units``' per-capita ratios, its value is
    multiplied instead.
    """
    singles = singleton_selects(rubric)
    numerators = per_capita_value_ofs(tuple(units))
    out: list[Fact] = []
    for fact in facts:
        if isinstance(fact, Team):
            if fact.headcount is None:  # no rule reads it: nothing to scale
                out.append(fact)
                continue
            headcount = fact.headcount * factor
            out.append(attrs.evolve(fact, headcount=headcount) if headcount <= 100_000 else fact)
            continue
        if not isinstance(fact, Record):
            out.append(fact)
            continue
        if any(s.kind == fact.fact_kind and select_matches(s, fact) for s in singles):
            for value_of in numerators:
                value = getattr(fact, value_of.field, None)
                if select_matches(value_of.select, fact) and isinstance(value, int | Decimal):
                    changes: dict[str, Any] = {value_of.field: value * factor}
                    fact = attrs.evolve(fact, **changes)
            out.append(fact)
            continue
        out.append(fact)
        out.extend(attrs.evolve(fact, id=_copy_id(fact.id, n)) for n in range(1, factor))
    return out


def check_per_capita(
    engine: Engine,
    facts: Facts,
    *,
    factor: int = 2,
    units: Collection[str] | None = None,
    report: Report | None = None,
) -> int:
    """Per-capita points do not change when teams and their totals grow together.

    Every team's headcount and records are multiplied by ``factor`` (see :func:`scaled`);
    the points of every per-capita unit must stay the same. ``units`` names the indicators or
    parts to hold to it; by default those that read only ``per_capita(...)`` quantities.
    Returns how many (team, unit) pairs were compared.
    """
    if isinstance(factor, bool) or not isinstance(factor, int) or factor < 2:
        raise ValueError(f"factor must be an integer of at least 2, got {factor!r}")
    rubric = engine.rubric
    chosen = per_capita_targets(rubric, units)
    if not chosen:
        return 0
    items = items_of(facts)
    before = report_of(engine, items, report)
    try:
        after = engine.assess(scaled(rubric, items, factor, chosen))
    except InputError:
        return 0
    compared = 0
    for fact in items:
        if (
            not isinstance(fact, Team)
            or fact.headcount is None
            or fact.headcount * factor > 100_000
        ):
            continue
        for unit in chosen:
            compared += 1
            was = unit_points(before[fact.team], unit)
            now = unit_points(after[fact.team], unit)
            if was != now:
                what = "indicator" if unit.id == unit.indicator else "part"
                raise fail(
                    "per_capita",
                    f"{what} {unit.id} is per capita, but team {fact.team} gets {was} with"
                    f" headcount {fact.headcount} and {now} when its headcount"
                    f" ({fact.headcount * factor}) and its records are multiplied by {factor}",
                )
    return compared
