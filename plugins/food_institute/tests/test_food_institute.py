"""The food institute plugin: its points by hand, its fact kind, its entry point.

The indicator lives in the business dimension ``bp``, which another plugin
(``business_performance``) registers. To test this plugin alone, a stand-in plugin registers a
``Dimension(id="bp")`` and nothing else; the engine is built without entry points, so whatever
else is installed stays out.
"""

from __future__ import annotations

import importlib.metadata
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import assessment_food_institute as food_institute
import attrs
import pytest
from assessment_food_institute import InstrumentInnovation

from assessment_engine import (
    Engine,
    InputError,
    RubricError,
    Team,
    dump_json,
    hookimpl,
    load_json,
)
from assessment_engine.facts import validate_fact_type
from assessment_engine.results import IndicatorResult
from assessment_engine.rubric import Dimension

INDICATOR = "food.instrument_innovation"
MAJOR, MEDIUM, MINOR = (f"{INDICATOR}.{part}" for part in ("major", "medium", "minor"))
CAP = f"{INDICATOR}#max"
PERIOD = "2024"
BLOCK_ENV = "ASSESSMENT_ENGINE_BLOCK_PLUGINS"


class BusinessStandIn:
    """Stands in for the business_performance rule set: the dimension ``bp`` and nothing else."""

    @hookimpl
    def assessment_register_dimensions(self) -> list[Dimension]:
        return [Dimension(id="bp", label="业务 (business, stand-in)", max=100)]


def stand_in() -> tuple[str, BusinessStandIn]:
    return ("business-stand-in", BusinessStandIn())


@pytest.fixture(params=["durable", "python"])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """The food plugin and the stand-in only, on each matcher."""
    built = Engine([stand_in(), food_institute], entry_points=False, matcher=request.param)
    yield built
    built.close()


def team(name: str = "food-chem") -> Team:
    return Team(team=name, period=PERIOD, name="食品所理化室", department="食品所", headcount=6)


def innovation(
    number: int,
    value: object,
    *,
    status: str = "in_use",
    team: str = "food-chem",
    adopted_by: str | None = None,
) -> InstrumentInnovation:
    return InstrumentInnovation(
        team=team,
        period=PERIOD,
        id=f"inn-{number}",
        instrument=f"仪器 {number}",
        value_yuan=value,
        status=status,  # type: ignore[arg-type]
        adopted_by=adopted_by,
    )


def points(engine: Engine, *values: object, status: str = "in_use") -> IndicatorResult:
    """The indicator result of one team holding innovations of these values."""
    facts = [team(), *(innovation(i, v, status=status) for i, v in enumerate(values))]
    return engine.assess(facts, period=PERIOD)["food-chem"].indicator(INDICATOR)


def line_points(result: IndicatorResult) -> dict[str, Decimal]:
    return {line.source: line.points for line in result.lines}


# --------------------------------------------------------------------------- points by hand


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, 1),
        ("99999.99", 1),
        (100_000, 3),  # the 10万 edge belongs to the upper band
        ("999999.99", 3),
        (1_000_000, 5),  # the 100万 edge belongs to the upper band
        (3_000_000, 5),  # the fluoride-ion analyser: "several million yuan"
    ],
)
def test_one_innovation_earns_the_points_of_its_value_band(
    engine: Engine, value: object, expected: int
) -> None:
    result = points(engine, value)
    assert result.points == Decimal(expected)
    earned = {source: p for source, p in line_points(result).items() if p}
    band = {5: MAJOR, 3: MEDIUM, 1: MINOR}[expected]
    assert earned == {band: Decimal(expected)}
    (line,) = (line for line in result.lines if line.source == band)
    assert [f.id for f in line.facts] == ["inn-0"]


def test_a_prototype_earns_nothing_whatever_its_value(engine: Engine) -> None:
    result = points(engine, 3_000_000, 50_000, status="prototype")
    assert result.points == 0
    assert all(line.facts == () for line in result.lines)


def test_points_add_up_across_bands(engine: Engine) -> None:
    result = points(engine, 3_000_000, 120_000, 5_000)  # 5 + 3 + 1
    assert result.points == Decimal(9)
    assert line_points(result) == {MAJOR: 5, MEDIUM: 3, MINOR: 1}


def test_ten_points_exactly_is_not_capped(engine: Engine) -> None:
    result = points(engine, 1_000_000, 2_000_000)  # 5 + 5
    assert result.points == Decimal(10)
    assert CAP not in line_points(result)


def test_points_above_ten_are_capped_and_the_cap_is_explained(engine: Engine) -> None:
    result = points(engine, 1_000_000, 2_000_000, 99_999)  # 5 + 5 + 1 = 11
    assert result.points == Decimal(10)
    assert line_points(result) == {MAJOR: 10, MEDIUM: 0, MINOR: 1, CAP: -1}

    many = points(engine, *[1_000_000] * 4, 500_000)  # 20 + 3 = 23
    assert many.points == Decimal(10)
    assert line_points(many)[CAP] == Decimal(-13)


def test_a_team_without_innovations_gets_zero_and_the_indicator_is_listed(
    engine: Engine,
) -> None:
    report = engine.assess([team(), team("plastics-sales")], period=PERIOD)
    for assessment in report:
        result = assessment.dimension("bp").indicators[0]
        assert (result.id, result.points, result.max) == (INDICATOR, Decimal(0), Decimal(10))


def test_innovations_count_for_their_own_team_only(engine: Engine) -> None:
    facts = [
        team(),
        team("food-instr"),
        innovation(1, 3_000_000),
        innovation(2, 3_000_000, team="food-instr"),
        innovation(3, 200_000, team="food-instr"),
    ]
    report = engine.assess(facts, period=PERIOD)
    assert report["food-chem"].indicator(INDICATOR).points == 5
    assert report["food-instr"].indicator(INDICATOR).points == 8
    assert report.teams == ("food-instr", "food-chem")


def test_the_explanation_text_names_the_indicator_its_parts_and_the_facts(
    engine: Engine,
) -> None:
    facts = [team(), innovation(1, 3_000_000), innovation(2, 1_000_000), innovation(3, 10)]
    text = engine.assess(facts, period=PERIOD)["food-chem"].explain().text()
    assert "仪器创新 (instrument innovations) [food.instrument_innovation] 10.00 / 10.00" in text
    counted = "instrument_innovation inn-1, instrument_innovation inn-2"
    assert f"2 项 (items) × 5 = 10 ← {counted}" in text
    assert "-1.00  指标满分 (indicator max) 10" in text


# --------------------------------------------------------------------------- the fact kind


def test_the_fact_kind_is_a_registrable_record() -> None:
    assert validate_fact_type(InstrumentInnovation) == "instrument_innovation"
    fact = innovation(1, "3000000.50", adopted_by="省市场监管局")
    assert fact.value_yuan == Decimal("3000000.50")
    assert (fact.status, fact.adopted_by, fact.fact_kind) == (
        "in_use",
        "省市场监管局",
        "instrument_innovation",
    )
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        fact.value_yuan = Decimal(0)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("fields", "error", "message"),
    [
        ({"value_yuan": -1}, ValueError, "value_yuan must be at least 0"),
        ({"value_yuan": "abc"}, ValueError, "value_yuan must be a number of yuan"),
        ({"value_yuan": "NaN"}, ValueError, "value_yuan must be a finite number"),
        ({"value_yuan": 10**15}, ValueError, "below 10**15"),
        ({"value_yuan": 1.5}, TypeError, "value_yuan must be an int, a Decimal or a numeric"),
        ({"value_yuan": True}, TypeError, "value_yuan must be an int"),
        ({"status": "retired"}, ValueError, "'status' must be in"),
        ({"instrument": "  "}, ValueError, "instrument must be non-empty text"),
        ({"adopted_by": ""}, ValueError, "adopted_by must be non-empty text"),
    ],
)
def test_a_bad_value_is_rejected_naming_the_field(
    fields: dict[str, object], error: type[Exception], message: str
) -> None:
    values: dict[str, object] = {"instrument": "氟离子测定仪", "value_yuan": 1, **fields}
    with pytest.raises(error, match=message.replace("*", r"\*")):
        InstrumentInnovation(team="food-chem", period=PERIOD, id="x", **values)  # type: ignore[arg-type]


def write(tmp_path: Path, records: list[dict[str, object]]) -> Path:
    path = tmp_path / "innovations.json"
    path.write_text(json.dumps({"facts": records}, ensure_ascii=False), encoding="utf-8")
    return path


TEAM_RECORD: dict[str, object] = {
    "fact": "team",
    "team": "food-chem",
    "period": PERIOD,
    "name": "食品所理化室",
    "department": "食品所",
    "headcount": 6,
}
FLUORIDE: dict[str, object] = {
    "fact": "instrument_innovation",
    "team": "food-chem",
    "period": PERIOD,
    "id": "fluoride-analyser",
    "instrument": "电位滴定仪改造为氟离子测定仪",
    "value_yuan": "3000000",
}


def test_the_fact_kind_loads_from_json_with_the_engines_fact_types(
    engine: Engine, tmp_path: Path
) -> None:
    facts = load_json(write(tmp_path, [TEAM_RECORD, FLUORIDE]), fact_types=engine.rubric.fact_types)
    loaded = [f for f in facts if isinstance(f, InstrumentInnovation)]
    assert loaded == [
        InstrumentInnovation(
            team="food-chem",
            period=PERIOD,
            id="fluoride-analyser",
            instrument="电位滴定仪改造为氟离子测定仪",
            value_yuan=Decimal(3_000_000),
        )
    ]
    assert engine.assess(facts, period=PERIOD)["food-chem"].indicator(INDICATOR).points == 5
    # and back: dump_json writes what load_json reads
    path = tmp_path / "again.json"
    path.write_text(dump_json(facts), encoding="utf-8")
    assert list(load_json(path, fact_types=engine.rubric.fact_types)) == list(facts)


def test_bad_values_in_a_file_are_reported_naming_record_and_field(
    engine: Engine, tmp_path: Path
) -> None:
    bad = {**FLUORIDE, "id": "broken", "value_yuan": "-5", "status": "retired"}
    path = write(tmp_path, [TEAM_RECORD, FLUORIDE, bad])
    with pytest.raises(InputError) as caught:
        load_json(path, fact_types=engine.rubric.fact_types)
    problems = {(p.record, p.field): p.reason for p in caught.value.problems}
    assert set(problems) == {("record 2", "value_yuan"), ("record 2", "status")}
    assert "at least 0" in problems["record 2", "value_yuan"]
    assert "'in_use', 'prototype'" in problems["record 2", "status"]


def test_without_the_plugins_fact_types_the_kind_is_unknown(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        load_json(write(tmp_path, [TEAM_RECORD, FLUORIDE]))  # the built-in kinds only
    (problem,) = caught.value.problems
    assert problem.field == "fact"
    assert "unknown fact kind 'instrument_innovation'" in problem.reason


# --------------------------------------------------------------------------- the dependency on bp


def test_without_the_business_dimension_the_engine_names_the_missing_dimension() -> None:
    with pytest.raises(RubricError) as caught:
        Engine([food_institute], entry_points=False)
    assert caught.value.subject == INDICATOR
    assert caught.value.plugin == "assessment_food_institute"  # explicit: named by its module
    assert str(caught.value) == (
        "food.instrument_innovation (from plugin 'assessment_food_institute'):"
        " refers to unknown dimension 'bp'"
    )


# --------------------------------------------------------------------------- the entry point


def food_entry_point() -> importlib.metadata.EntryPoint:
    found = [
        ep
        for ep in importlib.metadata.entry_points(group="assessment_engine")
        if ep.name == "food_institute"
    ]
    assert len(found) == 1, (
        "install the plugin: CPPFLAGS=-DPyEval_CallObject=PyObject_CallObject"
        " pip install -e plugins/food_institute"
    )
    return found[0]


def other_entry_points() -> list[str]:
    group = importlib.metadata.entry_points(group="assessment_engine")
    return sorted(ep.name for ep in group if ep.name != "food_institute")


def test_the_entry_point_is_installed_and_loads_the_module() -> None:
    ep = food_entry_point()
    assert ep.value == "assessment_food_institute"
    assert ep.load() is food_institute
    assert ep.dist is not None
    assert (ep.dist.name, ep.dist.version) == ("assessment-food-institute", "0.1.0")


def test_the_engine_registers_the_plugin_through_its_entry_point(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(BLOCK_ENV, raising=False)
    # entry points on; every other installed rule set blocked, the stand-in in their place
    with Engine([stand_in()], block=other_entry_points()) as engine:
        infos = {info.name: info for info in engine.plugins}
        assert infos["business-stand-in"].source == "explicit"
        others = set(infos) - {"business-stand-in", "food_institute"}
        assert {infos[name].source for name in others} == {"builtin"}  # no other entry point
        food = infos["food_institute"]
        assert food.source == "entry point"
        assert (food.distribution, food.version) == ("assessment-food-institute", "0.1.0")
        assert food.hooks == ("assessment_register_fact_types", "assessment_register_indicators")
        assert engine.rubric.fact_types["instrument_innovation"] is InstrumentInnovation
        assert engine.rubric.plugin_of(INDICATOR) == "food_institute"
        assert engine.rubric.plugin_of("bp") == "business-stand-in"
        facts = [team(), innovation(1, 3_000_000), innovation(2, 120_000)]
        assert engine.assess(facts, period=PERIOD)["food-chem"].indicator(INDICATOR).points == 8


def test_installed_without_a_business_rule_set_the_engine_raises_rubric_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(BLOCK_ENV, raising=False)
    with pytest.raises(RubricError, match=r"unknown dimension 'bp'") as caught:
        Engine(block=other_entry_points())
    assert caught.value.subject == INDICATOR


def business_dimension_installed() -> bool:
    """Whether an installed plugin other than this one registers the dimension ``bp``."""
    for ep in importlib.metadata.entry_points(group="assessment_engine"):
        if ep.name == "food_institute":
            continue
        hook = getattr(ep.load(), "assessment_register_dimensions", None)
        if hook is not None and any(d.id == "bp" for d in hook() or ()):
            return True
    return False


def test_with_every_installed_plugin_the_indicator_joins_the_business_dimension(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(BLOCK_ENV, raising=False)
    if not business_dimension_installed():
        pytest.skip("no installed plugin registers the dimension 'bp' (business_performance)")
    with Engine() as engine:
        infos = {info.name: info for info in engine.plugins}
        assert infos["food_institute"].source == "entry point"
        (indicator,) = (i for i in engine.rubric.indicators if i.id == INDICATOR)
        assert indicator.dimension == "bp"
        assert engine.rubric.plugin_of(INDICATOR) == "food_institute"
        assert engine.rubric.plugin_of("bp") != "food_institute"
