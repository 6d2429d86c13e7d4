"""The command line's Unix habits and its first hour (issue 15): ``-`` for standard input and
output on every command, ``-o`` everywhere, teams by id or name, output as wide as it needs when
piped, the one-line messages for what is missing (click, a rule set, durable-rules on 3.13),
progress on standard error and problem listings capped on screen (issue 10).
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("click")
openpyxl = pytest.importorskip("openpyxl")

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # --import-mode=importlib: make the sibling module importable
    sys.path.insert(0, str(HERE))

from assessment_engine import Activity, Team, dump_json  # noqa: E402
from cli_support import Cli, team_facts  # noqa: E402

EXAMPLE = HERE.parent / "examples" / "institute-2024.json"


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


# ----------------------------------------------------------------------------- standard input
@pytest.mark.parametrize("suffix", [".json", ".csv", ".xlsx"])
def test_facts_from_standard_input_in_each_format(cli, tmp_path, suffix):
    expected = json.loads(cli.run("evaluate", str(cli.facts), "--format", "json").stdout)
    if suffix == ".json":
        data = cli.facts.read_bytes()
    elif suffix == ".csv":
        data = (
            "fact,team,period,name,department,headcount,id,kind,hours\n"
            "team,micro,2024,食品所微生物班组,食品所,2,,,\n"
            "activity,micro,2024,,,,v1,volunteer,40\n"
        ).encode()
        expected = None
    else:
        book_path = tmp_path / "in.xlsx"
        assert cli.run("template", "-o", str(book_path), "--kinds", "activity").exit_code == 0
        book = openpyxl.load_workbook(book_path)
        book["team"].append(["micro", "2024", "食品所微生物班组", "食品所", 2])
        book["activity"].append(["micro", "2024", "v1", None, "volunteer", None, 40])
        book.save(book_path)
        data = book_path.read_bytes()
        expected = None
    result = cli.run("evaluate", "-", "--format", "json", input=data)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    if expected is not None:
        assert report == expected
    else:
        assert [t["team"] for t in report["teams"]] == ["micro"]


def test_standard_input_problems_are_located_as_stdin(cli):
    bad = dump_json([Team(team="T1", period="2024", name="x", department="d", headcount=1)])
    bad = bad.replace('"headcount":1', '"headcount":"three"').replace(
        '"headcount": 1', '"headcount": "three"'
    )
    result = cli.run("evaluate", "-", input=bad)
    assert result.exit_code == 3
    assert "  - <stdin>, record 0, field 'headcount':" in result.stderr
    assert "assessment-engine-stdin" not in result.stderr
    twice = cli.run("evaluate", "-", "-", input=bad)
    assert twice.exit_code == 2
    assert "standard input ('-') can be read only once" in twice.stderr


@pytest.mark.parametrize(
    "command",
    [
        ["evaluate", "-"],
        ["evaluate", "-", "--format", "json", "-o", "-"],
        ["explain", "micro", "-", "--max-changes", "0"],
        ["report", "-", "-o", "-"],
    ],
)
def test_every_command_that_reads_facts_takes_standard_input(cli, command):
    result = cli.run(*command, input=cli.facts.read_bytes())
    assert result.exit_code == 0, result.output
    assert "食品所微生物班组" in result.stdout


# ----------------------------------------------------------------------------- -o everywhere
@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (["evaluate", "{facts}"], "食品所微生物班组"),
        (["evaluate", "{facts}", "--format", "csv"], "rank,team"),
        (["evaluate", "{facts}", "--format", "json"], '"rubric_hash"'),
        (["explain", "instr", "{facts}"], "下一等级 (next grade)"),
        (["explain", "instr", "{facts}", "--format", "json"], '"next_grade"'),
        (["plugins"], "cv.hours"),
        (["plugins", "--format", "json"], '"indicators"'),
        (["check", "--format", "json"], "["),
        (["report", "{facts}"], "<!doctype html"),
        (["template", "--format", "csv"], "fact,team,period"),
    ],
)
def test_dash_o_on_every_command(cli, tmp_path, command, expected):
    argv = [a.format(facts=cli.facts) for a in command]
    to_file = tmp_path / "out.txt"
    result = cli.run(*argv, "-o", str(to_file))
    assert result.exit_code in (0, 1), result.output
    assert expected in to_file.read_text(encoding="utf-8").lower() or expected in (
        to_file.read_text(encoding="utf-8")
    )
    to_stdout = cli.run(*argv, "-o", "-")
    assert expected.lower() in to_stdout.stdout.lower()
    assert not (Path.cwd() / "-").exists()  # '-' is standard output, never a file named '-'


def test_binary_outputs_to_standard_output(cli):
    result = cli.run("evaluate", str(cli.facts), "--format", "xlsx", "-o", "-")
    assert result.exit_code == 0
    book = openpyxl.load_workbook(io.BytesIO(result.stdout_bytes))
    assert book.sheetnames[0] == "排名"
    template = cli.run("template", "-o", "-", "--format", "xlsx")
    assert openpyxl.load_workbook(io.BytesIO(template.stdout_bytes)).sheetnames[0] == "team"


def test_report_takes_dash_o_and_still_its_earlier_html(cli, tmp_path):
    new, old = tmp_path / "new.html", tmp_path / "old.html"
    assert cli.run("report", str(cli.facts), "-o", str(new)).exit_code == 0
    assert cli.run("report", "--html", str(old), str(cli.facts)).exit_code == 0
    assert new.read_text(encoding="utf-8") == old.read_text(encoding="utf-8")
    missing = cli.run("report", str(cli.facts))
    assert missing.exit_code == 2
    assert "the report needs -o FILE.html" in missing.stderr


# ----------------------------------------------------------------------------- teams by name
def test_explain_finds_a_team_by_id_or_name(cli, tmp_path):
    by_id = cli.run("explain", "instr", str(cli.facts), "--max-changes", "0").stdout
    by_name = cli.run("explain", "食品所仪器室", str(cli.facts), "--max-changes", "0").stdout
    assert by_id == by_name
    assert "食品所仪器室 [instr]" in by_name
    close = cli.run("explain", "食品所仪器", str(cli.facts))
    assert close.exit_code == 2
    assert "did you mean '食品所仪器室'?" in close.stderr
    twins = [
        *team_facts(),
        Team(team="twin", period="2024", name="食品所仪器室", department="食品所", headcount=1),
        Activity(team="twin", period="2024", id="v1", kind="volunteer", hours=1),
    ]
    (tmp_path / "twins").mkdir()
    shared = Cli(tmp_path / "twins", twins)
    result = shared.run("explain", "食品所仪器室", str(shared.facts))
    assert result.exit_code == 2
    assert "is the name of 2 teams (instr, twin): give its id" in result.stderr


# ----------------------------------------------------------------------------- widths
def test_piped_output_never_wraps_mid_word(tmp_path):
    long_id = "elec-appliance-and-battery-testing-laboratory"
    facts = team_facts()
    facts = [f if f.team != "micro" else type(f)(**{**_fields(f), "team": long_id}) for f in facts]
    cli = Cli(tmp_path, facts)
    result = cli.run("evaluate", str(cli.facts))  # piped: no COLUMNS, not a terminal
    assert result.exit_code == 0
    assert f"[{long_id}]" in result.stdout  # on one line, whole
    assert max(len(line) for line in result.stdout.splitlines()) > 80
    narrow = cli.run("evaluate", str(cli.facts), env={"COLUMNS": "60"})
    assert f"[{long_id}]" in narrow.stdout  # an id is never folded, even when narrow
    explained = cli.run("explain", long_id, str(cli.facts), "--max-changes", "0")
    assert "人均志愿时长 (volunteer hours per member)" in explained.stdout


def _fields(fact):
    import attrs

    return {a.name: getattr(fact, a.name) for a in attrs.fields(type(fact)) if a.init}


# ----------------------------------------------------------------------------- what is missing
def test_without_click_the_command_says_which_extra_in_one_line():
    code = (
        "import sys; sys.modules['click'] = None\nfrom assessment_engine.cli import main\nmain()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stderr == (
        "error: the assessment-engine command needs click, which is not installed:"
        " pip install 'assessment-engine[cli]'\n"
    )


def test_the_command_line_is_part_of_the_default_install():
    import importlib.metadata

    requires = importlib.metadata.requires("assessment-engine") or []
    default = {r.split(">")[0].split("=")[0].strip() for r in requires if "extra ==" not in r}
    assert {"click", "rich", "openpyxl"} <= default


def test_unknown_fact_kinds_name_the_plugin_that_brings_them(tmp_path):
    pytest.importorskip("assessment_1252_party_building")
    cli = Cli(tmp_path)
    blocked = cli.run(
        "evaluate",
        str(EXAMPLE),
        "--block",
        "party_building",
        "--block",
        "method_1252",
        "--block",
        "food_institute",
        "--matcher",
        "python",
        own_rules=False,
    )
    assert blocked.exit_code == 3
    assert "51 problems in the input; the first 20:" in blocked.stderr
    assert (
        "hint: fact kinds 'leader_appraisal', 'party_review' (51 records) come from plugin"
        " party_building (distribution assessment-1252-party-building), installed but left out"
        " by --block party_building"
    ) in blocked.stderr
    left_out = cli.run("evaluate", str(EXAMPLE))  # the test's own rule set, no entry points
    assert left_out.exit_code == 3
    assert "98 problems in the input; the first 20:" in left_out.stderr
    for plugin in ("party_building", "business_performance", "civility"):
        assert f" from plugin {plugin} " in left_out.stderr
    assert "fact kind 'pairing_visit' (26 records) comes from plugin civility" in left_out.stderr
    assert "installed but left out by --no-entry-points" in left_out.stderr


def test_unknown_fact_kinds_of_rule_sets_not_installed(monkeypatch):
    from assessment_engine.cli import _hints
    from assessment_engine.errors import InputProblem

    monkeypatch.setattr(_hints, "_installed_kinds", lambda out: {})
    problems = [
        InputProblem(
            source="x.json",
            record=f"record {i}",
            field="fact",
            reason="unknown fact kind 'pairing_visit'; known kinds: team",
        )
        for i in range(3)
    ]
    (hint,) = _hints.kind_hints(problems, _hints.PluginChoice())
    assert hint == (
        "hint: fact kind 'pairing_visit' (3 records) comes from the 1252 rule set civility"
        " (distribution assessment-1252-civility), which is not installed: "
        + _hints.RULE_SETS_INSTALL
    )


def test_the_known_kinds_are_those_the_rule_sets_register():
    pytest.importorskip("assessment_food_institute")
    from assessment_engine import Engine
    from assessment_engine.cli._hints import KNOWN_KINDS

    with Engine(matcher="python") as engine:
        registered = {
            key.removeprefix("fact:"): (owner, info.distribution)
            for key, owner in engine.rubric.provenance.items()
            if key.startswith("fact:")
            for info in engine.plugins
            if info.name == owner and info.source == "entry point"
        }
    assert registered == KNOWN_KINDS


def test_durable_rules_built_wrong_prints_a_command_that_rebuilds_it(cli, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def broken(name, *args, **kwargs):
        if name == "durable_rules_engine":
            raise ImportError(
                "/venv/lib/python3.13/site-packages/durable_rules_engine.cpython-313.so:"
                " undefined symbol: PyEval_CallObject"
            )
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", broken)
    result = cli.run(
        "evaluate",
        str(cli.facts),
        "--no-entry-points",
        "--plugin",
        cli.rules,
        "--matcher",
        "durable",
        own_rules=False,
    )
    assert result.exit_code == 4
    assert "durable-rules is installed but was built without the define this Python" in (
        result.stderr
    )
    command = (
        "CPPFLAGS=-DPyEval_CallObject=PyObject_CallObject PIP_NO_CACHE_DIR=1"
        f" {sys.executable} -m pip install --force-reinstall --no-deps durable-rules==2.0.28"
    )
    assert f"\n  {command}\n" in result.stderr
    assert "--matcher python" in result.stderr
    assert "assessment-engine plugins` lists the plugins" not in result.stderr


# ----------------------------------------------------------------------------- progress
def test_progress_follows_standard_error_not_standard_output(cli, monkeypatch):
    from assessment_engine.cli import _progress

    monkeypatch.setattr(_progress, "stderr_is_terminal", lambda: False)
    quiet = cli.run("evaluate", str(cli.facts), "--format", "csv")
    assert quiet.stderr == ""
    lines = cli.run("evaluate", str(cli.facts), "--format", "csv", "--progress")
    assert lines.exit_code == 0
    steps = [line.split(":")[0] for line in lines.stderr.splitlines()]
    assert steps == [
        f"reading {cli.facts}",
        "checking the facts",
        "assessing",
        "writing standard output",
    ]
    assert "assessing: 3 teams (" in lines.stderr
    assert "reading" in lines.stderr
    assert ": 10 records (" in lines.stderr

    shown: list[tuple[str, int, int | None]] = []

    class Recorder(_progress.TerminalProgress):
        def __call__(self, step, done, total):
            shown.append((step, done, total))
            super().__call__(step, done, total)

    monkeypatch.setattr(_progress, "stderr_is_terminal", lambda: True)
    monkeypatch.setattr(_progress, "TerminalProgress", Recorder)
    terminal = cli.run("evaluate", str(cli.facts), "--format", "csv")  # stdout is not a tty
    assert terminal.exit_code == 0
    assert ("assessing", 3, 3) in shown
    assert ("writing", 3, 3) in shown
    assert not any(step == "assessing" and total is None for step, _, total in shown)
    shown.clear()
    assert cli.run("evaluate", str(cli.facts), "--no-progress").exit_code == 0
    assert shown == []


def test_the_terminal_display_draws_counts():
    from rich.console import Console

    from assessment_engine.cli._progress import TerminalProgress

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=100)
    display = TerminalProgress(console, {"assessing": "assessing teams"}, delay=0)
    display.open()
    display("reading", 500, None)
    display("assessing", 7, 10)
    import time

    time.sleep(0.3)
    display.close()
    out = buffer.getvalue()
    assert "assessing teams" in out
    assert "7/10 teams" in out
    assert "500 records" in out


# ----------------------------------------------------------------------------- problem listings
def _many_problems(tmp_path: Path, count: int) -> Path:
    records = [{"fact": "team", "team": "T", "period": "2024", "name": "x", "department": "d",
                "headcount": 1}]  # fmt: skip
    records += [
        {"fact": "activity", "team": "T", "period": "2024", "id": f"a{i}", "kind": "volunteer",
         "hours": "many"}
        for i in range(count)
    ]  # fmt: skip
    path = tmp_path / "many.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    return path


def test_problem_listings_are_capped_on_screen(cli, tmp_path):
    bad = _many_problems(tmp_path, 500)
    result = cli.run("evaluate", str(bad))
    assert result.exit_code == 3
    lines = result.stderr.splitlines()
    assert lines[0] == "error: 500 problems in the input; the first 20:"
    assert sum(line.startswith("  - ") for line in lines) == 20
    assert lines[21] == (
        "  … and 480 more: --problems-file FILE writes every problem, --max-problems 0 lists"
        " them all"
    )
    every = cli.run("evaluate", str(bad), "--max-problems", "0")
    assert sum(line.startswith("  - ") for line in every.stderr.splitlines()) == 500
    out = tmp_path / "problems.csv"
    written = cli.run("evaluate", str(bad), "--problems-file", str(out), "--max-problems", "5")
    assert written.exit_code == 3
    assert f"every problem is written to {out}" in written.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == 500
    assert rows[499] == {
        "source": str(bad),
        "record": "record 500",
        "field": "hours",
        "reason": "expected a number, got the text 'many'",
    }
    text = tmp_path / "problems.txt"
    cli.run("evaluate", str(bad), "--problems-file", str(text))
    assert len(text.read_text(encoding="utf-8").splitlines()) == 500


def test_the_library_error_still_carries_every_problem(tmp_path):
    from assessment_engine import InputError, load_facts

    bad = _many_problems(tmp_path, 500)
    with pytest.raises(InputError) as caught:
        load_facts(bad)
    assert len(caught.value.problems) == 500
    assert str(caught.value).count("\n  - ") == 500
