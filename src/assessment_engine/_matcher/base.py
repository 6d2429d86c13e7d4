"""What every matcher receives: clusters of compiled rules over flat records.

The compiler reduces every condition of a rubric to this small language:

* a :class:`Cluster` has named *properties* (a fact's fields, or a team's quantities) and up to
  :data:`MAX_RULES_PER_CLUSTER` rules over them;
* a rule's condition is in negation normal form: :class:`Atom` comparisons of one property with an
  exact constant, combined with :class:`And` and :class:`Or`;
* a *record* is a tuple of property values: ``Decimal``/``int``/``Fraction`` numbers, ``str``,
  ``bool``, or ``None`` for a missing value (every comparison with ``None`` is false).

A matcher answers, for each record, which of the cluster's rules hold, as a bit mask
(bit ``i`` set when rule ``i`` holds). Two matchers implement it: durable-rules (the default)
and plain Python; they must agree on every cluster and record.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Literal, Protocol, assert_never

import attrs

__all__ = [
    "FALSE",
    "MAX_RULES_PER_CLUSTER",
    "NEGATED",
    "TRUE",
    "And",
    "Atom",
    "Cluster",
    "Expr",
    "Matcher",
    "Or",
    "PropKind",
    "Property",
    "Record",
    "Rule",
    "negate",
]

#: At most this many rules share a cluster, which keeps every durable-rules node under its
#: 64 simultaneously satisfiable tests and its 255 rules per identical path.
MAX_RULES_PER_CLUSTER = 64

PropKind = Literal["number", "text", "flag"]
Op = Literal["==", "!=", ">=", ">", "<=", "<"]
Constant = Decimal | Fraction | str | bool
Record = tuple[object, ...]


@attrs.frozen
class Atom:
    """``property[prop] <op> value``; false when the property is missing."""

    prop: int
    op: Op
    value: Constant


@attrs.frozen
class And:
    """Every item holds; ``And(())`` always holds."""

    items: tuple[Expr, ...]


@attrs.frozen
class Or:
    """Some item holds; ``Or(())`` never holds."""

    items: tuple[Expr, ...]


Expr = Atom | And | Or
TRUE = And(())
FALSE = Or(())

#: The operator that holds exactly when ``op`` does not (for present values).
NEGATED: dict[str, Op] = {"==": "!=", "!=": "==", ">=": "<", "<": ">=", ">": "<=", "<=": ">"}


def negate(expr: Expr) -> Expr:
    """The negation, pushed down to the atoms (so comparisons with a missing value stay false)."""
    if isinstance(expr, Atom):
        return Atom(expr.prop, NEGATED[expr.op], expr.value)
    if isinstance(expr, And):
        return Or(tuple(negate(x) for x in expr.items))
    if isinstance(expr, Or):
        return And(tuple(negate(x) for x in expr.items))
    assert_never(expr)


@attrs.frozen
class Property:
    """One property of a cluster's records: its name (for messages) and kind."""

    name: str
    kind: PropKind


@attrs.frozen
class Rule:
    """A named condition; ``name`` says where in the rubric it comes from."""

    name: str
    expr: Expr


@attrs.frozen
class Cluster:
    """Rules that read the same properties, matched together against one kind of record."""

    code: int
    stream: str
    properties: tuple[Property, ...]
    rules: tuple[Rule, ...]


class Matcher(Protocol):
    """Answers which rules of a cluster hold for each record."""

    name: str

    def prepare(self, clusters: Sequence[Cluster]) -> None:
        """Compile the clusters (called once, when the engine is built); raise on limits."""

    def match(self, cluster: Cluster, records: Sequence[Record]) -> list[int]:
        """One bit mask per record: bit ``i`` set when ``cluster.rules[i]`` holds."""
        ...

    def close(self) -> None:
        """Release what the matcher holds (durable-rules rulesets)."""
