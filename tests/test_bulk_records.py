"""``facts_from_records`` in bulk: each batch's work is its own, locations are made when needed.

The records are read a batch at a time (``loading/_problems.py``); these tests make the batch
small so that a few records span many batches, and count what is done instead of timing it.
"""

from __future__ import annotations

import gc
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, overload

import pytest

from assessment_engine.errors import InputError
from assessment_engine.facts import TAG
from assessment_engine.loading import _fast, _problems, facts_from_records
from assessment_engine.loading._converter import converter_for, fast_records

BATCH = 4


def _records(teams: int) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for t in range(teams):
        team = f"T{t}"
        records.append(
            {TAG: "team", "team": team, "period": "2024", "name": team, "department": "d"}
            | {"headcount": 3}
        )
        for m in range(3):
            records.append(
                {TAG: "member", "team": team, "period": "2024", "id": f"m{m}", "age": 30 + m}
            )
        records.append(
            {TAG: "activity", "team": team, "period": "2024", "id": "a1", "kind": "volunteer"}
            | {"hours": "2.5"}
        )
    return records


class Counted(Sequence[str]):
    """Locations that count how many of them are read."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.read = 0

    def __len__(self) -> int:
        return self.count

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            positions = list(range(*index.indices(self.count)))
            self.read += len(positions)
            return [f"line {i + 1}" for i in positions]
        if not 0 <= index < self.count:
            raise IndexError(index)
        self.read += 1
        return f"line {index + 1}"


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Batches of ``BATCH`` records; the size of each batch the fast path reads, in order."""
    monkeypatch.setattr(_problems, "_BATCH", BATCH)
    sizes: list[int] = []
    rows = _fast.FastRecords.rows

    def counted(self: _fast.FastRecords, records: list[object]) -> list[Any]:
        sizes.append(len(records))
        return rows(self, records)

    monkeypatch.setattr(_fast.FastRecords, "rows", counted)
    return sizes


def test_each_batch_reads_its_own_records_once(small_batches: list[int]) -> None:
    records = _records(7)  # 35 records: 9 batches
    fact_set = facts_from_records(records)
    assert small_batches == [BATCH] * 8 + [3]  # no batch reads what earlier ones did
    assert len(fact_set) == len(records)
    assert [r.id for r in fact_set.records("2024", "T6")] == ["m0", "m1", "m2", "a1"]


def test_a_load_that_passes_reads_no_location(small_batches: list[int]) -> None:
    records = _records(5)
    locations = Counted(len(records))
    fact_set = facts_from_records(records, locations=locations)
    assert locations.read == 0
    # and a record is still located when asked, by its own position
    row = fact_set.rows("2024", "T3")[1]
    assert fact_set.location(row) == "line 18 (member m1 of team T3 (2024))"
    assert locations.read == 1


@pytest.fixture
def locations_made(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every index (or slice) of a ``Positions`` read, in order."""
    made: list[Any] = []
    getitem = _problems.Positions.__getitem__

    def counted(self: _problems.Positions, index: Any) -> Any:
        made.append(index)
        return getitem(self, index)

    monkeypatch.setattr(_problems.Positions, "__getitem__", counted)
    return made


def test_by_default_no_location_is_made(locations_made: list[Any]) -> None:
    made = locations_made
    facts_from_records(_records(3))
    assert made == []
    with pytest.raises(InputError) as caught:
        facts_from_records([*_records(3), _records(1)[2]])  # T0's member m1 again, last
    [problem] = caught.value.problems
    assert problem.record == "record 15 (member m1 of team T0 (2024))"
    assert problem.reason == (
        "id 'm1' is already used by record 2 (member m1 of team T0 (2024))"
        " (ids are unique per team, period and kind)"
    )


def test_positions_are_the_records_locations() -> None:
    positions = _problems.Positions(3)
    assert list(positions) == ["record 0", "record 1", "record 2"]
    assert positions[-1] == "record 2"
    assert positions[1:] == ["record 1", "record 2"]
    assert list(_problems.Positions(2, "row ", 10)) == ["row 10", "row 11"]
    with pytest.raises(IndexError):
        positions[3]


def _problems_of(records: Any) -> list[str]:
    """The problems ``facts_from_records`` finds, as text."""
    with pytest.raises(InputError) as caught:
        facts_from_records(records)
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize("bad_at", [0, 6, 17, 34])
def test_a_problem_in_any_batch_is_located_as_in_one_batch(
    bad_at: int, small_batches: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    records = _records(7)
    records[bad_at] = records[bad_at] | {"headcount": -1, "age": "old"}
    records[20] = records[20] | {"unknown": 1}
    in_batches = _problems_of(records)
    # from a generator or another iterable: the same problems, located the same
    assert _problems_of(_stream(records, [0])) == in_batches
    assert _problems_of(iter(tuple(records))) == in_batches
    monkeypatch.setattr(_problems, "_BATCH", 1000)
    assert in_batches == _problems_of(records)
    assert any(f"record {bad_at}" in p for p in in_batches)
    assert any("record 20" in p and "unknown field" in p for p in in_batches)


def test_a_record_only_the_converter_reads_keeps_every_location(small_batches: list[int]) -> None:
    records = _records(4)
    # a record that is a mapping but not a dict: the fast path leaves it to the converter
    records[11] = OrderedDict(records[11])
    fast = fast_records(converter_for(None)[0])
    assert fast is not None
    assert fast.rows(records[8:12])[3] is None
    records[18] = dict(records[16])  # T3's member m0 again: located after the fallback
    with pytest.raises(InputError) as caught:
        facts_from_records(records)
    [problem] = caught.value.problems
    assert problem.record.startswith("record 18 (")
    assert "already used by record 16 (" in problem.reason
    del records[18]
    fact_set = facts_from_records(records)
    row = fact_set.rows("2024", "T2")[0]
    assert fact_set.location(row) == "record 11 (member m0 of team T2 (2024))"


def test_the_locations_given_are_never_changed() -> None:
    converter, _ = converter_for(None)
    records = _records(2)
    given = [f"line {i}" for i in range(len(records))]
    loaded = _problems.Loaded("facts.json")
    loaded.add_many(converter, records, given)
    loaded.add(converter, _records(3)[10], "line 99")
    loaded.flush()
    assert given == [f"line {i}" for i in range(len(records))]
    assert list(loaded.locations) == [*given, "line 99"]
    assert len(loaded.items) == len(records) + 1


def test_one_team_of_several_periods_in_one_run_is_grouped_by_period() -> None:
    records: list[dict[str, Any]] = []
    for period in ("2024", "2023"):
        records.append(
            {TAG: "team", "team": "T1", "period": period, "name": "T1", "department": "d"}
            | {"headcount": 2}
        )
    for m in range(3):  # the team's records alternate between its periods
        for period in ("2023", "2024"):
            records.append(
                {TAG: "member", "team": "T1", "period": period, "id": f"m{m}", "age": 30}
            )
    records.append(records[3] | {"age": 31})  # 2024's m0 again, after the other period's
    with pytest.raises(InputError) as caught:
        facts_from_records(records)
    assert [p.record for p in caught.value.problems] == ["record 8 (member m0 of team T1 (2024))"]
    fact_set = facts_from_records(records[:-1])
    assert fact_set.periods == ("2023", "2024")
    for period in fact_set.periods:
        assert [r.id for r in fact_set.records(period, "T1")] == ["m0", "m1", "m2"]
        assert {r.period for r in fact_set.records(period, "T1")} == {period}
        team = fact_set.team(period, "T1")
        assert team is not None
        assert team.period == period


def _young_collections(records: list[dict[str, Any]]) -> list[int]:
    """The generation of each collection while the records are read."""
    seen: list[int] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            seen.append(info["generation"])

    gc.callbacks.append(note)
    try:
        facts_from_records(records)
    finally:
        gc.callbacks.remove(note)
    return seen


def test_each_batch_is_collected_alone_while_the_collector_is_paused(
    small_batches: list[int],
) -> None:
    records = _records(7)  # 9 batches
    assert gc.isenabled()
    gc.collect()
    # one young collection a batch, none of them of an older generation: a collection's work
    # is the batch's (left to the pause's end, one collection would look at every row made)
    seen = _young_collections(records)
    assert seen[: len(small_batches)] == [0] * len(small_batches)
    assert seen.count(0) >= len(small_batches)
    gc.disable()
    try:
        assert _young_collections(records) == []  # a program that turned it off: none
    finally:
        gc.enable()


def test_a_team_whose_records_come_in_two_runs_is_checked_whole() -> None:
    records = _records(3)  # T0, T1, T2, then more of T0: one in use, one new
    again = [records[1] | {"age": 40}, records[2] | {"id": "m9"}]
    with pytest.raises(InputError) as caught:
        facts_from_records([*records, *again])
    [problem] = caught.value.problems
    assert problem.record == "record 15 (member m0 of team T0 (2024))"
    assert "already used by record 1 (member m0 of team T0 (2024))" in problem.reason
    fact_set = facts_from_records([*records, again[1], records[3] | {"id": "m8"}])
    assert [r.id for r in fact_set.records("2024", "T0")] == ["m0", "m1", "m2", "a1", "m9", "m8"]
    assert [r.id for r in fact_set.records("2024", "T1")] == ["m0", "m1", "m2", "a1"]
    with pytest.raises(InputError) as caught:
        facts_from_records([*records, records[5]])  # T1's team record again
    [problem] = caught.value.problems
    assert problem.record == "record 15 (team record of team T1 (2024))"


# ------------------------------------------------------------------ records from any iterable


def _stream(records: list[dict[str, Any]], produced: list[int]) -> Any:
    """The records one at a time, counting how many have been made so far."""
    for record in records:
        produced[0] += 1
        yield dict(record)


def test_records_from_a_generator_are_read_a_batch_at_a_time(
    small_batches: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    records = _records(7)  # 35 records: 9 batches
    produced = [0]
    made_when_read: list[int] = []
    rows = _fast.FastRecords.rows  # already counting the batches' sizes (the fixture)

    def seen(self: _fast.FastRecords, batch: list[object]) -> list[Any]:
        made_when_read.append(produced[0])
        return rows(self, batch)

    monkeypatch.setattr(_fast.FastRecords, "rows", seen)
    streamed = facts_from_records(_stream(records, produced))
    assert small_batches == [BATCH] * 8 + [3]
    # when each batch is read, the generator has made that batch and none after it
    assert made_when_read == [min(BATCH * (k + 1), len(records)) for k in range(9)]
    listed = facts_from_records(records)
    for team in ("T0", "T3", "T6"):
        assert streamed.rows("2024", team) == listed.rows("2024", team)
        assert [streamed.location(r) for r in streamed.rows("2024", team)] == [
            listed.location(r) for r in listed.rows("2024", team)
        ]


def test_a_generator_that_passes_makes_no_location(
    small_batches: list[int], locations_made: list[Any]
) -> None:
    fact_set = facts_from_records(_stream(_records(5), [0]))
    assert locations_made == []
    row = fact_set.rows("2024", "T3")[1]  # record 17: in the fifth batch
    assert fact_set.location(row) == "record 17 (member m1 of team T3 (2024))"


def test_a_duplicate_in_a_generator_is_located_as_in_a_list(small_batches: list[int]) -> None:
    again = [*_records(7), _records(1)[1]]  # T0's member m0 again, in the last batch
    [duplicate] = _problems_of(_stream(again, [0]))
    assert duplicate == _problems_of(again)[0]
    assert "record 35 (" in duplicate
    assert "already used by record 1 (" in duplicate


def test_a_generator_with_a_record_only_the_converter_reads(small_batches: list[int]) -> None:
    records: list[Any] = list(_records(4))
    records[11] = OrderedDict(records[11])  # read by the converter, in the third batch
    fact_set = facts_from_records(iter(records))
    assert fact_set.location(fact_set.rows("2024", "T2")[0]) == (
        "record 11 (member m0 of team T2 (2024))"
    )
    assert fact_set.location(fact_set.rows("2024", "T3")[2]) == (
        "record 18 (member m2 of team T3 (2024))"
    )
    assert len(fact_set) == len(records)


def test_positions_join_only_when_they_carry_straight_on() -> None:
    first = _problems.Positions(3)
    joined = first.joined(_problems.Positions(2, "record ", 3))
    assert joined is not None
    assert list(joined) == [f"record {i}" for i in range(5)]
    assert first.joined(_problems.Positions(2, "record ", 4)) is None  # a gap
    assert first.joined(_problems.Positions(2, "row ", 3)) is None  # another prefix
    assert first.joined(["record 3"]) is None


def test_equal_values_of_a_column_share_one_object() -> None:
    records = _records(3)
    for record in records:  # every record its own copy of each text, as a JSON parser gives
        for key, value in record.items():
            if isinstance(value, str):
                record[key] = "".join(list(value))
    assert records[1]["id"] is not records[6]["id"]
    fact_set = facts_from_records(records)
    first, other = fact_set.rows("2024", "T0")[0], fact_set.rows("2024", "T2")[0]
    assert first[3] == other[3] == "m0"
    assert first[3] is other[3]  # the id "m0" of T0 and of T2: one string
    assert first[2] is other[2]  # the period
    assert fact_set.records("2024", "T2")[0].id == "m0"
