"""assessment_engine: explainable multi-dimension team assessment (the 1252 method).

Facts are typed records; rule sets are pluggy plugins that register declarative indicators and
rules; durable-rules decides which conditions hold; exact arithmetic turns that into points,
grades, titles and ranks, each explained down to the facts.
"""

from ._base.progress import ProgressCallback
from ._base.version import VERSION as __version__
from ._plugins import rubric_file, rubric_files
from .engine import Engine
from .errors import (
    AssessmentError,
    AssessmentWarning,
    ConflictError,
    InputError,
    InputProblem,
    MatcherError,
    MatcherLimitError,
    MatcherUnavailableError,
    PluginError,
    RubricError,
    SessionError,
)
from .facts import (
    Achievement,
    Activity,
    Fact,
    Incident,
    Member,
    Metric,
    Record,
    Score,
    Team,
)
from .factset import FactSet
from .hookspecs import hookimpl
from .loading import dump_json, facts_converter, load_csv, load_facts, load_json
from .report import Report
from .results import Assessment, Explanation, Grade, GradeResult, Standing
from .rubric import Rubric
from .session import Session

__all__ = [
    "Achievement",
    "Activity",
    "Assessment",
    "AssessmentError",
    "AssessmentWarning",
    "ConflictError",
    "Engine",
    "Explanation",
    "Fact",
    "FactSet",
    "Grade",
    "GradeResult",
    "Incident",
    "InputError",
    "InputProblem",
    "MatcherError",
    "MatcherLimitError",
    "MatcherUnavailableError",
    "Member",
    "Metric",
    "PluginError",
    "ProgressCallback",
    "Record",
    "Report",
    "Rubric",
    "RubricError",
    "Score",
    "Session",
    "SessionError",
    "Standing",
    "Team",
    "__version__",
    "dump_json",
    "facts_converter",
    "hookimpl",
    "load_csv",
    "load_facts",
    "load_json",
    "rubric_file",
    "rubric_files",
]
