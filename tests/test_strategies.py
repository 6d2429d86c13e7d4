"""assessment_engine.strategies: valid facts for every registered kind, teams biased toward a
rubric's thresholds, type strategies through Hypothesis' entry point, and clear argument errors.
"""

from __future__ import annotations

import datetime
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from typing import ClassVar, Literal

import attrs
import pytest
from attrs import validators as v
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from assessment_engine import (
    Achievement,
    Activity,
    Engine,
    Fact,
    FactSet,
    Incident,
    Member,
    Metric,
    Record,
    Score,
    Team,
)
from assessment_engine.rubric import (
    AssessorScore,
    Band,
    Bands,
    Count,
    Deduct,
    Deduction,
    Dimension,
    DistinctCount,
    Field,
    Headcount,
    Indicator,
    Linear,
    Part,
    Parts,
    PerItem,
    PointsBy,
    Ratio,
    Rubric,
    Total,
    ValueOf,
    Veto,
    exists,
    facts,
    per_capita,
)
from assessment_engine.strategies import fact_sets, teams
from assessment_engine.strategies import facts as fact_strategy

SEARCH = settings(database=None, max_examples=400, phases=[Phase.generate], derandomize=True)
VALID = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _quarter(self: Visit) -> int:
    return (self.date.month - 1) // 3 + 1


def _family(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("family must be non-empty text")


@attrs.frozen(kw_only=True)
class Visit(Record):
    """A plugin's fact kind: a closed vocabulary, a custom validator, bounds, a derived field."""

    fact_kind: ClassVar[str] = "visit"

    family: str = attrs.field(validator=_family)
    date: datetime.date = attrs.field(validator=v.instance_of(datetime.date))
    mode: Literal["home", "phone"] = attrs.field(default="home", validator=v.in_(("home", "phone")))
    minutes: int = attrs.field(default=30, validator=[v.instance_of(int), v.ge(5), v.le(240)])
    quarter: int = attrs.field(init=False, default=attrs.Factory(_quarter, takes_self=True))


PARTY_SHARE = Ratio(Count(facts("member", party_status="member")), Headcount())
SATISFACTION = ValueOf(facts("metric", kind="satisfaction_pct"))
VOLUNTEER = facts("activity", kind="volunteer")
VISITS = facts("visit", mode="home")

RUBRIC = Rubric.build(
    fact_types=[Team, Member, Activity, Achievement, Metric, Incident, Score, Visit],
    dimensions=[Dimension(id="pb", label="党建 (party)", max=50)],
    indicators=[
        Indicator(
            id="pb.share",
            dimension="pb",
            label="党员比例 (party share)",
            max=3,
            scoring=Bands(PARTY_SHARE, [Band.at_least("0.5", 3), Band.above(0, 1)]),
        ),
        Indicator(
            id="pb.satisfaction",
            dimension="pb",
            label="满意度 (satisfaction)",
            max=10,
            scoring=Bands(SATISFACTION, [Band.above(90, 10), Band.at_least(80, 5)]),
        ),
        Indicator(
            id="pb.volunteer",
            dimension="pb",
            label="志愿 (volunteering)",
            max=10,
            scoring=Parts(
                [
                    Part(
                        id="pb.volunteer.hours",
                        label="人均时长",
                        scoring=Bands(
                            per_capita(Total(VOLUNTEER, "hours")), [Band.at_least(20, 4)]
                        ),
                    ),
                    Part(
                        id="pb.volunteer.events",
                        label="活动",
                        scoring=PerItem(
                            VOLUNTEER, PointsBy("level", {"city": 2, "national": 3}), cap=6
                        ),
                    ),
                ]
            ),
        ),
        Indicator(
            id="pb.visits",
            dimension="pb",
            label="走访 (visits)",
            max=10,
            scoring=Parts(
                [
                    Part(
                        id="pb.visits.quarters",
                        label="季度",
                        scoring=Linear(DistinctCount(VISITS, "quarter"), 1, cap=4),
                    ),
                    Part(
                        id="pb.visits.long",
                        label="长走访",
                        scoring=PerItem(facts("visit", Field("minutes").at_least(60)), 1, cap=2),
                    ),
                ]
            ),
        ),
        Indicator(
            id="pb.conduct",
            dimension="pb",
            label="纪律 (conduct)",
            max=5,
            scoring=Deduct(5, [Deduction("违纪", 2, select=facts("incident", kind="late"))]),
        ),
        Indicator(
            id="pb.judged",
            dimension="pb",
            label="评议 (assessed)",
            max=5,
            scoring=AssessorScore(5, 1),
        ),
    ],
    rules=[
        Veto(
            id="pb.veto",
            dimension="pb",
            label="否决",
            when=exists(facts("incident", kind="fraud")),
        )
    ],
)


def value_of(rubric_quantity: object, items: list[Fact], team_id: str) -> object:
    """The value of a quantity for one team, computed here by hand (the engine's semantics)."""
    mine = [f for f in items if f.team == team_id]
    team = next(f for f in mine if isinstance(f, Team))
    if rubric_quantity is PARTY_SHARE:
        count = sum(1 for f in mine if isinstance(f, Member) and f.party_status == "member")
        return Fraction(count, team.headcount)
    if rubric_quantity is SATISFACTION:
        found = [f.value for f in mine if isinstance(f, Metric) and f.kind == "satisfaction_pct"]
        return found[0] if found else None
    hours = sum(
        (f.hours for f in mine if isinstance(f, Activity) and f.kind == "volunteer"), Decimal(0)
    )
    return Fraction(hours) / team.headcount


def team_ids(items: list[Fact]) -> list[str]:
    return [f.team for f in items if isinstance(f, Team)]


# --------------------------------------------------------------------------- validity


@VALID
@given(
    items=st.lists(
        fact_strategy(RUBRIC, team="T1"), max_size=12, unique_by=lambda f: (f.fact_kind, f.id)
    )
)
def test_generated_facts_are_valid_input(items: list[Fact]) -> None:
    assert all(isinstance(f, Record) for f in items)
    kinds = {f.fact_kind for f in items}
    assert kinds <= set(RUBRIC.fact_types) - {"team"}
    fact_set = FactSet(
        [Team(team="T1", period="2024", name="n", department="d", headcount=3), *items]
    )
    assert len(fact_set) == len(items) + 1
    for fact in items:
        if isinstance(fact, Score):  # only for the assessor-scored indicator, within bounds
            assert fact.indicator == "pb.judged"
            assert 1 <= fact.value <= 5


@VALID
@given(items=teams(RUBRIC, min_size=1, max_size=4))
def test_generated_teams_are_valid_input_for_their_rubric(items: list[Fact]) -> None:
    with Engine.from_rubric(RUBRIC, matcher="python") as engine:
        report = engine.assess(items)  # no input error: one reported value, one score, ...
    assert sorted(report.teams) == sorted(team_ids(items))
    assert 1 <= len(report) <= 4


@VALID
@given(fact_set=fact_sets(RUBRIC, max_size=2))
def test_fact_sets_are_fact_sets(fact_set: FactSet) -> None:
    assert isinstance(fact_set, FactSet)
    assert fact_set.periods == ("2024",)


@VALID
@given(fact=fact_strategy(kinds=["member", "activity"], team="T-1", period="2024-H1"))
def test_facts_without_a_rubric_use_the_built_in_kinds(fact: Fact) -> None:
    assert isinstance(fact, Member | Activity)
    assert (fact.team, fact.period) == ("T-1", "2024-H1")


@VALID
@given(fact=fact_strategy([Visit]))
def test_plugin_kinds_follow_their_validators(fact: Fact) -> None:
    assert isinstance(fact, Visit)
    assert fact.mode in ("home", "phone")
    assert 5 <= fact.minutes <= 240
    assert fact.family.strip()
    assert fact.quarter in (1, 2, 3, 4)


@pytest.mark.parametrize("cls", [Team, Member, Activity, Achievement, Metric, Incident, Score])
def test_from_type_works_for_every_built_in_fact_class(cls: type[Fact]) -> None:
    @settings(max_examples=10, database=None)
    @given(st.from_type(cls))
    def check(fact: Fact) -> None:
        assert type(fact) is cls

    check()


def test_from_type_of_the_base_classes_draws_their_kinds() -> None:
    seen = set()

    @settings(max_examples=60, database=None)
    @given(st.from_type(Record))
    def check(fact: Fact) -> None:
        assert isinstance(fact, Record)
        seen.add(type(fact))

    check()
    assert len(seen) >= 4


@pytest.mark.parametrize("first", ["import assessment_engine.strategies", "import hypothesis"])
def test_from_type_works_whichever_is_imported_first(first: str) -> None:
    # Hypothesis runs the entry point while it is imported; strategies.py imports Hypothesis
    code = (
        f"{first}\n"
        "from hypothesis import given, settings, strategies as st\n"
        "from assessment_engine import Activity\n"
        "@settings(max_examples=5, database=None)\n"
        "@given(st.from_type(Activity))\n"
        "def check(fact): assert isinstance(fact, Activity)\n"
        "check()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr


# --------------------------------------------------------------------------- bias


def test_a_ratio_band_at_one_half_is_hit_exactly() -> None:
    found = find(
        teams(RUBRIC, max_size=2),
        lambda items: any(
            value_of(PARTY_SHARE, items, t) == Fraction(1, 2) for t in team_ids(items)
        ),
        settings=SEARCH,
    )
    assert any(value_of(PARTY_SHARE, found, t) == Fraction(1, 2) for t in team_ids(found))


@pytest.mark.parametrize("value", [Decimal("89.99"), Decimal(90), Decimal("90.01"), Decimal(80)])
def test_a_reported_value_lands_at_and_beside_each_threshold(value: Decimal) -> None:
    find(
        teams(RUBRIC, max_size=2),
        lambda items: any(value_of(SATISFACTION, items, t) == value for t in team_ids(items)),
        settings=SEARCH,
    )


@pytest.mark.parametrize("per_member", [Fraction(20), Fraction(1999, 100)])
def test_hours_per_member_land_on_and_just_below_the_band(per_member: Fraction) -> None:
    find(
        teams(RUBRIC, max_size=2),
        lambda items: any(value_of(None, items, t) == per_member for t in team_ids(items)),
        settings=SEARCH,
    )


def test_a_zero_point_item_under_a_cap_is_no_target() -> None:
    # a 0-point item never reaches a cap: no count aims at it (this once divided by zero)
    zero = Rubric.build(
        dimensions=[Dimension(id="d", label="D", max=10)],
        indicators=[
            Indicator(
                id="d.i",
                dimension="d",
                label="I",
                max=10,
                scoring=PerItem(facts("activity", kind="volunteer"), points=0, cap=2),
            )
        ],
    )
    drawn = find(teams(zero, max_size=2), lambda items: len(items) > 0, settings=SEARCH)
    assert all(isinstance(f, Fact) for f in drawn)


@pytest.mark.parametrize("count", [2, 3])
def test_item_counts_reach_a_cap_exactly_and_one_short(count: int) -> None:
    # cap 6 at 3 points (national) or 2 points (city): 2 and 3 items reach it
    def volunteers(items: list[Fact], team_id: str) -> int:
        return sum(
            1
            for f in items
            if f.team == team_id and isinstance(f, Activity) and f.kind == "volunteer"
        )

    find(
        teams(RUBRIC, max_size=2),
        lambda items: any(volunteers(items, t) == count for t in team_ids(items)),
        settings=SEARCH,
    )


def test_a_distinct_count_of_a_derived_field_reaches_its_cap() -> None:
    # the quarter is derived from the date: four visits in four quarters
    def quarters(items: list[Fact]) -> int:
        return max(
            len(
                {
                    f.quarter
                    for f in items
                    if isinstance(f, Visit) and f.team == t and f.mode == "home"
                }
            )
            for t in team_ids(items)
        )

    find(teams(RUBRIC, max_size=1), lambda items: quarters(items) >= 4, settings=SEARCH)


def test_numeric_filters_are_hit_at_their_threshold() -> None:
    find(
        teams(RUBRIC, max_size=1),
        lambda items: any(isinstance(f, Visit) and f.minutes == 60 for f in items),
        settings=SEARCH,
    )


def test_vetoes_and_assessor_scores_appear() -> None:
    find(
        teams(RUBRIC, max_size=1),
        lambda items: (
            any(isinstance(f, Incident) and f.kind == "fraud" for f in items)
            and any(isinstance(f, Score) for f in items)
        ),
        settings=SEARCH,
    )


# --------------------------------------------------------------------------- arguments


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: teams(RUBRIC, min_size=3, max_size=2), "max_size=2 is below min_size=3"),
        (lambda: teams(RUBRIC, min_size=0), "min_size must be between 1 and"),
        (lambda: teams(RUBRIC, max_size=True), "max_size must be an integer"),
        (lambda: teams(RUBRIC, max_records=-1), "max_records must be between 0 and 60"),
        (lambda: teams(RUBRIC, period="2024 H1"), "period must be 1-64 letters"),
        (lambda: teams("rubric"), "rubric must be a Rubric or an Engine, got str"),
        (lambda: fact_sets(RUBRIC, min_size=5, max_size=1), "max_size=1 is below min_size=5"),
        (lambda: fact_strategy(RUBRIC, kinds=["activty"]), "did you mean 'activity'"),
        (lambda: fact_strategy(RUBRIC, kinds="activity"), "kinds must be a collection"),
        (lambda: fact_strategy(RUBRIC, kinds=[]), "kinds must name at least one fact kind"),
        (lambda: fact_strategy(RUBRIC, team=""), "team must be 1-64 letters"),
        (lambda: fact_strategy([int]), "a fact type must be a class derived from Record"),
        (lambda: fact_strategy(42), "must be a Rubric, an Engine or a collection of fact types"),
        (
            lambda: fact_strategy(Rubric.build(), kinds=["score"]),
            "the rubric has no assessor-scored item",
        ),
    ],
)
def test_arguments_are_checked_when_the_strategy_is_built(call: object, message: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        call()  # type: ignore[operator]
    assert message in str(caught.value)
