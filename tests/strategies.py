"""Hypothesis strategies for property tests: random valid rubrics and the facts they assess.

Two public strategies, in Hypothesis' style (plural nouns, keyword-only options, defaults that
suit most tests):

* :func:`rubrics` — a checked :class:`~assessment_engine.Rubric` built from the public model:
  dimensions, indicators in every scoring form, filters, bonuses and penalties in exclusive
  groups, vetoes, grade scales with requirements, weights, titles with quotas, a ranking;
* :func:`teams_facts` — a list of facts for a few teams of one period, ready for
  :class:`~assessment_engine.FactSet`.

Both draw from the same small vocabularies (:data:`TEXT_VALUES`, :data:`NUMBER_VALUES`, ...), so
generated filters match generated facts some of the time, and thresholds are drawn close to the
values the facts produce, so band edges and equalities are hit exactly.

Everything stays inside durable-rules' envelope: conditions are small (at most
:data:`LOGICAL_BUDGET` all/any groups once compiled) and the compiler splits clusters itself.

Helpers that are not strategies: :func:`assessor_bounds` (the assessor-scored owners of a
rubric and their bounds), :func:`facts_to_data` and :func:`facts_from_data` (a small JSON form
of facts, for running a case in another process).
"""

from __future__ import annotations

import datetime
import functools
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from assessment_engine import (
    Achievement,
    Activity,
    Fact,
    Incident,
    Member,
    Metric,
    Record,
    Rubric,
    Score,
    Team,
)
from assessment_engine.facts import PARTY_STATUSES
from assessment_engine.rubric import (
    AdjustmentPoints,
    AllOf,
    AnyOf,
    AssessorDeduction,
    AssessorScore,
    Band,
    Bands,
    BestItem,
    Bonus,
    Compare,
    Composite,
    Condition,
    Count,
    Deduct,
    Deduction,
    Dimension,
    DimensionBonus,
    DimensionPenalty,
    DimensionScore,
    DistinctCount,
    Field,
    Grade,
    GradeBand,
    GradeScale,
    HasTag,
    Headcount,
    Highest,
    Indicator,
    IndicatorPoints,
    Largest,
    Linear,
    Mean,
    Not,
    OneOf,
    Option,
    Part,
    Parts,
    Penalty,
    PenaltyTotal,
    PerItem,
    PointsBy,
    Quantity,
    Quota,
    Ranking,
    Ratio,
    Scoring,
    Select,
    SortKey,
    TeamAttr,
    Title,
    Total,
    Triggered,
    ValueOf,
    Veto,
    Vetoed,
    Weight,
    WhenAll,
    facts,
    per_capita,
)

__all__ = [
    "LOGICAL_BUDGET",
    "NUMBER_VALUES",
    "PERIOD",
    "TAGS",
    "TEAM_IDS",
    "TEXT_VALUES",
    "assessor_bounds",
    "facts_from_data",
    "facts_to_data",
    "records",
    "rubrics",
    "teams_facts",
]

D = Decimal

# --------------------------------------------------------------------------- vocabularies

PERIOD = "2024"
#: Team ids that look alike: a matcher or an index keyed on a normalised id would mix them up.
TEAM_IDS = ("T1", "T2", "T01", "t1", "T1.0", "T1-a", "T10", "T1_", "T1:", "T3")
TEAM_NAMES = ("一组", "Team one", "二组")
DEPARTMENTS = ("食品所", "lab", "Lab")
#: Record ids are shared across kinds and teams (they are unique per team, period and kind).
RECORD_IDS = ("r1", "r2", "r3", "r10", "r1.0", "R1", "x")
TAGS = ("a", "b", "key")
DATES = (datetime.date(2024, 1, 15), datetime.date(2024, 6, 30))

#: Text fields a filter may compare, per fact kind, and the values facts take.
TEXT_VALUES: Mapping[tuple[str, str], tuple[str, ...]] = {
    ("member", "party_status"): PARTY_STATUSES,
    ("member", "role"): ("leader", "staff", "secretary"),
    ("member", "education"): ("doctorate", "master", "bachelor"),
    ("member", "name"): ("", "Li"),
    ("activity", "kind"): ("study", "volunteer", "lecture"),
    ("activity", "level"): ("institute", "city", "national"),
    ("activity", "description"): ("", "x"),
    ("achievement", "kind"): ("patent", "project", "standard"),
    ("achievement", "level"): ("national", "provincial", "bureau"),
    ("achievement", "award"): ("first", "second"),
    ("achievement", "role"): ("lead", "participant"),
    ("metric", "kind"): ("on_time", "satisfaction", "attendance"),
    ("metric", "unit"): ("", "%"),
    ("incident", "kind"): ("late", "complaint", "accident"),
    ("incident", "severity"): ("minor", "serious"),
    ("incident", "member"): ("m1", "m2"),
}
#: Number fields, per fact kind, and the values facts take (few decimal places; some written
#: differently but equal: ``2.50`` and ``2.5``, ``1E+1`` and ``10``, ``-0`` and ``0``).
NUMBER_VALUES: Mapping[tuple[str, str], tuple[Decimal, ...]] = {
    ("member", "age"): (D(25), D(35), D(36), D(50)),
    ("activity", "hours"): (D(0), D("0.5"), D(1), D("1.5"), D(2), D("2.50"), D(3), D("1E+1")),
    ("activity", "participants"): (D(0), D(3), D(10)),
    ("achievement", "value"): (D(-2), D(0), D("1.5"), D(10), D(100)),
    ("metric", "value"): (D(-1), D("-0"), D("0.5"), D("0.90"), D(1), D("2.5"), D(90), D(100)),
}
#: Fields that may be missing (``None``) on a fact.
OPTIONAL_FIELDS = frozenset(
    {
        ("member", "age"),
        ("member", "education"),
        ("activity", "participants"),
        ("activity", "level"),
        ("activity", "date"),
        ("achievement", "level"),
        ("achievement", "award"),
        ("achievement", "role"),
        ("achievement", "value"),
        ("achievement", "date"),
        ("incident", "severity"),
        ("incident", "member"),
        ("incident", "date"),
    }
)
KINDS = ("member", "activity", "achievement", "metric", "incident")
_TEAM_TEXT = {"id": TEAM_IDS, "name": TEAM_NAMES, "department": DEPARTMENTS}
_HEADCOUNTS = tuple(D(i) for i in range(1, 7))
_COUNTS = tuple(D(i) for i in range(5))
_RATIOS = (D(0), D("0.2"), D("0.25"), D("0.5"), D("0.75"), D(1), D("1.5"), D(2), D(3))
_POINTS = (D(0), D("0.5"), D(1), D(2), D(3), D(5), D(8))
_SCORES = (D(0), D(1), D(2), D(3), D(5), D(8), D(10), D(15), D(20))
_LABELS = ("学习 (study)", "志愿 (volunteer)", "x", "纪律")

#: Most ``$and``/``$or`` groups a generated condition compiles to in durable-rules (whose
#: limit is 15 per rule: one for the cluster test, one for a grade band's own threshold).
LOGICAL_BUDGET = 12


def _text_fields(kind: str) -> list[str]:
    return [f for (k, f) in TEXT_VALUES if k == kind]


def _number_fields(kind: str) -> list[str]:
    return [f for (k, f) in NUMBER_VALUES if k == kind]


_NUMBER_FIELD_NAMES = frozenset(f for (_, f) in NUMBER_VALUES)


# --------------------------------------------------------------------------- small helpers


def _check_range(name: str, low: int, high: int, lowest: int, highest: int) -> None:
    if not isinstance(low, int) or not isinstance(high, int):
        raise InvalidArgument(f"min_{name} and max_{name} must be integers")
    if not lowest <= low <= high <= highest:
        raise InvalidArgument(
            f"need {lowest} <= min_{name} <= max_{name} <= {highest},"
            f" got min_{name}={low}, max_{name}={high}"
        )


@st.composite
def _drawn(draw: st.DrawFn, chooser: st.SearchStrategy[st.SearchStrategy[Any]]) -> Any:
    return draw(draw(chooser))


def _pick(*options: st.SearchStrategy[Any] | tuple[int, st.SearchStrategy[Any]]) -> Any:
    """One of the options, ``(weight, strategy)`` or a strategy of weight 1.

    Unlike ``st.one_of``, which flattens nested ``one_of``s into one uniform choice (and drops
    repeats), the weights here apply to the options as given.
    """
    expanded: list[st.SearchStrategy[Any]] = []
    for option in options:
        weight, strategy = option if isinstance(option, tuple) else (1, option)
        expanded.extend([strategy] * weight)
    return _drawn(st.sampled_from(expanded))


# Every strategy below is built once (module constants and functools.cache): constructing and
# validating strategies inside draws dominated the run time.

_NUMBER_OPS = st.sampled_from(("==", "!=", ">=", ">", "<=", "<"))
_EQUALITY_OPS = st.sampled_from(("==", "!="))
_FORMS = st.integers(0, 2)  # 0 and 1: a comparison; 2: one_of
_BOOLS = st.booleans()
_OFFSETS = st.sampled_from((D(-1), D("-0.25"), D("0.5"), D("0.01"), D("0.000")))
_SMALL = st.decimals(min_value=-3, max_value=12, places=2, allow_nan=False, allow_infinity=False)
_LABEL = st.sampled_from(_LABELS)
_POINT = st.sampled_from(_POINTS)
_CAPS = st.none() | st.sampled_from((D(0), D(1), D("2.5"), D(3), D(5)))
_GROUPS = st.none() | st.sampled_from(("g", "h"))


@functools.cache
def _near(vocabulary: tuple[Decimal, ...]) -> st.SearchStrategy[Decimal]:
    """Mostly a value facts produce, sometimes just beside one, rarely anything small."""
    exact = st.sampled_from(sorted(set(vocabulary)))
    beside = st.builds(operator.add, exact, _OFFSETS)
    return _pick((3, exact), beside, _SMALL)


@functools.cache
def _texts(vocabulary: tuple[str, ...], unknown: bool) -> st.SearchStrategy[str]:
    # "zz" is text no fact carries: it must never match (durable codes it 0)
    return st.sampled_from((*vocabulary, "zz") if unknown else vocabulary)


@functools.cache
def _value_lists(values: st.SearchStrategy[Any], most: int) -> st.SearchStrategy[list[Any]]:
    return st.lists(values, min_size=1, max_size=most)


def _sums(vocabulary: Sequence[Decimal]) -> tuple[Decimal, ...]:
    values = sorted({*vocabulary, D(0)})
    return tuple(sorted({a + b for a in values for b in values}))


def _is_number(left: object) -> bool:
    if isinstance(left, Field):
        return left.name in _NUMBER_FIELD_NAMES
    return left.quantity_kind() in ("number", "ratio")  # type: ignore[attr-defined, no-any-return]


def logical_cost(cond: Condition) -> int:
    """``$and``/``$or`` groups the condition compiles to (number equality costs one)."""
    if isinstance(cond, Compare):
        return 1 if _is_number(cond.left) and cond.op in ("==", "!=") else 0
    if isinstance(cond, OneOf):
        return 1 + (len(cond.values) if _is_number(cond.left) else 0)
    if isinstance(cond, HasTag):
        return 0
    if isinstance(cond, AllOf | AnyOf):
        return 1 + sum(logical_cost(c) for c in cond.items)
    if isinstance(cond, Not):
        return logical_cost(cond.item)
    raise TypeError(cond)  # pragma: no cover


def _values_of(left: Any, vocabulary: Any) -> tuple[st.SearchStrategy[Any], Any, int]:
    """How to compare ``left``: values, operators, and the most values in a one_of."""
    if isinstance(left, Field):
        number = left.name in _NUMBER_FIELD_NAMES
        kind = "number" if number else "text"
    else:
        kind = left.quantity_kind()
    if kind in ("number", "ratio"):
        return _near(vocabulary), _NUMBER_OPS, 2
    if kind == "flag":
        return _BOOLS, _EQUALITY_OPS, 2
    return vocabulary, _EQUALITY_OPS, 3


def _compare(draw: st.DrawFn, left: Any, vocabulary: Any) -> Condition:
    values, ops, most = _values_of(left, vocabulary)
    if draw(_FORMS) < 2:
        return Compare(left, draw(ops), draw(values))
    return OneOf(left, draw(_value_lists(values, most)))


@st.composite
def _field_comparisons(draw: st.DrawFn, kind: str, fields: tuple[str, ...]) -> Condition:
    name = draw(st.sampled_from(fields))
    if name in _NUMBER_FIELD_NAMES:
        return _compare(draw, Field(name), NUMBER_VALUES[kind, name])
    return _compare(draw, Field(name), _texts(TEXT_VALUES[kind, name], True))


@st.composite
def _quantity_comparisons(draw: st.DrawFn, quantities: st.SearchStrategy[Quantity]) -> Condition:
    q = draw(quantities)
    if isinstance(q, TeamAttr):
        return _compare(draw, q, _texts(_TEAM_TEXT[q.field], True))
    return _compare(draw, q, _vocabulary_of(q))


@st.composite
def _grade_comparisons(draw: st.DrawFn, scales: tuple[tuple[str, tuple[str, ...]], ...]) -> Any:
    scale, labels = draw(st.sampled_from(scales))
    return _compare(draw, Grade(scale), _texts(labels, False))


_SHAPES = st.integers(0, 5)  # 0, 1: a leaf; 2: Not; 3: AllOf; 4: AnyOf; 5: a constant
_GROUP_SIZES = st.integers(1, 3)
_CONSTANTS = st.sampled_from((AllOf(), AnyOf()))  # AllOf() always holds, AnyOf() never does


def _tree(draw: st.DrawFn, leaves: st.SearchStrategy[Condition], depth: int) -> Condition:
    shape = draw(_SHAPES) if depth else 0
    if shape <= 1:
        return draw(leaves)
    if shape == 2:
        return Not(_tree(draw, leaves, depth - 1))
    if shape == 5:
        return draw(_CONSTANTS)
    items = [_tree(draw, leaves, depth - 1) for _ in range(draw(_GROUP_SIZES))]
    return AllOf(*items) if shape == 3 else AnyOf(*items)


@st.composite
def _conditions(draw: st.DrawFn, leaves: st.SearchStrategy[Condition]) -> Condition:
    """Leaves combined with AllOf, AnyOf and Not, two groups deep, within the budget."""
    cond = _tree(draw, leaves, 2)
    # one leaf always fits (a number one_of of two values costs 3)
    return cond if logical_cost(cond) <= LOGICAL_BUDGET else draw(leaves)


# --------------------------------------------------------------------------- filters and selects


@functools.cache
def _filter_leaves(kind: str) -> st.SearchStrategy[Condition]:
    fields = (*_text_fields(kind), *_number_fields(kind))
    return _pick((3, _field_comparisons(kind, fields)), st.sampled_from(TAGS).map(HasTag))


def _by_value(kind: str) -> st.SearchStrategy[Select]:
    name = _text_fields(kind)[0]
    return st.sampled_from([facts(kind, **{name: v}) for v in TEXT_VALUES[kind, name]])


@functools.cache
def _selects(kind: str) -> st.SearchStrategy[Select]:
    """``facts(kind)``, ``facts(kind, kind=...)`` or ``facts(kind, <filter>)``."""
    filtered = _conditions(_filter_leaves(kind)).map(lambda where: Select(kind, where))
    return _pick(st.just(facts(kind)), _by_value(kind), (2, filtered))


_ANY_SELECTS = _pick(*(_selects(k) for k in KINDS))
_NUMBER_KINDS = sorted({k for (k, _) in NUMBER_VALUES})


# --------------------------------------------------------------------------- quantities


def _over_field(cls: Callable[..., Quantity]) -> st.SearchStrategy[Quantity]:
    return st.one_of(
        [st.builds(cls, _selects(k), st.sampled_from(_number_fields(k))) for k in _NUMBER_KINDS]
    )


def _distinct(kind: str) -> st.SearchStrategy[Quantity]:
    fields = [*_text_fields(kind), *_number_fields(kind)]
    if kind not in ("member", "metric"):
        fields.append("date")
    return st.builds(DistinctCount, _selects(kind), st.sampled_from(fields))


_VALUE_OF = st.builds(
    lambda kind, where, default: ValueOf(facts("metric", where, kind=kind), "value", default),
    st.sampled_from(TEXT_VALUES["metric", "kind"]),
    st.none() | _filter_leaves("metric"),
    st.none() | st.sampled_from((D(0), D(1))),
)
#: Per-team numbers counted from facts (stage 1), without ratios.
_SIMPLE_NUMBERS = _pick(
    (3, _ANY_SELECTS.map(Count)),
    (2, _over_field(Total)),
    _over_field(Largest),
    _pick(*(_distinct(k) for k in KINDS)),
    _VALUE_OF,
    st.just(Headcount()),
)
_MEANS = _over_field(Mean)
#: Per-team numbers counted from facts (stage 1), ratios included.
_FACT_NUMBERS = _pick(
    (4, _SIMPLE_NUMBERS),
    _MEANS,
    _SIMPLE_NUMBERS.map(per_capita),
    st.builds(Ratio, _pick((3, _SIMPLE_NUMBERS), _MEANS), _pick((3, _SIMPLE_NUMBERS), _MEANS)),
)
_FACT_TEXTS = st.sampled_from(("id", "name", "department")).map(TeamAttr)


def _vocabulary_of(q: Quantity) -> tuple[Decimal, ...]:
    """The values a quantity takes on generated facts (thresholds are drawn near them)."""
    if isinstance(q, Count | DistinctCount):
        return _COUNTS
    if isinstance(q, Headcount):
        return _HEADCOUNTS
    if isinstance(q, Total):
        return _sums(NUMBER_VALUES[q.select.kind, q.field])
    if isinstance(q, Mean | Largest | ValueOf):
        return NUMBER_VALUES.get((q.select.kind, q.field), _POINTS)
    if isinstance(q, Ratio):
        return _RATIOS
    if isinstance(q, IndicatorPoints | AdjustmentPoints):
        return _POINTS
    return _SCORES


FACTS, ITEMS, DIMENSIONS, GRADES = 1, 2, 3, 4

#: Conditions about a team over its facts (indicators, adjustments, vetoes).
_FACT_CONDITIONS = _conditions(_quantity_comparisons(_pick((5, _FACT_NUMBERS), _FACT_TEXTS)))


class _Context:
    """What later parts of a rubric may refer to, as it is being drawn."""

    def __init__(self) -> None:
        self.dimensions: list[str] = []
        self.indicators: list[str] = []
        self.adjustments: list[str] = []
        self.vetoes: list[str] = []
        self.scales: dict[str, tuple[str, ...]] = {}
        self._conditions: dict[int, st.SearchStrategy[Condition]] = {}

    def late_numbers(self, *, dimensions: bool) -> st.SearchStrategy[Quantity]:
        """Indicator and rule points, and (with ``dimensions``) the dimensions' totals."""
        found: list[st.SearchStrategy[Quantity]] = []
        if self.indicators:
            found.append(st.sampled_from(self.indicators).map(IndicatorPoints))
        if self.adjustments:
            found.append(st.sampled_from(self.adjustments).map(AdjustmentPoints))
        if dimensions:
            found.append(st.sampled_from(self.dimensions).map(DimensionScore))
            found.append(st.sampled_from(self.dimensions).map(DimensionBonus))
            found.append(st.sampled_from(self.dimensions).map(DimensionPenalty))
            found.append(st.just(Composite()))
            found.append(st.just(PenaltyTotal()))
        return _pick(*found)

    def flags(self) -> st.SearchStrategy[Quantity]:
        rules = self.adjustments + self.vetoes
        if not rules:
            return st.just(Vetoed())
        return _pick(st.just(Vetoed()), (2, st.sampled_from(rules).map(Triggered)))

    def conditions(self, stage: int) -> st.SearchStrategy[Condition]:
        """Conditions about a team over quantities known at ``stage`` (built once per stage)."""
        if stage == FACTS:
            return _FACT_CONDITIONS
        if stage not in self._conditions:
            late = self.late_numbers(dimensions=stage >= DIMENSIONS)
            late_or_fact = _pick(late, _SIMPLE_NUMBERS)
            quantities = _pick(
                (4, late),
                (2, _FACT_NUMBERS),
                st.builds(Ratio, late_or_fact, late_or_fact),
                _FACT_TEXTS,
                self.flags(),
            )
            leaves = [(4, _quantity_comparisons(quantities))]
            if stage >= GRADES and self.scales:
                leaves.append((1, _grade_comparisons(tuple(sorted(self.scales.items())))))
            self._conditions[stage] = _conditions(_pick(*leaves))
        return self._conditions[stage]


# --------------------------------------------------------------------------- scoring forms


@functools.cache
def _text_points(kind: str) -> st.SearchStrategy[Decimal | PointsBy]:
    tables = [
        st.builds(
            PointsBy,
            st.just(name),
            st.dictionaries(st.sampled_from(TEXT_VALUES[kind, name]), _POINT, max_size=3),
            st.sampled_from((D(0), D("0.5"), D(1))),
        )
        for name in _text_fields(kind)
    ]
    return _pick(_POINT, _pick(*tables))


_PER_ITEMS = _pick(*(st.builds(PerItem, _selects(k), _text_points(k), _CAPS) for k in KINDS))
_BEST_ITEMS = _pick(*(st.builds(BestItem, _selects(k), _text_points(k)) for k in KINDS))
_UNITS = st.sampled_from((D("0.5"), D(1), D(2), D("0.25")))
_PER_UNIT = st.sampled_from((D(0), D("0.5"), D(1), D(2)))


@st.composite
def _linears(draw: st.DrawFn) -> Scoring:
    q = draw(_FACT_NUMBERS)
    # a ratio needs a unit, so that points stay exact
    unit = draw(_UNITS if q.quantity_kind() == "ratio" else st.none() | _UNITS)
    return Linear(q, draw(_PER_UNIT), unit, draw(_CAPS))


@functools.cache
def _edges(vocabulary: tuple[Decimal, ...]) -> st.SearchStrategy[list[tuple[Decimal, bool]]]:
    return st.lists(st.tuples(_near(vocabulary), _BOOLS), min_size=1, max_size=4)


@st.composite
def _bands(draw: st.DrawFn) -> Scoring:
    q = draw(_FACT_NUMBERS)
    edges = dict.fromkeys(draw(_edges(_vocabulary_of(q))))  # 1 and 1.0 are one threshold
    bands = [Band(t, draw(_POINT), strict=s) for t, s in sorted(edges, reverse=True)]
    return Bands(q, bands, otherwise=draw(st.sampled_from((D(0), D("0.5"), D(1)))))


_DEDUCTION_POINTS = st.sampled_from((D("0.5"), D(1), D(2), D(3)))
_DEDUCTS = st.builds(
    Deduct,
    st.sampled_from((D(0), D(2), D(5), D(10))),
    st.lists(
        st.builds(
            lambda label, p, select: Deduction(label, p, select=select),
            _LABEL,
            _DEDUCTION_POINTS,
            _ANY_SELECTS,
        )
        | st.builds(
            lambda label, p, when: Deduction(label, p, when=when),
            _LABEL,
            _DEDUCTION_POINTS,
            _FACT_CONDITIONS,
        ),
        min_size=1,
        max_size=3,
    ).map(tuple),
    st.sampled_from((D(0), None, D(1))),
)
_WHEN_ALLS = st.builds(WhenAll, _POINT, st.lists(_FACT_CONDITIONS, min_size=1, max_size=3))
_HIGHESTS = st.lists(
    st.builds(Option, _LABEL, _FACT_CONDITIONS, _POINT), min_size=1, max_size=3
).map(lambda options: Highest(tuple(options)))


@st.composite
def _assessor_scores(draw: st.DrawFn) -> Scoring:
    maximum = draw(st.sampled_from((D(0), D(1), D(5), D(10))))
    minimum = draw(st.sampled_from(sorted({D(0), maximum / 2, maximum})))
    return AssessorScore(maximum, minimum)


_FORMS_OF_SCORING = (
    _PER_ITEMS,
    _BEST_ITEMS,
    _linears(),
    (2, _bands()),
    _DEDUCTS,
    _WHEN_ALLS,
    _HIGHESTS,
)
_SCORINGS = _pick(*_FORMS_OF_SCORING)


@st.composite
def _assessor_deducts(draw: st.DrawFn) -> Scoring:
    """A deduction form with an assessor-entered deduction (酌情扣分), with or without lines."""
    form = draw(_DEDUCTS)
    maximum = draw(st.sampled_from((D(1), D(3), D(5))))
    minimum = draw(st.sampled_from((D(0), D(0), maximum / 2)))
    lines = form.deductions if draw(_BOOLS) else ()
    return attrs.evolve(
        form, deductions=lines, assessor=AssessorDeduction(draw(_LABEL), maximum, minimum)
    )


_SCORINGS_WITH_ASSESSOR = _pick(*_FORMS_OF_SCORING, _assessor_scores(), _assessor_deducts())


def _scoring(draw: st.DrawFn, owner: str, assessor: bool) -> Scoring:
    forms = _SCORINGS_WITH_ASSESSOR if assessor else _SCORINGS
    if draw(st.integers(0, 7)) > 0:
        return draw(forms)
    count = draw(st.integers(1, 3))
    return Parts(
        [Part(f"{owner}.p{j}", draw(_LABEL), draw(forms), cap=draw(_CAPS)) for j in range(count)]
    )


# --------------------------------------------------------------------------- rubrics

_GRADE_EDGES = st.lists(_near(_SCORES), max_size=3)
_GRADE_LABELS = ("A", "B", "C", "D", "E")


def _grade_scale(draw: st.DrawFn, ctx: _Context, scale_id: str, of: str | None) -> GradeScale:
    edges = sorted(set(draw(_GRADE_EDGES)), reverse=True)
    requirement = st.none() | ctx.conditions(DIMENSIONS)
    bands = [
        GradeBand(label=_GRADE_LABELS[i], at_least=edge, requires=draw(requirement))
        for i, edge in enumerate(edges)
    ]
    bands.append(GradeBand(label=_GRADE_LABELS[len(edges)]))
    veto_label = draw(st.sampled_from(("一票否决 (vetoed)", "V")))
    return GradeScale(id=scale_id, label="等级", of=of, bands=bands, veto_label=veto_label)


@st.composite
def _rubrics(
    draw: st.DrawFn,
    *,
    min_dimensions: int,
    max_dimensions: int,
    max_indicators: int,
    max_rules: int,
    assessor_scores: bool,
) -> Rubric:
    ctx = _Context()
    ids = draw(
        st.lists(
            st.sampled_from(("pb", "biz", "civ", "pb-x")),
            min_size=min_dimensions,
            max_size=max_dimensions,
            unique=True,
        )
    )
    dimensions = [
        Dimension(
            id=d,
            label=draw(st.sampled_from(("党建 (party)", "业务", "civility"))),
            max=draw(st.sampled_from((D(10), D(100)))),
            bonus_cap=draw(st.none() | st.sampled_from((D(0), D(1), D(3)))),
            order=draw(st.integers(0, 2)),
        )
        for d in ids
    ]
    ctx.dimensions = ids

    indicators = []
    for d in ids:
        for k in range(draw(st.integers(0 if len(ids) > 1 else 1, max_indicators))):
            indicator_id = f"{d}.i{k}"
            indicators.append(
                Indicator(
                    id=indicator_id,
                    dimension=d,
                    label=draw(_LABEL),
                    max=draw(st.sampled_from((D(1), D(3), D(5), D(10)))),
                    scoring=_scoring(draw, indicator_id, assessor_scores),
                )
            )
    ctx.indicators = [i.id for i in indicators]

    rules: list[Bonus | Penalty | Veto | Title | Quota] = []
    for n in range(draw(st.integers(0, max_rules))):
        cls = draw(st.sampled_from((Bonus, Penalty)))
        rule_id = f"{'bonus' if cls is Bonus else 'penalty'}{n}"
        rules.append(
            cls(
                id=rule_id,
                dimension=draw(st.sampled_from(ids)),
                label=draw(_LABEL),
                scoring=_scoring(draw, rule_id, assessor_scores),
                group=draw(_GROUPS),
            )
        )
    ctx.adjustments = [r.id for r in rules]
    for n in range(draw(st.integers(0, 2))):
        rules.append(
            Veto(
                id=f"veto{n}",
                label="否决",
                when=draw(ctx.conditions(FACTS)),
                dimension=draw(st.none() | st.sampled_from(ids)),
            )
        )
    ctx.vetoes = [r.id for r in rules if isinstance(r, Veto)]

    scales = []
    for of in [None, *ids]:
        if draw(_BOOLS):
            scales.append(_grade_scale(draw, ctx, f"grade-{of or 'all'}", of))
    ctx.scales = {s.id: (*(b.label for b in s.bands), s.veto_label) for s in scales}

    quotas = [
        Quota(
            id=f"quota{n}",
            label="名额",
            share=draw(st.sampled_from((D("0.1"), D("0.25"), D("0.5"), D(1)))),
            minimum=draw(st.integers(0, 2)),
        )
        for n in range(draw(st.integers(0, 2)))
    ]
    quota_ids = [q.id for q in quotas]
    rules.extend(quotas)
    for n in range(draw(st.integers(0, 3))):
        rules.append(
            Title(
                id=f"title{n}",
                label=draw(st.sampled_from(("红旗", "先进"))),
                when=draw(st.none() | ctx.conditions(GRADES)),
                order=draw(st.integers(0, 2)),
                group=draw(st.sampled_from(("title", "star"))),
                quotas=draw(st.lists(st.sampled_from(quota_ids), unique=True, max_size=2))
                if quota_ids
                else (),
            )
        )

    weights = []
    if draw(_BOOLS):
        weights = [
            Weight(dimension=d, weight=draw(st.sampled_from((D(0), D("0.3"), D(1), D("1.25")))))
            for d in ids
        ]

    ranking = None
    if draw(_BOOLS):
        late = ctx.late_numbers(dimensions=True)
        key_quantities = _pick(
            (2, late),
            (2, _FACT_NUMBERS),
            _FACT_TEXTS,
            ctx.flags(),
            st.builds(Ratio, late, _pick(late, _SIMPLE_NUMBERS)),
        )
        keys = draw(
            st.lists(
                st.builds(SortKey, quantity=key_quantities, descending=_BOOLS),
                min_size=1,
                max_size=3,
            )
        )
        ranking = Ranking(keys=keys, vetoed=draw(st.sampled_from(("unranked", "last"))))

    return Rubric.build(
        dimensions=dimensions,
        indicators=indicators,
        rules=rules,
        grade_scales=scales,
        weights=weights,
        ranking=ranking,
    )


def rubrics(
    *,
    min_dimensions: int = 1,
    max_dimensions: int = 3,
    max_indicators: int = 3,
    max_rules: int = 3,
    assessor_scores: bool = True,
) -> st.SearchStrategy[Rubric]:
    """Valid, checked rubrics built from the public model.

    :param min_dimensions: fewest dimensions (at least 1).
    :param max_dimensions: most dimensions (at most 4).
    :param max_indicators: most indicators per dimension (a rubric always has one).
    :param max_rules: most bonuses and penalties together (vetoes, titles and quotas come on top).
    :param assessor_scores: also use :class:`~assessment_engine.rubric.AssessorScore`; facts for
        such a rubric need scores within bounds: draw them with ``teams_facts(rubric=...)``.
    """
    _check_range("dimensions", min_dimensions, max_dimensions, 1, 4)
    if not isinstance(max_indicators, int) or not 1 <= max_indicators <= 6:
        raise InvalidArgument(f"max_indicators must be between 1 and 6, got {max_indicators!r}")
    if not isinstance(max_rules, int) or not 0 <= max_rules <= 8:
        raise InvalidArgument(f"max_rules must be between 0 and 8, got {max_rules!r}")
    return _rubrics(
        min_dimensions=min_dimensions,
        max_dimensions=max_dimensions,
        max_indicators=max_indicators,
        max_rules=max_rules,
        assessor_scores=bool(assessor_scores),
    )


# --------------------------------------------------------------------------- facts


def assessor_bounds(rubric: Rubric) -> dict[str, AssessorScore | AssessorDeduction]:
    """Every indicator, part or rule an assessor enters a score or a deduction for, with its
    bounds, by owner id."""
    found: dict[str, AssessorScore | AssessorDeduction] = {}

    def visit(owner: str, form: Scoring) -> None:
        if isinstance(form, AssessorScore):
            found[owner] = form
        elif isinstance(form, Deduct) and form.assessor is not None:
            found[owner] = form.assessor
        elif isinstance(form, Parts):
            for part in form.parts:
                visit(part.id, part.scoring)

    for item in (*rubric.indicators, *rubric.bonuses, *rubric.penalties):
        visit(item.id, item.scoring)
    return found


def _maybe(kind: str, name: str, values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | values if (kind, name) in OPTIONAL_FIELDS else values


def _fields(kind: str) -> dict[str, st.SearchStrategy[Any]]:
    result: dict[str, st.SearchStrategy[Any]] = {}
    for (k, name), values in TEXT_VALUES.items():
        if k == kind:
            result[name] = _maybe(kind, name, st.sampled_from(values))
    for (k, name), numbers in NUMBER_VALUES.items():
        if k == kind:
            strategy: st.SearchStrategy[Any] = st.sampled_from(numbers)
            if name in ("age", "participants"):
                strategy = strategy.map(int)
            result[name] = _maybe(kind, name, strategy)
    if kind in ("activity", "achievement", "incident"):
        result["date"] = st.none() | st.sampled_from(DATES)
    return result


_CLASSES: dict[str, type[Record]] = {
    "member": Member,
    "activity": Activity,
    "achievement": Achievement,
    "metric": Metric,
    "incident": Incident,
}


@functools.cache
def _records(kind: str, team: str, period: str) -> st.SearchStrategy[Record]:
    return st.builds(
        _CLASSES[kind],
        team=st.just(team),
        period=st.just(period),
        id=st.sampled_from(RECORD_IDS),
        tags=st.frozensets(st.sampled_from(TAGS), max_size=2),
        **_fields(kind),
    )


def records(*, kind: str, team: str, period: str = PERIOD) -> st.SearchStrategy[Record]:
    """One record of a built-in ``kind`` for ``team``, with values from the vocabularies."""
    if kind not in _CLASSES:
        raise InvalidArgument(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    return _records(kind, team, period)


def _record_id(record: Record) -> str:
    return record.id


def _metric_kind(record: Record) -> str:
    return record.kind  # type: ignore[attr-defined, no-any-return]


@functools.cache
def _record_lists(kind: str, team: str, period: str, most: int) -> st.SearchStrategy[Any]:
    # a team reports each metric kind once, so ValueOf(facts("metric", kind=...)) sees one
    unique_by: Any = (_record_id, _metric_kind) if kind == "metric" else _record_id
    return st.lists(_records(kind, team, period), max_size=most, unique_by=unique_by)


@functools.cache
def _score_values(form: AssessorScore) -> st.SearchStrategy[Decimal]:
    edges = st.sampled_from(sorted({form.minimum, form.maximum}))
    inside = st.decimals(
        min_value=form.minimum,
        max_value=form.maximum,
        places=1,
        allow_nan=False,
        allow_infinity=False,
    )
    return edges | inside


_TEAM_LISTS = {
    (low, high): st.lists(st.sampled_from(TEAM_IDS), min_size=low, max_size=high, unique=True)
    for low in range(1, len(TEAM_IDS) + 1)
    for high in range(low, len(TEAM_IDS) + 1)
}
_HEADCOUNT = st.integers(1, 6)
_TEAM_NAME = st.sampled_from(TEAM_NAMES)
_DEPARTMENT = st.sampled_from(DEPARTMENTS)
_ASSESSOR = st.sampled_from(("", "Zhang"))


@st.composite
def _teams_facts(
    draw: st.DrawFn,
    *,
    min_teams: int,
    max_teams: int,
    max_records: int,
    period: str,
    scores: Mapping[str, AssessorScore],
) -> list[Fact]:
    found: list[Fact] = []
    for team in draw(_TEAM_LISTS[min_teams, max_teams]):
        found.append(
            Team(
                team=team,
                period=period,
                name=draw(_TEAM_NAME),
                department=draw(_DEPARTMENT),
                headcount=draw(_HEADCOUNT),
            )
        )
        for kind in KINDS:
            found.extend(draw(_record_lists(kind, team, period, max_records)))
        for n, (owner, form) in enumerate(sorted(scores.items())):
            if draw(_BOOLS):
                found.append(
                    Score(
                        team=team,
                        period=period,
                        id=f"s{n}",
                        indicator=owner,
                        value=draw(_score_values(form)),
                        assessor=draw(_ASSESSOR),
                    )
                )
    return found


def teams_facts(
    *,
    min_teams: int = 1,
    max_teams: int = 8,
    max_records: int = 4,
    period: str = PERIOD,
    rubric: Rubric | None = None,
) -> st.SearchStrategy[list[Fact]]:
    """Facts for ``min_teams`` to ``max_teams`` teams of one period, ready for a FactSet.

    Every team has its :class:`~assessment_engine.Team` record and up to ``max_records`` records
    of each built-in kind (members, activities, achievements, metrics, incidents), with values
    from the module's vocabularies. A team reports each metric kind at most once, so
    ``ValueOf(facts("metric", kind=...))`` never sees two facts.

    :param rubric: when given, also draw assessor scores (within their bounds, at most one per
        owner and team) for the rubric's :class:`~assessment_engine.rubric.AssessorScore` forms.
    """
    _check_range("teams", min_teams, max_teams, 1, len(TEAM_IDS))
    if not isinstance(max_records, int) or max_records < 0:
        raise InvalidArgument(f"max_records must be a non-negative integer, got {max_records!r}")
    if rubric is not None and not isinstance(rubric, Rubric):
        raise InvalidArgument(f"rubric must be a Rubric, got {type(rubric).__name__}")
    return _teams_facts(
        min_teams=min_teams,
        max_teams=max_teams,
        max_records=max_records,
        period=period,
        scores=assessor_bounds(rubric) if rubric is not None else {},
    )


# --------------------------------------------------------------------------- a JSON form of facts


def facts_to_data(items: Iterable[Fact]) -> list[dict[str, Any]]:
    """Facts as JSON-ready dicts: ``{"fact_kind": ..., <fields>}``, exact numbers as text."""
    out = []
    for fact in items:
        data: dict[str, Any] = {"fact_kind": fact.fact_kind}
        for field in attrs.fields(type(fact)):
            value = getattr(fact, field.name)
            if isinstance(value, Decimal):
                value = {"decimal": str(value)}
            elif isinstance(value, frozenset):
                value = sorted(value)
            elif isinstance(value, datetime.date):
                value = {"date": value.isoformat()}
            data[field.name] = value
        out.append(data)
    return out


def facts_from_data(items: Iterable[Mapping[str, Any]]) -> list[Fact]:
    """Rebuild facts from :func:`facts_to_data`'s form."""
    classes: dict[str, type[Fact]] = {"team": Team, "score": Score, **_CLASSES}
    out = []
    for data in items:
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            if key == "fact_kind":
                continue
            if isinstance(value, dict) and "decimal" in value:
                value = Decimal(value["decimal"])
            elif isinstance(value, dict) and "date" in value:
                value = datetime.date.fromisoformat(value["date"])
            elif key == "tags":
                value = frozenset(value)
            kwargs[key] = value
        out.append(classes[data["fact_kind"]](**kwargs))
    return out
