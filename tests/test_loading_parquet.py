"""Parquet facts files: the same facts as JSON and CSV, the same checks, located problems."""

from __future__ import annotations

import datetime
import json
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from assessment_engine import Engine, InputError, load_facts
from assessment_engine.errors import ParquetUnavailableError

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "institute-2024.json"


TEAM = {"fact": "team", "team": "T1", "period": "2024", "name": "一班", "department": "所"}


def _team_file(tmp_path: Path) -> Path:
    path = tmp_path / "teams.json"
    path.write_text(json.dumps([TEAM]), encoding="utf-8")
    return path


def _records() -> list[dict]:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))["facts"]


def _as_text(value: object) -> object:
    if value is None or isinstance(value, list):
        return value
    return str(value)


def _write_text_table(records: list[dict], path: Path) -> Path:
    """Every value as text (as a CSV file holds it), tags as lists, one table for all kinds."""
    columns = sorted({key for record in records for key in record})
    table = {c: [_as_text(r.get(c)) for r in records] for c in columns}
    types = {c: pa.list_(pa.string()) if c == "tags" else pa.string() for c in columns}
    pq.write_table(pa.table(table, schema=pa.schema(list(types.items()))), path, row_group_size=100)
    return path


def test_a_parquet_file_gives_the_same_report_as_the_json_file(tmp_path):
    parquet = _write_text_table(_records(), tmp_path / "institute.parquet")
    with Engine(block=["food_institute"], matcher="python") as engine:
        from_json = engine.assess(engine.load_facts(EXAMPLE), period="2024")
        from_parquet = engine.assess(engine.load_facts(parquet), period="2024")
    assert from_parquet.to_json() == from_json.to_json()


def test_typed_columns_are_read_as_their_values(tmp_path):
    path = tmp_path / "activities.parquet"  # no fact column: the file name gives the kind
    pq.write_table(
        pa.table(
            {
                "team": ["T1", "T1", "T1"],
                "period": ["2024", "2024", "2024"],
                "id": ["a1", "a2", "a3"],
                "kind": ["volunteer", " volunteer ", "volunteer"],
                "hours": pa.array([0.1, 2.5, None], pa.float64()),
                "date": pa.array([datetime.date(2024, 3, 5), None, None], pa.date32()),
                "tags": pa.array([["red", "museum"], None, []], pa.list_(pa.string())),
            }
        ),
        path,
    )
    facts = sorted(load_facts(path, _team_file(tmp_path)).records("2024", "T1"), key=lambda f: f.id)
    assert [f.hours for f in facts] == [Decimal("0.1"), Decimal("2.5"), Decimal(0)]
    assert facts[0].date == datetime.date(2024, 3, 5)
    assert facts[0].tags == {"red", "museum"}
    assert facts[1].kind == "volunteer"  # text is stripped, as a CSV cell is


def test_decimal_and_integer_columns_stay_exact(tmp_path):
    path = tmp_path / "metrics.parquet"
    pq.write_table(
        pa.table(
            {
                "team": ["T1", "T1"],
                "period": ["2024", "2024"],
                "id": ["m1", "m2"],
                "kind": ["output", "output"],
                "value": pa.array([Decimal("12.345"), Decimal("-0.5")], pa.decimal128(15, 3)),
            }
        ),
        path,
    )
    values = sorted(f.value for f in load_facts(path, _team_file(tmp_path)).records("2024", "T1"))
    assert values == [Decimal("-0.5"), Decimal("12.345")]


def _problems(path: Path) -> list:
    with pytest.raises(InputError) as caught:
        load_facts(path)
    return list(caught.value.problems)


def test_a_bad_value_is_located_by_row_and_field(tmp_path):
    records = [r for r in _records() if r["fact"] in ("team", "activity")][:6]
    records[3] = (
        {**records[3], "hours": "three"} if records[3]["fact"] == "activity" else records[3]
    )
    bad = next(i for i, r in enumerate(records) if r.get("hours") == "three")
    problems = _problems(_write_text_table(records, tmp_path / "facts.parquet"))
    assert [(p.record, p.field) for p in problems] == [(f"row {bad + 1}", "hours")]
    assert str(tmp_path / "facts.parquet") in str(problems[0])


def test_unknown_columns_and_types_are_problems_of_the_columns(tmp_path):
    path = tmp_path / "activities.parquet"
    pq.write_table(
        pa.table(
            {
                "team": ["T1"],
                "period": ["2024"],
                "id": ["a1"],
                "kind": ["volunteer"],
                "hourz": ["2"],
                "date": pa.array([datetime.datetime(2024, 3, 5, 8, 0)], pa.timestamp("s")),
            }
        ),
        path,
    )
    problems = _problems(path)
    by_field = {p.field: p.reason for p in problems}
    assert "hours" in by_field["hourz"]  # did you mean
    assert "timestamp" in by_field["date"]
    assert all(p.record == "the columns" for p in problems)


def test_a_file_that_is_not_parquet_is_one_located_problem(tmp_path):
    path = tmp_path / "facts.parquet"
    path.write_text("team,period\nT1,2024\n", encoding="utf-8")
    (problem,) = _problems(path)
    assert "not a valid Parquet file" in problem.reason
    (missing,) = _problems(tmp_path / "none.parquet")
    assert missing.reason == "file not found"


def test_without_pyarrow_the_error_names_the_extra(tmp_path, monkeypatch):
    path = _write_text_table(_records()[:3], tmp_path / "facts.parquet")
    for name in [m for m in sys.modules if m == "pyarrow" or m.startswith("pyarrow.")]:
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ParquetUnavailableError, match=r"assessment-engine\[parquet\]"):
        load_facts(path)
