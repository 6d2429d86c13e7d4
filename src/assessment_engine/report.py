"""The report of one period: every team's assessment, in rank order, and the quotas' use."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ._base.collector import paused_gc
from ._base.progress import ProgressCallback, ticker
from ._pipeline import Pipeline, Standings
from .errors import AssessmentError
from .results import Assessment, QuotaResult, Standing
from .rubric import Rubric
from .serialize import assessment_from_data, assessment_to_data, dumps, quota_to_data

__all__ = ["Report"]


class Report:
    """The assessments of one period.

    Iterating gives assessments in rank order (vetoed teams last, by id); ``report["T1"]`` gives
    one team's. Assessments and their explanations are built when first read and then kept.
    """

    def __init__(
        self,
        *,
        period: str,
        pipeline: Pipeline,
        standings: Standings,
        engine_version: str,
    ) -> None:
        self.period = period
        self.rubric_hash = pipeline.rubric.content_hash
        self.engine_version = engine_version
        self._pipeline = pipeline
        self._standings = standings
        self._order = tuple(standings.order())
        self._built: dict[str, Assessment] = {}
        self._merged = False
        self._local: Mapping[str, dict[str, Any]] | None = None

    @classmethod
    def merged(
        cls,
        *,
        period: str,
        pipeline: Pipeline,
        standings: Standings,
        engine_version: str,
        local: Mapping[str, dict[str, Any]] | None,
    ) -> Report:
        """A report of teams assessed elsewhere (scale-out workers), ranked here.

        ``standings`` hold the teams' restored states (``Pipeline.restore_state``), ranked
        together; ``local`` each team's local assessment as plain data (``assessment_to_data``
        of ``Pipeline.local_assessment``), completed here with its rank, titles and notes — the
        same assessments, and the same bytes, as one process's report. With ``local=None``
        (explanations not kept) the ranking, the rows, the quotas and the lean JSON are
        available, and reading an assessment raises :class:`~assessment_engine.errors.
        AssessmentError`.
        """
        report = cls(
            period=period, pipeline=pipeline, standings=standings, engine_version=engine_version
        )
        report._merged = True
        report._local = local
        return report

    @property
    def explained(self) -> bool:
        """Whether the teams' assessments (with explanations) can be read."""
        return not self._merged or self._local is not None

    @property
    def rubric(self) -> Rubric:
        """The rubric the period was assessed with (dimension maxima, grade scales, titles)."""
        return self._pipeline.rubric

    @property
    def teams(self) -> tuple[str, ...]:
        """Team ids in rank order (vetoed teams last)."""
        return self._order

    def __len__(self) -> int:
        return len(self._order)

    def __contains__(self, team: object) -> bool:
        return team in self._standings

    def __getitem__(self, team: str) -> Assessment:
        built = self._built.get(team)
        if built is None:
            built = self._built[team] = self._build(team)
        return built

    def __iter__(self) -> Iterator[Assessment]:
        for team in self._order:
            yield self[team]

    def each_assessment(self) -> Iterator[Assessment]:
        """Every assessment in rank order, each built when reached and not kept.

        For writers that stream a large report: memory holds one team's explanation at a
        time. An assessment already read through ``report[team]`` is reused.
        """
        for team in self._order:  # no local holds a yielded assessment while suspended
            yield self._built.get(team) or self._build(team)

    def _build(self, team: str) -> Assessment:
        if self._merged:
            if self._local is None:
                raise AssessmentError(
                    "this report kept no explanations (assessed in partitions with"
                    " details=False): its ranking, rows and quotas can be read, not its"
                    " assessments"
                )
            return self._pipeline.complete_assessment(
                assessment_from_data(self._local[team]),
                self._standings.state(team),
                self._standings,
            )
        return self._pipeline.assessment(
            self._standings.state(team), self._standings, self.engine_version
        )

    @property
    def assessments(self) -> tuple[Assessment, ...]:
        """Every assessment, in rank order."""
        return tuple(self)

    def rows(self) -> tuple[Standing, ...]:
        """The ranking table: one :class:`Standing` per team, in rank order.

        Cheap: no explanation is built.
        """
        with paused_gc():
            return tuple(self._pipeline.rows(self._standings, self._order))

    def bands_chosen(self, team: str) -> dict[str, int | None]:
        """The band each ``Bands`` form chose for ``team``, by its indicator, part or rule id.

        The index of the band in the form's ``bands``, or ``None`` when the value reached none
        (the form's ``otherwise`` applied): what scenario coverage reads (docs/scenarios.md).

        :raises KeyError: for a team that is not in the report.
        """
        return self._pipeline.bands_chosen(self._standings.state(team))

    @property
    def quotas(self) -> tuple[QuotaResult, ...]:
        """How each title quota was used, with overruns from ties."""
        return tuple(self._standings.titles().quotas)

    def to_data(self, *, progress: ProgressCallback | None = None) -> dict[str, Any]:
        """The report as plain data (exact numbers as strings).

        :param progress: told how many teams are done (step ``"writing"``): every team's
            explanation is built here.
        """
        with paused_gc():
            return self._to_data(progress)

    def _to_data(self, progress: ProgressCallback | None) -> dict[str, Any]:
        tick = ticker(progress, "writing", len(self))
        teams = []
        for assessment in self:
            teams.append(assessment_to_data(assessment))
            tick.advance()
        tick.finish()
        return {
            "period": self.period,
            "rubric_hash": self.rubric_hash,
            "engine_version": self.engine_version,
            "teams": teams,
            "quotas": [quota_to_data(q) for q in self.quotas],
        }

    def to_json(
        self, *, indent: int | None = None, progress: ProgressCallback | None = None
    ) -> str:
        """Canonical JSON: the same facts and rule sets always give the same bytes.

        Compact by default (one line); ``indent=2`` for reading. ``progress`` as for
        :meth:`to_data`.
        """
        return dumps(self.to_data(progress=progress), indent=indent)

    def __repr__(self) -> str:
        return f"<Report {self.period}: {len(self)} teams, rubric {self.rubric_hash[:12]}>"
