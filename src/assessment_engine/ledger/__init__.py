"""The assessment ledger: every run kept, reproduced, compared, corrected and appealed.

::

    from assessment_engine import Engine
    from assessment_engine.ledger import Ledger

    with Ledger.open("assessments.db", create=True) as ledger, Engine() as engine:
        facts = engine.load_facts("examples/institute-2024.json")
        run = ledger.record(engine, facts, author="李", sources=["examples/institute-2024.json"])
        ledger.publish(run, author="李")
        assert ledger.reproduce(run).identical

An append-only store (SQLite by default, PostgreSQL by URL, one interface) of fact
submissions, rubric versions, runs with their reports and states, corrections and appeals.
``docs/ledger.md`` is the guide. Needs the extra ``ledger`` (SQLAlchemy), and ``postgres``
(psycopg) for PostgreSQL; importing this module works without them, opening a ledger says
which is missing.
"""

from ..errors import (
    LedgerBusyError,
    LedgerError,
    LedgerFileError,
    LedgerStateError,
    LedgerUnavailableError,
    UnknownRecordError,
)
from ..loading import load_records
from ._diff import Cause, DimensionChange, ItemChange, RunDiff, TeamChange
from ._ledger import Ledger
from ._model import (
    APPEAL_OUTCOMES,
    RUN_STATES,
    Appeal,
    AppealDecision,
    AppealOutcome,
    Correction,
    FactKey,
    PluginVersion,
    ResultRow,
    RubricVersion,
    Run,
    RunState,
    SourceFile,
    StateChange,
    Submission,
)
from ._report import StoredReport
from ._reproduce import Difference, Reproduction
from ._rubrics import RubricChange
from ._since import SincePrevious, TeamSince
from ._stability import (
    PSI_MODERATE,
    PSI_SIGNIFICANT,
    PopulationShift,
    RankChanges,
    Stability,
    population_stability_index,
)
from ._view import RunRef

__all__ = [
    "APPEAL_OUTCOMES",
    "PSI_MODERATE",
    "PSI_SIGNIFICANT",
    "RUN_STATES",
    "Appeal",
    "AppealDecision",
    "AppealOutcome",
    "Cause",
    "Correction",
    "Difference",
    "DimensionChange",
    "FactKey",
    "ItemChange",
    "Ledger",
    "LedgerBusyError",
    "LedgerError",
    "LedgerFileError",
    "LedgerStateError",
    "LedgerUnavailableError",
    "PluginVersion",
    "PopulationShift",
    "RankChanges",
    "Reproduction",
    "ResultRow",
    "RubricChange",
    "RubricVersion",
    "Run",
    "RunDiff",
    "RunRef",
    "RunState",
    "SincePrevious",
    "SourceFile",
    "Stability",
    "StateChange",
    "StoredReport",
    "Submission",
    "TeamChange",
    "TeamSince",
    "UnknownRecordError",
    "load_records",
    "population_stability_index",
]
