"""Problems of a load, located: one file's facts or problems, and the error walk behind them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from itertools import islice
from typing import Any, overload

import attrs
import cattrs
from cattrs.errors import (
    BaseValidationError,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
)

from .._base.collector import collect_young
from .._base.hints import did_you_mean
from .._base.numbers import brief
from .._base.progress import NO_TICKER, Ticker
from ..errors import InputError, InputProblem
from ..facts import Fact
from ..factset import FactSet, Row, from_row, to_row
from ._converter import fast_records

__all__ = ["Loaded", "Positions", "counting_records", "finish", "problems_of"]

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


_BATCH = 8192  # records read a batch at a time, through the fast path


class Positions(Sequence[str]):
    """The locations ``record 0``, ``record 1``, ... of ``count`` records, made when asked for.

    Locations are read only to name a record in a problem, so a load of a million records that
    passes makes none of its million location strings.
    """

    __slots__ = ("_count", "_first", "_prefix")

    def __init__(self, count: int, prefix: str = "record ", first: int = 0) -> None:
        self._count = count
        self._prefix = prefix
        self._first = first

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            prefix, first = self._prefix, self._first
            return [f"{prefix}{first + i}" for i in range(*index.indices(self._count))]
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError("location index out of range")
        return f"{self._prefix}{self._first + index}"

    def joined(self, following: object) -> Positions | None:
        """These locations and ``following`` as one, when ``following`` carries straight on."""
        if (
            isinstance(following, Positions)
            and following._prefix == self._prefix
            and following._first == self._first + self._count
        ):
            return Positions(self._count + following._count, self._prefix, self._first)
        return None


@attrs.define
class Loaded:
    """What one file gave: its teams and records (as rows) with locations, or its problems.

    Records are read a batch at a time (:meth:`add` queues, :meth:`flush` reads); a file
    problem flushes first, so that problems stay in the order of the file.
    """

    source: str
    items: list[Row] = attrs.Factory(list)
    #: each item's location: a list, or the sequence :meth:`add_many` was given when every one
    #: of its records became an item, in order (so that locations are made only when asked for)
    locations: Sequence[str] = attrs.Factory(list)
    problems: list[InputProblem] = attrs.Factory(list)
    _converter: cattrs.Converter | None = None
    _raws: list[object] = attrs.Factory(list)
    _where: list[str] = attrs.Factory(list)
    _lent: bool = False  # ``locations`` is the sequence add_many was given: not ours to change

    @property
    def facts(self) -> list[Fact]:
        """The facts read, as objects."""
        self.flush()
        return [from_row(x) for x in self.items]

    def file_problem(self, reason: str, record: str = "file", field: str | None = None) -> None:
        """A problem of the file or of a record that is not read."""
        self.flush()
        self.problems.append(
            InputProblem(source=self.source, record=record, field=field, reason=reason)
        )

    def add(self, converter: cattrs.Converter, raw: object, location: str) -> None:
        """Read one record (a batch at a time: see :meth:`flush`)."""
        tick = _RECORDS.get()
        if tick is not NO_TICKER:
            tick.advance()
        if converter is not self._converter:
            self.flush()
            self._converter = converter
        self._raws.append(raw)
        self._where.append(location)
        if len(self._raws) >= _BATCH:
            self.flush()

    def add_many(
        self, converter: cattrs.Converter, raws: Sequence[object], locations: Sequence[str]
    ) -> None:
        """Read many records at once (``locations`` parallel to ``raws``).

        The records are read a batch at a time, each batch's work in proportion to the batch.
        When these are the first records and every one of them is read, ``locations`` itself
        becomes :attr:`locations`: no location is read unless a record has a problem.
        """
        tick = _RECORDS.get()
        if tick is not NO_TICKER:
            tick.advance(len(raws))
        self.flush()
        self._converter = converter
        joined = self._continued(locations)
        parallel = joined is not None or (
            not self.items and not self.locations and not self.problems
        )
        for start in range(0, len(raws), _BATCH):  # batches that stay in the processor's caches
            raws_batch = list(raws[start : start + _BATCH])
            if parallel and self._read_all(raws_batch):
                collect_young()  # the batch's rows, while in the caches
                continue
            if parallel:  # the records so far were all read: their locations, as a list
                parallel = False
                self.locations = [*self.locations, *locations[:start]]
                self._lent = False
            self._raws = raws_batch
            self._where = list(locations[start : start + _BATCH])
            self.flush()
            collect_young()
        if parallel:
            self.locations, self._lent = (locations if joined is None else joined), True

    def add_stream(self, converter: cattrs.Converter, records: Iterable[object]) -> None:
        """Read records from any iterable, a batch at a time.

        No more than a batch of ``records`` is held at once, so a generator over an
        application's data never has all of its records alive together. Records are located
        by position (``record 0``, ``record 1``, ...), each location made only for a problem.
        """
        count = 0
        iterator = iter(records)
        while batch := list(islice(iterator, _BATCH)):
            self.add_many(converter, batch, Positions(len(batch), first=count))
            count += len(batch)

    def _continued(self, locations: Sequence[str]) -> Positions | None:
        """The positions so far joined with ``locations``, or ``None``.

        Only when every record so far was read and ``locations`` carries straight on.
        """
        so_far = self.locations  # a Positions only while every record so far became an item
        if self.problems or self._raws or not isinstance(so_far, Positions):
            return None
        return so_far.joined(locations)

    def _read_all(self, raws: list[object]) -> bool:
        """Add the rows of a batch when the fast path reads every record of it."""
        converter = self._converter
        fast = fast_records(converter) if converter is not None else None
        if fast is None:
            return False
        rows: list[Any] = fast.rows(raws)
        if None in rows:
            return False
        self.items.extend(rows)
        return True

    def flush(self) -> None:
        """Read the queued records: through the fast path when it is sure, else the converter."""
        raws, where, converter = self._raws, self._where, self._converter
        if not raws or converter is None:
            return
        self._raws, self._where = [], []
        fast = fast_records(converter)
        rows: list[Any] = fast.rows(raws) if fast is not None else [None] * len(raws)
        locations = self._own_locations()
        if None not in rows:
            self.items.extend(rows)
            locations.extend(where)
            return
        for row, raw, location in zip(rows, raws, where, strict=True):
            if row is not None:
                self.items.append(row)
                locations.append(location)
                continue
            try:
                fact = converter.structure(raw, Fact)
            except (BaseValidationError, ValueError, TypeError) as exc:
                self.problems.extend(problems_of(exc, self.source, location))
                continue
            self.items.append(to_row(fact))
            locations.append(location)

    def _own_locations(self) -> list[str]:
        """:attr:`locations` as a list of its own, to add to."""
        locations = self.locations
        if self._lent or not isinstance(locations, list):
            locations = self.locations = list(locations)
            self._lent = False
        return locations


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
                        reason=f"{prefix}unknown field {brief(key)} for fact kind"
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
    for result in results:
        result.flush()
    problems = [p for r in results for p in r.problems]
    if problems:
        raise InputError(problems)
    if len(results) == 1:
        only = results[0]
        return FactSet.of_rows(only.items, source=only.source, locations=only.locations)
    facts: list[Row] = []
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
        return FactSet.of_rows(facts, source=sources, locations=locations)
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
