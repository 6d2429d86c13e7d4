"""The report as canonical JSON, written team by team: the same facts and rule sets, the same bytes.

Two forms:

- **full** (``details=True``): :meth:`~assessment_engine.Report.to_json`'s document, byte for
  byte — every team's assessment with its explanation;
- **lean** (``details=False``): the ranking and the points, no explanation —
  ``{"period", "rubric_hash", "engine_version", "ranking": [...], "quotas": [...]}``, one
  :func:`~assessment_engine.serialize.standing_to_data` entry per team in rank order. What a
  program that only needs the standings reads; a fraction of the full form's size and time.

:func:`write` streams to a text file: each team's assessment is built, written and dropped, so
memory stays bounded by one team's explanation however many teams there are. :func:`render`
returns the text.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from .._base.progress import ProgressCallback, ticker
from ..report import Report
from ..serialize import assessment_to_data, dumps, quota_to_data, standing_to_data

__all__ = ["render", "write"]

#: Stands for the streamed list in the document's skeleton; never a value of a report.
_MARK = "\x00assessment_engine.render.json:items\x00"


def _head(report: Report) -> dict[str, Any]:
    return {
        "period": report.period,
        "rubric_hash": report.rubric_hash,
        "engine_version": report.engine_version,
    }


def _write_document(
    out: TextIO,
    skeleton: dict[str, Any],
    key: str,
    items: Iterable[Any],
    count: int,
    indent: int | None,
    progress: ProgressCallback | None,
) -> None:
    """Write ``skeleton`` with ``items`` streamed as the list under ``key``.

    The skeleton is dumped once with a marker in the list; the text around the marker is the
    document's own (its indentation included), so the bytes are those of dumping the whole.
    """
    tick = ticker(progress, "writing", count)
    if count == 0:
        out.write(dumps({**skeleton, key: []}, indent=indent))
        tick.finish()
        return
    text = dumps({**skeleton, key: [_MARK]}, indent=indent)
    mark = dumps(_MARK).rstrip("\n")
    before, after = text.split(mark)
    if indent is None:
        pad, separator = "", ","
    else:  # the marker's line: "\n" and the list items' indentation
        pad = before[before.rindex("\n") :]
        separator = "," + pad
    out.write(before)
    first = True
    for item in items:
        if not first:
            out.write(separator)
        first = False
        piece = dumps(item, indent=indent).rstrip("\n")
        out.write(piece if indent is None else piece.replace("\n", pad))
        tick.advance()
    out.write(after)
    tick.finish()


def _full(report: Report) -> Iterator[dict[str, Any]]:
    for assessment in report.each_assessment():
        yield assessment_to_data(assessment)


def write(
    report: Report,
    out: TextIO,
    *,
    details: bool = True,
    indent: int | None = None,
    progress: ProgressCallback | None = None,
) -> None:
    """Write the report's JSON to ``out``, one team at a time.

    :param details: the full form (:meth:`~assessment_engine.Report.to_json`'s bytes) or, with
        ``False``, the lean form (the ranking and the points).
    :param indent: ``None`` for one compact line, ``2`` for reading.
    :param progress: told how many teams are written (step ``"writing"``).
    """
    quotas = [quota_to_data(q) for q in report.quotas]
    if details:
        skeleton = {**_head(report), "teams": None, "quotas": quotas}
        _write_document(out, skeleton, "teams", _full(report), len(report), indent, progress)
        return
    skeleton = {**_head(report), "ranking": None, "quotas": quotas}
    rows = (standing_to_data(row) for row in report.rows())
    _write_document(out, skeleton, "ranking", rows, len(report), indent, progress)


def render(
    report: Report,
    *,
    details: bool = True,
    indent: int | None = None,
    progress: ProgressCallback | None = None,
) -> str:
    """The report's JSON text, as :func:`write` writes it: compact by default."""
    buffer = io.StringIO()
    write(report, buffer, details=details, indent=indent, progress=progress)
    return buffer.getvalue()
