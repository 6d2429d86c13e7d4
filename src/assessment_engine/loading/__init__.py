"""Loading facts from JSON and CSV files, through one project-owned cattrs converter.

Every record names its fact kind under the key ``"fact"`` (the value of the fact class's
``fact_kind``)::

    {"fact": "activity", "team": "T1", "period": "2024", "id": "a1", "kind": "volunteer",
     "hours": "3"}

The tag is ``"fact"`` and not ``"kind"`` because activities, achievements, metrics and
incidents have a field of their own named ``kind``. A fact class therefore must not have a
field named ``fact``.

A load either returns a complete, validated :class:`~assessment_engine.factset.FactSet` or
raises one :class:`~assessment_engine.errors.InputError` listing every problem found, each with
the file, the record (``"record 3"``: index 3 of the JSON list, counted from 0; ``"line 7"``:
physical line 7 of a CSV file), the field and the reason. Problems inside records (unknown
kinds, unknown fields, values that do not convert or validate) are reported first; the checks
across records (duplicate ids, records of a team without a team record) run once every record
is well formed. ``load_records`` reads records without those checks across them (for a few
records to put into a larger set).

Readers, one module per format behind the suffix table :data:`READERS`: ``_json``, ``_csv``
and ``_xlsx`` (CSV files and XLSX sheets share the header checks of ``_rows``); the cattrs
converter is ``_converter``; the fill-in template ``_template``; writing facts back ``_dump``.
"""

from ..errors import SpreadsheetUnavailableError
from ..facts import TAG
from ._converter import converter_for, facts_converter
from ._dump import dump_json
from ._load import (
    READERS,
    facts_from_records,
    load_csv,
    load_facts,
    load_json,
    load_records,
    load_xlsx,
)
from ._template import (
    FIELDS_SHEET,
    LISTS_SHEET,
    TemplateFormat,
    field_description,
    template_kinds,
    write_template,
)
from ._types import PathLike
from ._xlsx import SKIPPED_PREFIX

__all__ = [
    "FIELDS_SHEET",
    "LISTS_SHEET",
    "READERS",
    "SKIPPED_PREFIX",
    "TAG",
    "PathLike",
    "SpreadsheetUnavailableError",
    "TemplateFormat",
    "converter_for",
    "dump_json",
    "facts_converter",
    "facts_from_records",
    "field_description",
    "load_csv",
    "load_facts",
    "load_json",
    "load_records",
    "load_xlsx",
    "template_kinds",
    "write_template",
]
