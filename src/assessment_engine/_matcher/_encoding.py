"""How a cluster is encoded for durable-rules, and checked against its limits first.

Numbers become exact integers (each number property scaled by the least common multiple of its
constants' denominators), text stays text, flags become 0/1; a cluster whose encoding would
leave the C core's safe envelope is refused here, as a
:class:`~assessment_engine.errors.MatcherLimitError`, before durable-rules sees it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final, assert_never, cast

from ..errors import MatcherLimitError
from .base import FALSE, TRUE, And, Atom, Cluster, Expr, Or, Record

__all__ = [
    "LIMITS",
    "MATCHES_PER_SESSION",
    "NUMBER_TESTS",
    "ClusterCodec",
    "NumberCodec",
    "atoms",
    "check_cluster",
    "fold_constants",
]

#: The C core's limits we keep under, with the constant each comes from.
LIMITS: Final = {
    # $and/$or nodes per rule: each appends 2 entries to a 32-slot sequence (rete.h
    # MAX_SEQUENCE_EXPRESSIONS); our own top-level $and uses one.
    "logical operators per condition": 15,
    # comparisons a cluster's records can satisfy at once (events.c MAX_STACK_SIZE 64); we
    # bound the comparisons under one cluster node, which bounds the satisfiable ones.
    "comparisons per cluster": 60,
    # children of one alpha node (rules.h NEXT_BUCKET_LENGTH 512: 512 hangs).
    "clusters per ruleset": 500,
    # rules per ruleset (rete.c MAX_ACTIONS 4096).
    "rules per ruleset": 4000,
    # property slots per fact (MAX_OBJECT_PROPERTIES 255, sid and id included).
    "properties per record": 250,
    # integers are parsed with atol/atoll into 64 bits; keep a margin for ±1 clamping.
    "integer magnitude": 2**62,
    # alternatives of one condition a record can satisfy at once: durable reaches a rule once
    # per satisfied path through its $or nodes (the paths are not merged), so a rule with k
    # independent two-way $or groups matches one record 2**k times (13 groups: 8192 matches,
    # ~7 MB and 70 ms per record).
    "simultaneous matches per condition": 256,
}

#: Matches one session may produce (records × simultaneous matches per record): a cluster
#: whose rules can hold many times per record is matched in smaller batches.
MATCHES_PER_SESSION: Final = 32768

# how an order comparison reads the encoded value: v >= t is ⌊v·L⌋ >= t·L, v > t is
# ⌈v·L⌉ > t·L, v <= t is ⌈v·L⌉ <= t·L, v < t is ⌊v·L⌋ < t·L (exact, as t·L is an integer)
NUMBER_TESTS: Final = {
    ">=": ("$gte", "f"),
    ">": ("$gt", "c"),
    "<=": ("$lte", "c"),
    "<": ("$lt", "f"),
}


class NumberCodec:
    """Exact integer encoding of one number property against its constants."""

    def __init__(self, constants: Sequence[Decimal | Fraction]) -> None:
        exact = []
        for c in constants:
            try:
                exact.append(Fraction(c))
            except (ValueError, OverflowError):  # NaN, infinities
                raise ValueError(f"constant {c} is not a finite number") from None
        # the smallest scale that makes every constant an integer (any rational has one)
        self.scale = math.lcm(1, *(f.denominator for f in exact))
        ints = [int(f * self.scale) for f in exact]
        self.low = min(ints, default=0) - 1
        self.high = max(ints, default=0) + 1

    def constant(self, value: Decimal | Fraction) -> int:
        return int(Fraction(value) * self.scale)

    def encode(self, value: object) -> tuple[int, int] | None:
        if value is None:
            return None
        f = value if isinstance(value, Fraction) else Fraction(cast("Decimal | int", value))
        scaled = f * self.scale
        low, high = self.low, self.high
        floor = max(low, min(high, math.floor(scaled)))
        ceil = max(low, min(high, math.ceil(scaled)))
        return floor, ceil


class ClusterCodec:
    """Encodes one cluster's records and rules into durable's integer-only JSON."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        numbers: dict[int, list[Decimal | Fraction]] = {}
        texts: dict[int, set[str]] = {}
        for rule in cluster.rules:
            for atom in atoms(rule.expr):
                kind = cluster.properties[atom.prop].kind
                if kind == "number":
                    if isinstance(atom.value, bool | str):
                        raise TypeError(f"{rule.name}: number compared with {atom.value!r}")
                    numbers.setdefault(atom.prop, []).append(atom.value)
                elif kind == "text":
                    texts.setdefault(atom.prop, set()).add(str(atom.value))
        self.numbers = {p: NumberCodec(cs) for p, cs in numbers.items()}
        self.texts = {
            p: {t: i for i, t in enumerate(sorted(ts), start=1)} for p, ts in texts.items()
        }
        self.flags = {i for i, prop in enumerate(cluster.properties) if prop.kind == "flag"}
        # the message keys of each property, formatted once: encode runs per record
        self._number_keys = [(p, c, f"p{p}f", f"p{p}c") for p, c in self.numbers.items()]
        self._text_keys = [(p, table, f"p{p}") for p, table in self.texts.items()]
        self._flag_keys = [(p, f"p{p}") for p in sorted(self.flags)]
        #: matches one record can produce at most (summed over the rules; set by check_cluster)
        self.paths = 0
        #: each rule's condition in durable's JSON form (set by check_cluster, read by prepare)
        self.conditions: list[dict[str, Any]] = []

    def batch_size(self, limit: int) -> int:
        """Records per session, so that a session holds at most MATCHES_PER_SESSION matches."""
        return max(1, min(limit, MATCHES_PER_SESSION // max(1, self.paths)))

    def encode(self, record: Record, sid: str, rid: int) -> dict[str, Any]:
        message: dict[str, Any] = {"sid": sid, "id": str(rid), "k": self.cluster.code}
        for p, codec, floor_key, ceil_key in self._number_keys:
            encoded = codec.encode(record[p])
            if encoded is not None:
                message[floor_key], message[ceil_key] = encoded
        for p, table, key in self._text_keys:
            value = record[p]
            if value is not None:
                message[key] = table.get(value, 0)  # type: ignore[call-overload]
        for p, key in self._flag_keys:
            value = record[p]
            if value is not None:
                message[key] = 1 if value else 0
        return message

    def expression(self, expr: Expr) -> dict[str, Any]:
        if isinstance(expr, And):
            return {"$and": [self.expression(x) for x in expr.items]}
        if isinstance(expr, Or):
            return {"$or": [self.expression(x) for x in expr.items]}
        if isinstance(expr, Atom):
            return self._atom(expr)
        assert_never(expr)

    def _atom(self, expr: Atom) -> dict[str, Any]:
        kind = self.cluster.properties[expr.prop].kind
        if kind == "number":
            k = self.numbers[expr.prop].constant(expr.value)  # type: ignore[arg-type]
            f, c = f"p{expr.prop}f", f"p{expr.prop}c"
            if expr.op == "==":
                return {"$and": [{f: k}, {c: k}]}
            if expr.op == "!=":
                # below or above: exclusive, so a record reaches the rule once (an $or whose
                # alternatives both hold reaches it twice; see "simultaneous matches")
                return {"$or": [{"$lt": {f: k}}, {"$gt": {c: k}}]}
            test, end = NUMBER_TESTS[expr.op]
            return {test: {f"p{expr.prop}{end}": k}}
        name = f"p{expr.prop}"
        if kind == "text":
            value: int = self.texts[expr.prop][str(expr.value)]
        else:
            value = 1 if expr.value else 0
        if expr.op == "==":
            return {name: value}
        if expr.op == "!=":
            return {"$neq": {name: value}}
        raise TypeError(f"{kind} property compared with {expr.op}")  # pragma: no cover

    def condition(self, expr: Expr) -> dict[str, Any]:
        """The whole rule condition: the cluster code first, then the expression."""
        expr = fold_constants(expr)
        if expr == TRUE:
            return {"k": self.cluster.code}
        return {"$and": [{"k": self.cluster.code}, self.expression(expr)]}


def fold_constants(expr: Expr) -> Expr:
    """The equivalent expression without TRUE (``And(())``) or FALSE (``Or(())``) inside it.

    durable-rules hangs on the first post to a ruleset where an empty ``$and`` sits below the
    top level (``AnyOf(AllOf(), ...)`` in a rubric compiles to one), so constants are folded
    away: only the whole condition may still be TRUE (encoded as the cluster test alone) or
    FALSE (an empty ``$or``, which durable-rules handles).
    """
    if isinstance(expr, Atom):
        return expr
    items = [fold_constants(x) for x in expr.items]
    if isinstance(expr, And):
        if FALSE in items:
            return FALSE
        return And(tuple(x for x in items if x != TRUE))
    if isinstance(expr, Or):
        if TRUE in items:
            return TRUE
        return Or(tuple(x for x in items if x != FALSE))
    assert_never(expr)


def atoms(expr: Expr) -> list[Atom]:
    if isinstance(expr, Atom):
        return [expr]
    if isinstance(expr, And | Or):
        return [a for item in expr.items for a in atoms(item)]
    assert_never(expr)


def _count(node: Any) -> tuple[int, int]:
    """(logical operators, comparisons) in an encoded durable expression."""
    if isinstance(node, dict):
        logical = comparisons = 0
        for key, value in node.items():
            if key in ("$and", "$or"):
                logical += 1
                for item in value:
                    lg, cm = _count(item)
                    logical += lg
                    comparisons += cm
            else:
                comparisons += 1
        return logical, comparisons
    return 0, 0  # pragma: no cover


def _paths(expr: Expr, kinds: Sequence[str]) -> int:
    """How many times one record can reach a rule with this (folded) condition, at most.

    durable-rules follows every satisfied alternative of an ``$or`` to the same node and does
    not merge the paths: ``And`` multiplies, ``Or`` adds. Equality tests of one property with
    distinct constants exclude each other, so such a group adds only as many as can hold at
    once (one per distinct constant).
    """
    if isinstance(expr, Atom):
        return 1
    if isinstance(expr, And):
        return math.prod(_paths(x, kinds) for x in expr.items)
    if isinstance(expr, Or):
        return _alternative_paths(expr, kinds)
    assert_never(expr)


def _alternative_paths(expr: Or, kinds: Sequence[str]) -> int:
    """:func:`_paths` of an ``Or``: its items' paths added, exclusive equalities grouped."""
    total = 0
    equal: dict[int, dict[object, int]] = {}
    for item in expr.items:
        if isinstance(item, Atom) and item.op == "==":
            value: object = item.value
            if kinds[item.prop] == "number":
                value = Fraction(cast("Decimal | Fraction", value))
            elif kinds[item.prop] == "flag":
                value = bool(value)
            same = equal.setdefault(item.prop, {})
            same[value] = same.get(value, 0) + 1
        else:
            total += _paths(item, kinds)
    return total + sum(max(same.values()) for same in equal.values())


def check_cluster(cluster: Cluster) -> ClusterCodec:
    """Encode a cluster and check it against durable's limits; raise MatcherLimitError."""
    if len(cluster.properties) * 2 + 3 > LIMITS["properties per record"]:
        raise MatcherLimitError(
            f"cluster {cluster.code} ({cluster.stream}) reads too many properties",
            subject=cluster.rules[0].name if cluster.rules else None,
            limit="properties per record",
            value=len(cluster.properties) * 2 + 3,
            maximum=LIMITS["properties per record"],
        )
    try:
        codec = ClusterCodec(cluster)
    except ValueError as exc:
        raise MatcherLimitError(
            f"a constant cannot be encoded exactly: {exc}",
            subject=cluster.rules[0].name if cluster.rules else None,
            limit="finite constants",
            value=1,
            maximum=0,
        ) from exc
    for p, number in codec.numbers.items():
        biggest = max(abs(number.low), abs(number.high))
        if biggest >= LIMITS["integer magnitude"]:
            names = [r.name for r in cluster.rules if any(a.prop == p for a in atoms(r.expr))]
            raise MatcherLimitError(
                f"constants compared with {cluster.properties[p].name} need {number.scale} as"
                " scale and exceed durable-rules' 64-bit integers",
                subject=names[0] if names else None,
                limit="integer magnitude",
                value=biggest,
                maximum=LIMITS["integer magnitude"] - 1,
            )
    total = 0
    kinds = [prop.kind for prop in cluster.properties]
    for rule in cluster.rules:
        condition = codec.condition(rule.expr)
        codec.conditions.append(condition)
        paths = _paths(fold_constants(rule.expr), kinds)
        if paths > LIMITS["simultaneous matches per condition"]:
            raise MatcherLimitError(
                "condition has too many any-of alternatives that can hold together"
                " (durable-rules reaches the rule once for each combination)",
                subject=rule.name,
                limit="simultaneous matches per condition",
                value=paths,
                maximum=LIMITS["simultaneous matches per condition"],
            )
        codec.paths += paths
        logical, comparisons = _count(condition)
        if logical > LIMITS["logical operators per condition"]:
            raise MatcherLimitError(
                "condition has too many nested all/any groups for durable-rules",
                subject=rule.name,
                limit="logical operators per condition",
                value=logical,
                maximum=LIMITS["logical operators per condition"],
            )
        total += comparisons - 1  # the cluster code test is shared
    if total > LIMITS["comparisons per cluster"]:
        raise MatcherLimitError(
            f"cluster {cluster.code} holds too many comparisons for durable-rules",
            subject=cluster.rules[0].name if cluster.rules else None,
            limit="comparisons per cluster",
            value=total,
            maximum=LIMITS["comparisons per cluster"],
        )
    return codec
