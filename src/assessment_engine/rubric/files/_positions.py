"""Where each key and value of a TOML document is: a light position index over the source.

``tomllib`` reads TOML correctly but keeps no positions, and no well-kept library exposes them
(tomlkit's parsed items carry none: python-poetry/tomlkit#55). So the document is read twice:
``tomllib`` gives the values (and the syntax errors, with their line and column), then this
scanner walks the same text, which is known to be valid TOML, and records for every key path
the line and column of its key and of its value. The scanner only has to follow the structure
(table headers, arrays of tables, dotted keys, inline tables and arrays) and skip strings and
comments; it never interprets a value.

Paths are tuples of keys and array indices: ``("indicator", 2, "bands", "bands", 0)``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final, NamedTuple

__all__ = ["Position", "PositionIndex", "index_positions"]

Path = tuple[str | int, ...]


class Position(NamedTuple):
    """A 1-based line and column (in characters)."""

    line: int
    column: int


_BARE: Final = re.compile(r"[A-Za-z0-9_-]+")
_SCALAR: Final = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}[^\s,\]}#]*|[^\s,\]}#]+"
)
_ESCAPE: Final = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", re.DOTALL)
_SIMPLE_ESCAPES: Final = {
    "b": "\b",
    "t": "\t",
    "n": "\n",
    "f": "\f",
    "r": "\r",
    '"': '"',
    "\\": "\\",
}


class PositionIndex:
    """Positions of the keys and values of one document, by path."""

    def __init__(self, keys: Mapping[Path, Position], values: Mapping[Path, Position]) -> None:
        self.keys = dict(keys)
        self.values = dict(values)

    def key(self, path: Path) -> Position:
        """The position of the key at ``path``, or of its nearest enclosing key (1:1 at worst)."""
        return self._nearest(path, self.keys)

    def value(self, path: Path) -> Position:
        """The position of the value at ``path`` (or of its nearest enclosing value)."""
        return self._nearest(path, self.values)

    @staticmethod
    def _nearest(path: Path, table: Mapping[Path, Position]) -> Position:
        for end in range(len(path), 0, -1):
            found = table.get(path[:end])
            if found is not None:
                return found
        return Position(1, 1)


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line_starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
        self.keys: dict[Path, Position] = {}
        self.values: dict[Path, Position] = {}
        self.counts: dict[Path, int] = {}  # array-of-tables path -> elements seen

    def position(self, offset: int) -> Position:
        lo, hi = 0, len(self.line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.line_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return Position(lo + 1, offset - self.line_starts[lo] + 1)

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def skip_blank(self, newlines: bool) -> None:
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char in " \t" or (newlines and char in "\r\n"):
                self.pos += 1
            elif char == "#":
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end < 0 else end
            else:
                return

    # ------------------------------------------------------------------ keys
    def key_part(self) -> str:
        char = self.peek()
        if char == '"':
            return self.basic_string()
        if char == "'":
            end = self.text.index("'", self.pos + 1)
            part = self.text[self.pos + 1 : end]
            self.pos = end + 1
            return part
        match = _BARE.match(self.text, self.pos)
        assert match is not None, f"a key at {self.position(self.pos)}"
        self.pos = match.end()
        return match.group()

    def dotted_key(self) -> tuple[list[str], int]:
        start = self.pos
        parts = [self.key_part()]
        while True:
            self.skip_blank(False)
            if self.peek() != ".":
                return parts, start
            self.pos += 1
            self.skip_blank(False)
            parts.append(self.key_part())

    def resolve(self, parts: list[str]) -> Path:
        """A header's key as a path: arrays of tables on the way resolve to their last element."""
        path: Path = ()
        for part in parts:
            path = (*path, part)
            if path in self.counts:
                path = (*path, self.counts[path] - 1)
        return path

    # ------------------------------------------------------------------ values
    def basic_string(self) -> str:
        multi = self.text.startswith('"""', self.pos)
        quote = '"""' if multi else '"'
        self.pos += len(quote)
        out: list[str] = []
        while True:
            if self.text.startswith(quote, self.pos):
                if multi:  # up to two quotes may end the content: """a"""" is 'a"'
                    while self.text.startswith('"', self.pos + 3):
                        out.append('"')
                        self.pos += 1
                self.pos += len(quote)
                return "".join(out)
            char = self.text[self.pos]
            if char == "\\":
                if multi and re.match(r"\\[ \t]*\r?\n", self.text[self.pos :]):
                    self.pos += 1
                    self.skip_blank(True)
                    continue
                match = _ESCAPE.match(self.text, self.pos)
                assert match is not None
                code = match.group(1)
                if code[0] in "uU":
                    out.append(chr(int(code[1:], 16)))
                else:
                    out.append(_SIMPLE_ESCAPES.get(code, code))
                self.pos = match.end()
                continue
            out.append(char)
            self.pos += 1

    def skip_value(self, path: Path) -> None:
        self.values[path] = self.position(self.pos)
        char = self.peek()
        if char == '"':
            self.basic_string()
        elif char == "'":
            quote = "'''" if self.text.startswith("'''", self.pos) else "'"
            end = self.text.index(quote, self.pos + len(quote))
            if quote == "'''":
                while self.text.startswith("'", end + 3):
                    end += 1
            self.pos = end + len(quote)
        elif char == "[":
            self.pos += 1
            index = 0
            while True:
                self.skip_blank(True)
                if self.peek() == "]":
                    self.pos += 1
                    return
                self.skip_value((*path, index))
                index += 1
                self.skip_blank(True)
                if self.peek() == ",":
                    self.pos += 1
        elif char == "{":
            self.pos += 1
            while True:
                self.skip_blank(True)
                if self.peek() == "}":
                    self.pos += 1
                    return
                self.key_value(path)
                self.skip_blank(True)
                if self.peek() == ",":
                    self.pos += 1
        else:
            match = _SCALAR.match(self.text, self.pos)
            assert match is not None, f"a value at {self.position(self.pos)}"
            self.pos = match.end()

    def key_value(self, table: Path) -> None:
        parts, start = self.dotted_key()
        path = (*table, *parts)
        self.keys[path] = self.position(start)
        self.skip_blank(False)
        assert self.peek() == "="
        self.pos += 1
        self.skip_blank(False)
        self.skip_value(path)

    # ------------------------------------------------------------------ document
    def document(self) -> None:
        table: Path = ()
        while True:
            self.skip_blank(True)
            if self.pos >= len(self.text):
                return
            if self.peek() == "[":
                start = self.pos
                array = self.text.startswith("[[", self.pos)
                self.pos += 2 if array else 1
                self.skip_blank(False)
                parts, _ = self.dotted_key()
                self.skip_blank(False)
                self.pos += 2 if array else 1
                if array:
                    prefix = self.resolve(parts[:-1])
                    base = (*prefix, parts[-1])
                    self.counts[base] = self.counts.get(base, 0) + 1
                    table = (*base, self.counts[base] - 1)
                    self.keys.setdefault(base, self.position(start))
                else:
                    table = self.resolve(parts)
                self.keys.setdefault(table, self.position(start))
                self.values.setdefault(table, self.position(start))
            else:
                self.key_value(table)


def index_positions(text: str) -> PositionIndex:
    """Index a document that ``tomllib`` has already parsed without error."""
    scanner = _Scanner(text)
    scanner.document()
    return PositionIndex(scanner.keys, scanner.values)
