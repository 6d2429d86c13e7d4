"""The properties that need more engines: plugin order, determinism (another process too)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from ..engine import Engine, MatcherName
from ..facts import Fact
from ..rubric import Rubric
from ._prop_common import Facts, difference, fail, items_of, report_difference
from ._prop_subject import Subject

__all__ = [
    "check_determinism",
    "check_plugin_order",
    "determinism",
    "hash_difference",
    "plugin_orders",
    "same_rubric",
]


def hash_difference(before: Rubric, after: Rubric) -> str:
    """Where two rubrics first differ, as data."""
    return difference(before.to_data(), after.to_data())


def check_plugin_order(
    plugins: Sequence[object],
    facts: Facts | None = None,
    *,
    matcher: MatcherName = "python",
    orders: Iterable[Sequence[int]] | None = None,
) -> int:
    """Registering the plugins in other orders changes neither the rubric nor any report.

    :param plugins: plugin modules or objects (or ``(name, plugin)`` pairs), in a reference
        order; installed entry points are not loaded.
    :param facts: facts to assess with every order (optional).
    :param orders: the other orders, as permutations of ``range(len(plugins))``; by default
        the reverse order and every rotation by one.
    Returns how many orders were compared.
    """
    subject = Subject.of(list(plugins), matcher)
    try:
        reference = subject.engine
        items = None if facts is None else items_of(facts)
        expected = None if items is None else reference.assess(items).to_json()
        chosen = plugin_orders(len(subject.plugins or ()), orders)
        for order in chosen:
            permuted = [list(plugins)[i] for i in order]
            engine = subject.build(permuted)
            same_rubric(subject, reference, engine, permuted)
            if items is not None:
                other = engine.assess(items)
                if other.to_json() != expected:
                    raise fail(
                        "plugin_order",
                        f"registering the plugins as {subject.plugin_names(permuted)} changed"
                        " the report: " + report_difference(reference.assess(items), other),
                    )
        return len(chosen)
    finally:
        subject.close()


def plugin_orders(count: int, given: Iterable[Sequence[int]] | None) -> list[list[int]]:
    """``given`` (checked), or the reverse order and every rotation of ``count`` plugins."""
    if given is not None:
        chosen = [list(order) for order in given]
        for order in chosen:
            if sorted(order) != list(range(count)):
                raise ValueError(f"{order} is not a permutation of range({count})")
        return chosen
    if count < 2:
        return [list(range(count))]  # the plugins called again: their answers must not change
    found = [list(reversed(range(count)))]
    found += [[(i + shift) % count for i in range(count)] for shift in range(1, count)]
    unique: dict[tuple[int, ...], None] = dict.fromkeys(tuple(o) for o in found)
    return [list(o) for o in unique]


def same_rubric(
    subject: Subject, reference: Engine, engine: Engine, order: Sequence[object]
) -> None:
    if engine.rubric.content_hash != reference.rubric.content_hash:
        raise fail(
            "plugin_order",
            f"registering the plugins as {subject.plugin_names(order)} gives another rubric"
            f" (content hash {engine.rubric.content_hash[:12]}, not"
            f" {reference.rubric.content_hash[:12]}): "
            + hash_difference(reference.rubric, engine.rubric),
        )


def check_determinism(
    subject: Sequence[object] | Engine | Rubric,
    facts: Facts,
    *,
    matcher: MatcherName = "python",
    hash_seeds: Sequence[str] = ("0", "4242"),
) -> int:
    """The same facts give the same JSON again, from a fresh engine, and in fresh processes.

    :param subject: the plugins (modules, or ``(name, plugin)`` pairs), an engine or a rubric.
    :param hash_seeds: ``PYTHONHASHSEED`` of each fresh process (none: no process is started).
        A process builds the engine from the plugins' modules, or else from the rubric as data;
        when neither can be imported there (a plugin defined inside a test), it is skipped.
    Returns how many comparisons were made.
    """
    opened = Subject.of(subject, matcher)
    try:
        return determinism(opened, items_of(facts), hash_seeds, [])
    finally:
        opened.close()


def determinism(
    subject: Subject, items: list[Fact], hash_seeds: Sequence[str], notes: list[str]
) -> int:
    engine = subject.engine
    first = engine.assess(items)
    expected = first.to_json()
    again = engine.assess(items)
    if again.to_json() != expected:
        raise fail(
            "determinism",
            "the same engine gave another report for the same facts: "
            + report_difference(first, again),
        )
    fresh = subject.build()
    if fresh.rubric.content_hash != engine.rubric.content_hash:
        raise fail(
            "determinism",
            "building the engine again gives another rubric: "
            + hash_difference(engine.rubric, fresh.rubric),
        )
    other = fresh.assess(items)
    if other.to_json() != expected:
        raise fail(
            "determinism",
            "a freshly built engine gave another report: " + report_difference(first, other),
        )
    compared = 2
    period = first.period
    for seed in hash_seeds:
        child = subject.run_child(items, period, seed)
        if child.skipped is not None:
            notes.append(f"determinism: no fresh process ({child.skipped})")
            break
        compared += 1
        if child.hash != engine.rubric.content_hash:
            raise fail(
                "determinism",
                f"in a fresh process (PYTHONHASHSEED={seed}) the rubric's content hash is"
                f" {str(child.hash)[:12]}, not {engine.rubric.content_hash[:12]}",
            )
        if child.report != expected:
            assert child.report is not None
            theirs = json.loads(child.report)
            raise fail(
                "determinism",
                f"in a fresh process (PYTHONHASHSEED={seed}) the report differs: "
                + difference(first.to_data(), theirs),
            )
    return compared
