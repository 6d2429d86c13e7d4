"""The errors of rubric files: every problem located by file, line, column and key path."""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from ...errors import RubricError

__all__ = ["ExpressionError", "FileProblem", "RubricFileError"]


@attrs.frozen(kw_only=True)
class FileProblem:
    """One problem in a rubric file.

    :param source: the file's name (``"<string>"`` for text given in memory).
    :param line: 1-based line of the offending key or value (0 when the file has no position
        for it, e.g. a missing key of an empty file).
    :param column: 1-based column, counted in characters.
    :param path: the key path, ``indicator[2].bands.bands[0].at_least``; empty for the file.
    :param reason: what is wrong, ending with a "did you mean" for misspelt names.
    """

    source: str
    line: int
    column: int
    path: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}:{self.column}" if self.line else self.source
        return f"{where}: {self.path + ': ' if self.path else ''}{self.reason}"


class RubricFileError(RubricError):
    """A rubric file that cannot be used: every problem found in it, each located.

    Nothing of the file is registered when this is raised.

    :ivar problems: the problems, in file order.
    """

    def __init__(self, problems: Sequence[FileProblem]) -> None:
        self.problems: tuple[FileProblem, ...] = tuple(
            sorted(problems, key=lambda p: (p.source, p.line, p.column, p.path))
        )
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in rubric file"
        sources = sorted({p.source for p in self.problems})
        super().__init__(
            f"{head}{'s' if len(sources) > 1 else ''} {', '.join(sources)}:\n"
            + "\n".join(f"  - {p}" for p in self.problems)
        )


class ExpressionError(RubricError):
    """A condition, quantity or selection that cannot be parsed or does not type-check.

    :ivar text: the expression.
    :ivar column: 1-based column of the offending token within ``text``.
    :ivar reason: what is wrong.
    """

    def __init__(self, reason: str, *, text: str, column: int) -> None:
        self.text = text
        self.column = column
        self.reason = reason
        super().__init__(f"{reason} (column {column} of {_shorten(text)!r})")


def _shorten(text: str) -> str:
    return text if len(text) <= 80 else text[:77] + "..."
