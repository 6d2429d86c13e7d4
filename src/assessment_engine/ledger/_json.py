"""Canonical JSON text and SHA-256 digests for what the ledger stores and compares."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

__all__ = ["canonical", "loads", "rubric_hash", "sha256"]


def canonical(data: Any) -> str:
    """Compact JSON with sorted keys and UTF-8 characters kept (the same data, the same text)."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def loads(text: str) -> Any:
    """Parse JSON, reading non-integer numbers as exact ``Decimal``."""
    return json.loads(text, parse_float=Decimal)


def sha256(text: str | bytes) -> str:
    """The SHA-256 hex digest of text (as UTF-8) or bytes."""
    return hashlib.sha256(text.encode("utf-8") if isinstance(text, str) else text).hexdigest()


def rubric_hash(data: Any) -> str:
    """The content hash of a rubric's plain data: the rule of ``Rubric.content_hash``.

    (SHA-256 of the canonical JSON; a test holds it equal to the rubric's own hash.)
    """
    return sha256(canonical(data))
