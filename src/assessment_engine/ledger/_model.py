"""What the ledger holds, as frozen data.

Submissions, rubric versions, runs and their states, corrections and appeals.

Every object is a snapshot read from the store; none is ever changed there. A run's ``state``
is derived from its state changes (the latest one), which are rows of their own.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Final, Literal

import attrs

__all__ = [
    "APPEAL_OUTCOMES",
    "RUN_STATES",
    "Appeal",
    "AppealDecision",
    "AppealOutcome",
    "Correction",
    "FactKey",
    "PluginVersion",
    "ResultRow",
    "RubricVersion",
    "Run",
    "RunState",
    "SourceFile",
    "StateChange",
    "Submission",
]

RunState = Literal["draft", "published", "final", "superseded"]
#: A run's states: recorded as a draft, published for the publicity period (公示), then final;
#: superseded when another run of its period is published or made final in its place.
RUN_STATES: Final = ("draft", "published", "final", "superseded")

AppealOutcome = Literal["upheld", "rejected"]
#: How an appeal is decided: upheld (the claim is right; a re-run settles it) or rejected.
APPEAL_OUTCOMES: Final = ("upheld", "rejected")


@attrs.frozen(kw_only=True)
class FactKey:
    """The identity of one fact: kind, period, team and id (``""`` for the team record).

    ``FactKey.parse("activity/food-micro/v7", period="2024")``; ``str(key)`` is
    ``"activity/food-micro/v7 (2024)"``.
    """

    kind: str
    period: str
    team: str
    id: str = ""

    @classmethod
    def parse(cls, text: str, *, period: str) -> FactKey:
        """Read ``KIND/TEAM/ID`` (or ``team/TEAM`` for a team record) of ``period``.

        :raises ValueError: for text of another shape.
        """
        parts = text.strip().split("/")
        if len(parts) == 2 and parts[0] == "team" and parts[1]:
            return cls(kind="team", period=period, team=parts[1])
        if len(parts) == 3 and all(parts) and parts[0] != "team":
            return cls(kind=parts[0], period=period, team=parts[1], id=parts[2])
        raise ValueError(f"expected KIND/TEAM/ID (or team/TEAM for a team record), got {text!r}")

    @property
    def path(self) -> str:
        """``KIND/TEAM/ID`` (``team/TEAM`` for a team record), without the period."""
        return f"team/{self.team}" if self.kind == "team" else f"{self.kind}/{self.team}/{self.id}"

    def __str__(self) -> str:
        return f"{self.path} ({self.period})"


@attrs.frozen(kw_only=True)
class SourceFile:
    """A file the facts of a submission were read from: its path, SHA-256 and size in bytes."""

    path: str
    sha256: str
    size: int


@attrs.frozen(kw_only=True)
class Submission:
    """One submission of facts: what was submitted, by whom, when and from which files.

    The facts themselves are stored once per content (``facts_hash``, the SHA-256 of their
    canonical JSON from :func:`~assessment_engine.dump_json`); ``Ledger.facts(submission)``
    reads them back. ``correction`` is the id of the correction that produced this
    submission, if any.
    """

    id: int
    facts_hash: str
    records: int
    periods: tuple[str, ...]
    sources: tuple[SourceFile, ...]
    author: str
    note: str
    recorded_at: str
    correction: int | None = None


@attrs.frozen(kw_only=True)
class PluginVersion:
    """A plugin that contributed to a rubric version: name, distribution, version, source."""

    name: str
    distribution: str | None
    version: str | None
    source: str

    def __str__(self) -> str:
        return f"{self.name} {self.version or '(no version)'}"


@attrs.frozen(kw_only=True)
class RubricVersion:
    """A rubric as it was used: its content hash, and the plugins (with versions) behind it.

    ``Ledger.rubric_data(version)`` gives the rubric as plain data
    (:meth:`~assessment_engine.rubric.Rubric.to_data`); ``Ledger.rubric(run)`` rebuilds a run's.
    """

    id: int
    content_hash: str
    plugins: tuple[PluginVersion, ...]
    recorded_at: str


@attrs.frozen(kw_only=True)
class StateChange:
    """One step of a run's workflow: the state entered, by whom, when and why.

    ``until`` is the last day of the publicity period (公示) of a ``published`` step, if set.
    """

    id: int
    run: int
    state: RunState
    until: datetime.date | None
    author: str
    note: str
    recorded_at: str


@attrs.frozen(kw_only=True)
class Run:
    """One assessment of a period, as recorded: its inputs, its report and its state.

    :ivar submission: the id of the submission whose facts were assessed.
    :ivar rubric_version: the id of the rubric version used (its hash is ``rubric_hash``).
    :ivar report_hash: the SHA-256 of the report's canonical JSON (``Report.to_json()``).
    :ivar parent: the run this one re-assesses (after a correction or an appeal), if any.
    :ivar correction: the correction whose facts it assesses, if any.
    :ivar state: the latest state (see :data:`RUN_STATES`).
    """

    id: int
    period: str
    submission: int
    rubric_version: int
    rubric_hash: str
    engine_version: str
    matcher: str
    report_hash: str
    teams: int
    parent: int | None
    correction: int | None
    author: str
    note: str
    recorded_at: str
    state: RunState

    def __str__(self) -> str:
        return f"run {self.id}"


@attrs.frozen(kw_only=True)
class ResultRow:
    """One team's line of a recorded run (what ``ledger_results`` holds, for queries)."""

    run: int
    team: str
    name: str
    department: str
    rank: int | None
    composite: Decimal
    grade: str | None
    titles: tuple[str, ...]
    vetoed: bool


@attrs.frozen(kw_only=True)
class Correction:
    """A correction: a new submission that supersedes named facts of an earlier one.

    :ivar base: the submission corrected.
    :ivar submission: the new submission (the complete corrected facts).
    :ivar replaced: the facts of ``base`` replaced by new versions.
    :ivar added: facts that ``base`` did not have.
    :ivar retracted: facts of ``base`` removed.
    """

    id: int
    base: int
    submission: int
    replaced: tuple[FactKey, ...]
    added: tuple[FactKey, ...]
    retracted: tuple[FactKey, ...]
    reason: str
    author: str
    recorded_at: str

    @property
    def superseded(self) -> tuple[FactKey, ...]:
        """Every fact of the base submission this correction supersedes (replaced or retracted)."""
        return self.replaced + self.retracted


@attrs.frozen(kw_only=True)
class AppealDecision:
    """How an appeal was decided, by whom, and the run that settled it (if any)."""

    outcome: AppealOutcome
    settled_by: int | None
    reason: str
    author: str
    recorded_at: str


@attrs.frozen(kw_only=True)
class Appeal:
    """A team's appeal against a run: its claim, and the decision once made."""

    id: int
    run: int
    team: str
    claim: str
    author: str
    recorded_at: str
    decision: AppealDecision | None = None

    @property
    def open(self) -> bool:
        """Whether the appeal awaits its decision."""
        return self.decision is None
