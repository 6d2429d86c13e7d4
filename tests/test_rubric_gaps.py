"""What published rubrics needed and the model lacked: veto order, exclusive groups in rubric
order and with bonuses and penalties together, negative totals, grade scales without a catch-all
band, no grade for a veto, nested parts, an assessor-entered deduction, yes/no facts — each in
Python and in files, with hashes unchanged for rubrics that do not use them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assessment_engine import Achievement, Incident, Score, Team
from assessment_engine.kit import check_rubric
from assessment_engine.kit._model import Model
from assessment_engine.render._reasons import Reasons
from assessment_engine.rubric import (
    AssessorDeduction,
    Bonus,
    Count,
    Deduct,
    Deduction,
    Dimension,
    GradeBand,
    GradeScale,
    Indicator,
    Part,
    Parts,
    Penalty,
    PerItem,
    Rubric,
    Veto,
    exists,
    facts,
    to_data,
)
from assessment_engine.rubric.files import dump, load
from assessment_engine.rubric.plain import names_of

DIM = Dimension(id="d", label="维度 (dimension)", max=10)
BASE = Indicator(
    id="d.base",
    dimension="d",
    label="基础 (base)",
    max=10,
    scoring=PerItem(facts("achievement", kind="work"), 2, cap=10),
)


def team(name: str = "T1") -> Team:
    return Team(team=name, period="2024", name=name, department="d", headcount=3)


def achievement(kind: str, id: str, team: str = "T1", **fields: object) -> Achievement:
    return Achievement(team=team, period="2024", id=id, kind=kind, **fields)  # type: ignore[arg-type]


def incident(kind: str, id: str, team: str = "T1") -> Incident:
    return Incident(team=team, period="2024", id=id, kind=kind)


def build(**parts: object) -> Rubric:
    return Rubric.build(
        dimensions=parts.pop("dimensions", [DIM]),  # type: ignore[arg-type]
        indicators=parts.pop("indicators", [BASE]),  # type: ignore[arg-type]
        **parts,  # type: ignore[arg-type]
    )


def round_trip(rubric: Rubric) -> Rubric:
    loaded = load(dump(rubric), source="gap.toml")
    again = build(
        dimensions=loaded.dimensions,
        indicators=loaded.indicators,
        rules=loaded.rules,
        grade_scales=loaded.grade_scales,
    )
    assert again.content_hash == rubric.content_hash
    return again


# ----------------------------------------------------------------------------- vetoes
def test_vetoes_are_given_in_the_rubrics_order(assess) -> None:
    vetoes = [
        Veto(id="v.a", label="甲 (a)", when=exists(facts("incident", kind="a")), order=2),
        Veto(id="v.b", label="乙 (b)", when=exists(facts("incident", kind="b")), order=1),
    ]
    rubric = build(rules=vetoes)
    assert [v.id for v in rubric.vetoes] == ["v.b", "v.a"]
    report = assess(rubric, [team(), incident("a", "i1"), incident("b", "i2")])
    assert [v.id for v in report["T1"].vetoes] == ["v.b", "v.a"]
    assert "order = 2" in dump(rubric)
    round_trip(rubric)


# ----------------------------------------------------------------------------- groups
def test_equal_amounts_go_to_the_first_in_rubric_order(assess) -> None:
    bonuses = [
        Bonus(
            id="b.a",
            dimension="d",
            label="甲 (a)",
            group="g",
            order=2,
            scoring=PerItem(facts("achievement", kind="x"), 3),
        ),
        Bonus(
            id="b.z",
            dimension="d",
            label="乙 (z)",
            group="g",
            order=1,
            scoring=PerItem(facts("achievement", kind="y"), 3),
        ),
    ]
    report = assess(build(rules=bonuses), [team(), achievement("x", "a1"), achievement("y", "a2")])
    applied = {a.id: a.applied for a in report["T1"].dimension("d").adjustments}
    assert applied == {"b.z": 3, "b.a": 0}  # b.z comes first by order, though b.a's id is smaller


def test_a_group_may_hold_a_bonus_and_a_penalty(assess) -> None:
    rules = [
        Bonus(
            id="d.honour",
            dimension="d",
            label="表彰 (commended)",
            group="d.publicity",
            scoring=PerItem(facts("achievement", kind="honour"), 3),
        ),
        Penalty(
            id="d.censure",
            dimension="d",
            label="通报 (censured)",
            group="d.publicity",
            scoring=PerItem(facts("incident", kind="censure"), 2),
        ),
    ]
    rubric = build(rules=rules)
    facts_ = [team(), achievement("work", "w1"), achievement("work", "w2")]
    both = assess(rubric, [*facts_, achievement("honour", "h1"), incident("censure", "c1")])
    dim = both["T1"].dimension("d")
    assert (dim.bonus, dim.penalty, dim.score) == (3, 0, 7)  # the larger amount applies
    (censure,) = [a for a in dim.adjustments if a.id == "d.censure"]
    assert (censure.amount, censure.applied) == (2, 0)
    assert "only d.honour applies" in censure.note
    penalty_only = assess(rubric, [*facts_, incident("censure", "c1")])["T1"].dimension("d")
    assert (penalty_only.bonus, penalty_only.penalty, penalty_only.score) == (0, 2, 2)
    # the kit knows that either member may give nothing
    model = Model(rubric)
    _, _, bonus, penalty = model.dimension("d")
    assert (bonus.lo, penalty.lo) == (0, 0)
    assert not [f for f in check_rubric(rubric) if f.check == "singleton-group"]
    round_trip(rubric)


# ----------------------------------------------------------------------------- floors
@pytest.mark.parametrize(("floor", "score"), [(None, Decimal(-6)), (Decimal(-5), Decimal(-5))])
def test_a_dimension_may_keep_a_negative_total(assess, floor, score) -> None:
    dim = Dimension(id="d", label="维度 (dimension)", max=10, floor=floor)
    penalty = Penalty(
        id="d.p",
        dimension="d",
        label="扣分 (penalty)",
        scoring=PerItem(facts("incident", kind="x"), 4),
    )
    rubric = build(dimensions=[dim], rules=[penalty])
    report = assess(
        rubric, [team(), achievement("work", "w1"), *(incident("x", f"i{i}") for i in range(2))]
    )
    assert report["T1"].dimension("d").score == score
    assert report["T1"].composite == score
    assert Model(rubric).dimension("d")[0].lo == floor
    text = dump(rubric)
    assert ('floor = "none"' if floor is None else "floor = -5") in text
    round_trip(rubric)


def test_a_positive_floor_is_refused() -> None:
    with pytest.raises(ValueError, match="floor must be 0, negative or None"):
        Dimension(id="d", label="d", max=10, floor=1)


# ----------------------------------------------------------------------------- grades
def test_a_scale_may_end_in_an_edge_and_give_no_grade_below_it(assess) -> None:
    scale = GradeScale(
        id="grade.d",
        label="等级 (grade)",
        of="d",
        bands=[
            GradeBand(label="优秀 (excellent)", at_least=8),
            GradeBand(label="合格 (pass)", at_least=4),
        ],
        veto_label=None,
    )
    veto = Veto(id="d.veto", label="否决 (veto)", when=exists(facts("incident", kind="v")))
    rubric = build(grade_scales=[scale], rules=[veto])
    teams = [team("A"), team("B"), team("C")]
    works = [achievement("work", f"w{i}", "A") for i in range(4)]
    works += [achievement("work", "w1", "B"), incident("v", "i1", "C")]
    report = assess(rubric, [*teams, *works])
    assert report["A"].dimension("d").grade.label == "优秀 (excellent)"
    below = report["B"].dimension("d").grade
    assert (below.label, below.reason) == (None, "d 得分 (score) 2 < 4: 不评等级 (no grade)")
    vetoed = report["C"].dimension("d").grade
    assert vetoed.label is None
    assert vetoed.reason == "一票否决 (vetoed by d.veto): 不评等级 (no grade)"
    assert "等级 (grade) 无等级 (no grade)" in report["B"].explain().text()
    grades = [row.grades[0] for row in report.rows()]
    assert [g.label for g in grades] == ["优秀 (excellent)", None, None]  # a Grade, no label
    assert [str(g) for g in grades] == [
        "优秀 (excellent)",
        "无等级 (no grade)",
        "无等级 (no grade)",
    ]
    assert 'veto_label = "none"' in dump(rubric)
    round_trip(rubric)


def test_a_catch_all_band_still_takes_no_requirement() -> None:
    with pytest.raises(ValueError, match="the catch-all bottom band"):
        GradeScale(
            id="s",
            label="s",
            bands=[GradeBand(label="x", requires=Count(facts("member")).above(0))],
        )


# ----------------------------------------------------------------------------- parts
def test_parts_nest(assess) -> None:
    inner = Parts(
        [
            Part(id="d.q.a", label="甲 (a)", scoring=PerItem(facts("achievement", kind="a"), 2)),
            Part(
                id="d.q.b",
                label="乙 (b)",
                scoring=Deduct(
                    0, [Deduction("扣 (off)", 1, select=facts("incident", kind="b"))], floor=None
                ),
            ),
        ]
    )
    indicator = Indicator(
        id="d.q",
        dimension="d",
        label="质量 (quality)",
        max=10,
        scoring=Parts(
            [
                Part(id="d.q.inner", label="内 (inner)", scoring=inner, cap=3),
                Part(
                    id="d.q.work",
                    label="工作 (work)",
                    scoring=PerItem(facts("achievement", kind="work"), 1),
                ),
            ]
        ),
    )
    rubric = build(indicators=[indicator])
    assert {"d.q.inner", "d.q.a", "d.q.b"} <= set(rubric.provenance)
    records = [team(), *(achievement("a", f"a{i}") for i in range(3)), incident("b", "i1")]
    report = assess(rubric, [*records, achievement("work", "w1")])
    result = report["T1"].indicator("d.q")
    assert result.points == 4  # inner: min(6 − 1, 3) = 3, work 1
    assert [line.source for line in result.lines] == [
        "d.q.a",
        "d.q.b",
        "d.q.b#deduct0",
        "d.q.inner#cap",
        "d.q.work",
    ]
    assert "[[indicator.parts.parts]]" in dump(rubric)
    round_trip(rubric)


def test_a_nested_part_id_is_one_of_the_rubrics_ids() -> None:
    nested = Parts([Part(id="d.base", label="x", scoring=PerItem(facts("member"), 1))])
    indicator = Indicator(
        id="d.q",
        dimension="d",
        label="q",
        max=10,
        scoring=Parts([Part(id="d.q.p", label="p", scoring=nested)]),
    )
    with pytest.raises(Exception, match=r"d\.base"):
        build(indicators=[BASE, indicator])


# ----------------------------------------------------------------------------- 酌情扣分
CONDUCT_TOML = """\
[rubric]
format = 1

[[dimension]]
id = "d"
label = "维度 (dimension)"
max = 10

[[indicator]]
id = "d.c"
dimension = "d"
label = "作风 (conduct)"
max = 10

[indicator.deduct]
base = 10
deductions = [{ label = "违纪 (breach)", points = 2, select = "incident where kind == 'breach'" }]
assessor = { label = "其他情况酌情扣分 (other, at discretion)", maximum = 5 }
"""


def score(value: str, id: str = "s1", team: str = "T1") -> Score:
    return Score(team=team, period="2024", id=id, indicator="d.c", value=Decimal(value))


def conduct_rubric() -> Rubric:
    loaded = load(CONDUCT_TOML, source="conduct.toml")
    return build(indicators=loaded.indicators)


def test_an_assessor_deduction_is_written_in_a_file_and_keeps_its_hash(assess) -> None:
    rubric = conduct_rubric()
    (indicator,) = rubric.indicators
    assert isinstance(indicator.scoring, Deduct)
    assert indicator.scoring.assessor == AssessorDeduction(
        "其他情况酌情扣分 (other, at discretion)", 5
    )
    round_trip(rubric)
    report = assess(rubric, [team(), incident("breach", "i1"), score("3")])
    result = report["T1"].indicator("d.c")
    assert result.points == 5  # 10 − 2 − 3
    assert [(line.source, line.points) for line in result.lines] == [
        ("d.c", 10),
        ("d.c#deduct0", -2),
        ("d.c#assessor", -3),
    ]


def test_an_assessor_deduction_reads_in_plain_words(assess) -> None:
    rubric = conduct_rubric()
    reasons = Reasons(rubric, names_of(rubric))
    entered = assess(rubric, [team(), score("2.5")])["T1"].indicator("d.c")
    (line,) = [line for line in entered.lines if line.source == "d.c#assessor"]
    assert reasons.line(line) == "评委酌情扣 2.5 分（最多扣 5 分）"
    missing = assess(rubric, [team()])["T1"].indicator("d.c")
    (line,) = [line for line in missing.lines if line.source == "d.c#assessor"]
    assert reasons.line(line) == "未录入酌情扣分，不扣分（最多扣 5 分）"


def test_the_kit_knows_what_an_assessor_deduction_can_take() -> None:
    rubric = conduct_rubric()
    # 10 − (0 … unbounded breaches × 2) − (0 … 5), floored at 0; nothing entered takes nothing
    reach = Model(rubric).indicator("d.c")
    assert (reach.lo, reach.hi) == (0, 10)
    unfloored = build(
        indicators=[
            Indicator(
                id="d.c",
                dimension="d",
                label="作风 (conduct)",
                max=4,
                scoring=Deduct(
                    4, [], floor=None, assessor=AssessorDeduction("酌情扣分 (discretion)", 6)
                ),
            )
        ]
    )
    findings = {f.check for f in check_rubric(unfloored)}
    assert "deduction-above-max" in findings  # it may take 6 from an indicator worth 4
    assert Model(unfloored).form(unfloored.indicators[0].scoring).lo == -2


# ----------------------------------------------------------------------------- yes/no facts
CHECKLIST_TOML = """\
[rubric]
format = 1

[fact.check]
label = "检查项 (check)"
fields = { item = { type = "text", values = ["plan", "drill"] }, done = { type = "flag" } }

[[dimension]]
id = "d"
label = "维度 (dimension)"
max = 10

[[indicator]]
id = "d.ready"
dimension = "d"
label = "准备 (readiness)"
max = 4

[indicator.when_all]
points = 4
conditions = [
    "exists(check where item == 'plan' and done == true)",
    "exists(check where item == 'drill' and done == true)",
]
"""


@pytest.mark.parametrize(("drill", "points"), [("是", 4), ("否", 0), ("YES", 4), ("no", 0)])
def test_a_yes_no_fact_is_filled_in_the_template_and_assessed(
    tmp_path, drill: str, points: int
) -> None:
    import openpyxl

    from assessment_engine import Engine, load_facts, rubric_file
    from assessment_engine.spreadsheets import write_template

    loaded = load(CHECKLIST_TOML, source="checklist.toml")
    (check,) = loaded.fact_types
    kinds = {"team": Team, "check": check}
    path = tmp_path / "facts.xlsx"
    write_template(path, fact_types=kinds)
    book = openpyxl.load_workbook(path)
    sheet = book["check"]
    header = [c.value for c in sheet[1]]
    done = openpyxl.utils.get_column_letter(header.index("done") + 1)
    (drop_down,) = [
        dv for dv in sheet.data_validations.dataValidation if str(dv.sqref).startswith(done)
    ]
    lists, cells = drop_down.formula1.split("!")
    column, first, last = cells.split("$")[1], *(int(c.split("$")[-1]) for c in cells.split(":"))
    sheet_of_lists = book[lists.strip("'")]
    assert [sheet_of_lists[f"{column}{r}"].value for r in range(first, last + 1)] == ["是", "否"]
    book["team"].append(["T1", "2024", "甲", "d", 3])
    for n, (item, value) in enumerate((("plan", "是"), ("drill", drill)), start=1):
        row = {"team": "T1", "period": "2024", "id": f"c{n}", "item": item, "done": value}
        sheet.append([row.get(str(name)) for name in header])
    book.save(path)
    (tmp_path / "checklist.toml").write_text(CHECKLIST_TOML, encoding="utf-8")
    engine = Engine(plugins=[rubric_file(tmp_path / "checklist.toml")], entry_points=False)
    facts = load_facts(path, fact_types=engine.rubric.fact_types)
    assert engine.assess(facts)["T1"].indicator("d.ready").points == points


# ----------------------------------------------------------------------------- hashes
def test_new_fields_at_their_default_leave_the_data_as_it_was() -> None:
    assert "floor" not in to_data(DIM)
    veto = Veto(id="v", label="v", when=exists(facts("incident")))
    assert "order" not in to_data(veto)
    assert to_data(Dimension(id="d", label="d", max=10, floor=None))["floor"] is None
    assert to_data(Veto(id="v", label="v", when=exists(facts("incident")), order=3))["order"] == 3
