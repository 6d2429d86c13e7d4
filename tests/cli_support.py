"""Shared by the command line's tests: a small rule set, its facts, and a runner.

``Cli(tmp_path)`` writes the rule set (a plugin file) and the facts (JSON) into the test's
directory; ``cli.run(command, ...)`` runs the command with that rule set (no entry points, the
plain matcher) through click's runner and asserts that nothing printed a traceback. Import it
into a test module: ``from cli_support import Cli``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from click.testing import CliRunner, Result

from assessment_engine import Activity, Fact, Incident, Member, Team, dump_json
from assessment_engine.cli import main

Y = "2024"

RULES = """
from assessment_engine import hookimpl
from assessment_engine.rubric import (
    Band, Bands, Dimension, GradeBand, GradeScale, Indicator, PerItem, Title, Total, Veto,
    exists, facts, per_capita,
)


class Civility:
    @hookimpl
    def assessment_register_dimensions(self):
        return [Dimension(id="cv", label="精神文明 (civility)", max=25)]

    @hookimpl
    def assessment_register_indicators(self):
        volunteer = facts("activity", kind="volunteer")
        return [
            Indicator(id="cv.hours", dimension="cv",
                      label="人均志愿时长 (volunteer hours per member)", max=15,
                      scoring=Bands(per_capita(Total(volunteer, "hours")),
                                    [Band.at_least(20, 15), Band.at_least(12, 10),
                                     Band.at_least(6, 5)])),
            Indicator(id="cv.events", dimension="cv", label="志愿活动 (volunteer events)",
                      max=10, scoring=PerItem(volunteer, points=2, cap=10)),
        ]

    @hookimpl
    def assessment_register_rules(self):
        from assessment_engine.rubric import Composite
        return [
            Veto(id="cv.veto", label="刑事案件 (criminal case)",
                 when=exists(facts("incident", kind="criminal_case"))),
            Title(id="title.star", label="文明班组 (civilised team)",
                  when=Composite().at_least(18)),
        ]

    @hookimpl
    def assessment_register_grade_scales(self):
        return [GradeScale(id="cv.grade", label="等级 (grade)", of="cv", bands=[
            GradeBand(label="优秀 (excellent)", at_least=20),
            GradeBand(label="合格 (pass)", at_least=12),
            GradeBand(label="不合格 (fail)")])]
"""


def team_facts(name: str = "食品所微生物班组", department: str = "食品所") -> list[Fact]:
    """Three teams: micro (ranked first), instr, and sales (vetoed); micro's name and department
    can be chosen (to plant hostile text)."""
    return [
        Team(team="micro", period=Y, name=name, department=department, headcount=2),
        Member(team="micro", period=Y, id="m1", party_status="member", age=28),
        Activity(team="micro", period=Y, id="v1", kind="volunteer", hours=24),
        Activity(team="micro", period=Y, id="v2", kind="volunteer", hours=16),
        Team(team="instr", period=Y, name="食品所仪器室", department="食品所", headcount=2),
        Activity(team="instr", period=Y, id="v1", kind="volunteer", hours=8),
        Activity(team="instr", period=Y, id="v2", kind="volunteer", hours=8),
        Team(team="sales", period=Y, name="塑化所业务室", department="塑化所", headcount=1),
        Activity(team="sales", period=Y, id="v1", kind="volunteer", hours=30),
        Incident(team="sales", period=Y, id="i1", kind="criminal_case"),
    ]


class Cli:
    """The test's rule set and facts in ``tmp_path``, and a runner of commands with them."""

    def __init__(self, tmp_path: Path, facts: Sequence[Fact] | None = None) -> None:
        self.tmp = tmp_path
        rules = tmp_path / "rules.py"
        rules.write_text(RULES, encoding="utf-8")
        self.rules = f"{rules}:Civility"
        self.facts = tmp_path / "facts.json"
        self.facts.write_text(dump_json(list(facts or team_facts())), encoding="utf-8")

    def run(
        self,
        *args: str,
        own_rules: bool = True,
        input: bytes | str | None = None,
        env: dict[str, str] | None = None,
    ) -> Result:
        """Run ``assessment-engine ARGS`` (with this rule set unless ``own_rules=False``)."""
        runner = CliRunner(env=env)
        extra = ["--no-entry-points", "--plugin", self.rules, "--matcher", "python"]
        command, *rest = args
        if command == "ledger":
            sub, *rest = rest
            argv = [command, sub, *rest]
        else:
            argv = [command, *rest]
        if own_rules:
            argv += extra
        result = runner.invoke(main, argv, input=input)
        assert "Traceback" not in result.output
        assert "Traceback" not in (result.stderr or "")
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result
