"""What the pipeline computes about one team, and where each number sits in it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, Literal

from ..facts import Team
from ..factset import Row

__all__ = ["NO_LISTS", "Layout", "Locate", "PointPart", "TeamState"]

#: Where a record came from, for error messages (``FactSet.location``, given its row).
Locate = Callable[[Row], str]

#: What :attr:`TeamState.lists` holds when the team is not being assessed or explained.
NO_LISTS: list[list[Row]] = []

#: A dimension's numbers, in their order in :attr:`TeamState.points`.
DIMENSION_PARTS: tuple[str, ...] = ("base", "bonus_raw", "bonus", "penalty", "score")
PointPart = Literal[
    "indicator", "amount", "applied", "base", "bonus_raw", "bonus", "penalty", "score"
]


class Layout:
    """The shape of :attr:`TeamState.points` for one plan.

    Indicator points, adjustment amounts, amounts applied, then per dimension its base, bonus
    before its cap, bonus, penalty and score.
    """

    __slots__ = ("adjustments", "dimensions", "indicators")

    def __init__(self, indicators: int, adjustments: int, dimensions: int) -> None:
        self.indicators = indicators
        self.adjustments = adjustments
        self.dimensions = dimensions

    def offset(self, part: PointPart, index: int) -> int:
        """Where one number is: ``part`` of the indicator, adjustment or dimension ``index``."""
        i, a = self.indicators, self.adjustments
        if part == "indicator":
            return index
        if part == "amount":
            return i + index
        if part == "applied":
            return i + a + index
        return i + 2 * a + 5 * index + DIMENSION_PARTS.index(part)

    def dimension_field(self, points: tuple[Decimal, ...], part: PointPart) -> tuple[Decimal, ...]:
        """One number of every dimension (``part`` is one of :data:`DIMENSION_PARTS`)."""
        start = self.indicators + 2 * self.adjustments + DIMENSION_PARTS.index(part)
        return points[start::5]


class TeamState:
    """Everything computed about one team; results and explanations are read from it.

    :ivar values: the team's quantity values, by quantity slot.
    :ivar masks: the matcher's answers, by team cluster (bit *i*: rule *i* holds).
    :ivar points: every number the scoring produced, in one tuple (one object per team for the
        garbage collector to look at, rather than eight); :class:`Layout` says where each is.
    :ivar vetoes: the indices of the vetoes that fired.
    :ivar composite: the weighted composite.
    :ivar grades: per grade scale, ``(label, band index)``; the band is ``-1`` when vetoed (the
        label is the scale's veto label, ``None`` for none), and ``len(bands)`` with the label
        ``None`` below a scale without a catch-all band.
    :ivar records: the team's records, as rows (:mod:`assessment_engine.factset`).
    :ivar lists: the team's rows per selection while it is assessed (and while an
        explanation is built); :data:`NO_LISTS` otherwise, so a million teams keep no small
        lists.
    """

    __slots__ = (
        "composite",
        "grades",
        "layout",
        "lists",
        "masks",
        "points",
        "records",
        "team",
        "values",
        "vetoes",
    )

    points: tuple[Decimal, ...]
    vetoes: tuple[int, ...]
    composite: Decimal
    grades: Sequence[tuple[str | None, int]]

    def __init__(
        self, layout: Layout, slots: int, clusters: int, team: Team, records: Sequence[Row]
    ) -> None:
        # the rest is filled by the pipeline (or the generated fast path)
        self.layout = layout
        self.team = team
        self.records = records
        self.values: Any = [None] * slots
        self.masks: Any = [0] * clusters
        self.lists: list[list[Row]] = NO_LISTS

    @classmethod
    def restored(
        cls,
        layout: Layout,
        team: Team,
        values: tuple[Any, ...],
        masks: tuple[int, ...],
        points: tuple[Decimal, ...],
        vetoes: tuple[int, ...],
        composite: Decimal,
        grades: Sequence[tuple[str | None, int]],
    ) -> TeamState:
        """A finished state from its parts, without records (see ``Pipeline.restore_state``)."""
        state = cls.__new__(cls)
        state.layout, state.team, state.records, state.lists = layout, team, (), NO_LISTS
        state.values, state.masks, state.points, state.vetoes = values, masks, points, vetoes
        state.composite, state.grades = composite, grades
        return state

    @property
    def ind_points(self) -> tuple[Decimal, ...]:
        """Points per indicator, in plan order."""
        return self.points[: self.layout.indicators]

    @property
    def adj_amounts(self) -> tuple[Decimal, ...]:
        """Each adjustment's amount before its exclusive group."""
        i, a = self.layout.indicators, self.layout.adjustments
        return self.points[i : i + a]

    @property
    def adj_applied(self) -> tuple[Decimal, ...]:
        """Each adjustment's amount after its exclusive group."""
        i, a = self.layout.indicators, self.layout.adjustments
        return self.points[i + a : i + 2 * a]

    @property
    def dim_base(self) -> tuple[Decimal, ...]:
        """Indicator points per dimension."""
        return self.layout.dimension_field(self.points, "base")

    @property
    def dim_bonus_raw(self) -> tuple[Decimal, ...]:
        """Bonuses applied per dimension, before its cap."""
        return self.layout.dimension_field(self.points, "bonus_raw")

    @property
    def dim_bonus(self) -> tuple[Decimal, ...]:
        """Bonuses per dimension, after its cap."""
        return self.layout.dimension_field(self.points, "bonus")

    @property
    def dim_penalty(self) -> tuple[Decimal, ...]:
        """Penalties per dimension."""
        return self.layout.dimension_field(self.points, "penalty")

    @property
    def dim_score(self) -> tuple[Decimal, ...]:
        """Score per dimension."""
        return self.layout.dimension_field(self.points, "score")

    def facts_in(self, selects: Sequence[int]) -> list[Row]:
        """The team's rows in any of the selections, each once, in selection order."""
        assert self.lists is not NO_LISTS, "a team's lists are routed while it is explained"
        seen: dict[int, Row] = {}
        for s in selects:
            for f in self.lists[s]:
                seen[id(f)] = f
        return list(seen.values())

    def finish(self) -> None:
        """Freeze the computed values and drop the per-selection lists."""
        self.values = tuple(self.values)
        self.masks = tuple(self.masks)
        self.lists = NO_LISTS
