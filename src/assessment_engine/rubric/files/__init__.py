"""Rubric files: rule sets as TOML data, with located errors, and the condition language.

::

    from assessment_engine.rubric.files import dump, load

    text = dump(engine.rubric, plugin="party_building")   # a rule set as TOML
    loaded = load(text, source="party.toml")              # RubricFile: objects by hook

``docs/rubric-files.md`` describes the format; ``docs/rubric-file.schema.json`` is its JSON
Schema (:func:`json_schema`). The plugin that serves a file through the hooks is
:func:`assessment_engine.rubric_file`.
"""

from ._dump import dump, to_file_data
from ._errors import ExpressionError, FileProblem, RubricFileError
from ._format import format_condition, format_quantity, format_selection
from ._load import FORMAT_VERSION, RubricFile, load, load_file, load_files, load_texts
from ._parse import (
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_NODES,
    parse_condition,
    parse_quantity,
    parse_selection,
)
from ._positions import Position, PositionIndex, index_positions
from ._schema import json_schema

__all__ = [
    "FORMAT_VERSION",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_NODES",
    "ExpressionError",
    "FileProblem",
    "Position",
    "PositionIndex",
    "RubricFile",
    "RubricFileError",
    "dump",
    "format_condition",
    "format_quantity",
    "format_selection",
    "index_positions",
    "json_schema",
    "load",
    "load_file",
    "load_files",
    "load_texts",
    "parse_condition",
    "parse_quantity",
    "parse_selection",
    "to_file_data",
]
