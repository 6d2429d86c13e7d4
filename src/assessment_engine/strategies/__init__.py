"""Hypothesis strategies for facts and teams: property-test a rubric before it decides standings.

An optional integration: install the ``hypothesis`` extra (``pip install
'assessment-engine[hypothesis]'``). Three strategies, in Hypothesis' style (plural nouns,
keyword-only options, arguments checked when the strategy is built):

* :func:`facts` — valid records of the registered fact kinds, plugin kinds included; their
  fields are drawn from the ``attrs`` field types and validators (``in_`` options, ``ge``/``le``
  bounds, ``Literal`` values, optional fields) and, given a rubric, from the values the
  rubric's filters and points tables mention, so that most facts are selected by something;
* :func:`teams` — whole teams for a rubric (a ``Team`` record and its records), biased toward
  the rubric's thresholds and caps: every band threshold, condition constant, cap and floor is
  turned into counts, sums and reported values drawn *at*, *just below* and *just above* it;
* :func:`fact_sets` — the same as validated :class:`~assessment_engine.FactSet` objects.

The package registers strategies for the built-in fact classes through Hypothesis' entry point,
so ``st.from_type(Activity)`` (and ``Team``, ``Member``, ``Achievement``, ``Metric``,
``Incident``, ``Score``, and ``Fact``/``Record`` as a choice of them) just works.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _hypothesis_setup_hook() -> None:
    """Register ``st.from_type`` strategies for the built-in fact classes (entry point).

    Hypothesis calls this when it is imported. It is defined before this module imports
    Hypothesis, so that it can run while this module is still being imported.
    """
    from hypothesis import strategies as st

    from ..facts import Achievement, Activity, Incident, Member, Metric, Score, Team

    for cls in (Team, Member, Activity, Achievement, Metric, Incident, Score):
        st.register_type_strategy(cls, st.deferred(_for_type(cls.fact_kind)))


def _for_type(kind: str) -> Callable[[], Any]:
    def definition() -> Any:
        return facts(kinds=[kind])

    return definition


# ruff: noqa: E402
from collections.abc import Collection, Iterable, Sequence

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from .._base.hints import did_you_mean
from ..engine import Engine
from ..facts import Fact, Record
from ..factset import FactSet
from ..rubric import Rubric
from ._records import (
    TEAM_IDS,
    TEAM_POOL,
    Context,
    check_name,
    check_size,
    context_of,
    draw_facts,
)
from ._teams import crossings, draw_teams

__all__ = ["TEAM_IDS", "crossing_facts", "fact_sets", "facts", "teams"]


def facts(
    rubric_or_fact_types: Rubric | Engine | Iterable[type[Fact]] | None = None,
    *,
    kinds: Collection[str] | None = None,
    team: str = "T1",
    period: str = "2024",
) -> st.SearchStrategy[Fact]:
    """Valid facts of the registered fact kinds, for one team and period.

    :param rubric_or_fact_types: a :class:`~assessment_engine.rubric.Rubric` (or an
        :class:`~assessment_engine.Engine`, for its rubric) — its fact kinds, plugin kinds
        included, and the values its filters and points tables mention, so that most facts are
        selected by one of its selections; or a collection (or ``{kind: class}`` mapping) of
        fact classes; ``None``: the built-in kinds.
    :param kinds: draw only these kinds (``"team"`` too, which is never drawn otherwise).
        By default every record kind; for a rubric, ``score`` records only when the rubric has
        assessor-scored items, with values within their bounds.
    :param team: the team every fact is about.
    :param period: the period every fact belongs to.

    Record ids come from a small pool, so lists of facts repeat them: draw with
    ``st.lists(facts(...), unique_by=lambda f: (f.fact_kind, f.id))`` for a valid fact set.
    """
    ctx = context_of(rubric_or_fact_types, "rubric_or_fact_types")
    check_name("team", team)
    check_name("period", period)
    available = ctx.record_kinds()
    if kinds is None:
        chosen = available
    else:
        if isinstance(kinds, str) or not isinstance(kinds, Collection):
            raise InvalidArgument(f"kinds must be a collection of kind names, got {kinds!r}")
        chosen = tuple(dict.fromkeys(kinds))
        if not chosen:
            raise InvalidArgument("kinds must name at least one fact kind")
        for kind in chosen:
            if kind not in ctx.fact_types:
                raise InvalidArgument(
                    f"unknown fact kind {kind!r}{did_you_mean(str(kind), ctx.fact_types)};"
                    f" the kinds are {', '.join(ctx.fact_types)}"
                )
            if kind == "score" and ctx.rubric is not None and not ctx.assessor:
                raise InvalidArgument(
                    "kinds includes 'score' but the rubric has no assessor-scored item, so"
                    " every score record would be an input error"
                )
    if not chosen:
        raise InvalidArgument("there is no fact kind to draw")
    return draw_facts(ctx, chosen, team, period)


# --------------------------------------------------------------------------- teams


def _rubric_context(rubric: object) -> Context:
    if not isinstance(rubric, Rubric | Engine):
        raise InvalidArgument(f"rubric must be a Rubric or an Engine, got {type(rubric).__name__}")
    return context_of(rubric, "rubric")


def teams(
    rubric: Rubric | Engine,
    *,
    min_size: int = 1,
    max_size: int = 5,
    period: str = "2024",
    max_records: int = 4,
) -> st.SearchStrategy[list[Fact]]:
    """Facts for ``min_size`` to ``max_size`` teams of one period, ready for a FactSet.

    Each team has its :class:`~assessment_engine.Team` record and records aimed at the rubric:
    for every threshold of a band or a condition, every cap and every floor the rubric declares,
    a team may get the facts that put the quantity *at*, *just below* or *just above* it — a
    count one short of a cap, volunteer hours per member of exactly 20 or 19.99, a reported rate
    of 89.99, 90 or 90.01, a ratio of exactly 0.5 — plus up to ``max_records`` further records,
    most of them selected by one of the rubric's selections. Reported values (``ValueOf``) and
    assessor scores (within their bounds) appear at most once per team, so every draw is valid
    input.

    :param rubric: the rubric (or an engine, for its rubric).
    :param min_size: fewest teams (at least 1).
    :param max_size: most teams (at most the number of :data:`TEAM_IDS` that are valid ids).
    :param period: the period of every fact.
    :param max_records: most records per team besides those aimed at thresholds (0 to 60).
    """
    ctx = _rubric_context(rubric)
    check_size("min_size", min_size, 1, len(TEAM_POOL))
    check_size("max_size", max_size, 1, len(TEAM_POOL))
    if max_size < min_size:
        raise InvalidArgument(
            f"max_size={max_size} is below min_size={min_size}: there must be room for at least"
            " min_size teams"
        )
    check_name("period", period)
    check_size("max_records", max_records, 0, 60)
    return draw_teams(ctx, min_size, max_size, period, max_records)


def crossing_facts(
    rubric: Rubric | Engine, items: Sequence[Fact]
) -> st.SearchStrategy[Record | None]:
    """One more record taking a team's count or sum to a threshold, or ``None``.

    What the consistency kit's monotonicity property adds to a drawn team (``items``).
    """
    return crossings(_rubric_context(rubric), tuple(items))


def fact_sets(
    rubric: Rubric | Engine,
    *,
    min_size: int = 1,
    max_size: int = 5,
    period: str = "2024",
    max_records: int = 4,
) -> st.SearchStrategy[FactSet]:
    """:func:`teams`, as validated :class:`~assessment_engine.FactSet` objects.

    The options are those of :func:`teams`.
    """
    return teams(
        rubric, min_size=min_size, max_size=max_size, period=period, max_records=max_records
    ).map(_fact_set)


def _fact_set(items: Sequence[Fact]) -> FactSet:
    return FactSet(items, source="<generated>")
