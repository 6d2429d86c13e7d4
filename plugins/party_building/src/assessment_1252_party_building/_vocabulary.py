"""Names shared by the indicators and rules: the dimension, levels, party statuses, selections.

Everything a data owner writes into a ``kind``, ``level``, ``severity`` or tag is spelled here
once; README.md lists the same vocabulary as a table.
"""

from __future__ import annotations

from typing import Final

from assessment_engine.rubric import Condition, Select, facts

__all__ = [
    "BUREAU_TIER",
    "CITY_UP",
    "DIMENSION",
    "INSTITUTE_UP",
    "PARTY",
    "PARTY_AND_ACTIVISTS",
    "PROVINCIAL_UP",
    "leaders",
]

#: The dimension id of party building (党建).
DIMENSION: Final = "pb"

#: 院级及以上: every level from the institute up.
INSTITUTE_UP: Final = ("institute", "bureau", "city", "provincial", "ministerial", "national")
#: 省局级: the provincial bureau and the city (市级 ranks with 省局级: both 厅局级).
BUREAU_TIER: Final = ("bureau", "city")
#: 市级以上 (media and publications): city, provincial, ministerial or national.
CITY_UP: Final = ("city", "provincial", "ministerial", "national")
#: 省级及以上.
PROVINCIAL_UP: Final = ("provincial", "ministerial", "national")

#: 中共党员: full and probationary members (预备党员 count as 党员, as in party statistics).
PARTY: Final = ("member", "probationary")
#: 党员 (含入党积极分子).
PARTY_AND_ACTIVISTS: Final = ("member", "probationary", "activist")


def leaders(where: Condition | None = None, /, **eq: object) -> Select:
    """The team's ``member`` records with role ``leader`` (班组长, 室主任)."""
    return facts("member", where, role="leader", **eq)
