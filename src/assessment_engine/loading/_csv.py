"""CSV facts files: UTF-8, a header row, one record per row."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import cattrs

from ..facts import TAG, Fact
from ._files import read_text
from ._problems import Loaded
from ._rows import check_header
from ._types import PathLike

__all__ = ["read_csv"]


def read_csv(
    path: PathLike, converter: cattrs.Converter, kinds: Mapping[str, type[Fact]]
) -> Loaded:
    loaded = Loaded(os.fspath(path))
    text = read_text(path, loaded)
    if text is None:
        return loaded
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        read_rows(reader, Path(path).stem, loaded, converter, kinds)
    except csv.Error as exc:
        loaded.file_problem(f"not valid CSV: {exc}", record=f"line {reader.line_num}")
    return loaded


def read_rows(
    reader: Any,
    stem: str,
    loaded: Loaded,
    converter: cattrs.Converter,
    kinds: Mapping[str, type[Fact]],
) -> None:
    header_row: list[str] | None = next(reader, None)
    if header_row is None:
        loaded.file_problem("the file is empty; expected a header row naming the columns")
        return
    header_line = f"line {reader.line_num}"
    columns = check_header(
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
