"""Inline SVG charts for the HTML report (:mod:`assessment_engine.render.html`).

Pure functions from numbers and labels to SVG text; every label is escaped here, coordinates are
written with one decimal so that the same numbers always give the same bytes. Styling is left to
the page's CSS (classes ``ring``, ``spoke``, ``r-team``, ``r-mean``, ``hbar``, ``threshold``, …).
"""

from __future__ import annotations

import functools
import html
import math
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

from .._base.numbers import display

__all__ = ["RadarAxis", "histogram", "radar"]

#: Bins of a histogram, at most.
MAX_BINS = 12
#: Names in a bar's tooltip, at most (then "… +N"): the page stays small with many teams.
NAMES_SHOWN = 20


class RadarAxis(NamedTuple):
    """One axis of a radar chart: a dimension's label, its short label, score and maximum."""

    label: str
    short: str
    score: Decimal
    max: Decimal

    @property
    def ratio(self) -> float:
        """The score as a share of the maximum (above 1 with bonuses)."""
        return _share(self.score, self.max)


@functools.lru_cache(maxsize=4096, typed=True)
def _share(score: Decimal, maximum: Decimal) -> float:
    """``score / maximum``, exactly rounded to a float (the same few pairs recur: remembered)."""
    return float(Fraction(score) / Fraction(maximum))


#: ``display`` of the scores on the charts (the same few recur in every team's radar)
_shown = functools.lru_cache(maxsize=4096, typed=True)(display)


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _f(value: float) -> str:
    """A coordinate with one decimal, never ``-0.0``."""
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def _svg(width: int, height: int, css: str, label: str, parts: Sequence[str]) -> str:
    return (
        f'<svg class="{css}" viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
        f' role="img" aria-label="{_e(label)}">{"".join(parts)}</svg>'
    )


class _Frame:
    """What every radar of the same shape shares: its rings, spokes, mean and label spots.

    A report draws one radar per team, all with the same axes, scale and mean; the frame is
    made once per shape (:func:`_frame`) and only each team's polygon and dots are drawn anew.
    """

    def __init__(
        self, n: int, scale: float, size: int, pad: int, mean: tuple[float, ...] | None
    ) -> None:
        self.scale, self.reach, self.c = scale, size / 2 - pad, size / 2
        self.angles = [-math.pi / 2 + 2 * math.pi * i / n for i in range(n)]
        parts = []
        for ring in [0.25, 0.5, 0.75, 1.0] + ([scale] if scale > 1 else []):
            full = " full" if ring == 1.0 else ""
            parts.append(f'<polygon class="ring{full}" points="{self.polygon([ring] * n)}"/>')
        c = self.c
        for i in range(n):
            x, y = self.point(i, scale)
            parts.append(
                f'<line class="spoke" x1="{_f(c)}" y1="{_f(c)}" x2="{_f(x)}" y2="{_f(y)}"/>'
            )
        if mean is not None:
            parts.append(f'<polygon class="r-mean" points="{self.polygon(mean)}"/>')
        self.fixed = "".join(parts)
        #: each spoke's label spot, without and with the value under the label
        self.spots = tuple([self._spot(i, values) for i in range(n)] for values in (False, True))

    def point(self, i: int, share: float) -> tuple[float, float]:
        """Where ``share`` of the scale lies on spoke ``i``."""
        r = self.reach * share / self.scale
        return self.c + r * math.cos(self.angles[i]), self.c + r * math.sin(self.angles[i])

    def polygon(self, shares: Sequence[float]) -> str:
        """The ``points`` of a polygon through ``shares`` of the scale, one per spoke."""
        return " ".join(
            f"{_f(x)},{_f(y)}" for x, y in (self.point(i, s) for i, s in enumerate(shares))
        )

    def _spot(self, i: int, values: bool) -> tuple[str, str, str]:
        """Spoke ``i``'s label: its x and y (as written) and its text anchor."""
        x, y = self.point(i, self.scale * (1 + 12 / self.reach))
        cos, sin = math.cos(self.angles[i]), math.sin(self.angles[i])
        anchor = "start" if cos > 0.5 else "end" if cos < -0.5 else "middle"
        y += 4 if abs(sin) < 0.3 else 14 if sin > 0 else -6 - (12 if values else 0)
        return _f(x), _f(y), anchor


#: the frame of each radar shape, made once (a report has one or two shapes)
_frame = functools.lru_cache(maxsize=64)(_Frame)


def radar(
    axes: Sequence[RadarAxis],
    *,
    mean: Sequence[float] | None,
    scale: float,
    size: int,
    pad: int,
    values: bool,
    vetoed: bool,
    label: str,
) -> str:
    """A radar chart: one spoke per axis, the score's share of its maximum along it.

    ``scale`` is the share at the end of a spoke (1, or more when bonuses push a score past its
    maximum); rings mark 25 %, 50 %, 75 % and 100 %. ``mean`` (shares) is drawn dashed. With
    fewer than three axes a polygon says nothing, so the same data is drawn as bars.
    """
    if len(axes) < 3:
        return _bars(axes, mean=mean, scale=scale, size=size, vetoed=vetoed, label=label)
    n = len(axes)
    frame = _frame(n, scale, size, pad, None if mean is None else tuple(mean))
    shares = [a.ratio for a in axes]
    parts = [
        frame.fixed,
        f'<polygon class="r-team{" vetoed" if vetoed else ""}" points="{frame.polygon(shares)}"/>',
    ]
    for i, a in enumerate(axes):
        x, y = frame.point(i, shares[i])
        tip = f"{a.label}: {_shown(a.score)} / {_shown(a.max)} ({shares[i]:.0%})"
        parts.append(
            f'<circle class="r-dot" cx="{_f(x)}" cy="{_f(y)}" r="3"><title>{_e(tip)}</title>'
            "</circle>"
        )
        x_text, y_text, anchor = frame.spots[values][i]
        value = (
            f'<tspan class="r-value" x="{x_text}" dy="13">{_shown(a.score)} / {_shown(a.max)}'
            "</tspan>"
            if values
            else ""
        )
        parts.append(
            f'<text class="r-label" x="{x_text}" y="{y_text}" text-anchor="{anchor}">'
            f"<title>{_e(a.label)}</title>{_e(a.short)}{value}</text>"
        )
    return _svg(size, size, "chart radar", label, parts)


def _bars(
    axes: Sequence[RadarAxis],
    *,
    mean: Sequence[float] | None,
    scale: float,
    size: int,
    vetoed: bool,
    label: str,
) -> str:
    """The radar's data for one or two axes: a bar per axis, the 100 % mark and the mean."""
    left, right, row = 12, 12, 56
    height = max(row * len(axes) + 16, 72)
    reach = size - left - right
    parts = []
    for i, a in enumerate(axes):
        top = 12 + row * i
        full = left + reach / scale
        tip = f"{a.label}: {display(a.score)} / {display(a.max)} ({a.ratio:.0%})"
        parts.append(
            f'<text class="r-label" x="{left}" y="{top + 12}"><title>{_e(a.label)}</title>'
            f"{_e(a.short)} {display(a.score)} / {display(a.max)}</text>"
            f'<rect class="ring" x="{left}" y="{top + 20}" width="{reach}" height="14"/>'
            f'<rect class="r-team{" vetoed" if vetoed else ""}" x="{left}" y="{top + 20}"'
            f' width="{_f(reach * min(a.ratio, scale) / scale)}" height="14">'
            f"<title>{_e(tip)}</title></rect>"
            f'<line class="ring full" x1="{_f(full)}" x2="{_f(full)}" y1="{top + 16}"'
            f' y2="{top + 38}"/>'
        )
        if mean is not None:
            x = _f(left + reach * mean[i] / scale)
            parts.append(
                f'<line class="r-mean" x1="{x}" x2="{x}" y1="{top + 16}" y2="{top + 38}"/>'
            )
    return _svg(size, height, "chart radar bars", label, parts)


def _nice_step(upper: Decimal) -> Decimal:
    """The smallest of 1, 2, 5 × 10^k that cuts ``[0, upper]`` into at most MAX_BINS bins."""
    exponent = math.floor(math.log10(float(upper) / MAX_BINS))
    while True:
        for mantissa in (1, 2, 5):
            step = Decimal(mantissa).scaleb(exponent)
            if Fraction(upper) / Fraction(step) <= MAX_BINS:
                return step
        exponent += 1


def _edge(value: Decimal) -> str:
    return format(value.normalize(), "f")


class HistogramItem(NamedTuple):
    """One value of a histogram: the number, a name for the tooltip, whether it is set apart."""

    value: Decimal
    name: str
    apart: bool


def histogram(
    items: Sequence[HistogramItem],
    *,
    upper: Decimal,
    thresholds: Sequence[tuple[Decimal, str]],
    axis_label: str,
    label: str,
) -> tuple[str, str]:
    """A histogram of non-negative values over ``[0, upper]`` and a text summary of its bins.

    Bins are 1, 2 or 5 × 10^k wide, half-open but for the last; items ``apart`` (vetoed teams)
    are stacked on top in their own class; each threshold is a dashed line with its label.
    """
    upper = max([upper, *(i.value for i in items)]) or Decimal(1)
    step = _nice_step(upper)
    bins = max(1, math.ceil(Fraction(upper) / Fraction(step)))
    edge = step * bins
    stacks: list[tuple[list[str], list[str]]] = [([], []) for _ in range(bins)]
    for item in items:
        index = math.floor(Fraction(item.value) / Fraction(step))
        stacks[min(index, bins - 1)][item.apart].append(item.name)
    peak = max([1, *(len(a) + len(b) for a, b in stacks)])
    width, height, left, right, top, bottom = 680, 260, 44, 16, 26, 42
    plot_w, plot_h, base_y = width - left - right, height - top - bottom, height - bottom

    def x(value: Decimal) -> float:
        return left + plot_w * float(Fraction(value) / Fraction(edge))

    def y(count: int) -> float:
        return top + plot_h * (1 - count / peak)

    parts = []
    for count in range(0, peak + 1, max(1, math.ceil(peak / 5))):
        parts.append(
            f'<line class="gridline" x1="{left}" x2="{width - right}" y1="{_f(y(count))}"'
            f' y2="{_f(y(count))}"/><text class="tick" x="{left - 6}" y="{_f(y(count) + 4)}"'
            f' text-anchor="end">{count}</text>'
        )
    for i in range(bins + 1):
        parts.append(
            f'<text class="tick" x="{_f(x(step * i))}" y="{base_y + 16}"'
            f' text-anchor="middle">{_edge(step * i)}</text>'
        )
    summary = []
    for i, (inside, apart) in enumerate(stacks):
        span = f"[{_edge(step * i)}, {_edge(step * (i + 1))}{']' if i == bins - 1 else ')'}"
        if inside or apart:
            summary.append(f"{span}: {len(inside) + len(apart)}")
        x0, x1 = x(step * i) + 1, x(step * (i + 1)) - 1
        for names, css, below in ((inside, "hbar", 0), (apart, "hbar vetoed", len(inside))):
            if names:
                shown = "、".join(names[:NAMES_SHOWN])
                more = f" … +{len(names) - NAMES_SHOWN}" if len(names) > NAMES_SHOWN else ""
                tip = f"{span}: {len(names)} — {shown}{more}"
                parts.append(
                    f'<rect class="{css}" x="{_f(x0)}" y="{_f(y(below + len(names)))}"'
                    f' width="{_f(x1 - x0)}" height="{_f(y(below) - y(below + len(names)))}">'
                    f"<title>{_e(tip)}</title></rect>"
                )
    for at, text in thresholds:
        if 0 < at <= edge:
            tx = _f(x(at))
            parts.append(
                f'<line class="threshold" x1="{tx}" x2="{tx}" y1="{top - 4}" y2="{base_y}"/>'
                f'<text class="threshold-label" x="{tx}" y="{top - 8}" text-anchor="middle">'
                f"{_e(text)}</text>"
            )
    parts.append(
        f'<line class="axis" x1="{left}" x2="{width - right}" y1="{base_y}" y2="{base_y}"/>'
        f'<line class="axis" x1="{left}" x2="{left}" y1="{top}" y2="{base_y}"/>'
        f'<text class="tick" x="{_f(left + plot_w / 2)}" y="{height - 6}"'
        f' text-anchor="middle">{_e(axis_label)}</text>'
    )
    return _svg(width, height, "chart histogram", label, parts), ", ".join(summary)
