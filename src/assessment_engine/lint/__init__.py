"""Data lint: facts that no rule reads, and values outside the vocabulary the rules read.

A fact set can be valid and still not say what its owner meant: ``"kind": "volunteering"``
where the rubric reads ``volunteer`` is a well-formed activity — with its 500 hours counted
nowhere. :func:`lint` reads a rubric and a fact set (it never assesses) and reports

* ``unselected-facts`` (warning): records of a kind the rubric reads that no selection of any
  rule selects, grouped by the values their selections test, with a "did you mean" for a value
  close to one the rules read, and the totals of the number fields the rules sum;
* ``unknown-value`` (warning): records that some rule does select, with a text value that no
  rule reads but that is close to one it does (``role = "leadr"`` where a rule reads
  ``leader``);
* ``unread-kind`` (info): records of a kind that no rule of the rubric reads at all.

``assessment-engine lint FACTS`` prints the findings; the same function serves ``evaluate``.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, Literal, assert_never, cast

import attrs

from .._base.numbers import exact_text
from .._pipeline import select_matches
from ..facts import Fact, Record, fact_fields
from ..factset import FactSet
from ..rubric import (
    AllOf,
    AnyOf,
    BestItem,
    Compare,
    Condition,
    Field,
    HasTag,
    Largest,
    Mean,
    Not,
    OneOf,
    PerItem,
    PointsBy,
    Rubric,
    Select,
    Total,
    ValueOf,
)
from ..rubric.walk import all_quantities, rubric_selects, scored

if TYPE_CHECKING:
    from ..engine import Engine

__all__ = ["CHECKS", "LintFinding", "lint"]

#: The lint checks, by name, with their severity.
CHECKS: Final[Mapping[str, str]] = {
    "unselected-facts": "warning",
    "unknown-value": "warning",
    "unread-kind": "info",
}
_SHOWN: Final = 3  # records named in a finding's message


@attrs.frozen(kw_only=True)
class LintFinding:
    """One thing the lint found in the facts.

    :param severity: ``warning`` (almost certainly not what the data owner meant) or ``info``.
    :param check: the check's name (:data:`CHECKS`).
    :param kind: the fact kind of the records concerned.
    :param field: the field whose value is at issue (``None`` for a whole kind).
    :param value: that value (``None`` for a whole kind or for records that differ in it).
    :param records: where each record concerned is (``facts.json, record 3``), in input order.
    :param message: what was found and what to change, with a "did you mean".
    """

    severity: Literal["warning", "info"]
    check: str
    kind: str
    field: str | None
    value: str | None
    records: tuple[str, ...]
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.message} [{self.check}]"


def _equalities(condition: Condition | None) -> Iterable[tuple[str, str]]:
    """``(field, text)`` for every text a filter compares a field with by equality."""
    stack: list[Condition] = [] if condition is None else [condition]
    while stack:
        cond = stack.pop()
        if isinstance(cond, AllOf | AnyOf):
            stack.extend(cond.items)
        elif isinstance(cond, Not):
            stack.append(cond.item)
        elif isinstance(cond, Compare) and isinstance(cond.left, Field):
            if cond.op in ("==", "!=") and isinstance(cond.value, str):
                yield cond.left.name, cond.value
        elif isinstance(cond, Compare):
            continue  # a team quantity, or an order comparison: no word of a vocabulary
        elif isinstance(cond, OneOf):
            if isinstance(cond.left, Field):
                yield from ((cond.left.name, v) for v in cond.values if isinstance(v, str))
        elif isinstance(cond, HasTag):
            continue
        else:
            assert_never(cond)


class _Vocabulary:
    """What the rubric reads of each kind: its selections, text words and summed fields."""

    def __init__(self, rubric: Rubric) -> None:
        self.selects: dict[str, list[Select]] = {}
        for select in rubric_selects(rubric):
            self.selects.setdefault(select.kind, []).append(select)
        self.words: dict[tuple[str, str], set[str]] = {}
        for kind, selects in self.selects.items():
            for select in selects:
                for name, word in _equalities(select.where):
                    self.words.setdefault((kind, name), set()).add(word)
        for item in scored(rubric):
            for form in _forms(item.scoring):
                if isinstance(form.points, PointsBy):
                    key = (form.select.kind, form.points.field)
                    self.words.setdefault(key, set()).update(k for k, _ in form.points.table)
        self.summed: dict[str, set[str]] = {}
        for q in all_quantities(rubric):
            for inner in _numbers(q):
                self.summed.setdefault(inner.select.kind, set()).add(inner.field)

    def fields(self, kind: str) -> list[str]:
        """The text fields the kind's selections test, sorted."""
        return sorted(name for k, name in self.words if k == kind)


def _forms(form: object) -> Iterable[PerItem | BestItem]:
    """Every per-item form inside a scoring form (parts included)."""
    stack: list[object] = [form]
    while stack:
        item = stack.pop()
        if isinstance(item, PerItem | BestItem):
            yield item
        elif attrs.has(type(item)):
            stack.extend(getattr(item, f.name) for f in attrs.fields(cast(Any, type(item))))
        elif isinstance(item, tuple):
            stack.extend(item)


def _numbers(q: object) -> Iterable[Total | Mean | Largest | ValueOf]:
    """The quantities inside ``q`` that read a number field of their selection."""
    stack: list[object] = [q]
    while stack:
        item = stack.pop()
        if isinstance(item, Total | Mean | Largest | ValueOf):
            yield item
        elif attrs.has(type(item)) and not isinstance(item, Select):
            stack.extend(getattr(item, f.name) for f in attrs.fields(cast(Any, type(item))))


def _hint(value: str, words: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(value, sorted(words), n=1, cutoff=0.6)
    return close[0] if close else None


def _names(locations: Sequence[str]) -> str:
    shown = "; ".join(locations[:_SHOWN])
    more = len(locations) - _SHOWN
    return shown + (f"; and {more} more" if more > 0 else "")


def lint(
    subject: Engine | Rubric, facts: FactSet | Iterable[Fact], *, period: str | None = None
) -> tuple[LintFinding, ...]:
    """What the rubric of ``subject`` (an engine or a rubric) would silently ignore in ``facts``.

    Reads the rubric and the facts; nothing is assessed, so it also runs on facts that do not
    yet assess (a team without its record is reported by the assessment, not here).

    :param period: only the records of this period (default: every period).
    :returns: the findings, warnings first, then by check, kind, field and value.
    """
    rubric = subject if isinstance(subject, Rubric) else subject.rubric
    fact_set = facts if isinstance(facts, FactSet) else FactSet(facts)
    vocabulary = _Vocabulary(rubric)
    source = fact_set.source
    single = bool(source) and ", " not in source and not source.startswith("<")

    def where(fact: Fact) -> str:
        location = fact_set.location(fact)
        return f"{source}, {location}" if single else location

    unread: dict[str, list[str]] = {}
    unselected: dict[tuple[str, tuple[tuple[str, str], ...]], list[Record]] = {}
    odd: dict[tuple[str, str, str], list[str]] = {}
    for fact in fact_set:
        if not isinstance(fact, Record) or (period is not None and fact.period != period):
            continue
        kind = fact.fact_kind
        selects = vocabulary.selects.get(kind)
        if not selects:
            unread.setdefault(kind, []).append(where(fact))
            continue
        tested = tuple(
            (name, value)
            for name in vocabulary.fields(kind)
            if isinstance(value := getattr(fact, name, None), str)
        )
        if not any(select_matches(select, fact) for select in selects):
            unselected.setdefault((kind, tested), []).append(fact)
            continue
        for name, value in tested:
            words = vocabulary.words[(kind, name)]
            if value not in words and _hint(value, words) is not None:
                odd.setdefault((kind, name, value), []).append(where(fact))
    findings = [
        *_unselected(where, vocabulary, unselected),
        *_odd(vocabulary, odd),
        *(
            LintFinding(
                severity="info",
                check="unread-kind",
                kind=kind,
                field=None,
                value=None,
                records=tuple(where),
                message=f"{len(where)} {kind} record{'s' if len(where) != 1 else ''}: no rule"
                f" of the rubric reads {kind} records ({_names(where)})",
            )
            for kind, where in unread.items()
        ),
    ]
    order = {"warning": 0, "info": 1}
    return tuple(
        sorted(
            findings,
            key=lambda f: (order[f.severity], f.check, f.kind, f.field or "", f.value or ""),
        )
    )


def _unselected(
    locate: Callable[[Fact], str],
    vocabulary: _Vocabulary,
    groups: Mapping[tuple[str, tuple[tuple[str, str], ...]], list[Record]],
) -> Iterable[LintFinding]:
    for (kind, tested), records in groups.items():
        where = [locate(r) for r in records]
        values = " and ".join(f"{name}={value!r}" for name, value in tested)
        hints = []
        for name, value in tested:
            words = vocabulary.words[(kind, name)]
            if value not in words:
                close = _hint(value, words)
                if close is not None:
                    hints.append(f"did you mean {name}={close!r}?")
        totals = []
        specs = fact_fields(type(records[0]))
        for name in sorted(vocabulary.summed.get(kind, ())):
            if name in specs and specs[name].kind == "number":
                total = sum(
                    (Decimal(v) for r in records if (v := getattr(r, name, None)) is not None),
                    Decimal(0),
                )
                if total:
                    totals.append(f"{name} {exact_text(total)}")
        count = len(records)
        message = (
            f"{count} {kind} record{'s' if count != 1 else ''}"
            + (f" with {values}" if values else "")
            + (
                " are selected by no rule and count nowhere"
                if count != 1
                else " is selected by no rule and counts nowhere"
            )
            + (f" ({', '.join(totals)})" if totals else "")
            + f": {_names(where)}"
        )
        read = [
            f"{name} in [{', '.join(map(repr, sorted(vocabulary.words[(kind, name)])))}]"
            for name, _ in tested
        ]
        if hints:
            message += f" ({'; '.join(hints)})"
        elif read:
            message += f"; the rules read {kind} records with {' or '.join(read)}"
        single = tested[0] if len(tested) == 1 else None
        yield LintFinding(
            severity="warning",
            check="unselected-facts",
            kind=kind,
            field=single[0] if single else None,
            value=single[1] if single else None,
            records=tuple(where),
            message=message,
        )


def _odd(
    vocabulary: _Vocabulary, groups: Mapping[tuple[str, str, str], list[str]]
) -> Iterable[LintFinding]:
    for (kind, name, value), where in groups.items():
        close = _hint(value, vocabulary.words[(kind, name)])
        count = len(where)
        yield LintFinding(
            severity="warning",
            check="unknown-value",
            kind=kind,
            field=name,
            value=value,
            records=tuple(where),
            message=f"{count} {kind} record{'s' if count != 1 else ''} with {name}={value!r}:"
            f" no rule reads that value (did you mean {close!r}?): {_names(where)}",
        )
