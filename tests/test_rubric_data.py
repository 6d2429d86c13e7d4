"""A rubric's plain data read back: ``Rubric.from_data``, ``content_hash`` and
``fact_types_from_data``.

The data is what ``Rubric.to_data()`` writes (and the ledger stores); reading it back must give
the same rubric, with the same content hash, or say exactly which fact class is gone or changed.
"""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from assessment_engine import Engine, Team
from assessment_engine.errors import RubricDataError, RubricError
from assessment_engine.facts import BUILTIN_FACT_TYPES
from assessment_engine.rubric import (
    Dimension,
    Indicator,
    PerItem,
    Rubric,
    content_hash,
    fact_types_from_data,
    facts,
)

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # --import-mode=importlib: make the sibling module importable
    sys.path.insert(0, str(HERE))

from strategies import rubrics  # noqa: E402


def _through_json(data: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(data))  # type: ignore[no-any-return]


def test_the_installed_rubric_comes_back_the_same() -> None:
    with Engine(matcher="python") as engine:
        rubric = engine.rubric
    data = _through_json(rubric.to_data(classes=True))
    again = Rubric.from_data(data)
    assert again.content_hash == rubric.content_hash == content_hash(data)
    assert again.to_data(classes=True) == rubric.to_data(classes=True)
    assert dict(again.fact_types) == dict(rubric.fact_types)
    assert (again.dimensions, again.indicators, again.weights, again.ranking) == (
        rubric.dimensions,
        rubric.indicators,
        rubric.weights,
        rubric.ranking,
    )
    assert (again.bonuses, again.penalties, again.vetoes, again.titles, again.quotas) == (
        rubric.bonuses,
        rubric.penalties,
        rubric.vetoes,
        rubric.titles,
        rubric.quotas,
    )
    assert set(again.provenance.values()) == {"<rubric data>"}
    assert set(Rubric.from_data(data, source="archive").provenance.values()) == {"archive"}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rubric=rubrics())
def test_every_generated_rubric_comes_back_with_its_hash(rubric: Rubric) -> None:
    data = _through_json(rubric.to_data(classes=True))
    assert content_hash(data) == rubric.content_hash
    again = Rubric.from_data(data)
    assert again.content_hash == rubric.content_hash
    assert again.to_data(classes=True) == rubric.to_data(classes=True)


def test_the_content_hash_is_of_the_data() -> None:
    rubric = _drills_rubric(BUILTIN_FACT_TYPES, kind="activity")
    data = rubric.to_data()
    assert content_hash(data) == rubric.content_hash
    # the classes' import paths are where they are defined, not what the rubric decides
    assert content_hash(rubric.to_data(classes=True)) == rubric.content_hash
    data["indicators"][0]["max"] = "9"
    assert content_hash(data) != rubric.content_hash


# ----------------------------------------------------------------------------- fact classes
_MODULE = """
from decimal import Decimal
from typing import ClassVar

import attrs

from assessment_engine import Record
from assessment_engine.facts import to_decimal


@attrs.frozen(kw_only=True)
class Drill(Record):
    fact_kind: ClassVar[str] = "{kind}"

    minutes: Decimal = attrs.field(converter=to_decimal)
{extra}
"""


@pytest.fixture
def drills(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """``write(extra="", kind="drill")``: (re)write the module ``drill_kinds`` and import it."""
    monkeypatch.syspath_prepend(str(tmp_path))
    module = tmp_path / "drill_kinds.py"

    def write(extra: str = "", kind: str = "drill") -> Any:
        module.write_text(textwrap.dedent(_MODULE).format(extra=extra, kind=kind), "utf-8")
        monkeypatch.delitem(sys.modules, "drill_kinds", raising=False)
        import drill_kinds

        return drill_kinds

    write.path = module  # type: ignore[attr-defined]
    yield write
    sys.modules.pop("drill_kinds", None)


def _drills_rubric(fact_types: Any, kind: str = "drill") -> Rubric:
    return Rubric.build(
        fact_types=list(fact_types),
        dimensions=[Dimension(id="safety", label="安全 (safety)", max=10)],
        indicators=[
            Indicator(
                id="safety.drills",
                dimension="safety",
                label="演练 (drills)",
                max=10,
                scoring=PerItem(facts(kind), points=5, cap=10),
            )
        ],
    )


def _problems(data: dict[str, Any]) -> tuple[str, ...]:
    with pytest.raises(RubricDataError) as caught:
        Rubric.from_data(data)
    assert isinstance(caught.value, RubricError)
    assert str(caught.value) == "; ".join(caught.value.problems)
    return caught.value.problems


def test_a_plugin_fact_class_is_imported_by_its_path(drills: Any) -> None:
    module = drills()
    rubric = _drills_rubric([Team, module.Drill])
    data = _through_json(rubric.to_data(classes=True))
    assert data["fact_types"]["drill"] == {
        "class": "drill_kinds.Drill",
        "label": "record",
        "fields": {
            "id": {"kind": "text", "optional": False},
            "tags": {"kind": "tags", "optional": False, "default": []},
            "minutes": {"kind": "number", "optional": False},
        },
    }
    drills()  # a fresh import of the same module: another class object, the same class
    again = Rubric.from_data(data)
    assert again.content_hash == rubric.content_hash
    assert again.fact_types["drill"] is sys.modules["drill_kinds"].Drill


def test_a_fact_class_with_other_fields_is_named_with_the_difference(drills: Any) -> None:
    data = _through_json(_drills_rubric([Team, drills().Drill]).to_data(classes=True))
    drills(extra="    leader: str = ''")
    assert _problems(data) == (
        "fact kind 'drill' (drill_kinds.Drill) changed: field 'leader' added",
    )
    drills(extra="    minutes_: int = 0")  # minutes stays, a field of another type is added
    assert "field 'minutes_' added" in _problems(data)[0]
    # without the field check, the class still serves to read facts
    assert fact_types_from_data(data, check_fields=False)["drill"].__name__ == "Drill"


def test_a_field_of_another_type_is_named(drills: Any) -> None:
    data = _through_json(_drills_rubric([Team, drills().Drill]).to_data(classes=True))
    data["fact_types"]["drill"]["fields"]["minutes"] = {"kind": "text", "optional": True}
    assert _problems(data) == (
        "fact kind 'drill' (drill_kinds.Drill) changed: field 'minutes' was text, optional,"
        " now number",
    )


def test_a_fact_class_that_is_gone_is_named(drills: Any) -> None:
    data = _through_json(_drills_rubric([Team, drills().Drill]).to_data(classes=True))
    drills.path.unlink()
    sys.modules.pop("drill_kinds", None)
    (problem,) = _problems(data)
    assert problem.startswith(
        "fact kind 'drill': its class drill_kinds.Drill cannot be imported (ModuleNotFoundError"
    )
    assert problem.endswith("install the plugin that provides it")
    with pytest.raises(RubricDataError, match=r"drill_kinds\.Drill cannot be imported"):
        fact_types_from_data(data, check_fields=False)


def test_a_class_of_another_kind_or_no_fact_class_is_named(drills: Any) -> None:
    data = _through_json(_drills_rubric([Team, drills().Drill]).to_data(classes=True))
    drills(kind="exercise")
    assert _problems(data) == (
        "fact kind 'drill' (drill_kinds.Drill) changed: it is now kind 'exercise'",
    )
    data["fact_types"]["drill"]["class"] = "decimal.Decimal"
    (problem,) = _problems(data)
    assert problem.startswith("fact kind 'drill': decimal.Decimal is not a fact class any more")


def test_every_problem_is_reported_together(drills: Any) -> None:
    data = _through_json(
        _drills_rubric([*BUILTIN_FACT_TYPES, drills().Drill]).to_data(classes=True)
    )
    data["fact_types"]["team"]["class"] = "nowhere.Team"
    drills(extra="    leader: str = ''")
    problems = _problems(data)
    assert [p.split(" ", 3)[2] for p in problems] == ["'drill'", "'team':"]


# ----------------------------------------------------------------------------- bad data
def test_sections_missing_or_unknown_are_named() -> None:
    data = _drills_rubric(BUILTIN_FACT_TYPES, kind="activity").to_data(classes=True)
    del data["weights"]
    data["weigths"] = []
    assert _problems(data) == (
        "rubric data: section 'weights' is missing",
        "rubric data: unknown section 'weigths'",
    )
    assert _problems([]) == ("rubric data is a mapping of sections, got []",)  # type: ignore[arg-type]


def test_data_that_does_not_build_says_why() -> None:
    data = _drills_rubric(BUILTIN_FACT_TYPES, kind="activity").to_data(classes=True)
    data["indicators"][0]["dimension"] = "nowhere"
    with pytest.raises(RubricDataError, match="the rubric data does not build: RubricError") as e:
        Rubric.from_data(data)
    assert isinstance(e.value.__cause__, RubricError)
    data = _drills_rubric(BUILTIN_FACT_TYPES, kind="activity").to_data(classes=True)
    data["indicators"][0]["scoring"]["type"] = "PerItme"
    assert _problems(data) == (
        "the rubric data does not build: ValueError: unknown rubric object type 'PerItme'",
    )
