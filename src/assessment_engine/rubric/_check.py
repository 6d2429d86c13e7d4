"""Reference and type checks run when a rubric is assembled.

Every problem here would otherwise surface in the middle of an assessment; found now, it is a
:class:`~assessment_engine.errors.RubricError` naming the object at fault, with a "did you mean"
for misspelt names. Consistency questions that need the whole rubric's arithmetic (do maxima
add up, can a title be reached) belong to the consistency kit, not here.
"""

from __future__ import annotations

from decimal import Decimal
from typing import assert_never

from .._base.hints import did_you_mean
from ..errors import RubricError
from ..facts import fact_fields
from ._parts import RubricParts
from .conditions import (
    AdjustmentPoints,
    AllOf,
    AnyOf,
    Compare,
    Composite,
    Condition,
    Count,
    DimensionBonus,
    DimensionPenalty,
    DimensionScore,
    DistinctCount,
    Field,
    Grade,
    HasTag,
    Headcount,
    IndicatorPoints,
    Largest,
    Mean,
    Not,
    OneOf,
    PenaltyTotal,
    Phase,
    Quantity,
    Ratio,
    Select,
    TeamAttr,
    Total,
    Triggered,
    ValueOf,
    Vetoed,
)
from .model import Bonus, Penalty
from .scoring import (
    AssessorScore,
    Bands,
    BestItem,
    Deduct,
    Highest,
    Linear,
    Parts,
    PerItem,
    PointsBy,
    Scoring,
    WhenAll,
)

__all__ = ["check_rubric"]


class _Checker:
    def __init__(self, rubric: RubricParts) -> None:
        self.rubric = rubric
        self.dimensions = {d.id for d in rubric.dimensions}
        self.indicators = {i.id for i in rubric.indicators}
        self.adjustments = {r.id for r in rubric.bonuses} | {r.id for r in rubric.penalties}
        self.vetoes = {v.id for v in rubric.vetoes}
        self.scales = {s.id: s for s in rubric.grade_scales}
        self.subject = ""

    def fail(self, message: str) -> RubricError:
        plugin = self.rubric.provenance.get(self.subject) if self.subject else None
        return RubricError(message, subject=self.subject, plugin=plugin)

    # ------------------------------------------------------------------ facts level
    def select(self, select: Select) -> None:
        cls = self.rubric.fact_types.get(select.kind)
        if cls is None:
            raise self.fail(
                f"selects unknown fact kind {select.kind!r}"
                + did_you_mean(select.kind, self.rubric.fact_types)
                + f"; known kinds: {', '.join(sorted(self.rubric.fact_types))}"
            )
        if select.where is not None:
            self.filter(select.where, select.kind)

    def field(self, kind: str, name: str, allowed: tuple[str, ...]) -> str:
        fields = fact_fields(self.rubric.fact_types[kind])
        spec = fields.get(name)
        if spec is None:
            raise self.fail(
                f"fact kind {kind!r} has no field {name!r}" + did_you_mean(name, fields)
            )
        if spec.kind not in allowed:
            raise self.fail(
                f"field {kind}.{name} is {spec.kind}; here it must be {' or '.join(allowed)}"
            )
        return spec.kind

    def filter(self, cond: Condition, kind: str) -> None:
        if isinstance(cond, AllOf | AnyOf):
            for item in cond.items:
                self.filter(item, kind)
        elif isinstance(cond, Not):
            self.filter(cond.item, kind)
        elif isinstance(cond, HasTag):
            self.field(kind, "tags", ("tags",))
        elif isinstance(cond, Compare | OneOf):
            if not isinstance(cond.left, Field):
                raise self.fail(
                    f"a filter on {kind!r} facts compares their fields (Field(...)), not"
                    f" {type(cond.left).__name__}"
                )
            field_kind = self.field(kind, cond.left.name, ("number", "text", "flag"))
            self.compare_types(cond, field_kind, f"{kind}.{cond.left.name}")
        else:
            assert_never(cond)

    def compare_types(self, cond: Compare | OneOf, value_kind: str, what: str) -> None:
        values = [cond.value] if isinstance(cond, Compare) else sorted(cond.values, key=repr)
        op = cond.op if isinstance(cond, Compare) else "=="
        for value in values:
            if value_kind in ("number", "ratio"):
                if not isinstance(value, Decimal):
                    raise self.fail(f"{what} is a number; compare it with a number, not {value!r}")
            elif value_kind == "text":
                if not isinstance(value, str):
                    raise self.fail(f"{what} is text; compare it with text, not {value!r}")
                if op not in ("==", "!="):
                    raise self.fail(f"{what} is text: only equals, differs_from and one_of apply")
            elif value_kind == "flag" and (not isinstance(value, bool) or op not in ("==", "!=")):
                raise self.fail(f"{what} is a flag: compare it with equals(True/False)")

    # ------------------------------------------------------------------ team level
    def quantity(self, q: Quantity, max_stage: int, place: str) -> str:
        stage = q.quantity_stage()
        if stage > max_stage:
            raise self.fail(
                f"{place} may use quantities known from {Phase(max_stage).label} at the latest;"
                f" {type(q).__name__} is known only with {Phase(stage).label}"
            )
        if isinstance(q, Count):
            self.select(q.select)
        elif isinstance(q, Total | Mean | Largest | ValueOf):
            self.select(q.select)
            self.field(q.select.kind, q.field, ("number",))
        elif isinstance(q, DistinctCount):
            self.select(q.select)
            self.field(q.select.kind, q.field, ("number", "text", "flag", "date"))
        elif isinstance(q, Ratio):
            for part in (q.numerator, q.denominator):
                if self.quantity(part, max_stage, place) not in ("number", "ratio"):
                    raise self.fail("a ratio divides numbers")
        elif isinstance(q, IndicatorPoints):
            self.known(q.indicator, self.indicators, "indicator")
        elif isinstance(q, AdjustmentPoints):
            self.known(q.rule, self.adjustments, "bonus or penalty")
        elif isinstance(q, Triggered):
            self.known(q.rule, self.adjustments | self.vetoes, "veto, bonus or penalty")
        elif isinstance(q, DimensionScore | DimensionBonus | DimensionPenalty):
            self.known(q.dimension, self.dimensions, "dimension")
        elif isinstance(q, Grade):
            self.known(q.scale, set(self.scales), "grade scale")
        elif isinstance(q, Headcount | TeamAttr | PenaltyTotal | Composite | Vetoed):
            pass  # nothing to look up
        else:
            assert_never(q)
        return q.quantity_kind()

    def known(self, name: str, choices: set[str], what: str) -> None:
        if name not in choices:
            raise self.fail(f"refers to unknown {what} {name!r}" + did_you_mean(name, choices))

    def condition(self, cond: Condition, max_stage: int, place: str) -> None:
        if isinstance(cond, AllOf | AnyOf):
            for item in cond.items:
                self.condition(item, max_stage, place)
        elif isinstance(cond, Not):
            self.condition(cond.item, max_stage, place)
        elif isinstance(cond, HasTag):
            raise self.fail("has_tag applies to a fact in a filter, not to a team")
        elif isinstance(cond, Compare | OneOf):
            if isinstance(cond.left, Field):
                raise self.fail(
                    f"Field({cond.left.name!r}) only makes sense inside facts(...); compare a"
                    " quantity such as Count(...) or ValueOf(...) here"
                )
            kind = self.quantity(cond.left, max_stage, place)
            self.compare_types(cond, kind, type(cond.left).__name__)
            if isinstance(cond.left, Grade):
                scale = self.scales[cond.left.scale]
                labels = {b.label for b in scale.bands}
                if scale.veto_label is not None:
                    labels.add(scale.veto_label)
                values = [cond.value] if isinstance(cond, Compare) else list(cond.values)
                for value in values:
                    if value not in labels:
                        raise self.fail(
                            f"grade scale {scale.id!r} has no label {value!r}"
                            + did_you_mean(str(value), labels)
                        )
        else:
            assert_never(cond)

    def scoring(self, form: Scoring, place: str) -> None:
        stage = Phase.FACTS
        if isinstance(form, PerItem | BestItem):
            self.select(form.select)
            if isinstance(form.points, PointsBy):
                self.field(form.select.kind, form.points.field, ("text",))
        elif isinstance(form, Linear):
            kind = self.quantity(form.quantity, stage, place)
            if kind == "ratio" and form.unit is None:
                raise self.fail(
                    "a linear form over a ratio needs a unit (points per whole unit), so that"
                    " points stay exact decimals"
                )
            if kind not in ("number", "ratio"):
                raise self.fail("a linear form needs a number quantity")
        elif isinstance(form, Bands):
            kind = self.quantity(form.quantity, stage, place)
            if kind not in ("number", "ratio"):
                raise self.fail("bands need a number quantity")
        elif isinstance(form, Deduct):
            for line in form.deductions:
                if line.select is not None:
                    self.select(line.select)
                if line.when is not None:
                    self.condition(line.when, stage, place)
        elif isinstance(form, WhenAll):
            for cond in form.conditions:
                self.condition(cond, stage, place)
        elif isinstance(form, Highest):
            for option in form.options:
                self.condition(option.when, stage, place)
        elif isinstance(form, Parts):
            for part in form.parts:
                self.scoring(part.scoring, f"{place} part {part.id}")
        elif isinstance(form, AssessorScore):
            pass  # its bounds are checked by the class
        else:
            assert_never(form)

    # ------------------------------------------------------------------ the rubric
    def run(self) -> None:
        rubric = self.rubric
        for ind in rubric.indicators:
            self.subject = ind.id
            self.known(ind.dimension, self.dimensions, "dimension")
            self.scoring(ind.scoring, "an indicator")
        adjustments: list[Bonus | Penalty] = [*rubric.bonuses, *rubric.penalties]
        for adj in adjustments:
            self.subject = adj.id
            self.known(adj.dimension, self.dimensions, "dimension")
            self.scoring(adj.scoring, "a bonus or penalty")
        for veto in rubric.vetoes:
            self.subject = veto.id
            if veto.dimension is not None:
                self.known(veto.dimension, self.dimensions, "dimension")
            self.condition(veto.when, Phase.FACTS, "a veto")
        seen_of: dict[str | None, str] = {}
        for scale in rubric.grade_scales:
            self.subject = scale.id
            if scale.of is not None:
                self.known(scale.of, self.dimensions, "dimension")
            if scale.of in seen_of:
                target = "the composite" if scale.of is None else f"dimension {scale.of!r}"
                raise self.fail(f"{target} already has grade scale {seen_of[scale.of]!r}")
            seen_of[scale.of] = scale.id
            for band in scale.bands:
                if band.requires is not None:
                    self.condition(band.requires, Phase.DIMENSIONS, "a grade requirement")
        quotas = {q.id for q in rubric.quotas}
        for title in rubric.titles:
            self.subject = title.id
            if title.when is not None:
                self.condition(title.when, Phase.GRADES, "a title")
            for quota in title.quotas:
                self.known(quota, quotas, "quota")
        weighted = {w.dimension for w in rubric.weights}
        for weight in rubric.weights:
            self.subject = f"weight:{weight.dimension}"
            self.known(weight.dimension, self.dimensions, "dimension")
        if weighted and weighted != self.dimensions:
            self.subject = "weights"
            missing = sorted(self.dimensions - weighted)
            raise self.fail(f"dimensions without a weight: {', '.join(missing)}")
        self.subject = "ranking"
        for key in rubric.ranking.keys:
            if key.quantity.quantity_stage() > Phase.DIMENSIONS:
                raise self.fail("ranking keys may use quantities up to dimension scores")
            self.quantity(key.quantity, Phase.DIMENSIONS, "a ranking key")


def check_rubric(rubric: RubricParts) -> None:
    """Raise :class:`RubricError` for the first unknown reference or type error in ``rubric``."""
    _Checker(rubric).run()
