"""The business-performance (业务) rule set of the 1252 method, as an ``assessment_engine`` plugin.

Registers the dimension ``bp`` (100 points + at most 10 bonus points), its seven indicators
(``bp.task``, ``bp.project``, ``bp.acceptance``, ``bp.std_ip``, ``bp.innovation``,
``bp.service``, ``bp.dedication``), bonuses, penalties and vetoes, and the fact kind
``standard``. It is found through the entry point ``business_performance`` in the group
``assessment_engine``. Weights, grades and titles come from the ``method_1252`` plugin.
README.md lists the facts it reads and every decision taken where the proposal was unclear.
"""

from ._facts import STANDARD_LEVELS, STANDARD_ROLES, Standard
from ._hooks import (
    DIMENSION,
    assessment_register_dimensions,
    assessment_register_fact_types,
    assessment_register_indicators,
    assessment_register_rules,
)
from ._indicators import INDICATORS
from ._rules import AWARD_BONUSES, BONUSES, PENALTIES, VETOES

__all__ = [
    "AWARD_BONUSES",
    "BONUSES",
    "DIMENSION",
    "INDICATORS",
    "PENALTIES",
    "STANDARD_LEVELS",
    "STANDARD_ROLES",
    "VETOES",
    "Standard",
    "assessment_register_dimensions",
    "assessment_register_fact_types",
    "assessment_register_indicators",
    "assessment_register_rules",
]
