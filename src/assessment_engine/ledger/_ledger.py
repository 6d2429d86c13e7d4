"""The ledger: record, read and move runs through their workflow; the one door to the store.

Analysis (reproduce, diff, stability, changes since the last final run) lives in its own
modules and is reached through methods here, so that a user opens one object.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..engine import Engine
from ..facts import BUILTIN_FACT_TYPES, Fact
from ..factset import FactSet
from ..report import Report
from ..rubric import Rubric
from . import _workflow
from ._diff import RunDiff, diff_runs
from ._errors import LedgerStateError, UnknownRecordError
from ._facts import (
    apply_correction,
    facts_from_text,
    parse_key,
    source_files,
    stored_facts,
)
from ._model import (
    APPEAL_OUTCOMES,
    Appeal,
    AppealOutcome,
    Correction,
    FactKey,
    ResultRow,
    RubricVersion,
    Run,
    RunState,
    StateChange,
    Submission,
)
from ._report import StoredReport
from ._reproduce import Reproduction, reproduce
from ._rubrics import RubricRebuildError, capture, fact_classes, rebuild
from ._since import SincePrevious, changes_since_previous_final
from ._stability import Stability, stability
from ._view import RunRef

if TYPE_CHECKING:
    from ._store import Store

__all__ = ["Ledger"]


def _utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _required(what: str, value: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} must be a non-empty string, got {value!r}")
    return value.strip()


class Ledger:
    """An append-only store of fact submissions, rubric versions, runs, corrections and appeals.

    Open one with :meth:`open`: a file path (SQLite, the default, nothing to set up) or a
    ``postgresql://`` URL; both behave the same. A ledger is safe to use from several processes
    at once; one :class:`Ledger` object belongs to one thread.

    Every method that writes takes the ``author`` recorded with what it writes, and writes all
    or nothing.
    """

    def __init__(self, store: Store) -> None:
        self._store = store

    @classmethod
    def open(
        cls,
        target: str | os.PathLike[str],
        *,
        create: bool = False,
        clock: Callable[[], datetime.datetime] | None = None,
    ) -> Ledger:
        """Open the ledger at ``target``, bringing its schema up to date.

        :param target: a file path or ``sqlite:///PATH`` (SQLite), or a
            ``postgresql://user@host/db`` URL (PostgreSQL through psycopg).
        :param create: create the ledger when there is none yet (a new file, or a database
            without the ledger's tables).
        :param clock: what gives the time recorded with every row (default: now, in UTC).
        :raises LedgerUnavailableError: when SQLAlchemy (extra ``ledger``) or psycopg (extra
            ``postgres``) is missing.
        :raises LedgerFileError: for a corrupt or foreign file or database, one of a newer
            schema, or none where ``create`` is false.
        """
        from ._connect import parse_target
        from ._store import Store

        return cls(Store(parse_target(target), create=create, clock=clock or _utc_now))

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

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Ledger {self.target} ({self.backend})>"

    # ------------------------------------------------------------------ submissions
    def submit(
        self,
        facts: FactSet | Iterable[Fact],
        *,
        author: str,
        sources: Sequence[str | os.PathLike[str]] = (),
        note: str = "",
    ) -> Submission:
        """Record a submission of facts (and the files they came from, hashed).

        :raises InputError: for facts that are not a valid set (nothing is stored).
        """
        author = _required("author", author)
        stored = stored_facts(facts)
        files = source_files(sources)
        with self._store.write() as conn:
            submission_id = self._store.insert_submission(
                conn, stored, sources=files, author=author, note=note
            )
            return self._store.submission(conn, submission_id)

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
        except RubricRebuildError as exc:
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
            kinds.update(fact_classes(data))
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
        except RubricRebuildError as exc:
            raise LedgerStateError(
                f"run {found.id}", f"its rubric cannot be rebuilt here: {exc}"
            ) from exc

    # ------------------------------------------------------------------ runs
    def record(
        self,
        engine: Engine,
        facts: Submission | FactSet | Iterable[Fact],
        *,
        author: str,
        period: str | None = None,
        sources: Sequence[str | os.PathLike[str]] = (),
        note: str = "",
    ) -> Run:
        """Assess facts with ``engine`` and record the run (a ``draft``) with its report.

        ``facts`` is a stored :class:`Submission` or facts to submit now (with the files they
        came from in ``sources``). The facts are assessed as the ledger stores them, so the
        recorded report is exactly what :meth:`reproduce` gets back.

        :raises InputError: for invalid facts or a period they do not have (nothing stored).
        """
        author = _required("author", author)
        if isinstance(facts, Submission):
            submission: Submission | None = facts
            text = self.facts_text(facts)
            stored = None
        else:
            submission = None
            stored = stored_facts(facts)
            text = stored.text
        files = source_files(sources) if stored is not None else ()
        report = engine.assess(
            facts_from_text(text, engine.rubric.fact_types, source="the submitted facts"),
            period=period,
        )
        return _workflow.insert_run(
            self._store,
            report,
            matcher=engine.matcher,
            captured=capture(engine),
            rubric_version=None,
            submission=submission,
            stored=stored,
            files=files,
            parent=None,
            correction=None,
            author=author,
            note=note,
        )

    def rerun(
        self,
        run: RunRef,
        *,
        author: str,
        correction: Correction | int | None = None,
        engine: Engine | None = None,
        note: str = "",
    ) -> Run:
        """Re-assess a run's period: with a correction's facts, or with another engine's rubric.

        Without ``engine`` the re-run uses the run's own rubric, rebuilt from the ledger (so a
        correction changes only the facts) and its matcher. The new run is a ``draft`` whose
        ``parent`` is ``run``.

        :raises LedgerStateError: when nothing would change (no correction and no engine), or
            the correction does not correct the run's facts.
        """
        author = _required("author", author)
        original = self.run(run)
        fix = None
        if correction is not None:
            fix = correction if isinstance(correction, Correction) else self.correction(correction)
            if fix.base != original.submission:
                raise LedgerStateError(
                    f"correction {fix.id}",
                    f"it corrects submission {fix.base}, but run {original.id} assessed"
                    f" submission {original.submission}",
                )
        elif engine is None:
            raise LedgerStateError(
                f"run {original.id}",
                "a re-run needs a correction or another engine: the same facts under the same"
                " rubric give the same report (reproduce() checks that)",
            )
        submission = self.submission(fix.submission if fix else original.submission)
        text = self.facts_text(submission)
        own = engine is None
        if engine is None:
            engine = Engine.from_rubric(self.rubric(original), matcher=original.matcher)  # type: ignore[arg-type]
        try:
            report = engine.assess(
                facts_from_text(
                    text, engine.rubric.fact_types, source=f"submission {submission.id}"
                ),
                period=original.period,
            )
            return _workflow.insert_run(
                self._store,
                report,
                matcher=engine.matcher,
                captured=None if own else capture(engine),
                rubric_version=original.rubric_version if own else None,
                submission=submission,
                stored=None,
                files=(),
                parent=original.id,
                correction=fix.id if fix else None,
                author=author,
                note=note,
            )
        finally:
            if own:
                engine.close()

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

    # ------------------------------------------------------------------ workflow
    def publish(
        self,
        run: RunRef,
        *,
        author: str,
        until: datetime.date | None = None,
        note: str = "",
    ) -> StateChange:
        """Publish a draft for its publicity period (公示), which ends with day ``until``.

        Another run of the same period that is published is superseded by this one.

        :raises LedgerStateError: when the run is not a draft.
        """
        run_id = self.run(run).id
        return _workflow.publish(
            self._store, run_id, author=_required("author", author), until=until, note=note
        )

    def finalize(
        self, run: RunRef, *, author: str, note: str = "", early: bool = False
    ) -> StateChange:
        """Make a published run final once its publicity period is over and no appeal is open.

        A final run of the same period made before is superseded by this one.

        :param early: finalize before the publicity period has ended (the note should say why).
        :raises LedgerStateError: when the run is not published, an appeal against it is still
            open, or its publicity period has not ended (without ``early``).
        """
        run_id = self.run(run).id
        return _workflow.finalize(
            self._store, run_id, author=_required("author", author), note=note, early=early
        )

    # ------------------------------------------------------------------ corrections
    def correct(
        self,
        base: Submission | RunRef,
        facts: Iterable[Fact] = (),
        *,
        reason: str,
        author: str,
        retract: Iterable[FactKey | str] = (),
        fact_types: Mapping[str, type[Fact]] | None = None,
    ) -> Correction:
        """Record a correction: a new submission that supersedes named facts of ``base``.

        ``facts`` replace the facts of ``base`` with the same identity (or are added), and
        ``retract`` ones are removed.

        :param base: the submission corrected, or a run (its submission).
        :param retract: facts to remove: :class:`FactKey` or ``"KIND/TEAM/ID"`` text (for a
            base of one period).
        :raises LedgerStateError: when the correction changes nothing or names a fact the base
            does not have.
        :raises InputError: when the corrected facts are not a valid set (nothing is stored).
        """
        reason = _required("reason", reason)
        author = _required("author", author)
        if isinstance(base, Submission):
            submission = base
            types = fact_types
        else:
            run = self.run(base)
            submission = self.submission(run.submission)
            types = fact_types or self.fact_types(run)
        subject = f"correction of submission {submission.id}"
        keys = [parse_key(k, submission, subject) for k in retract]
        before = self.facts(submission, fact_types=types)
        merged, replaced, added, retracted = apply_correction(before, facts, keys, subject=subject)
        return _workflow.insert_correction(
            self._store,
            stored_facts(merged),
            base=submission.id,
            keys=(replaced, added, retracted),
            reason=reason,
            author=author,
        )

    def correction(self, correction_id: int) -> Correction:
        """One correction, by id."""
        with self._store.read() as conn:
            return self._store.corrections(conn, correction_id)[0]

    def corrections(self) -> tuple[Correction, ...]:
        """Every correction, in order."""
        with self._store.read() as conn:
            return self._store.corrections(conn)

    # ------------------------------------------------------------------ appeals
    def appeal(self, run: RunRef, *, team: str, claim: str, author: str) -> Appeal:
        """Lodge a team's appeal against a published run (during its publicity period).

        :raises LedgerStateError: when the run is not published or has no such team.
        """
        return _workflow.appeal(
            self._store,
            self.run(run).id,
            team=team,
            claim=_required("claim", claim),
            author=_required("author", author),
        )

    def decide(
        self,
        appeal: Appeal | int,
        *,
        outcome: AppealOutcome,
        reason: str,
        author: str,
        settled_by: RunRef | None = None,
    ) -> Appeal:
        """Decide an appeal, once: ``upheld`` or ``rejected``.

        An upheld appeal is settled by a re-run of the appealed run (``settled_by``); a
        rejected one may name the appealed run itself (reproduced) or nothing.

        :raises LedgerStateError: when the appeal is decided already, an upheld appeal names
            no re-run, or ``settled_by`` is not a re-run of the appealed run.
        """
        reason = _required("reason", reason)
        author = _required("author", author)
        if outcome not in APPEAL_OUTCOMES:
            raise ValueError(
                f"outcome must be one of {', '.join(APPEAL_OUTCOMES)}, got {outcome!r}"
            )
        appeal_id = appeal.id if isinstance(appeal, Appeal) else appeal
        settling = self.run(settled_by) if settled_by is not None else None
        return _workflow.decide(
            self._store,
            appeal_id,
            outcome=outcome,
            reason=reason,
            author=author,
            settling=settling,
        )

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

    # ------------------------------------------------------------------ checks and analysis
    def verify(self) -> tuple[str, ...]:
        """Check every stored hash and the rows' agreement; the problems found (none: ``()``)."""
        return tuple(self._store.verify())

    def reproduce(self, run: RunRef, *, engine: Engine | None = None) -> Reproduction:
        """Assess a run's stored facts again and compare with its stored report, byte for byte.

        Without ``engine``: under the run's own rubric, rebuilt from the ledger, with its
        matcher. With ``engine`` (for instance one built from the plugins installed today):
        under that engine's rubric. The result says whether the bytes are identical and, when
        not, exactly what differs (engine version, plugins, rubric objects, fact classes, and
        each changed value of the report).
        """
        return reproduce(self, self.run(run), engine=engine)

    def diff(self, run_a: RunRef, run_b: RunRef) -> RunDiff:
        """Per team, what changed from ``run_a`` to ``run_b`` and why (facts, rubric or both)."""
        return diff_runs(self, self.run(run_a), self.run(run_b))

    def stability(self, run_a: RunRef, run_b: RunRef) -> Stability:
        """Population stability (PSI) per indicator and for the composite, and rank changes."""
        return stability(self.report(run_a), self.report(run_b))

    def changes_since_previous_final(
        self, current: RunRef | Report, *, previous_period: str | None = None
    ) -> SincePrevious:
        """Each team's change since the final run of the period before ``current``'s.

        For the HTML report: ``current`` is a run or an unrecorded :class:`Report`; the
        previous period is the latest period before it (in text order) with a final run,
        unless ``previous_period`` names one.
        """
        return changes_since_previous_final(self, current, previous_period=previous_period)
