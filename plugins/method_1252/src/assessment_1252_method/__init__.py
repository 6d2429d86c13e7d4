"""The cross-dimension parts of the 1252 method, as an ``assessment_engine`` plugin.

Registers the composite weights (0.30 党建, 0.50 业务, 0.20 精神文明), grade scales for each
dimension and the composite, the titles 红旗班组 / 先进班组 / 达标班组 / 待改进班组 with their
quotas, and the ranking. It needs the dimension plugins ``party_building``,
``business_performance`` and ``civility``, and is found through the entry point
``method_1252`` in the group ``assessment_engine``. README.md explains every decision.
"""

from ._hooks import (
    assessment_register_grade_scales,
    assessment_register_ranking,
    assessment_register_rules,
    assessment_register_weights,
)
from ._method import (
    ADVANCED,
    DIMENSIONS,
    EXCELLENT,
    FAIL,
    GOOD,
    GRADE_SCALES,
    HIGH_LEVEL_BONUSES,
    HONOURS_QUOTA,
    IMPROVE,
    PASS,
    QUOTAS,
    RANKING,
    RED_FLAG,
    RED_FLAG_QUOTA,
    STANDARD,
    TITLES,
    VETOED,
    WEIGHTS,
)

__all__ = [
    "ADVANCED",
    "DIMENSIONS",
    "EXCELLENT",
    "FAIL",
    "GOOD",
    "GRADE_SCALES",
    "HIGH_LEVEL_BONUSES",
    "HONOURS_QUOTA",
    "IMPROVE",
    "PASS",
    "QUOTAS",
    "RANKING",
    "RED_FLAG",
    "RED_FLAG_QUOTA",
    "STANDARD",
    "TITLES",
    "VETOED",
    "WEIGHTS",
    "assessment_register_grade_scales",
    "assessment_register_ranking",
    "assessment_register_rules",
    "assessment_register_weights",
]
