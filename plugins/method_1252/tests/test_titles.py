"""Title conditions (红旗, 先进, 达标, 待改进) at their edges, and vetoes.

Each test assesses one team (so the quotas, at least 1 each, never bind) unless said.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from assessment_1252_method import EXCELLENT, VETOED

RED, ADVANCED, STANDARD, IMPROVE = (
    "title.red_flag",
    "title.advanced",
    "title.standard",
    "title.improve",
)


def _one(institute, assess, **knobs):
    institute.add("T1", **knobs)
    return assess(institute)["T1"]


def _titles(a):
    return [t.id for t in a.titles]


# --------------------------------------------------------------------------- 红旗班组


@pytest.mark.parametrize(
    ("knobs", "composite"),
    [
        # pb 105 (innovation, bureau): 31.5 + 50 + 20 = 101.5
        ({"pb": {"innovation": "bureau"}}, "101.5"),
        ({"pb": {"innovation": "provincial"}}, "102.4"),  # 32.4 + 50 + 20
        # bp 103 (标准贡献奖 三等, provincial): 30 + 51.5 + 20
        ({"bp": {"standard_award": ("provincial", "third")}}, "101.5"),
        ({"bp": {"standard_award": ("bureau", "third")}}, "101.5"),  # 省局级 is enough
    ],
)
def test_red_flag(institute, assess, knobs, composite):
    a = _one(institute, assess, **knobs)
    assert a.composite == D(composite)
    assert _titles(a) == [RED]


@pytest.mark.parametrize(
    "knobs",
    [
        {},  # no bonus at all (composite 100)
        {"pb": {"innovation": "institute"}},  # 院级 innovation only: not 省局级或以上
        {"pb": {"team_honour": "provincial"}},  # a collective honour is not the kind asked for
        {"bp": {"adoption": True}},  # adoption by a regulator is not a 科技/标准奖
    ],
)
def test_red_flag_needs_a_high_level_innovation_or_award(institute, assess, knobs):
    a = _one(institute, assess, **knobs)
    assert a.composite >= 100
    assert _titles(a) == [ADVANCED]
    assert any("红旗班组" in note for note in a.title_notes)


@pytest.mark.parametrize(
    ("knobs", "composite"),
    [
        # pb 105 − 3 = 102: 30.6 + 50 + 20 = 100.6, every grade 优秀, but a pb penalty
        ({"pb": {"innovation": "bureau", "admonishment": True}}, "100.6"),
        # bp 100 − 3 = 97: 31.5 + 48.5 + 20 = 100, but a bp penalty
        ({"pb": {"innovation": "bureau"}, "bp": {"safety_hazard": True}}, "100"),
    ],
)
def test_red_flag_barred_by_any_penalty(institute, assess, knobs, composite):
    a = _one(institute, assess, **knobs)
    assert a.composite == D(composite)
    assert {d.grade.label for d in a.dimensions} == {EXCELLENT}
    assert _titles(a) == [ADVANCED]


def test_red_flag_composite_exactly_95(institute, assess):
    # pb 105, bp 100 − 7 − 2 = 91, cv 90: 31.5 + 45.5 + 18 = 95
    a = _one(
        institute,
        assess,
        pb={"innovation": "bureau"},
        bp={"corrected": 7, "thanks": 2},
        cv={"labour": 10},
    )
    assert a.composite == 95
    assert _titles(a) == [RED]


def test_red_flag_composite_just_below_95(institute, assess):
    # pb 105, bp 90, cv 90: 31.5 + 45 + 18 = 94.5; every grade 优秀 but the composite is short
    a = _one(
        institute, assess, pb={"innovation": "bureau"}, bp={"completion": False}, cv={"labour": 10}
    )
    assert a.composite == D("94.5")
    assert {d.grade.label for d in a.dimensions} == {EXCELLENT}
    assert _titles(a) == [ADVANCED]


def test_red_flag_needs_every_dimension_excellent(institute, assess):
    # pb 105, bp 100, cv 89: 31.5 + 50 + 17.8 = 99.3 ≥ 95, but cv is 良好
    a = _one(institute, assess, pb={"innovation": "bureau"}, cv={"labour": 11})
    assert a.composite == D("99.3")
    assert _titles(a) == [ADVANCED]


# --------------------------------------------------------------------------- 先进班组

_PB80 = {"satisfaction": False, "attendance": False, "seminars": 2}  # 100 − 10 − 8 − 2
_CV80 = {"labour": 15, "theme_events": 0}  # 100 − 15 − 5


def test_advanced_at_its_edges(institute, assess):
    # pb 80, bp 90, cv 80: 24 + 45 + 16 = 85
    a = _one(institute, assess, pb=_PB80, bp={"completion": False}, cv=_CV80)
    assert a.composite == 85
    assert _titles(a) == [ADVANCED]


def test_advanced_needs_every_dimension_at_80(institute, assess):
    # pb 79, bp 92, cv 80: 23.7 + 46 + 16 = 85.7 ≥ 85, but pb < 80
    a = _one(institute, assess, pb={**_PB80, "dues_late": 2}, bp={"on_time": False}, cv=_CV80)
    assert a.composite == D("85.7")
    assert _titles(a) == [STANDARD]


def test_advanced_needs_composite_85(institute, assess):
    # pb 80, bp 89, cv 80: 24 + 44.5 + 16 = 84.5
    a = _one(institute, assess, pb=_PB80, bp={"completion": False, "corrected": 1}, cv=_CV80)
    assert a.composite == D("84.5")
    assert _titles(a) == [STANDARD]


# --------------------------------------------------------------------------- 达标班组

_PB60 = {
    "satisfaction": False,
    "attendance": False,
    "studio": False,
    "seminars": 0,
    "articles": 0,
    "honours": 0,
}  # 100 − 10 − 8 − 5 − 6 − 6 − 5 = 60
_CV60 = {"labour": 15, "hours": False, "events": 0}  # 100 − 15 − 15 − 10 = 60


def test_standard_at_its_edges(institute, assess):
    # pb 60, bp 80, cv 60: 18 + 40 + 12 = 70
    a = _one(
        institute, assess, pb=_PB60, bp={"completion": False, "pt_unsatisfactory": 2}, cv=_CV60
    )
    assert a.composite == 70
    assert _titles(a) == [STANDARD]


def test_standard_needs_every_dimension_at_60(institute, assess):
    # pb 59, bp 82, cv 60: 17.7 + 41 + 12 = 70.7 ≥ 70, but pb < 60
    a = _one(
        institute,
        assess,
        pb={**_PB60, "dues_late": 2},
        bp={"completion": False, "pt_unsatisfactory": 1, "corrected": 3},
        cv=_CV60,
    )
    assert a.composite == D("70.7")
    assert _titles(a) == [IMPROVE]


def test_standard_needs_composite_70(institute, assess):
    # pb 60, bp 79, cv 60: 18 + 39.5 + 12 = 69.5
    a = _one(
        institute,
        assess,
        pb=_PB60,
        bp={"completion": False, "pt_unsatisfactory": 2, "corrected": 1},
        cv=_CV60,
    )
    assert a.composite == D("69.5")
    assert _titles(a) == [IMPROVE]


# --------------------------------------------------------------------------- vetoes


@pytest.mark.parametrize("dim", ["pb", "bp", "cv"])
def test_veto_gives_the_veto_grade_no_title_no_rank(institute, assess, dim):
    knobs = {"pb": {"innovation": "bureau"}}  # a 红旗 candidate: 101.5
    knobs.setdefault(dim, {})["veto"] = True
    institute.add("T1", **knobs)
    institute.add("T2")  # composite 100
    report = assess(institute)
    a = report["T1"]
    assert a.vetoed
    assert a.composite == D("101.5")  # still computed and explained
    grades = {d.id: d.grade.label for d in a.dimensions}
    assert grades[dim] == VETOED
    assert [label for d, label in grades.items() if d != dim] == [EXCELLENT, EXCELLENT]
    assert a.grade.label == VETOED
    assert a.titles == ()
    assert a.rank is None
    assert report.teams == ("T2", "T1")  # ranked teams first
    assert report["T2"].rank == 1
    assert [t.id for t in report["T2"].titles] == [ADVANCED]  # no high-level bonus


def test_a_criminal_case_vetoes_party_building_and_civility(institute, assess):
    from assessment_engine import Incident

    institute.add("T1")
    institute._add("T1", Incident, kind="criminal_case")
    a = assess(institute)["T1"]
    assert sorted(v.id for v in a.vetoes) == ["cv.veto.criminal_case", "pb.veto.criminal_case"]
    grades = {d.id: d.grade.label for d in a.dimensions}
    assert grades == {"pb": VETOED, "bp": EXCELLENT, "cv": VETOED}
