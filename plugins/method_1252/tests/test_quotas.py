"""Quotas (红旗 ≤ 10 % with at least 1; 红旗 + 先进 ≤ 1/3, shared), ties and ranking."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

RED, ADVANCED, STANDARD, IMPROVE = (
    "title.red_flag",
    "title.advanced",
    "title.standard",
    "title.improve",
)
_WEAK = {  # pb 60, bp 80, cv 60: composite 70 → 达标
    "pb": {
        "satisfaction": False,
        "attendance": False,
        "studio": False,
        "seminars": 0,
        "articles": 0,
        "honours": 0,
    },
    "bp": {"completion": False, "pt_unsatisfactory": 2},
    "cv": {"labour": 15, "hours": False, "events": 0},
}


def _titles(report):
    return {a.team: [t.id for t in a.titles] for a in report}


def _quotas(report):
    return {q.id: (q.limit, q.awarded, q.overrun) for q in report.quotas}


@pytest.mark.parametrize(
    ("n", "red_flag", "honours"),
    [
        (1, 1, 1),  # 0.1 → 0, at least 1; 1/3 → 0, at least 1
        (5, 1, 1),  # 0.5 → 1 (minimum); 5/3 → 1
        (9, 1, 3),  # 0.9 → 1 (minimum); 9/3 = 3 exactly (0.33 would give 2)
        (19, 1, 6),  # 1.9 → 1 (rounded down); 19/3 → 6
        (20, 2, 6),  # 2; 20/3 → 6
        (21, 2, 7),  # 2.1 → 2; 21/3 = 7
    ],
)
def test_quota_limits(institute, assess, n, red_flag, honours):
    for i in range(n):
        institute.empty(f"T{i:02}")
    limits = {q.id: q.limit for q in assess(institute).quotas}
    assert limits == {"quota.red_flag": red_flag, "quota.honours": honours}


def test_quotas_fill_in_rank_order_and_fall_through(institute, assess):
    institute.add("A", pb={"innovation": "provincial"})  # 102.4, 红旗 candidate
    institute.add("C", bp={"standard_award": ("provincial", "second")})  # 30 + 52 + 20 = 102
    institute.add("B", pb={"innovation": "bureau"})  # 101.5, 红旗 candidate
    institute.add("D")  # 100, 先进 candidate
    institute.add("E", cv={"labour": 1})  # 99.8, 先进 candidate
    for i in range(5):
        institute.add(f"W{i}", **_WEAK)  # 70
    report = assess(institute)
    # 10 teams: 红旗 ≤ 1, 红旗 + 先进 ≤ 3
    assert [report[t].composite for t in ("A", "C", "B", "D", "E")] == [
        D("102.4"),
        D("102"),
        D("101.5"),
        D("100"),
        D("99.8"),
    ]
    titles = _titles(report)
    assert titles["A"] == [RED]
    assert titles["C"] == [ADVANCED]  # qualifies for 红旗, whose one place is taken
    assert titles["B"] == [ADVANCED]  # the shared quota: 1 红旗 + 2 先进 = 3
    assert titles["D"] == [STANDARD]  # qualifies for 先进, but the shared quota is full
    assert titles["E"] == [STANDARD]
    assert all(titles[f"W{i}"] == [STANDARD] for i in range(5))
    assert any("名额已满" in note for note in report["C"].title_notes)
    assert any("名额已满" in note for note in report["D"].title_notes)
    assert _quotas(report) == {"quota.red_flag": (1, 1, 0), "quota.honours": (3, 3, 0)}
    assert [report[t].rank for t in ("A", "C", "B", "D", "E", "W0")] == [1, 2, 3, 4, 5, 6]


def test_a_third_exactly(institute, assess):
    # nine 先进 candidates with composites 100, 99.8, …, 98.4: 9 / 3 = 3 places exactly
    for i in range(9):
        institute.add(f"T{i}", cv={"labour": i})  # 100 − 0.2 i
    report = assess(institute)
    titles = _titles(report)
    assert [titles[f"T{i}"] for i in range(9)] == [[ADVANCED]] * 3 + [[STANDARD]] * 6
    assert _quotas(report)["quota.honours"] == (3, 3, 0)


def test_tie_at_the_quota_boundary_gives_all_the_title(institute, assess):
    institute.add("X", pb={"innovation": "bureau"})  # 101.5
    institute.add("Y", pb={"innovation": "bureau"})  # 101.5: tied with X
    institute.add("Z", pb={"innovation": "institute"})  # 100.9: 先进
    for i in range(7):
        institute.add(f"W{i}", **_WEAK)
    report = assess(institute)
    # 10 teams: 红旗 ≤ 1, but X and Y tie at the boundary: both get it, overrun 1
    titles = _titles(report)
    assert titles["X"] == titles["Y"] == [RED]
    assert report["X"].rank == report["Y"].rank == 1  # competition ranking
    assert report["Z"].rank == 3
    assert titles["Z"] == [ADVANCED]  # the shared quota: 2 红旗 + 1 先进 = 3
    assert _quotas(report) == {"quota.red_flag": (1, 2, 1), "quota.honours": (3, 3, 0)}
    for team in ("X", "Y"):
        (title,) = report[team].titles
        assert "quota.red_flag" in title.note  # the overrun is reported on the title


def test_order_of_the_input_never_decides_a_tie(institute, assess):
    institute.add("Y", pb={"innovation": "bureau"})
    institute.add("X", pb={"innovation": "bureau"})
    for i in range(8):
        institute.empty(f"W{i}")
    report = assess(institute)
    assert _titles(report)["X"] == _titles(report)["Y"] == [RED]


def test_vetoed_teams_count_in_the_quota_base_but_are_not_ranked(institute, assess):
    institute.add("V", pb={"innovation": "provincial"}, cv={"veto": True})  # would lead
    institute.add("R", pb={"innovation": "bureau"})
    institute.add("S", pb={"innovation": "bureau"}, cv={"labour": 1})  # 101.3
    for i in range(7):
        institute.add(f"W{i}", **_WEAK)
    report = assess(institute)
    assert _quotas(report)["quota.red_flag"] == (1, 1, 0)  # 10 teams, V included
    assert _quotas(report)["quota.honours"][0] == 3
    assert report["V"].rank is None
    assert report["V"].titles == ()
    assert (report["R"].rank, report["S"].rank) == (1, 2)
    assert _titles(report)["R"] == [RED]
    assert _titles(report)["S"] == [ADVANCED]
    assert report.teams[-1] == "V"


def test_competition_ranking(institute, assess):
    institute.add("A")
    institute.add("B")  # tied with A at 100
    institute.add("C", cv={"labour": 5})  # 99
    institute.add("D", cv={"labour": 5})  # 99
    institute.add("E", bp={"corrected": 1})  # 99.5
    report = assess(institute)
    assert {a.team: a.rank for a in report} == {"A": 1, "B": 1, "E": 3, "C": 4, "D": 4}


def test_tie_at_the_shared_quota_boundary(institute, assess):
    # nine 先进 candidates; places 3 and 4 tie at 99.6: 9 / 3 = 3 places, both tied teams get 先进
    for team, labour in (("T0", 0), ("T1", 1), ("T2", 2), ("T3", 2), ("T4", 3)):
        institute.add(team, cv={"labour": labour})  # 100 − 0.2 × labour
    for i in range(4):
        institute.add(f"W{i}", **_WEAK)
    report = assess(institute)
    titles = _titles(report)
    assert [titles[t] for t in ("T0", "T1", "T2", "T3", "T4")] == [[ADVANCED]] * 4 + [[STANDARD]]
    assert report["T2"].rank == report["T3"].rank == 3
    assert _quotas(report)["quota.honours"] == (3, 4, 1)
    assert "quota.honours" in report["T3"].titles[0].note
