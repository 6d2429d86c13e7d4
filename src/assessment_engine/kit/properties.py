"""Properties any rule set can be held to, checked on generated teams.

The static checks (:func:`~assessment_engine.kit.check_rubric`) read a rubric as data; these
properties *run* it, on teams drawn by :func:`assessment_engine.strategies.teams` (biased toward
the rubric's thresholds and caps), and fail with an :class:`AssertionError` naming the property,
the team and the indicator when one does not hold:

``bounds``
    every indicator's points are in ``[0, max]``, every bonus and penalty applied is in
    ``[0, amount]``, every dimension's score is in ``[0, Σ indicator max + bonus cap]``;
``explanations``
    the total equals the sum of its explained contributions: the lines of an indicator (a bonus,
    a penalty) add up to its points, a dimension's score is base + bonus − penalty floored at 0,
    the composite is Σ weight × score;
``monotonicity``
    for an indicator declared ``monotone=True``, one more *qualifying* fact (one its selections
    count in the team's favour: an item, a count compared with ``≥``) never lowers its points;
    one more *violation* (an incident, or a fact it reads against the team: a deduction's
    selection) never raises them; a fact that is both, or that none of
    its selections selects, changes nothing;
``fact_order``
    shuffling the facts leaves the report's JSON byte for byte unchanged;
``plugin_order``
    registering the plugins in another order leaves the rubric's content hash and every report
    unchanged;
``determinism``
    the same facts give the same JSON from the same engine, from a freshly built one, and in a
    fresh Python process with another hash seed;
``vetoes``
    a vetoed team holds the veto label in every grade the veto concerns, no title, and (with the
    default ranking) no rank — or ranks after every team that is not vetoed;
``per_capita``
    a per-capita indicator or part (one that reads only ``per_capita(...)`` quantities, or one
    named in ``per_capita=``) gives the same points when the team's headcount and its records
    are multiplied by ``k``;
``isolation``
    a fact about one team never changes another team's own results (points, grades, vetoes).

:func:`check_properties` runs them all (or some) under Hypothesis; the ``check_*`` functions
check one property on given facts, for tests of your own; :func:`property_test` makes a test
function of one property.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any, Final

import attrs
import hypothesis
from hypothesis import HealthCheck
from hypothesis import strategies as st

from .._base.hints import did_you_mean
from ..engine import Engine, MatcherName
from ..facts import Fact, Record, Team
from ..rubric import Rubric
from ..strategies import crossing_facts
from ..strategies import facts as fact_strategy
from ..strategies import teams as team_strategy
from ._prop_change import (
    check_isolation,
    check_monotonicity,
    check_per_capita,
    per_capita_targets,
    scaled,
    with_fact,
)
from ._prop_common import fail, report_difference
from ._prop_engines import (
    check_determinism,
    check_plugin_order,
    determinism,
    plugin_orders,
    same_rubric,
)
from ._prop_report import check_bounds, check_explanations, check_fact_order, check_vetoes
from ._prop_subject import Subject

__all__ = [
    "PROPERTIES",
    "PropertyRun",
    "check_bounds",
    "check_determinism",
    "check_explanations",
    "check_fact_order",
    "check_isolation",
    "check_monotonicity",
    "check_per_capita",
    "check_plugin_order",
    "check_properties",
    "check_vetoes",
    "property_test",
    "scaled",
    "select_properties",
]

#: The properties :func:`check_properties` knows, in the order it checks them.
PROPERTIES: Final = (
    "bounds",
    "explanations",
    "vetoes",
    "fact_order",
    "plugin_order",
    "determinism",
    "monotonicity",
    "isolation",
    "per_capita",
)

# --------------------------------------------------------------------------- the battery


@attrs.frozen
class PropertyRun:
    """What :func:`check_properties` did: examples run, comparisons per property, notes.

    ``checks`` counts, per property, the comparisons that could have failed (a vetoed team
    checked, an indicator compared before and after one more fact, …): a property with 0 was
    never exercised by the generated teams. ``notes`` say what was skipped and why.
    """

    examples: int
    checks: dict[str, int]
    notes: tuple[str, ...]

    def __str__(self) -> str:
        counts = ", ".join(f"{name} {count}" for name, count in self.checks.items())
        text = f"{self.examples} examples; checks: {counts}"
        return text + "".join(f"\n  {note}" for note in self.notes)


#: The properties that compare a report's JSON with another's.
_COMPARED: Final = frozenset({"fact_order", "plugin_order", "determinism"})


def select_properties(properties: Collection[str] | None) -> tuple[str, ...]:
    """The property names asked for (all of them for ``None``), checked with did-you-mean."""
    if properties is None:
        return PROPERTIES
    if isinstance(properties, str):
        raise TypeError("properties must be a collection of property names, not one string")
    for name in properties:
        if name not in PROPERTIES:
            raise ValueError(
                f"unknown property {name!r}{did_you_mean(str(name), PROPERTIES)}; the properties"
                f" are {', '.join(PROPERTIES)}"
            )
    return tuple(p for p in PROPERTIES if p in properties)


def check_properties(
    subject: Sequence[object] | Engine | Rubric,
    *,
    max_examples: int = 50,
    matcher: MatcherName = "python",
    properties: Collection[str] | None = None,
    per_capita: Collection[str] | None = None,
    min_teams: int = 1,
    max_teams: int = 4,
    hash_seeds: Sequence[str] = ("0", "4242"),
    settings: hypothesis.settings | None = None,
) -> PropertyRun:
    """Check the properties on teams generated for the rubric; raise on the first violation.

    :param subject: the rule set: its plugin modules (or ``(name, plugin)`` pairs: only these
        are registered, not the installed entry points), an :class:`~assessment_engine.Engine`
        (its entry-point plugins are loaded again for the plugin-order property) or a
        :class:`~assessment_engine.rubric.Rubric`.
    :param max_examples: how many fact sets Hypothesis generates.
    :param matcher: the matcher of the engines built here (``"python"`` is fastest; both give
        identical results).
    :param properties: the names to check (default: all of :data:`PROPERTIES`).
    :param per_capita: the indicators or parts held to the per-capita property; by default
        those that read only ``per_capita(...)`` quantities.
    :param min_teams: fewest teams per generated fact set.
    :param max_teams: most teams per generated fact set.
    :param hash_seeds: hash seeds of the fresh processes of the determinism property.
    :param settings: Hypothesis settings to start from (``max_examples`` and ``deadline=None``
        are applied on top).
    :raises AssertionError: naming the property, the team and the indicator, with Hypothesis'
        smallest falsifying example attached as a note.
    """
    chosen = select_properties(properties)
    if isinstance(max_examples, bool) or not isinstance(max_examples, int) or max_examples < 1:
        raise ValueError(f"max_examples must be a positive integer, got {max_examples!r}")
    opened = Subject.of(subject, matcher)
    try:
        return _run(
            opened, chosen, max_examples, per_capita, min_teams, max_teams, hash_seeds, settings
        )
    finally:
        opened.close()


def _run(
    subject: Subject,
    chosen: tuple[str, ...],
    max_examples: int,
    per_capita: Collection[str] | None,
    min_teams: int,
    max_teams: int,
    hash_seeds: Sequence[str],
    base: hypothesis.settings | None,
) -> PropertyRun:
    engine = subject.engine
    rubric = engine.rubric
    units = per_capita_targets(rubric, per_capita)
    counts: dict[str, int] = dict.fromkeys(chosen, 0)
    notes: list[str] = []
    others: list[tuple[Engine, list[object]]] = []
    if "plugin_order" in chosen:
        if subject.plugins is None:
            notes.append(
                "plugin_order: the plugins are not known (an engine built from a rubric"
                " or with plugins given explicitly): only the rubric's own order checked"
            )
        else:
            for order in plugin_orders(len(subject.plugins), None):
                permuted = [subject.plugins[i] for i in order]
                other = subject.build(permuted)
                same_rubric(subject, engine, other, permuted)
                counts["plugin_order"] += 1
                others.append((other, permuted))
    if "per_capita" in chosen and not units:
        notes.append("per_capita: no indicator or part reads only per-capita quantities")
    largest: list[list[Fact]] = [[]]
    examples = [0]

    def one(items: list[Fact], data: st.DataObject) -> None:
        examples[0] += 1
        if len(items) > len(largest[0]):
            largest[0] = items
        report = engine.assess(items)
        if "bounds" in chosen:
            counts["bounds"] += check_bounds(engine, items, report=report)
        if "explanations" in chosen:
            counts["explanations"] += check_explanations(engine, items, report=report)
        if "vetoes" in chosen:
            counts["vetoes"] += check_vetoes(engine, items, report=report)
        # the report's JSON, serialised once for the properties that compare with it
        expected = report.to_json() if _COMPARED.intersection(chosen) else ""
        if "fact_order" in chosen:
            shuffled = data.draw(st.permutations(items), label="shuffled facts")
            counts["fact_order"] += check_fact_order(
                engine, items, shuffled, report=report, expected=expected
            )
        if "plugin_order" in chosen:
            for other, order in others:
                got = other.assess(items)
                if got.to_json() != expected:
                    raise fail(
                        "plugin_order",
                        f"registering the plugins as {subject.plugin_names(order)} changed the"
                        " report: " + report_difference(report, got),
                    )
                counts["plugin_order"] += 1
        if "determinism" in chosen:
            again = engine.assess(items)
            if again.to_json() != expected:
                raise fail(
                    "determinism",
                    "the same engine gave another report for the same facts: "
                    + report_difference(report, again),
                )
            counts["determinism"] += 1
        if "monotonicity" in chosen or "isolation" in chosen:
            team_ids = sorted({f.team for f in items if isinstance(f, Team)})
            for n in range(4):  # each alone: two facts of any kind, two crossing a threshold
                drawn: Fact | None
                if n < 2:
                    # drawn from the facts, never from results: draws must not depend on them
                    team = data.draw(st.sampled_from(team_ids), label="team")
                    drawn = data.draw(
                        fact_strategy(rubric, team=team, period=report.period), label="fact"
                    )
                else:
                    drawn = data.draw(crossing_facts(rubric, items), label="crossing")
                if not isinstance(drawn, Record):
                    continue
                extra = attrs.evolve(drawn, id=f"kit.extra{n}")
                after = with_fact(engine, items, extra)
                if "monotonicity" in chosen:
                    counts["monotonicity"] += check_monotonicity(
                        engine, items, extra, report=report, after=after
                    )
                if "isolation" in chosen:
                    counts["isolation"] += check_isolation(
                        engine, items, extra, report=report, after=after
                    )
        if "per_capita" in chosen and units:
            factor = data.draw(st.sampled_from((2, 3)), label="factor")
            counts["per_capita"] += check_per_capita(
                engine, items, factor=factor, units=[u.id for u in units], report=report
            )

    options = hypothesis.settings(
        base,
        max_examples=max_examples,
        deadline=None,
        report_multiple_bugs=False,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            HealthCheck.large_base_example,
        ],
    )
    strategy = team_strategy(rubric, min_size=min_teams, max_size=max_teams)
    run = hypothesis.given(items=strategy, data=st.data())(one)
    options(run)()
    if "determinism" in chosen and largest[0]:
        counts["determinism"] += determinism(subject, largest[0], hash_seeds, notes)
    return PropertyRun(examples[0], counts, tuple(notes))


def property_test(
    name: str, subject: Sequence[object] | Engine | Rubric, **options: Any
) -> Callable[[], None]:
    """A test function that checks one property, for a test module.

    ``test_vetoes = property_test("vetoes", [my_plugin])`` collects as ``test_vetoes``;
    ``options`` are those of :func:`check_properties` (``max_examples``, ``per_capita``, …).
    """
    (prop,) = select_properties([name])

    def test() -> None:
        check_properties(subject, properties=[prop], **options)

    test.__name__ = test.__qualname__ = f"test_{prop}"
    test.__doc__ = f"The rule set holds the property {prop!r} on generated teams."
    return test
