"""Parquet facts files: a columnar table read one row group at a time (pyarrow, an extra).

The columns are those of a CSV facts file — a ``fact`` column naming each row's kind (or a
file named after one kind, ``members.parquet``) and the fields' names — and a row is read as
a CSV line is: a null or an empty (after stripping) text is "not given", every other value goes
through the same checks as any record's. Types are the table's own: text as strings, whole
numbers as integers, exact decimals (``decimal128``) as ``Decimal``, booleans as booleans,
dates as dates, lists of text as tags; a floating-point column is read through each number's
shortest decimal text (``0.1`` stays ``0.1``), since Parquet writers often store numbers as
doubles. Other types (timestamps, binary, structs, ...) are reported as a problem of the
column. Problems are located ``row N`` (from 1,
in the file's order).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import cattrs

from .._base.optional import require
from ..errors import ParquetUnavailableError
from ..facts import TAG, Fact
from ._files import checked_file
from ._problems import Loaded
from ._rows import check_header
from ._types import PathLike

__all__ = ["read_parquet"]


def _pyarrow() -> tuple[Any, Any]:
    pa = require(
        "pyarrow", extra="parquet", purpose="reading Parquet files", error=ParquetUnavailableError
    )
    pq = require(
        "pyarrow.parquet",
        extra="parquet",
        purpose="reading Parquet files",
        error=ParquetUnavailableError,
    )
    return pa, pq


def _same(values: list[object]) -> list[object]:
    return values


def _decimals(values: list[object]) -> list[object]:
    return [Decimal(repr(value)) for value in values]


class _Column:
    """How one column's values become record values: Arrow kernels first, then Python."""

    def __init__(self, pa: Any, arrow_type: Any) -> None:
        self._pc = require("pyarrow.compute", extra="parquet", purpose="reading Parquet files")
        types = pa.types
        self._date = types.is_date(arrow_type)
        self._string = pa.string()
        self._text = self._date or types.is_string(arrow_type) or types.is_large_string(arrow_type)
        self._finish = _decimals if types.is_floating(arrow_type) else _same

    def given(self, column: Any) -> tuple[list[int], list[object]]:
        """The positions of the given values and the values (nulls and blank text left out)."""
        pc = self._pc
        if self._date:  # a date as the text a JSON or CSV file gives it: 2024-03-05
            column = column.cast(self._string)
        if self._text:
            column = pc.utf8_trim_whitespace(column)
            column = pc.if_else(pc.equal(column, ""), None, column)
        positions = pc.indices_nonzero(pc.is_valid(column)).to_pylist()
        return positions, self._finish(pc.drop_null(column).to_pylist())


def _readable(pa: Any, arrow_type: Any) -> bool:
    """Whether a column of this type can hold a fact's field."""
    types = pa.types
    if types.is_dictionary(arrow_type):
        arrow_type = arrow_type.value_type
    if types.is_list(arrow_type) or types.is_large_list(arrow_type):  # tags
        value = arrow_type.value_type
        return bool(types.is_string(value) or types.is_large_string(value))
    return bool(
        types.is_date(arrow_type)
        or types.is_string(arrow_type)
        or types.is_large_string(arrow_type)
        or types.is_floating(arrow_type)
        or types.is_integer(arrow_type)
        or types.is_decimal(arrow_type)
        or types.is_boolean(arrow_type)
        or types.is_null(arrow_type)
    )


def _open(pq: Any, path: PathLike, loaded: Loaded) -> Any:
    try:
        return pq.ParquetFile(os.fspath(path))
    except FileNotFoundError:
        loaded.file_problem("file not found")
    except IsADirectoryError:
        loaded.file_problem("this is a directory, not a file")
    except PermissionError:
        loaded.file_problem("permission denied: the file cannot be read")
    except OSError as exc:
        loaded.file_problem(f"the file cannot be read: {exc.strerror or exc}")
    except Exception as exc:  # pyarrow's ArrowInvalid and kin: not a Parquet file
        loaded.file_problem(f"not a valid Parquet file: {exc}")
    return None


def read_parquet(
    path: PathLike, converter: cattrs.Converter, kinds: Mapping[str, type[Fact]]
) -> Loaded:
    """Read a Parquet facts file's rows into ``Loaded`` (see the module's documentation)."""
    pa, pq = _pyarrow()
    loaded = Loaded(os.fspath(path))
    if not checked_file(path, loaded):
        return loaded
    parquet = _open(pq, path, loaded)
    if parquet is None:
        return loaded
    schema = parquet.schema_arrow
    stem = Path(path).stem
    columns = check_header(
        [str(name).strip() for name in schema.names],
        stem,
        loaded,
        kinds,
        where="the columns",
        no_kind_where="the columns",
        column_label=str,
        no_kind=lambda hint: (
            f"no {TAG!r} column, and the file name {stem!r} names no fact kind{hint}; add a"
            f" {TAG!r} column or name the file after a kind (e.g. members.parquet); known"
            f" kinds: {', '.join(sorted(kinds))}"
        ),
    )
    if columns is None:
        return loaded
    read: list[tuple[str, str, _Column]] = []  # (column, field, how)
    for index, (name, used) in enumerate(zip(columns.names, columns.used, strict=True)):
        if not used:
            continue
        arrow_type = schema.field(index).type
        if not _readable(pa, arrow_type):
            loaded.file_problem(
                f"a column of type {schema.field(index).type} cannot hold a fact's field; store"
                " text, whole numbers, decimals, booleans, dates or lists of text (tags)",
                "the columns",
                name,
            )
            continue
        if pa.types.is_dictionary(arrow_type):
            arrow_type = arrow_type.value_type
        read.append((schema.names[index], name, _Column(pa, arrow_type)))
    if loaded.problems:
        return loaded
    first = 1
    try:
        for group in range(parquet.num_row_groups):
            table = parquet.read_row_group(group, columns=[column for column, _, _ in read])
            table = table.combine_chunks() if table.num_rows else table
            first = _add_rows(table, read, columns.new_record, first, loaded, converter)
    except OSError as exc:
        loaded.file_problem(f"the file cannot be read: {exc.strerror or exc}")
    except Exception as exc:  # a corrupt row group: pyarrow's ArrowInvalid and kin
        loaded.file_problem(f"not a valid Parquet file: {exc}", f"row {first}")
    return loaded


def _add_rows(
    table: Any,
    read: list[tuple[str, str, _Column]],
    new_record: Callable[[], dict[str, Any]],
    first: int,
    loaded: Loaded,
    converter: cattrs.Converter,
) -> int:
    """Queue one row group's records; the number of the next group's first row."""
    n: int = table.num_rows
    records = [new_record() for _ in range(n)]
    for column, name, how in read:
        positions, values = how.given(table.column(column))
        for position, value in zip(positions, values, strict=True):
            records[position][name] = value
    loaded.add_many(converter, records, [f"row {first + i}" for i in range(n)])
    return first + n
