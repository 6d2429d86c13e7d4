"""The plain-Python matcher: evaluates compiled conditions directly, with exact arithmetic.

It exists to prove the durable-rules matcher right (a differential test runs both on generated
rubrics and teams) and to serve where durable-rules cannot be built. Numbers are compared as
exact fractions, text by equality, flags by identity; a missing value makes a comparison false.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import Any, assert_never

from .base import And, Atom, Cluster, Expr, Or, Record

__all__ = ["PythonMatcher"]

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
}


def evaluate(expr: Expr, record: Record) -> bool:
    """Whether ``expr`` holds for ``record`` (exact; comparisons with ``None`` are false)."""
    if isinstance(expr, Atom):
        value = record[expr.prop]
        if value is None:
            return False
        # Decimal, int and Fraction compare exactly with one another: no conversion needed
        return _OPS[expr.op](value, expr.value)
    if isinstance(expr, And):
        return all(evaluate(x, record) for x in expr.items)
    if isinstance(expr, Or):
        return any(evaluate(x, record) for x in expr.items)
    assert_never(expr)


class PythonMatcher:
    """Matcher that evaluates every rule in Python."""

    name = "python"

    def prepare(self, clusters: Sequence[Cluster]) -> None:
        """Nothing to compile."""

    def match(self, cluster: Cluster, records: Sequence[Record]) -> list[int]:
        """One bit mask per record."""
        masks = []
        for record in records:
            mask = 0
            for i, rule in enumerate(cluster.rules):
                if evaluate(rule.expr, record):
                    mask |= 1 << i
            masks.append(mask)
        return masks

    def close(self) -> None:
        """Nothing to release."""
