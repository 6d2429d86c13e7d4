"""Stability between two runs: the population stability index (PSI) and the rank changes.

PSI compares how a score is distributed over the teams in two runs:
``PSI = Σ (q − p) · ln(q / p)`` over bins, ``p`` the share of run A's teams in a bin and ``q``
run B's. The usual reading: below 0.1 stable, 0.1 to 0.25 a moderate shift, 0.25 or more a
significant one (flagged).

Bins: at most 10, and at most one per 5 teams of the smaller run (at least 2), so that a bin
is not one team: 11 teams get 2 bins, 50 get 10. When both runs together have no more distinct
values than that (points are often few and discrete) each value is its own bin; otherwise the
bins are cut at the quantiles of both runs' values pooled (pooled, not run A's alone, so that
a score constant in A still shows a shift). Shares are smoothed (half a team added to every
bin) so that an empty bin does not make the index infinite. With the small populations of an
office (tens of teams) PSI is a coarse signal; read it with the rank changes.
"""

from __future__ import annotations

import bisect
import math
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from typing import Final, Literal, Protocol

import attrs

from ..results import Assessment

__all__ = [
    "PSI_MODERATE",
    "PSI_SIGNIFICANT",
    "PopulationShift",
    "RankChanges",
    "Stability",
    "population_stability_index",
    "stability",
]

#: From this PSI on, a shift is moderate.
PSI_MODERATE: Final = 0.1
#: From this PSI on, a shift is significant.
PSI_SIGNIFICANT: Final = 0.25
MAX_BINS: Final = 10
#: Teams per bin: the smaller run's size divided by this is the most bins used.
TEAMS_PER_BIN: Final = 5
SMOOTHING: Final = 0.5


class _Reports(Protocol):
    @property
    def teams(self) -> tuple[str, ...]: ...

    def __getitem__(self, team: str) -> Assessment: ...


def _bin_edges(values: Sequence[Decimal], bins: int) -> list[Decimal]:
    distinct = sorted(set(values))
    if len(distinct) <= bins:
        return distinct[:-1]  # value i falls in bin i: (−∞, v0], (v0, v1], ...
    pooled = sorted(values)
    # the upper end of each of the first bins−1 quantile groups: (−∞, e1], (e1, e2], ...
    edges = sorted({pooled[(i * len(pooled)) // bins - 1] for i in range(1, bins)})
    return [e for e in edges if e < pooled[-1]]


def population_stability_index(
    before: Sequence[Decimal], after: Sequence[Decimal], *, bins: int | None = None
) -> tuple[float, int]:
    """PSI of ``after`` against ``before``, and the number of bins used (see the module).

    :param bins: the most bins to use (default: as the module docstring says).
    """
    if not before or not after:
        return 0.0, 0
    if bins is None:
        bins = min(MAX_BINS, max(2, min(len(before), len(after)) // TEAMS_PER_BIN))
    edges = _bin_edges([*before, *after], bins)
    count = len(edges) + 1
    in_before = Counter(bisect.bisect_left(edges, v) for v in before)
    in_after = Counter(bisect.bisect_left(edges, v) for v in after)
    total = 0.0
    for index in range(count):
        p = (in_before[index] + SMOOTHING) / (len(before) + SMOOTHING * count)
        q = (in_after[index] + SMOOTHING) / (len(after) + SMOOTHING * count)
        total += (q - p) * math.log(q / p)
    return total, count


Level = Literal["stable", "moderate", "significant"]


def _level(value: float) -> Level:
    if value >= PSI_SIGNIFICANT:
        return "significant"
    return "moderate" if value >= PSI_MODERATE else "stable"


@attrs.frozen(kw_only=True)
class PopulationShift:
    """The PSI of one score (an indicator, or ``composite``) between two runs."""

    subject: str
    label: str
    psi: float
    bins: int
    level: Level
    teams_before: int
    teams_after: int

    @property
    def flagged(self) -> bool:
        """Whether the shift is at least moderate (PSI ≥ 0.1)."""
        return self.level != "stable"

    def __str__(self) -> str:
        flag = {"stable": "", "moderate": "  ⚑ moderate", "significant": "  ⚑⚑ significant"}
        return (
            f"{self.subject} {self.label}: PSI {self.psi:.3f} ({self.bins} bins){flag[self.level]}"
        )


@attrs.frozen(kw_only=True)
class RankChanges:
    """How ranks moved among the teams ranked in both runs.

    ``distribution`` pairs places gained (positive is up) with how many teams gained them;
    ``correlation`` is the Pearson correlation of the two runs' ranks (``None`` for fewer
    than two teams or no spread); ``entered``/``left``: teams ranked in only one run.
    """

    teams: int
    moved: int
    distribution: tuple[tuple[int, int], ...]
    mean_absolute: float
    largest: int
    correlation: float | None
    entered: int
    left: int

    def __str__(self) -> str:
        spread = ", ".join(f"{d:+d}: {n}" for d, n in self.distribution)
        corr = "—" if self.correlation is None else f"{self.correlation:.3f}"
        return (
            f"rank changes of {self.teams} teams: {self.moved} moved (mean |change|"
            f" {self.mean_absolute:.2f}, largest {self.largest}); rank correlation {corr};"
            f" places gained {{{spread}}}; newly ranked {self.entered},"
            f" no longer ranked {self.left}"
        )


@attrs.frozen(kw_only=True)
class Stability:
    """PSI of the composite and of every indicator both runs have, and the rank changes."""

    composite: PopulationShift
    indicators: tuple[PopulationShift, ...]
    ranks: RankChanges

    @property
    def flagged(self) -> tuple[PopulationShift, ...]:
        """The scores whose PSI is 0.1 or more, largest first."""
        shifts = [self.composite, *self.indicators]
        return tuple(sorted((s for s in shifts if s.flagged), key=lambda s: (-s.psi, s.subject)))

    def text(self) -> str:
        """Readable lines: the composite, the flagged indicators, the rank changes."""
        lines = ["stability:", f"  {self.composite}"]
        flagged = [s for s in self.flagged if s.subject != "composite"]
        lines += [f"  {s}" for s in flagged]
        calm = len(self.indicators) - len(flagged)
        if calm:
            lines.append(f"  {calm} indicator(s) stable (PSI < {PSI_MODERATE})")
        lines.append(f"  {self.ranks}")
        return "\n".join(lines)


def _shift(
    subject: str, label: str, before: list[Decimal], after: list[Decimal]
) -> PopulationShift:
    value, bins = population_stability_index(before, after)
    return PopulationShift(
        subject=subject,
        label=label,
        psi=value,
        bins=bins,
        level=_level(value),
        teams_before=len(before),
        teams_after=len(after),
    )


def _correlation(pairs: Sequence[tuple[int, int]]) -> float | None:
    if len(pairs) < 2:
        return None
    xs, ys = [float(a) for a, _ in pairs], [float(b) for _, b in pairs]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    vx = sum((x - mx) ** 2 for x in xs)
    vy = sum((y - my) ** 2 for y in ys)
    if vx == 0 or vy == 0:
        return None
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / math.sqrt(vx * vy)


def stability(report_a: _Reports, report_b: _Reports) -> Stability:
    """The stability of ``report_b`` against ``report_a`` (see the module docstring)."""
    a = [report_a[t] for t in report_a.teams]
    b = [report_b[t] for t in report_b.teams]
    labels: dict[str, str] = {}
    points_a: dict[str, list[Decimal]] = {}
    points_b: dict[str, list[Decimal]] = {}
    for side, into in ((a, points_a), (b, points_b)):
        for assessment in side:
            for dim in assessment.dimensions:
                for ind in dim.indicators:
                    labels.setdefault(ind.id, ind.label)
                    into.setdefault(ind.id, []).append(ind.points)
    indicators = tuple(
        _shift(i, labels[i], points_a[i], points_b[i]) for i in points_a if i in points_b
    )
    composite = _shift(
        "composite", "综合得分 (composite)", [x.composite for x in a], [x.composite for x in b]
    )
    ranks_a = {x.team: x.rank for x in a if x.rank is not None}
    ranks_b = {x.team: x.rank for x in b if x.rank is not None}
    both = [t for t in ranks_b if t in ranks_a]
    gained = [ranks_a[t] - ranks_b[t] for t in both]
    ranks = RankChanges(
        teams=len(both),
        moved=sum(1 for g in gained if g),
        distribution=tuple(sorted(Counter(gained).items())),
        mean_absolute=sum(abs(g) for g in gained) / len(gained) if gained else 0.0,
        largest=max((abs(g) for g in gained), default=0),
        correlation=_correlation([(ranks_a[t], ranks_b[t]) for t in both]),
        entered=sum(1 for t in ranks_b if t not in ranks_a),
        left=sum(1 for t in ranks_a if t not in ranks_b),
    )
    return Stability(composite=composite, indicators=indicators, ranks=ranks)
