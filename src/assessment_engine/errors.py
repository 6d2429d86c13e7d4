"""The exception and warning tree of assessment_engine.

Every error the library raises on purpose derives from :class:`AssessmentError`, and every
error stores the inputs that explain it as attributes, so an application can react to an error
without parsing its message.

::

    AssessmentError
    ├── InputError            bad facts: each problem names the record, the field and the reason
    ├── RubricError           an inconsistent or unsupported rubric, found when it is compiled
    │   ├── MatcherLimitError a rubric outside durable-rules' safe envelope
    │   └── RubricDataError   rubric data that cannot be rebuilt here (a fact class gone or
    │                         changed, data that no longer builds)
    ├── PluginError           a plugin that failed to load, raised in a hook or returned bad data
    │   └── ConflictError     two plugins registered the same id
    ├── MatcherError          the matcher failed at run time (mapped from durable-rules' errors)
    │   └── MatcherUnavailableError  the selected matcher cannot be imported here
    ├── SessionError          misuse of an incremental session (unknown team, unknown fact)
    ├── PartitionError        a scale-out partition whose worker died twice, or raised
    ├── DependencyError       an optional dependency is missing (the message names its extra)
    │   ├── SpreadsheetUnavailableError  openpyxl, for XLSX workbooks
    │   ├── ParquetUnavailableError      pyarrow, for Parquet facts files
    │   └── LedgerUnavailableError       SQLAlchemy or psycopg, for the ledger (also a LedgerError)
    └── LedgerError           the assessment ledger refused or failed an operation
        ├── LedgerUnavailableError
        ├── LedgerFileError   not a ledger: a corrupt or foreign file or database, a ledger of a
        │                     newer schema, or none where one was expected
        ├── LedgerBusyError   another writer held the write lock for too long
        ├── UnknownRecordError  no run, submission, appeal ... of that id
        └── LedgerStateError  a step the workflow does not allow (finalizing a draft, a run
                              with an open appeal, a correction that changes nothing)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import attrs

__all__ = [
    "AssessmentError",
    "AssessmentWarning",
    "ConflictError",
    "DependencyError",
    "InputError",
    "InputProblem",
    "LedgerBusyError",
    "LedgerError",
    "LedgerFileError",
    "LedgerStateError",
    "LedgerUnavailableError",
    "MatcherError",
    "MatcherLimitError",
    "MatcherUnavailableError",
    "ParquetUnavailableError",
    "PartitionError",
    "PluginError",
    "RubricDataError",
    "RubricError",
    "SessionError",
    "SpreadsheetUnavailableError",
    "UnknownRecordError",
]


class AssessmentError(Exception):
    """Root of every error raised by assessment_engine."""


class AssessmentWarning(UserWarning):
    """Root of every warning emitted by assessment_engine."""


#: The longest reason or field name a problem keeps whole; a longer one keeps its start and end.
_LONGEST: Final = 500


def _shortened(text: str) -> str:
    """``text``, or its start and end around a count of what was left out (never 5,000 digits)."""
    if not isinstance(text, str) or len(text) <= _LONGEST:
        return text
    cut = len(text) - _LONGEST + 40
    return f"{text[:300]}…({cut:,} characters left out)…{text[-160:]}"


def _shortened_field(text: str | None) -> str | None:
    return None if text is None else _shortened(text)


@attrs.frozen(kw_only=True)
class InputProblem:
    """One problem found in the input facts.

    :param source: where the record came from: a file name, ``"<facts>"`` for objects passed in
        memory, or a session.
    :param record: the record's position in its source: ``"record 3"``, ``"line 7"``, or the
        fact's identity ``"activity a-12 of team T1"``.
    :param field: the offending field (``None`` when the problem concerns the whole record).
    :param reason: what is wrong, in words a data owner understands.

    A reason or a field name longer than 500 characters (a mistyped header of 5,000 digits, a
    value echoed in the message) keeps its start and end around a count of what was left out.
    """

    source: str
    record: str
    field: str | None = attrs.field(converter=_shortened_field)
    reason: str = attrs.field(converter=_shortened)

    def __str__(self) -> str:
        where = f"{self.source}, {self.record}"
        if self.field:
            where += f", field {self.field!r}"
        return f"{where}: {self.reason}"


class InputError(AssessmentError, ValueError):
    """Facts that cannot be used: every problem of one load or assessment, reported together.

    Nothing is applied when this is raised: a failed load returns no facts, a failed assessment
    returns no report, and a rejected session change leaves the session as it was.
    """

    def __init__(self, problems: Sequence[InputProblem]) -> None:
        self.problems: tuple[InputProblem, ...] = tuple(problems)
        # the message is built when asked for: a million problems are cheap to carry, costly
        # to format (the command line lists the first few and writes the rest to a file)
        super().__init__(self.problems)

    def __str__(self) -> str:
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the input"
        return head + ":\n" + "\n".join(f"  - {p}" for p in self.problems)

    def __repr__(self) -> str:
        return f"InputError(<{len(self.problems)} problems>)"


class RubricError(AssessmentError, ValueError):
    """A rubric that cannot be compiled: unknown references, bad bands, conflicting settings.

    :ivar subject: the id of the rubric object at fault (indicator, rule, scale, ...), if any.
    :ivar plugin: the plugin that registered it, when known.
    """

    def __init__(
        self, message: str, *, subject: str | None = None, plugin: str | None = None
    ) -> None:
        self.subject = subject
        self.plugin = plugin
        prefix = f"{subject}: " if subject else ""
        if subject and plugin:
            prefix = f"{subject} (from plugin {plugin!r}): "
        super().__init__(prefix + message)


class MatcherLimitError(RubricError):
    """A rubric that durable-rules could only run outside its safe envelope.

    Raised when the rubric is compiled, before anything reaches durable-rules, so a rubric
    outside the limits is a clear error rather than a crash or a hang.

    :ivar limit: the name of the limit (e.g. ``"expressions per condition"``).
    :ivar value: the value the rubric needs.
    :ivar maximum: the largest value that is safe.
    """

    def __init__(
        self, message: str, *, subject: str | None, limit: str, value: int, maximum: int
    ) -> None:
        self.limit = limit
        self.value = value
        self.maximum = maximum
        super().__init__(f"{message} ({limit}: {value}, at most {maximum})", subject=subject)


class RubricDataError(RubricError):
    """Rubric data (``Rubric.to_data()``'s form) that cannot be rebuilt into a rubric here.

    A fact class it names cannot be imported, is not a fact class, or has other fields than
    when the data was written; or the data no longer builds.

    :ivar problems: every problem found, each in words that name the class or object and the
        difference (``fact kind 'drill' (drill_plugin.Drill) changed: field 'leader' added``).
    """

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__("; ".join(self.problems))


class PluginError(AssessmentError):
    """A plugin failed: it could not be loaded, a hook raised, or it returned invalid data.

    :ivar plugin: the plugin's registered name.
    :ivar hook: the hook being called, if the failure happened in one.
    """

    def __init__(self, message: str, *, plugin: str, hook: str | None = None) -> None:
        self.plugin = plugin
        self.hook = hook
        where = f"plugin {plugin!r}" + (f" in hook {hook}" if hook else "")
        super().__init__(f"{where}: {message}")


class ConflictError(PluginError):
    """Two plugins registered an object under the same id.

    :ivar object_id: the contested id.
    :ivar plugins: the names of both plugins, in sorted order.
    """

    def __init__(
        self, *, object_id: str, what: str, plugins: tuple[str, str], hook: str | None = None
    ) -> None:
        self.object_id = object_id
        self.plugins = tuple(sorted(plugins))
        first, second = self.plugins
        AssessmentError.__init__(
            self,
            f"{what} {object_id!r} is registered by both plugin {first!r} and plugin {second!r}"
            + (f" (hook {hook})" if hook else ""),
        )
        self.plugin = second
        self.hook = hook


class MatcherError(AssessmentError):
    """The matcher failed while running: a durable-rules error mapped to our own type.

    :ivar code: durable-rules' numeric error code, when it gave one.
    """

    def __init__(self, message: str, *, code: int | None = None) -> None:
        self.code = code
        super().__init__(message if code is None else f"{message} (durable-rules error {code})")


class MatcherUnavailableError(MatcherError):
    """The selected matcher cannot run here (e.g. durable-rules is not installed or not built)."""


class SessionError(AssessmentError, KeyError):
    """An incremental session was asked about a team or a fact it does not hold."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class DependencyError(AssessmentError, ImportError):
    """An optional dependency is not installed; the message says which extra brings it.

    :ivar module: the missing module (``"openpyxl"``).
    :ivar extra: the extra of ``assessment-engine`` that installs it (``"cli"``).
    """

    def __init__(self, message: str, *, module: str, extra: str) -> None:
        self.module = module
        self.extra = extra
        super().__init__(message, name=module)


class PartitionError(AssessmentError):
    """A partition of a scale-out assessment failed: its worker died twice, or raised.

    Raised by :mod:`assessment_engine.scale` once the partition's one retry has failed too (a
    worker that died: killed, aborted, a crash in a C extension), or at once for an error that
    a retry cannot change. Nothing is returned then: no partial report. The driver's engine is
    untouched and stays usable.

    :ivar partition: the partition, in words (``"partition 2 of 4 (hash of team id)"``).
    :ivar index: the partition's index, from 0.
    :ivar files: the input files the partition's worker read.
    :ivar teams: the partition's team ids, sorted, when they could be read (a worker that died
        while reading its files leaves them unknown: empty).
    :ivar reason: what happened, in words.
    """

    def __init__(
        self,
        *,
        partition: str,
        index: int,
        files: Sequence[str],
        teams: Sequence[str],
        reason: str,
    ) -> None:
        self.partition = partition
        self.index = index
        self.files = tuple(files)
        self.teams = tuple(teams)
        self.reason = reason
        shown = ", ".join(self.teams[:10]) + (
            f" and {len(self.teams) - 10} more" if len(self.teams) > 10 else ""
        )
        who = f"its {len(self.teams)} teams: {shown}" if self.teams else "its teams unknown"
        super().__init__(
            f"{partition} failed ({who}; files {', '.join(self.files) or 'none'}): {reason}"
        )

    def __reduce__(self) -> Any:
        return (_partition_error, (self.partition, self.index, self.files, self.teams, self.reason))


def _partition_error(
    partition: str, index: int, files: Sequence[str], teams: Sequence[str], reason: str
) -> PartitionError:
    return PartitionError(partition=partition, index=index, files=files, teams=teams, reason=reason)


class SpreadsheetUnavailableError(DependencyError):
    """openpyxl, needed to read or write XLSX workbooks, is not installed."""


class ParquetUnavailableError(DependencyError):
    """pyarrow, needed to read Parquet facts files, is not installed (the ``parquet`` extra)."""


# ----------------------------------------------------------------------------- the ledger
class LedgerError(AssessmentError):
    """Root of the assessment ledger's errors (``assessment_engine.ledger``)."""


class LedgerUnavailableError(LedgerError, DependencyError):
    """An optional dependency of the ledger is missing.

    :ivar extra: the extra that installs it (``"ledger"`` or ``"postgres"``).
    :ivar module: the missing module (``"sqlalchemy"`` or ``"psycopg"``).
    """

    def __init__(self, message: str, *, extra: str, module: str) -> None:
        super().__init__(
            f"{message}: install the extra {extra!r} (pip install 'assessment-engine[{extra}]')",
            module=module,
            extra=extra,
        )


class LedgerFileError(LedgerError):
    """The target is not a usable ledger.

    :ivar target: the file or database (a URL without its password).
    :ivar reason: what is wrong with it.
    """

    def __init__(self, target: str, reason: str) -> None:
        self.target = target
        self.reason = reason
        super().__init__(f"{target}: {reason}")


class LedgerBusyError(LedgerError):
    """The write lock could not be had in time (another process kept it).

    :ivar target: the ledger.
    :ivar seconds: how long this process waited.
    """

    def __init__(self, target: str, seconds: float) -> None:
        self.target = target
        self.seconds = seconds
        super().__init__(
            f"{target}: the ledger is busy: another process held its write lock for more than"
            f" {seconds:g} s; try again"
        )


class UnknownRecordError(LedgerError, KeyError):
    """No record of that kind and id (or no run matching a reference like ``2024/final``).

    :ivar what: ``"run"``, ``"submission"``, ``"appeal"``, ``"correction"``, ``"rubric version"``.
    :ivar key: the id or reference asked for.
    """

    def __init__(self, what: str, key: object, hint: str = "") -> None:
        self.what = what
        self.key = key
        super().__init__(f"no {what} {key}" + (f": {hint}" if hint else ""))

    def __str__(self) -> str:
        return str(self.args[0])


class LedgerStateError(LedgerError):
    """A workflow step that is not allowed now.

    :ivar subject: what it was asked of (``"run 3"``, ``"appeal 1"``).
    :ivar reason: why not.
    """

    def __init__(self, subject: str, reason: str) -> None:
        self.subject = subject
        self.reason = reason
        super().__init__(f"{subject}: {reason}")
