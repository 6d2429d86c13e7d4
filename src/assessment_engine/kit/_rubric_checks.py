"""Checks of the rubric's structure: ids, vocabularies, totals, weights, bonuses, groups."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import assert_never

from .._base.hints import did_you_mean
from .._base.numbers import exact_text
from .._plugins.builtin_facts import assessment_register_fact_types as _builtin_fact_types
from ..facts import fact_fields
from ..rubric import Rubric
from ..rubric.conditions import (
    AllOf,
    AnyOf,
    Compare,
    Condition,
    Field,
    HasTag,
    Not,
    OneOf,
    Select,
    Value,
)
from ..rubric.model import Bonus, Indicator, Penalty
from ..rubric.scoring import BestItem, PerItem, PointsBy
from ..rubric.walk import parts_in, selects_in
from ._domains import field_vocabulary
from ._findings import Finding, places, sites
from ._intervals import number_text
from ._model import Model

__all__ = [
    "check_bonuses",
    "check_dimensions",
    "check_fact_kinds",
    "check_groups",
    "check_ids",
    "check_values",
    "check_weights",
    "unknown_value_selects",
]

_BUILTIN_FACTS: frozenset[type] = frozenset(_builtin_fact_types())


def _normal(text: str) -> str:
    """Lower case without punctuation: what two spellings of one name have in common."""
    return re.sub(r"[\W_]+", "", text.casefold())


def check_ids(rubric: Rubric, model: Model) -> Iterator[Finding]:
    """``similar-ids``: ids (or fact kinds) that differ only by case or punctuation."""
    ids: list[str] = [d.id for d in rubric.dimensions]
    owners: list[Indicator | Bonus | Penalty] = [
        *rubric.indicators,
        *rubric.bonuses,
        *rubric.penalties,
    ]
    for owner in owners:
        ids.append(owner.id)
        ids += [p.id for p in parts_in(owner.scoring)]
    ids += [v.id for v in rubric.vetoes] + [t.id for t in rubric.titles]
    ids += [q.id for q in rubric.quotas] + [s.id for s in rubric.grade_scales]
    for names, what in ((ids, "ids"), (list(rubric.fact_types), "fact kinds")):
        groups: dict[str, set[str]] = {}
        for name in names:
            groups.setdefault(_normal(name), set()).add(name)
        for group in groups.values():
            if len(group) > 1:
                first = min(group)
                yield Finding(
                    "warning",
                    first,
                    "similar-ids",
                    f"the {what} {', '.join(map(repr, sorted(group)))} differ only in case or"
                    " punctuation: they are different objects to the engine, and a reference"
                    " to one is easily meant for the other. Rename one.",
                )


def _field_atoms(cond: Condition | None) -> Iterator[Compare | OneOf]:
    if cond is None:
        return
    if isinstance(cond, AllOf | AnyOf):
        for item in cond.items:
            yield from _field_atoms(item)
    elif isinstance(cond, Not):
        yield from _field_atoms(cond.item)
    elif isinstance(cond, Compare | OneOf):
        if isinstance(cond.left, Field):
            yield cond
    elif isinstance(cond, HasTag):
        return
    else:
        assert_never(cond)


def _values(atom: Compare | OneOf) -> list[Value]:
    return [atom.value] if isinstance(atom, Compare) else sorted(atom.values, key=repr)


def _text_uses(rubric: Rubric) -> Iterator[tuple[str, str, str, str, str]]:
    """``(subject, kind, field, value, how)`` for every text constant a filter or table uses."""
    for subject, obj in places(rubric):
        for select in selects_in(obj):
            cls = rubric.fact_types[select.kind]
            for atom in _field_atoms(select.where):
                assert isinstance(atom.left, Field)
                spec = fact_fields(cls).get(atom.left.name)
                if spec is None or spec.kind != "text":
                    continue
                for value in _values(atom):
                    if isinstance(value, str):
                        yield subject, select.kind, atom.left.name, value, "filter"
    for site in sites(rubric):
        form = site.form
        if isinstance(form, PerItem | BestItem) and isinstance(form.points, PointsBy):
            for key, _ in form.points.table:
                yield site.subject, form.select.kind, form.points.field, key, "points table"


def unknown_value_selects(rubric: Rubric) -> set[Select]:
    """The selections that compare a field with a value outside its vocabulary."""
    found: set[Select] = set()
    for _, obj in places(rubric):
        for select in selects_in(obj):
            cls = rubric.fact_types[select.kind]
            for atom in _field_atoms(select.where):
                assert isinstance(atom.left, Field)
                vocabulary = field_vocabulary(cls, atom.left.name)
                if vocabulary is not None and any(v not in vocabulary for v in _values(atom)):
                    found.add(select)
    return found


def check_values(rubric: Rubric, model: Model) -> Iterator[Finding]:
    """``unknown-value`` (closed vocabularies) and ``similar-values`` (open ones)."""
    spellings: dict[tuple[str, str], dict[str, set[str]]] = {}
    for subject, kind, field, value, how in _text_uses(rubric):
        vocabulary = field_vocabulary(rubric.fact_types[kind], field)
        if vocabulary is None:
            spellings.setdefault((kind, field), {}).setdefault(value, set()).add(subject)
            continue
        if value in vocabulary:
            continue
        known = sorted(str(v) for v in vocabulary)
        effect = "never matches" if how == "filter" else "is never looked up: no fact has it"
        yield Finding(
            "error",
            subject,
            "unknown-value",
            f"{kind}.{field} is one of {', '.join(known)}; the {how} value {value!r} {effect}"
            f"{did_you_mean(value, known)}. Use one of the listed values.",
        )
    for (kind, field), values in sorted(spellings.items()):
        groups: dict[str, list[str]] = {}
        for value in values:
            groups.setdefault(_normal(value), []).append(value)
        for group in groups.values():
            if len(group) < 2:
                continue
            # the rarer spelling is the likely typo: report it where it is used
            ordered = sorted(group, key=lambda v: (len(values[v]), v))
            odd = ordered[0]
            uses = "; ".join(f"{v!r} in {', '.join(sorted(values[v]))}" for v in ordered)
            yield Finding(
                "warning",
                sorted(values[odd])[0],
                "similar-values",
                f"{kind}.{field} is written in {len(group)} spellings that differ only in case"
                f" or punctuation ({uses}); facts match exactly, so all but one never match."
                " Use one spelling.",
            )


def check_dimensions(rubric: Rubric, model: Model) -> Iterator[Finding]:
    """``dimension-total`` and ``empty-dimension``."""
    for dim in rubric.dimensions:
        members = [i for i in rubric.indicators if i.dimension == dim.id]
        if not members:
            yield Finding(
                "error",
                dim.id,
                "empty-dimension",
                f"dimension {dim.label} has no indicators: every team scores 0 on its base."
                " Register its indicators (or remove the dimension).",
            )
            continue
        total = sum((i.max for i in members), Decimal(0))
        if total != dim.max:
            parts = " + ".join(f"{i.id} {exact_text(i.max)}" for i in members)
            yield Finding(
                "error",
                dim.id,
                "dimension-total",
                f"the indicator maxima of {dim.label} add up to {exact_text(total)} ({parts}),"
                f" not its declared max {exact_text(dim.max)}. Change an indicator's max or the"
                " dimension's max so that they agree.",
            )


def check_weights(rubric: Rubric, model: Model) -> Iterator[Finding]:
    """``weights-sum`` (exact) and ``zero-weight``."""
    if not rubric.weights:
        return
    total = sum((w.weight for w in rubric.weights), Decimal(0))
    if total != 1:
        parts = " + ".join(f"{w.dimension} {exact_text(w.weight)}" for w in rubric.weights)
        yield Finding(
            "error",
            "weights",
            "weights-sum",
            f"the composite weights add up to {exact_text(total)} ({parts}), not 1: the"
            " composite leaves the dimensions' scale. Make them add up to exactly 1.",
        )
    for weight in rubric.weights:
        if weight.weight == 0:
            yield Finding(
                "warning",
                weight.dimension,
                "zero-weight",
                f"dimension {weight.dimension} has weight 0: its score never counts in the"
                " composite or the ranking. Give it a weight, or say why in the rubric.",
            )


def check_bonuses(rubric: Rubric, model: Model) -> Iterator[Finding]:
    """``uncapped-bonus`` (warning) and ``bonus-cap-unreachable`` (info)."""
    for dim in rubric.dimensions:
        bonuses = [b for b in rubric.bonuses if b.dimension == dim.id]
        most = model.adjustments_total(bonuses).hi
        if dim.bonus_cap is None:
            if bonuses:
                yield Finding(
                    "warning",
                    dim.id,
                    "uncapped-bonus",
                    f"dimension {dim.label} has bonuses ({', '.join(b.id for b in bonuses)})"
                    f" that can add {number_text(most)} points and no bonus_cap: set"
                    " Dimension(bonus_cap=...) (e.g. 10, 合计最高10分).",
                )
        elif most is not None and most < dim.bonus_cap:
            yield Finding(
                "info",
                dim.id,
                "bonus-cap-unreachable",
                f"the bonuses of {dim.label} can add at most {number_text(most)}, below its"
                f" bonus cap {exact_text(dim.bonus_cap)}.",
            )


def check_groups(rubric: Rubric, model: Model) -> Iterator[Finding]:
    """``singleton-group``: an exclusive group with one member (a misspelt group id?)."""
    groups: dict[tuple[str, str], list[tuple[str, str]]] = {}  # a group may mix both kinds
    for kind, rules in (("bonus", rubric.bonuses), ("penalty", rubric.penalties)):
        for rule in rules:
            if rule.group is not None:
                groups.setdefault((rule.dimension, rule.group), []).append((kind, rule.id))
    for (dimension, group), members in sorted(groups.items()):
        if len(members) > 1:
            continue
        ((kind, member),) = members
        others = {g for (d, g) in groups if d == dimension and g != group}
        yield Finding(
            "warning",
            member,
            "singleton-group",
            f"{kind} {member} is alone in the exclusive group {group!r}, so the group"
            f" excludes nothing{did_you_mean(group, others)}. Fix the group id or drop it.",
        )


def check_fact_kinds(rubric: Rubric, model: Model) -> Iterator[Finding]:
    """``unused-fact-kind``: a plugin's fact kind that nothing in the rubric reads."""
    used = {s.kind for _, obj in places(rubric) for s in selects_in(obj)}
    for kind, cls in rubric.fact_types.items():
        plugin = rubric.plugin_of(f"fact:{kind}")
        if kind in used or cls in _BUILTIN_FACTS:
            continue
        yield Finding(
            "info",
            kind,
            "unused-fact-kind",
            f"plugin {plugin!r} registers the fact kind {kind!r}, but no indicator, rule, veto,"
            " grade requirement or title selects it.",
        )
