"""Embedding (issue 15): one grade type on Standing and Assessment, numbers printed as the
rubric states them, and the progress callback of the library's long steps (issue 10)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from assessment_engine import (
    Activity,
    Engine,
    Grade,
    GradeResult,
    Standing,
    Team,
    dump_json,
    load_facts,
)
from assessment_engine._base.numbers import plain_decimal
from assessment_engine._base.progress import Ticker, ticker
from assessment_engine.rubric import (
    Dimension,
    GradeBand,
    GradeScale,
    Indicator,
    PerItem,
    Rubric,
    Weight,
    facts,
)

Y = "2024"


def _rubric() -> Rubric:
    return Rubric.build(
        dimensions=[
            Dimension(id="a", label="甲 (alpha)", max=100),
            Dimension(id="b", label="乙 (beta)", max=100),
        ],
        indicators=[
            Indicator(
                id="a.x",
                dimension="a",
                label="甲项 (a item)",
                max=100,
                scoring=PerItem(facts("activity", kind="a"), points=Decimal("8.45")),
            ),
            Indicator(
                id="b.x",
                dimension="b",
                label="乙项 (b item)",
                max=100,
                scoring=PerItem(facts("activity", kind="b"), points=Decimal("8.65")),
            ),
        ],
        weights=[
            Weight(dimension="a", weight=Decimal("0.35")),
            Weight(dimension="b", weight=Decimal("0.65")),
        ],
        grade_scales=[
            GradeScale(
                id="g",
                label="等级 (grade)",
                bands=[GradeBand(label="良好 (good)", at_least=80), GradeBand(label="合格 (pass)")],
            ),
        ],
    )


def _team(team: str, a: int, b: int) -> list:
    records = [Team(team=team, period=Y, name=f"班组{team}", department="所", headcount=1)]
    records += [Activity(team=team, period=Y, id=f"a{i}", kind="a") for i in range(a)]
    records += [Activity(team=team, period=Y, id=f"b{i}", kind="b") for i in range(b)]
    return records


def test_one_grade_type_on_standing_and_assessment():
    with Engine.from_rubric(_rubric(), matcher="python") as engine:
        session = engine.session(_team("T1", 10, 10), period=Y)
        standing = session.add(Activity(team="T1", period=Y, id="b10", kind="b"))
        assessment = session.assessment("T1")
        assert isinstance(standing, Standing)
        assert isinstance(standing.grade, Grade)
        assert isinstance(assessment.grade, GradeResult)
        assert isinstance(assessment.grade, Grade)
        assert standing.grade.label == assessment.grade.label == "良好 (good)"
        assert (standing.grade.scale, standing.grade.of) == (
            assessment.grade.scale,
            assessment.grade.of,
        )
        assert str(standing.grade) == str(assessment.grade) == "良好 (good)"
        assert assessment.grade.reason.startswith("综合得分 (composite)")
        report = engine.assess(_team("T1", 10, 11) + _team("T2", 1, 1), period=Y)
        rows = report.rows()
        assert all(isinstance(g, Grade) for row in rows for g in (row.grade,))
        assert rows[0].dimension_grades == ()  # no dimension scales here


def test_numbers_are_printed_as_the_rubric_states_them():
    # 0.35 × 84.5 + 0.65 × 86.5 = 29.575 + 56.225 = 85.800: printed 85.8
    with Engine.from_rubric(_rubric(), matcher="python") as engine:
        report = engine.assess(_team("T1", 10, 10), period=Y)
        a = report["T1"]
        assert a.composite == Decimal("85.8")
        assert str(a.composite) == "85.8"
        assert str(report.rows()[0].composite) == "85.8"
        assert [str(d.score) for d in a.dimensions] == ["84.5", "86.5"]
        assert str(a.dimension("a").weight) == "0.35"
        assert str(a.indicator("a.x").max) == "100"
        assert [str(s) for s in report.rows()[0].scores] == ["84.5", "86.5"]
    assert str(plain_decimal(Decimal("1E+2"))) == "100"
    assert str(plain_decimal(Decimal("85.550"))) == "85.55"
    assert str(plain_decimal(Decimal("-0.00"))) == "0"


# ----------------------------------------------------------------------------- progress
def test_a_ticker_reports_its_start_its_end_and_at_most_about_200_times():
    calls: list[tuple[str, int, int | None]] = []
    tick = Ticker(lambda *a: calls.append(a), "assessing", 100_000)
    for _ in range(100_000):
        tick.advance()
    tick.finish()
    assert calls[0] == ("assessing", 0, 100_000)
    assert calls[-1] == ("assessing", 100_000, 100_000)
    assert 150 <= len(calls) <= 210
    dones = [done for _, done, _ in calls]
    assert dones == sorted(dones)
    unknown: list[tuple[str, int, int | None]] = []
    counting = ticker(lambda *a: unknown.append(a), "reading")
    counting.advance(2500)
    counting.finish()
    assert unknown[0] == ("reading", 0, None)
    assert unknown[-1] == ("reading", 2500, 2500)
    silent = ticker(None, "reading")
    silent.advance(10)  # no callback: nothing happens, nothing counts
    silent.finish()
    assert silent.done == 0


def test_the_long_steps_report_progress(tmp_path: Path):
    pytest.importorskip("openpyxl")
    from assessment_engine.render import csv as csv_format
    from assessment_engine.render import xlsx as xlsx_format

    records = [r for i in range(300) for r in _team(f"T{i}", i % 12, 3)]
    path = tmp_path / "facts.json"
    path.write_text(dump_json(records), encoding="utf-8")
    seen: dict[str, list[tuple[int, int | None]]] = {}

    def progress(step: str, done: int, total: int | None) -> None:
        seen.setdefault(step, []).append((done, total))

    fact_set = load_facts(path, progress=progress)
    assert seen["reading"][0] == (0, None)
    assert seen["reading"][-1] == (len(records), len(records))
    assert seen["checking"][-1] == (len(records), len(records))
    with Engine.from_rubric(_rubric(), matcher="python") as engine:
        report = engine.assess(fact_set, period=Y, progress=progress)
        assert seen["assessing"][0] == (0, 300)
        assert seen["assessing"][-1] == (300, 300)
        assert len(seen["assessing"]) >= 3  # the first chunk, then the rest
        for render in (
            lambda: report.to_json(progress=progress),
            lambda: csv_format.render(report, progress=progress),
            lambda: xlsx_format.render(report, tmp_path / "r.xlsx", progress=progress),
        ):
            seen.pop("writing", None)
            render()
            assert seen["writing"][0] == (0, 300)
            assert seen["writing"][-1] == (300, 300)
