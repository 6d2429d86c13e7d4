"""Rubric conditions in the matchers' language, and the engine's own reading of them.

:func:`to_expr` compiles a condition into negation normal form over property indices (what
every matcher receives). :func:`condition_holds` and :func:`select_matches` evaluate a condition
exactly as the engine decides it — compiled the same way, judged by the plain matcher — for the
explanations and for the tools (the strategies, the what-if search, the consistency kit).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, assert_never

from .._base.numbers import exact_ratio
from .._matcher.base import And, Atom, Expr, Or, negate
from .._matcher.python import evaluate
from ..facts import Fact
from ..rubric.conditions import AllOf, AnyOf, Compare, Condition, Field, HasTag, Not, OneOf, Select
from ..rubric.walk import Operand, operands

__all__ = ["condition_holds", "matchable", "select_matches", "to_expr"]


def _sort_key(value: object) -> tuple[str, str]:
    return (type(value).__name__, str(value))


def to_expr(cond: Condition, prop: Callable[[Any], int], negated: bool = False) -> Expr:
    """A condition in negation normal form; ``prop`` gives each operand's property index."""
    if isinstance(cond, Compare):
        atom = Atom(prop(cond.left), cond.op, cond.value)
        return negate(atom) if negated else atom
    if isinstance(cond, OneOf):
        p = prop(cond.left)
        values = sorted(cond.values, key=_sort_key)
        if negated:
            return And(tuple(Atom(p, "!=", v) for v in values))
        return Or(tuple(Atom(p, "==", v) for v in values))
    if isinstance(cond, HasTag):
        return Atom(prop(("tag", cond.tag)), "!=" if negated else "==", True)
    if isinstance(cond, AllOf):
        items = tuple(to_expr(c, prop, negated) for c in cond.items)
        return Or(items) if negated else And(items)
    if isinstance(cond, AnyOf):
        items = tuple(to_expr(c, prop, negated) for c in cond.items)
        return And(items) if negated else Or(items)
    if isinstance(cond, Not):
        return to_expr(cond.item, prop, not negated)
    assert_never(cond)


def matchable(value: object) -> object:
    """A quantity's value as the matchers compare it (a ratio pair as its exact quotient)."""
    return exact_ratio(*value) if isinstance(value, tuple) else value


def condition_holds(condition: Condition, value_of: Callable[[Operand], object]) -> bool:
    """Whether ``condition`` holds when each operand has the value ``value_of`` gives."""
    position: dict[Operand, int] = {}
    for operand in operands(condition):
        position.setdefault(operand, len(position))
    record = tuple(matchable(value_of(operand)) for operand in position)
    return evaluate(to_expr(condition, position.__getitem__), record)


def select_matches(select: Select, fact: Fact) -> bool:
    """Whether ``select`` selects ``fact``, exactly as the engine decides it."""
    if fact.fact_kind != select.kind:
        return False
    if select.where is None:
        return True

    def value_of(operand: Operand) -> object:
        if isinstance(operand, Field):
            return getattr(fact, operand.name, None)
        if isinstance(operand, tuple):  # ("tag", name)
            return operand[1] in getattr(fact, "tags", frozenset())
        raise TypeError(f"a filter reads fields and tags, not {operand!r}")  # pragma: no cover

    return condition_holds(select.where, value_of)
