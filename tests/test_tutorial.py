"""docs/tutorial-department-plugin.md is executed: if it drifts from the plugin, it fails here.

The page's conventions, which these tests enforce:

- Every ```` ```python ```` block runs, in page order, in one namespace; its assertions must hold.
  A ```` ```text ```` block right after a Python block is exactly what that block prints.
  ```` ```sh ```` blocks are commands for the reader and are not run.
- A block whose first line is a comment naming a path under ``plugins/`` shows that file: the
  blocks naming one file, put together (without that first line, two blank lines apart), are
  exactly the file. So the tutorial's plugin *is* the plugin in ``plugins/food_institute``.
- A Python block whose first line is a comment ``# test_<name>.py`` is a pytest module for the
  reader to save; it is also run by pytest here, and every test in it must pass.

The food plugin must be installed (``pip install -e plugins/food_institute``; nox does it).
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "tutorial-department-plugin.md"
_BLOCK = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```$", re.MULTILINE | re.DOTALL)
_FILE = re.compile(r"^# (plugins/\S+)\n")
_TEST_MODULE = re.compile(r"^# (test_\w+\.py)\n")
LANGUAGES = {"python", "sh", "text", "toml"}


def blocks() -> list[tuple[str, str]]:
    """The page's fenced blocks as (language, body)."""
    return [(m[1], m[2]) for m in _BLOCK.finditer(PAGE.read_text(encoding="utf-8"))]


def test_every_block_is_run_or_marked_not_to_run() -> None:
    # a ```py or ```Python block would silently escape execution
    found = {language for language, _ in blocks()}
    assert found <= LANGUAGES, found - LANGUAGES
    assert sum(language == "python" for language, _ in blocks()) >= 10


def test_tutorial_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSESSMENT_ENGINE_BLOCK_PLUGINS", raising=False)
    monkeypatch.delenv("ASSESSMENT_ENGINE_TRACE_HOOKS", raising=False)
    namespace: dict[str, object] = {"__name__": "tutorial_department_plugin"}
    page = blocks()
    try:
        for index, (language, body) in enumerate(page):
            if language != "python":
                continue
            out = io.StringIO()
            code = compile(body, f"{PAGE.name} block {index}", "exec", dont_inherit=True)
            with contextlib.redirect_stdout(out):
                exec(code, namespace)
            if index + 1 < len(page) and page[index + 1][0] == "text":
                assert out.getvalue() == page[index + 1][1], f"output of block {index}"
    finally:
        for value in namespace.values():
            close = getattr(value, "close", None)
            if type(value).__name__ == "Engine" and callable(close):
                close()


def test_the_files_shown_are_the_plugins_files() -> None:
    shown: dict[str, list[str]] = {}
    for _, body in blocks():
        match = _FILE.match(body)
        if match:
            shown.setdefault(match[1], []).append(body[match.end() :])
    assert set(shown) == {
        "plugins/food_institute/pyproject.toml",
        "plugins/food_institute/src/assessment_food_institute/__init__.py",
    }
    for path, parts in shown.items():
        together = "\n\n\n".join(part.rstrip("\n") for part in parts) + "\n"
        assert together == (ROOT / path).read_text(encoding="utf-8"), path


def test_the_pytest_example_passes(pytester: pytest.Pytester) -> None:
    modules = [
        (match[1], body[match.end() :])
        for language, body in blocks()
        if language == "python" and (match := _TEST_MODULE.match(body))
    ]
    assert [name for name, _ in modules] == ["test_instrument_innovation.py"]
    for name, code in modules:
        pytester.makepyfile(**{name.removesuffix(".py"): code})
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=6)
