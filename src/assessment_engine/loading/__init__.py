"""Loading facts from JSON and CSV files, through one project-owned cattrs converter.

Every record names its fact kind under the key ``"fact"`` (the value of the fact class's
``fact_kind``)::

    {"fact": "activity", "team": "T1", "period": "2024", "id": "a1", "kind": "volunteer",
     "hours": "3"}

The tag is ``"fact"`` and not ``"kind"`` because activities, achievements, metrics and
incidents have a field of their own named ``kind``. A fact class therefore must not have a
field named ``fact``.

A load either returns a complete, validated :class:`~assessment_engine.factset.FactSet` or
raises one :class:`~assessment_engine.errors.InputError` listing every problem found, each with
the file, the record (``"record 3"``: index 3 of the JSON list, counted from 0; ``"line 7"``:
physical line 7 of a CSV file), the field and the reason. Problems inside records (unknown
kinds, unknown fields, values that do not convert or validate) are reported first; the checks
across records (duplicate ids, records of a team without a team record) run once every record
is well formed.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import cattrs
from cattrs.errors import BaseValidationError

from .._base.hints import did_you_mean
from ..errors import InputError, InputProblem
from ..facts import Fact, validate_fact_type
from ..factset import FactSet
from ._converter import (
    TAG,
    builtin_kinds,
    converter_for,
    describe,
    facts_converter,
    problems_of,
)

__all__ = ["TAG", "PathLike", "dump_json", "facts_converter", "load_csv", "load_facts", "load_json"]

#: What a path may be: text or an ``os.PathLike``.
PathLike = str | os.PathLike[str]


# ----------------------------------------------------------------------------- reading
@attrs.define
class _Loaded:
    """What one file gave: its facts with locations, or its problems."""

    source: str
    facts: list[Fact] = attrs.Factory(list)
    locations: list[str] = attrs.Factory(list)
    problems: list[InputProblem] = attrs.Factory(list)

    def file_problem(self, reason: str, record: str = "file", field: str | None = None) -> None:
        self.problems.append(
            InputProblem(source=self.source, record=record, field=field, reason=reason)
        )

    def add(self, converter: cattrs.Converter, raw: object, location: str) -> None:
        try:
            fact = converter.structure(raw, Fact)
        except (BaseValidationError, ValueError, TypeError) as exc:
            self.problems.extend(problems_of(exc, self.source, location))
            return
        self.facts.append(fact)
        self.locations.append(location)


def _read_text(path: PathLike, loaded: _Loaded) -> str | None:
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        loaded.file_problem("file not found")
        return None
    except IsADirectoryError:
        loaded.file_problem("this is a directory, not a file")
        return None
    except PermissionError:
        loaded.file_problem("permission denied: the file cannot be read")
        return None
    except OSError as exc:
        loaded.file_problem(f"the file cannot be read: {exc.strerror or exc}")
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        loaded.file_problem(f"not UTF-8 text (byte {exc.start} is invalid); save it as UTF-8")
        return None


class _JsonObject(dict[str, Any]):
    """A JSON object that remembers keys given more than once (``json`` keeps only the last)."""

    duplicates: tuple[str, ...] = ()


def _json_object(pairs: list[tuple[str, Any]]) -> _JsonObject:
    result = _JsonObject()
    duplicates: list[str] = []
    for key, value in pairs:
        if key in result and key not in duplicates:
            duplicates.append(key)
        result[key] = value
    if duplicates:
        result.duplicates = tuple(duplicates)
    return result


def _read_json(path: PathLike, converter: cattrs.Converter) -> _Loaded:
    loaded = _Loaded(os.fspath(path))
    text = _read_text(path, loaded)
    if text is None:
        return loaded
    try:
        document = json.loads(
            text, parse_float=Decimal, parse_constant=Decimal, object_pairs_hook=_json_object
        )
    except json.JSONDecodeError as exc:
        loaded.file_problem(
            f"not valid JSON: {exc.msg}", record=f"line {exc.lineno}, column {exc.colno}"
        )
        return loaded
    except RecursionError:
        loaded.file_problem("not usable JSON: nested too deeply")
        return loaded
    records: object = document
    if isinstance(document, Mapping):
        if "facts" not in document:
            loaded.file_problem(
                'expected a list of records or an object {"facts": [...]},'
                " got an object without a 'facts' key",
                record="top level",
            )
            return loaded
        for key in sorted(set(document) - {"facts"}):
            loaded.file_problem(
                f"unknown key {key!r} at the top level{did_you_mean(key, ['facts'])};"
                ' expected {"facts": [...]}',
                record="top level",
                field=key,
            )
        records = document["facts"]
    if not isinstance(records, list):
        loaded.file_problem(
            f'expected a list of records or an object {{"facts": [...]}}, got {describe(records)}',
            record="top level",
        )
        return loaded
    for index, raw in enumerate(records):
        location = f"record {index}"
        if isinstance(raw, _JsonObject) and raw.duplicates:
            for key in raw.duplicates:
                loaded.file_problem("given more than once in this record", location, key)
        loaded.add(converter, raw, location)
    return loaded


def _kind_of_stem(stem: str, kinds: Mapping[str, type[Fact]]) -> str | None:
    name = stem.lower()
    for kind in kinds:
        forms = {kind, kind + "s", kind + "es"}
        if kind.endswith("y"):
            forms.add(kind[:-1] + "ies")
        if name in forms:
            return kind
    return None


def _init_fields(cls: type[Fact]) -> list[str]:
    return [a.name for a in attrs.fields(cls) if a.init]


@attrs.frozen
class _Columns:
    """A checked header row (of a CSV file or a sheet): its names, which columns are read."""

    names: list[str]
    #: per column: read its cells (False for an unnamed, repeated or unknown column)
    used: list[bool]
    #: the kind the file or sheet name gives every row, when there is no ``fact`` column
    fixed_kind: str | None

    def new_record(self) -> dict[str, str]:
        """An empty raw record for one row (holding the fixed kind, if any)."""
        return {} if self.fixed_kind is None else {TAG: self.fixed_kind}


def _check_header(
    header: list[str],
    name: str,
    loaded: _Loaded,
    kinds: Mapping[str, type[Fact]],
    *,
    where: str,
    no_kind_where: str,
    column_label: Callable[[int], str],
    no_kind: Callable[[str], str],
) -> _Columns | None:
    """Check a header row; report every bad column; ``None`` when no row can be read.

    Without a ``fact`` column, ``name`` (the file's stem, the sheet's title) must name a kind;
    otherwise ``no_kind(did_you_mean)`` is reported at ``no_kind_where``. Column problems are
    reported at ``where``, naming the column by ``column_label(number)`` when it has no name.
    """
    fixed_kind: str | None = None
    if TAG in header:
        allowed = {field for cls in kinds.values() for field in _init_fields(cls)}
        what = "no fact kind has a field of that name"
    else:
        fixed_kind = _kind_of_stem(name, kinds)
        if fixed_kind is None:
            loaded.file_problem(no_kind(did_you_mean(name.lower(), kinds)), record=no_kind_where)
            return None
        fields = _init_fields(kinds[fixed_kind])
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
                f"unknown column {column!r}{did_you_mean(column, candidates)}; {what}",
                where,
                column,
            )
            ok = False
        seen.add(column)
        used.append(ok)
    return _Columns(header, used, fixed_kind)


def _read_csv(
    path: PathLike, converter: cattrs.Converter, kinds: Mapping[str, type[Fact]]
) -> _Loaded:
    loaded = _Loaded(os.fspath(path))
    text = _read_text(path, loaded)
    if text is None:
        return loaded
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        _read_rows(reader, Path(path).stem, loaded, converter, kinds)
    except csv.Error as exc:
        loaded.file_problem(f"not valid CSV: {exc}", record=f"line {reader.line_num}")
    return loaded


def _read_rows(
    reader: Any,
    stem: str,
    loaded: _Loaded,
    converter: cattrs.Converter,
    kinds: Mapping[str, type[Fact]],
) -> None:
    header_row: list[str] | None = next(reader, None)
    if header_row is None:
        loaded.file_problem("the file is empty; expected a header row naming the columns")
        return
    header_line = f"line {reader.line_num}"
    columns = _check_header(
        [cell.strip() for cell in header_row],
        stem,
        loaded,
        kinds,
        where=header_line,
        no_kind_where=header_line,
        column_label=str,
        no_kind=lambda hint: (
            f"no {TAG!r} column, and the file name {stem!r} names no fact kind{hint}; add a"
            f" {TAG!r} column or name the file after a kind (e.g. members.csv); known kinds:"
            f" {', '.join(sorted(kinds))}"
        ),
    )
    if columns is None:
        return
    header = columns.names
    last = reader.line_num
    for row in reader:
        location = f"line {last + 1}"
        last = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            loaded.file_problem(
                f"this line has {len(row)} cells but the header has {len(header)} columns",
                location,
            )
            continue
        record = columns.new_record()
        for name, ok, cell in zip(header, columns.used, row, strict=False):
            value = cell.strip()
            if ok and value:
                record[name] = value
        loaded.add(converter, record, location)


# ----------------------------------------------------------------------------- public API
def _finish(results: Sequence[_Loaded]) -> FactSet:
    problems = [p for r in results for p in r.problems]
    if problems:
        raise InputError(problems)
    if len(results) == 1:
        only = results[0]
        return FactSet(only.facts, source=only.source, locations=only.locations)
    facts: list[Fact] = []
    locations: list[str] = []
    origin: dict[str, tuple[str, str]] = {}
    for result in results:
        facts.extend(result.facts)
        for location in result.locations:
            joined = f"{result.source}, {location}"
            locations.append(joined)
            origin[joined] = (result.source, location)
    sources = ", ".join(dict.fromkeys(r.source for r in results))
    try:
        return FactSet(facts, source=sources, locations=locations)
    except InputError as exc:
        raise InputError([_relocate(p, origin) for p in exc.problems]) from None


def _relocate(problem: InputProblem, origin: Mapping[str, tuple[str, str]]) -> InputProblem:
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


def load_json(path: PathLike, *, fact_types: Mapping[str, type[Fact]] | None = None) -> FactSet:
    """Load facts from a JSON file: a list of records, or an object ``{"facts": [...]}``.

    Each record is an object with a ``"fact"`` key naming its kind and the fact's fields.
    Numbers are read exactly (JSON numbers with a fraction become ``Decimal``).

    :param path: the file; its path as given is the ``source`` of every problem.
    :param fact_types: the kinds to accept (``engine.rubric.fact_types``); ``None`` means the
        built-in kinds.
    :raises InputError: with every problem found; nothing is returned then.
    """
    converter, _ = converter_for(fact_types)
    return _finish([_read_json(path, converter)])


def load_csv(path: PathLike, *, fact_types: Mapping[str, type[Fact]] | None = None) -> FactSet:
    """Load facts from a CSV file (UTF-8, a header row, one record per row).

    Either a ``fact`` column names each row's kind, or the file is named after one kind
    (``member.csv`` or ``members.csv``). Empty cells mean "not given": the field's default
    applies. Tags are written ``a;b``. Problems are located by physical line.

    :param path: the file; its path as given is the ``source`` of every problem.
    :param fact_types: the kinds to accept (``engine.rubric.fact_types``); ``None`` means the
        built-in kinds.
    :raises InputError: with every problem found; nothing is returned then.
    """
    converter, kinds = converter_for(fact_types)
    return _finish([_read_csv(path, converter, kinds)])


def load_facts(*paths: PathLike, fact_types: Mapping[str, type[Fact]] | None = None) -> FactSet:
    """Load and merge facts from JSON (``.json``), CSV (``.csv``) and XLSX (``.xlsx``) files.

    XLSX workbooks need openpyxl (``pip install assessment-engine[cli]``); their layout is in
    ``docs/cli.md``.

    Every file is read and every problem of every file is reported together; ids must be
    unique across the files (per team, period and kind), and a problem found across files names
    the file of each record concerned.

    :param paths: one or more files, read by their suffix.
    :param fact_types: the kinds to accept (``engine.rubric.fact_types``); ``None`` means the
        built-in kinds.
    :raises InputError: with every problem found; nothing is returned then.
    """
    if not paths:
        raise TypeError("load_facts needs at least one path")
    converter, kinds = converter_for(fact_types)
    results: list[_Loaded] = []
    given: dict[Path, str] = {}
    for path in paths:
        suffix = Path(path).suffix.lower()
        first = given.get(Path(path).resolve())
        if first is not None:
            repeated = _Loaded(os.fspath(path))
            repeated.file_problem(f"the same file is given more than once (first as {first!r})")
            results.append(repeated)
            continue
        given[Path(path).resolve()] = os.fspath(path)
        if suffix == ".json":
            results.append(_read_json(path, converter))
        elif suffix == ".csv":
            results.append(_read_csv(path, converter, kinds))
        elif suffix == ".xlsx":
            from ._xlsx import _read_xlsx  # openpyxl is optional: imported when needed

            results.append(_read_xlsx(path, converter, kinds))
        else:
            unsupported = _Loaded(os.fspath(path))
            unsupported.file_problem(
                f"unsupported file type {suffix or '(no suffix)'!r}: use .json, .csv or .xlsx"
            )
            results.append(unsupported)
    return _finish(results)


def _sort_key(record: Mapping[str, Any]) -> tuple[str, str, str, str, str]:
    return (
        record["period"],
        record["team"],
        record[TAG],
        record.get("id", ""),
        json.dumps(record, ensure_ascii=False, sort_keys=True),
    )


def dump_json(facts: Iterable[Fact]) -> str:
    """Facts as JSON text that :func:`load_json` reads back to equal facts.

    (Facts of kinds from plugins load back with ``fact_types=engine.rubric.fact_types``.)

    Deterministic: records are sorted by period, team, fact kind and id; fields keep their
    class order; numbers are exact strings in positional notation (``"12.50"``), dates
    ``YYYY-MM-DD``, tags a sorted list. The form is ``{"facts": [...]}``, indented, UTF-8
    characters kept, with a final newline.

    :raises TypeError: for an item that is not a fact.
    :raises ValueError: for a fact whose class is not a registrable fact type, or two classes
        with the same kind.
    """
    items = list(facts)
    kinds: dict[str, type[Fact]] = {}
    for item in items:
        if not isinstance(item, Fact):
            raise TypeError(f"expected a fact, got {type(item).__name__}")
        cls = type(item)
        kind = validate_fact_type(cls)
        if kinds.setdefault(kind, cls) is not cls:
            raise ValueError(f"two classes have the fact kind {kind!r}: {kinds[kind]} and {cls}")
    converter, _ = converter_for({**builtin_kinds(), **kinds})
    records = sorted((converter.unstructure(item) for item in items), key=_sort_key)
    return json.dumps({"facts": records}, ensure_ascii=False, indent=2) + "\n"
