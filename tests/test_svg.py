"""The inline SVG charts: each radar's frame is made once per shape and never crosses shapes."""

from __future__ import annotations

import re
from decimal import Decimal as D

from assessment_engine.render import _svg

AXES = [
    _svg.RadarAxis("党建 (party)", "党建", D("30"), D("40")),
    _svg.RadarAxis("业务 (business)", "业务", D("45.5"), D("40")),
    _svg.RadarAxis("文明 (civility)", "文明", D("10"), D("20")),
]


def draw(mean: list[float], scale: float = 1.0, values: bool = False) -> str:
    return _svg.radar(
        AXES, mean=mean, scale=scale, size=200, pad=30, values=values, vetoed=False, label="T1"
    )


def points(svg: str, css: str) -> str:
    return re.search(rf'<polygon class="{css}" points="([^"]+)"', svg)[1]  # type: ignore[index]


def test_a_radar_is_the_same_drawn_cold_or_after_other_shapes() -> None:
    _svg._frame.cache_clear()
    first = draw([0.5, 0.5, 0.5])
    other = draw([0.9, 0.1, 0.4], scale=1.25, values=True)
    assert draw([0.5, 0.5, 0.5]) == first  # its own frame, remembered
    assert _svg._frame.cache_info().hits == 1
    assert points(first, "r-mean") != points(other, "r-mean")  # each shape its own mean
    assert points(first, "r-team") != points(other, "r-team")  # and its own scale
    assert first.count('class="ring') == 4
    assert other.count('class="ring') == 5  # a ring at the scale beyond 100 %
    assert "r-value" not in first
    assert other.count('class="r-value"') == 3
    # the team's own polygon: 45.5 of 40 is past the 100 % ring on its spoke
    assert points(first, "r-team").split()[1] != points(first, "ring full").split()[1]
