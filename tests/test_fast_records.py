"""The loaders' fast path accepts exactly what the converter accepts, with equal values.

Records — valid ones, and valid ones with a field replaced by values of every JSON type, numeric
and non-numeric text, lists, ``None`` and missing keys — go through one file's reading twice:
with the fast path (``loading/_fast.py``) and with the converter alone. Both must give the same
facts (as objects, field for field) or the same located problems.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessment_engine.facts import BUILTIN_FACT_TYPES, TAG
from assessment_engine.factset import row_class, to_row
from assessment_engine.loading import _converter, _problems
from assessment_engine.loading._converter import converter_for

KINDS = {cls.fact_kind: cls for cls in BUILTIN_FACT_TYPES}

VALID: dict[str, dict[str, Any]] = {
    "team": {"team": "T1", "period": "2024", "name": "班组", "department": "所", "headcount": 4},
    "member": {"team": "T1", "period": "2024", "id": "m1", "party_status": "member", "age": 30},
    "activity": {"team": "T1", "period": "2024", "id": "a1", "kind": "volunteer", "hours": "2.5"},
    "achievement": {"team": "T1", "period": "2024", "id": "c1", "kind": "patent", "level": "city"},
    "metric": {"team": "T1", "period": "2024", "id": "k1", "kind": "rate", "value": Decimal("9.5")},
    "incident": {"team": "T1", "period": "2024", "id": "i1", "kind": "accident"},
    "score": {"team": "T1", "period": "2024", "id": "s1", "indicator": "x.y", "value": 3},
}

ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 200_000),
    st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-10, max_value=10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(
        [
            "",
            " ",
            "T1",
            "t1 ",
            "T1\n",
            "2024",
            "2.5",
            "2.50",
            "-1",
            "1e3",
            "abc",
            "member",
            "none",
            "leader",
            "2024-02-30",
            "2024-07-01",
            "yes",
            "true",
            "a;b",
            "x" * 70,
            "volunteer",
            "national",
            "城市",
        ]
    ),
    st.lists(st.sampled_from(["a", "b", "", 1]), max_size=3),
    st.just(datetime.date(2024, 7, 1)),
    st.just({"nested": 1}),
)


def _read(records: list[tuple[str, object]], fast: bool, monkeypatch: pytest.MonkeyPatch) -> Any:
    converter, _ = converter_for(None)
    if not fast:
        monkeypatch.setattr(_problems, "fast_records", lambda c: None)
    loaded = _problems.Loaded("facts.json")
    for location, raw in records:
        loaded.add(converter, raw, location)
    monkeypatch.undo()
    objects = [repr(to_row(f)) for f in loaded.facts]
    return objects, [str(p) for p in loaded.problems], [type(x).__name__ for x in loaded.items]


records_to_read = st.lists(
    st.tuples(
        st.sampled_from(sorted(VALID)),
        st.sampled_from(["keep", "set", "drop", "extra"]),
        st.sampled_from(
            sorted({field for v in VALID.values() for field in v} | {"tags", "date", "level"})
        ),
        ODD_VALUES,
    ),
    min_size=1,
    max_size=12,
)


def _records(spec: list[tuple[str, str, str, object]]) -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = []
    for number, (kind, action, field, value) in enumerate(spec):
        record: dict[str, Any] = {TAG: kind, **VALID[kind]}
        if action == "set":
            record[field] = value
        elif action == "drop":
            record.pop(field, None)
        elif action == "extra":
            record["unknown_" + field] = value
        out.append((f"record {number}", record))
    return out


@settings(max_examples=300)
@given(records_to_read)
def test_the_fast_path_reads_as_the_converter_does(spec: list[Any]) -> None:
    records = _records(spec)
    with pytest.MonkeyPatch.context() as patch:
        slow = _read(records, fast=False, monkeypatch=patch)
    with pytest.MonkeyPatch.context() as patch:
        fast = _read(records, fast=True, monkeypatch=patch)
    assert fast == slow


def test_the_fast_path_is_taken_for_valid_records(monkeypatch: pytest.MonkeyPatch) -> None:
    converter, _ = converter_for(None)
    fast = _converter.fast_records(converter)
    assert fast is not None
    for kind, fields in VALID.items():
        row = fast.row({TAG: kind, **fields})
        assert row is not None, kind
        assert row_class(row) is KINDS[kind]
    # and it gives up, rather than guess, on what it is not sure of
    assert fast.row({TAG: "activity", **VALID["activity"], "hours": 2.5}) is None  # a float
    assert fast.row({TAG: "activity", **VALID["activity"], "colour": "red"}) is None
    assert fast.row({TAG: ["activity"]}) is None
    assert fast.row(["not", "a", "record"]) is None
