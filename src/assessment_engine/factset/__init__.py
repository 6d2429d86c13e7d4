"""The validated, indexed input an engine assesses: :class:`FactSet`, and facts as rows.

``_set`` holds the set; ``_rows`` the compact row form of records the pipeline reads.
"""

from ._rows import (
    ID,
    PERIOD,
    TAGS,
    TEAM,
    Row,
    field_index,
    from_row,
    row_identity,
    row_kind,
    to_row,
)
from ._set import FactSet

__all__ = [
    "ID",
    "PERIOD",
    "TAGS",
    "TEAM",
    "FactSet",
    "Row",
    "field_index",
    "from_row",
    "row_identity",
    "row_kind",
    "to_row",
]
