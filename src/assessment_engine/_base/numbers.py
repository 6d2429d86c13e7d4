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
    "MAX_MAGNITUDE",
    "MAX_NUMBER_TEXT",
    "MAX_PLACES",
    "Number",
    "brief",
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

#: The largest magnitude a fact value or rubric constant may have: below 10**15.
MAX_MAGNITUDE: Final = 15

#: The most decimal places a fact value or rubric constant may have (trailing zeros aside).
MAX_PLACES: Final = 20

#: The longest numeric text read at all (sign, digits, point and exponent).
MAX_NUMBER_TEXT: Final = 64


def brief(value: object) -> str:
    """A value as a message shows it: short text whole, a long one cut (never 5,000 digits).

    >>> brief("1" * 100)
    "'11111111111111111111111… (102 characters)"
    """
    if isinstance(value, int) and not isinstance(value, bool):
        if value.bit_length() < 200:
            text = str(value)
        else:  # str() of a huge int is slow, and refused past 4,300 digits
            text = f"a whole number of about {int(value.bit_length() * 0.30103):,} digits"
    elif isinstance(value, Decimal):
        text = str(value)
    else:
        text = repr(value) if not isinstance(value, str) else repr(value.strip())
    return text if len(text) <= 40 else f"{text[:24]}… ({len(text):,} characters)"


def _bounded(value: Decimal, given: object) -> Decimal:
    """``value`` when it is within the bounds; checked without arithmetic (no context used)."""
    if not value.is_finite():
        raise ValueError(f"expected a finite number, got {brief(given)}")
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite
    if not value:
        # a zero with a huge exponent (0E-9999) is zero
        return value if exponent >= -MAX_PLACES else Decimal(0)
    if value.adjusted() >= MAX_MAGNITUDE:
        raise ValueError(f"{brief(given)} is too large (the limit is 10**{MAX_MAGNITUDE})")
    if exponent < -MAX_PLACES:
        trailing = len(digits) - len(bytes(digits).rstrip(b"\0"))
        places = -exponent - trailing
        if places > MAX_PLACES:
            raise ValueError(
                f"{brief(given)} has {places:,} decimal places, more than the {MAX_PLACES}"
                " kept exactly; round it"
            )
    return value


def to_decimal(value: object) -> Decimal:
    """Read a rubric constant or fact value as an exact Decimal.

    Accepts ``int``, ``Decimal``, numeric ``str`` and ``float``; a float is read through its
    shortest representation (``0.1`` means ``Decimal("0.1")``), which is what its author wrote.
    Rejects ``bool``, NaN, infinities, magnitudes of 10**15 or more and more than 20 decimal
    places (so that sums of many values stay exact within :data:`EXACT`); the bounds are
    checked before any arithmetic, so no value can make it slow.

    >>> to_decimal("2.50")
    Decimal('2.50')
    >>> to_decimal(0.1)
    Decimal('0.1')
    """
    if isinstance(value, bool):
        raise TypeError(f"expected a number, got a boolean ({value!r})")
    if isinstance(value, Decimal):
        return _bounded(value, value)
    if isinstance(value, int):
        if -_INT_LIMIT < value < _INT_LIMIT:
            return Decimal(value)
        raise ValueError(f"{brief(value)} is too large (the limit is 10**{MAX_MAGNITUDE})")
    if isinstance(value, float):
        return _bounded(Decimal(repr(value)), value)
    if isinstance(value, str):
        text = value.strip()
        if len(text) > MAX_NUMBER_TEXT:
            raise ValueError(
                f"{brief(value)} is too long for a number: more than {MAX_NUMBER_TEXT}"
                " digits and signs"
            )
        try:
            result = Decimal(text)
        except decimal.InvalidOperation:
            raise ValueError(f"not a number: {brief(value)}") from None
        return _bounded(result, value)
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return to_decimal(value.numerator)
        raise TypeError(f"expected a decimal number, got the fraction {value}")
    raise TypeError(f"expected a number, got {type(value).__name__} ({brief(value)})")


_INT_LIMIT: Final = 10**MAX_MAGNITUDE


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
