"""Checks of scoring forms: bands, caps, maxima, deductions and double counting."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from decimal import Decimal
from typing import assert_never

from .._base.numbers import exact_text
from ..rubric import Rubric
from ..rubric.describe import describe_quantity
from ..rubric.model import Indicator, Penalty
from ..rubric.scoring import (
    AssessorScore,
    Band,
    Bands,
    BestItem,
    Deduct,
    Highest,
    Linear,
    Parts,
    PerItem,
    Scoring,
    WhenAll,
)
from ._domains import band_regions, item_points
from ._findings import Finding, Site, sites
from ._intervals import number_text
from ._model import Model

__all__ = [
    "check_bands",
    "check_caps",
    "check_deductions",
    "check_double_counting",
    "check_indicator_max",
    "check_points_above_max",
]


def _band(band: Band) -> str:
    return f"{'>' if band.strict else '≥'} {exact_text(band.threshold)} → {exact_text(band.points)}"


def _n(value: Decimal) -> str:
    return exact_text(value)


def check_bands(rubric: Rubric, model: Model) -> Iterator[Finding]:
    """Bands: ``non-monotone-bands``, ``decreasing-bands``, ``duplicate-threshold``, ...

    ... and ``unreachable-band``.
    """
    for site in sites(rubric):
        form = site.form
        if not isinstance(form, Bands):
            continue
        # points from the lowest values up: otherwise, then the bands from the bottom
        rising = [form.otherwise, *(b.points for b in reversed(form.bands))]
        ups = any(b > a for a, b in itertools.pairwise(rising))
        downs = any(b < a for a, b in itertools.pairwise(rising))
        declared = not (isinstance(site.owner, Indicator) and not site.owner.monotone)
        table = ", ".join(_band(b) for b in form.bands) + f", otherwise {_n(form.otherwise)}"
        if downs and ups and declared:
            yield Finding(
                "warning",
                site.subject,
                "non-monotone-bands",
                f"the bands of {site.what} ({table}) are not in step: a higher value of"
                f" {describe_quantity(form.quantity)} can earn fewer points than a lower one."
                " Reorder the points so that they never drop as the value rises (or declare the"
                " indicator monotone=False if that is the rule).",
            )
        elif downs and declared:
            yield Finding(
                "info",
                site.subject,
                "decreasing-bands",
                f"the bands of {site.what} ({table}) give fewer points the higher"
                f" {describe_quantity(form.quantity)} is: right when lower is better (a rate of"
                " complaints), wrong otherwise.",
            )
        for higher, lower in itertools.pairwise(form.bands):
            if higher.threshold == lower.threshold:
                yield Finding(
                    "warning",
                    site.subject,
                    "duplicate-threshold",
                    f"{site.what} has two bands at {_n(lower.threshold)} ({_band(higher)} and"
                    f" {_band(lower)}): the second applies to exactly {_n(lower.threshold)}"
                    " only. Keep one band per threshold.",
                )
        domain = model.quantity(form.quantity)
        numbers = domain.numbers
        if numbers is None:
            continue
        regions = band_regions(form)
        unused = [
            _band(band)
            for band, region in zip(form.bands, regions, strict=False)
            if not numbers.meets(region)
        ]
        if not numbers.meets(regions[-1]) and not domain.missing:
            unused.append(f"otherwise {_n(form.otherwise)}")
        if unused:
            yield Finding(
                "warning",
                site.subject,
                "unreachable-band",
                f"{describe_quantity(form.quantity)} is always in {numbers.text()}, so"
                f" {site.what} never uses: {'; '.join(unused)}. Check the thresholds (≥ 0 where"
                " > 0 was meant?).",
            )


def check_caps(rubric: Rubric, model: Model) -> Iterator[Finding]:
    """``cap-below-one-item`` and ``part-cap-above-max``."""
    for site in sites(rubric):
        form = site.form
        if isinstance(form, PerItem) and form.cap is not None:
            one = max(item_points(form, rubric.fact_types.get(form.select.kind)))
            if one > form.cap:
                yield Finding(
                    "warning",
                    site.subject,
                    "cap-below-one-item",
                    f"one fact earns up to {_n(one)} in {site.what}, more than its cap"
                    f" {_n(form.cap)}: a single item is cut. Raise the cap to at least {_n(one)}"
                    " or lower the points per item.",
                )
        elif isinstance(form, Linear) and form.cap is not None and form.points > form.cap:
            yield Finding(
                "warning",
                site.subject,
                "cap-below-one-item",
                f"one unit earns {_n(form.points)} in {site.what}, more than its cap"
                f" {_n(form.cap)}. Raise the cap or lower the points per unit.",
            )
        if (
            site.part is not None
            and site.part.cap is not None
            and isinstance(site.owner, Indicator)
            and site.part.cap > site.owner.max
        ):
            yield Finding(
                "warning",
                site.subject,
                "part-cap-above-max",
                f"the cap {_n(site.part.cap)} of part {site.part.id} is above the max"
                f" {_n(site.owner.max)} of indicator {site.owner.id}, so it never applies."
                f" Lower it to at most {_n(site.owner.max)}.",
            )


def check_indicator_max(rubric: Rubric, model: Model) -> Iterator[Finding]:
    """``max-unreachable`` (warning) and ``max-below-reach`` (info)."""
    for ind in rubric.indicators:
        reach = model.form(ind.scoring)
        if reach.hi is not None and reach.hi < ind.max:
            yield Finding(
                "warning",
                ind.id,
                "max-unreachable",
                f"{ind.label} can earn at most {number_text(reach.hi)} points, below its max"
                f" {_n(ind.max)}: no team can get full marks. Lower max to"
                f" {number_text(reach.hi)} or let the scoring reach {_n(ind.max)}.",
            )
        elif reach.hi is None or reach.hi > ind.max:
            reach_text = "unlimited" if reach.hi is None else f"up to {number_text(reach.hi)}"
            yield Finding(
                "info",
                ind.id,
                "max-below-reach",
                f"its scoring can reach {reach_text} points; the max {_n(ind.max)} caps it"
                f" (累计不超过{_n(ind.max)}分).",
            )


def check_points_above_max(rubric: Rubric, model: Model) -> Iterator[Finding]:
    """``points-above-max``: a single award larger than what its place can count."""
    for site in sites(rubric):
        ceiling = site.ceiling
        if ceiling is None:
            continue
        form = site.form
        awards: list[tuple[str, Decimal]] = []
        if isinstance(form, Bands):
            awards = [(f"band {_band(b)}", b.points) for b in form.bands]
            awards.append(("otherwise", form.otherwise))
        elif isinstance(form, Highest):
            awards = [(f"option {o.label!r}", o.points) for o in form.options]
        elif isinstance(form, WhenAll):
            awards = [("its award", form.points)]
        elif isinstance(form, AssessorScore):
            awards = [("the assessor's maximum", form.maximum)]
        elif isinstance(form, PerItem | BestItem):
            if isinstance(form, BestItem) or form.cap is None or form.cap > ceiling:
                one = max(item_points(form, rubric.fact_types.get(form.select.kind)))
                awards = [("one fact", one)]
        elif isinstance(form, Linear | Deduct | Parts):
            pass  # no single award: points per unit, a base minus deductions, parts' own sites
        else:
            assert_never(form)
        for what, points in awards:
            if points > ceiling:
                yield Finding(
                    "warning",
                    site.subject,
                    "points-above-max",
                    f"{what} gives {_n(points)} points in {site.what}, above the"
                    f" {_n(ceiling)} it can count for: it is cut to {_n(ceiling)}. Lower the"
                    " points or raise the max.",
                )


def check_deductions(rubric: Rubric, model: Model) -> Iterator[Finding]:
    """Deductions: ``deduction-without-floor``, ``negative-points``, ...

    ... ``indicator-wide-deduction``, ``base-above-max``, ``deduction-above-max`` and
    ``floor-above-base``.
    """
    for site in sites(rubric):
        form = site.form
        if not isinstance(form, Deduct):
            continue
        taken = model.deductions(form)
        exceeds = taken.hi is None or taken.hi > form.base
        most = "without limit" if taken.hi is None else f"up to {number_text(taken.hi)}"
        if form.floor is None and exceeds:
            yield from _floorless(site, form, most)
        ceiling = site.ceiling
        if ceiling is not None and form.base > ceiling:
            yield Finding(
                "warning",
                site.subject,
                "base-above-max",
                f"the base {_n(form.base)} of {site.what} is above the {_n(ceiling)} it can"
                f" count for: the first {_n(form.base - ceiling)} points of deductions cost"
                f" nothing. Lower the base to {_n(ceiling)}.",
            )
        if form.floor is None and isinstance(site.owner, Indicator):
            lines = [(line.label, line.points) for line in form.deductions]
            if form.assessor is not None:
                lines.append((form.assessor.label, form.assessor.maximum))
            for label, points in lines:
                if points > site.owner.max:
                    yield Finding(
                        "warning",
                        site.subject,
                        "deduction-above-max",
                        f"one {label!r} takes {_n(points)} points, more than the"
                        f" whole max {_n(site.owner.max)} of indicator {site.owner.id}, and"
                        " nothing stops it (no floor). Allowed only as 扣完为止: set a floor or"
                        " lower the deduction.",
                    )
        if form.floor is not None and form.floor > form.base:
            yield Finding(
                "warning",
                site.subject,
                "floor-above-base",
                f"the floor {_n(form.floor)} of {site.what} is above its base {_n(form.base)}:"
                f" it always gives {_n(form.floor)}, whatever is deducted.",
            )


def _floorless(site: Site, form: Deduct, most: str) -> Iterator[Finding]:
    if site.part is None:
        yield Finding(
            "warning",
            site.subject,
            "negative-points",
            f"{site.what} has no floor and can deduct {most} from a base of {_n(form.base)}:"
            " its points go below 0 and only the engine's clip at 0 stops them. Write"
            " floor=0 (扣完为止).",
        )
    elif isinstance(site.owner, Penalty):
        yield Finding(
            "error",
            site.subject,
            "deduction-without-floor",
            f"{site.what} has no floor and can deduct {most} from a base of {_n(form.base)}:"
            " the excess comes off the other parts, so more violations lower the penalty."
            " Give it floor=0.",
        )
    elif form.base > 0:
        yield Finding(
            "error",
            site.subject,
            "deduction-without-floor",
            f"{site.what} has a base of {_n(form.base)} but no floor and can deduct {most}:"
            f" the excess comes off the other parts of {site.owner.id} instead of stopping at"
            " 0. Write floor=0 (扣完为止), or base=0 if it is meant to deduct from the whole"
            " indicator (本项扣分).",
        )
    else:
        yield Finding(
            "info",
            site.subject,
            "indicator-wide-deduction",
            f"{site.what} deducts {most} from the other parts of {site.owner.id} (本项扣分);"
            f" {site.owner.id} itself never goes below 0.",
        )


def _assessor_only(form: Scoring) -> bool:
    """A deduction form whose only deduction is the assessor's (it reads its owner's score)."""
    return isinstance(form, Deduct) and form.assessor is not None and not form.deductions


def check_double_counting(rubric: Rubric, model: Model) -> Iterator[Finding]:
    """``double-counting``: two places scoring the same facts with the same form."""
    seen: dict[object, Site] = {}
    for site in sorted(sites(rubric), key=lambda s: s.subject):
        form = site.form
        if isinstance(form, AssessorScore | Parts) or _assessor_only(form):
            continue  # assessor scores are per indicator: equal forms read different facts
        reach = model.form(form)
        if reach.hi is not None and reach.hi <= 0 and (reach.lo is not None and reach.lo >= 0):
            continue
        first = seen.get(form)
        if first is None:
            seen[form] = site
            continue
        yield Finding(
            "warning",
            site.subject,
            "double-counting",
            f"{site.what} scores the same facts in the same way as {first.what}: a team is"
            " counted twice. Remove one, or make them select different facts.",
        )
