"""The compiled rubric: what an assessment runs, every table worked out once, at compile time.

Its parts:

* **fact streams** (:class:`KindPlan`) — for each fact kind, the filters its selections use,
  compiled into clusters; a fact's *projection* (the fields the filters read) is matched once
  and the answer remembered, so the matcher sees each distinct projection once, however many
  facts share it;
* **quantities** — per-team values in slots, counted from the selected facts
  (:attr:`Phase.FACTS`) or read from earlier results (points, dimension scores, grades);
* **team clusters** (:class:`TeamCluster`) — the rubric's conditions compiled into rules grouped
  by the quantities they read, matched per distinct combination of values, phase by phase;
* **scorers** — exact arithmetic over the matcher's answers (:mod:`._scorers`);
* the **derived tables** the evaluator reads (the route table, the late getters, the exclusive
  groups, the layout of the points) and the **generated fast path** (:mod:`._codegen`).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Final

import attrs

from .._base.numbers import exact_ratio
from .._matcher.base import Cluster
from ..facts import Fact
from ..factset import TAGS, Row, field_index
from ..rubric import Rubric
from ..rubric.conditions import Phase, Quantity, Select
from ..rubric.model import GradeScale, Title, Veto
from ..rubric.walk import Assessed
from ._scorers import AdjustmentPlan, IndicatorPlan
from ._slots import QuantityPlan, RuleRef
from ._state import Layout, TeamState

__all__ = [
    "FastPaths",
    "KindPlan",
    "LateGetter",
    "Plan",
    "RouteEntry",
    "TeamCluster",
    "VetoPlan",
]


class KindPlan:
    """How the records of one kind are matched and routed to selections (they are rows)."""

    __slots__ = ("always", "clusters", "fields", "key", "kind", "memo", "routes", "tags")

    def __init__(
        self, kind: str, cls: type[Fact], fields: tuple[str, ...], tags: tuple[str, ...]
    ) -> None:
        self.kind = kind
        self.fields = fields
        self.tags = tags
        self.always: tuple[int, ...] = ()
        self.clusters: list[Cluster] = []
        self.routes: list[tuple[int, ...]] = []  # per cluster: rule bit -> select index
        self.memo: dict[Any, tuple[int, ...]] = {}
        self.key: Callable[[Row], Any] = _constant_key
        indices = [field_index(cls, f) for f in fields]
        if fields and not tags:
            self.key = operator.itemgetter(*indices)
        elif tags:
            getter = operator.itemgetter(*indices) if fields else None
            many = len(fields) > 1

            def key(row: Row, getter: Any = getter, tags: tuple[str, ...] = tags) -> Any:
                own = row[TAGS]
                found = tuple(t in own for t in tags)
                if getter is None:
                    return found
                values = getter(row)
                return (*values, *found) if many else (values, *found)

            self.key = key

    def record(self, key: Any) -> tuple[object, ...]:
        """The matcher record for a projection key."""
        width = len(self.fields) + len(self.tags)
        if width == 0:
            return ()
        if width == 1 and not self.tags:
            return (key,)
        return tuple(key)


def _constant_key(row: Row) -> Any:
    return None


class TeamCluster:
    """A cluster of team-level rules of one phase, the quantity slots it reads, and its memo."""

    __slots__ = ("cluster", "index", "key", "memo", "phase", "slots")

    def __init__(self, index: int, phase: Phase, cluster: Cluster, slots: tuple[int, ...]) -> None:
        self.index = index
        self.phase = phase
        self.cluster = cluster
        self.slots = slots
        self.memo: dict[Any, int] = {}
        # a rule may read no quantity at all (``WhenAll(2, [AllOf()])``): one constant key
        getter = operator.itemgetter(*slots) if slots else _no_slots
        self.key: Callable[[Sequence[Any]], Any] = getter

    def record(self, key: Any) -> tuple[object, ...]:
        """The matcher record for a key (ratios as exact fractions, ÷0 as missing)."""
        values = (key,) if len(self.slots) == 1 else key
        return tuple(exact_ratio(*v) if isinstance(v, tuple) else v for v in values)


def _no_slots(values: Sequence[Any]) -> tuple[()]:
    return ()


@attrs.frozen
class VetoPlan:
    """A veto, the rule that fires it, and the selections whose facts explain it."""

    veto: Veto
    ref: RuleRef
    selects: tuple[int, ...]


#: What ``assess_team`` did with a team: nothing the phased path can keep (a fact projection
#: the memos have not seen, an input problem to report, an assessor's score to check) ...
NOT_STARTED: Final = 0
#: ... the whole assessment ...
ASSESSED: Final = 1
#: ... or its facts routed and its fact quantities computed, with a rule answer not memoised:
#: the phased path takes the team from the matching of rules on.
ROUTED: Final = 2


@attrs.frozen
class FastPaths:
    """The functions generated for one plan (see :mod:`._codegen`).

    ``quantities(st, problems)``, ``score(st)`` and ``grades(st)`` are the stages of the phased
    path (which runs the matcher between them); ``assess_team(st)`` fuses every stage for one
    team and returns :data:`ASSESSED`, or :data:`ROUTED` / :data:`NOT_STARTED` when a memo misses
    or the input has a problem (the team then takes the phased path, from the rules' matching
    or from the start). ``source`` is their Python source, also registered in ``linecache``.
    """

    quantities: Callable[[TeamState, list[Any]], None]
    score: Callable[[TeamState], None]
    grades: Callable[[TeamState], None]
    assess_team: Callable[[TeamState], int]
    source: str


#: Per fact class (by its rows' code): its projection key, its memo lookup, and its plan
#: (``None``: routed nowhere).
RouteEntry = tuple[Callable[[Row], Any], Callable[[Any], Any], KindPlan | None]
#: A quantity known after scoring: its slot and how to read it off a scored team.
LateGetter = tuple[int, Callable[[TeamState], Any]]


class Plan:
    """The compiled rubric; built by :func:`~._compile.compile_plan`, then only read.

    Its memos (in :class:`KindPlan` and :class:`TeamCluster`) fill as teams are assessed.
    """

    #: the quantities known only after scoring, per phase (set by the compiler)
    late: Mapping[Phase, Sequence[LateGetter]]
    #: the generated functions (set once, by the compiler, right after the rest)
    fast: FastPaths

    def __init__(
        self,
        *,
        rubric: Rubric,
        selects: Sequence[Select],
        quantities: Sequence[QuantityPlan],
        quantity_index: Mapping[Quantity, int],
        kinds: Mapping[type[Fact], KindPlan],
        team_clusters: Sequence[TeamCluster],
        indicators: Sequence[IndicatorPlan],
        adjustments: Sequence[AdjustmentPlan],
        vetoes: Sequence[VetoPlan],
        scales: Sequence[tuple[GradeScale, Sequence[RuleRef | None]]],
        titles: Sequence[tuple[Title, RuleRef | None]],
        weights: Sequence[Decimal],
        assessor_scores: Mapping[str, tuple[int, Assessed]],
        all_scores: int | None,
        routes: Mapping[int, RouteEntry],
        groups: Sequence[Sequence[int]],
    ) -> None:
        self.rubric = rubric
        self.selects = tuple(selects)
        self.select_index = {s: i for i, s in enumerate(self.selects)}
        self.quantities = tuple(quantities)
        self.quantity_index = dict(quantity_index)
        self.kinds = dict(kinds)
        self.team_clusters = tuple(team_clusters)
        self.indicators = tuple(indicators)
        self.adjustments = tuple(adjustments)
        self.vetoes = tuple(vetoes)
        self.scales = tuple((scale, tuple(refs)) for scale, refs in scales)
        self.titles = tuple(titles)
        self.weights = tuple(weights)
        self.assessor_scores = dict(assessor_scores)
        self.all_scores = all_scores
        self.routes = dict(routes)
        #: exclusive groups: indices of adjustments sharing (dimension, group), in rubric order
        self.groups = tuple(tuple(g) for g in groups)
        #: per adjustment in an exclusive group: the group's members (itself included)
        self.group_members = {i: members for members in self.groups for i in members}
        self.dimension_index = {d.id: i for i, d in enumerate(rubric.dimensions)}
        self.layout = Layout(len(self.indicators), len(self.adjustments), len(rubric.dimensions))

    def new_state(self, team: Any, records: Sequence[Row]) -> TeamState:
        """An empty state for one team, shaped for this plan."""
        return TeamState(self.layout, len(self.quantities), len(self.team_clusters), team, records)

    def clusters(self) -> list[Cluster]:
        """Every cluster the matcher must prepare: the fact streams', then the teams'."""
        streams = [c for plan in self.kinds.values() for c in plan.clusters]
        return streams + [tc.cluster for tc in self.team_clusters]
