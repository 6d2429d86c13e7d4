"""Canonical JSON text and SHA-256 digests for what the ledger stores and compares."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

__all__ = ["canonical", "loads", "sha256"]


def canonical(data: Any) -> str:
    """Compact JSON with sorted keys and UTF-8 characters kept (the same data, the same text)."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def loads(text: str) -> Any:
    """Parse JSON, reading non-integer numbers as exact ``Decimal``."""
    return json.loads(text, parse_float=Decimal)


def sha256(text: str | bytes) -> str:
    """The SHA-256 hex digest of text (as UTF-8) or bytes."""
    return hashlib.sha256(text.encode("utf-8") if isinstance(text, str) else text).hexdigest()
