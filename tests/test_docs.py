"""The documentation's examples are executed: a page whose code or assertions drift fails here.

Every ```python block of a page runs, in order, in one namespace; ```sh blocks are not run.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
EXECUTED_PAGES = ["getting-started.md", "concepts.md"]
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def python_blocks(page: Path) -> list[str]:
    return _BLOCK.findall(page.read_text(encoding="utf-8"))


@pytest.mark.parametrize("page", EXECUTED_PAGES)
def test_page_examples_run(page: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = DOCS / page
    blocks = python_blocks(path)
    assert blocks, f"{page} has no python examples"
    namespace: dict[str, object] = {"__name__": f"docs.{path.stem}"}
    for number, block in enumerate(blocks, start=1):
        code = compile(block, f"{path.name} block {number}", "exec")
        exec(code, namespace)
    engine = namespace.get("engine")
    if engine is not None and hasattr(engine, "close"):
        engine.close()


def test_readme_commands_are_the_ci_commands() -> None:
    root = DOCS.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"^```sh\n(?:#.*\n)?(.+)\n```", readme, re.MULTILINE)
    assert len(commands) == 2, commands
    demo, tests = commands
    assert tests.strip() in (root / ".ci" / "run").read_text(encoding="utf-8")
    assert demo.strip().endswith("nox -s demo")
