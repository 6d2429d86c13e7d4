"""The civility (精神文明) rule set of the 1252 method, as an ``assessment_engine`` plugin.

Registers the dimension ``cv`` (100 points + at most 10 bonus points), its six indicators
(``cv.volunteer``, ``cv.pairing``, ``cv.outreach``, ``cv.enterprise``, ``cv.culture``,
``cv.discipline``), bonuses and vetoes, and the fact kind ``pairing_visit``. It is found through
the entry point ``civility`` in the group ``assessment_engine``. Weights, grades and titles come
from the ``method_1252`` plugin. README.md lists the facts it reads and every decision taken
where the proposal was unclear.
"""

from ._facts import PairingVisit
from ._hooks import (
    DIMENSION,
    assessment_register_dimensions,
    assessment_register_fact_types,
    assessment_register_indicators,
    assessment_register_rules,
)
from ._indicators import INDICATORS
from ._rules import BONUSES, VETOES

__all__ = [
    "BONUSES",
    "DIMENSION",
    "INDICATORS",
    "VETOES",
    "PairingVisit",
    "assessment_register_dimensions",
    "assessment_register_fact_types",
    "assessment_register_indicators",
    "assessment_register_rules",
]
