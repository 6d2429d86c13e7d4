"""Facts as the ledger stores them: canonical JSON, read back exactly; corrections applied by key.

A submission's facts are stored as :func:`~assessment_engine.dump_json` writes them (sorted,
exact numbers), so the same facts always give the same text and hash, and reading the text back
gives equal facts. A run is always assessed from the facts read back from that text: what the
ledger holds is exactly what was assessed.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import InputError, InputProblem, LedgerStateError
from ..facts import Fact, Record
from ..factset import FactSet
from ..loading import dump_json, facts_converter
from ._json import loads, sha256
from ._model import FactKey, SourceFile, Submission

__all__ = [
    "StoredFacts",
    "apply_correction",
    "fact_key",
    "facts_from_text",
    "parse_key",
    "source_files",
    "stored_facts",
]


class StoredFacts:
    """Facts in their stored form: the canonical text, its hash, counts and periods."""

    def __init__(self, facts: Iterable[Fact]) -> None:
        items = list(facts)
        self.text = dump_json(items)
        self.hash = sha256(self.text)
        self.records = len(items)
        self.periods = tuple(sorted({f.period for f in items}))


def stored_facts(facts: FactSet | Iterable[Fact]) -> StoredFacts:
    """The stored form of ``facts`` (a :class:`FactSet` is validated already; others are now).

    :raises InputError: for facts that are not a valid set.
    """
    fact_set = facts if isinstance(facts, FactSet) else FactSet(facts)
    return StoredFacts(fact_set)


def facts_from_text(text: str, fact_types: Mapping[str, type[Fact]], *, source: str) -> FactSet:
    """Read stored facts back with the given fact kinds.

    :raises InputError: naming each record of a kind these fact types do not know (a plugin
        that registered it is no longer installed) or that no longer loads.
    """
    document = loads(text)
    records: Sequence[Any] = document["facts"]
    converter = facts_converter(fact_types)
    problems: list[InputProblem] = []
    facts: list[Fact] = []
    locations: list[str] = []
    for index, raw in enumerate(records):
        kind = raw.get("fact")
        where = f"record {index}"
        if kind not in fact_types:
            problems.append(
                InputProblem(
                    source=source,
                    record=where,
                    field="fact",
                    reason=f"fact kind {kind!r} is not registered by any plugin in use",
                )
            )
            continue
        try:
            facts.append(converter.structure(raw, Fact))
        except Exception as exc:  # cattrs' validation errors and the classes' own
            problems.append(
                InputProblem(
                    source=source,
                    record=where,
                    field=None,
                    reason=f"no longer loads: {type(exc).__name__}: {exc}",
                )
            )
            continue
        locations.append(where)
    if problems:
        raise InputError(problems)
    return FactSet(facts, source=source, locations=locations)


def fact_key(fact: Fact) -> FactKey:
    """The identity of a fact (its kind, period, team and id)."""
    if isinstance(fact, Record):
        return FactKey(kind=fact.fact_kind, period=fact.period, team=fact.team, id=fact.id)
    return FactKey(kind=fact.fact_kind, period=fact.period, team=fact.team)


def apply_correction(
    base: Iterable[Fact], new: Iterable[Fact], retract: Iterable[FactKey], *, subject: str
) -> tuple[list[Fact], tuple[FactKey, ...], tuple[FactKey, ...], tuple[FactKey, ...]]:
    """The base facts with ``new`` ones put in by key and ``retract`` ones taken out.

    Returns ``(facts, replaced, added, retracted)``, the keys sorted.

    :raises LedgerStateError: for a retracted key the base does not hold, a key both given
        and retracted, or a correction that changes nothing.
    """
    by_key: dict[FactKey, Fact] = {fact_key(f): f for f in base}
    replaced: list[FactKey] = []
    added: list[FactKey] = []
    new_by_key: dict[FactKey, Fact] = {}
    for fact in new:
        key = fact_key(fact)
        if key in new_by_key:
            raise LedgerStateError(subject, f"the correction gives {key} twice")
        new_by_key[key] = fact
    retracted = sorted(set(retract), key=_order)
    for key in retracted:
        if key in new_by_key:
            raise LedgerStateError(subject, f"{key} is both corrected and retracted")
        if key not in by_key:
            raise LedgerStateError(
                subject, f"cannot retract {key}: the submission has no such fact"
            )
    for key, fact in new_by_key.items():
        if key not in by_key:
            added.append(key)
        elif by_key[key] != fact:
            replaced.append(key)
        by_key[key] = fact
    for key in retracted:
        del by_key[key]
    if not (replaced or added or retracted):
        raise LedgerStateError(subject, "the correction changes nothing")
    return (
        list(by_key.values()),
        tuple(sorted(replaced, key=_order)),
        tuple(sorted(added, key=_order)),
        tuple(retracted),
    )


def parse_key(key: FactKey | str, submission: Submission, subject: str) -> FactKey:
    """A fact's key given as text ``KIND/TEAM/ID``, in the period of a one-period submission."""
    if isinstance(key, FactKey):
        return key
    if len(submission.periods) != 1:
        raise LedgerStateError(
            subject,
            f"the submission spans periods {', '.join(submission.periods)}: name the fact"
            f" {key!r} with a FactKey and its period",
        )
    try:
        return FactKey.parse(key, period=submission.periods[0])
    except ValueError as exc:
        raise LedgerStateError(subject, str(exc)) from None


def _order(key: FactKey) -> tuple[str, str, str, str]:
    return (key.period, key.team, key.kind, key.id)


def source_files(
    paths: Iterable[str | os.PathLike[str] | SourceFile],
) -> tuple[SourceFile, ...]:
    """Each file's path, SHA-256 and size (read as bytes, exactly as they are on disk).

    A :class:`SourceFile` is kept as it is (facts that came from no file on disk, such as
    standard input, hashed by whoever read them).
    """
    result = []
    for path in paths:
        if isinstance(path, SourceFile):
            result.append(path)
            continue
        data = Path(path).read_bytes()
        result.append(SourceFile(path=os.fspath(path), sha256=sha256(data), size=len(data)))
    return tuple(result)
