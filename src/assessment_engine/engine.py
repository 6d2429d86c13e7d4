"""The engine: build it from plugins, assess a period, open an incremental session.

::

    from assessment_engine import Engine

    with Engine() as engine:                  # rule sets from installed plugins
        facts = engine.load_facts("examples/institute-2024.json")  # their fact kinds too
        report = engine.assess(facts, period="2024")
    for assessment in report:
        print(assessment.rank, assessment.team, assessment.composite)
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence

from ._base.collector import paused_gc
from ._base.progress import ProgressCallback
from ._base.version import VERSION as __version__
from ._matcher import MATCHER_ENV, MatcherName, make_matcher
from ._pipeline import Pipeline
from ._plugins import (
    PluginInfo,
    collect_contributions,
    create_plugin_manager,
    locate_rubric_error,
)
from .errors import AssessmentError, RubricError
from .facts import Fact
from .factset import FactSet
from .loading import facts_from_records, load_facts
from .report import Report
from .rubric import Rubric
from .session import Session

__all__ = ["MATCHER_ENV", "Engine", "MatcherName"]


class Engine:
    """Assesses teams with the rubric the plugins register.

    :param plugins: plugin objects or modules (or ``(name, plugin)`` pairs) to register
        explicitly, in addition to the entry points.
    :param entry_points: load the plugins installed in the ``assessment_engine`` entry-point
        group (default ``True``).
    :param block: plugin names never to register (``ASSESSMENT_ENGINE_BLOCK_PLUGINS`` adds more).
    :param matcher: ``"durable"`` (durable-rules' Rete network, the default) or ``"python"`` (the
        plain matcher); ``ASSESSMENT_ENGINE_MATCHER`` sets the default. Both give identical
        results.

    Building an engine calls every plugin's hooks once, checks and compiles the rubric, and
    prepares the matcher; errors name the plugin or the rubric object at fault. An engine is
    confined to one thread at a time; use one engine per process for parallel work.
    """

    def __init__(
        self,
        plugins: Sequence[object] = (),
        *,
        entry_points: bool = True,
        block: Iterable[str] = (),
        matcher: MatcherName | None = None,
    ) -> None:
        plugin_set = create_plugin_manager(plugins, entry_points=entry_points, block=block)
        contributions = collect_contributions(plugin_set)
        self._plugin_infos = plugin_set.infos()
        try:
            rubric = Rubric.assemble(contributions)
        except RubricError as exc:  # an object from a rubric file: name its file, line, column
            located = locate_rubric_error(exc, plugins)
            if located is exc:
                raise
            raise located from exc
        self._setup(rubric, matcher)

    @classmethod
    def from_rubric(cls, rubric: Rubric, *, matcher: MatcherName | None = None) -> Engine:
        """An engine for a rubric assembled directly (``Rubric.build(...)``), without plugins."""
        engine = cls.__new__(cls)
        engine._plugin_infos = ()
        engine._setup(rubric, matcher)
        return engine

    def _setup(self, rubric: Rubric, matcher: str | None) -> None:
        self._closed = False
        self.rubric = rubric
        self._pipeline = Pipeline(rubric, make_matcher(matcher))

    # ---------------------------------------------------------------- facts
    @property
    def plugins(self) -> tuple[PluginInfo, ...]:
        """The registered plugins, with their source, version and implemented hooks."""
        return self._plugin_infos

    @property
    def matcher(self) -> str:
        """The matcher in use: ``"durable"`` or ``"python"``."""
        return self._pipeline.matcher_name

    def load_facts(
        self, *paths: str | os.PathLike[str], progress: ProgressCallback | None = None
    ) -> FactSet:
        """Load facts from JSON, CSV and XLSX files, accepting every fact kind this engine knows.

        The same as ``loading.load_facts(*paths, fact_types=engine.rubric.fact_types)``: the
        plugins' own kinds load too. ``progress`` is called as records are read and checked
        (see ``assessment_engine.ProgressCallback``).
        """
        return load_facts(*paths, fact_types=self.rubric.fact_types, progress=progress)

    def facts_from_records(
        self, records: Iterable[Mapping[str, object]], *, source: str = "<records>"
    ) -> FactSet:
        """A fact set from records in memory, accepting every fact kind this engine knows.

        The same as ``loading.facts_from_records(records, fact_types=engine.rubric.fact_types)``.
        """
        return facts_from_records(records, fact_types=self.rubric.fact_types, source=source)

    @property
    def version(self) -> str:
        """The engine version recorded in every result."""
        return __version__

    def assess(
        self,
        facts: FactSet | Iterable[Fact],
        *,
        period: str | None = None,
        progress: ProgressCallback | None = None,
    ) -> Report:
        """Assess every team of a period and return the report.

        :param facts: a :class:`FactSet` or any iterable of facts (validated first).
        :param period: the period to assess; may be omitted when the facts hold only one.
        :param progress: called as teams are assessed (step ``"assessing"``, in teams); see
            ``assessment_engine.ProgressCallback``.
        :raises InputError: with every problem found; nothing is assessed then.
        """
        self._check_open()
        with paused_gc():
            fact_set = facts if isinstance(facts, FactSet) else FactSet(facts)
            chosen = self._period(fact_set, period)
            states = self._pipeline.assess(
                [(team, fact_set.rows(chosen, team.team)) for team in fact_set.teams(chosen)],
                source=fact_set.source,
                locate=fact_set.location,
                progress=progress,
            )
            standings = self._pipeline.standings(states)
        return Report(
            period=chosen,
            pipeline=self._pipeline,
            standings=standings,
            engine_version=__version__,
        )

    def session(self, facts: FactSet | Iterable[Fact], *, period: str | None = None) -> Session:
        """Open an incremental session over a period: add or retract facts one at a time."""
        self._check_open()
        fact_set = facts if isinstance(facts, FactSet) else FactSet(facts)
        return Session(
            self._pipeline, fact_set, self._period(fact_set, period), engine_version=__version__
        )

    @staticmethod
    def _period(fact_set: FactSet, period: str | None) -> str:
        return fact_set.choose_period(period)

    # ---------------------------------------------------------------- lifetime
    def close(self) -> None:
        """Release the matcher's resources (durable-rules rulesets). Idempotent.

        A closed engine refuses to assess or open sessions.
        """
        self._closed = True
        self._pipeline.close()

    def _check_open(self) -> None:
        if self._closed:
            raise AssessmentError("this engine is closed")

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Engine {self.matcher} matcher, {self.rubric!r}>"
