"""Room 10: what the tools read from a rubric without running it.

The constants and thresholds generated teams should land on (``_targets``), and what one more
fact does to an indicator and which units points belong to (``_effects``). Shared by the
strategies, the what-if search and the consistency kit; nothing here depends on Hypothesis.
"""

from ._effects import (
    Effect,
    Unit,
    Usage,
    fact_effect,
    indicator_usages,
    per_capita_units,
    per_capita_value_ofs,
    rubric_ids,
    scoring_units,
    unit_points,
)
from ._targets import DIRECTION, Target, field_constants, points_tables, rubric_targets

__all__ = [
    "DIRECTION",
    "Effect",
    "Target",
    "Unit",
    "Usage",
    "fact_effect",
    "field_constants",
    "indicator_usages",
    "per_capita_units",
    "per_capita_value_ofs",
    "points_tables",
    "rubric_ids",
    "rubric_targets",
    "scoring_units",
    "unit_points",
]
