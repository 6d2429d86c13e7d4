"""docs/ledger.md is executed: every ```python block, in order, in one namespace, in an empty
directory beside the examples (as tests/test_docs.py does for the other pages)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy")

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "ledger.md"
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def test_the_ledger_page_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ASSESSMENT_ENGINE_MATCHER", "python")
    blocks = _BLOCK.findall(PAGE.read_text(encoding="utf-8"))
    assert len(blocks) >= 10
    namespace: dict[str, object] = {"__name__": "docs.ledger"}
    for number, block in enumerate(blocks, start=1):
        exec(compile(block, f"ledger.md block {number}", "exec"), namespace)
    assert (tmp_path / "assessments.db").exists()


def test_the_page_is_listed_in_the_readme() -> None:
    assert "(docs/ledger.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
