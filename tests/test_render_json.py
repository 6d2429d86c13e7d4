"""The JSON results written team by team: the full form byte for byte, the lean form, the CLI."""

from __future__ import annotations

import gc
import io
import json
import sys
import weakref
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from assessment_engine import Engine
from assessment_engine.render import json as json_format
from assessment_engine.render import xlsx as xlsx_format

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # --import-mode=importlib: make the sibling module importable
    sys.path.insert(0, str(HERE))

from cli_support import Cli  # noqa: E402

EXAMPLES = HERE.parent / "examples"


def exact_text(value: Decimal) -> str:
    """The plain text of a number, as the results write it (``85.55``, ``100``)."""
    return format(value.normalize(), "f") if value != value.to_integral() else str(int(value))


@pytest.fixture(scope="module")
def report():
    with Engine(block=["food_institute"], matcher="python") as engine:
        yield engine.assess(engine.load_facts(EXAMPLES / "institute-2024.json"), period="2024")


@pytest.mark.parametrize("indent", [None, 2])
def test_the_full_form_is_to_json_byte_for_byte(report, indent):
    expected = report.to_json(indent=indent)
    assert json_format.render(report, indent=indent) == expected
    handle = io.StringIO()
    json_format.write(report, handle, indent=indent)
    assert handle.getvalue() == expected


def test_the_lean_form_is_the_ranking_and_the_points(report):
    data = json.loads(json_format.render(report, details=False))
    assert list(data) == ["period", "rubric_hash", "engine_version", "ranking", "quotas"]
    assert data["rubric_hash"] == report.rubric_hash
    assert data["quotas"] == json.loads(report.to_json())["quotas"]
    rows = report.rows()
    assert [e["team"] for e in data["ranking"]] == [r.team for r in rows]
    for entry, row in zip(data["ranking"], rows, strict=True):
        assert entry["rank"] == row.rank
        assert Decimal(entry["composite"]) == row.composite
        assert entry["composite"] == exact_text(row.composite)
        assert entry["grade"] == (row.grade.label if row.grade else None)
        assert list(entry["scores"]) == list(row.dimension_ids)
        assert {d: Decimal(s) for d, s in entry["scores"].items()} == dict(row.dimension_scores)
        assert entry["titles"] == list(row.titles)
        assert entry["vetoed"] is row.vetoed
    assert any(e["vetoed"] for e in data["ranking"])  # the example holds a vetoed team
    keys = ["team", "name", "department", "rank", "composite", "grade", "scores", "grades"]
    assert {tuple(e) for e in data["ranking"]} == {(*keys, "titles", "vetoed")}


def test_the_lean_form_is_indented_as_the_compact_one_reads(report):
    assert json.loads(json_format.render(report, details=False, indent=2)) == json.loads(
        json_format.render(report, details=False)
    )


def test_writing_reports_progress_per_team(report):
    seen = []
    json_format.render(report, details=False, progress=lambda *a: seen.append(a))
    assert seen[-1][:2] == ("writing", len(report))


def test_each_assessment_is_built_once_reached_and_not_kept():
    with Engine(block=["food_institute"], matcher="python") as engine:
        fresh = engine.assess(engine.load_facts(EXAMPLES / "institute-2024.json"), period="2024")
        stream = fresh.each_assessment()
        first = next(stream)
        assert first == fresh[first.team]  # the same assessment as reading it
        gone = weakref.ref(next(stream))
        gc.collect()
        assert gone() is None  # nothing held it: a streamed writer's memory stays one team's
        assert [a.team for a in fresh.each_assessment()] == list(fresh.teams)


def test_evaluate_writes_the_full_form_or_with_no_details_the_lean(tmp_path, report):
    cli = Cli(tmp_path)
    full, lean = tmp_path / "full.json", tmp_path / "lean.json"
    assert cli.run("evaluate", str(cli.facts), "-o", str(full)).exit_code == 0
    assert cli.run("evaluate", str(cli.facts), "--no-details", "-o", str(lean)).exit_code == 0
    full_data, lean_data = json.loads(full.read_text("utf-8")), json.loads(lean.read_text("utf-8"))
    assert "indicators" in full_data["teams"][0]["dimensions"][0]  # the explanation
    assert [e["team"] for e in lean_data["ranking"]] == [t["team"] for t in full_data["teams"]]
    assert lean.stat().st_size < full.stat().st_size
    piped = cli.run("evaluate", str(cli.facts), "--format", "json", "--no-details")
    assert piped.stdout == lean.read_text("utf-8")


def test_the_workbook_without_details_has_no_score_details_sheet(tmp_path, report):
    with_lines, without = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    xlsx_format.render(report, with_lines)
    xlsx_format.render(report, without, details=False)
    assert "得分明细" in openpyxl.load_workbook(with_lines).sheetnames
    names = openpyxl.load_workbook(without).sheetnames
    assert "得分明细" not in names
    assert names[0] == "排名"
