"""evaluate warns on standard error about facts the rule sets do not count (the data lint)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from assessment_engine import Activity
from assessment_engine.cli import _lint_note

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # --import-mode=importlib: make the sibling module importable
    sys.path.insert(0, str(HERE))

from cli_support import Cli, Y, team_facts  # noqa: E402

TYPO = Activity(team="micro", period=Y, id="v9", kind="volunteering", hours=500)


def test_evaluate_warns_about_facts_no_rule_counts(tmp_path: Path) -> None:
    cli = Cli(tmp_path, facts=[*team_facts(), TYPO])
    result = cli.run("evaluate", str(cli.facts), "--format", "csv")
    assert result.exit_code == 0
    assert "warning: " in result.stderr
    assert "kind='volunteering'" in result.stderr
    assert "did you mean" in result.stderr
    assert "lint warning" in result.stderr
    quiet = cli.run("evaluate", str(cli.facts), "--format", "csv", "--no-lint")
    assert "warning" not in quiet.stderr
    assert quiet.stdout == result.stdout  # the ranking is the same either way


def test_evaluate_is_quiet_when_every_fact_counts(tmp_path: Path) -> None:
    facts = [f for f in team_facts() if f.fact_kind != "member"]  # no rule reads members
    cli = Cli(tmp_path, facts=facts)
    result = cli.run("evaluate", str(cli.facts), "--format", "csv")
    assert "warning" not in result.stderr


def test_only_the_first_warnings_are_shown_with_the_count(tmp_path: Path) -> None:
    typos = [
        Activity(team="micro", period=Y, id=f"t{i}", kind=f"volunteering{i}", hours=1)
        for i in range(_lint_note.SHOWN + 2)
    ]
    cli = Cli(tmp_path, facts=[*team_facts(), *typos])
    result = cli.run("evaluate", str(cli.facts), "--format", "csv")
    assert result.stderr.count("warning: ") == _lint_note.SHOWN
    assert "more)" in result.stderr


def test_large_inputs_skip_the_lint_unless_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_lint_note, "MAX_TEAMS", 2)
    cli = Cli(tmp_path, facts=[*team_facts(), TYPO])
    skipped = cli.run("evaluate", str(cli.facts), "--format", "csv")
    assert "data lint was skipped for 3 teams" in skipped.stderr
    assert "warning: " not in skipped.stderr
    asked = cli.run("evaluate", str(cli.facts), "--format", "csv", "--lint")
    assert "kind='volunteering'" in asked.stderr
