"""docs/scenarios.md is executed: its files are written, its commands run, their output shown.

- a ```toml (or ```json) block whose first line is ``# NAME`` is written to NAME (a JSON file
  without that line) in a scratch directory (the current directory while the page runs), in
  page order, before what follows;
- a ```console block is a session at the command line: each ``$ assessment-engine ...`` line
  runs the command (in-process, through click), and the lines up to the next ``$`` are exactly
  what it prints; ``# exits N`` at the end of a command line is its exit status (else 0);
- every ```python block runs, in page order, in one namespace; a ```text block right after a
  Python block is exactly what that block prints.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from assessment_engine.cli import main

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "scenarios.md"
_BLOCK = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```$", re.MULTILINE | re.DOTALL)
_FILE = re.compile(r"^# (\S+\.(?:toml|json))\n")
_EXITS = re.compile(r"\s+# exits (\d+)$")


def blocks() -> list[tuple[str, str]]:
    return [(m[1], m[2]) for m in _BLOCK.finditer(PAGE.read_text(encoding="utf-8"))]


def test_every_block_is_known() -> None:
    found = {language for language, _ in blocks()}
    assert found <= {"python", "toml", "json", "console", "text", ""}, found
    assert sum(language == "console" for language, _ in blocks()) >= 4


def test_every_toml_block_is_toml() -> None:
    for language, body in blocks():
        if language == "toml":
            tomllib.loads(body)


def _session(body: str) -> list[tuple[list[str], int, str]]:
    """``(arguments, exit status, expected output)`` of each command of a console block."""
    commands: list[tuple[list[str], int, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            command = line[2:]
            status = 0
            found = _EXITS.search(command)
            if found:
                status, command = int(found[1]), command[: found.start()]
            words = shlex.split(command)
            assert words[0] == "assessment-engine", line
            commands.append((words[1:], status, []))
        else:
            assert commands, f"output before a command: {line!r}"
            commands[-1][2].append(line)
    return [(args, status, "".join(f"{x}\n" for x in out)) for args, status, out in commands]


def test_the_page_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSESSMENT_ENGINE_BLOCK_PLUGINS", raising=False)
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.chdir(tmp_path)
    page = blocks()
    namespace: dict[str, object] = {"__name__": "docs_scenarios"}
    runner = CliRunner()
    for index, (language, body) in enumerate(page):
        match = _FILE.match(body)
        if language in ("toml", "json") and match:
            text = body if language == "toml" else body[match.end() :]  # JSON has no comments
            (tmp_path / match[1]).write_text(text, encoding="utf-8")
        elif language == "console":
            for args, status, expected in _session(body):
                result = runner.invoke(main, args)
                shown = "\n".join(line.rstrip() for line in result.output.splitlines())
                assert shown + "\n" == expected, f"block {index}: {shlex.join(args)}"
                assert result.exit_code == status, f"block {index}: {shlex.join(args)}"
        elif language == "python":
            out = io.StringIO()
            code = compile(body, f"{PAGE.name} block {index}", "exec", dont_inherit=True)
            with contextlib.redirect_stdout(out):
                exec(code, namespace)
            if index + 1 < len(page) and page[index + 1][0] == "text":
                assert out.getvalue() == page[index + 1][1], f"output of block {index}"
