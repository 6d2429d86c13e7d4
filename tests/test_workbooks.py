"""The workbooks an assessment office hands round (issue 15), opened with openpyxl and checked:
the results workbook (render/xlsx.py) and the fill-in template (loading/_template.py)."""

from __future__ import annotations

import random
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

openpyxl = pytest.importorskip("openpyxl")

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # --import-mode=importlib: make the sibling module importable
    sys.path.insert(0, str(HERE))

from assessment_engine import Engine  # noqa: E402
from assessment_engine._base.sheets import display_width  # noqa: E402
from assessment_engine.facts import BUILTIN_FACT_TYPES, Member, field_specs  # noqa: E402
from assessment_engine.loading import LISTS_SHEET, write_template  # noqa: E402
from assessment_engine.render import _workbook  # noqa: E402
from assessment_engine.render import xlsx as xlsx_format  # noqa: E402
from cli_support import RULES, team_facts  # noqa: E402

EXAMPLE = HERE.parent / "examples" / "institute-2024.json"


@pytest.fixture
def report(tmp_path):
    rules = tmp_path / "rules.py"
    rules.write_text(RULES, encoding="utf-8")
    namespace: dict[str, object] = {}
    exec(compile(RULES, str(rules), "exec"), namespace)
    with Engine([namespace["Civility"]()], entry_points=False, matcher="python") as engine:
        yield engine.assess(team_facts(), period="2024")


def _rows(sheet):
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_the_results_workbook_is_in_the_office_language(report, tmp_path):
    path = tmp_path / "results.xlsx"
    xlsx_format.render(report, path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["排名", "精神文明", "得分明细", "说明"]
    ranking = _rows(book["排名"])
    assert ranking[0] == [
        *("排名", "班组编号", "班组", "部门", "综合得分"),
        *("精神文明", "精神文明等级", "称号", "一票否决"),
    ]
    assert ranking[1] == [
        1,
        "micro",
        "食品所微生物班组",
        "食品所",
        19,
        19,
        "合格",
        "文明班组",
        "否",
    ]
    assert ranking[3][0] is None
    assert ranking[3][-1] == "是"
    dim = _rows(book["精神文明"])
    indicators = [i for i in report.rubric.indicators if i.dimension == "cv"]  # rubric order
    assert [i.id for i in indicators] == ["cv.events", "cv.hours"]
    assert dim[0] == [
        *("排名", "班组编号", "班组", "志愿活动", "人均志愿时长"),
        *("加分", "扣分", "得分", "等级"),
    ]
    assert dim[1] == [1, "micro", "食品所微生物班组", 4, 15, 0, 0, 19, "合格"]
    comment = book["精神文明"]["E1"].comment.text
    assert comment == "人均志愿时长 (volunteer hours per member) [cv.hours], 满分 15"
    about = dict(_rows(book["说明"])[1:])
    assert about == {
        "期间": "2024",
        "班组数": 3,
        "规则集哈希": report.rubric_hash,
        "引擎版本": report.engine_version,
    }


def test_formats_widths_frozen_headers_and_autofilter(report, tmp_path):
    path = tmp_path / "results.xlsx"
    xlsx_format.render(report, path)
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        assert [c.font.bold for c in sheet[1]] == [True] * sheet.max_column, sheet.title
        last = openpyxl.utils.get_column_letter(sheet.max_column)
        assert sheet.auto_filter.ref == f"A1:{last}{sheet.max_row}", sheet.title
        assert sheet.freeze_panes == ("A2" if sheet.title == "说明" else "D2"), sheet.title
        for column in range(1, sheet.max_column + 1):
            letter = openpyxl.utils.get_column_letter(column)
            widest = max(display_width(str(c.value or "")) for c in sheet[letter])
            width = sheet.column_dimensions[letter].width
            assert width >= min(widest, 40), (sheet.title, letter)  # fits (long text wraps)
    ranking = book["排名"]
    assert ranking["C2"].value == "食品所微生物班组"
    assert ranking.column_dimensions["C"].width >= 16  # 8 Chinese characters, 2 columns each
    for row in ranking.iter_rows(min_row=2):
        assert row[0].number_format == "0" or row[0].value is None
        assert row[4].number_format == "0.00"  # the composite
        assert row[5].number_format == "0.00"  # the dimension's score
    detail = book["得分明细"]
    points = [row[8] for row in detail.iter_rows(min_row=2)]
    assert all(c.number_format == "0.00" for c in points if c.value is not None)


def test_the_score_details_sheet_holds_every_teams_lines(report, tmp_path):
    path = tmp_path / "results.xlsx"
    xlsx_format.render(report, path)
    detail = _rows(openpyxl.load_workbook(path)["得分明细"])
    assert detail[0] == ["排名", "班组编号", "班组", "维度", "类别", "项目", "编号", "明细", "得分",
                         "说明", "依据"]  # fmt: skip
    for assessment in report:
        mine = [row for row in detail[1:] if row[1] == assessment.team]
        lines = [row for row in mine if row[4] in ("指标", "加分", "扣分")]
        expected = list(assessment.explain().lines())
        assert len([r for r in lines if r[7] is not None]) == len(expected), assessment.team
        total = sum((Decimal(str(r[8])) for r in lines if r[8] is not None), Decimal(0))
        assert total == sum((line.points for line in expected), Decimal(0))
    sales = [row for row in detail[1:] if row[1] == "sales"]
    veto = next(row for row in sales if row[4] == "一票否决")
    assert veto[5:7] == ["刑事案件", "cv.veto"]
    assert veto[10] == "incident i1"
    hours = next(row for row in detail[1:] if row[1] == "micro" and row[6] == "cv.hours")
    assert hours[9].startswith("per capita")
    assert hours[10] == "activity v1, activity v2"


def test_the_gloss_adds_the_english_labels(report, tmp_path):
    path = tmp_path / "results.xlsx"
    xlsx_format.render(report, path, gloss=True)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [
        "排名 (ranking)",
        "精神文明 (civility)",
        "得分明细 (score details)",
        "说明 (about)",
    ]
    header = _rows(book["排名 (ranking)"])[0]
    assert header[:2] == ["排名 (rank)", "班组编号 (team id)"]
    assert "精神文明等级 (civility grade)" in header
    assert _rows(book["排名 (ranking)"])[1][6] == "合格 (pass)"


def test_the_same_report_gives_the_same_bytes(tmp_path):
    rules = tmp_path / "rules.py"
    rules.write_text(RULES, encoding="utf-8")
    namespace: dict[str, object] = {}
    exec(compile(RULES, str(rules), "exec"), namespace)
    facts = team_facts()
    written = []
    for seed in (1, 2):
        shuffled = random.Random(seed).sample(facts, len(facts))
        with Engine([namespace["Civility"]()], entry_points=False, matcher="python") as engine:
            path = tmp_path / f"r{seed}.xlsx"
            xlsx_format.render(engine.assess(shuffled, period="2024"), path)
            written.append(path.read_bytes())
        time.sleep(1.1)
    assert written[0] == written[1]
    template = [tmp_path / "t1.xlsx", tmp_path / "t2.xlsx"]
    for path in template:
        write_template(path)
        time.sleep(1.1)  # openpyxl stamps the time of saving, to the second
    assert template[0].read_bytes() == template[1].read_bytes()


def test_the_score_details_continue_past_a_sheets_last_row(report, tmp_path, monkeypatch):
    monkeypatch.setattr(_workbook, "MAX_ROWS", 4)
    path = tmp_path / "results.xlsx"
    xlsx_format.render(report, path)
    book = openpyxl.load_workbook(path)
    details = [s for s in book.sheetnames if s.startswith("得分明细")]
    assert details[:3] == ["得分明细", "得分明细 (2)", "得分明细 (3)"]
    rows = [r for name in details for r in _rows(book[name])[1:]]
    assert all(book[name].max_row <= 4 for name in details)
    single = tmp_path / "single.xlsx"
    monkeypatch.setattr(_workbook, "MAX_ROWS", 1_048_576)
    xlsx_format.render(report, single)
    assert rows == _rows(openpyxl.load_workbook(single)["得分明细"])[1:]


def test_sheet_names_are_made_safe_and_unique():
    taken: set[str] = set()
    assert _workbook.safe_title("党建/业务: [汇总]?", taken) == "党建_业务_ _汇总__"
    assert _workbook.safe_title("排名", taken) == "排名"
    assert _workbook.safe_title("排名", taken) == "排名 (2)"
    assert len(_workbook.safe_title("长" * 40, taken)) == 31


# ----------------------------------------------------------------------------- the template
def test_the_template_has_drop_downs_for_every_closed_vocabulary(tmp_path):
    path = tmp_path / "facts.xlsx"
    write_template(path)
    book = openpyxl.load_workbook(path)
    assert book[LISTS_SHEET].sheet_state == "hidden"
    for cls in BUILTIN_FACT_TYPES:
        kind = cls.fact_kind
        sheet = book[kind]
        header = [c.value for c in sheet[1]]
        validations = {str(dv.sqref): dv for dv in sheet.data_validations.dataValidation if dv.type}
        for column, field in enumerate(header, start=1):
            spec = field_specs(cls)[field]
            letter = openpyxl.utils.get_column_letter(column)
            found = validations.get(f"{letter}2:{letter}1048576")
            if spec.vocabulary is not None:
                assert found is not None, (kind, field)
                assert found.type == "list", (kind, field)
                sheet_name, cells = found.formula1.split("!")
                assert sheet_name == f"'{LISTS_SHEET}'"
                first, last = (int(part.split("$")[-1]) for part in cells.split(":"))
                column_letter = cells.split("$")[1]
                values = [
                    book[LISTS_SHEET][f"{column_letter}{row}"].value
                    for row in range(first, last + 1)
                ]
                assert values == [str(v) for v in spec.vocabulary], (kind, field)
            elif spec.type is int:
                assert found is not None, (kind, field)
                assert found.type == "whole", (kind, field)
            elif spec.type is Decimal:
                assert found is not None, (kind, field)
                assert found.type == "decimal", (kind, field)
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref is not None
        assert all(c.font.bold for c in sheet[1])
    member_header = [c.value for c in book["member"][1]]
    age_letter = openpyxl.utils.get_column_letter(member_header.index("age") + 1)
    age = next(
        dv
        for dv in book["member"].data_validations.dataValidation
        if str(dv.sqref).startswith(f"{age_letter}2:")
    )
    spec = field_specs(Member)["age"]
    assert (age.operator, age.formula1, age.formula2) == (
        "between",
        str(spec.minimum),
        str(spec.maximum),
    )
    assert age.showErrorMessage


def test_the_template_describes_each_field_in_chinese(tmp_path):
    path = tmp_path / "facts.xlsx"
    write_template(path)
    book = openpyxl.load_workbook(path)
    prompts = {str(dv.sqref): dv.prompt for dv in book["member"].data_validations.dataValidation}
    assert prompts["F2:F1048576"].startswith("可选值: member, probationary")
    assert book["team"]["E1"].comment.text == "headcount: 整数; 默认: 空"
    assert book["team"]["C1"].comment.text == "name: 文本; 必填"
    fields = _rows(book["_填写说明"])
    assert fields[0] == ["类别", "名称", "字段", "类型", "默认", "可选值"]
    party = next(r for r in fields if r[:3] == ["member", "成员", "party_status"])
    assert party[5] == "member, probationary, applicant, activist, none"


def test_the_filled_template_reads_back(tmp_path):
    from assessment_engine import load_facts

    path = tmp_path / "facts.xlsx"
    write_template(path, kinds=["member"])
    book = openpyxl.load_workbook(path)
    book["team"].append(["lab", "2024", "食品所理化室", "食品所", 1])
    book["member"].append(["lab", "2024", "m1", None, "张三", "member", None, 30, None])
    book.save(path)
    facts = load_facts(path)
    assert [(f.fact_kind, f.team) for f in facts] == [("team", "lab"), ("member", "lab")]


def test_the_example_workbook_as_an_office_sees_it(tmp_path):
    pytest.importorskip("assessment_1252_method")
    with Engine(block=["food_institute"], matcher="python") as engine:
        report = engine.assess(engine.load_facts(EXAMPLE))
    path = tmp_path / "results.xlsx"
    xlsx_format.render(report, path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["排名", "党建", "业务", "精神文明", "得分明细", "说明"]
    ranking = book["排名"]
    food_chem = next(r for r in ranking.iter_rows(min_row=2) if r[1].value == "food-chem")
    assert food_chem[4].value == pytest.approx(95.7)
    assert food_chem[4].number_format == "0.00"  # shown as 95.70
