"""Exact bounds on the numbers of fact objects built by hand (not through the loaders).

The loaders bound every number they read (:func:`~assessment_engine.facts.to_decimal`); the
built-in kinds' converters do the same for objects. A plugin kind's field checked only with
``instance_of(Decimal)`` or ``instance_of(int)`` could still hold ``Decimal("1e-9999")`` or
``10**60``: :func:`number_problems` finds such values when facts reach the engine.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

import attrs

from .._base.numbers import MAX_MAGNITUDE
from ..facts import Fact, field_specs, optional_decimal, to_decimal

__all__ = ["number_problems"]
_UNCHECKED_CACHE: dict[type[Fact], tuple[str, ...]] = {}
_BOUNDING_CONVERTERS: Final = (to_decimal, optional_decimal)


def _unchecked_numbers(cls: type[Fact]) -> tuple[str, ...]:
    """The number fields of ``cls`` that its own converters and validators do not bound."""
    cached = _UNCHECKED_CACHE.get(cls)
    if cached is None:
        converters = {f.name: f.converter for f in attrs.fields(cls)}
        limit = Decimal(10) ** MAX_MAGNITUDE
        cached = tuple(
            name
            for name, spec in field_specs(cls).items()
            if spec.kind == "number"
            and not any(converters[name] is c for c in _BOUNDING_CONVERTERS)
            and not (
                spec.whole
                and spec.minimum is not None
                and spec.maximum is not None
                and -limit < spec.minimum <= spec.maximum < limit
            )
        )
        _UNCHECKED_CACHE[cls] = cached
    return cached


def number_problems(fact: Fact) -> list[tuple[str, str]]:
    """The number fields of ``fact`` outside the exact bounds, as ``(field, reason)``.

    The built-in kinds' converters bound their numbers (:func:`to_decimal`); a plugin kind's
    field checked only with ``instance_of(Decimal)`` or ``instance_of(int)`` could hold
    ``Decimal("1e-9999")`` or ``10**60``, which no sum keeps exact. The engine checks such fields
    when facts are given as objects, before any arithmetic.
    """
    problems: list[tuple[str, str]] = []
    for name in _unchecked_numbers(type(fact)):
        value = getattr(fact, name)
        if value is None or isinstance(value, bool):
            continue
        try:
            to_decimal(value)
        except ValueError as exc:
            problems.append((name, str(exc)))
        except TypeError:
            pass  # a type its own validators let through: not a bound's business
    return problems
