"""What travels between the driver and its workers: plain data only, never an engine object.

A :class:`PartitionTask` says how the worker builds its engine (:class:`RubricSpec`: the
rubric as data, or the plugins by name), which files it reads and which of their teams are its
own (:class:`Partition`); a :class:`PartitionResult` brings back each team's state as plain
data (``Pipeline.export_state``) and, when asked, its local assessment as plain data.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from .._pipeline import TeamStateData
from ..errors import InputProblem

__all__ = [
    "PARTITION_KINDS",
    "Partition",
    "PartitionBy",
    "PartitionResult",
    "PartitionTask",
    "RubricSpec",
    "partitions",
]

#: How teams are split: by a hash of the team id, by department (a hash of its name: every
#: team of a department in one partition), or one partition per input file.
PartitionBy = Literal["hash", "department", "file"]
PARTITION_KINDS: tuple[str, ...] = get_args(PartitionBy)

_WORDS = {"hash": "hash of team id", "department": "department", "file": "file"}


def stable_hash(text: str) -> int:
    """A hash that is the same in every process and on every machine (CRC-32 of UTF-8)."""
    return zlib.crc32(text.encode("utf-8"))


@dataclass(frozen=True)
class RubricSpec:
    """How a worker builds its engine: the rubric as plain data, or the plugins by name.

    :param data: ``Rubric.to_data(classes=True)``: the fact classes are imported by path in
        the worker, so they must be importable there (installed, or on its path).
    :param plugins: plugins named as the command line's ``--plugin`` takes them (``MODULE``,
        ``MODULE:ATTR``, ``path.py:ATTR``), used when ``data`` is ``None``.
    :param rubric_files: rubric files (TOML) registered after ``plugins``.
    :param entry_points: load the installed plugins too (with ``plugins``).
    :param block: plugin names never to register.
    :param matcher: the worker's matcher (``None``: its ``ASSESSMENT_ENGINE_MATCHER`` or
        durable-rules).
    :param rubric_hash: the driver's rubric hash: a worker whose rubric differs fails, named.
    """

    rubric_hash: str
    matcher: str | None = None
    data: Mapping[str, Any] | None = None
    plugins: tuple[str, ...] = ()
    rubric_files: tuple[str, ...] = ()
    entry_points: bool = True
    block: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[Any, ...]:
        """What identifies the engine this spec builds (a worker keeps one per key)."""
        how = (
            ("data",)
            if self.data is not None
            else ("plugins", self.plugins, self.rubric_files, self.entry_points, self.block)
        )
        return (self.rubric_hash, self.matcher, *how)


@dataclass(frozen=True)
class Partition:
    """One partition: its index, how many there are, how teams are chosen, the files read.

    A team belongs to a ``hash`` partition when the stable hash of its id modulo ``count`` is
    ``index``; to a ``department`` partition likewise by its department's name; a ``file``
    partition holds every team of its files.
    """

    index: int
    count: int
    by: PartitionBy
    files: tuple[str, ...]

    def __str__(self) -> str:
        return f"partition {self.index + 1} of {self.count} ({_WORDS[self.by]})"

    def holds(self, team: str, department: str) -> bool:
        """Whether a team of these files belongs to this partition."""
        if self.by == "file" or self.count == 1:
            return True
        key = team if self.by == "hash" else department
        return stable_hash(key) % self.count == self.index


def partitions(files: Sequence[str], by: PartitionBy, count: int) -> list[Partition]:
    """The partitions of an assessment: ``count`` of them, or one per file for ``file``.

    :raises ValueError: for an unknown kind, no files, or a count below 1.
    """
    if by not in PARTITION_KINDS:
        raise ValueError(f"unknown partition kind {by!r}: use {', '.join(PARTITION_KINDS)}")
    if not files:
        raise ValueError("a partitioned assessment needs at least one facts file")
    if by == "file":
        return [Partition(i, len(files), by, (f,)) for i, f in enumerate(files)]
    if count < 1:
        raise ValueError(f"the number of partitions must be at least 1, not {count}")
    return [Partition(i, count, by, tuple(files)) for i in range(count)]


@dataclass(frozen=True)
class PartitionTask:
    """One worker's job: build the engine, read the files, assess the partition's teams.

    :param period: the period to assess; ``None``: the one period the partition's facts hold.
    :param details: also build each team's local assessment (its explanation).
    :param census: only read the files and return the partition's team ids (what an error
        names after a worker died).
    """

    spec: RubricSpec
    partition: Partition
    period: str | None
    details: bool = True
    census: bool = False


@dataclass
class PartitionResult:
    """What a worker sends back: plain data only.

    :ivar period: the period assessed; ``None`` when the partition holds no team of the
        requested period (or no team at all).
    :ivar periods: every period the partition's facts hold.
    :ivar teams: the partition's team ids, in order.
    :ivar states: each team's state (``Pipeline.export_state``), parallel to ``teams``.
    :ivar local: each team's local assessment as plain data, parallel to ``teams`` (``None``
        without details).
    :ivar problems: the input problems found; nothing else is filled then.
    :ivar rubric_hash: the worker's rubric hash.
    :ivar error: any other failure in the worker, as its traceback's text (a retry would not
        change it); nothing else is filled then.
    :ivar worker: where and at what cost it ran: ``pid``, ``host``, ``cpu_seconds`` (the
        task's CPU time in the worker), ``peak_rss_kib`` (the worker process's peak resident
        memory so far); what the benchmark and a cost model read.
    """

    index: int
    rubric_hash: str
    period: str | None = None
    periods: tuple[str, ...] = ()
    teams: list[str] = field(default_factory=list)
    states: list[TeamStateData] = field(default_factory=list)
    local: list[dict[str, Any]] | None = None
    problems: tuple[InputProblem, ...] = ()
    error: str = ""
    worker: dict[str, Any] = field(default_factory=dict)
