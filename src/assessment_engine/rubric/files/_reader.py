"""The base of the file readers: problems collected with their position, and plain values.

Private to the package: :mod:`._load` reads the sections, :mod:`._declarations` the fact kinds.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from typing import Any, Final

from ..._base.hints import did_you_mean
from ...facts import Fact
from ._errors import ExpressionError, FileProblem
from ._positions import Path, Position, PositionIndex

__all__ = ["BAD", "Bad", "Reader", "path_text"]


def path_text(path: Path) -> str:
    """``("indicator", 2, "bands")`` → ``indicator[2].bands``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class Bad:
    """A value that could not be read (its problem is recorded)."""


BAD: Final = Bad()


class Reader:
    """Collects the problems of one file, each at the position of its key or value."""

    def __init__(self, text: str, source: str, fact_types: Mapping[str, type[Fact]]) -> None:
        self.text = text
        self.source = source
        # TOML ends lines at \n only (not at \x85 or \u2028 as str.splitlines would)
        self.line_starts = [0] + [i + 1 for i, char in enumerate(text) if char == "\n"]
        self.fact_types = dict(fact_types)
        self.problems: list[FileProblem] = []
        self.positions = PositionIndex({}, {})
        self.locations: dict[str, tuple[int, int]] = {}

    # ------------------------------------------------------------------ problems
    def problem(self, path: Path, reason: str, at: Position | None = None) -> Bad:
        where = at or self.positions.key(path)
        self.problems.append(
            FileProblem(
                source=self.source,
                line=where.line,
                column=where.column,
                path=path_text(path),
                reason=reason,
            )
        )
        return BAD

    def expression_problem(self, path: Path, exc: ExpressionError, value: str) -> Bad:
        where = self.positions.value(path)
        return self.problem(
            path, f"{exc.reason} (in {value!r})", self.inside(where, value, exc.column - 1)
        )

    def inside(self, where: Position, value: str, offset: int) -> Position:
        """The position of ``value[offset]`` in the string literal at ``where``.

        Exact when the literal holds the text as it is (no escapes); else the literal's start.
        """
        starts = self.line_starts
        if not 0 < where.line <= len(starts):
            return where
        start = starts[where.line - 1] + where.column - 1
        for quote in ('"""', "'''", '"', "'"):
            if self.text.startswith(quote, start):
                content = start + len(quote)
                if len(quote) == 3 and self.text.startswith("\n", content):
                    content += 1
                break
        else:
            return where
        if self.text[content : content + len(value)] != value:
            return where
        at = content + offset
        line = bisect.bisect_right(starts, at)
        return Position(line, at - starts[line - 1] + 1)

    def unknown_keys(
        self, data: Mapping[str, Any], known: Iterable[str], path: Path, what: str
    ) -> None:
        choices = list(known)
        for key in data:
            if key not in choices:
                self.problem(
                    (*path, key),
                    f"unknown key {key!r} in {what}{did_you_mean(key, choices)};"
                    f" the keys are {', '.join(choices)}",
                )

    # ------------------------------------------------------------------ document

    def table(self, value: object, path: Path) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.problem(path, "expected a table")
            return {}
        return value

    def text_of(self, table: Mapping[str, Any], key: str, path: Path) -> str:
        value = table.get(key, "")
        if not isinstance(value, str):
            self.problem((*path, key), "expected text")
            return ""
        return value
