"""The ledger's errors: one branch of the library's tree, each storing what explains it.

::

    AssessmentError
    └── LedgerError                the ledger refused or failed an operation
        ├── LedgerUnavailableError  an optional extra (SQLAlchemy, psycopg) is not installed
        ├── LedgerFileError         not a ledger: a corrupt or foreign file or database, a
        │                           ledger of a newer schema, or none where one was expected
        ├── LedgerBusyError         another writer held the write lock for too long
        ├── UnknownRecordError      no run, submission, appeal ... of that id
        └── LedgerStateError        a step the workflow does not allow (finalizing a draft,
                                    a run with an open appeal, a correction that changes nothing)
"""

from __future__ import annotations

from ..errors import AssessmentError

__all__ = [
    "LedgerBusyError",
    "LedgerError",
    "LedgerFileError",
    "LedgerStateError",
    "LedgerUnavailableError",
    "UnknownRecordError",
]


class LedgerError(AssessmentError):
    """Root of the ledger's errors."""


class LedgerUnavailableError(LedgerError):
    """An optional dependency of the ledger is missing.

    :ivar extra: the extra that installs it (``"ledger"`` or ``"postgres"``).
    """

    def __init__(self, message: str, *, extra: str) -> None:
        self.extra = extra
        super().__init__(
            f"{message}: install the extra {extra!r} (pip install 'assessment-engine[{extra}]')"
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
    """

    def __init__(self, subject: str, reason: str) -> None:
        self.subject = subject
        self.reason = reason
        super().__init__(f"{subject}: {reason}")
