"""The JSON Schema for editors: generated from the model, committed, and true of the files.

Regenerate docs/rubric-file.schema.json after a change to the model or the format::

    ASSESSMENT_ENGINE_WRITE_RUBRIC_FILES=1 pytest tests/test_rubric_files_schema.py
"""

from __future__ import annotations

import json
import os
import sys
import tomllib
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest

from assessment_engine.rubric.files import json_schema

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # --import-mode=importlib: make the sibling module importable
    sys.path.insert(0, str(HERE))

from test_rubric_files_builtin import BUILTIN, shipped  # noqa: E402

SCHEMA = HERE.parent / "docs" / "rubric-file.schema.json"


def _text() -> str:
    return json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"


def test_the_published_schema_is_up_to_date() -> None:
    if os.environ.get("ASSESSMENT_ENGINE_WRITE_RUBRIC_FILES") == "1":
        SCHEMA.write_text(_text(), encoding="utf-8")
    assert SCHEMA.read_text(encoding="utf-8") == _text(), "regenerate: see this module"


def test_the_schema_is_a_valid_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(json_schema())


@pytest.mark.parametrize("plugin", list(BUILTIN))
def test_the_shipped_files_validate(plugin: str) -> None:
    data = tomllib.loads(shipped(plugin).read_text(encoding="utf-8"), parse_float=Decimal)
    jsonschema.Draft202012Validator(json_schema()).validate(data)


def test_the_schema_refuses_what_the_loader_refuses() -> None:
    validator = jsonschema.Draft202012Validator(json_schema())
    good = {
        "dimension": [{"id": "d", "label": "d", "max": 10}],
        "indicator": [
            {
                "id": "d.i",
                "dimension": "d",
                "label": "i",
                "max": 3,
                "bands": {"quantity": "headcount", "bands": [{"at_least": 3, "points": 3}]},
            }
        ],
    }
    assert validator.is_valid(good)
    bad_key = json.loads(json.dumps(good))
    bad_key["indicator"][0]["lable"] = "x"
    two_forms = json.loads(json.dumps(good))
    two_forms["indicator"][0]["assessor_score"] = {"maximum": 3}
    no_edge = json.loads(json.dumps(good))
    no_edge["indicator"][0]["bands"]["bands"][0] = {"points": 3}
    text_number = json.loads(json.dumps(good))
    text_number["dimension"][0]["max"] = "10"
    for bad in (bad_key, two_forms, no_edge, text_number):
        assert not validator.is_valid(bad)
