"""The built-in 1252 rule sets, shipped as TOML too: same hash and same results as Python.

Each plugin directory ships ``rubric.toml`` beside its Python modules (package data). The files
were written by :func:`assessment_engine.rubric.files.dump` from the Python rule sets and are
committed; these tests hold them to the Python rule sets: the text is what the dumper writes
today, the rubric assembled from the four files has the Python rubric's content hash, and the
example institute's report is byte for byte the same on both matchers.

Regenerate the files after changing a Python rule set::

    ASSESSMENT_ENGINE_WRITE_RUBRIC_FILES=1 pytest tests/test_rubric_files_builtin.py
"""

from __future__ import annotations

import importlib.resources
import os
import time
from pathlib import Path
from typing import Any

import pytest

from assessment_engine import Engine
from assessment_engine._plugins import rubric_files
from assessment_engine.rubric.files import dump

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "institute-2024.json"
#: plugin name -> (package shipping the file, its description)
BUILTIN: dict[str, tuple[str, str]] = {
    "party_building": ("assessment_1252_party_building", "党建 (party building), the 1252 method"),
    "business_performance": (
        "assessment_1252_business_performance",
        "业务 (business performance), the 1252 method",
    ),
    "civility": ("assessment_1252_civility", "精神文明 (civility), the 1252 method"),
    "method_1252": (
        "assessment_1252_method",
        "The 1252 method across dimensions: weights, grades, titles and quotas, ranking",
    ),
}
#: The fields the Python fact classes check or derive with their own code, declared as data.
DECLARE: dict[str, dict[str, dict[str, Any]]] = {
    "standard": {"category": {"type": "text", "derived": "concat(level, '_', role)"}},
    "pairing_visit": {
        "family": {"type": "text", "non_empty": True},
        "quarter": {"type": "integer", "derived": "quarter(date)"},
    },
}


def shipped(plugin: str) -> Path:
    package, _ = BUILTIN[plugin]
    return Path(str(importlib.resources.files(package).joinpath("rubric.toml")))


@pytest.fixture(scope="module")
def python_engine() -> Any:
    with Engine(block=["food_institute"], matcher="python") as engine:
        yield engine


def test_the_shipped_files_are_what_the_dumper_writes(python_engine: Engine) -> None:
    stale = []
    for plugin, (_, description) in BUILTIN.items():
        text = dump(python_engine.rubric, plugin=plugin, declare=DECLARE, description=description)
        path = shipped(plugin)
        if os.environ.get("ASSESSMENT_ENGINE_WRITE_RUBRIC_FILES") == "1":
            path.write_text(text, encoding="utf-8")
        if path.read_text(encoding="utf-8") != text:
            stale.append(str(path))
    assert not stale, f"regenerate (see this module's docstring): {stale}"


def test_the_shipped_files_give_the_python_hash(python_engine: Engine) -> None:
    plugins = rubric_files(*(shipped(p) for p in BUILTIN))
    with Engine(plugins, entry_points=False, matcher="python") as engine:
        assert engine.rubric.content_hash == python_engine.rubric.content_hash
        assert engine.rubric.to_data() == python_engine.rubric.to_data()
        # the objects are the Python objects, and each file registered its own plugin's
        for key, owner in python_engine.rubric.provenance.items():
            if owner in BUILTIN:
                assert engine.rubric.plugin_of(key) == str(shipped(owner)), key


@pytest.mark.parametrize("matcher", ["python", "durable"])
def test_the_shipped_files_give_the_python_report(matcher: str) -> None:
    with Engine(block=["food_institute"], matcher=matcher) as python:  # type: ignore[arg-type]
        expected = python.assess(python.load_facts(EXAMPLE)).to_json()
    plugins = rubric_files(*(shipped(p) for p in BUILTIN))
    with Engine(plugins, entry_points=False, matcher=matcher) as engine:  # type: ignore[arg-type]
        report = engine.assess(engine.load_facts(EXAMPLE))
    assert report.to_json() == expected
    assert len(report) >= 5


def test_declared_kinds_validate_as_strictly_as_the_python_classes(tmp_path: Path) -> None:
    import json

    from assessment_engine import InputError
    from assessment_engine.loading import load_json

    plugins = rubric_files(*(shipped(p) for p in BUILTIN))
    with Engine(plugins, entry_points=False, matcher="python") as engine:
        kinds = engine.rubric.fact_types
    assert kinds["leader_appraisal"].__module__ == "assessment_engine.rubric.files.declared"
    bad = tmp_path / "bad.json"
    records = [
        {
            "fact": "team",
            "team": "T",
            "period": "2024",
            "name": "t",
            "department": "d",
            "headcount": 3,
        },
        {
            "fact": "leader_appraisal",
            "team": "T",
            "period": "2024",
            "id": "a",
            "rating": "excelent",
        },
        {
            "fact": "pairing_visit",
            "team": "T",
            "period": "2024",
            "id": "v",
            "family": "  ",
            "date": "2024-02-01",
        },
        {
            "fact": "standard",
            "team": "T",
            "period": "2024",
            "id": "s",
            "level": "national",
            "role": "lead",
            "category": "x",
        },
    ]
    bad.write_text(json.dumps(records), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_json(bad, fact_types=kinds)
    found = {(p.record, p.field): p.reason for p in caught.value.problems}
    assert "did you mean 'excellent'" in found["record 1", "rating"]
    assert "non-empty" in found["record 2", "family"]
    assert "unknown field 'category'" in found["record 3", "category"]
    assert len(found) == 3


def test_declared_derivations_compute_what_the_python_code_does() -> None:
    import datetime

    from assessment_1252_business_performance._facts import Standard
    from assessment_1252_civility._facts import PairingVisit

    plugins = rubric_files(*(shipped(p) for p in BUILTIN))
    with Engine(plugins, entry_points=False, matcher="python") as engine:
        kinds = engine.rubric.fact_types
    for month in range(1, 13):
        date = datetime.date(2024, month, 15)
        args = {"team": "T", "period": "2024", "id": "v", "family": "f", "date": date}
        assert kinds["pairing_visit"](**args).quarter == PairingVisit(**args).quarter
    for level in ("national", "industry", "local", "group"):
        for role in ("lead", "participant"):
            args = {"team": "T", "period": "2024", "id": "s", "level": level, "role": role}
            assert kinds["standard"](**args).category == Standard(**args).category


def test_reading_the_four_files_is_quick() -> None:
    # a measurement for the report, not a speed target: the bound is generous
    paths = [shipped(p) for p in BUILTIN]
    start = time.perf_counter()
    rubric_files(*paths)
    assert time.perf_counter() - start < 5


def test_the_consistency_kit_holds_the_files_to_its_properties() -> None:
    from assessment_engine.kit.properties import check_properties

    run = check_properties(rubric_files(*(shipped(p) for p in BUILTIN)), max_examples=10)
    text = str(run)
    assert "monotonicity" in text
    assert "plugin_order" in text  # the file plugins registered in other orders
    # a kind declared in a file cannot be imported by a child process: that property skips
    assert "determinism: no fresh process" in text
