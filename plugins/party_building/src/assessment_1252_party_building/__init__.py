"""The party-building (党建) rule set of the 1252 method, as an ``assessment_engine`` plugin.

Registers the dimension ``pb`` (100 points + at most 10 bonus points), its six indicators
(``pb.leader``, ``pb.develop``, ``pb.study``, ``pb.life``, ``pb.talent``, ``pb.vanguard``),
bonuses, penalties and vetoes, and two fact kinds (``leader_appraisal``, ``party_review``).
It is found through the entry point ``party_building`` in the group ``assessment_engine``.
Weights, grades and titles come from the ``method_1252`` plugin. README.md lists the facts it
reads and every decision taken where the proposal was unclear.
"""

from ._facts import LEADER_RATINGS, REVIEW_RATINGS, LeaderAppraisal, PartyReview
from ._hooks import (
    DIMENSION,
    assessment_register_dimensions,
    assessment_register_fact_types,
    assessment_register_indicators,
    assessment_register_rules,
)
from ._indicators import INDICATORS
from ._rules import BONUSES, PENALTIES, VETOES

__all__ = [
    "BONUSES",
    "DIMENSION",
    "INDICATORS",
    "LEADER_RATINGS",
    "PENALTIES",
    "REVIEW_RATINGS",
    "VETOES",
    "LeaderAppraisal",
    "PartyReview",
    "assessment_register_dimensions",
    "assessment_register_fact_types",
    "assessment_register_indicators",
    "assessment_register_rules",
]
