"""Room 6: the pipeline — a rubric compiled once, then teams routed, matched, scored and ranked.

Inside, bottom up: ``_state`` (a team's computed state and the layout of its points),
``_conditions`` (conditions in the matchers' language), ``_slots`` (what scorers register
into), ``_scorers`` (one class per scoring form), ``_plan`` (the compiled rubric with every
derived table), ``_late`` and ``_codegen`` (tables and the generated fast path, computed at
compile time), ``_compile``, ``_evaluate`` (the phased path), ``_standings`` (ranks, ties,
titles, quotas), ``_assessments`` (results built from states), ``_assess`` (the
:class:`Pipeline` the engine, sessions and reports share).
"""

from ._assess import Pipeline, TeamStateData
from ._conditions import condition_holds, select_matches
from ._standings import Standings
from ._state import TeamState

__all__ = [
    "Pipeline",
    "Standings",
    "TeamState",
    "TeamStateData",
    "condition_holds",
    "select_matches",
]
