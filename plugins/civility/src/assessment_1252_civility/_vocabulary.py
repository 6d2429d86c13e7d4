"""Names shared by the indicators and rules: the dimension, levels and selections.

Everything a data owner writes into a ``kind``, ``level`` or ``severity`` is spelled here once;
README.md lists the same vocabulary as a table.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "CITY_UP",
    "DIMENSION",
    "MEDIA_CITY_UP",
]

#: The dimension id of civility (精神文明).
DIMENSION: Final = "cv"

#: 市级以上 (honours): city, the provincial bureau (ranks with the city: both 厅局级),
#: province, ministry, nation.
CITY_UP: Final = ("city", "bureau", "provincial", "ministerial", "national")
#: 市级以上媒体 (media): city, provincial, ministerial (central-ministry papers) or national.
MEDIA_CITY_UP: Final = ("city", "provincial", "ministerial", "national")
