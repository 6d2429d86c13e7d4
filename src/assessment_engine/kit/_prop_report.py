"""The properties read from one report: bounds, explanations, vetoes; and fact order."""

from __future__ import annotations

import collections
from collections.abc import Iterable
from decimal import Decimal
from typing import Final

from ..engine import Engine
from ..facts import Fact
from ..report import Report
from ..rubric import Rubric
from ._prop_common import Facts, fail, report_difference, report_of

__all__ = ["check_bounds", "check_explanations", "check_fact_order", "check_vetoes"]

ZERO: Final = Decimal(0)


def check_bounds(engine: Engine, facts: Facts, *, report: Report | None = None) -> int:
    """Points stay within their bounds; returns how many values were checked.

    Every indicator in ``[0, max]``; every bonus and penalty applied in ``[0, amount]``; every
    dimension's score in ``[0, Σ max of its indicators + bonus cap]`` (without a cap: + the
    bonus it received), its bonus at most its cap.
    """
    report = report_of(engine, facts, report)
    rubric = engine.rubric
    maxima: dict[str, Decimal] = collections.defaultdict(Decimal)
    for indicator in rubric.indicators:
        maxima[indicator.dimension] += indicator.max
    declared = {i.id: i.max for i in rubric.indicators}
    caps = {d.id: d.bonus_cap for d in rubric.dimensions}
    checked = 0
    for a in report:
        for dim in a.dimensions:
            for ind in dim.indicators:
                checked += 1
                if not ZERO <= ind.points <= declared[ind.id]:
                    raise fail(
                        "bounds",
                        f"indicator {ind.id} ({ind.label}) gave team {a.team} {ind.points},"
                        f" outside [0, {declared[ind.id]}]",
                    )
            for adj in dim.adjustments:
                checked += 1
                if not ZERO <= adj.applied <= adj.amount:
                    raise fail(
                        "bounds",
                        f"{adj.kind} {adj.id} applied {adj.applied} to team {a.team}, outside"
                        f" [0, {adj.amount}] (its amount)",
                    )
            cap = caps[dim.id]
            upper = maxima[dim.id] + (cap if cap is not None else dim.bonus)
            checked += 1
            if cap is not None and dim.bonus > cap:
                raise fail(
                    "bounds",
                    f"dimension {dim.id} gave team {a.team} a bonus of {dim.bonus}, above its"
                    f" bonus cap {cap}",
                )
            if not ZERO <= dim.score <= upper:
                raise fail(
                    "bounds",
                    f"dimension {dim.id} ({dim.label}) gave team {a.team} {dim.score}, outside"
                    f" [0, {upper}] (indicator maxima {maxima[dim.id]} + bonus cap"
                    f" {cap if cap is not None else 'none'})",
                )
    return checked


def check_explanations(engine: Engine, facts: Facts, *, report: Report | None = None) -> int:
    """Every total equals the sum of its explained contributions; returns the totals checked.

    An indicator's (bonus's, penalty's) lines add up to its points (± the amount applied); a
    dimension's base is the sum of its indicators, its bonus the bonuses applied (capped), its
    penalty the penalties applied, its score base + bonus − penalty floored at 0; the composite
    is Σ weight × score, with the rubric's weights (1 for a dimension without one).
    """
    report = report_of(engine, facts, report)
    rubric = engine.rubric
    weights = {w.dimension: w.weight for w in rubric.weights}
    caps = {d.id: d.bonus_cap for d in rubric.dimensions}
    checked = 0
    for a in report:
        composite = ZERO
        for dim in a.dimensions:
            for ind in dim.indicators:
                lines = sum((line.points for line in ind.lines), ZERO)
                checked += 1
                if lines != ind.points:
                    raise fail(
                        "explanations",
                        f"the lines of indicator {ind.id} for team {a.team} add up to {lines},"
                        f" not its {ind.points} points: "
                        + "; ".join(f"{line.source} {line.points}" for line in ind.lines),
                    )
            bonus = penalty = ZERO
            for adj in dim.adjustments:
                sign = 1 if adj.kind == "bonus" else -1
                lines = sum((line.points for line in adj.lines), ZERO)
                checked += 1
                if lines != sign * adj.applied:
                    raise fail(
                        "explanations",
                        f"the lines of {adj.kind} {adj.id} for team {a.team} add up to {lines},"
                        f" not the {sign * adj.applied} applied",
                    )
                if adj.kind == "bonus":
                    bonus += adj.applied
                else:
                    penalty += adj.applied
            base = sum((ind.points for ind in dim.indicators), ZERO)
            cap = caps[dim.id]
            capped = bonus if cap is None else min(bonus, cap)
            expected = max(ZERO, base + capped - penalty)
            checked += 1
            for name, got, want in (
                ("base", dim.base, base),
                ("bonus before its cap", dim.bonus_before_cap, bonus),
                ("bonus", dim.bonus, capped),
                ("penalty", dim.penalty, penalty),
                ("score", dim.score, expected),
                ("weight", dim.weight, weights.get(dim.id, Decimal(1))),
            ):
                if got != want:
                    raise fail(
                        "explanations",
                        f"dimension {dim.id} of team {a.team} has {name} {got}, but its parts"
                        f" give {want} (score = base {base} + bonus {capped} − penalty {penalty},"
                        " not below 0)",
                    )
            composite += dim.weight * dim.score
        checked += 1
        if a.composite != composite:
            raise fail(
                "explanations",
                f"team {a.team}'s composite is {a.composite}, but Σ weight × score is {composite}",
            )
    return checked


def check_vetoes(engine: Engine, facts: Facts, *, report: Report | None = None) -> int:
    """A veto dominates; returns how many vetoed teams were checked.

    A vetoed team's grade of the veto's dimension (of every dimension, for a veto without one)
    and its composite grade are the scale's veto label; it holds no title; with the default
    ranking (``vetoed="unranked"``) it has no rank, with ``vetoed="last"`` it ranks after every
    team that is not vetoed.
    """
    report = report_of(engine, facts, report)
    rubric = engine.rubric
    vetoed = [a for a in report if a.vetoed]
    ranked = [a.rank for a in report if not a.vetoed and a.rank is not None]
    for a in report:
        if not a.vetoed and a.rank is None:
            raise fail("vetoes", f"team {a.team} is not vetoed but has no rank")
    for a in vetoed:
        names = ", ".join(v.id for v in a.vetoes)
        if a.titles:
            raise fail(
                "vetoes",
                f"team {a.team} is vetoed ({names}) but holds the title {a.titles[0].label}"
                f" ({a.titles[0].id})",
            )
        concerned = {v.dimension for v in a.vetoes}
        for dim in a.dimensions:
            if dim.grade is None or (None not in concerned and dim.id not in concerned):
                continue
            label = _veto_label(rubric, dim.grade.scale)
            if dim.grade.label != label:
                raise fail(
                    "vetoes",
                    f"team {a.team} is vetoed ({names}) but its grade of dimension {dim.id} is"
                    f" {dim.grade.label}, not the veto label {label}",
                )
        if a.grade is not None and a.grade.label != _veto_label(rubric, a.grade.scale):
            raise fail(
                "vetoes",
                f"team {a.team} is vetoed ({names}) but its composite grade is {a.grade.label},"
                f" not the veto label {_veto_label(rubric, a.grade.scale)}",
            )
        if rubric.ranking.vetoed == "unranked" and a.rank is not None:
            raise fail(
                "vetoes", f"team {a.team} is vetoed ({names}) but ranks {a.rank} (no rank expected)"
            )
        if rubric.ranking.vetoed == "last" and (a.rank is None or a.rank <= max(ranked, default=0)):
            raise fail(
                "vetoes",
                f"team {a.team} is vetoed ({names}) but ranks {a.rank}, not after every team"
                " that is not vetoed",
            )
    return len(vetoed)


def _veto_label(rubric: Rubric, scale_id: str) -> str | None:
    for scale in rubric.grade_scales:
        if scale.id == scale_id:
            return scale.veto_label
    raise KeyError(scale_id)  # pragma: no cover - a result names a scale of its rubric


def check_fact_order(
    engine: Engine,
    facts: Facts,
    shuffled: Iterable[Fact],
    *,
    report: Report | None = None,
    expected: str | None = None,
) -> int:
    """The same facts in another order give the same JSON; returns 1.

    ``expected`` is ``report.to_json()`` when the caller has it already.
    """
    report = report_of(engine, facts, report)
    other = engine.assess(list(shuffled))
    if other.to_json() != (report.to_json() if expected is None else expected):
        raise fail(
            "fact_order",
            "the same facts in another order changed the report: "
            + report_difference(report, other),
        )
    return 1
