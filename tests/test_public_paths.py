"""Public import paths keep working, and every dotted name the docs mention exists.

The package moved into rooms (docs/architecture.md); the paths users import from did not move
for them: a module that moved leaves a re-export behind, and the test holds both to the same
objects.
"""

from __future__ import annotations

import importlib
import re
import traceback
from pathlib import Path

import pytest

import assessment_engine
from assessment_engine import Engine, rubric

ROOT = Path(__file__).resolve().parent.parent

#: The public modules (LAYOUT.md's list, and the others the docs use).
PUBLIC = (
    "assessment_engine",
    "assessment_engine.rubric",
    "assessment_engine.rubric.walk",
    "assessment_engine.rubric.describe",
    "assessment_engine.facts",
    "assessment_engine.factset",
    "assessment_engine.loading",
    "assessment_engine.errors",
    "assessment_engine.hookspecs",
    "assessment_engine.results",
    "assessment_engine.serialize",
    "assessment_engine.report",
    "assessment_engine.render.json",
    "assessment_engine.render.csv",
    "assessment_engine.render.xlsx",
    "assessment_engine.render.html",
    "assessment_engine.engine",
    "assessment_engine.session",
    "assessment_engine.strategies",
    "assessment_engine.whatif",
    "assessment_engine.kit",
    "assessment_engine.kit.properties",
    "assessment_engine.testing",
    "assessment_engine.pytest_plugin",
    "assessment_engine.html_report",
    "assessment_engine.spreadsheets",
    "assessment_engine.cli",
)


@pytest.mark.parametrize("name", PUBLIC)
def test_every_name_a_public_module_exports_exists(name):
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{name} has no __all__"
    for item in exported:
        assert hasattr(module, item), f"{name}.{item}"


def test_moved_modules_re_export_the_same_objects():
    from assessment_engine import html_report, loading, spreadsheets
    from assessment_engine.render import html

    assert html_report.render_report is html.render
    for name in spreadsheets.__all__:
        assert getattr(spreadsheets, name) is getattr(loading, name)


def test_the_version_comes_from_the_installed_metadata():
    assert assessment_engine.__version__ == importlib.metadata.version("assessment-engine")


def _documented_names() -> list[str]:
    pages = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
    pages += sorted((ROOT / "plugins").glob("*/README.md"))
    found: dict[str, None] = {}
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for match in re.finditer(r"\bassessment_engine(?:\.[A-Za-z_][A-Za-z0-9_]*)+", text):
            name = match.group(0)
            if not any(part.startswith("_") for part in name.split(".")):
                found.setdefault(name)
    return list(found)


def _resolve(name: str) -> object:
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:end]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[end:]:
            obj = getattr(obj, attribute)
        return obj
    raise ModuleNotFoundError(name)  # pragma: no cover


NOT_MODULES = {
    # plugin and logger names that read like module paths
    "assessment_engine.builtin_facts",
    "assessment_engine.plugins",
}


def test_every_dotted_name_the_docs_mention_imports():
    names = [n for n in _documented_names() if n not in NOT_MODULES]
    assert len(names) > 10
    missing = []
    for name in names:
        try:
            _resolve(name)
        except (ImportError, AttributeError) as exc:
            missing.append(f"{name}: {exc}")
    assert missing == []


def test_a_traceback_through_generated_code_shows_its_lines():
    built = rubric.Rubric.build(
        dimensions=[rubric.Dimension(id="d", label="D", max=10)],
        indicators=[
            rubric.Indicator(
                id="d.i",
                dimension="d",
                label="I",
                max=10,
                scoring=rubric.PerItem(rubric.facts("activity"), points=1),
            )
        ],
    )
    with Engine.from_rubric(built, matcher="python") as engine:
        paths = engine._pipeline.plan.fast
        assert "def score(st):" in paths.source
        with pytest.raises(AttributeError) as caught:
            paths.score(object())  # type: ignore[arg-type]
    shown = "".join(traceback.format_exception(caught.value))
    assert "<assessment_engine generated score" in shown
    assert "L = st.lists" in shown  # the generated line itself, from linecache


def _error_tree() -> list[tuple[str, str]]:
    """``(child, parent)`` for every line of the tree in ``errors.py``'s docstring."""
    from assessment_engine import errors

    assert errors.__doc__ is not None
    block = errors.__doc__.split("::", 1)[1]
    pairs: list[tuple[str, str]] = []
    parents: dict[int, str] = {}
    lines = [line for line in block.splitlines() if line.strip()]
    indent = len(lines[0]) - len(lines[0].lstrip())  # the root's column
    for line in lines:
        found = re.search(r"[├└]── ([A-Z]\w+)", line)
        if found is not None:
            depth = (found.start() - indent) // 4 + 1
        elif re.match(r"\s*[A-Z]\w+", line) and len(line) - len(line.lstrip()) == indent:
            found, depth = re.search(r"([A-Z]\w+)", line), 0
        else:
            continue  # a description continued
        assert found is not None, line
        parents[depth] = found.group(1)
        if depth:
            pairs.append((found.group(1), parents[depth - 1]))
    return pairs


def test_the_error_tree_in_errors_py_is_the_class_tree():
    from assessment_engine import errors

    pairs = _error_tree()
    assert ("LedgerStateError", "LedgerError") in pairs
    for child, parent in pairs:
        assert issubclass(getattr(errors, child), getattr(errors, parent)), (child, parent)
    drawn = {child for child, _ in pairs} | {"AssessmentError"}
    classes = {
        name
        for name in errors.__all__
        if isinstance(getattr(errors, name), type)
        and issubclass(getattr(errors, name), errors.AssessmentError)
    }
    assert classes == drawn


def test_the_ledger_errors_keep_their_public_path():
    pytest.importorskip("sqlalchemy")
    from assessment_engine import errors, ledger

    for name in ("LedgerError", "LedgerFileError", "LedgerBusyError", "LedgerStateError"):
        assert getattr(ledger, name) is getattr(errors, name)
    assert issubclass(ledger.LedgerUnavailableError, errors.DependencyError)
    assert issubclass(ledger.UnknownRecordError, KeyError)
