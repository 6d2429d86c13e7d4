"""Scenario files: reading them (every problem located), running them (pass, fail with a diff,
error), their coverage of a rubric, workbooks, the ``test`` command's exit codes, and pytest
collecting each case as a test."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from assessment_engine.cli import main
from assessment_engine.scenarios import (
    ScenarioFileError,
    load_scenarios,
    read_toml_text,
    run_file,
)

pytest_plugins = ["pytester"]

# ruff: noqa: E501 - TOML lines of a rubric and its scenarios, as an office writes them
RUBRIC = """\
[[dimension]]
id = "lab"
label = "实验室 (lab)"
max = 20

[[indicator]]
id = "lab.training"
dimension = "lab"
label = "培训 (training)"
max = 10
bands = { quantity = "per_capita(total(activity where kind == 'training', hours))", bands = [{ at_least = 8, points = 10 }, { at_least = 4, points = 5 }] }

[[indicator]]
id = "lab.hazards"
dimension = "lab"
label = "隐患 (hazards)"
max = 10
deduct = { base = 10, deductions = [{ label = "每处扣2分", points = 2, select = "incident where kind == 'hazard'" }] }

[[penalty]]
id = "lab.penalty.late"
dimension = "lab"
label = "迟报 (late report)"
per_item = { select = "incident where kind == 'late_report'", points = 3 }

[[veto]]
id = "lab.veto.accident"
label = "事故 (accident)"
when = "exists(incident where kind == 'accident')"

[[grade_scale]]
id = "grade.lab"
label = "等级 (grade)"
of = "lab"
bands = [{ label = "合格 (pass)", at_least = 12 }, { label = "不合格 (fail)" }]
"""

CASES = """\
[scenarios]
rubric = ["lab.toml"]
entry_points = false

[[scenario]]
name = "full"
team = { headcount = 2 }
facts = [{ fact = "activity", kind = "training", hours = 16 }]
expect = { indicators = { "lab.training" = 10 }, grades = { lab = "合格 (pass)" }, rank = 1 }

[[scenario]]
name = "wrong"
team = { headcount = 2 }
facts = [
    { fact = "activity", kind = "training", hours = 8 },
    { fact = "incident", kind = "late_report" },
]
expect = { indicators = { "lab.training" = 10 }, penalties = { "lab.penalty.late" = 3 }, vetoed = false }
"""


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("ASSESSMENT_ENGINE_BLOCK_PLUGINS", raising=False)
    (tmp_path / "lab.toml").write_text(RUBRIC, encoding="utf-8")
    (tmp_path / "lab.scenarios.toml").write_text(CASES, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


# ----------------------------------------------------------------------------- reading
def test_a_file_reads_into_cases_with_their_lines(folder: Path) -> None:
    file = load_scenarios(folder / "lab.scenarios.toml")
    assert [s.name for s in file.scenarios] == ["full", "wrong"]
    full = file.scenarios[0]
    assert full.line == 5
    assert full.teams == ("T1",)
    assert [(e.what, e.id, e.expected, e.line) for e in full.expectations] == [
        ("indicators", "lab.training", Decimal(10), 9),
        ("grades", "lab", "合格 (pass)", 9),
        ("rank", "", 1, 9),
    ]
    team, activity = full.records
    assert team[0] == {"fact": "team", "team": "T1", "headcount": 2, "name": "T1", "period": "test"}
    assert activity[0]["id"] == "activity-1"
    assert activity[1] == "line 8"
    assert file.setup.rubric == (str(folder / "lab.toml"),)
    assert not file.setup.entry_points


def test_every_problem_of_a_file_is_located_at_once() -> None:
    text = """\
[scenarios]
entry_point = false

[[scenario]]
name = "a"
facts = [{ kind = "x" }]
expect = { indicator = { "x" = 1 }, rank = 0 }

[[scenario]]
name = "a"
expect = { composite = "90" }
"""
    with pytest.raises(ScenarioFileError) as caught:
        read_toml_text(text, source="s.toml")
    found = [str(p) for p in caught.value.problems]
    assert found == [
        "s.toml:2:1: scenarios.entry_point: unknown key 'entry_point' (did you mean"
        " 'entry_points'?); the keys are description, rubric, block, entry_points, matcher,"
        " period",
        "s.toml:6:10: scenario[0].facts[0]: a record is a table naming its kind:"
        ' { fact = "activity", kind = ... }',
        "s.toml:7:12: scenario[0].expect.indicator: unknown key 'indicator' (did you mean"
        " 'indicators'?); the keys are indicators, parts, bonuses, penalties, dimensions,"
        " grades, composite, titles, rank, vetoes, vetoed",
        's.toml:7:37: scenario[0].expect.rank: expected a rank (1, 2, ...) or "none"'
        " (unranked), got 0",
        "s.toml:10:1: scenario[1].name: scenario 'a' is also the name of the case on line 4;"
        " names are unique in a file",
        "s.toml:11:12: scenario[1].expect.composite: expected a number, got '90' (write it"
        " without quotes)",
    ]


def test_a_file_that_is_not_toml_names_the_line() -> None:
    with pytest.raises(ScenarioFileError) as caught:
        read_toml_text("[[scenario]\nname = 1\n", source="bad.toml")
    (problem,) = caught.value.problems
    assert (problem.source, problem.line) == ("bad.toml", 1)


def test_a_file_of_another_type_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ScenarioFileError, match=r"unsupported file type '\.yaml'"):
        load_scenarios(tmp_path / "cases.yaml")


# ----------------------------------------------------------------------------- running
def test_cases_pass_fail_with_a_diff_and_the_coverage(folder: Path) -> None:
    run = run_file(load_scenarios(folder / "lab.scenarios.toml"), matcher="python")
    full, wrong = run.results
    assert full.passed
    assert full.checked == 3
    assert wrong.outcome == "failed"
    assert not run.passed
    (mismatch,) = wrong.mismatches
    assert (mismatch.expectation.id, mismatch.actual) == ("lab.training", Decimal(5))
    assert wrong.diff().splitlines()[:3] == [
        "  T1 indicator lab.training (line 18)",
        "    - expected 10",
        "    + got      5",
    ]
    assert "= 8/2 = 4 ≥ 4 → 5" in wrong.diff()
    coverage = run.coverage
    assert coverage is not None
    assert not coverage.complete
    assert coverage.reached == (
        ("indicators", 2, 2),
        ("bands", 2, 3),
        ("grade bands", 1, 2),
        ("rules", 1, 2),
    )
    assert coverage.bands_missed == ("lab.training: otherwise → 0",)
    assert coverage.grade_bands_missed == ("grade.lab: 不合格 (fail)",)
    assert coverage.rules_missed == ("lab.veto.accident",)


def test_an_unknown_id_or_invalid_facts_is_the_cases_error(folder: Path) -> None:
    text = CASES.replace('"lab.training" = 10 }, grades', '"lab.trainin" = 10 }, grades')
    text = text.replace('kind = "late_report" }', 'kind = "late_report", hours = 3 }')
    (folder / "lab.scenarios.toml").write_text(text, encoding="utf-8")
    run = run_file(load_scenarios("lab.scenarios.toml"), matcher="python")
    unknown, invalid = run.results
    assert unknown.outcome == invalid.outcome == "error"
    assert unknown.error == (
        "lab.scenarios.toml:9: the rubric has no indicator 'lab.trainin'"
        " (did you mean 'lab.training'?)"
    )
    assert "lab.scenarios.toml, line 16, field 'hours': unknown field 'hours'" in invalid.error


def test_several_teams_are_assessed_together(folder: Path) -> None:
    text = """\
[scenarios]
rubric = ["lab.toml"]
entry_points = false

[[scenario]]
name = "ranks"
[[scenario.teams]]
team = { team = "A", headcount = 1 }
facts = [{ fact = "activity", kind = "training", hours = 8 }]
expect = { rank = 1, dimensions = { lab = 20 } }
[[scenario.teams]]
team = { team = "B", headcount = 1 }
facts = [{ fact = "incident", kind = "accident" }]
expect = { rank = "none", vetoes = ["lab.veto.accident"], grades = { "grade.lab" = "一票否决 (vetoed)" } }
"""
    (folder / "two.scenarios.toml").write_text(text, encoding="utf-8")
    run = run_file(load_scenarios("two.scenarios.toml"), matcher="python")
    (result,) = run.results
    assert result.passed, result.diff()
    assert result.scenario.teams == ("A", "B")


def test_a_rule_that_reads_the_headcount_needs_it(folder: Path) -> None:
    (folder / "lab.scenarios.toml").write_text(
        CASES.replace("team = { headcount = 2 }\n", "", 1), encoding="utf-8"
    )
    run = run_file(load_scenarios("lab.scenarios.toml"), matcher="python")
    assert run.results[0].outcome == "error"
    assert (
        "field 'headcount': team T1 has no headcount, and the rubric reads it (lab.training)"
        in run.results[0].error
    )


def test_a_workbook_holds_facts_and_expectations(folder: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    teams = book.active
    teams.title = "team"
    teams.append(["team", "period", "name", "headcount"])
    teams.append(["A", "2025", "A", 1])
    teams.append(["B", "2025", "B", 1])
    incidents = book.create_sheet("incident")
    incidents.append(["team", "period", "id", "kind"])
    incidents.append(["B", "2025", "i1", "hazard"])
    expect = book.create_sheet("_expect")
    expect.append(["scenario", "team", "expect", "id", "value"])
    expect.append(["alone", "B", "indicator", "lab.hazards", 8])
    expect.append(["alone", "B", "rank", None, 1])
    expect.append(["both", "A", "rank", None, 1])
    expect.append(["both", "B", "ranks", None, 2])
    expect.append(["both", "B", "vetoes", None, "lab.veto.accident; x"])
    book.save(folder / "w.scenarios.xlsx")
    with pytest.raises(ScenarioFileError) as caught:
        load_scenarios("w.scenarios.xlsx")
    (problem,) = caught.value.problems
    assert str(problem) == (
        "w.scenarios.xlsx:5:3: _expect.expect: unknown expectation 'ranks' (did you mean"
        " 'rank'?); known: indicators, parts, bonuses, penalties, dimensions, grades,"
        " composite, titles, rank, vetoes, vetoed"
    )
    book["_expect"].delete_rows(5)
    book.save(folder / "w.scenarios.xlsx")
    file = load_scenarios("w.scenarios.xlsx")
    assert [(s.name, s.teams) for s in file.scenarios] == [("alone", ("B",)), ("both", ("A", "B"))]
    run = run_file(file, plugins=[], entry_points=False, matcher="python", block=())
    assert run.error == ""  # no rubric at all: the engine has no indicator
    alone, both = run.results
    assert alone.outcome == "error"
    assert "no indicator 'lab.hazards'" in alone.error
    assert both.outcome == "error"
    assert "no veto 'x'" in both.error


# ----------------------------------------------------------------------------- the command
def test_the_command_exits_by_the_outcome(folder: Path) -> None:
    runner = CliRunner()
    failed = runner.invoke(main, ["test", "lab.scenarios.toml", "--matcher", "python"])
    assert failed.exit_code == 1, failed.output
    assert "  FAIL wrong (lab.scenarios.toml:11)" in failed.output
    assert failed.output.endswith("2 scenarios: 1 passed, 1 failed\n")
    (folder / "lab.scenarios.toml").write_text(
        CASES.replace('"lab.training" = 10 }, penalties', '"lab.training" = 5 }, penalties'),
        encoding="utf-8",
    )
    passed = runner.invoke(main, ["test", ".", "--no-coverage"])
    assert passed.exit_code == 0, passed.output
    assert "coverage" not in passed.output
    required = runner.invoke(main, ["test", "lab.scenarios.toml", "--require-coverage"])
    assert required.exit_code == 1
    data = json.loads(
        runner.invoke(main, ["test", "lab.scenarios.toml", "--format", "json"]).output
    )
    assert [r["outcome"] for r in data[0]["results"]] == ["passed", "passed"]
    assert data[0]["coverage"]["rules_missed"] == ["lab.veto.accident"]
    (folder / "bad.scenarios.toml").write_text("[[scenario]]\nname = 3\n", encoding="utf-8")
    bad = runner.invoke(main, ["test", "bad.scenarios.toml"])
    assert bad.exit_code == 3
    assert "bad.scenarios.toml:2:1" in bad.output
    (folder / "lab.toml").write_text(RUBRIC.replace('dimension = "lab"', 'dimension = "lb"', 1))
    broken = runner.invoke(main, ["test", "lab.scenarios.toml"])
    assert broken.exit_code == 4
    assert "refers to unknown dimension 'lb'" in broken.output


# ----------------------------------------------------------------------------- pytest
def test_pytest_collects_each_case_as_a_test(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ASSESSMENT_ENGINE_BLOCK_PLUGINS", raising=False)
    pytester.makeconftest('pytest_plugins = ["assessment_engine.pytest_plugin"]\n')
    (pytester.path / "lab.toml").write_text(RUBRIC, encoding="utf-8")
    (pytester.path / "lab.scenarios.toml").write_text(CASES, encoding="utf-8")
    result = pytester.runpytest("-v", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*lab.scenarios.toml::full PASSED*",
            "*lab.scenarios.toml::wrong FAILED*",
            "*T1 indicator lab.training (line 18)",
            "*- expected 10",
            "*+ got      5",
        ]
    )
