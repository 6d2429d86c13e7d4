"""Coverage of a rubric by scenarios: the indicators, bands and rules that no scenario reaches."""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from .._base.numbers import exact_text
from ..report import Report
from ..rubric import Bands, Parts, Rubric, Scoring
from ..rubric.walk import scored

__all__ = ["Coverage", "CoverageCounter"]


@attrs.frozen(kw_only=True)
class Coverage:
    """What the scenarios of a run reached of a rubric, and what they never did.

    Each ``*_missed`` tuple names the objects no scenario's team reached, in rubric order:

    :param indicators_missed: indicators that gave no team any points.
    :param bands_missed: bands of ``Bands`` forms that no team's value fell into, as
        ``"bp.task: ≥ 95 → 8"`` (``"bp.task: otherwise → 0"`` for the value below every band).
    :param grade_bands_missed: grade bands no team was given, as ``"grade.pb: 优秀 (excellent)"``.
    :param rules_missed: bonuses and penalties that never applied an amount, vetoes that never
        fired and titles never awarded.
    :param reached: per category (``indicators``, ``bands``, ``grade bands``, ``rules``), how
        many of how many were reached.
    """

    indicators_missed: tuple[str, ...]
    bands_missed: tuple[str, ...]
    grade_bands_missed: tuple[str, ...]
    rules_missed: tuple[str, ...]
    reached: tuple[tuple[str, int, int], ...]

    @property
    def complete(self) -> bool:
        """Whether the scenarios reached everything."""
        return not (
            self.indicators_missed
            or self.bands_missed
            or self.grade_bands_missed
            or self.rules_missed
        )

    def text(self) -> str:
        """The coverage summary and every object not reached, one per line."""
        summary = ", ".join(f"{what} {got}/{total}" for what, got, total in self.reached)
        out = [f"coverage: {summary}"]
        for title, missed in (
            ("indicators without points", self.indicators_missed),
            ("bands never reached", self.bands_missed),
            ("grade bands never given", self.grade_bands_missed),
            ("rules never triggered", self.rules_missed),
        ):
            if missed:
                out.append(f"  {title}:")
                out.extend(f"    {item}" for item in missed)
        return "\n".join(out)


def _band_forms(owner: str, form: Scoring) -> Iterator[tuple[str, Bands]]:
    if isinstance(form, Bands):
        yield owner, form
    elif isinstance(form, Parts):
        for part in form.parts:
            yield from _band_forms(part.id, part.scoring)


def _band_text(owner: str, form: Bands, index: int | None) -> str:
    if index is None:
        return f"{owner}: otherwise → {exact_text(form.otherwise)}"
    band = form.bands[index]
    edge = ">" if band.strict else "≥"
    return f"{owner}: {edge} {exact_text(band.threshold)} → {exact_text(band.points)}"


class CoverageCounter:
    """Accumulates what the reports of one rubric reached, then tells the coverage."""

    def __init__(self, rubric: Rubric) -> None:
        self.rubric = rubric
        self.indicators: set[str] = set()
        self.bands: set[tuple[str, int | None]] = set()
        self.grades: set[tuple[str, str]] = set()
        self.rules: set[str] = set()

    def add(self, report: Report) -> None:
        """Count what every team of ``report`` reached."""
        for assessment in report:
            for dim in assessment.dimensions:
                self.indicators.update(i.id for i in dim.indicators if i.points)
                self.rules.update(a.id for a in dim.adjustments if a.applied)
                if dim.grade is not None and dim.grade.label is not None:
                    self.grades.add((dim.grade.scale, dim.grade.label))
            if assessment.grade is not None and assessment.grade.label is not None:
                self.grades.add((assessment.grade.scale, assessment.grade.label))
            self.rules.update(v.id for v in assessment.vetoes)
            self.rules.update(t.id for t in assessment.titles)
            self.bands.update(report.bands_chosen(assessment.team).items())

    def coverage(self) -> Coverage:
        """What was reached and what was not, in rubric order."""
        rubric = self.rubric
        indicators = [i.id for i in rubric.indicators if i.id not in self.indicators]
        bands: list[str] = []
        band_total = 0
        for item in scored(rubric):
            for owner, form in _band_forms(item.id, item.scoring):
                for index in (*range(len(form.bands)), None):
                    band_total += 1
                    if (owner, index) not in self.bands:
                        bands.append(_band_text(owner, form, index))
        grades: list[str] = []
        grade_total = 0
        for scale in rubric.grade_scales:
            for band in scale.bands:
                grade_total += 1
                if (scale.id, band.label) not in self.grades:
                    grades.append(f"{scale.id}: {band.label}")
        rule_ids = [
            *(r.id for r in rubric.bonuses),
            *(r.id for r in rubric.penalties),
            *(v.id for v in rubric.vetoes),
            *(t.id for t in rubric.titles),
        ]
        rules = [r for r in rule_ids if r not in self.rules]
        return Coverage(
            indicators_missed=tuple(indicators),
            bands_missed=tuple(bands),
            grade_bands_missed=tuple(grades),
            rules_missed=tuple(rules),
            reached=(
                ("indicators", len(rubric.indicators) - len(indicators), len(rubric.indicators)),
                ("bands", band_total - len(bands), band_total),
                ("grade bands", grade_total - len(grades), grade_total),
                ("rules", len(rule_ids) - len(rules), len(rule_ids)),
            ),
        )
