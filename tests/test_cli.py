"""The assessment-engine command line, through click's CliRunner.

Most tests run a small rule set of their own (a plugin file passed with --plugin, no entry
points, the plain matcher) so that they do not depend on what is installed; a few use the
installed 1252 rule sets. No output may ever contain a Python traceback.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

pytest.importorskip("click")
pytest.importorskip("rich")
openpyxl = pytest.importorskip("openpyxl")

from click.testing import CliRunner, Result  # noqa: E402

from assessment_engine import Activity, Incident, Member, Team, dump_json  # noqa: E402
from assessment_engine.cli import main  # noqa: E402

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

FACTS = [
    Team(team="micro", period=Y, name="食品所微生物班组", department="食品所", headcount=2),
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


@pytest.fixture
def rules(tmp_path: Path) -> str:
    path = tmp_path / "rules.py"
    path.write_text(RULES, encoding="utf-8")
    return f"{path}:Civility"


@pytest.fixture
def facts_file(tmp_path: Path) -> str:
    path = tmp_path / "facts.json"
    path.write_text(dump_json(FACTS), encoding="utf-8")
    return str(path)


@pytest.fixture
def run(rules: str):
    """Run a command with the test's rule set; assert there is never a traceback."""

    def invoke(*args: str, own_rules: bool = True, **kwargs) -> Result:
        runner = CliRunner(env={"COLUMNS": "200"})
        extra = ["--no-entry-points", "--plugin", rules, "--matcher", "python"] if own_rules else []
        command, *rest = args
        result = runner.invoke(main, [command, *rest, *extra], **kwargs)
        assert "Traceback" not in result.output
        assert "Traceback" not in (result.stderr or "")
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result

    return invoke


# ----------------------------------------------------------------------------- evaluate
def test_evaluate_prints_the_ranking_table(run, facts_file):
    result = run("evaluate", facts_file)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "排名" in out
    assert "食品所微生物班组" in out
    assert "[micro]" in out  # never read as rich markup
    assert "文明班组" in out  # the title, without its gloss
    lines = out.splitlines()
    micro = next(i for i, line in enumerate(lines) if "食品所微生物班组" in line)
    instr = next(i for i, line in enumerate(lines) if "食品所仪器室" in line)
    sales = next(i for i, line in enumerate(lines) if "塑化所业务室" in line)
    assert micro < instr < sales
    assert lines[micro].split()[0] == "1"
    assert lines[sales].split()[0] == "—"  # vetoed: unranked
    # Chinese text is aligned: the composite column ends at the same cell on every row
    from rich.cells import cell_len

    ends = {
        cell_len(line[: line.index(score) + len(score)])
        for line, score in (
            (lines[micro], "19.00"),
            (lines[instr], "9.00"),
            (lines[sales], "17.00"),
        )
    }
    assert len(ends) == 1


def test_evaluate_json_is_to_json_compact_or_indented_on_request(run, facts_file, tmp_path):
    compact = run("evaluate", facts_file, "--format", "json").stdout
    assert compact.count("\n") == 1  # one line: Report.to_json()'s default form
    assert compact.endswith("}\n")
    data = json.loads(compact)
    indented = run("evaluate", facts_file, "--format", "json", "--indent", "2").stdout
    assert indented == json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    out = tmp_path / "results.json"
    run("evaluate", facts_file, "-o", str(out), "--indent", "4")
    assert out.read_text(encoding="utf-8") == json.dumps(data, ensure_ascii=False, indent=4) + "\n"


def test_evaluate_json_csv_and_xlsx(run, facts_file, tmp_path):
    data = json.loads(run("evaluate", facts_file, "--format", "json").stdout)
    assert [t["team"] for t in data["teams"]] == ["micro", "instr", "sales"]
    assert data["teams"][0]["composite"] == "19"
    assert len(data["rubric_hash"]) == 64

    rows = list(csv.DictReader(io.StringIO(run("evaluate", facts_file, "--format", "csv").stdout)))
    assert list(rows[0]) == [
        "rank",
        "team",
        "name",
        "department",
        "composite",
        "cv",
        "cv grade",
        "titles",
        "vetoed",
    ]
    assert [(r["rank"], r["team"], r["composite"], r["cv grade"]) for r in rows] == [
        ("1", "micro", "19", "合格 (pass)"),
        ("2", "instr", "9", "不合格 (fail)"),
        ("", "sales", "17", "一票否决 (vetoed)"),
    ]
    assert rows[0]["titles"] == "文明班组 (civilised team)"
    assert rows[2]["vetoed"] == "true"

    out = tmp_path / "ranking.xlsx"  # the format follows the suffix (tests/test_workbooks.py)
    result = run("evaluate", facts_file, "--output", str(out))
    assert result.exit_code == 0
    assert f"wrote {out}: 3 teams, period 2024" in result.stderr
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["排名", "精神文明", "得分明细", "说明"]
    ranking = [[c.value for c in row] for row in book["排名"].iter_rows()]
    assert ranking[1][:5] == [1, "micro", "食品所微生物班组", "食品所", 19]
    assert ranking[3][0] is None
    assert ranking[3][-1] == "是"

    text = tmp_path / "ranking.txt"
    assert run("evaluate", facts_file, "-o", str(text), "--progress").exit_code == 0
    assert "食品所微生物班组" in text.read_text(encoding="utf-8")


def test_evaluate_from_csv_and_xlsx_facts(run, facts_file, tmp_path):
    template = tmp_path / "facts.xlsx"
    assert run("template", "--output", str(template)).exit_code == 0
    book = openpyxl.load_workbook(template)
    book["team"].append(["lab", 2024, "食品所理化室", "食品所", 1])
    book["activity"].append(["lab", 2024, "v1", None, "volunteer", None, 20])
    book.save(template)
    members = tmp_path / "members.csv"
    members.write_text("team,period,id,age\nlab,2024,m1,30\n", encoding="utf-8")
    data = json.loads(run("evaluate", str(template), str(members), "--format", "json").stdout)
    (lab,) = data["teams"]
    assert (lab["team"], lab["composite"]) == ("lab", "17")


# ----------------------------------------------------------------------------- bad input
def test_missing_file_and_invalid_json(run, tmp_path):
    result = run("evaluate", str(tmp_path / "nope.json"))
    assert result.exit_code == 3
    assert result.stderr == (
        f"error: 1 problem in the input:\n  - {tmp_path / 'nope.json'}, file: file not found\n"
    )
    broken = tmp_path / "broken.json"
    broken.write_text('{"facts": [', encoding="utf-8")
    result = run("evaluate", str(broken))
    assert result.exit_code == 3
    assert f"{broken}, line 1, column 12: not valid JSON" in result.stderr


def test_bad_record_names_file_record_and_field(run, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            [
                {
                    "fact": "team",
                    "team": "T1",
                    "period": "2024",
                    "name": "Lab",
                    "department": "食品所",
                    "headcount": 3,
                },
                {
                    "fact": "activity",
                    "team": "T1",
                    "period": "2024",
                    "id": "a1",
                    "kind": "volunteer",
                    "hours": "three",
                },
            ]
        ),
        encoding="utf-8",
    )
    for command in (
        ("evaluate", str(bad)),
        ("explain", "T1", str(bad)),
        ("report", "--html", str(tmp_path / "r.html"), str(bad)),
    ):
        result = run(*command)
        assert result.exit_code == 3, (command, result.output)
        assert (
            f"  - {bad}, record 1, field 'hours': expected a number, got the text 'three'"
            in result.stderr
        )
    sheet = tmp_path / "bad.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "activity"
    book.active.append(["team", "period", "id", "kind", "hours"])
    book.active.append(["T1", 2024, "a1", "volunteer", "three"])
    book.save(sheet)
    result = run("evaluate", str(sheet))
    assert result.exit_code == 3
    assert f"{sheet}, sheet activity, row 2, field 'hours': expected a number" in result.stderr


def test_unknown_team_period_and_scale(run, facts_file):
    result = run("explain", "micr0", facts_file)
    assert result.exit_code == 2
    assert "no team 'micr0' in period 2024 (did you mean 'micro'?); teams: instr, micro, sales" in (
        result.stderr
    )
    result = run("explain", "micro", facts_file, "--scale", "cv.grad")
    assert result.exit_code == 2
    assert "did you mean 'cv.grade'" in result.stderr
    result = run("evaluate", facts_file, "--period", "2023")
    assert result.exit_code == 3
    assert "no team has records for period '2023' (periods present: 2024)" in result.stderr


def test_output_that_cannot_be_written(run, facts_file, tmp_path):
    result = run("evaluate", facts_file, "-o", str(tmp_path / "no" / "such" / "dir.csv"))
    assert result.exit_code == 3
    assert result.stderr.startswith(f"error: {tmp_path / 'no' / 'such' / 'dir.csv'}: No such")


# ----------------------------------------------------------------------------- plugins that fail
def test_plugin_that_fails_to_load(run, facts_file, tmp_path):
    broken = tmp_path / "broken_rules.py"
    broken.write_text("raise RuntimeError('the rules are not ready')\n", encoding="utf-8")
    runner = CliRunner()
    for plugin in (f"{broken}:Rules", "no_such_module_anywhere:Rules", f"{broken.parent}/x.py"):
        result = runner.invoke(
            main, ["evaluate", facts_file, "--no-entry-points", "--plugin", plugin]
        )
        assert result.exit_code == 4, result.output
        assert "Traceback" not in result.output
        assert result.stderr.startswith(f"error: plugin '{plugin}': --plugin cannot load it: ")
    assert (
        "RuntimeError: the rules are not ready"
        in runner.invoke(main, ["plugins", "--plugin", f"{broken}:Rules"]).stderr
    )


def test_plugin_whose_hook_fails_or_rubric_is_wrong(run, facts_file, tmp_path):
    bad = tmp_path / "bad_rules.py"
    bad.write_text(
        "from assessment_engine import hookimpl\n"
        "from assessment_engine.rubric import Indicator, PerItem, facts\n"
        "class Raising:\n"
        "    @hookimpl\n"
        "    def assessment_register_dimensions(self):\n"
        "        raise KeyError('dimension table')\n"
        "class Orphan:\n"
        "    @hookimpl\n"
        "    def assessment_register_indicators(self):\n"
        "        return [Indicator(id='x.a', dimension='x', label='A', max=1,\n"
        "                          scoring=PerItem(facts('activity')))]\n",
        encoding="utf-8",
    )
    result = run(
        "evaluate", facts_file, "--no-entry-points", "--plugin", f"{bad}:Raising", own_rules=False
    )
    assert result.exit_code == 4
    assert "in hook assessment_register_dimensions: raised KeyError" in result.stderr
    result = run("check", "--no-entry-points", "--plugin", f"{bad}:Orphan", own_rules=False)
    assert result.exit_code == 4
    assert "error: x.a (from plugin " in result.stderr
    assert "refers to unknown dimension 'x'" in result.stderr


def test_unexpected_errors_are_one_line_unless_asked(run, facts_file, monkeypatch):
    from assessment_engine.render import csv as csv_format

    def explode(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(csv_format, "render", explode)
    result = run("evaluate", facts_file, "--format", "csv")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: internal error: RuntimeError: a bug\n")
    runner = CliRunner()
    result = runner.invoke(main, ["--traceback", "evaluate", facts_file, "--format", "csv"])
    assert isinstance(result.exception, RuntimeError)


# ----------------------------------------------------------------------------- explain
def test_explain_shows_lines_facts_and_the_next_grade(run, facts_file):
    result = run("explain", "instr", facts_file)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "食品所仪器室 [instr]" in out
    assert "精神文明 (civility) [cv] 9.00 — 不合格 (fail)" in out
    assert "人均志愿时长 (volunteer hours per member) [cv.hours]" in out
    assert "activity v1, activity v2" in out  # the facts behind the line
    assert "16/2 = 8 ≥ 6" in out
    assert (
        "等级 (grade) 不合格 (fail): cv 得分 (score) 9 < 12; next: 合格 (pass) from 12, 3.00 short"
        in out
    )
    assert "未获 (not reached) 文明班组 (civilised team)" in out
    assert "下一等级 (next grade) — 等级 (grade) [cv.grade]: 不合格 (fail) → 合格 (pass)" in out
    assert "9.00, the band starts at 12: 3.00 short" in out
    assert "smallest change found: 1 fact — 4 ways" in out
    assert "edit activity v1: hours 8 → 16" in out
    assert "add activity what-if-1: kind=volunteer, hours=8" in out

    vetoed = run("explain", "sales", facts_file).stdout
    assert "一票否决 (veto) 刑事案件 (criminal case) [cv.veto] ← incident i1" in vetoed
    assert "remove incident i1 (kind=criminal_case)" in vetoed
    assert "smallest change" not in run("explain", "instr", facts_file, "--max-changes", "0").stdout


def test_explain_json(run, facts_file):
    data = json.loads(run("explain", "instr", facts_file, "--format", "json").stdout)
    assert data["assessment"]["team"] == "instr"
    assert data["assessment"]["composite"] == "9"
    next_grade = data["next_grade"]
    assert (next_grade["scale"], next_grade["grade"], next_grade["next"]) == (
        "cv.grade",
        "不合格 (fail)",
        "合格 (pass)",
    )
    first = next_grade["suggestions"][0]
    assert (first["size"], first["score_after"], first["grade_after"]) == (1, "14", "合格 (pass)")
    (change,) = first["changes"]
    assert change["action"] == "edit"
    assert change["fact"]["hours"] == "16"
    assert change["before"]["hours"] == "8"
    assert change["fact"]["fact"] == "activity"


# ----------------------------------------------------------------------------- plugins, check
def test_plugins_lists_sources_indicators_and_hooks(run, rules):
    result = run("plugins")
    assert result.exit_code == 0
    assert "cv.hours" in result.stdout
    assert "explicit" in result.stdout
    data = json.loads(run("plugins", "--format", "json").stdout)
    by_name = {p["name"]: p for p in data}
    ours = by_name[rules]
    assert ours["source"] == "explicit"
    assert sorted(ours["indicators"]) == ["cv.events", "cv.hours"]
    assert "assessment_register_grade_scales" in ours["hooks"]
    builtin = by_name["assessment_engine.builtin_facts"]
    assert builtin["source"] == "builtin"
    assert "team" in builtin["fact_kinds"]


def test_plugins_of_the_installed_method(run):
    pytest.importorskip("assessment_1252_method")
    data = json.loads(run("plugins", "--format", "json", own_rules=False).stdout)
    by_name = {p["name"]: p for p in data}
    assert by_name["party_building"]["source"] == "entry point"
    assert by_name["party_building"]["distribution"] == "assessment-1252-party-building"
    assert by_name["party_building"]["version"]
    assert "pb.study" in by_name["party_building"]["indicators"]
    assert "leader_appraisal" in by_name["party_building"]["fact_kinds"]


def _stand_in_kit(monkeypatch, findings):
    """The command's check_rubric returns these findings (in this order)."""
    from assessment_engine.cli import _inspect
    from assessment_engine.kit import Finding

    found = tuple(Finding(*f) for f in findings)
    monkeypatch.setattr(_inspect, "check_rubric", lambda rubric: found)


def test_check_groups_findings_and_fails_on_errors(run, monkeypatch):
    _stand_in_kit(
        monkeypatch,
        [
            ("info", "cv.events", "cap-reachable", "the cap of 10 is reached at 5 events"),
            ("error", "cv", "dimension-total", "the indicator maxima add up to 25 (维度总分)"),
            ("warning", "cv.hours", "band-gap", "no band between 0 and 6"),
        ],
    )
    result = run("check")
    assert result.exit_code == 1
    out = result.stdout
    assert out.index("error (1)") < out.index("warning (1)") < out.index("info (1)")
    assert "the indicator maxima add up to 25 (维度总分)" in out
    assert "1 error, 1 warning, 1 info" in out
    data = json.loads(run("check", "--format", "json").stdout)
    assert [f["severity"] for f in data] == ["info", "error", "warning"]

    _stand_in_kit(monkeypatch, [("warning", "cv.hours", "band-gap", "no band between 0 and 6")])
    assert run("check").exit_code == 0
    _stand_in_kit(monkeypatch, [])
    result = run("check")
    assert result.exit_code == 0
    assert "no findings" in result.stdout


def test_check_with_the_real_kit(run, rules):
    from assessment_engine.cli._common import load_plugin
    from assessment_engine.kit import check_plugins

    data = json.loads(run("check", "--format", "json").stdout)
    expected = check_plugins(load_plugin(rules)[1], entry_points=False)
    assert data == [
        {"severity": f.severity, "subject": f.subject, "check": f.check, "message": f.message}
        for f in expected
    ]
    result = run("check")
    assert result.exit_code == (1 if any(f.severity == "error" for f in expected) else 0)
    if expected:
        counts = {s: sum(f.severity == s for f in expected) for s in ("error", "warning", "info")}
        assert f"{counts['error']} error" in result.stdout
    else:
        assert "no findings: the rubric is consistent" in result.stdout


# ----------------------------------------------------------------------------- report, template
def test_report_writes_html(run, facts_file, tmp_path):
    out = tmp_path / "report.html"
    result = run("report", "--html", str(out), facts_file, "--title", "食品所 2024")
    assert result.exit_code == 0, result.output
    assert f"wrote {out}: 3 teams, period 2024" in result.stderr
    page = out.read_text(encoding="utf-8")
    assert page.lstrip().lower().startswith("<!doctype html")
    assert "食品所微生物班组" in page
    assert "食品所 2024" in page


def test_report_calls_the_html_writer(run, facts_file, tmp_path, monkeypatch):
    seen = {}

    def write(report, out, *, title=None, gloss=False, pages=None, progress=None, **data):
        seen["teams"], seen["title"], seen["gloss"] = report.teams, title, gloss
        seen["pages"], seen["since"] = pages, data["since"]
        out.write("<!doctype html><title>stand-in</title>")

    from assessment_engine.render import html as html_format

    monkeypatch.setattr(html_format, "write", write)
    out = tmp_path / "r.html"
    assert run("report", "--html", str(out), facts_file).exit_code == 0
    assert seen == {
        "teams": ("micro", "instr", "sales"),
        "title": None,
        "gloss": False,
        "pages": None,  # three teams: one page
        "since": None,
    }
    assert out.read_text(encoding="utf-8") == "<!doctype html><title>stand-in</title>"


def test_template_commands(run, tmp_path):
    xlsx = tmp_path / "t.xlsx"
    result = run("template", "-o", str(xlsx), "--kinds", "member,activity")
    assert result.exit_code == 0
    assert result.stderr == f"wrote {xlsx}: team, activity, member\n"
    assert openpyxl.load_workbook(xlsx).sheetnames == [
        "team",
        "activity",
        "member",
        "_填写说明",
        "_lists",
    ]
    csv_path = tmp_path / "t.csv"
    assert run("template", "-o", str(csv_path), "--kinds", "team").exit_code == 0
    assert csv_path.read_text(encoding="utf-8-sig") == (
        "fact,team,period,name,department,headcount\n"
    )
    result = run("template", "-o", str(tmp_path / "u.xlsx"), "--kinds", "membr")
    assert result.exit_code == 2
    assert "unknown fact kind 'membr' (did you mean 'member'?)" in result.stderr
    result = run("template", "-o", str(tmp_path / "t.ods"))
    assert result.exit_code == 2


def test_template_includes_plugin_kinds(run, tmp_path):
    pytest.importorskip("assessment_1252_party_building")
    out = tmp_path / "facts.xlsx"
    assert (
        run("template", "-o", str(out), "--block", "food_institute", own_rules=False).exit_code == 0
    )
    sheets = openpyxl.load_workbook(out).sheetnames
    assert {"leader_appraisal", "party_review", "standard", "pairing_visit"} <= set(sheets)
    assert "instrument_innovation" not in sheets


def test_version_and_help(run):
    runner = CliRunner()
    assert "assessment-engine, version" in runner.invoke(main, ["--version"]).output
    help_text = runner.invoke(main, ["--help"]).output
    for command in ("evaluate", "explain", "plugins", "check", "report", "template"):
        assert command in help_text
    assert runner.invoke(main, ["evaluate"]).exit_code == 2  # FACTS missing
    assert runner.invoke(main, ["evaluate", "x.json", "--bogus"]).exit_code == 2


EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "institute-2024.json"


@pytest.mark.skipif(not EXAMPLE.exists(), reason="the example institute is not there")
def test_the_example_institute(run):
    pytest.importorskip("assessment_1252_method")
    teams = {f["team"] for f in json.loads(EXAMPLE.read_text(encoding="utf-8"))["facts"]}
    args = ("--block", "food_institute", "--matcher", "python")
    result = run("evaluate", str(EXAMPLE), "--format", "csv", *args, own_rules=False)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {r["team"] for r in rows} == teams
    first = rows[0]["team"]
    result = run("explain", first, str(EXAMPLE), *args, own_rules=False)
    assert result.exit_code == 0, result.output
    assert f"[{first}]" in result.stdout
    assert "下一等级 (next grade)" in result.stdout
