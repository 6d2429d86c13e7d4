"""Repository-wide pytest configuration.

Hypothesis runs without per-example deadlines and without the "too slow" health check: CI
machines share their cores, and a property that holds must not fail because the machine was
busy. Everything else stays strict (warnings are errors, see pyproject.toml).
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

settings.register_profile(
    "assessment_engine",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("assessment_engine")

# Scenario files (*.scenarios.toml, *.scenarios.xlsx) under the test paths are collected, one
# test per case (docs/scenarios.md): the pytest plugin's collection hook, without its fixtures.
from assessment_engine.pytest_plugin import pytest_collect_file  # noqa: E402, F401
