"""What the HTML report's pages share: escaping, numbers, the page's language, grade pills.

The page speaks one language: the Chinese part of each ``中文 (English)`` label, with the
English gloss on hover (a ``title`` attribute); with ``gloss=True`` both, side by side.
"""

from __future__ import annotations

import html
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

from .._base.numbers import display
from .._base.sheets import split_label
from ..results import Grade
from ..rubric import GradeScale, Rubric
from ..rubric.plain import Names, names_of
from ._reasons import Reasons

__all__ = ["Words", "e", "num", "pct", "points_span"]


def e(text: object) -> str:
    """Escape text for HTML content and double-quoted attributes."""
    return html.escape(str(text), quote=True)


@lru_cache(maxsize=1 << 16)
def num(value: Decimal | Fraction | int, places: int = 2) -> str:
    """A number rounded for display only (the same numbers recur: remembered)."""
    return display(value, places)


@lru_cache(maxsize=1 << 16)
def pct(value: Decimal, maximum: Decimal) -> str:
    """``value`` as a percentage of ``maximum``, clipped to [0, 100], one decimal."""
    if maximum <= 0:
        return "0"
    share = min(max(Fraction(value) / Fraction(maximum), Fraction(0)), Fraction(1))
    return display(share * 100, 1)


def points_span(points: Decimal) -> str:
    """Points with their sign, coloured: ``+2.00``, ``−3.00``, ``0.00``."""
    if points > 0:
        return f'<span class="pts pos">+{num(points)}</span>'
    if points < 0:
        return f'<span class="pts neg">−{num(-points)}</span>'
    return f'<span class="pts zero">{num(points)}</span>'


class Words:
    """The page's language: its fixed words, the rubric's labels, and plain reasons.

    :param rubric: the rubric of the report (labels, grade scales, the forms behind lines).
    :param gloss: show English glosses beside the Chinese (else on hover only).
    """

    def __init__(self, rubric: Rubric, *, gloss: bool) -> None:
        self.gloss = gloss
        self.names: Names = names_of(rubric, gloss=gloss)
        self.reasons = Reasons(rubric, self.names)
        self.scales: dict[str, GradeScale] = {s.id: s for s in rubric.grade_scales}
        self._labels: dict[str, str] = {}
        self._grades: dict[tuple[str, str | None], str] = {}
        self._words: dict[tuple[str, str], str] = {}

    def w(self, chinese: str, english: str) -> str:
        """A fixed word of the page, as HTML: ``名次`` with ``rank`` on hover, or both."""
        key = (chinese, english)
        found = self._words.get(key)
        if found is None:
            if self.gloss:
                found = e(f"{chinese} ({english})")
            else:
                found = f'<span title="{e(english)}">{e(chinese)}</span>'
            self._words[key] = found
        return found

    def plain(self, chinese: str, english: str) -> str:
        """A fixed word as text (for attributes and charts): ``名次`` or ``名次 (rank)``."""
        return f"{chinese} ({english})" if self.gloss else chinese

    def label(self, label: str) -> str:
        """A rubric label as HTML: its Chinese part with the English on hover, or whole."""
        found = self._labels.get(label)
        if found is None:
            head, english = split_label(label)
            if self.gloss or english is None:
                found = e(label)
            else:
                found = f'<span title="{e(english)}">{e(head)}</span>'
            if len(self._labels) < 1 << 16:
                self._labels[label] = found
        return found

    def label_text(self, label: str) -> str:
        """A rubric label as text: its Chinese part, or whole with ``gloss``."""
        return self.names.text(label)

    def sentence(self, text: str) -> str:
        """One of the engine's sentences (a rank note, a grade's reason) in the page's language."""
        return self.reasons.text(text)

    def grade(self, result: Grade | None) -> str:
        """A grade as a pill coloured by its band: best g0 … worst g3, vetoed gv."""
        if result is None:
            return ""
        key = (result.scale, result.label)
        found = self._grades.get(key)
        if found is None:
            found = self._grades[key] = self._grade(result)
        return found

    def _grade(self, result: Grade) -> str:
        scale, tier = self.scales.get(result.scale), "gx"
        labels = [b.label for b in scale.bands] if scale else []
        if scale and result.label == scale.veto_label:
            tier = "gv"
        elif result.label in labels:
            i, n = labels.index(result.label), len(labels)
            tier = "g0" if n == 1 else f"g{(6 * i + n - 1) // (2 * (n - 1))}"
        return (
            f'<span class="pill {tier}" title="{e(result.text)}">'
            f"{e(self.label_text(result.text))}</span>"
        )
