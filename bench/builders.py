"""Ways an application turns its records in memory into the engine's facts (public API only).

Each builder takes the engine and the workload's ``(team id, [fact dict])`` pairs — what an
embedding application holds — and returns the validated ``FactSet`` to assess, with the time of
its steps. The headline "records in memory → ranking" path uses the first *available* builder
of :data:`PREFERENCE`; the others are measured as variants.

A faster public path (say a bulk ``FactSet.from_records`` or a columnar loader) is one function
here: write it, give it an ``available`` test that looks the API up (``hasattr``, never a
version check), and put its name first in :data:`PREFERENCE`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import engine_facts

Teams = list[tuple[str, list[dict]]]
Built = tuple[Any, dict[str, float]]  # (FactSet, {step: seconds})


def fact_classes(engine: Any, teams: Teams) -> Built:
    """The fact classes (``Member(...)``, ``Activity(...)``, …) built one by one, then a
    ``FactSet`` of them: what the getting-started page shows."""
    from assessment_engine import FactSet

    start = time.perf_counter()
    facts: list = []
    for tid, records in teams:
        facts.extend(engine_facts.team_facts(tid, records))
    typed = time.perf_counter()
    fact_set = FactSet(facts, source="records")
    done = time.perf_counter()
    return fact_set, {"typed facts": typed - start, "FactSet": done - typed}


def converter_records(engine: Any, teams: Teams) -> Built:
    """Tagged dicts (``{"fact": "member", ...}``, as in a JSON file) through the public
    ``facts_converter(engine.rubric.fact_types).structure(record, Fact)``, which validates and
    converts as a file load does (floats are given as text: the converter takes exact numbers
    only), then a ``FactSet``."""
    from assessment_engine import Fact, FactSet, facts_converter
    from facts_files import project_records

    start = time.perf_counter()
    structure = facts_converter(engine.rubric.fact_types).structure
    facts = []
    for record in project_records(teams):
        for key in ("value", "hours"):
            value = record.get(key)
            if isinstance(value, float):
                record[key] = repr(value)
        facts.append(structure(record, Fact))
    typed = time.perf_counter()
    fact_set = FactSet(facts, source="records")
    done = time.perf_counter()
    return fact_set, {"typed facts": typed - start, "FactSet": done - typed}


def _engine_records(teams: Teams) -> Iterator[dict]:
    """The workload's records as tagged dicts, made one at a time (floats given as their text:
    the engine takes exact numbers only)."""
    from facts_files import project_records

    for record in project_records(teams):
        for key in ("value", "hours"):
            value = record.get(key)
            if isinstance(value, float):
                record[key] = repr(value)
        yield record


def streamed_records(engine: Any, teams: Teams) -> Built:
    """Tagged dicts made by a generator as the public bulk path
    ``engine.facts_from_records(records)`` reads them, a batch at a time: the mapped records
    are never all alive at once."""
    start = time.perf_counter()
    fact_set = engine.facts_from_records(_engine_records(teams), source="records")
    done = time.perf_counter()
    return fact_set, {"records mapped and read as a stream": done - start}


def bulk_records(engine: Any, teams: Teams) -> Built:
    """Tagged dicts, all made first (a list), then the public bulk path
    ``engine.facts_from_records(records)``."""
    start = time.perf_counter()
    records = list(_engine_records(teams))
    mapped = time.perf_counter()
    fact_set = engine.facts_from_records(records, source="records")
    done = time.perf_counter()
    return fact_set, {"records in the engine's form": mapped - start, "FactSet": done - mapped}


def _has_bulk_records() -> bool:
    from assessment_engine import Engine

    return hasattr(Engine, "facts_from_records")


@dataclass(frozen=True)
class Builder:
    """A way from records to a ``FactSet``, and whether this engine version offers it."""

    name: str
    build: Callable[[Any, Teams], Built]
    describe: str
    available: Callable[[], bool] = lambda: True


BUILDERS = {
    "records": Builder(
        "records",
        streamed_records,
        "tagged dicts made by a generator, read a batch at a time by the bulk"
        " `engine.facts_from_records(records)`",
        _has_bulk_records,
    ),
    "records-list": Builder(
        "records-list",
        bulk_records,
        "tagged dicts, all made first (a list), then the bulk `engine.facts_from_records(records)`",
        _has_bulk_records,
    ),
    "fact-classes": Builder(
        "fact-classes", fact_classes, "fact classes built one by one, then `FactSet(facts)`"
    ),
    "converter": Builder(
        "converter",
        converter_records,
        "tagged dicts through `facts_converter(...).structure`, then `FactSet(facts)`",
    ),
}
#: The headline path's builder is the first available one of these.
PREFERENCE = ("records", "records-list", "fact-classes", "converter")


def headline() -> Builder:
    """The builder of the headline "records in memory" path."""
    return next(BUILDERS[name] for name in PREFERENCE if BUILDERS[name].available())


def variants() -> list[Builder]:
    """The other available builders, measured beside the headline one."""
    first = headline()
    return [b for b in BUILDERS.values() if b is not first and b.available()]
