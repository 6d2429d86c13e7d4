"""The example institute, end to end: the engine must agree with the hand computation.

Every number below is typed in from ``examples/expected-2024.md``, which works out each team's
indicators, bonuses, penalties, vetoes, dimension scores, composite, grades, titles and ranks by
hand from the rules of the built-in rule sets — not from running the engine. Both matchers must
give these numbers. ``institute-2023.json`` (the year before, for later comparisons) must load and
assess, and both files must survive a round trip through ``dump_json``.
"""

from __future__ import annotations

import pathlib
from collections.abc import Iterator
from decimal import Decimal
from typing import NamedTuple

import pytest

from assessment_engine import Engine, Report, dump_json, load_facts, load_json

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"
YEAR_2024 = EXAMPLES / "institute-2024.json"
YEAR_2023 = EXAMPLES / "institute-2023.json"

EXC, GOOD, PASS, FAIL = "优秀 (excellent)", "良好 (good)", "合格 (pass)", "不合格 (fail)"
VETOED = "一票否决 (vetoed)"
RED_FLAG, ADVANCED = "title.red_flag", "title.advanced"
STANDARD, IMPROVE = "title.standard", "title.improve"

#: Indicator ids in the order of the rows in ``EXPECTED`` (rubric order within each dimension).
INDICATORS = {
    "pb": ("pb.leader", "pb.develop", "pb.study", "pb.life", "pb.talent", "pb.vanguard"),
    "bp": (
        "bp.task",
        "bp.project",
        "bp.acceptance",
        "bp.std_ip",
        "bp.innovation",
        "bp.service",
        "bp.dedication",
    ),
    "cv": (
        "cv.volunteer",
        "cv.pairing",
        "cv.outreach",
        "cv.enterprise",
        "cv.culture",
        "cv.discipline",
    ),
}


class Dim(NamedTuple):
    """One dimension: indicator points (in ``INDICATORS`` order), base, bonus, penalty, score."""

    indicators: str
    base: str
    bonus: str
    penalty: str
    score: str
    grade: str


class Row(NamedTuple):
    rank: int | None
    department: str
    composite: str
    grade: str
    title: str | None
    pb: Dim
    bp: Dim
    cv: Dim


# fmt: off
EXPECTED: dict[str, Row] = {
    # 1 — the top composite, all 优秀, but no 省局级 bonus item: 先进, not 红旗
    "plastic-biz": Row(1, "塑化所", "96.50", EXC, ADVANCED,
        Dim("15 12 20 15 9 20", "91", "10", "0", "101", EXC),
        Dim("25 12 10 10 8 15 13", "93", "3", "0", "96", EXC),
        Dim("25 3 17 10 13 15", "83", "8", "0", "91", EXC)),
    # 2 — 红旗: the 福建省标准贡献奖 as a main completing unit
    "food-chem": Row(2, "食品所", "95.70", EXC, RED_FLAG,
        Dim("15 10 20 15 13 20", "93", "5", "0", "98", EXC),
        Dim("24 12 10 13 6 15 12", "92", "3", "0", "95", EXC),
        Dim("25 8 17 9 13 14", "86", "8", "0", "94", EXC)),
    # 3 = 3 — the tie at the honours quota boundary
    "elec-appliance": Row(3, "电器所", "85.55", GOOD, ADVANCED,
        Dim("13 5 18 14.5 9 18", "77.5", "7", "0", "84.5", GOOD),
        Dim("25 12 8 11 3 13 12", "84", "4", "0", "88", GOOD),
        Dim("18 7 14 8 13 15", "75", "6", "0", "81", GOOD)),
    "food-micro": Row(3, "食品所", "85.55", GOOD, ADVANCED,
        Dim("15 15 15 12.5 8 17.5", "83", "4", "0", "87", GOOD),
        Dim("23 12 7 7.5 4 15 12", "80.5", "0", "0", "80.5", GOOD),
        Dim("25 13 14 6 15 13", "86", "10", "0", "96", EXC)),
    # 5 — pb exactly 80 and composite exactly 85: qualifies for 先进, but the quota is full
    "build-support": Row(5, "建材所", "85.00", GOOD, STANDARD,
        Dim("15 8 14 11 8 18", "74", "6", "0", "80", GOOD),
        Dim("25 10 8 10 6 14 12", "85", "3", "0", "88", GOOD),
        Dim("23 7 14 8 13 14", "79", "6", "0", "85", GOOD)),
    "food-instr": Row(6, "食品所", "75.10", PASS, STANDARD,
        Dim("15 7 14 13 7 17.5", "73.5", "4", "0", "77.5", PASS),
        Dim("23 7 3 5.5 4 15 12", "69.5", "3", "0", "72.5", PASS),
        Dim("20 6 14 6 13 15", "74", "4", "0", "78", PASS)),
    # cv exactly 90 (优秀) after a bonus capped from 12 to 10
    "elec-admin": Row(7, "电器所", "73.05", PASS, STANDARD,
        Dim("13 3 17 15 6 17.5", "71.5", "2", "0", "73.5", PASS),
        Dim("25 4 3 4 4 14 12", "66", "0", "0", "66", PASS),
        Dim("25 9 11 6 14 15", "80", "10", "0", "90", EXC)),
    "plastic-pipe": Row(8, "塑化所", "70.45", PASS, STANDARD,
        Dim("13 6 16 12 6 15", "68", "4", "0", "72", PASS),
        Dim("20 11 5 9 4 10.5 9", "68.5", "0", "0", "68.5", PASS),
        Dim("20 7 14 8 10 12", "71", "2", "0", "73", PASS)),
    # the −5 penalty takes the composite from 72.00 to 69.50: 待改进
    "elec-battery": Row(9, "电器所", "69.50", PASS, IMPROVE,
        Dim("13 5 15 13 7 15", "68", "2", "0", "70", PASS),
        Dim("23 7 5 7 3 13 12", "70", "0", "5", "65", PASS),
        Dim("20 2 20 6 13 15", "76", "4", "0", "80", GOOD)),
    "plastic-pack": Row(10, "塑化所", "40.80", FAIL, IMPROVE,
        Dim("11 4 12 10 2 10", "49", "0", "3", "46", FAIL),
        Dim("17 4 0 3.5 3 6.5 6", "40", "0", "3", "37", FAIL),
        Dim("18 2 5.5 6 3 8", "42.5", "0", "0", "42.5", FAIL)),
    # vetoed (虚假检验报告): scored and explained, unranked, no title
    "build-waterproof": Row(None, "建材所", "80.20", VETOED, None,
        Dim("15 5 18 15 5 17.5", "75.5", "5", "0", "80.5", GOOD),
        Dim("25 7 6 9.5 4 14 12", "77.5", "4", "0", "81.5", VETOED),
        Dim("18 6 11.5 9 13 15", "72.5", "4", "0", "76.5", PASS)),
}
# fmt: on

#: The ranking, in report order (ties by team id, the vetoed team last).
ORDER = (
    "plastic-biz",
    "food-chem",
    "elec-appliance",
    "food-micro",
    "build-support",
    "food-instr",
    "elec-admin",
    "plastic-pipe",
    "elec-battery",
    "plastic-pack",
    "build-waterproof",
)

#: The 红旗 items of method_1252 (a team needs one of them triggered).
RED_FLAG_ITEMS = (
    "pb.bonus.innovation.bureau",
    "pb.bonus.innovation.provincial",
    "bp.bonus.tech_award",
    "bp.bonus.association_award",
    "bp.bonus.standard_award",
)


@pytest.fixture(scope="module", params=["python", "durable"])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    with Engine(block=["food_institute"], matcher=request.param) as built:
        yield built


@pytest.fixture(scope="module")
def report(engine: Engine) -> Report:
    facts = load_facts(YEAR_2024, fact_types=engine.rubric.fact_types)
    return engine.assess(facts)


def _adjustments(report: Report, team: str) -> dict[str, Decimal]:
    """Applied bonus and penalty amounts of a team, by rule id (only the nonzero ones)."""
    return {
        adj.id: adj.applied
        for dim in report[team].dimensions
        for adj in dim.adjustments
        if adj.applied
    }


def test_the_ranking_matches_the_hand_computation(report: Report) -> None:
    assert report.period == "2024"
    assert report.teams == ORDER
    assert [(a.team, a.rank) for a in report] == [(t, EXPECTED[t].rank) for t in ORDER]


@pytest.mark.parametrize("team", ORDER)
def test_every_number_of_every_team(report: Report, team: str) -> None:
    expected = EXPECTED[team]
    a = report[team]
    assert a.department == expected.department
    assert a.composite == Decimal(expected.composite)
    assert a.grade is not None
    assert a.grade.label == expected.grade
    assert a.rank == expected.rank
    assert [t.id for t in a.titles] == ([expected.title] if expected.title else [])
    for dim_id in ("pb", "bp", "cv"):
        want: Dim = getattr(expected, dim_id)
        dim = a.dimension(dim_id)
        points = {ind.id: ind.points for ind in dim.indicators}
        assert points == dict(
            zip(INDICATORS[dim_id], map(Decimal, want.indicators.split()), strict=True)
        ), (team, dim_id)
        got = (dim.base, dim.bonus, dim.penalty, dim.score)
        assert got == tuple(map(Decimal, (want.base, want.bonus, want.penalty, want.score))), (
            team,
            dim_id,
        )
        assert dim.grade is not None
        assert dim.grade.label == want.grade, (team, dim_id)


def test_the_explanations_add_up(report: Report, check_explanations) -> None:
    check_explanations(report)
    for a in report:
        text = a.explain().text()
        assert a.name in text
        assert f"{a.composite:.2f}" in text


def test_quotas_with_the_tie_overrun(report: Report) -> None:
    quotas = {q.id: (q.limit, q.awarded, q.overrun) for q in report.quotas}
    # 11 teams (the vetoed one counts): 红旗 ⌊1.1⌋ = 1; 红旗 + 先进 ⌊11/3⌋ = 3, awarded 4
    assert quotas == {"quota.red_flag": (1, 1, 0), "quota.honours": (3, 4, 1)}
    holders = sorted(a.team for a in report if {t.id for t in a.titles} & {RED_FLAG, ADVANCED})
    assert holders == ["elec-appliance", "food-chem", "food-micro", "plastic-biz"]


def test_the_tie(report: Report) -> None:
    appliance, micro = report["elec-appliance"], report["food-micro"]
    assert appliance.composite == micro.composite == Decimal("85.55")
    assert appliance.rank == micro.rank == 3
    assert report["build-support"].rank == 5  # competition ranking: 1, 2, 3, 3, 5
    assert "food-micro" in appliance.rank_note
    assert "elec-appliance" in micro.rank_note
    # both are checked against the quota as it stood before the tie: both get 先进 (4 of 3)
    for a in (appliance, micro):
        (title,) = a.titles
        assert title.id == ADVANCED
        assert "quota.honours" in title.note
        assert "1" in title.note


def test_the_band_edges(report: Report) -> None:
    support = report["build-support"]
    # pb exactly 80: 良好 (not 合格), and 先进's "every dimension ≥ 80" holds
    assert support.dimension("pb").score == Decimal(80)
    assert support.dimension("pb").grade.label == GOOD
    # composite exactly 85: 先进's threshold holds — the note names the quota, not the condition
    assert support.composite == Decimal(85)
    assert [t.id for t in support.titles] == [STANDARD]
    advanced = [n for n in support.title_notes if n.startswith("先进班组")]
    assert len(advanced) == 1
    assert "quota.honours" in advanced[0]
    assert "条件未满足" not in advanced[0]
    # civility exactly 90 after a capped bonus: 优秀
    admin = report["elec-admin"].dimension("cv")
    assert (admin.base, admin.bonus_before_cap, admin.bonus, admin.score) == (80, 12, 10, 90)
    assert admin.grade.label == EXC
    # "≥" bands are inclusive at their edges, "高于" is strict
    chem = report["food-chem"]
    assert chem.indicator("pb.talent").points == 13  # masters 9/10 = 90 % → 4
    assert chem.indicator("pb.life").points == 15  # attendance 95.0 → 8
    battery = report["elec-battery"]
    assert battery.indicator("pb.vanguard").points == 15  # satisfaction 90.0 → 7, not 10


def test_the_missed_title(report: Report) -> None:
    top = report["plastic-biz"]
    assert top.rank == 1
    assert all(dim.grade.label == EXC for dim in top.dimensions)
    assert top.composite >= 95
    assert all(dim.penalty == 0 for dim in top.dimensions)
    # its bonuses are real, but none is a 红旗 item (院级 party brand, publicity, team honour,
    # a provincial regulator's adoption; the city regulator's adoption earns nothing)
    applied = _adjustments(report, "plastic-biz")
    assert applied == {
        "pb.bonus.innovation.institute": Decimal(3),
        "pb.bonus.publicity": Decimal(4),
        "pb.bonus.team_honour": Decimal(4),
        "bp.bonus.adoption": Decimal(3),
        "cv.bonus.honour": Decimal(6),
        "cv.bonus.media": Decimal(2),
    }
    assert not set(applied) & set(RED_FLAG_ITEMS)
    assert [t.id for t in top.titles] == [ADVANCED]
    (note,) = [n for n in top.title_notes if n.startswith("红旗班组")]
    assert "条件未满足" in note
    assert note in top.explain().text()
    # the red flag goes to the second, whose standard award (as lead) is a 红旗 item
    chem = _adjustments(report, "food-chem")
    assert chem["bp.bonus.standard_award"] == 3
    assert "bp.bonus.association_award" not in chem  # as a participant: nothing
    assert [t.id for t in report["food-chem"].titles] == [RED_FLAG]


def test_the_veto(report: Report) -> None:
    vetoed = report["build-waterproof"]
    assert vetoed.vetoed
    assert [(v.id, [f.id for f in v.facts]) for v in vetoed.vetoes] == [
        ("bp.veto.false_report", ["false-report-01"])
    ]
    assert vetoed.rank is None
    assert vetoed.titles == ()
    assert any("一票否决" in note for note in vetoed.title_notes)
    # still scored: 80.20 would have ranked 6th
    assert vetoed.composite == Decimal("80.20") > report["food-instr"].composite
    assert report.teams[-1] == "build-waterproof"
    text = vetoed.explain().text()
    assert "bp.veto.false_report" in text
    assert "未排名" in text


def test_the_overtime_is_per_capita_and_banded(report: Report) -> None:
    # the leader's 296 hours: 472 h over 8 people is 59 h, below the 60 h band
    lines = report["food-instr"].indicator("bp.dedication").lines
    overtime = [line for line in lines if line.source == "bp.dedication.overtime"]
    assert sum(line.points for line in overtime) == 2


def test_the_year_before_assesses(engine: Engine, check_explanations) -> None:
    facts = load_facts(YEAR_2023, fact_types=engine.rubric.fact_types)
    report = engine.assess(facts)
    assert report.period == "2023"
    assert set(report.teams) == set(EXPECTED)
    assert report["food-micro"].headcount == 15
    check_explanations(report)
    for a in report:
        assert a.explain().text()
    assert not report["build-waterproof"].vetoed  # the false report is a 2024 fact


@pytest.mark.parametrize("path", [YEAR_2023, YEAR_2024], ids=lambda p: p.name)
def test_the_files_round_trip_through_dump_json(
    engine: Engine, path: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    kinds = engine.rubric.fact_types
    facts = load_json(path, fact_types=kinds)
    text = dump_json(facts)
    copy = tmp_path / path.name
    copy.write_text(text, encoding="utf-8")
    again = load_json(copy, fact_types=kinds)
    # dump_json sorts the records, so the reloaded facts come in another order: compare as sets
    assert len(again) == len(facts)
    assert set(again) == set(facts)
    assert dump_json(again) == text
    assert engine.assess(again).to_json() == engine.assess(facts).to_json()


@pytest.mark.parametrize("matcher", ["python", "durable"])
def test_a_memo_that_restarts_mid_assessment_changes_nothing(
    matcher: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Memos restart when they would outgrow their limit; the teams assessed then must not lose
    the answers they already had (regression: a restart between finding the misses and reading
    the answers raised KeyError)."""
    import assessment_engine._pipeline._evaluate as evaluate

    with Engine(block=["food_institute"], matcher=matcher) as fresh:
        facts = load_facts(YEAR_2024, fact_types=fresh.rubric.fact_types)
        expected = fresh.assess(facts).to_json()
    teams = sorted({f.team for f in facts})
    first_half = [f for f in facts if f.team in teams[:5]]
    monkeypatch.setattr(evaluate, "_MEMO_LIMIT", 6)
    with Engine(block=["food_institute"], matcher=matcher) as engine:
        engine.assess(first_half)  # fills the memos to their (tiny) limit
        assert engine.assess(facts).to_json() == expected
        assert engine.assess(facts).to_json() == expected
