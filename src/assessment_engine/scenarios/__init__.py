"""Scenario tests of rubrics: *given these facts, expect this verdict*, without Python.

A scenario file (TOML, or an XLSX workbook) lists cases; each gives one or more teams' facts
and what the engine must decide about them — points per indicator, part or rule, dimension
scores, the composite, grades, titles, rank, vetoes. :func:`load_scenarios` reads a file,
:func:`run_file` runs it and measures the coverage of the rubric (the indicators, bands and
rules no case reaches). ``assessment-engine test`` runs files from the command line, and the
pytest plugin (:mod:`assessment_engine.pytest_plugin`) collects each case as a test.
``docs/scenarios.md`` describes the format.
"""

from __future__ import annotations

import os
from pathlib import Path

from ._coverage import Coverage
from ._model import (
    EXPECTATIONS,
    CaseResult,
    Expectation,
    Mismatch,
    Scenario,
    ScenarioFile,
    ScenarioFileError,
    Setup,
    show_value,
)
from ._run import FileRun, check_scenario, engine_for, run_file, run_scenario
from ._toml import DEFAULT_PERIOD, DEFAULT_TEAM, read_toml_text
from ._xlsx import EXPECT_SHEET

__all__ = [
    "DEFAULT_PERIOD",
    "DEFAULT_TEAM",
    "EXPECTATIONS",
    "EXPECT_SHEET",
    "CaseResult",
    "Coverage",
    "Expectation",
    "FileRun",
    "Mismatch",
    "Scenario",
    "ScenarioFile",
    "ScenarioFileError",
    "Setup",
    "check_scenario",
    "engine_for",
    "is_scenario_file",
    "load_scenarios",
    "read_toml_text",
    "run_file",
    "run_scenario",
    "show_value",
]


def load_scenarios(path: str | os.PathLike[str]) -> ScenarioFile:
    """Read a scenario file: ``.toml`` text or an ``.xlsx`` workbook.

    :raises ScenarioFileError: with every problem of the file, located.
    :raises OSError: when the file cannot be read.
    """
    from ._toml import read_toml
    from ._xlsx import read_xlsx

    suffix = Path(path).suffix.lower()
    if suffix == ".xlsx":
        return read_xlsx(path)
    if suffix == ".toml":
        return read_toml(path)
    raise ScenarioFileError.unsupported(os.fspath(path), suffix)


def is_scenario_file(path: str | os.PathLike[str]) -> bool:
    """Whether pytest collects the file: ``*.scenarios.toml`` or ``*.scenarios.xlsx``."""
    name = Path(path).name.lower()
    return name.endswith((".scenarios.toml", ".scenarios.xlsx"))
