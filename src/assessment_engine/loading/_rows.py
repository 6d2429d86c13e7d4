"""Header rows of CSV files and XLSX sheets: which kind, which columns are read.

Shared by both row formats, so a CSV file and a sheet are checked by the same rules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import attrs

from .._base.hints import did_you_mean
from .._base.numbers import brief
from ..facts import TAG, Fact
from ._problems import Loaded

__all__ = ["Columns", "check_header", "init_fields", "kind_of_stem"]


def kind_of_stem(stem: str, kinds: Mapping[str, type[Fact]]) -> str | None:
    name = stem.lower()
    for kind in kinds:
        forms = {kind, kind + "s", kind + "es"}
        if kind.endswith("y"):
            forms.add(kind[:-1] + "ies")
        if name in forms:
            return kind
    return None


def init_fields(cls: type[Fact]) -> list[str]:
    return [a.name for a in attrs.fields(cls) if a.init]


@attrs.frozen
class Columns:
    """A checked header row (of a CSV file or a sheet): its names, which columns are read."""

    names: list[str]
    #: per column: read its cells (False for an unnamed, repeated or unknown column)
    used: list[bool]
    #: the kind the file or sheet name gives every row, when there is no ``fact`` column
    fixed_kind: str | None

    def new_record(self) -> dict[str, str]:
        """An empty raw record for one row (holding the fixed kind, if any)."""
        return {} if self.fixed_kind is None else {TAG: self.fixed_kind}


def check_header(
    header: list[str],
    name: str,
    loaded: Loaded,
    kinds: Mapping[str, type[Fact]],
    *,
    where: str,
    no_kind_where: str,
    column_label: Callable[[int], str],
    no_kind: Callable[[str], str],
) -> Columns | None:
    """Check a header row; report every bad column; ``None`` when no row can be read.

    Without a ``fact`` column, ``name`` (the file's stem, the sheet's title) must name a kind;
    otherwise ``no_kind(did_you_mean)`` is reported at ``no_kind_where``. Column problems are
    reported at ``where``, naming the column by ``column_label(number)`` when it has no name.
    """
    fixed_kind: str | None = None
    if TAG in header:
        allowed = {field for cls in kinds.values() for field in init_fields(cls)}
        what = "no fact kind has a field of that name"
    else:
        fixed_kind = kind_of_stem(name, kinds)
        if fixed_kind is None:
            loaded.file_problem(no_kind(did_you_mean(name.lower(), kinds)), record=no_kind_where)
            return None
        fields = init_fields(kinds[fixed_kind])
        allowed = set(fields)
        what = f"the fields of fact kind {fixed_kind!r} are: {', '.join(fields)}"
    used: list[bool] = []
    seen: set[str] = set()
    for number, column in enumerate(header, start=1):
        ok = True
        if not column:
            loaded.file_problem(f"column {column_label(number)} has no name", where)
            ok = False
        elif column in seen:
            loaded.file_problem("this column is given more than once", where, column)
            ok = False
        elif column != TAG and column not in allowed:
            candidates = allowed if fixed_kind is None else allowed | {TAG}
            loaded.file_problem(
                f"unknown column {brief(column)}{did_you_mean(column, candidates)}; {what}",
                where,
                column,
            )
            ok = False
        seen.add(column)
        used.append(ok)
    return Columns(header, used, fixed_kind)
