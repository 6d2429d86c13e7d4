"""The tokens of the expression language: numbers, quoted text, names, operators, punctuation.

A token keeps its 0-based offset in the expression, so that every error can name its column.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final, NamedTuple

from ._errors import ExpressionError

__all__ = ["Token", "tokens", "unquote", "walk_tokens"]

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
    |(?P<number>-?[0-9]+(?:\.[0-9]+)?)
    |(?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    |(?P<name>[A-Za-z_][A-Za-z0-9_]*)
    |(?P<op>==|!=|>=|<=|>|<)
    |(?P<punct>[()\[\],=])
    """,
    re.VERBOSE,
)
_ESCAPES: Final = {"\\": "\\", "'": "'", '"': '"', "n": "\n", "t": "\t", "r": "\r"}


class Token(NamedTuple):
    """One token: its kind, its text, and its offset in the expression."""

    kind: str  # number, string, name, op, punct, end
    text: str
    start: int  # 0-based offset in the expression


def tokens(text: str) -> list[Token]:
    """The tokens of ``text``, ending with an ``end`` token; a stray character is an error."""
    result: list[Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            char = text[pos]
            hint = " (strings are quoted: 'text')" if char.isalpha() else ""
            raise ExpressionError(f"unexpected character {char!r}{hint}", text=text, column=pos + 1)
        kind = match.lastgroup or ""
        if kind != "space":
            result.append(Token(kind, match.group(), pos))
        pos = match.end()
    result.append(Token("end", "", len(text)))
    return result


def unquote(token: Token, text: str) -> str:
    """The text a string token stands for, its escapes decoded."""
    body = token.text[1:-1]
    out: list[str] = []
    i = 0
    while i < len(body):
        char = body[i]
        if char != "\\":
            out.append(char)
            i += 1
            continue
        code = body[i + 1]
        if code in _ESCAPES:
            out.append(_ESCAPES[code])
            i += 2
        elif code == "u" and re.fullmatch(r"[0-9A-Fa-f]{4}", body[i + 2 : i + 6]):
            out.append(chr(int(body[i + 2 : i + 6], 16)))
            i += 6
        else:
            raise ExpressionError(
                f"unknown escape \\{code} in a string (use \\\\, \\', \\\", \\n, \\t or \\uXXXX)",
                text=text,
                column=token.start + 2 + i,
            )
    return "".join(out)


def walk_tokens(text: str) -> Iterator[tuple[str, str, int]]:
    """The tokens of an expression as ``(kind, text, offset)`` (for tools and tests)."""
    for token in tokens(text):
        yield token.kind, token.text, token.start
