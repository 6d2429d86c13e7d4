"""CI holds the installed built-in rule sets to every property of the consistency kit.

The built-in rule sets are the plugins in ``plugins/`` that make the 1252 method:
``party_building``, ``business_performance``, ``civility`` and ``method_1252``, loaded through
their entry points exactly as ``Engine()`` loads them. The food institute's plugin is a
department example (it adds a 10-point indicator to ``bp``, which the static checks report); it
is held to the properties too, in a test of its own.

A test here fails when a rule set breaks a property; it is skipped, saying why, only when the
rule sets cannot be loaded (not installed: ``pip install -e plugins/<name>``, as nox does).
The long runs are marked ``slow``: ``pytest -m slow tests/test_kit_builtin.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assessment_engine import AssessmentError, Engine
from assessment_engine.engine import MatcherName
from assessment_engine.kit.properties import PROPERTIES, check_properties

BUILT_IN = ("business_performance", "civility", "method_1252", "party_building")
DEPARTMENT = ("food_institute",)


def load(block: tuple[str, ...], matcher: MatcherName = "python") -> Engine:
    try:
        engine = Engine(matcher=matcher, block=block)
    except AssessmentError as exc:  # installed but broken: the gate must fail, not skip
        pytest.fail(f"the installed rule sets failed to load: {type(exc).__name__}: {exc}")
    missing = sorted(set(BUILT_IN) - {p.name for p in engine.plugins})
    if missing:
        engine.close()
        pytest.skip(
            f"the built-in rule sets {missing} are not installed"
            " (pip install -e plugins/<name>, as nox does)"
        )
    return engine


@pytest.fixture(scope="module")
def built_in() -> Iterator[Engine]:
    engine = load(block=DEPARTMENT)
    yield engine
    engine.close()


def test_the_built_in_rule_sets_hold_every_property(built_in: Engine) -> None:
    assert {p.name for p in built_in.plugins} >= set(BUILT_IN)
    run = check_properties(built_in, max_examples=40, min_teams=2, max_teams=4)
    # every property was exercised: a vetoed team seen, per-capita parts scaled, ...
    assert set(run.checks) == set(PROPERTIES)
    assert all(count > 0 for count in run.checks.values()), run
    assert run.notes == (), run


def test_the_department_example_holds_every_property() -> None:
    engine = load(block=())
    try:
        if "food_institute" not in {p.name for p in engine.plugins}:
            pytest.skip("the food institute's plugin is not installed (pip install -e ...)")
        run = check_properties(engine, max_examples=15, min_teams=2, max_teams=3)
        assert all(count > 0 for count in run.checks.values()), run
    finally:
        engine.close()


@pytest.mark.slow
@pytest.mark.parametrize("matcher", ["python", "durable"])
def test_the_built_in_rule_sets_at_length(matcher: str, request: pytest.FixtureRequest) -> None:
    if "slow" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("a long run: select it with -m slow")
    engine = load(block=DEPARTMENT, matcher=matcher)  # type: ignore[arg-type]
    try:
        check_properties(engine, max_examples=1000, max_teams=6)
    finally:
        engine.close()
