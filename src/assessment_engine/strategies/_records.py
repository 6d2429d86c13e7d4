"""Drawing single facts for :mod:`assessment_engine.strategies`.

Field models are read from the ``attrs`` fields and validators of a fact class; a
:class:`Context` holds the vocabulary a rubric mentions; records are aimed at its selections.
"""

from __future__ import annotations

import datetime
import functools
import math
import typing
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, assert_never

import attrs
from hypothesis import reject
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from .._analysis import Target, field_constants, points_tables, rubric_targets
from ..engine import Engine
from ..facts import Fact, FieldSpec, Record, Team, field_specs, is_name, validate_fact_type
from ..rubric import Rubric
from ..rubric.conditions import (
    AllOf,
    AnyOf,
    Compare,
    Condition,
    Field,
    HasTag,
    Headcount,
    Not,
    OneOf,
    Quantity,
    Ratio,
    Select,
    Total,
)
from ..rubric.walk import Assessed, assessor_selects, rubric_selects, singleton_selects

__all__ = ["TEAM_IDS"]

#: Team ids :func:`teams` draws from; some look alike on purpose (``T1``, ``t1``, ``T01``,
#: ``T1.0``), so that anything keyed on a normalised id mixes them up and is caught.
TEAM_IDS: typing.Final = (
    "T1",
    "T2",
    "T3",
    "T4",
    "T5",
    "T6",
    "T7",
    "T8",
    "T9",
    "T10",
    "t1",
    "T01",
    "T1.0",
    "T1-a",
    "T1_",
    "T1:",
    "T2.b",
    "A",
    "B",
)
TEAM_POOL = TEAM_IDS
_RECORD_IDS = ("r1", "r2", "r3", "r10", "x")
_GENERIC_TEXT = ("other", "x", "a1")
_FREE_TEXT = ("", "说明 (note)")
_GENERIC_TAGS = ("a", "b")
DELTAS = (Decimal("0.01"), Decimal(1))
MOST_ITEMS = 15  # facts realising one count
MOST_RECORDS = 250  # records of one team
MOST_TARGETS = 16  # thresholds aimed at in one team

#: A little vocabulary for the built-in kinds when no rubric says what matters.
_BUILTIN_TEXT: Mapping[tuple[str, str], tuple[str, ...]] = {
    ("activity", "kind"): ("volunteer", "seminar", "public_lecture"),
    ("achievement", "kind"): ("project_approved", "invention_patent", "article"),
    ("incident", "kind"): ("labour_discipline", "service_complaint", "criminal_case"),
    ("metric", "kind"): ("customer_satisfaction_pct", "task_completion_pct"),
    ("member", "role"): ("leader", "staff"),
    ("member", "education"): ("master", "bachelor", "doctorate"),
}
_LEVELS = ("institute", "bureau", "city", "provincial", "ministerial", "national")


# --------------------------------------------------------------------------- small draws
# Strategies are built once and reused: building them inside draws dominated the run time.

_T = typing.TypeVar("_T")


@functools.cache
def _integers(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(low, high)


def draw_int(draw: st.DrawFn, low: int, high: int) -> int:
    return draw(_integers(low, high))


def pick(draw: st.DrawFn, items: Sequence[_T]) -> _T:
    """One of ``items`` (shrinking towards the first)."""
    return items[draw(_integers(0, len(items) - 1))]


# --------------------------------------------------------------------------- field models


@attrs.frozen
class _FieldModel:
    """What a field of a fact class accepts, read from its type and validators."""

    name: str
    kind: str  # text, decimal, int, flag, date, tags, other
    optional: bool
    required: bool
    options: tuple[Any, ...] | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    free_text: bool = False
    type: Any = None


_STEP = Decimal("0.01")  # how far inside a strict bound a drawn number stays


def _model(spec: FieldSpec) -> _FieldModel:
    """What the strategies draw for one field, read off its FieldSpec."""
    tp = spec.type
    low = spec.minimum
    if low is not None and spec.minimum_strict:
        low += _STEP
    high = spec.maximum
    if high is not None and spec.maximum_strict:
        high -= _STEP
    options = spec.vocabulary
    kind = "other"
    if options is not None:
        kind = "options"
    elif spec.kind in ("text", "flag", "date", "tags"):
        kind = spec.kind
    elif spec.kind == "number":
        kind = "int" if spec.whole else "decimal"
    return _FieldModel(
        spec.name, kind, spec.optional, spec.required, options, low, high, spec.free_text, tp
    )


_MODELS: dict[type[Fact], tuple[_FieldModel, ...]] = {}


def field_models(cls: type[Fact]) -> tuple[_FieldModel, ...]:
    """The fields a fact class takes (``team``, ``period``, ``id`` and ``tags`` aside)."""
    found = _MODELS.get(cls)
    if found is None:
        skip = {"team", "period", "id", "tags"}
        found = tuple(
            _model(spec)
            for spec in field_specs(cls).values()
            if spec.init and spec.name not in skip
        )
        _MODELS[cls] = found
    return found


# --------------------------------------------------------------------------- the context


class Context:
    """Everything the strategies draw from, worked out once per rubric (or set of kinds)."""

    def __init__(self, fact_types: Mapping[str, type[Fact]], rubric: Rubric | None) -> None:
        self.rubric = rubric
        self.fact_types = dict(fact_types)
        self.selects: dict[str, list[Select]] = {}
        self.texts: dict[tuple[str, str], tuple[str, ...]] = dict(_BUILTIN_TEXT)
        self.numbers: dict[tuple[str, str], tuple[Decimal, ...]] = {}
        self.tags: tuple[str, ...] = _GENERIC_TAGS
        self.targets: tuple[Target, ...] = ()
        self.singletons: tuple[Select, ...] = ()
        self.assessor: dict[str, tuple[Select, Assessed]] = {}
        if rubric is not None:
            texts, numbers, tags = field_constants(rubric)
            self.texts.update(texts)
            self.numbers = numbers
            self.tags = tuple(dict.fromkeys((*tags, *_GENERIC_TAGS)))
            for select in rubric_selects(rubric):
                if select.kind not in ("score", "team"):
                    self.selects.setdefault(select.kind, []).append(select)
            self.targets = tuple(
                t for t in rubric_targets(rubric) if not isinstance(t.quantity, Headcount)
            )
            self.headcounts = tuple(
                sorted(
                    {
                        int(t.value) + d
                        for t in rubric_targets(rubric)
                        if isinstance(t.quantity, Headcount)
                        for d in (-1, 0, 1)
                        if 1 <= int(t.value) + d <= 100_000
                    }
                )
            )
            highest: dict[Quantity, Target] = {}
            for target in self.targets:
                if target.sign > 0:
                    best = highest.get(target.quantity)
                    if best is None or target.value > best.value:
                        highest[target.quantity] = target
            self.good = tuple(highest.values())
            self.by_quantity: dict[Quantity, tuple[Target, ...]] = {}
            for target in self.targets:
                self.by_quantity[target.quantity] = (
                    *self.by_quantity.get(target.quantity, ()),
                    target,
                )
            self.quantities = tuple(self.by_quantity)
            self.summed: dict[str, set[str]] = {}
            for quantity in self.by_quantity:
                for part in (
                    (quantity.numerator, quantity.denominator)
                    if isinstance(quantity, Ratio)
                    else (quantity,)
                ):
                    if isinstance(part, Total):
                        self.summed.setdefault(part.select.kind, set()).add(part.field)
            self.not_bad_quantities = tuple(
                q for q, ts in self.by_quantity.items() if all(t.sign >= 0 for t in ts)
            )
            self.singletons = singleton_selects(rubric)
            self.tables = points_tables(rubric)
            self.assessor = assessor_selects(rubric)
        else:
            self.headcounts = ()
            self.good = ()
            self.by_quantity = {}
            self.summed = {}
            self.quantities = ()
            self.not_bad_quantities = ()
            self.tables = {}
        self.used_kinds = tuple(k for k in self.fact_types if k in self.selects)
        self._strategies: dict[tuple[str, str], st.SearchStrategy[Any]] = {}

    def record_kinds(self) -> tuple[str, ...]:
        """The kinds :func:`facts` draws by default."""
        kinds = [k for k in self.fact_types if k != "team"]
        if self.rubric is not None and not self.assessor:
            kinds = [k for k in kinds if k != "score"]
        return tuple(kinds)

    def values(self, kind: str, model: _FieldModel) -> st.SearchStrategy[Any]:
        """The strategy of one field's values (without ``None``)."""
        key = (kind, model.name)
        found = self._strategies.get(key)
        if found is None:
            found = self._strategies[key] = self._values(kind, model)
        return found

    def _values(self, kind: str, model: _FieldModel) -> st.SearchStrategy[Any]:
        if model.kind == "options":
            assert model.options is not None
            return st.sampled_from(model.options)
        if model.kind == "text":
            mentioned = self.texts.get((kind, model.name), ())
            if model.name == "level" and not mentioned:
                mentioned = _LEVELS
            extra = _FREE_TEXT if model.free_text else _GENERIC_TEXT
            pool = tuple(dict.fromkeys((*mentioned, *extra)))
            return st.sampled_from(pool)
        if model.kind in ("decimal", "int"):
            return self._numbers(kind, model)
        if model.kind == "flag":
            return st.booleans()
        if model.kind == "date":
            return st.dates(datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
        if model.kind == "tags":
            return st.frozensets(st.sampled_from(self.tags), max_size=3)
        return st.from_type(model.type)

    def _numbers(self, kind: str, model: _FieldModel) -> st.SearchStrategy[Any]:
        low = model.low if model.low is not None else Decimal(0)
        high = model.high if model.high is not None else Decimal(1000)
        near = sorted(
            {
                v + d
                for v in self.numbers.get((kind, model.name), ())
                for d in (-DELTAS[0], Decimal(0), DELTAS[0], -DELTAS[1], DELTAS[1])
                if low <= v + d <= high
            }
        )
        if model.kind == "int":
            ints = sorted({int(v) for v in near if v == v.to_integral_value()})
            lo, hi = math.ceil(low), math.floor(min(high, low + 60))
            base: st.SearchStrategy[Any] = st.integers(lo, hi)
            return st.one_of(st.sampled_from(ints), base) if ints else base
        base = st.decimals(
            min_value=low, max_value=min(high, low + 1000), places=2, allow_nan=False
        )
        small = st.integers(int(low), int(min(high, low + 100))).map(Decimal)
        return st.one_of(st.sampled_from(near), small, base) if near else st.one_of(small, base)


@functools.lru_cache(maxsize=32)
def _context_of_rubric(rubric: Rubric) -> Context:
    return Context(rubric.fact_types, rubric)


def context_of(subject: object, argument: str) -> Context:
    if isinstance(subject, Engine):
        subject = subject.rubric
    if isinstance(subject, Rubric):
        return _context_of_rubric(subject)
    if subject is None:
        from .._plugins.builtin_facts import assessment_register_fact_types

        subject = assessment_register_fact_types()
    if isinstance(subject, Mapping):
        subject = list(subject.values())
    if isinstance(subject, str) or not isinstance(subject, Iterable):
        raise InvalidArgument(
            f"{argument} must be a Rubric, an Engine or a collection of fact types,"
            f" got {type(subject).__name__}"
        )
    fact_types: dict[str, type[Fact]] = {}
    for cls in subject:
        try:
            kind = "team" if cls is Team else validate_fact_type(cls)
        except (TypeError, ValueError) as exc:
            raise InvalidArgument(f"{argument}: {exc}") from None
        fact_types[kind] = cls
    if not fact_types:
        raise InvalidArgument(f"{argument} must name at least one fact type")
    return Context(fact_types, None)


def check_name(argument: str, value: object) -> str:
    if not is_name(value):
        raise InvalidArgument(
            f"{argument} must be 1-64 letters, digits, '_', '.', ':' or '-' starting with a"
            f" letter or digit, got {value!r}"
        )
    return value


def check_size(name: str, value: object, lowest: int, highest: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgument(f"{name} must be an integer, got {value!r}")
    if not lowest <= value <= highest:
        raise InvalidArgument(f"{name} must be between {lowest} and {highest}, got {value}")
    return value


# --------------------------------------------------------------------------- aiming at a filter


def _solve(
    draw: st.DrawFn, cond: Condition, want: bool, out: dict[str, Any], tags: dict[str, bool]
) -> None:
    """Field values (and tags) that make ``cond`` hold (``want``) or fail, best effort."""
    if isinstance(cond, Compare):
        if not isinstance(cond.left, Field):
            return  # a team quantity: no field of the fact to set
        name, value, op = cond.left.name, cond.value, cond.op
        if isinstance(value, bool):
            out[name] = value if (op == "==") == want else not value
        elif isinstance(value, Decimal):
            delta = pick(draw, DELTAS)
            if op in ("==", "!="):
                out[name] = value if (op == "==") == want else value + delta
            else:  # at, just below or just above the threshold, whatever the operator
                out[name] = value + pick(draw, (-delta, Decimal(0), delta))
        else:
            out[name] = value if (op == "==") == want else _Other(value)
    elif isinstance(cond, OneOf):
        if not isinstance(cond.left, Field):
            return
        values = sorted(cond.values, key=repr)
        if want:
            out[cond.left.name] = pick(draw, values)
        else:
            out[cond.left.name] = _Other(*values)
    elif isinstance(cond, HasTag):
        tags[cond.tag] = want
    elif isinstance(cond, AllOf | AnyOf):
        if not cond.items:
            return
        every = want == isinstance(cond, AllOf)
        if every:
            for item in cond.items:
                _solve(draw, item, want, out, tags)
        else:
            item = pick(draw, cond.items)
            _solve(draw, item, want, out, tags)
    elif isinstance(cond, Not):
        _solve(draw, cond.item, not want, out, tags)
    else:
        assert_never(cond)


class _Other:
    """Any value but these (a text no filter mentions, or a number above them all)."""

    def __init__(self, *values: object) -> None:
        self.values = values


def _convert(draw: st.DrawFn, ctx: Context, kind: str, model: _FieldModel, value: Any) -> Any:
    """An assigned value in the field's own type, or ``_SKIP`` when it cannot be one."""
    if isinstance(value, _Other):
        pool = [
            v
            for v in (*(model.options or ()), *ctx.texts.get((kind, model.name), ()), "other")
            if v not in value.values
        ]
        numbers = [v for v in value.values if isinstance(v, Decimal)]
        if numbers and model.kind in ("decimal", "int"):
            return _convert(draw, ctx, kind, model, max(numbers) + 1)
        return pick(draw, pool) if pool else _SKIP
    if model.kind == "options":
        return value if model.options is not None and value in model.options else _SKIP
    if model.kind == "int" and isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else math.ceil(value)
    if model.kind == "decimal" and isinstance(value, Decimal | int):
        return Decimal(value)
    if model.kind == "text" and isinstance(value, str):
        return value
    if model.kind == "flag" and isinstance(value, bool):
        return value
    return _SKIP


_SKIP = object()


def draw_record(
    draw: st.DrawFn,
    ctx: Context,
    kind: str,
    team: str,
    period: str,
    *,
    select: Select | None = None,
    want: bool = True,
    fixed: Mapping[str, Any] | None = None,
    record_id: str | None = None,
    quiet: bool = False,
) -> Record | None:
    """One record of ``kind``; aimed at ``select`` when given; ``fixed`` fields set exactly.

    ``quiet``: mostly leave the fields the rubric sums at 0, so that a record counted for one
    threshold does not move a sum aimed at another.
    """
    cls = ctx.fact_types[kind]
    assigned: dict[str, Any] = {}
    tags: dict[str, bool] = {}
    if select is not None and select.where is not None:
        _solve(draw, select.where, want, assigned, tags)
    if select is not None:
        for field, keys in ctx.tables.get(select, ()):
            if field not in assigned and draw_int(draw, 0, 3):
                assigned[field] = pick(draw, keys)
    assigned.update(fixed or {})
    models = field_models(cls)
    drawn: dict[str, Any] = {}
    for model in models:
        if model.kind == "other" and not model.required:
            continue
        if model.optional and draw_int(draw, 0, 3) == 0:
            drawn[model.name] = None
        else:
            drawn[model.name] = draw(ctx.values(kind, model))
    if quiet:
        for name in sorted(ctx.summed.get(kind, ())):
            if name in drawn and draw_int(draw, 0, 3):
                drawn[name] = 0
    forced: dict[str, Any] = {}
    by_name = {m.name: m for m in models}
    for name, value in assigned.items():
        target = by_name.get(name)
        if target is None:
            continue  # a derived field: it follows from the others
        converted = _convert(draw, ctx, kind, target, value)
        if converted is not _SKIP:
            forced[name] = converted
    tag_set = {pick(draw, ctx.tags) for _ in range(draw_int(draw, 0, 2))}
    tag_set |= {t for t, on in tags.items() if on}
    tag_set -= {t for t, on in tags.items() if not on}
    base: dict[str, Any] = {
        "team": team,
        "period": period,
        "id": record_id or pick(draw, _RECORD_IDS),
        "tags": frozenset(tag_set),
    }
    required = {m.name for m in models if m.required}
    for fields in (
        {**drawn, **forced},
        {**{k: v for k, v in drawn.items() if k in required}, **forced},
        {k: v for k, v in drawn.items() if k in required},
    ):
        try:
            return typing.cast(Record, cls(**base, **fields))
        except (TypeError, ValueError, ArithmeticError):
            continue
    return None


def draw_score(
    draw: st.DrawFn, ctx: Context, owner: str, team: str, period: str, record_id: str
) -> Record:
    from ..facts import Score

    form = ctx.assessor[owner][1]
    inside = st.decimals(min_value=form.minimum, max_value=form.maximum, places=1, allow_nan=False)
    value = draw(st.sampled_from(sorted({form.minimum, form.maximum})) | inside)
    return Score(team=team, period=period, id=record_id, indicator=owner, value=value)


def draw_team(draw: st.DrawFn, ctx: Context, team: str, period: str, headcount: int) -> Team:
    return Team(
        team=team,
        period=period,
        name=f"班组 {team}",
        department=pick(draw, ("食品所", "lab", "Lab")),
        headcount=headcount,
    )


def aim(draw: st.DrawFn, ctx: Context, kind: str) -> tuple[Select | None, bool]:
    selects = ctx.selects.get(kind)
    mode = draw_int(draw, 0, 7)
    if not selects or mode == 0:
        return None, True
    return pick(draw, selects), mode != 1


@st.composite
def draw_facts(
    draw: st.DrawFn, ctx: Context, kinds: tuple[str, ...], team: str, period: str
) -> Fact:
    preferred = tuple(k for k in kinds if k in ctx.used_kinds)
    pool = preferred if preferred and draw_int(draw, 0, 4) else kinds
    kind = pick(draw, pool)
    if kind == "team":
        return draw_team(draw, ctx, team, period, draw_int(draw, 1, 40))
    if kind == "score" and ctx.assessor:
        owner = pick(draw, sorted(ctx.assessor))
        return draw_score(draw, ctx, owner, team, period, pick(draw, _RECORD_IDS))
    select, want = aim(draw, ctx, kind)
    record = draw_record(draw, ctx, kind, team, period, select=select, want=want)
    if record is None:
        reject()
    return record
