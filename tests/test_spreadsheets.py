"""Facts in XLSX workbooks and the fill-in template (assessment_engine.spreadsheets)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

import attrs
import pytest

from assessment_engine import (
    Activity,
    Engine,
    InputError,
    Member,
    Metric,
    Record,
    Team,
    dump_json,
    load_facts,
    load_json,
)
from assessment_engine.loading import load_records
from assessment_engine.rubric import Dimension, Indicator, PerItem, Rubric, facts
from assessment_engine.spreadsheets import (
    field_description,
    load_xlsx,
    template_kinds,
    write_template,
)

openpyxl = pytest.importorskip("openpyxl")

Y = "2024"


@attrs.frozen(kw_only=True)
class Training(Record):
    fact_kind: ClassVar[str] = "training"

    course: str = attrs.field()
    passed: bool = attrs.field(default=False)


KINDS = {"team": Team, "member": Member, "activity": Activity, "training": Training}


def problems(error: InputError) -> list[tuple[str, str, str | None, str]]:
    return [(p.source, p.record, p.field, p.reason) for p in error.problems]


def workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


# ----------------------------------------------------------------------------- the template
def test_xlsx_template_has_a_sheet_per_kind_with_field_headers(tmp_path):
    path = tmp_path / "facts.xlsx"
    kinds = write_template(path, fact_types=KINDS)
    assert kinds == ["team", "activity", "member", "training"]
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["team", "activity", "member", "training", "_填写说明", "_lists"]
    assert [c.value for c in book["team"][1]] == [
        "team",
        "period",
        "name",
        "department",
        "headcount",
    ]
    assert [c.value for c in book["training"][1]] == [
        "team",
        "period",
        "id",
        "tags",
        "course",
        "passed",
    ]
    assert book["member"].max_row == 1  # headers only
    comment = book["member"]["F1"].comment.text
    assert comment.startswith("party_status: 可选值: member, probationary")
    assert "默认: none" in comment
    fields = [[c.value for c in row] for row in book["_填写说明"].iter_rows()]
    assert fields[0] == ["类别", "名称", "字段", "类型", "默认", "可选值"]
    assert ["team", "班组", "headcount", "整数", "默认: 空", None] in fields
    assert ["team", "班组", "name", "文本", "必填", None] in fields
    assert ["training", "training", "passed", "是/否", "默认: 否", None] in fields
    glossed = tmp_path / "glossed.xlsx"
    write_template(glossed, fact_types=KINDS, gloss=True)
    fields = [
        [c.value for c in row] for row in openpyxl.load_workbook(glossed)["_填写说明"].iter_rows()
    ]
    assert fields[0][:2] == ["类别 (kind)", "名称 (label)"]
    assert ["team", "班组 (team)", "headcount", "整数 (whole number)", "默认 (default): 空 (empty)",
            None] in fields  # fmt: skip


def test_csv_template_and_chosen_kinds(tmp_path):
    path = tmp_path / "facts.csv"
    assert write_template(path, fact_types=KINDS, kinds=["member"]) == ["team", "member"]
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a byte-order mark, for Excel
    assert raw.decode("utf-8-sig") == (
        "fact,team,period,name,department,headcount,id,tags,party_status,role,age,education\n"
    )
    with pytest.raises(ValueError, match=r"unknown fact kind 'membr' \(did you mean 'member'\?\)"):
        template_kinds(KINDS, ["membr"])
    with pytest.raises(ValueError, match=r"a template is \.xlsx or \.csv"):
        write_template(tmp_path / "facts.ods")


def test_field_descriptions():
    assert field_description(Activity, "hours") == ("number", "default: 0")
    assert field_description(Activity, "date") == ("date (YYYY-MM-DD)", "default: empty")
    assert field_description(Activity, "tags") == ("tags, separated by ;", "default: no tags")
    assert field_description(Metric, "value") == ("number", "required")


# ----------------------------------------------------------------------------- round trip
def test_round_trip_through_the_template(tmp_path):
    """Write the template, fill it as a data owner would, load it, assess it: as from JSON."""
    expected = [
        Team(team="T1", period=Y, name="食品所微生物班组", department="食品所", headcount=2),
        Member(
            team="T1",
            period=Y,
            id="m1",
            name="李雷",
            party_status="member",
            role="leader",
            age=41,
            tags=frozenset({"veteran", "mentor"}),
        ),
        Member(team="T1", period=Y, id="m2", name="韩梅梅"),
        Activity(
            team="T1",
            period=Y,
            id="a1",
            kind="volunteer",
            hours=Decimal("3.5"),
            date=datetime.date(2024, 3, 5),
            description="敬老院, 义诊",
        ),
        Activity(team="T1", period=Y, id="7", kind="volunteer", hours=Decimal(24)),
        Metric(team="T1", period=Y, id="k1", kind="on_time_rate", value=Decimal("98.5"), unit="%"),
    ]
    json_path = tmp_path / "facts.json"
    json_path.write_text(dump_json(expected), encoding="utf-8")

    path = tmp_path / "facts.xlsx"
    write_template(path)
    book = openpyxl.load_workbook(path)
    book["team"].append(["T1", 2024, "食品所微生物班组", "食品所", 12.0 / 6])  # 2, as a float
    book["member"].append(["T1", 2024, "m1", "veteran; mentor", "李雷", "member", "leader", 41])
    book["member"].append(["T1", "2024", "m2", None, "韩梅梅", None, "", None, None])
    book["activity"].append(
        [
            "T1",
            2024,
            "a1",
            None,
            "volunteer",
            datetime.datetime(2024, 3, 5),
            3.5,
            None,
            None,
            " 敬老院, 义诊 ",
        ]
    )
    book["activity"].append(["T1", 2024, 7, None, "volunteer", "", 24])
    book["metric"].append(["T1", 2024, "k1", None, "on_time_rate", 98.5, "%"])
    book.save(path)

    from_xlsx = load_xlsx(path)
    from_json = load_json(json_path)

    # compared as facts (repr would show tags in hash-seed-dependent order)
    def ordered(facts):
        return sorted(facts, key=lambda f: (type(f).__name__, f.team, getattr(f, "id", "")))

    assert ordered(from_xlsx) == ordered(from_json)

    indicator = Indicator(
        id="cv.events",
        dimension="cv",
        label="志愿活动 (events)",
        max=10,
        scoring=PerItem(facts("activity", kind="volunteer"), points=2),
    )
    rubric = Rubric.build(
        dimensions=[Dimension(id="cv", label="精神文明", max=10)], indicators=[indicator]
    )
    with Engine.from_rubric(rubric, matcher="python") as engine:
        assert engine.assess(from_xlsx).to_json() == engine.assess(from_json).to_json()
        assert engine.assess(from_xlsx)["T1"].composite == 4


def test_one_sheet_with_a_fact_column_and_plugin_kinds(tmp_path):
    path = workbook(
        tmp_path / "all.xlsx",
        {
            "数据": [
                [
                    "fact",
                    "team",
                    "period",
                    "name",
                    "department",
                    "headcount",
                    "id",
                    "course",
                    "passed",
                ],
                ["team", "T1", "2024", "理化班组", "食品所", 8],
                ["training", "T1", "2024", None, None, None, "c1", "safety", True],
                [],
                ["training", "T1", "2024", None, None, None, "c2", "first aid", "no"],
            ],
            "_notes": [["anything", "at all"]],
            "Sheet": [],
        },
    )
    loaded = load_xlsx(path, fact_types=KINDS)
    assert len(loaded) == 3
    (c1, c2) = loaded.records(Y, "T1")
    assert (c1.course, c1.passed, c2.passed) == ("safety", True, False)


def test_load_records_reads_workbooks_without_the_checks_across_records(tmp_path):
    path = workbook(
        tmp_path / "fix.xlsx",
        {
            "trainings": [["team", "period", "id", "course", "passed"], ["T1", Y, "c1", "x", True]],
            "members": [["team", "period", "id", "age"], ["T1", Y, "m1", 30]],
        },
    )
    with pytest.raises(InputError, match="no team record"):
        load_facts(path, fact_types=KINDS)
    assert load_records(path, fact_types=KINDS) == [
        Training(team="T1", period=Y, id="c1", course="x", passed=True),
        Member(team="T1", period=Y, id="m1", age=30),
    ]
    bad = workbook(tmp_path / "bad.xlsx", {"members": [["team", "period", "id", "age"], ["T1"]]})
    with pytest.raises(InputError) as caught:
        load_records(bad, path, fact_types=KINDS)
    assert [(p.source, p.record, p.field) for p in caught.value.problems] == [
        (str(bad), "sheet members, row 2", "period"),
        (str(bad), "sheet members, row 2", "id"),
    ]


# ----------------------------------------------------------------------------- problems
def test_problems_name_the_sheet_the_row_and_the_field(tmp_path):
    path = workbook(
        tmp_path / "bad.xlsx",
        {
            "team": [
                ["team", "period", "name", "department", "headcount"],
                ["T1", 2024, "Lab", "食品所", 3],
            ],
            "members": [
                ["team", "period", "id", "age", "party_status"],
                ["T1", 2024, "m1", 40, "member"],
                ["T1", 2024, "m2", 12, "memer"],
            ],
            "activity": [
                ["team", "period", "id", "kind", "hourz", "hours"],
                ["T1", 2024, "a1", "volunteer", 1, "three"],
            ],
            "metric": [
                ["team", "period", "id", "kind", "value"],
                ["T1", 2024, "k1", "rate", 0.9],
                ["T1", 2024, "k2", "rate", 5, None, "extra"],
            ],
            "misc": [["a", "b"], [1, 2]],
        },
    )
    book = openpyxl.load_workbook(path)
    book["metric"]["E2"].number_format = "0.0%"
    book.save(path)
    with pytest.raises(InputError) as caught:
        load_xlsx(path)
    source = str(path)
    assert problems(caught.value) == [
        (
            source,
            "sheet members, row 3",
            "party_status",
            "must be one of 'member', 'probationary', 'applicant', 'activist', 'none';"
            " got the text 'memer' (did you mean 'member'?)",
        ),
        (source, "sheet members, row 3", "age", "'age' must be >= 14: 12"),
        (
            source,
            "sheet activity, row 1",
            "hourz",
            "unknown column 'hourz' (did you mean 'hours'?); the fields of fact kind 'activity'"
            " are: team, period, id, tags, kind, date, hours, participants, level, description",
        ),
        (source, "sheet activity, row 2", "hours", "expected a number, got the text 'three'"),
        (
            source,
            "sheet metric, row 2",
            "value",
            "this cell is formatted as a percentage, so it holds 0.9; type the number itself"
            " (96.5 for 96.5 %) in a cell formatted as a plain number",
        ),
        (source, "sheet metric, row 3", None, "column G has a value but no name in row 1"),
        (
            source,
            "sheet misc",
            None,
            "the sheet name 'misc' names no fact kind (did you mean 'metric'?) and the sheet has no"
            " 'fact' column; name the"
            " sheet after a kind (e.g. member), add a 'fact' column, or start the name with '_' to"
            " skip the sheet; known kinds: achievement, activity, incident, member, metric, score,"
            " team",
        ),
    ]


def test_problems_across_records_and_files(tmp_path):
    path = workbook(
        tmp_path / "members.xlsx",
        {
            "member": [
                ["team", "period", "id"],
                ["T1", 2024, "m1"],
                ["T1", 2024, "m1"],
                ["T9", 2024, "m1"],
            ],
        },
    )
    json_path = tmp_path / "teams.json"
    json_path.write_text(
        dump_json(
            [
                Team(team="T1", period=Y, name="Lab", department="食品所", headcount=3),
                Member(team="T1", period=Y, id="m1"),
            ]
        ),
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        load_facts(json_path, path)
    found = problems(caught.value)
    assert (
        str(path),
        "sheet member, row 4 (member m1 of team T9 (2024))",
        "team",
        "no team record for team 'T9' in period '2024'; add one (\"fact\": \"team\") with its"
        " name, department and headcount",
    ) in found
    duplicates = [p for p in found if p[2] == "id"]
    assert [p[:2] for p in duplicates] == [
        (str(path), "sheet member, row 2 (member m1 of team T1 (2024))"),
        (str(path), "sheet member, row 3 (member m1 of team T1 (2024))"),
    ]
    assert f"{json_path}, record 0 (member m1" in duplicates[0][3]


def test_file_problems(tmp_path):
    garbage = tmp_path / "garbage.xlsx"
    garbage.write_bytes(b"not a zip file")
    with pytest.raises(InputError) as caught:
        load_facts(tmp_path / "missing.xlsx", garbage, tmp_path / "facts.ods")
    found = problems(caught.value)
    assert found[0] == (str(tmp_path / "missing.xlsx"), "file", None, "file not found")
    assert found[1][:3] == (str(garbage), "file", None)
    assert found[1][3].startswith("not a readable XLSX workbook (BadZipFile")
    assert found[2][3] == "unsupported file type '.ods': use .json, .csv, .xlsx or .parquet"
