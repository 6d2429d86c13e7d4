"""Results: per-team assessments, the period's report, and their explanations — all data.

Every number is exact (``Decimal``) and held in its plain form — no trailing zeros, no exponent
(``85.55``, ``100``) — so ``str()`` prints it as a rubric states numbers; every point can be
traced through :class:`Line` objects to the rule that produced it and the facts
(:class:`FactRef`) it was computed from. Results are frozen ``attrs`` classes serialised to
JSON through the project's converter (:mod:`assessment_engine.serialize`); rendering as text
is :meth:`Explanation.text`.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import attrs

from ._base.numbers import display, plain_decimal

__all__ = [
    "NO_GRADE",
    "AdjustmentResult",
    "Assessment",
    "DimensionResult",
    "Explanation",
    "FactRef",
    "Grade",
    "GradeResult",
    "IndicatorResult",
    "Line",
    "QuotaResult",
    "Standing",
    "TitleResult",
    "VetoResult",
]


#: How an explanation shows a grade scale's "no grade" (a label of ``None``).
NO_GRADE = "无等级 (no grade)"


def _plain_all(values: Iterable[Decimal]) -> tuple[Decimal, ...]:
    """Numbers held in their plain form (``85.55``, never ``85.550``): see ``plain_decimal``."""
    return tuple(map(plain_decimal, values))


@attrs.frozen
class FactRef:
    """A fact behind a line: its kind, its id and what about it counted (``level=national``)."""

    kind: str
    id: str
    detail: str = ""


@attrs.frozen
class Line:
    """One explained contribution: which rule, how many points, why, from which facts."""

    source: str
    label: str
    points: Decimal = attrs.field(converter=plain_decimal)
    reason: str
    facts: tuple[FactRef, ...] = ()


@attrs.frozen
class IndicatorResult:
    """An indicator's points (clipped to ``[0, max]``) and the lines that add up to them."""

    id: str
    label: str
    max: Decimal = attrs.field(converter=plain_decimal)
    points: Decimal = attrs.field(converter=plain_decimal)
    lines: tuple[Line, ...]


@attrs.frozen
class AdjustmentResult:
    """A bonus or penalty: the amount its rule gives and the amount applied after its group."""

    id: str
    label: str
    kind: str
    amount: Decimal = attrs.field(converter=plain_decimal)
    applied: Decimal = attrs.field(converter=plain_decimal)
    note: str
    lines: tuple[Line, ...]


@attrs.frozen
class VetoResult:
    """A veto that fired, with the facts that triggered it."""

    id: str
    label: str
    dimension: str | None
    facts: tuple[FactRef, ...]


@attrs.frozen
class Grade:
    """A grade: the label a grade scale gave, the scale's id and what it grades.

    The one grade type of the results: a :class:`Standing`'s ``grade`` is a ``Grade``, an
    :class:`Assessment`'s a :class:`GradeResult`, which is a ``Grade`` that also says why.
    ``str(grade)`` is its :attr:`text` (``优秀 (excellent)``).

    :ivar scale: the grade scale's id (``grade.composite``).
    :ivar of: the dimension it grades, ``None`` for the composite.
    :ivar label: the band's label, as the rubric states it; the scale's veto label for a vetoed
        team; ``None`` for no grade (a score below a scale without a catch-all band, or a veto
        on a scale whose veto label is ``None``).
    """

    scale: str
    of: str | None
    label: str | None

    @property
    def text(self) -> str:
        """The label, or ``无等级 (no grade)``."""
        return self.label if self.label is not None else NO_GRADE

    def __str__(self) -> str:
        return self.text


@attrs.frozen
class GradeResult(Grade):
    """The grade a scale gave (a :class:`Grade`), and why.

    :ivar reason: the score against the band's edge, a requirement that was not met, or the
        vetoes.
    """

    reason: str


@attrs.frozen
class DimensionResult:
    """One dimension: indicator points + bonus (capped) − penalties, floored at 0."""

    id: str
    label: str
    weight: Decimal = attrs.field(converter=plain_decimal)
    base: Decimal = attrs.field(converter=plain_decimal)
    bonus: Decimal = attrs.field(converter=plain_decimal)
    bonus_before_cap: Decimal = attrs.field(converter=plain_decimal)
    penalty: Decimal = attrs.field(converter=plain_decimal)
    score: Decimal = attrs.field(converter=plain_decimal)
    grade: GradeResult | None
    indicators: tuple[IndicatorResult, ...]
    adjustments: tuple[AdjustmentResult, ...]


@attrs.frozen
class TitleResult:
    """A title the team received; ``note`` reports a quota overrun it is part of."""

    id: str
    label: str
    note: str


@attrs.frozen
class QuotaResult:
    """How a quota was used in the period: its limit, the titles given, and any overrun."""

    id: str
    label: str
    limit: int
    awarded: int
    overrun: int
    note: str


@attrs.frozen
class Standing:
    """One line of the ranking table: the numbers without their explanation (cheap to build).

    ``scores`` and ``grades`` follow ``dimension_ids`` (a grade is ``None`` for a dimension
    without a grade scale); ``dimension_scores`` and ``dimension_grades`` give them as
    ``(dimension id, value)`` pairs. ``grade`` is the composite grade (``None`` without a
    composite scale): a :class:`Grade`, as an :class:`Assessment`'s ``grade`` is (with its
    reason there). Indicator points and everything else are in the team's :class:`Assessment`.
    """

    team: str
    name: str
    department: str
    rank: int | None
    composite: Decimal = attrs.field(converter=plain_decimal)
    grade: Grade | None
    dimension_ids: tuple[str, ...]
    scores: tuple[Decimal, ...] = attrs.field(converter=_plain_all)
    grades: tuple[Grade | None, ...]
    titles: tuple[str, ...]
    vetoed: bool

    @property
    def dimension_scores(self) -> tuple[tuple[str, Decimal], ...]:
        """``(dimension id, score)`` pairs, in dimension order."""
        return tuple(zip(self.dimension_ids, self.scores, strict=True))

    @property
    def dimension_grades(self) -> tuple[tuple[str, Grade], ...]:
        """``(dimension id, grade)`` pairs for the dimensions that have a grade scale."""
        return tuple(
            (d, g) for d, g in zip(self.dimension_ids, self.grades, strict=True) if g is not None
        )


@attrs.frozen
class Assessment:
    """Everything the engine decided about one team in one period.

    ``rank`` is ``None`` for an unranked (vetoed) team; ``rank_note`` explains ties and
    tie-breaks; ``title_notes`` say why titles were not reached.
    """

    team: str
    name: str
    department: str
    period: str
    headcount: int | None
    dimensions: tuple[DimensionResult, ...]
    composite: Decimal = attrs.field(converter=plain_decimal)
    grade: GradeResult | None
    vetoes: tuple[VetoResult, ...]
    titles: tuple[TitleResult, ...]
    title_notes: tuple[str, ...]
    rank: int | None
    rank_note: str
    rubric_hash: str
    engine_version: str

    @property
    def vetoed(self) -> bool:
        """Whether any veto fired."""
        return bool(self.vetoes)

    def dimension(self, dimension_id: str) -> DimensionResult:
        """The result of one dimension, by id."""
        for dim in self.dimensions:
            if dim.id == dimension_id:
                return dim
        raise KeyError(dimension_id)

    def indicator(self, indicator_id: str) -> IndicatorResult:
        """The result of one indicator, by id."""
        for dim in self.dimensions:
            for ind in dim.indicators:
                if ind.id == indicator_id:
                    return ind
        raise KeyError(indicator_id)

    def explain(self) -> Explanation:
        """The explanation of this assessment, as data with a text rendering."""
        return Explanation(self)


@attrs.frozen
class Explanation:
    """Why a team got its points, grades, titles and rank; :meth:`text` renders it."""

    assessment: Assessment

    def lines(self) -> tuple[Line, ...]:
        """Every contribution line, in order (indicators, then adjustments, by dimension)."""
        result: list[Line] = []
        for dim in self.assessment.dimensions:
            for ind in dim.indicators:
                result.extend(ind.lines)
            for adj in dim.adjustments:
                result.extend(adj.lines)
        return tuple(result)

    def text(self, *, places: int = 2) -> str:
        """A readable account (Chinese labels with English glosses)."""
        a = self.assessment
        out: list[str] = []
        rank = "未排名 (unranked)" if a.rank is None else f"第 {a.rank} 名 (rank {a.rank})"
        out.append(f"{a.name} [{a.team}] — {a.department} — {a.period}")
        grade = f"，{a.grade.text}" if a.grade else ""
        out.append(f"综合得分 (composite) {display(a.composite, places)}{grade}，{rank}")
        if a.rank_note:
            out.append(f"  {a.rank_note}")
        for veto in a.vetoes:
            facts = ", ".join(_fact_text(f) for f in veto.facts)
            out.append(f"一票否决 (veto) {veto.id} {veto.label}" + (f" ← {facts}" if facts else ""))
        for dim in a.dimensions:
            out.append("")
            weight = f" × {display(dim.weight, 2)}" if dim.weight != 1 else ""
            out.append(
                f"{dim.label} [{dim.id}] {display(dim.score, places)}{weight}"
                + (f" — {dim.grade.text}" if dim.grade else "")
            )
            for ind in dim.indicators:
                out.append(
                    f"  {ind.label} [{ind.id}] {display(ind.points, places)}"
                    f" / {display(ind.max, places)}"
                )
                for line in ind.lines:
                    out.append(_line_text(line, places, "    "))
            for adj in dim.adjustments:
                sign = "+" if adj.kind == "bonus" else "−"
                kind = "加分 (bonus)" if adj.kind == "bonus" else "扣分 (penalty)"
                out.append(
                    f"  {kind} {adj.label} [{adj.id}] {sign}{display(adj.applied, places)}"
                    + (f" — {adj.note}" if adj.note else "")
                )
                for line in adj.lines:
                    out.append(_line_text(line, places, "    "))
            summary = f"  小计 (subtotal) {display(dim.base, places)}"
            if dim.bonus_before_cap:
                summary += f" + 加分 (bonus) {display(dim.bonus, places)}"
                if dim.bonus != dim.bonus_before_cap:
                    summary += f" (封顶 capped from {display(dim.bonus_before_cap, places)})"
            if dim.penalty:
                summary += f" − 扣分 (penalty) {display(dim.penalty, places)}"
            summary += f" = {display(dim.score, places)}"
            out.append(summary)
            if dim.grade:
                out.append(f"  等级 (grade) {dim.grade.text}: {dim.grade.reason}")
        if a.grade:
            out.append("")
            out.append(f"综合等级 (composite grade) {a.grade.text}: {a.grade.reason}")
        out.append("")
        if a.titles:
            for title in a.titles:
                out.append(
                    f"称号 (title) {title.label} [{title.id}]"
                    + (f" — {title.note}" if title.note else "")
                )
        else:
            out.append("称号 (title) 无 (none)")
        for note in a.title_notes:
            out.append(f"  {note}")
        out.append(f"规则集 (rubric) {a.rubric_hash[:12]}, engine {a.engine_version}")
        return "\n".join(out)


def _fact_text(ref: FactRef) -> str:
    return f"{ref.kind} {ref.id}" + (f" ({ref.detail})" if ref.detail else "")


def _line_text(line: Line, places: int, indent: str) -> str:
    facts = ""
    if line.facts:
        shown = ", ".join(_fact_text(f) for f in line.facts[:8])
        more = f" … +{len(line.facts) - 8}" if len(line.facts) > 8 else ""
        facts = f" ← {shown}{more}"
    points = display(line.points, places)
    if line.points > 0:
        points = "+" + points
    return f"{indent}{points}  {line.label}: {line.reason}{facts}"
