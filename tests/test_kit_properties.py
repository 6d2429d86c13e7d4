"""The consistency kit's properties: each one is shown to fail on a rule set (or an engine) built
to break it, with a message naming the property, the team and the indicator; and the whole
battery passes on a clean rule set that exercises every property.

Broken *engines* (a clip, an explanation, a veto, an index that mixes teams up) are simulated by
monkeypatching the report or by an engine subclass: the real engine holds these properties, so
only a simulated bug can show that the property would catch one.
"""

from __future__ import annotations

import importlib
import itertools
import subprocess
import sys
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import hypothesis
import pytest
from hypothesis import Phase

from assessment_engine import (
    Activity,
    Assessment,
    Engine,
    Fact,
    Incident,
    Record,
    Report,
    Team,
    hookimpl,
)
from assessment_engine.kit.properties import (
    PROPERTIES,
    check_bounds,
    check_determinism,
    check_explanations,
    check_isolation,
    check_monotonicity,
    check_per_capita,
    check_plugin_order,
    check_properties,
    check_vetoes,
    property_test,
    scaled,
)
from assessment_engine.rubric import (
    AllOf,
    Band,
    Bands,
    BestItem,
    Bonus,
    Composite,
    Count,
    Deduct,
    Deduction,
    Dimension,
    DimensionScore,
    GradeBand,
    GradeScale,
    Indicator,
    Part,
    Parts,
    Penalty,
    PerItem,
    PointsBy,
    Quota,
    Rubric,
    Title,
    Total,
    Veto,
    Vetoed,
    Weight,
    exists,
    facts,
    per_capita,
)

#: Fast, repeatable runs for the failing cases: no shrinking, no example database.
QUICK = hypothesis.settings(
    database=None, phases=[Phase.explicit, Phase.generate], derandomize=True
)


# --------------------------------------------------------------------------- a clean rule set

VOLUNTEER = facts("activity", kind="volunteer")
LECTURES = facts("activity", kind="public_lecture")
COMPLAINTS = facts("incident", kind="complaint")


def cv_indicators() -> list[Indicator]:
    return [
        Indicator(
            id="cv.volunteer",
            dimension="cv",
            label="志愿服务 (volunteering)",
            max=15,
            scoring=Parts(
                [
                    Part(
                        id="cv.volunteer.hours",
                        label="人均时长 (hours per member)",
                        scoring=Bands(
                            per_capita(Total(VOLUNTEER, "hours")),
                            [Band.at_least(20, 10), Band.at_least(6, 5)],
                        ),
                    ),
                    Part(
                        id="cv.volunteer.events",
                        label="活动 (events)",
                        scoring=PerItem(VOLUNTEER, 2, cap=5),
                    ),
                ]
            ),
        ),
        Indicator(
            id="cv.outreach",
            dimension="cv",
            label="科普 (outreach)",
            max=5,
            scoring=PerItem(
                LECTURES, PointsBy("level", {"city": 3, "institute": 1}, default=0), cap=5
            ),
        ),
        Indicator(
            id="cv.conduct",
            dimension="cv",
            label="文明 (conduct)",
            max=5,
            scoring=Deduct(5, [Deduction("投诉 (complaint)", 2, select=COMPLAINTS)]),
        ),
    ]


class CivilityPlugin:
    """A small civility rule set: one dimension, three indicators, a bonus, a penalty, a veto."""

    @hookimpl
    def assessment_register_dimensions(self) -> list[Dimension]:
        return [Dimension(id="cv", label="精神文明 (civility)", max=25, bonus_cap=3)]

    @hookimpl
    def assessment_register_indicators(self) -> list[Indicator]:
        return cv_indicators()

    @hookimpl
    def assessment_register_rules(self) -> list[Any]:
        return [
            Bonus(
                id="cv.bonus.honour",
                dimension="cv",
                label="荣誉 (honour)",
                scoring=BestItem(
                    facts("achievement", kind="honour"),
                    PointsBy("level", {"city": 2, "national": 5}),
                ),
            ),
            Penalty(
                id="cv.penalty.criticism",
                dimension="cv",
                label="通报 (criticism)",
                scoring=PerItem(facts("incident", kind="criticism"), 3),
            ),
            Veto(
                id="cv.veto.crime",
                dimension="cv",
                label="刑事案件 (criminal case)",
                when=exists(facts("incident", kind="criminal_case")),
            ),
        ]


class MethodPlugin:
    """Grades, a weight, titles with a quota: the cross-dimension part."""

    @hookimpl
    def assessment_register_grade_scales(self) -> list[GradeScale]:
        bands = [GradeBand(label="优秀", at_least=20), GradeBand(label="合格")]
        return [
            GradeScale(id="grade.cv", label="精神文明等级", of="cv", bands=bands),
            GradeScale(id="grade.all", label="综合等级", bands=bands),
        ]

    @hookimpl
    def assessment_register_weights(self) -> list[Weight]:
        return [Weight(dimension="cv", weight=1)]

    @hookimpl
    def assessment_register_rules(self) -> list[Any]:
        return [
            Quota(id="quota.best", label="名额", share="1/3"),
            Title(
                id="title.best",
                label="先进 (advanced)",
                order=1,
                quotas=("quota.best",),
                when=AllOf(Vetoed().equals(False), Composite().at_least(15)),
            ),
            Title(
                id="title.pass",
                label="达标 (pass)",
                order=2,
                when=AllOf(Vetoed().equals(False), DimensionScore("cv").at_least(5)),
            ),
        ]


CLEAN = [("civility", CivilityPlugin()), ("method", MethodPlugin())]


def team(team_id: str = "T1", headcount: int = 4) -> Team:
    return Team(team=team_id, period="2024", name=team_id, department="d", headcount=headcount)


def activity(team_id: str, record_id: str, kind: str = "volunteer", **fields: Any) -> Activity:
    return Activity(team=team_id, period="2024", id=record_id, kind=kind, **fields)


def incident(team_id: str, record_id: str, kind: str) -> Incident:
    return Incident(team=team_id, period="2024", id=record_id, kind=kind)


@pytest.fixture
def clean_engine() -> Iterator[Engine]:
    with Engine(CLEAN, entry_points=False, matcher="python") as engine:
        yield engine


def test_the_battery_passes_on_a_clean_rule_set_and_exercises_every_property() -> None:
    run = check_properties(CLEAN, max_examples=40, min_teams=2, settings=QUICK)
    assert run.examples >= 40
    assert set(run.checks) == set(PROPERTIES)
    # every property was actually exercised by the generated teams, not vacuously true
    assert all(count > 0 for count in run.checks.values()), run
    assert run.notes == (), run  # the rubric went to a fresh process as data: not skipped
    assert "examples; checks: bounds" in str(run)


def test_unknown_properties_and_units_are_refused_with_a_suggestion() -> None:
    with pytest.raises(
        ValueError, match=r"unknown property 'monotonicty'.*did you mean 'monotonicity'"
    ):
        check_properties(CLEAN, properties=["monotonicty"])
    with pytest.raises(ValueError, match=r"'cv.volunter'.*did you mean 'cv.volunteer'"):
        check_properties(CLEAN, properties=["per_capita"], per_capita=["cv.volunter"])
    with pytest.raises(TypeError, match="sequence of plugins"):
        check_properties("civility")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- report properties


def break_reports(
    monkeypatch: pytest.MonkeyPatch, change: Callable[[Assessment], Assessment]
) -> None:
    """Simulate an engine bug: every assessment a report gives goes through ``change``."""
    original = Report.__getitem__

    def broken(self: Report, team_id: str) -> Assessment:
        return change(original(self, team_id))

    monkeypatch.setattr(Report, "__getitem__", broken)


def with_indicator(assessment: Assessment, indicator_id: str, **changes: Any) -> Assessment:
    dims = []
    for dim in assessment.dimensions:
        inds = tuple(
            attrs.evolve(i, **changes) if i.id == indicator_id else i for i in dim.indicators
        )
        dims.append(attrs.evolve(dim, indicators=inds))
    return attrs.evolve(assessment, dimensions=tuple(dims))


def test_bounds_catches_points_above_the_max(
    monkeypatch: pytest.MonkeyPatch, clean_engine: Engine
) -> None:
    # a clipping bug: cv.outreach (max 5) reports 6
    break_reports(monkeypatch, lambda a: with_indicator(a, "cv.outreach", points=Decimal(6)))
    with pytest.raises(AssertionError) as caught:
        check_bounds(clean_engine, [team("T1")])
    assert str(caught.value) == (
        "bounds: indicator cv.outreach (科普 (outreach)) gave team T1 6, outside [0, 5]"
    )
    with pytest.raises(AssertionError, match=r"^bounds: indicator cv.outreach .* outside \[0, 5\]"):
        check_properties(CLEAN, properties=["bounds"], max_examples=20, settings=QUICK)


def test_explanations_catch_lines_that_do_not_add_up(
    monkeypatch: pytest.MonkeyPatch, clean_engine: Engine
) -> None:
    # an explanation bug: the cap line of cv.volunteer.events goes missing
    def drop_cap(a: Assessment) -> Assessment:
        lines = a.indicator("cv.volunteer").lines
        return with_indicator(
            a, "cv.volunteer", lines=tuple(x for x in lines if "#cap" not in x.source)
        )

    break_reports(monkeypatch, drop_cap)
    items = [team("T1"), *(activity("T1", f"a{i}", hours=1) for i in range(3))]  # 3 × 2 → cap 5
    with pytest.raises(AssertionError) as caught:
        check_properties(CLEAN, properties=["explanations"], max_examples=50, settings=QUICK)
    assert "explanations: the lines of indicator cv.volunteer for team" in str(caught.value)
    with pytest.raises(AssertionError, match="add up to 6, not its 5 points"):
        check_explanations(clean_engine, items)


def test_vetoes_catch_a_vetoed_team_with_a_title(
    monkeypatch: pytest.MonkeyPatch, clean_engine: Engine
) -> None:
    # a verdict bug: titles are given without looking at vetoes
    title = clean_engine.assess([team("T2"), activity("T2", "a", hours=9)])["T2"].titles
    assert [t.id for t in title] == ["title.pass"]
    break_reports(monkeypatch, lambda a: attrs.evolve(a, titles=title) if a.vetoed else a)
    items = [team("T1"), incident("T1", "i1", "criminal_case")]
    with pytest.raises(AssertionError) as caught:
        check_vetoes(clean_engine, items)
    assert str(caught.value) == (
        "vetoes: team T1 is vetoed (cv.veto.crime) but holds the title 达标 (pass) (title.pass)"
    )
    with pytest.raises(AssertionError, match=r"^vetoes: team \S+ is vetoed \(cv.veto.crime\)"):
        check_properties(CLEAN, properties=["vetoes"], max_examples=30, settings=QUICK)


def test_vetoes_catch_a_vetoed_team_with_a_grade(
    monkeypatch: pytest.MonkeyPatch, clean_engine: Engine
) -> None:
    def graded(a: Assessment) -> Assessment:
        if not a.vetoed:
            return a
        dim = a.dimensions[0]
        assert dim.grade is not None
        dims = (attrs.evolve(dim, grade=attrs.evolve(dim.grade, label="优秀")),)
        return attrs.evolve(a, dimensions=dims)

    break_reports(monkeypatch, graded)
    with pytest.raises(AssertionError) as caught:
        check_vetoes(clean_engine, [team("T1"), incident("T1", "i1", "criminal_case")])
    assert str(caught.value) == (
        "vetoes: team T1 is vetoed (cv.veto.crime) but its grade of dimension cv is 优秀, not the"
        " veto label 一票否决 (vetoed)"
    )


# --------------------------------------------------------------------------- monotonicity


def rule_set(*indicators: Indicator, max: int = 100) -> Rubric:
    return Rubric.build(
        dimensions=[Dimension(id="cv", label="精神文明 (civility)", max=max)],
        indicators=list(indicators),
        rules=[
            Veto(
                id="cv.veto.crime",
                dimension="cv",
                label="刑事案件",
                when=exists(facts("incident", kind="criminal_case")),
            )
        ],
    )


#: 每次志愿服务2分 — but the same volunteer activities are also filed as a 3-point deduction
SELF_DEFEATING = Indicator(
    id="cv.volunteer",
    dimension="cv",
    label="志愿服务 (volunteering)",
    max=20,
    scoring=Parts(
        [
            Part(id="cv.volunteer.events", label="活动", scoring=PerItem(VOLUNTEER, 2, cap=10)),
            Part(
                id="cv.volunteer.misfiled",
                label="误记的扣分 (a deduction filed on the wrong selection)",
                scoring=Deduct(0, [Deduction("扣3分", 3, select=VOLUNTEER)], floor=None),
            ),
            Part(id="cv.volunteer.lectures", label="讲座", scoring=PerItem(LECTURES, 5)),
        ]
    ),
)


def test_monotonicity_catches_a_qualifying_fact_that_is_also_a_deduction() -> None:
    with Engine.from_rubric(rule_set(SELF_DEFEATING), matcher="python") as engine:
        items = [
            team("T1"),
            activity("T1", "l1", kind="public_lecture"),
            activity("T1", "l2", kind="public_lecture"),
            activity("T1", "a1"),
        ]
        extra = activity("T1", "kit.extra", hours=2)
        with pytest.raises(AssertionError) as caught:
            check_monotonicity(engine, items, extra)
    assert str(caught.value) == (
        "monotonicity: indicator cv.volunteer (志愿服务 (volunteering)) is declared monotone, but"
        " adding the qualifying fact activity kit.extra of team T1 (2024) [kind=volunteer,"
        " hours=2] (counted by activity[kind=volunteer]; it is also a violation"
        " (activity[kind=volunteer]), so the points must not change) lowered team T1's points"
        " from 9 to 8"
    )
    with pytest.raises(
        AssertionError, match=r"^monotonicity: indicator cv.volunteer .*declared monotone"
    ):
        check_properties(
            rule_set(SELF_DEFEATING),
            properties=["monotonicity"],
            max_examples=60,
            settings=QUICK,
        )


def test_monotonicity_catches_bands_that_fall_as_the_count_rises() -> None:
    falling = Indicator(
        id="cv.events",
        dimension="cv",
        label="活动 (events)",
        max=5,
        scoring=Bands(Count(VOLUNTEER), [Band.at_least(3, 1), Band.at_least(1, 5)]),
    )
    with pytest.raises(AssertionError) as caught:
        check_properties(
            rule_set(falling), properties=["monotonicity"], max_examples=200, settings=QUICK
        )
    message = str(caught.value)
    assert message.startswith("monotonicity: indicator cv.events (活动 (events)) is declared")
    assert "lowered team" in message
    assert "from 5 to 1" in message
    # declared non-monotone, the same indicator is not held to it
    honest = attrs.evolve(falling, monotone=False)
    run = check_properties(
        rule_set(honest), properties=["monotonicity"], max_examples=20, settings=QUICK
    )
    assert run.checks == {"monotonicity": 0}


def test_monotonicity_catches_an_incident_that_earns_points() -> None:
    # "at least 2 complaints: no deduction" — a second complaint raises the points
    rewarding = Indicator(
        id="cv.conduct",
        dimension="cv",
        label="文明 (conduct)",
        max=5,
        scoring=Deduct(5, [Deduction("少于2起投诉 扣5分", 5, when=Count(COMPLAINTS).below(2))]),
    )
    with Engine.from_rubric(rule_set(rewarding), matcher="python") as engine:
        items = [team("T1"), incident("T1", "c1", "complaint")]
        with pytest.raises(AssertionError) as caught:
            check_monotonicity(engine, items, incident("T1", "c2", "complaint"))
    assert str(caught.value) == (
        "monotonicity: indicator cv.conduct (文明 (conduct)) is declared monotone, but adding the"
        " violation incident c2 of team T1 (2024) [kind=complaint] (an incident; it is also"
        " counted by incident[kind=complaint], so the points must not change) raised team T1's"
        " points from 0 to 5"
    )


class MisroutingEngine(Engine):
    """A broken engine: it routes seminars as volunteer activities."""

    def assess(self, facts: Any, *, period: str | None = None) -> Report:
        items = [
            attrs.evolve(f, kind="volunteer")
            if isinstance(f, Activity) and f.kind == "seminar"
            else f
            for f in facts
        ]
        return super().assess(items, period=period)


def test_monotonicity_catches_a_fact_that_nothing_selects_but_changes_points() -> None:
    with MisroutingEngine(CLEAN, entry_points=False, matcher="python") as engine:
        items = [team("T1"), activity("T1", "a1")]
        with pytest.raises(AssertionError) as caught:
            check_monotonicity(engine, items, activity("T1", "s1", kind="seminar"))
    assert str(caught.value) == (
        "monotonicity: indicator cv.volunteer (志愿服务 (volunteering)) is declared monotone, but"
        " adding activity s1 of team T1 (2024) [kind=seminar], which none of its selections"
        " selects, changed team T1's points from 2 to 4"
    )


def test_monotonicity_is_clean_for_the_clean_rule_set(clean_engine: Engine) -> None:
    items = [team("T1"), activity("T1", "a1", hours=10), incident("T1", "c1", "complaint")]
    assert check_monotonicity(clean_engine, items, activity("T1", "new", hours=3)) == 3
    assert check_monotonicity(clean_engine, items, incident("T1", "new", "complaint")) == 3
    # a second reported value would be an input error: not a violation, nothing compared
    assert check_monotonicity(clean_engine, items, activity("T9", "x")) == 0


# --------------------------------------------------------------------------- per capita


def test_per_capita_catches_a_total_declared_per_capita() -> None:
    # 人均志愿服务时长 written without per_capita: the team's total hours, not per member
    total = Indicator(
        id="cv.hours",
        dimension="cv",
        label="人均时长 (hours per member)",
        max=10,
        scoring=Bands(Total(VOLUNTEER, "hours"), [Band.at_least(20, 10), Band.at_least(6, 5)]),
    )
    rubric = rule_set(total)
    with Engine.from_rubric(rubric, matcher="python") as engine:
        items = [team("T1", headcount=2), activity("T1", "a1", hours=12)]
        # auto-detection finds nothing per capita here; declared, it fails
        assert check_per_capita(engine, items) == 0
        with pytest.raises(AssertionError) as caught:
            check_per_capita(engine, items, units=["cv.hours"])
    assert str(caught.value) == (
        "per_capita: indicator cv.hours is per capita, but team T1 gets 5 with headcount 2 and"
        " 10 when its headcount (4) and its records are multiplied by 2"
    )
    with pytest.raises(AssertionError, match=r"^per_capita: indicator cv.hours is per capita"):
        check_properties(
            rubric,
            properties=["per_capita"],
            per_capita=["cv.hours"],
            max_examples=40,
            settings=QUICK,
        )


def test_per_capita_holds_for_per_capita_parts(clean_engine: Engine) -> None:
    items = [team("T1", headcount=3), activity("T1", "a1", hours=18), activity("T1", "a2", hours=2)]
    # cv.volunteer.hours is found by itself; 20 h / 3 members ≥ 6 → 5, also at 2× and 3×
    assert check_per_capita(clean_engine, items, factor=3) == 1
    big = scaled(clean_engine.rubric, items, 3)
    assert [f.headcount for f in big if isinstance(f, Team)] == [9]
    assert len(big) == 1 + 2 * 3


# --------------------------------------------------------------------------- order and processes


class OrderSensitiveEngine(Engine):
    """A broken engine: it loses the last record it is given."""

    def assess(self, facts: Any, *, period: str | None = None) -> Report:
        items = list(facts)
        if len(items) > 1 and isinstance(items[-1], Record):
            items = items[:-1]
        return super().assess(items, period=period)


def test_fact_order_catches_an_order_sensitive_engine() -> None:
    expected = r"^fact_order: the same facts in another order changed the report: team "
    with (
        OrderSensitiveEngine(CLEAN, entry_points=False, matcher="python") as engine,
        pytest.raises(AssertionError, match=expected),
    ):
        check_properties(engine, properties=["fact_order"], max_examples=60, settings=QUICK)


CALLS: list[str] = []


class First:
    @hookimpl
    def assessment_register_dimensions(self) -> list[Dimension]:
        CALLS.append("first")
        return [Dimension(id="cv", label="精神文明", max=20)]


class Second:
    """Registers an indicator whose max depends on which plugin's hook ran last."""

    @hookimpl
    def assessment_register_dimensions(self) -> list[Dimension]:
        CALLS.append("second")
        return []

    @hookimpl
    def assessment_register_indicators(self) -> list[Indicator]:
        most = 5 if CALLS[-1] == "first" else 10
        return [
            Indicator(
                id="cv.events",
                dimension="cv",
                label="活动",
                max=most,
                scoring=PerItem(VOLUNTEER, 2),
            )
        ]


def test_plugin_order_catches_objects_that_depend_on_registration_order() -> None:
    plugins = [("first", First()), ("second", Second())]
    with pytest.raises(AssertionError) as caught:
        check_plugin_order(plugins, [team("T1")])
    message = str(caught.value)
    assert message.startswith(
        "plugin_order: registering the plugins as second, first gives another rubric"
    )
    assert message.endswith(("indicators[0].max: '5' → '10'", "indicators[0].max: '10' → '5'"))
    with pytest.raises(AssertionError, match=r"^plugin_order: registering the plugins as"):
        check_properties(plugins, properties=["plugin_order"], max_examples=3, settings=QUICK)


COUNTER = itertools.count()


class Counting:
    """Registers an indicator whose max grows every time the hook is called."""

    @hookimpl
    def assessment_register_dimensions(self) -> list[Dimension]:
        return [Dimension(id="cv", label="精神文明", max=20)]

    @hookimpl
    def assessment_register_indicators(self) -> list[Indicator]:
        return [
            Indicator(
                id="cv.events",
                dimension="cv",
                label="活动",
                max=5 + next(COUNTER),
                scoring=PerItem(VOLUNTEER, 2),
            )
        ]


def test_determinism_catches_a_plugin_with_a_global_counter() -> None:
    with pytest.raises(
        AssertionError,
        match=r"^determinism: building the engine again gives another rubric: indicators\[0\]\.max",
    ):
        check_determinism([Counting()], [team("T1")], hash_seeds=())


HASH_SEED_PLUGIN = """
from assessment_engine import hookimpl
from assessment_engine.rubric import Dimension, Indicator, PerItem, facts

KINDS = {"volunteer", "lecture", "open_day", "festival", "tree", "donation", "visit", "study"}


@hookimpl
def assessment_register_dimensions():
    return [Dimension(id="cv", label="精神文明", max=10)]


@hookimpl
def assessment_register_indicators():
    # the label lists a set: its order changes with the hash seed of the process
    return [
        Indicator(id="cv.events", dimension="cv", label="活动: " + ", ".join(KINDS), max=10,
                  scoring=PerItem(facts("activity", kind=tuple(sorted(KINDS))), 1))
    ]
"""


def test_determinism_catches_a_rubric_that_depends_on_the_hash_seed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "hash_seed_plugin.py").write_text(HASH_SEED_PLUGIN, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    plugin = importlib.import_module("hash_seed_plugin")
    try:
        with pytest.raises(AssertionError) as caught:
            check_determinism([plugin], [team("T1")], hash_seeds=("0", "1", "2", "3"))
    finally:
        sys.modules.pop("hash_seed_plugin", None)
    assert str(caught.value).startswith("determinism: in a fresh process (PYTHONHASHSEED=")
    assert "the rubric's content hash is" in str(caught.value)


def test_determinism_runs_plugins_by_module_and_rubrics_as_data(clean_engine: Engine) -> None:
    items = [team("T1"), activity("T1", "a", hours=7), team("T2", headcount=1)]
    # plugin objects are not modules: the child builds the rubric from its data
    assert check_determinism(CLEAN, items, hash_seeds=("7",)) == 3
    assert check_determinism(clean_engine.rubric, items, hash_seeds=()) == 2


# --------------------------------------------------------------------------- isolation


class LeakyEngine(Engine):
    """A broken engine: it files every complaint under every team."""

    def assess(self, facts: Any, *, period: str | None = None) -> Report:
        items = list(facts)
        teams = [f.team for f in items if isinstance(f, Team)]
        leaked: list[Fact] = []
        for fact in items:
            if isinstance(fact, Incident) and fact.kind == "complaint":
                leaked += [
                    attrs.evolve(fact, team=other, id=f"leak.{fact.team}.{fact.id}")
                    for other in teams
                    if other != fact.team
                ]
        return super().assess([*items, *leaked], period=period)


def test_isolation_catches_an_engine_that_mixes_teams_up() -> None:
    with LeakyEngine(CLEAN, entry_points=False, matcher="python") as engine:
        items = [team("T1"), team("T2")]
        with pytest.raises(AssertionError) as caught:
            check_isolation(engine, items, incident("T1", "c1", "complaint"))
        assert str(caught.value).startswith(
            "isolation: adding incident c1 of team T1 (2024) [kind=complaint] changed team T2's"
            " results: dimensions[0]"
        )
        with pytest.raises(
            AssertionError, match=r"^isolation: adding .* changed team \S+'s results"
        ):
            check_properties(
                engine, properties=["isolation"], max_examples=80, min_teams=2, settings=QUICK
            )


# --------------------------------------------------------------------------- test factories


test_vetoes_of_the_clean_rule_set = property_test("vetoes", CLEAN, max_examples=10, settings=QUICK)


def test_property_test_makes_a_named_test_function() -> None:
    made = property_test("bounds", CLEAN, max_examples=3, settings=QUICK)
    assert made.__name__ == "test_bounds"
    made()
    with pytest.raises(ValueError, match="unknown property 'bound'"):
        property_test("bound", CLEAN)


def test_the_kit_exports_the_property_tests_without_requiring_hypothesis() -> None:
    import assessment_engine.kit as kit

    assert kit.check_properties is check_properties
    assert kit.PROPERTIES == PROPERTIES
    assert {"PROPERTIES", "PropertyRun", "check_properties", "property_test"} <= set(kit.__all__)
    with pytest.raises(AttributeError, match="no attribute 'check_propertie'"):
        kit.check_propertie  # noqa: B018
    # the static checks alone do not import Hypothesis (the property tests do, when first used)
    code = "import sys, assessment_engine.kit; assert 'hypothesis' not in sys.modules"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr


VETOED_T1 = [team("T1"), incident("T1", "i1", "criminal_case"), team("T2")]


@pytest.mark.parametrize(
    ("bug", "message"),
    [
        (  # a ranking bug: a team that is not vetoed loses its rank
            lambda a: a if a.vetoed else attrs.evolve(a, rank=None),
            "vetoes: team T2 is not vetoed but has no rank",
        ),
        (  # a grading bug: the composite grade of a vetoed team is computed as usual
            lambda a: attrs.evolve(a, grade=attrs.evolve(a.grade, label="优秀")) if a.vetoed else a,
            "vetoes: team T1 is vetoed (cv.veto.crime) but its composite grade is 优秀, not the"
            " veto label 一票否决 (vetoed)",
        ),
        (  # a ranking bug: vetoed teams are ranked although the rubric says unranked
            lambda a: attrs.evolve(a, rank=2) if a.vetoed else a,
            "vetoes: team T1 is vetoed (cv.veto.crime) but ranks 2 (no rank expected)",
        ),
    ],
)
def test_vetoes_catch_ranks_and_composite_grades_of_vetoed_teams(
    monkeypatch: pytest.MonkeyPatch,
    clean_engine: Engine,
    bug: Callable[[Assessment], Assessment],
    message: str,
) -> None:
    check_vetoes(clean_engine, VETOED_T1)  # the engine itself is right
    break_reports(monkeypatch, bug)
    with pytest.raises(AssertionError) as caught:
        check_vetoes(clean_engine, VETOED_T1)
    assert str(caught.value) == message


def test_vetoes_catch_a_vetoed_team_not_ranked_last(monkeypatch: pytest.MonkeyPatch) -> None:
    from assessment_engine.rubric import Ranking

    with Engine(CLEAN, entry_points=False, matcher="python") as clean:
        rubric = clean.rubric
    last = Rubric.build(
        fact_types=list(rubric.fact_types.values()),
        dimensions=rubric.dimensions,
        indicators=rubric.indicators,
        rules=[*rubric.bonuses, *rubric.penalties, *rubric.vetoes, *rubric.titles, *rubric.quotas],
        grade_scales=rubric.grade_scales,
        weights=rubric.weights,
        ranking=Ranking(keys=rubric.ranking.keys, vetoed="last"),
    )
    with Engine.from_rubric(last, matcher="python") as engine:
        report = engine.assess(VETOED_T1)
        assert (report["T2"].rank, report["T1"].rank) == (1, 2)
        check_vetoes(engine, VETOED_T1)
        break_reports(monkeypatch, lambda a: attrs.evolve(a, rank=1) if a.vetoed else a)
        with pytest.raises(AssertionError) as caught:
            check_vetoes(engine, VETOED_T1)
    assert str(caught.value) == (
        "vetoes: team T1 is vetoed (cv.veto.crime) but ranks 1, not after every team that is"
        " not vetoed"
    )
