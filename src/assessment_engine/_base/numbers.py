"""Exact numbers: how rubric constants and fact values are read, combined and shown.

Points and fact values are :class:`~decimal.Decimal`; ratios (per-capita values, shares) are
:class:`~fractions.Fraction`. Arithmetic on points happens inside :data:`EXACT`, a decimal
context that raises instead of rounding, so a result is exact or an error: never silently
rounded. Rounding happens only in :func:`display`.
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final

__all__ = [
    "EXACT",
    "Number",
    "display",
    "exact_ratio",
    "exact_text",
    "exact_value",
    "plain_decimal",
    "ratio_of",
    "to_decimal",
]

Number = int | Decimal | Fraction

#: Decimal context for points: 60 significant digits, and every inexact operation raises.
EXACT: Final = decimal.Context(
    prec=60,
    rounding=decimal.ROUND_HALF_EVEN,
    traps=[
        decimal.InvalidOperation,
        decimal.DivisionByZero,
        decimal.Overflow,
        decimal.Inexact,
    ],
)

_LIMIT: Final = Decimal(10) ** 15


def to_decimal(value: object) -> Decimal:
    """Read a rubric constant or fact value as an exact Decimal.

    Accepts ``int``, ``Decimal``, numeric ``str`` and ``float``; a float is read through its
    shortest representation (``0.1`` means ``Decimal("0.1")``), which is what its author wrote.
    Rejects ``bool``, NaN, infinities and magnitudes of 10**15 or more (so that sums of many
    values stay exact within :data:`EXACT`).

    >>> to_decimal("2.50")
    Decimal('2.50')
    >>> to_decimal(0.1)
    Decimal('0.1')
    """
    if isinstance(value, bool):
        raise TypeError(f"expected a number, got a boolean ({value!r})")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except decimal.InvalidOperation:
            raise ValueError(f"not a number: {value!r}") from None
    elif isinstance(value, Fraction):
        if value.denominator == 1:
            result = Decimal(value.numerator)
        else:
            raise TypeError(f"expected a decimal number, got the fraction {value}")
    else:
        raise TypeError(f"expected a number, got {type(value).__name__} ({value!r})")
    if not result.is_finite():
        raise ValueError(f"expected a finite number, got {value!r}")
    if abs(result) >= _LIMIT:
        raise ValueError(f"{value!r} is too large (the limit is 10**15)")
    return result


def exact_value(value: Number | tuple[Any, Any]) -> Fraction | None:
    """A quantity's value as an exact Fraction (Decimals convert exactly).

    A ratio is kept as ``(numerator, denominator)`` until it is compared; it becomes their exact
    quotient here, or ``None`` (missing) when the denominator is 0.
    """
    if isinstance(value, tuple):
        return exact_ratio(*value)
    return value if isinstance(value, Fraction) else Fraction(value)


def exact_ratio(numerator: Any, denominator: Any) -> Fraction | None:
    """``numerator / denominator`` exactly; ``None`` when either is missing or undefined, or ÷ 0."""
    if numerator is None or denominator is None:
        return None
    den = exact_value(denominator)
    if not den:
        return None
    num = exact_value(numerator)
    return None if num is None else num / den


def ratio_of(numerator: Any, denominator: Any, *, as_pair: bool) -> Any:
    """The value of a :class:`~assessment_engine.rubric.Ratio` quantity.

    ``None`` when either side is missing. Two plain numbers stay a ``(numerator, denominator)``
    pair (``as_pair``), divided only when compared or shown; otherwise the exact quotient.
    """
    if numerator is None or denominator is None:
        return None
    return (numerator, denominator) if as_pair else exact_ratio(numerator, denominator)


def plain_decimal(value: Decimal) -> Decimal:
    """The same number as a rubric would write it: no trailing zeros, never an exponent.

    Sums of weighted points carry the places of their factors (``0.35 × 84.5`` is ``29.575``,
    ``85.550`` after adding); results hold the plain form, so ``str()`` prints what the
    rubric's author would write.

    >>> [plain_decimal(Decimal(t)) for t in ("85.550", "1E+2", "-0.0")]
    [Decimal('85.55'), Decimal('100'), Decimal('0')]
    """
    if value == value.to_integral_value():
        return Decimal(int(value))
    return value.normalize(EXACT)


def _plain(value: Decimal) -> str:
    """Decimal as plain positional text without exponent or trailing zeros (``12.5``, ``10``)."""
    if value == 0:
        return "0"
    return format(value.normalize(EXACT), "f")


def exact_text(value: Number) -> str:
    """Exact text for a number: ``"12.5"``, ``"10"``, or ``"20/3"`` for a non-terminating ratio.

    This is the form used in JSON output, so that a result is reproducible to the last digit.

    >>> exact_text(Decimal("12.50"))
    '12.5'
    >>> exact_text(Fraction(15, 30))
    '0.5'
    >>> exact_text(Fraction(20, 3))
    '20/3'
    """
    if isinstance(value, bool):
        raise TypeError("booleans are not numbers here")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return _plain(value)
    den = value.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den != 1:
        return f"{value.numerator}/{value.denominator}"
    scale = 10 ** max(twos, fives)
    return _plain(Decimal(value.numerator * scale // value.denominator).scaleb(-max(twos, fives)))


def display(value: Number | None, places: int = 2) -> str:
    """Round for display only (half up, fixed places); ``None`` shows as an en dash.

    >>> display(Decimal("83.125"))
    '83.13'
    >>> display(Fraction(2, 3))
    '0.67'
    """
    if value is None:
        return "–"
    quantum = Decimal(1).scaleb(-places)
    if isinstance(value, Fraction):
        scaled = value * 10**places
        whole, rest = divmod(abs(scaled.numerator), scaled.denominator)
        if 2 * rest >= scaled.denominator:
            whole += 1
        sign = -1 if value < 0 else 1
        return format(Decimal(sign * whole).scaleb(-places), "f")
    return format(Decimal(value).quantize(quantum, rounding=decimal.ROUND_HALF_UP), "f")
