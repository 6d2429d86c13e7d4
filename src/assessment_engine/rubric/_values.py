"""Validators and converters shared by the rubric's data classes."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from .._base.numbers import to_decimal

__all__ = [
    "OMIT_DEFAULT",
    "Value",
    "check_id",
    "check_label",
    "non_negative",
    "optional_decimal",
    "positive",
    "to_value",
    "tuple_of",
]

#: The metadata key of a field added to the model after rubrics were first hashed: its plain
#: data leaves it out while it holds its default, so that the data — and the content hash — of
#: every rubric written before it stay what they were.
OMIT_DEFAULT = "assessment_engine.omit_default"

#: A constant in a condition: a number (exact Decimal), a text or a flag.
Value = Decimal | str | bool

_ID = re.compile(r"[a-z][a-z0-9_]*(?:[.\-][a-z0-9_]+)*")


def check_id(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    """Ids are lower-case dotted names: ``pb.leader``, ``bp.task.on_time``, ``civility``."""
    if not isinstance(value, str) or not _ID.fullmatch(value) or len(value) > 80:
        raise ValueError(
            f"{attribute.name} must be a lower-case dotted id such as 'pb.leader'"
            f" (letters, digits, '_', separated by '.' or '-'), got {value!r}"
        )


def check_label(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    """Labels are non-empty text (Chinese with an English gloss, by convention)."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{attribute.name} must be non-empty text, got {value!r}")


def non_negative(instance: object, attribute: attrs.Attribute[Any], value: Decimal) -> None:
    """Reject negative numbers."""
    if value is not None and value < 0:
        raise ValueError(f"{attribute.name} must not be negative, got {value}")


def positive(instance: object, attribute: attrs.Attribute[Any], value: Decimal) -> None:
    """Reject zero and negative numbers."""
    if value is not None and value <= 0:
        raise ValueError(f"{attribute.name} must be positive, got {value}")


def optional_decimal(value: object) -> Decimal | None:
    """Convert to an exact Decimal, keeping ``None``."""
    return None if value is None else to_decimal(value)


def to_value(value: object) -> Value:
    """Normalise a condition constant: numbers become exact Decimals; text and flags stay."""
    if isinstance(value, bool | str):
        return value
    return to_decimal(value)


def tuple_of(*types: type) -> Any:
    """Converter and validator pair for an immutable sequence of the given types."""

    def convert(value: Iterable[Any]) -> tuple[Any, ...]:
        if isinstance(value, str | bytes | Mapping):
            raise TypeError(f"expected a sequence, got {type(value).__name__}")
        return tuple(value)

    def validate(instance: object, attribute: attrs.Attribute[Any], value: tuple[Any, ...]) -> None:
        for i, item in enumerate(value):
            if not isinstance(item, types):
                names = " or ".join(t.__name__ for t in types)
                raise TypeError(f"{attribute.name}[{i}] must be {names}, got {type(item).__name__}")

    return {"converter": convert, "validator": validate}
