"""Checks of what a rubric can decide: vetoes, conditions, grade bands and titles."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from typing import assert_never

from .._base.numbers import exact_text
from ..rubric import Rubric
from ..rubric.conditions import (
    Compare,
    Condition,
    Field,
    Not,
    OneOf,
)
from ..rubric.describe import describe_condition, describe_quantity, describe_select
from ..rubric.model import GradeScale
from ..rubric.scoring import (
    AssessorScore,
    Bands,
    BestItem,
    Deduct,
    Highest,
    Linear,
    Parts,
    PerItem,
    WhenAll,
)
from ..rubric.walk import selects_in
from ._domains import conjuncts
from ._findings import Finding, places, sites
from ._intervals import number_text
from ._model import Model
from ._rubric_checks import unknown_value_selects

__all__ = [
    "check_conditions",
    "check_grade_scales",
    "check_quotas",
    "check_titles",
    "check_vetoes",
]


def _scale_target(scale: GradeScale) -> str:
    return "the composite" if scale.of is None else f"the score of dimension {scale.of}"


def _why_never(model: Model, cond: Condition, *, titles: bool) -> str:
    """Which part of a condition cannot hold, and the range that rules it out."""
    reasons = []
    for atom, negated in conjuncts(cond):
        effective = Not(atom) if negated else atom
        held = (model.title_truth(effective) if titles else model.truth(effective))[0]
        if held or not isinstance(atom, Compare | OneOf):
            continue
        text = describe_condition(atom)
        if negated:
            text = f"not ({text})"
        left = atom.left
        if not isinstance(left, Field):
            domain = model.quantity(left, titles=titles)
            if domain.numbers is not None:
                text += f", but {describe_quantity(left)} is always in {domain.numbers.text()}"
            elif domain.values is not None:
                shown = ", ".join(sorted(str(v) for v in domain.values)) or "nothing"
                text += f", but {describe_quantity(left)} can only be: {shown}"
                if titles and model.truth(effective)[0]:
                    text += " (a vetoed team gets no title)"
        reasons.append(text)
    if reasons:
        return "; ".join(reasons)
    return "its conditions contradict each other: " + describe_condition(cond)


def check_vetoes(rubric: Rubric, model: Model) -> Iterator[Finding]:
    """``veto-always-fires`` and ``veto-never-fires``."""
    for veto in rubric.vetoes:
        can_hold, can_fail = model.truth(veto.when)
        if not can_hold:
            yield Finding(
                "warning",
                veto.id,
                "veto-never-fires",
                f"the veto {veto.label} can never fire:"
                f" {_why_never(model, veto.when, titles=False)}. Fix its condition or remove it.",
            )
        elif not can_fail:
            yield Finding(
                "warning",
                veto.id,
                "veto-always-fires",
                f"the veto {veto.label} fires for every team ({describe_condition(veto.when)}):"
                " nobody can be graded or titled. Use above(0) / exists(...) where at_least(0)"
                " was written.",
            )


def check_conditions(rubric: Rubric, model: Model) -> Iterator[Finding]:
    """``constant-condition`` in scoring forms and ``empty-selection`` for filters."""
    for site in sites(rubric):
        form = site.form
        conditions: list[tuple[str, Condition]] = []
        if isinstance(form, WhenAll):
            conditions = [("condition", c) for c in form.conditions]
        elif isinstance(form, Highest):
            conditions = [(f"option {o.label!r}", o.when) for o in form.options]
        elif isinstance(form, Deduct):
            conditions = [
                (f"deduction {line.label!r}", line.when)
                for line in form.deductions
                if line.when is not None
            ]
        elif isinstance(form, PerItem | BestItem | Linear | Bands | AssessorScore | Parts):
            pass  # no team condition (a site is never Parts: its parts are sites)
        else:
            assert_never(form)
        for what, cond in conditions:
            can_hold, can_fail = model.truth(cond)
            if can_hold and can_fail:
                continue
            verdict = "always holds" if can_hold else "never holds"
            yield Finding(
                "warning",
                site.subject,
                "constant-condition",
                f"the {what} of {site.what} {verdict} ({describe_condition(cond)}), so it"
                " decides nothing. Check its thresholds.",
            )
    misspelt = unknown_value_selects(rubric)
    reported: set[tuple[str, object]] = set()
    for subject, obj in places(rubric):
        for select in selects_in(obj):
            if (subject, select) in reported or select in misspelt or model.can_match(select):
                continue
            reported.add((subject, select))
            yield Finding(
                "warning",
                subject,
                "empty-selection",
                f"no fact can pass the filter {describe_select(select)}: every field's possible"
                " values exclude it. Check the comparison values.",
            )


def check_grade_scales(rubric: Rubric, model: Model) -> Iterator[Finding]:
    """``unreachable-grade-band``, ``shadowed-grade-band`` and ``impossible-requirement``."""
    for scale in rubric.grade_scales:
        reach = model.scale_range(scale)
        target = _scale_target(scale)
        for index, band in enumerate(scale.bands):
            if model.band_reachable(scale, index):
                continue
            if band.requires is not None and not model.truth(band.requires)[0]:
                why = _why_never(model, band.requires, titles=False)
                yield Finding(
                    "warning",
                    scale.id,
                    "impossible-requirement",
                    f"band {band.label} requires something that can never hold: {why}."
                    " Fix the requirement or remove it.",
                )
            elif band.at_least is not None and reach.hi is not None and band.at_least > reach.hi:
                yield Finding(
                    "warning",
                    scale.id,
                    "unreachable-grade-band",
                    f"band {band.label} needs ≥ {exact_text(band.at_least)}, but {target} is at"
                    f" most {number_text(reach.hi)}: no team can get it. Lower the threshold or"
                    " remove the band.",
                )
            else:
                yield Finding(
                    "warning",
                    scale.id,
                    "shadowed-grade-band",
                    f"band {band.label} is never given: {target} is always in {reach.text()},"
                    f" and every such score reaches a band above it. Raise the thresholds"
                    " above the lowest possible score.",
                )


def check_titles(rubric: Rubric, model: Model) -> Iterator[Finding]:
    """``unreachable-title`` and ``shadowed-title``."""
    always_before: dict[str, str] = {}  # group -> the first title that always applies
    for title in rubric.titles:  # sorted by group, order, id
        if title.group in always_before:
            yield Finding(
                "error",
                title.id,
                "shadowed-title",
                f"title {title.label} comes after {always_before[title.group]} in group"
                f" {title.group!r}, which every team that is not vetoed gets (no condition that"
                " can fail, no quota): it is never awarded. Give the earlier title a condition"
                " or a quota, or order it last.",
            )
            continue
        can_hold, can_fail = model.title_truth(title.when)
        if not can_hold:
            assert title.when is not None
            yield Finding(
                "error",
                title.id,
                "unreachable-title",
                f"no team can get {title.label}: {_why_never(model, title.when, titles=True)}."
                " Fix the condition (thresholds within the reachable range, labels a team can"
                " get).",
            )
        elif not can_fail and not title.quotas:
            always_before[title.group] = title.id


def check_quotas(rubric: Rubric, model: Model) -> Iterator[Finding]:
    """``unused-quota`` and ``quota-share``."""
    users: dict[str, list[str]] = {q.id: [] for q in rubric.quotas}
    for title in rubric.titles:
        for quota_id in title.quotas:
            users.setdefault(quota_id, []).append(title.id)
    for quota in rubric.quotas:
        titles = users[quota.id]
        if not titles:
            yield Finding(
                "warning",
                quota.id,
                "unused-quota",
                f"no title lists the quota {quota.label}, so it limits nothing. Add it to the"
                " titles it is meant for (Title(quotas=...)) or remove it.",
            )
        elif quota.share > Fraction(1, 3):
            yield Finding(
                "info",
                quota.id,
                "quota-share",
                f"the quota {quota.label} lets {quota.share} of the teams hold"
                f" {', '.join(titles)}; published rubrics keep honours to a third at most"
                " (优秀 ≤ 1/3).",
            )
