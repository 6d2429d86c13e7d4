"""Exact intervals for the static checks: point ranges, value ranges and constraints.

Bounds are :class:`~fractions.Fraction` (exact for decimals and ratios alike); ``None`` is
unbounded (−∞ below, +∞ above). Point ranges are closed; constraints such as ``x > 95`` have
open ends. Every range the kit computes is an *over*-approximation: a value outside it cannot
occur, so "never" and "always" claims drawn from it are sound.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import attrs

from .._base.numbers import exact_text

__all__ = ["Interval", "frac", "number_text"]


def frac(value: Decimal | Fraction | int) -> Fraction:
    """An exact fraction from a decimal, a fraction or an int."""
    return value if isinstance(value, Fraction) else Fraction(value)


def number_text(value: Fraction | Decimal | None, *, lower: bool = False) -> str:
    """Exact text of a bound: ``12.5``, ``20/3``, ``∞`` (or ``−∞`` for an absent lower bound)."""
    if value is None:
        return "−∞" if lower else "∞"
    return exact_text(value)


def _min(a: Fraction | None, b: Fraction | None, *, upper: bool) -> Fraction | None:
    """The smaller bound; ``None`` is +∞ for upper bounds and −∞ for lower bounds."""
    if a is None:
        return b if upper else None
    if b is None:
        return a if upper else None
    return min(a, b)


def _max(a: Fraction | None, b: Fraction | None, *, upper: bool) -> Fraction | None:
    """The larger bound; ``None`` is +∞ for upper bounds and −∞ for lower bounds."""
    if a is None:
        return None if upper else b
    if b is None:
        return None if upper else a
    return max(a, b)


@attrs.frozen
class Interval:
    """``[lo, hi]`` with optional open ends; ``None`` bounds are infinite."""

    lo: Fraction | None
    hi: Fraction | None
    lo_open: bool = False
    hi_open: bool = False

    # ------------------------------------------------------------------ construction
    @classmethod
    def point(cls, value: Decimal | Fraction | int) -> Interval:
        """The single value ``value``."""
        v = frac(value)
        return cls(v, v)

    @classmethod
    def closed(
        cls, lo: Decimal | Fraction | int | None, hi: Decimal | Fraction | int | None
    ) -> Interval:
        """``[lo, hi]`` (``None``: unbounded)."""
        return cls(None if lo is None else frac(lo), None if hi is None else frac(hi))

    @classmethod
    def everything(cls) -> Interval:
        """(−∞, ∞)."""
        return cls(None, None)

    @classmethod
    def non_negative(cls) -> Interval:
        """[0, ∞)."""
        return cls(Fraction(0), None)

    @classmethod
    def constraint(cls, op: str, value: Decimal | Fraction) -> Interval | None:
        """The values ``x`` with ``x <op> value``; ``None`` for ``!=`` (not an interval)."""
        v = frac(value)
        if op == "==":
            return cls(v, v)
        if op == ">=":
            return cls(v, None)
        if op == ">":
            return cls(v, None, lo_open=True)
        if op == "<=":
            return cls(None, v)
        if op == "<":
            return cls(None, v, hi_open=True)
        return None

    # ------------------------------------------------------------------ queries
    @property
    def empty(self) -> bool:
        """Whether no value lies in the interval."""
        if self.lo is None or self.hi is None:
            return False
        return self.lo > self.hi or (self.lo == self.hi and (self.lo_open or self.hi_open))

    @property
    def single(self) -> Fraction | None:
        """The one value of a single-point interval, else ``None``."""
        if self.lo is not None and self.lo == self.hi and not (self.lo_open or self.hi_open):
            return self.lo
        return None

    def contains(self, value: Decimal | Fraction) -> bool:
        """Whether ``value`` lies in the interval."""
        v = frac(value)
        if self.lo is not None and (v < self.lo or (v == self.lo and self.lo_open)):
            return False
        return not (self.hi is not None and (v > self.hi or (v == self.hi and self.hi_open)))

    def intersect(self, other: Interval) -> Interval:
        """The values in both (possibly :attr:`empty`)."""
        if self.lo is None or (other.lo is not None and other.lo > self.lo):
            lo, lo_open = other.lo, other.lo_open
        elif other.lo is not None and other.lo == self.lo:
            lo, lo_open = self.lo, self.lo_open or other.lo_open
        else:
            lo, lo_open = self.lo, self.lo_open
        if self.hi is None or (other.hi is not None and other.hi < self.hi):
            hi, hi_open = other.hi, other.hi_open
        elif other.hi is not None and other.hi == self.hi:
            hi, hi_open = self.hi, self.hi_open or other.hi_open
        else:
            hi, hi_open = self.hi, self.hi_open
        return Interval(lo, hi, lo_open, hi_open)

    def meets(self, other: Interval) -> bool:
        """Whether some value lies in both."""
        return not self.intersect(other).empty

    def within(self, other: Interval) -> bool:
        """Whether every value of ``self`` lies in ``other``."""
        if self.empty:
            return True
        if other.lo is not None:
            if self.lo is None or self.lo < other.lo:
                return False
            if self.lo == other.lo and other.lo_open and not self.lo_open:
                return False
        if other.hi is not None:
            if self.hi is None or self.hi > other.hi:
                return False
            if self.hi == other.hi and other.hi_open and not self.hi_open:
                return False
        return True

    def compare(self, op: str, value: Decimal | Fraction) -> tuple[bool, bool]:
        """``(can hold, can fail)`` of ``x <op> value`` for ``x`` in the interval."""
        allowed = Interval.constraint(op, value)
        if allowed is None:  # !=
            can_hold = self.single != frac(value)
            return can_hold, self.contains(value)
        can_hold = self.meets(allowed)
        return can_hold, not self.within(allowed)

    # ------------------------------------------------------------------ arithmetic (closed)
    def __add__(self, other: Interval) -> Interval:
        lo = None if self.lo is None or other.lo is None else self.lo + other.lo
        hi = None if self.hi is None or other.hi is None else self.hi + other.hi
        return Interval(lo, hi)

    def __neg__(self) -> Interval:
        return Interval(
            None if self.hi is None else -self.hi, None if self.lo is None else -self.lo
        )

    def __sub__(self, other: Interval) -> Interval:
        return self + (-other)

    def scale(self, factor: Decimal | Fraction | int) -> Interval:
        """Every value times a non-negative ``factor``."""
        f = frac(factor)
        if f == 0:
            return Interval.point(0)
        return Interval(
            None if self.lo is None else self.lo * f, None if self.hi is None else self.hi * f
        )

    def floor_units(self, unit: Decimal | Fraction) -> Interval:
        """``⌊x / unit⌋`` of the non-negative part (negative values count as 0)."""
        u = frac(unit)
        lo = Fraction(0) if self.lo is None or self.lo <= 0 else Fraction(math.floor(self.lo / u))
        if self.hi is None:
            return Interval(lo, None)
        hi = Fraction(0) if self.hi <= 0 else Fraction(math.floor(self.hi / u))
        return Interval(lo, hi)

    def at_least(self, floor: Decimal | Fraction | int) -> Interval:
        """``max(x, floor)`` for every value."""
        f = frac(floor)
        return Interval(_max(self.lo, f, upper=False), _max(self.hi, f, upper=True))

    def at_most(self, cap: Decimal | Fraction | int | None) -> Interval:
        """``min(x, cap)`` for every value (no change when ``cap`` is ``None``)."""
        if cap is None:
            return self
        c = frac(cap)
        return Interval(_min(self.lo, c, upper=False), _min(self.hi, c, upper=True))

    def hull(self, other: Interval) -> Interval:
        """The smallest closed interval holding both."""
        return Interval(_min(self.lo, other.lo, upper=False), _max(self.hi, other.hi, upper=True))

    def text(self) -> str:
        """``[0, 110]``, ``[0, ∞)``, ``(95, ∞)``."""
        left = "(" if self.lo is None or self.lo_open else "["
        right = ")" if self.hi is None or self.hi_open else "]"
        return f"{left}{number_text(self.lo, lower=True)}, {number_text(self.hi)}{right}"
