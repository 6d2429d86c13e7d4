"""The pipeline object: one compiled plan and its matcher, shared by the engine and its sessions.

It assesses teams (:meth:`Pipeline.assess`), ranks them (:meth:`Pipeline.standings`) and turns a
team's state into its explained assessment or its ranking line. The engine, an incremental
session and a report all hold the same :class:`Pipeline`; none of them reaches into another.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .._base.progress import ProgressCallback
from .._matcher.base import Matcher
from ..errors import InputError, InputProblem
from ..facts import Team
from ..factset import Row
from ..results import Assessment, Standing
from ..rubric import Rubric
from ..rubric.walk import team_field_readers
from ._assessments import build_assessment, build_standings, complete_assessment
from ._compile import compile_plan
from ._evaluate import evaluate, restore_lists
from ._plan import Plan
from ._scorers import BandsScorer, PartsScorer, Scorer
from ._standings import Standings
from ._state import Locate, TeamState

__all__ = ["Pipeline", "TeamStateData"]

#: A team's state as plain data (:meth:`Pipeline.export_state`).
TeamStateData = tuple[
    Team, tuple[Any, ...], tuple[int, ...], tuple[Any, ...], tuple[int, ...], Any, Any
]


class Pipeline:
    """A rubric compiled for one matcher: assess, rank, explain.

    Confined to one thread at a time, as its matcher is; the memos inside the plan fill as
    teams are assessed and make later assessments cheaper.
    """

    def __init__(self, rubric: Rubric, matcher: Matcher) -> None:
        self.rubric = rubric
        self.plan: Plan = compile_plan(rubric)
        self.matcher = matcher
        matcher.prepare(self.plan.clusters())
        #: the team fields that a rule reads (``headcount``, ``department``), with a reader
        self.team_fields = {
            name: owner
            for name, owner in team_field_readers(rubric).items()
            if name in ("headcount", "department")
        }

    @property
    def matcher_name(self) -> str:
        """The matcher's name: ``"durable"`` or ``"python"``."""
        return self.matcher.name

    def assess(
        self,
        teams: Sequence[tuple[Team, Sequence[Row]]],
        *,
        source: str,
        locate: Locate,
        progress: ProgressCallback | None = None,
    ) -> list[TeamState]:
        """Every team's computed state (see :func:`~._evaluate.evaluate`).

        :raises InputError: with every input problem found; nothing is assessed then. A team
            record without a field that a rule reads (its headcount, its department) is one.
        """
        problems = [
            InputProblem(
                source=source,
                record=locate(team),  # type: ignore[arg-type]  # a team record is located too
                field=name,
                reason=f"team {team.team} has no {name}, and the rubric reads it ({owner})",
            )
            for team, _ in teams
            for name, owner in self.team_fields.items()
            if getattr(team, name) in (None, "")
        ]
        try:
            states = evaluate(
                self.plan, self.matcher, teams, source=source, locate=locate, progress=progress
            )
        except InputError as exc:
            raise InputError([*problems, *exc.problems]) from None
        if problems:
            raise InputError(problems)
        return states

    def standings(self, states: Iterable[TeamState] = ()) -> Standings:
        """The teams ranked, titles on demand."""
        return Standings(self.plan, states)

    def assessment(self, state: TeamState, standings: Standings, engine_version: str) -> Assessment:
        """One team's explained assessment; its facts are routed again for the explanation."""
        restore_lists(self.plan, self.matcher, state)
        try:
            return build_assessment(self.plan, state, standings, engine_version)
        finally:
            state.finish()

    # ------------------------------------------------ partitioned assessment (scale-out)
    def export_state(self, state: TeamState) -> TeamStateData:
        """A team's assessed state as plain data, without its records.

        ``(team, values, masks, points, vetoes, composite, grades)``: the team's record (a
        frozen fact) and tuples of strings, numbers (``int``, ``Decimal``, ``Fraction``) and
        ``None`` — picklable, no engine object. What a scale-out worker sends its driver for
        each team; the driver ranks, ties and titles from it (:meth:`restore_state`,
        :meth:`standings`).
        """
        return (
            state.team,
            tuple(state.values),
            tuple(state.masks),
            state.points,
            state.vetoes,
            state.composite,
            tuple(state.grades),
        )

    def restore_state(self, data: TeamStateData) -> TeamState:
        """A state rebuilt from :meth:`export_state`'s data, with no records.

        Enough for the standings (ranks, ties, titles, quotas), the ranking lines and
        :meth:`complete_assessment`; not for :meth:`assessment`, which routes the records again.
        """
        return TeamState.restored(self.plan.layout, *data)

    def local_assessment(self, state: TeamState, engine_version: str) -> Assessment:
        """A team's explained assessment without what depends on other teams.

        Rank ``None``, an empty rank note, no titles and no title notes: a worker that holds
        only its partition's teams builds this (it needs the team's records), and the driver
        completes it with :meth:`complete_assessment` once every partition's states are ranked.
        """
        restore_lists(self.plan, self.matcher, state)
        try:
            return build_assessment(self.plan, state, None, engine_version)
        finally:
            state.finish()

    def complete_assessment(
        self, local: Assessment, state: TeamState, standings: Standings
    ) -> Assessment:
        """A :meth:`local_assessment` with its rank, rank note, titles and title notes.

        ``state`` may be a restored one (:meth:`restore_state`): only its values and the
        matcher's answers are read. Equal to :meth:`assessment` of the same team.
        """
        return complete_assessment(self.plan, local, state, standings)

    def bands_chosen(self, state: TeamState) -> dict[str, int | None]:
        """The band each ``Bands`` form chose for a team, by its indicator, part or rule id.

        The band's index in the form's list, or ``None`` when the value reached none (the form's
        ``otherwise``). Read from the matcher's answers the team was scored with.
        """
        chosen: dict[str, int | None] = {}

        def visit(owner: str, scorer: Scorer) -> None:
            if isinstance(scorer, BandsScorer):
                chosen[owner] = scorer.reached(state)
            elif isinstance(scorer, PartsScorer):
                for part, inner in scorer.parts:
                    visit(part.id, inner)

        for ip in self.plan.indicators:
            visit(ip.indicator.id, ip.scorer)
        for ap in self.plan.adjustments:
            visit(ap.rule.id, ap.scorer)
        return chosen

    def rows(
        self,
        standings: Standings,
        teams: Sequence[str],
        ranks: Mapping[str, int | None] | None = None,
    ) -> list[Standing]:
        """The ranking lines of ``teams`` (no explanation is built)."""
        return build_standings(self.plan, standings, teams, ranks)

    def close(self) -> None:
        """Release the matcher's resources."""
        self.matcher.close()
