"""Fact files on the command line: paths, and ``-`` for standard input.

Standard input is read once, whole, and its format is recognised from its first bytes: an XLSX
workbook (a zip file, ``PK``), JSON (``{`` or ``[``), otherwise CSV — which then needs a
``fact`` column, having no file name to name its kind. Problems in it are located as
``<stdin>``, like any file's.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Final

import attrs
import click

from .._base.limits import MAX_INPUT_BYTES, size_problem
from .._base.progress import ProgressCallback
from ..engine import Engine
from ..errors import InputError, InputProblem
from ..facts import Fact
from ..factset import FactSet
from ..loading import load_facts, load_records
from ._output import STDIO

__all__ = ["STDIN_NAME", "FactFiles", "fact_files", "relocate_stdin"]

#: How standard input is named in problems and in the ledger.
STDIN_NAME: Final = "<stdin>"

_RENAMES = "assessment_engine.renames"


def _suffix(data: bytes) -> str:
    if data.startswith(b"PK\x03\x04"):
        return ".xlsx"
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return ".json" if start in (b"{", b"[") else ".csv"


@attrs.frozen
class FactFiles:
    """The fact files of one command, standard input saved to a temporary file.

    :param given: the paths as given (``-`` for standard input).
    :param paths: the paths to read (standard input's temporary file in place of ``-``).
    :param stdin: standard input's bytes, when ``-`` was given.
    """

    given: tuple[str, ...]
    paths: tuple[str, ...]
    stdin: bytes | None = None

    @property
    def stdin_sha256(self) -> str | None:
        """The SHA-256 of what standard input held (for the ledger)."""
        return None if self.stdin is None else hashlib.sha256(self.stdin).hexdigest()

    def read(self, engine: Engine, progress: ProgressCallback | None = None) -> FactSet:
        """Every file's facts as one checked set, with the engine's fact kinds."""
        return load_facts(*self.paths, fact_types=engine.rubric.fact_types, progress=progress)

    def records(self, fact_types: Mapping[str, type[Fact]]) -> list[Fact]:
        """The records alone, each checked on its own (for a ledger correction)."""
        return load_records(*self.paths, fact_types=fact_types)


@contextmanager
def fact_files(given: Sequence[str]) -> Iterator[FactFiles]:
    """The files of ``given``, with ``-`` read from standard input (at most once)."""
    if list(given).count(STDIO) > 1:
        raise click.UsageError("standard input ('-') can be read only once")
    if STDIO not in given:
        yield FactFiles(tuple(given), tuple(given))
        return
    limit = MAX_INPUT_BYTES.value()
    data = sys.stdin.buffer.read(limit + 1)
    too_large = size_problem(len(data), "standard input")
    if too_large is not None:
        raise InputError(
            [InputProblem(source=STDIN_NAME, record="file", field=None, reason=too_large)]
        )
    with tempfile.TemporaryDirectory(prefix="assessment-engine-stdin-") as directory:
        path = os.path.join(directory, "stdin" + _suffix(data))
        Path(path).write_bytes(data)
        context = click.get_current_context(silent=True)
        if context is not None:
            context.meta.setdefault(_RENAMES, {})[path] = STDIN_NAME
        paths = tuple(path if p == STDIO else p for p in given)
        yield FactFiles(tuple(given), paths, data)


def relocate_stdin(error: InputError, context: click.Context | None) -> InputError:
    """``error`` with standard input's temporary file named ``<stdin>`` in every problem."""
    renames: dict[str, str] = context.meta.get(_RENAMES, {}) if context is not None else {}
    if not renames:
        return error

    def rename(text: str) -> str:
        for old, new in renames.items():
            text = text.replace(old, new)
        return text

    return InputError(
        [attrs.evolve(p, source=rename(p.source), record=rename(p.record)) for p in error.problems]
    )
