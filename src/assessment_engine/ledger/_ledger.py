"""The ledger: the one door to the store; record runs and move them through their workflow.

:class:`Ledger` adds to the reads of :class:`~._reading.LedgerReader` the steps that write
(submit, record, rerun, correct, publish, finalize, appeal, decide) and the analysis
(reproduce, diff, stability, changes since the last final run), which lives in its own modules
and is reached through methods here, so that a user opens one object.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Iterable, Mapping, Sequence

from ..engine import Engine
from ..errors import LedgerStateError
from ..facts import Fact
from ..factset import FactSet
from ..report import Report
from . import _workflow
from ._diff import RunDiff, diff_runs
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
    Run,
    SourceFile,
    StateChange,
    Submission,
)
from ._reading import LedgerReader
from ._reproduce import Reproduction, reproduce
from ._rubrics import capture
from ._since import SincePrevious, changes_since_previous_final
from ._stability import Stability, stability
from ._view import RunRef

__all__ = ["Ledger"]


def _utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _required(what: str, value: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} must be a non-empty string, got {value!r}")
    return value.strip()


class Ledger(LedgerReader):
    """An append-only store of fact submissions, rubric versions, runs, corrections and appeals.

    Open one with :meth:`open`: a file path (SQLite, the default, nothing to set up) or a
    ``postgresql://`` URL; both behave the same. A ledger is safe to use from several processes
    at once; one :class:`Ledger` object belongs to one thread.

    Every method that writes takes the ``author`` recorded with what it writes, and writes all
    or nothing.
    """

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
        # imported here: without SQLAlchemy the package imports, and opening says what is missing
        from ._connect import parse_target
        from ._store import Store

        return cls(Store(parse_target(target), create=create, clock=clock or _utc_now))

    # ------------------------------------------------------------------ submissions and runs
    def submit(
        self,
        facts: FactSet | Iterable[Fact],
        *,
        author: str,
        sources: Sequence[str | os.PathLike[str] | SourceFile] = (),
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

    def record(
        self,
        engine: Engine,
        facts: Submission | FactSet | Iterable[Fact],
        *,
        author: str,
        period: str | None = None,
        sources: Sequence[str | os.PathLike[str] | SourceFile] = (),
        note: str = "",
        report: Report | None = None,
    ) -> Run:
        """Assess facts with ``engine`` and record the run (a ``draft``) with its report.

        ``facts`` is a stored :class:`Submission` or facts to submit now (with the files they
        came from in ``sources``). The facts are assessed as the ledger stores them, so the
        recorded report is exactly what :meth:`reproduce` gets back.

        :param report: a report of these very facts made already — by
            ``assessment_engine.scale.assess_files`` over the same files, whose report is
            byte-identical to one process's — recorded instead of assessing again. It must
            be of ``engine``'s rubric and of ``period`` (when given), with its explanations
            (not ``details=False``); the ledger trusts it to be of these facts, and
            :meth:`reproduce` checks it as any run.
        :raises InputError: for invalid facts or a period they do not have (nothing stored).
        :raises ValueError: for a ready report of another rubric or period, or without its
            explanations (nothing stored).
        """
        author = _required("author", author)
        if report is not None:
            _check_ready(report, engine, period)
        if isinstance(facts, Submission):
            submission: Submission | None = facts
            text = self.facts_text(facts)
            stored = None
        else:
            submission = None
            stored = stored_facts(facts)
            text = stored.text
        files = source_files(sources) if stored is not None else ()
        if report is None:
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

    # ------------------------------------------------------------------ analysis
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


def _check_ready(report: Report, engine: Engine, period: str | None) -> None:
    """A ready report that :meth:`Ledger.record` can keep, or a ``ValueError`` saying why not."""
    if report.rubric_hash != engine.rubric.content_hash:
        raise ValueError(
            f"the report's rubric {report.rubric_hash[:12]} is not the engine's"
            f" {engine.rubric.content_hash[:12]}"
        )
    if period is not None and report.period != period:
        raise ValueError(f"the report is of period {report.period!r}, not {period!r}")
    if not report.explained:
        raise ValueError("the report kept no explanations (details=False): the ledger keeps them")
