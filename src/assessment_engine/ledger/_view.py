"""What the ledger's analysis reads of a ledger: how a run is named, and the reads it needs.

Reproducing, comparing and the changes since the previous final run (``_reproduce``,
``_diff``, ``_since``) read a ledger only through :class:`LedgerView`, so that they depend on
the shape of the reads and not on the :class:`~assessment_engine.ledger.Ledger` facade, which
imports them to offer them as methods.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from ..facts import Fact
from ..rubric import Rubric
from ._model import RubricVersion, Run, RunState, Submission
from ._report import StoredReport

__all__ = ["LedgerView", "RunRef"]

#: How a run is named: its id, the :class:`Run`, or a reference ``"7"``, ``"latest"``,
#: ``"2024/latest"``, ``"2024/published"``, ``"2024/final"``.
RunRef = int | str | Run


class LedgerView(Protocol):
    """The reads of a ledger that its analysis uses (``Ledger`` has them all)."""

    def run(self, ref: RunRef) -> Run:
        """A run, read now (with its current state)."""

    def runs(self, *, period: str | None = None, state: RunState | None = None) -> tuple[Run, ...]:
        """Every run (of ``period``, in ``state``), in the order recorded."""

    def final_run(self, period: str) -> Run | None:
        """The period's final run, or ``None``."""

    def report(self, run: RunRef) -> StoredReport:
        """A run's report as stored."""

    def submission(self, submission_id: int) -> Submission:
        """One submission, by id."""

    def facts_text(self, submission: Submission | int) -> str:
        """A submission's facts as stored (canonical JSON)."""

    def fact_types(self, run: RunRef | None = None) -> Mapping[str, type[Fact]]:
        """The fact kinds of a run's rubric (default: of every rubric version)."""

    def rubric(self, run: RunRef) -> Rubric:
        """The rubric a run used, rebuilt from its stored data."""

    def rubric_version(self, of: RubricVersion | RunRef) -> RubricVersion:
        """A rubric version, by its id or of a run."""

    def rubric_data(self, version: RubricVersion | int) -> dict[str, Any]:
        """A rubric version as plain data."""

    def rubric_provenance(self, version: RubricVersion | int) -> dict[str, str]:
        """Which plugin registered each object of a rubric version."""
