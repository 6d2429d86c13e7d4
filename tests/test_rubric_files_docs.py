"""docs/rubric-files.md is executed: its TOML files load, its Python runs, its output is shown.

- a ```toml block whose first line is ``# NAME.toml`` is written to NAME.toml in a scratch
  directory (the current directory while the page runs), before any Python block runs;
- every ```python block runs, in page order, in one namespace; a ```text block right after a
  Python block is exactly what that block prints; ```sh blocks are not run;
- every other ```toml block is still valid TOML.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "rubric-files.md"
_BLOCK = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```$", re.MULTILINE | re.DOTALL)
_FILE = re.compile(r"^# (\S+\.toml)\n")


def blocks() -> list[tuple[str, str]]:
    return [(m[1], m[2]) for m in _BLOCK.finditer(PAGE.read_text(encoding="utf-8"))]


def test_every_block_is_known() -> None:
    found = {language for language, _ in blocks()}
    assert found <= {"python", "toml", "sh", "text", ""}, found
    assert sum(language == "python" for language, _ in blocks()) >= 5


def test_every_toml_block_is_toml() -> None:
    for language, body in blocks():
        if language == "toml":
            tomllib.loads(body)


def test_the_page_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSESSMENT_ENGINE_BLOCK_PLUGINS", raising=False)
    (tmp_path / "examples").mkdir()
    shutil.copy(ROOT / "examples" / "institute-2024.json", tmp_path / "examples")
    page = blocks()
    for language, body in page:
        match = _FILE.match(body)
        if language == "toml" and match:
            (tmp_path / match[1]).write_text(body, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "docs_rubric_files"}
    for index, (language, body) in enumerate(page):
        if language != "python":
            continue
        out = io.StringIO()
        code = compile(body, f"{PAGE.name} block {index}", "exec", dont_inherit=True)
        with contextlib.redirect_stdout(out):
            exec(code, namespace)
        if index + 1 < len(page) and page[index + 1][0] == "text":
            assert out.getvalue() == page[index + 1][1], f"output of block {index}"
