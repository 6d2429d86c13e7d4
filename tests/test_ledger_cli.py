"""``assessment-engine ledger ...`` through click's CliRunner: the whole office workflow on the
example institute, exit codes, and messages without tracebacks."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

pytest.importorskip("click")
pytest.importorskip("sqlalchemy")

from click.testing import CliRunner, Result

from assessment_engine import Engine
from assessment_engine.cli import main
from assessment_engine.ledger import Ledger

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
RULES = ["--block", "food_institute", "--matcher", "python"]


def run(*args: str, code: int = 0) -> Result:
    result = CliRunner().invoke(
        main, [str(a) for a in args], env={"ASSESSMENT_ENGINE_AUTHOR": "李"}
    )
    assert "Traceback" not in result.output
    assert result.exit_code == code, result.output
    return result


def test_the_office_workflow_on_the_command_line(tmp_path: Path) -> None:
    book = str(tmp_path / "institute.db")
    years = [EXAMPLES / "institute-2023.json", EXAMPLES / "institute-2024.json"]
    out = run("ledger", "record", *years, "--ledger", book, *RULES).output
    assert "recorded run 1: period 2023, 11 teams, draft" in out
    assert "recorded run 2: period 2024, 11 teams, draft" in out

    listed = json.loads(run("ledger", "history", "--ledger", book, "--format", "json").output)
    assert [(r["id"], r["period"], r["state"], r["author"]) for r in listed] == [
        (1, "2023", "draft", "李"),
        (2, "2024", "draft", "李"),
    ]
    team = json.loads(
        run(
            "ledger", "history", "--ledger", book, "--team", "plastic-biz", "--format", "json"
        ).output
    )
    assert [t["result"]["rank"] for t in team] == [3, 1]

    stored = run("ledger", "show", "2024/latest", "--ledger", book, "--format", "json").output
    with Engine(block=["food_institute"], matcher="python") as engine:
        expected = engine.assess(engine.load_facts(years[1])).to_json()
    assert stored == expected  # byte for byte
    shown = run("ledger", "show", "2", "--ledger", book).output
    assert "plastic-biz" in shown
    assert "draft by 李: recorded" in shown
    explained = run("ledger", "show", "2", "--ledger", book, "--team", "food-chem").output
    assert explained.startswith("食品所理化室 [food-chem]")

    moves = run("ledger", "diff", "1", "2", "--ledger", book).output
    assert "plastic-biz 塑化所业务室: rank 3 → 1 (+2, facts)" in moves
    assert "stability:" in moves
    data = json.loads(run("ledger", "diff", "1", "2", "--ledger", book, "--format", "json").output)
    assert data["teams"][0]["team"] == "plastic-biz"
    assert data["teams"][0]["composite_after"] == "96.5"

    assert "byte-identical" in run("ledger", "reproduce", "2", "--ledger", book).output
    changed = run(
        "ledger", "reproduce", "2", "--ledger", book, "--installed", "--matcher", "python", code=1
    ).output
    assert "plugin food_institute 0.1.0 was not registered then" in changed

    run("ledger", "publish", "2", "--ledger", book, "--until", "2000-01-05")
    out = run(
        "ledger", "appeal", "2", "--ledger", book, "--team", "food-micro", "--claim", "验收等级漏填"
    ).output
    assert out.strip() == "appeal 1: food-micro against run 2 (open)"
    refused = run("ledger", "finalize", "2", "--ledger", book, code=1)
    assert "appeal 1 (food-micro) still open" in refused.output

    fix = tmp_path / "fix.json"
    record = {
        "fact": "achievement",
        "team": "food-micro",
        "period": "2024",
        "id": "accepted-03",
        "kind": "project_accepted",
        "level": "domestic_advanced",
        "date": "2024-12-18",
        "description": "院级项目“培养基质量控制”通过验收",
    }
    fix.write_text(json.dumps({"facts": [record]}, ensure_ascii=False), encoding="utf-8")
    out = run("ledger", "correct", "2", fix, "--ledger", book, "--reason", "申诉 1").output
    assert "correction 1: submission 2 supersedes submission 1" in out
    assert "achievement/food-micro/accepted-03 (2024)" in out
    assert "recorded run 3: period 2024, 11 teams, draft" in out
    out = run(
        "ledger", "decide", "1", "--ledger", book, "--outcome", "upheld", "--reason", "属实",
        "--settled-by", "3",
    ).output  # fmt: skip
    assert out.strip() == "appeal 1: upheld, settled by run 3"
    run("ledger", "publish", "3", "--ledger", book)
    out = run("ledger", "finalize", "3", "--ledger", book, "--early", "--note", "申诉已处理").output
    assert "run 3: period 2024, 11 teams, final" in out
    states = json.loads(run("ledger", "history", "--ledger", book, "--format", "json").output)
    assert [s["state"] for s in states] == ["draft", "superseded", "final"]
    assert "3 runs, every hash and row intact" in run("ledger", "verify", "--ledger", book).output


def test_errors_have_their_exit_codes(tmp_path: Path) -> None:
    book = tmp_path / "l.db"
    missing = run("ledger", "history", "--ledger", book, code=3)
    assert "no ledger here: the file does not exist" in missing.output
    run("ledger", "record", EXAMPLES / "institute-2024.json", "--ledger", book, *RULES)
    unknown = run("ledger", "show", "9", "--ledger", book, code=2)
    assert "error: no run 9" in unknown.output
    unknown = run("ledger", "diff", "1", "2023/final", "--ledger", book, code=2)
    assert "periods in the ledger: 2024" in unknown.output
    state = run("ledger", "finalize", "1", "--ledger", book, code=1)
    assert "it is draft" in state.output
    junk = tmp_path / "junk.db"
    junk.write_text("not a database" * 100)
    assert "not a ledger" in run("ledger", "history", "--ledger", junk, code=3).output
    bad = tmp_path / "bad.json"
    bad.write_text('{"facts": [{"fact": "activity", "team": "t"}]}')
    out = run("ledger", "correct", "1", bad, "--ledger", book, "--reason", "r", code=3).output
    assert "bad.json, record 0" in out
    assert run("ledger", "correct", "1", "--ledger", book, "--reason", "r", code=2).output


def test_a_correction_from_a_csv_file(tmp_path: Path) -> None:
    book = tmp_path / "l.db"
    run("ledger", "record", EXAMPLES / "institute-2024.json", "--ledger", book, *RULES)
    fix = tmp_path / "fix.csv"
    fix.write_text(
        "fact,team,period,id,kind,level,date,description\n"
        "achievement,food-micro,2024,accepted-03,project_accepted,domestic_advanced,2024-12-18,"
        "院级项目“培养基质量控制”通过验收\n",
        encoding="utf-8",
    )
    out = run("ledger", "correct", "1", fix, "--ledger", book, "--reason", "申诉 1").output
    assert "correction 1: submission 2 supersedes submission 1 in 1 fact(s):" in out
    assert "achievement/food-micro/accepted-03 (2024)" in out
    assert "recorded run 2: period 2024, 11 teams, draft" in out
    assert out.rstrip().endswith("facts of submission 2 (re-run of run 1)")
    moved = run("ledger", "diff", "1", "2", "--ledger", book).output
    assert "food-micro" in moved
    bad = tmp_path / "bad.csv"
    bad.write_text("fact,team,period,id,kind,date\nachievement,food-micro,2024,x,patent,May\n")
    out = run("ledger", "correct", "1", bad, "--ledger", book, "--reason", "r", code=3).output
    assert "bad.csv, line 2, field 'date'" in out


def test_the_ledger_takes_standard_input_and_dash_o(tmp_path: Path) -> None:
    book = tmp_path / "institute.db"
    example = EXAMPLES / "institute-2024.json"
    data = example.read_bytes()
    result = CliRunner().invoke(
        main,
        ["ledger", "record", "-", "--ledger", str(book), *RULES],
        input=data,
        env={"ASSESSMENT_ENGINE_AUTHOR": "李"},
    )
    assert result.exit_code == 0, result.output
    assert "recorded run 1: period 2024" in result.output
    with Ledger.open(str(book)) as ledger:
        (source,) = ledger.submission(ledger.run("1").submission).sources
    assert (source.path, source.size) == ("<stdin>", len(data))
    assert source.sha256 == hashlib.sha256(data).hexdigest()

    out = tmp_path / "runs.json"
    run("ledger", "history", "--ledger", book, "--format", "json", "-o", out)
    assert json.loads(out.read_text(encoding="utf-8"))[0]["id"] == 1
    refused = run("ledger", "history", "--ledger", book, "-o", out, code=2)
    assert "already exists and is not empty" in refused.output
    run("ledger", "history", "--ledger", book, "-o", out, "--force")
    assert "2024" in out.read_text(encoding="utf-8")
    ledger_file = run("ledger", "show", "1", "--ledger", book, "-o", book, "--force", code=2)
    assert "is also an input (--ledger)" in ledger_file.output
    by_name = run("ledger", "show", "1", "--ledger", book, "--team", "食品所理化室").output
    assert by_name.startswith("食品所理化室 [food-chem]")
    diff_out = tmp_path / "diff.txt"
    run("ledger", "diff", "1", "1", "--ledger", book, "-o", diff_out)
    assert "stability" in diff_out.read_text(encoding="utf-8")
