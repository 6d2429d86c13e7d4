"""pytest support for the rubric consistency kit: fixtures, and the whole battery in one line.

Opt in from a ``conftest.py`` (nothing changes for a project that does not)::

    pytest_plugins = ["assessment_engine.pytest_plugin"]

Fixtures:

``rubric_plugins``
    the plugins under test. Override it in your ``conftest.py`` to return your plugin modules
    (only those are registered); the default, ``None``, means the plugins installed in the
    environment (the ``assessment_engine`` entry points).
``kit_matcher``
    the matcher of the engines the kit builds: ``"python"`` (override to ``"durable"``).
``kit_engine``
    an :class:`~assessment_engine.Engine` for ``rubric_plugins``, closed after the test.

And :func:`rubric_consistency_tests`, which makes a test class running the static checks
(:func:`assessment_engine.kit.check_rubric`) and every property of
:mod:`assessment_engine.kit.properties`, one test each::

    # test_rubric_consistency.py
    from assessment_engine.pytest_plugin import rubric_consistency_tests

    TestRubricConsistency = rubric_consistency_tests()

The class works without the opt-in too, when it is given the plugins itself.

With the opt-in, every scenario file (``*.scenarios.toml``, ``*.scenarios.xlsx``; see
``docs/scenarios.md``) under the test paths is collected: each case is one test item, named
after the case, that fails with the case's diff. The file's ``[scenarios]`` table says which
rule sets it runs against (rubric files, blocked plugins, the installed plugins or not).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .engine import Engine, MatcherName
    from .scenarios import CaseResult, Scenario

__all__ = [
    "ScenarioFailure",
    "ScenarioItem",
    "ScenarioModule",
    "kit_engine",
    "kit_matcher",
    "pytest_collect_file",
    "rubric_consistency_tests",
    "rubric_plugins",
]


@pytest.fixture
def rubric_plugins() -> Sequence[object] | None:
    """The plugins under test: override to return your plugin modules.

    ``None`` (the default) means the plugins installed in the environment.
    """
    return None


@pytest.fixture
def kit_matcher() -> MatcherName:
    """The matcher of the engines the kit builds (``"python"``; both give identical results)."""
    return "python"


def _engine(plugins: Sequence[object] | None, matcher: MatcherName) -> Engine:
    from .engine import Engine

    if plugins is None:
        return Engine(matcher=matcher)
    return Engine(list(plugins), entry_points=False, matcher=matcher)


@pytest.fixture
def kit_engine(
    rubric_plugins: Sequence[object] | None, kit_matcher: MatcherName
) -> Iterator[Engine]:
    """An engine for ``rubric_plugins`` (closed after the test)."""
    engine = _engine(rubric_plugins, kit_matcher)
    yield engine
    engine.close()


def _static_checks(subject: Sequence[object] | Engine, fail_on: Collection[str]) -> None:
    from .engine import Engine
    from .kit import check_plugins, check_rubric

    if isinstance(subject, Engine):
        findings = check_rubric(subject.rubric)
    else:
        findings = check_plugins(*subject, entry_points=False)
    failing = [f for f in findings if f.severity in fail_on]
    if failing:
        shown = "\n".join(f"  {finding}" for finding in findings)
        raise AssertionError(
            f"static checks: {len(failing)} finding(s) of severity"
            f" {' or '.join(sorted(set(fail_on)))}:\n{shown}"
        )


def _property_test(name: str, options: dict[str, Any]) -> Callable[..., None]:
    def test(self: object, kit_subject: Sequence[object] | Engine) -> None:
        from .kit.properties import check_properties

        check_properties(kit_subject, properties=[name], **options)

    test.__name__ = test.__qualname__ = f"test_{name}"
    test.__doc__ = f"The rule set holds the property {name!r} on generated teams."
    return test


def rubric_consistency_tests(
    plugins: Sequence[object] | None = None,
    *,
    max_examples: int = 50,
    matcher: MatcherName = "python",
    properties: Collection[str] | None = None,
    per_capita: Collection[str] | None = None,
    static_checks: bool = True,
    fail_on: Collection[str] = ("error", "warning"),
    name: str = "TestRubricConsistency",
) -> type:
    """A test class that holds a rule set to the whole consistency kit.

    Assign it to a module-level name starting with ``Test`` in one test file. It has
    ``test_static_checks`` (the findings of :func:`assessment_engine.kit.check_rubric` of a
    severity in ``fail_on`` fail it; skipped where the static checks are not available) and one
    ``test_<property>`` per property of :data:`assessment_engine.kit.properties.PROPERTIES`.

    :param plugins: the plugin modules under test (only these are registered); by default the
        ``rubric_plugins`` fixture (with the opt-in), else the installed plugins.
    :param max_examples: generated fact sets per property.
    :param matcher: the matcher of the engines the kit builds.
    :param properties: the properties to test (default: all).
    :param per_capita: indicators or parts held to the per-capita property (default: those
        that read only ``per_capita(...)`` quantities).
    :param static_checks: include ``test_static_checks``.
    :param fail_on: the finding severities that fail ``test_static_checks``.
    :param name: the class's name.
    """
    from .kit.properties import select_properties

    # the names are checked now, when the test module is imported, not in every test
    chosen = select_properties(properties)
    given = None if plugins is None else list(plugins)

    @pytest.fixture
    def kit_subject(
        self: object, request: pytest.FixtureRequest
    ) -> Iterator[Sequence[object] | Engine]:
        if given is not None:
            yield given
            return
        try:
            found = request.getfixturevalue("rubric_plugins")
        except pytest.FixtureLookupError:
            found = None
        if found is not None:
            yield list(found)
            return
        engine = _engine(None, matcher)
        yield engine
        engine.close()

    namespace: dict[str, Any] = {
        "__doc__": "The rule set under test holds the rubric consistency kit.",
        "kit_subject": kit_subject,
    }
    if static_checks:

        def test_static_checks(self: object, kit_subject: Sequence[object] | Engine) -> None:
            """No finding of the static checks has a failing severity."""
            _static_checks(kit_subject, fail_on)

        namespace["test_static_checks"] = test_static_checks
    options: dict[str, Any] = {
        "max_examples": max_examples,
        "matcher": matcher,
        "per_capita": per_capita,
    }
    for prop in chosen:  # in PROPERTIES order
        namespace[f"test_{prop}"] = _property_test(prop, options)
    return type(name, (), namespace)


# ----------------------------------------------------------------------------- scenario files
class ScenarioFailure(AssertionError):
    """A scenario whose verdict was not the one expected (or that could not be assessed)."""

    def __init__(self, result: CaseResult) -> None:
        self.result = result
        super().__init__(f"{result.headline()}\n{result.diff()}")


class ScenarioModule(pytest.File):
    """A scenario file: one item per case, sharing one engine built for the file."""

    engine: Engine | None = None

    def collect(self) -> Iterable[ScenarioItem]:
        """One :class:`ScenarioItem` per case, in file order."""
        from .scenarios import ScenarioFileError, load_scenarios

        try:
            self.scenario_file = load_scenarios(self.path)
        except ScenarioFileError as exc:
            raise self.CollectError(str(exc)) from None
        for scenario in self.scenario_file.scenarios:
            yield ScenarioItem.from_parent(self, name=scenario.name, scenario=scenario)

    def setup(self) -> None:
        """Build the file's engine before its first case runs."""
        from .scenarios import engine_for

        self.engine = engine_for(self.scenario_file)

    def teardown(self) -> None:
        """Close the engine after the file's last case."""
        if self.engine is not None:
            self.engine.close()
            self.engine = None


class ScenarioItem(pytest.Item):
    """One case of a scenario file, run against its file's engine."""

    def __init__(self, *, scenario: Scenario, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scenario = scenario

    def runtest(self) -> None:
        """Assess the case; raise :class:`ScenarioFailure` when a verdict differs."""
        from .scenarios import run_scenario

        parent = self.parent
        assert isinstance(parent, ScenarioModule)
        assert parent.engine is not None
        result = run_scenario(parent.engine, self.scenario)
        if not result.passed:
            raise ScenarioFailure(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        """The case's diff, instead of a traceback into the runner."""
        if isinstance(excinfo.value, ScenarioFailure):
            result = excinfo.value.result
            return f"{result.headline()}\n{result.diff()}"
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int, str]:
        """Where the case is written."""
        return self.path, self.scenario.line - 1, f"scenario: {self.scenario.name}"


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> ScenarioModule | None:
    """Collect ``*.scenarios.toml`` and ``*.scenarios.xlsx`` files as :class:`ScenarioModule`."""
    from .scenarios import is_scenario_file

    if is_scenario_file(file_path):
        module: ScenarioModule = ScenarioModule.from_parent(parent, path=file_path)
        return module
    return None
