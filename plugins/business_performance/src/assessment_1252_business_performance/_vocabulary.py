"""Names shared by the indicators and rules: the dimension, levels and selections.

Everything a data owner writes into a ``kind``, ``level``, ``award``, ``role`` or
``severity`` is spelled here once; README.md lists the same vocabulary as a table.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "AWARD_LEVELS",
    "DIMENSION",
    "PROVINCIAL_UP",
]

#: The dimension id of business performance (业务).
DIMENSION: Final = "bp"

#: 省级以上 (regulators adopting a result): provincial, ministerial or national.
PROVINCIAL_UP: Final = ("provincial", "ministerial", "national")
#: 省局级或以上 (association and standard awards): 市级 ranks with 省局级 (both 厅局级).
AWARD_LEVELS: Final = ("bureau", "city", "provincial", "ministerial", "national")
