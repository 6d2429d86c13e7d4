"""The ledger's reading half: everything it holds, read back as frozen data.

:class:`LedgerReader` is the base of :class:`~assessment_engine.ledger.Ledger` (which adds the
steps that write, and the analysis); every read is one read transaction, a consistent
snapshot that never waits for a writer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Self

from ..errors import LedgerStateError, RubricDataError, UnknownRecordError
from ..facts import BUILTIN_FACT_TYPES, Fact
from ..factset import FactSet
from ..rubric import Rubric, fact_types_from_data
from ._facts import facts_from_text
from ._model import (
    Appeal,
    Correction,
    ResultRow,
    RubricVersion,
    Run,
    RunState,
    StateChange,
    Submission,
)
from ._report import StoredReport
from ._rubrics import rebuild
from ._view import RunRef

if TYPE_CHECKING:
    from ._store import Store

__all__ = ["LedgerReader"]


class LedgerReader:
    """What a ledger holds, read: submissions, facts, rubric versions, runs, corrections, appeals.

    Every read is a snapshot taken now (a run's ``state`` is its state at the time of reading).
    """

    def __init__(self, store: Store) -> None:
        self._store = store

    @property
    def target(self) -> str:
        """Where the ledger is (a path, or a URL without its password)."""
        return str(self._store.target)

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._store.target.backend

    @property
    def schema_version(self) -> int:
        """The ledger's schema version (the last migration applied)."""
        return self._store.schema_version()

    def close(self) -> None:
        """Close the connections. Idempotent."""
        self._store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Ledger {self.target} ({self.backend})>"

    # ------------------------------------------------------------------ submissions and facts
    def submission(self, submission_id: int) -> Submission:
        """One submission, by id."""
        with self._store.read() as conn:
            return self._store.submission(conn, submission_id)

    def submissions(self) -> tuple[Submission, ...]:
        """Every submission, in the order recorded."""
        with self._store.read() as conn:
            return tuple(self._store.submission(conn, i) for i in self._store.submission_ids(conn))

    def facts_text(self, submission: Submission | int) -> str:
        """A submission's facts as stored: the canonical JSON of ``dump_json``."""
        found = self._submission(submission)
        with self._store.read() as conn:
            return self._store.facts_text(conn, found.facts_hash)

    def facts(
        self,
        of: Submission | RunRef,
        *,
        fact_types: Mapping[str, type[Fact]] | None = None,
    ) -> FactSet:
        """The facts of a submission (or of the submission a run assessed), read back.

        :param fact_types: the fact kinds to read them with; default: a run's own rubric's, or
            for a submission the kinds of every rubric version in the ledger.
        """
        if isinstance(of, Submission):
            submission = of
        else:
            run = self.run(of)
            submission = self.submission(run.submission)
            if fact_types is None:
                fact_types = self.fact_types(run)
        if fact_types is None:
            fact_types = self.fact_types()
        return facts_from_text(
            self.facts_text(submission), fact_types, source=f"submission {submission.id}"
        )

    def fact_types(self, run: RunRef | None = None) -> Mapping[str, type[Fact]]:
        """The fact kinds of a run's rubric (default: of every rubric version in the ledger).

        Their classes are imported by the paths stored.

        :raises LedgerStateError: when a class cannot be imported here.
        """
        try:
            return self._fact_types([self.run(run).rubric_version] if run is not None else None)
        except RubricDataError as exc:
            raise LedgerStateError(
                "the ledger's fact kinds" if run is None else f"run {self.run(run).id}",
                f"cannot be read here: {exc}",
            ) from exc

    def _submission(self, submission: Submission | int) -> Submission:
        return submission if isinstance(submission, Submission) else self.submission(submission)

    def _fact_types(self, versions: Sequence[int] | None) -> Mapping[str, type[Fact]]:
        with self._store.read() as conn:
            ids = versions if versions is not None else self._store.rubric_version_ids(conn)
            payloads = [self._store.rubric_payload(conn, v)[0] for v in ids]
        kinds: dict[str, type[Fact]] = {}
        for data in payloads:
            kinds.update(fact_types_from_data(data, check_fields=False))
        if not kinds:
            kinds.update({cls.fact_kind: cls for cls in BUILTIN_FACT_TYPES})
        return kinds

    # ------------------------------------------------------------------ rubric versions
    def rubric_version(self, of: RubricVersion | RunRef) -> RubricVersion:
        """A rubric version, by its id or of a run."""
        if isinstance(of, RubricVersion):
            return of
        version_id = of if isinstance(of, int) else self.run(of).rubric_version
        with self._store.read() as conn:
            return self._store.rubric_version(conn, version_id)

    def rubric_version_of(self, run: RunRef) -> RubricVersion:
        """The rubric version a run used."""
        return self.rubric_version(self.run(run).rubric_version)

    def rubric_data(self, version: RubricVersion | int) -> dict[str, Any]:
        """A rubric version as plain data (what ``Rubric.to_data()`` gave when it was stored)."""
        version_id = version.id if isinstance(version, RubricVersion) else version
        with self._store.read() as conn:
            return self._store.rubric_payload(conn, version_id)[0]

    def rubric_provenance(self, version: RubricVersion | int) -> dict[str, str]:
        """Which plugin registered each object of a rubric version (by object id)."""
        version_id = version.id if isinstance(version, RubricVersion) else version
        with self._store.read() as conn:
            return self._store.rubric_payload(conn, version_id)[1]

    def rubric(self, run: RunRef) -> Rubric:
        """The rubric a run used, rebuilt from its stored data (whatever is installed now).

        :raises LedgerStateError: when it cannot be rebuilt here (a fact class is gone or
            changed), saying exactly why.
        """
        found = self.run(run)
        version = self.rubric_version(found.rubric_version)
        try:
            return rebuild(self.rubric_data(version), version.content_hash)
        except RubricDataError as exc:
            raise LedgerStateError(
                f"run {found.id}", f"its rubric cannot be rebuilt here: {exc}"
            ) from exc

    # ------------------------------------------------------------------ runs
    def run(self, ref: RunRef) -> Run:
        """A run, read now (with its current state).

        :param ref: an id, a :class:`Run`, or ``"7"``, ``"latest"``, ``"PERIOD/latest"``,
            ``"PERIOD/published"``, ``"PERIOD/final"``.
        :raises UnknownRecordError: when there is no such run.
        """
        if isinstance(ref, Run):
            ref = ref.id
        if isinstance(ref, int):
            with self._store.read() as conn:
                return self._store.run(conn, ref)
        text = ref.strip()
        if text.isdigit():
            return self.run(int(text))
        period, _, which = text.rpartition("/") if "/" in text else ("", "", text)
        if which not in ("latest", "final", "published"):
            raise UnknownRecordError(
                "run", repr(ref), "use a run number, latest, PERIOD/latest, PERIOD/final"
            )
        if which != "latest" and not period:
            raise UnknownRecordError("run", repr(ref), f"name the period: PERIOD/{which}")
        found = self.runs(
            period=period or None,
            state=None if which == "latest" else which,  # type: ignore[arg-type]
        )
        if not found:
            periods = sorted({r.period for r in self.runs()})
            hint = f"periods in the ledger: {', '.join(periods)}" if periods else "no run yet"
            raise UnknownRecordError("run", repr(ref), hint)
        return found[-1]

    def runs(self, *, period: str | None = None, state: RunState | None = None) -> tuple[Run, ...]:
        """Every run (of ``period``, in ``state``), in the order recorded."""
        with self._store.read() as conn:
            return self._store.runs(conn, period=period, state=state)

    def final_run(self, period: str) -> Run | None:
        """The period's final run (the latest made final), or ``None``."""
        found = self.runs(period=period, state="final")
        return found[-1] if found else None

    def report(self, run: RunRef) -> StoredReport:
        """A run's report as stored (byte-identical JSON, and its assessments)."""
        found = self.run(run)
        with self._store.read() as conn:
            return StoredReport(found.id, self._store.report_text(conn, found.id))

    def results(self, run: RunRef) -> tuple[ResultRow, ...]:
        """A run's ranking rows, in rank order."""
        found = self.run(run)
        with self._store.read() as conn:
            return self._store.results(conn, found.id)

    def team_history(self, team: str) -> tuple[ResultRow, ...]:
        """One team's rows in every run, in the order the runs were recorded."""
        with self._store.read() as conn:
            return self._store.team_results(conn, team)

    def states(self, run: RunRef) -> tuple[StateChange, ...]:
        """A run's state changes, from ``draft`` on."""
        found = self.run(run)
        with self._store.read() as conn:
            return self._store.states(conn, found.id)

    # ------------------------------------------------------------------ corrections and appeals
    def correction(self, correction_id: int) -> Correction:
        """One correction, by id."""
        with self._store.read() as conn:
            return self._store.corrections(conn, correction_id)[0]

    def corrections(self) -> tuple[Correction, ...]:
        """Every correction, in order."""
        with self._store.read() as conn:
            return self._store.corrections(conn)

    def appeals(self, *, run: RunRef | None = None, open: bool | None = None) -> tuple[Appeal, ...]:
        """Appeals (against one run; only open or only decided ones), in order."""
        run_id = self.run(run).id if run is not None else None
        with self._store.read() as conn:
            found = self._store.appeals(conn, run_id=run_id)
        return tuple(a for a in found if open is None or a.open == open)

    def appeal_by_id(self, appeal_id: int) -> Appeal:
        """One appeal, by id."""
        with self._store.read() as conn:
            return self._store.appeals(conn, appeal_id=appeal_id)[0]

    # ------------------------------------------------------------------ checks
    def verify(self) -> tuple[str, ...]:
        """Check every stored hash and the rows' agreement; the problems found (none: ``()``)."""
        return tuple(self._store.verify())
