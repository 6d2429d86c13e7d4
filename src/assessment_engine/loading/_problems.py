"""Problems of a load, located: one file's facts or problems, and the error walk behind them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

import attrs
import cattrs
from cattrs.errors import (
    BaseValidationError,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
)

from .._base.hints import did_you_mean
from .._base.progress import NO_TICKER, Ticker
from ..errors import InputError, InputProblem
from ..facts import Fact, Team
from ..factset import FactSet, Row, from_row, row_class, to_row
from ._converter import fast_records

__all__ = ["Loaded", "counting_records", "finish", "problems_of"]

#: The ticker every record read in this context advances (readers need not pass it on).
_RECORDS: ContextVar[Ticker] = ContextVar("assessment_engine_records", default=NO_TICKER)


@contextmanager
def counting_records(tick: Ticker) -> Iterator[Ticker]:
    """Every record a reader adds while the block runs advances ``tick``."""
    token = _RECORDS.set(tick)
    try:
        yield tick
    finally:
        _RECORDS.reset(token)


@attrs.define
class Loaded:
    """What one file gave: its teams and records (as rows) with locations, or its problems."""

    source: str
    items: list[Team | Row] = attrs.Factory(list)
    locations: list[str] = attrs.Factory(list)
    problems: list[InputProblem] = attrs.Factory(list)

    @property
    def facts(self) -> list[Fact]:
        """The facts read, as objects."""
        return [x if isinstance(x, Team) else from_row(x) for x in self.items]

    def file_problem(self, reason: str, record: str = "file", field: str | None = None) -> None:
        self.problems.append(
            InputProblem(source=self.source, record=record, field=field, reason=reason)
        )

    def add(self, converter: cattrs.Converter, raw: object, location: str) -> None:
        """Read one record: through the fast path when it is sure, else the converter."""
        tick = _RECORDS.get()
        if tick is not NO_TICKER:
            tick.advance()
        fast = fast_records(converter)
        row = None if fast is None else fast.row(raw)
        if row is not None:
            self.items.append(from_row(row) if row_class(row) is Team else row)  # type: ignore[arg-type]
            self.locations.append(location)
            return
        try:
            fact = converter.structure(raw, Fact)
        except (BaseValidationError, ValueError, TypeError) as exc:
            self.problems.extend(problems_of(exc, self.source, location))
            return
        self.items.append(fact if isinstance(fact, Team) else to_row(fact))
        self.locations.append(location)


_Path = list[str | int]


def _walk(exc: BaseException, path: _Path) -> Iterable[tuple[_Path, BaseException]]:
    """Every leaf error with its path: the traversal of ``cattrs.transform_error``, as data."""
    if isinstance(exc, ClassValidationError):
        with_notes, without = exc.group_exceptions()
        for sub, note in with_notes:
            yield from _walk(sub, [*path, note.name])
        for other in without:
            yield from _walk(other, path)
    elif isinstance(exc, IterableValidationError):
        with_items, rest = exc.group_exceptions()
        for sub, item in with_items:
            yield from _walk(sub, [*path, item.index])
        for other in rest:
            yield from _walk(other, path)
    elif isinstance(exc, BaseValidationError):
        for sub in exc.exceptions:
            yield from _walk(sub, path)
    else:
        yield path, exc


def _reason(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return "required, but not given"  # cattrs: a required field is missing
    first = exc.args[0] if exc.args else None
    if isinstance(first, str) and first:
        return first
    return str(exc) or type(exc).__name__


def problems_of(exc: BaseException, source: str, record: str) -> list[InputProblem]:
    """Translate a structuring error into located problems, one per leaf error."""
    problems: list[InputProblem] = []
    for path, leaf in _walk(exc, []):
        field = str(path[0]) if path else None
        inner = "".join(f".{p}" if isinstance(p, str) else f"[{p}]" for p in path[1:])
        prefix = f"{inner.lstrip('.')}: " if inner else ""
        if isinstance(leaf, ForbiddenExtraKeysError):
            names = [a.name for a in attrs.fields(leaf.cl) if a.init]
            for key in sorted(leaf.extra_fields):
                problems.append(
                    InputProblem(
                        source=source,
                        record=record,
                        field=field if field is not None else key,
                        reason=f"{prefix}unknown field {key!r} for fact kind"
                        f" {getattr(leaf.cl, 'fact_kind', leaf.cl.__name__)!r}"
                        f"{did_you_mean(key, names)}; its fields are: {', '.join(names)}",
                    )
                )
            continue
        problems.append(
            InputProblem(source=source, record=record, field=field, reason=prefix + _reason(leaf))
        )
    return problems


# ----------------------------------------------------------------------------- finishing
def finish(results: Sequence[Loaded]) -> FactSet:
    problems = [p for r in results for p in r.problems]
    if problems:
        raise InputError(problems)
    if len(results) == 1:
        only = results[0]
        return FactSet.of_items(only.items, source=only.source, locations=only.locations)
    facts: list[Team | Row] = []
    locations: list[str] = []
    origin: dict[str, tuple[str, str]] = {}
    for result in results:
        facts.extend(result.items)
        for location in result.locations:
            joined = f"{result.source}, {location}"
            locations.append(joined)
            origin[joined] = (result.source, location)
    sources = ", ".join(dict.fromkeys(r.source for r in results))
    try:
        return FactSet.of_items(facts, source=sources, locations=locations)
    except InputError as exc:
        raise InputError([relocate(p, origin) for p in exc.problems]) from None


def relocate(problem: InputProblem, origin: Mapping[str, tuple[str, str]]) -> InputProblem:
    """Give a problem found across files the source of its own record."""
    record = problem.record
    start = 0
    while True:
        cut = record.find(" (", start)
        head = record if cut < 0 else record[:cut]
        if head in origin:
            source, local = origin[head]
            return attrs.evolve(problem, source=source, record=local + record[len(head) :])
        if cut < 0:
            return problem
        start = cut + 1
