"""The validated, indexed input an engine assesses: :class:`FactSet`, and facts as rows.

``_set`` holds the set; ``_rows`` the compact row form of records the pipeline reads.
"""

from ._bounds import number_problems
from ._rows import (
    ID,
    PERIOD,
    TAGS,
    TEAM,
    Row,
    field_index,
    from_row,
    is_row,
    kind_code,
    row_class,
    row_identity,
    row_kind,
    tags_tuple,
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
    "is_row",
    "kind_code",
    "number_problems",
    "row_class",
    "row_identity",
    "row_kind",
    "tags_tuple",
    "to_row",
]
