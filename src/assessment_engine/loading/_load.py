"""Loading facts: each file read by the reader its suffix names, every problem reported together.

``load_facts`` gives a checked :class:`FactSet`; ``load_records`` the records alone, each checked
on its own but not against the others.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Final

import cattrs

from .._base.collector import paused_gc
from .._base.progress import ProgressCallback, ticker
from ..errors import InputError
from ..facts import Fact
from ..factset import FactSet
from ._converter import converter_for
from ._csv import read_csv
from ._json import read_json
from ._parquet import read_parquet
from ._problems import Loaded, Positions, counting_records, finish
from ._types import PathLike
from ._xlsx import read_xlsx

__all__ = [
    "READERS",
    "facts_from_records",
    "load_csv",
    "load_facts",
    "load_json",
    "load_records",
    "load_xlsx",
]

Reader = Callable[[PathLike, cattrs.Converter, Mapping[str, type[Fact]]], Loaded]

#: The reader of each file suffix (lower case): what ``load_facts`` dispatches on.
READERS: Final[Mapping[str, Reader]] = {
    ".json": lambda path, converter, kinds: read_json(path, converter),
    ".csv": read_csv,
    ".xlsx": read_xlsx,
    ".parquet": read_parquet,
}


def facts_from_records(
    records: Iterable[Mapping[str, object]],
    *,
    fact_types: Mapping[str, type[Fact]] | None = None,
    source: str = "<records>",
    locations: Sequence[str] | None = None,
) -> FactSet:
    """A fact set from records held in memory: mappings shaped as the JSON format's records.

    What an application holding its data as dicts does: ``{"fact": "activity", "team": "T1",
    "period": "2024", "id": "a1", "kind": "volunteer", "hours": "2.5"}``. Every record is
    checked exactly as a file's would be (the same values accepted, the same problems, located
    ``record N`` by its position), through the loaders' fast path: each distinct value of a
    field is checked once, and no object is built per record.

    :param records: the records, in any order: a list or tuple is read in place; any other
        iterable (a generator mapping an application's rows, say) is read a batch at a time, so
        that no more than a batch of the records it makes is alive at once.
    :param fact_types: the kinds to accept (``engine.rubric.fact_types``); ``None`` means the
        built-in kinds.
    :param source: what problems name as the source.
    :param locations: where each record is (``"line 12"``), parallel to ``records``; by default
        ``record N``, its position.
    :raises InputError: with every problem found; nothing is returned then.
    """
    converter, _ = converter_for(fact_types)
    loaded = Loaded(source)
    with paused_gc():
        if locations is None and not isinstance(records, list | tuple):
            loaded.add_stream(converter, records)
        else:
            given = records if isinstance(records, list | tuple) else list(records)
            if locations is None:
                locations = Positions(len(given))
            elif len(locations) != len(given):
                raise ValueError("locations must be parallel to records")
            loaded.add_many(converter, given, locations)
        return finish([loaded])


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
    return finish([read_json(path, converter)])


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
    return finish([read_csv(path, converter, kinds)])


def load_facts(
    *paths: PathLike,
    fact_types: Mapping[str, type[Fact]] | None = None,
    progress: ProgressCallback | None = None,
) -> FactSet:
    """Load and merge facts from JSON, CSV, XLSX and Parquet files.

    Each file is read by its suffix: ``.json``, ``.csv``, ``.xlsx`` and ``.parquet`` (a columnar
    table with the CSV file's columns; it needs pyarrow, ``pip install
    assessment-engine[parquet]``). XLSX workbooks need openpyxl (``pip install
    assessment-engine[cli]``); their layout is in ``docs/cli.md``.

    Every file is read and every problem of every file is reported together; ids must be
    unique across the files (per team, period and kind), and a problem found across files names
    the file of each record concerned.

    :param paths: one or more files, read by their suffix.
    :param fact_types: the kinds to accept (``engine.rubric.fact_types``); ``None`` means the
        built-in kinds.
    :param progress: called as the records are read (step ``"reading"``, in records) and while
        they are checked together (``"checking"``); see ``assessment_engine.ProgressCallback``.
    :raises InputError: with every problem found; nothing is returned then.
    """
    if not paths:
        raise TypeError("load_facts needs at least one path")
    converter, kinds = converter_for(fact_types)
    with counting_records(ticker(progress, "reading")) as reading:
        results = _read_files(paths, converter, kinds)
        for result in results:
            result.flush()
    reading.finish()
    checking = ticker(progress, "checking", sum(len(r.items) for r in results))
    fact_set = finish(results)
    checking.finish()
    return fact_set


def load_records(
    *paths: PathLike, fact_types: Mapping[str, type[Fact]] | None = None
) -> list[Fact]:
    """Read the records of JSON, CSV and XLSX files, each checked on its own but not together.

    Every record is read and validated as :func:`load_facts` does (its kind, unknown fields,
    values that do not convert or validate), but the checks across records are left out: ids
    need not be unique, and a record's team need not have a team record. For files that hold a
    few records to put into a larger set, which is checked as a whole then, such as the
    corrected records of a ledger correction.

    :param paths: one or more files, read by their suffix (``.json``, ``.csv``, ``.xlsx``,
        ``.parquet``).
    :param fact_types: the kinds to accept (``engine.rubric.fact_types``); ``None`` means the
        built-in kinds.
    :returns: the facts, file by file in the order given, each file's in its order.
    :raises InputError: with every problem of every file; nothing is returned then.
    :raises SpreadsheetUnavailableError: for an XLSX file when openpyxl is not installed.
    """
    if not paths:
        raise TypeError("load_records needs at least one path")
    converter, kinds = converter_for(fact_types)
    results = _read_files(paths, converter, kinds)
    for result in results:
        result.flush()
    problems = [problem for result in results for problem in result.problems]
    if problems:
        raise InputError(problems)
    return [fact for result in results for fact in result.facts]


def _read_files(
    paths: Sequence[PathLike], converter: cattrs.Converter, kinds: Mapping[str, type[Fact]]
) -> list[Loaded]:
    """Each file read by its suffix's reader (one given twice, or of another suffix: a problem)."""
    results: list[Loaded] = []
    given: dict[Path, str] = {}
    for path in paths:
        suffix = Path(path).suffix.lower()
        first = given.get(Path(path).resolve())
        if first is not None:
            repeated = Loaded(os.fspath(path))
            repeated.file_problem(f"the same file is given more than once (first as {first!r})")
            results.append(repeated)
            continue
        given[Path(path).resolve()] = os.fspath(path)
        reader = READERS.get(suffix)
        if reader is None:
            unsupported = Loaded(os.fspath(path))
            *others, last = READERS
            unsupported.file_problem(
                f"unsupported file type {suffix or '(no suffix)'!r}:"
                f" use {', '.join(others)} or {last}"
            )
            results.append(unsupported)
        else:
            results.append(reader(path, converter, kinds))
    return results


def load_xlsx(path: PathLike, *, fact_types: Mapping[str, type[Fact]] | None = None) -> FactSet:
    """Load facts from an XLSX workbook (one sheet per kind, or sheets with a ``fact`` column).

    :param path: the workbook; its path as given is the ``source`` of every problem.
    :param fact_types: the kinds to accept (``engine.rubric.fact_types``); ``None`` means the
        built-in kinds.
    :raises InputError: with every problem found (``sheet member, row 7``); nothing is
        returned then.
    :raises SpreadsheetUnavailableError: when openpyxl is not installed.
    """
    converter, kinds = converter_for(fact_types)
    return finish([read_xlsx(path, converter, kinds)])
