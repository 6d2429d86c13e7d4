"""Facts in spreadsheets (moved to :mod:`assessment_engine.loading`; this path keeps working)."""

from .loading import (
    SpreadsheetUnavailableError,
    field_description,
    load_xlsx,
    template_kinds,
    write_template,
)

__all__ = [
    "SpreadsheetUnavailableError",
    "field_description",
    "load_xlsx",
    "template_kinds",
    "write_template",
]
