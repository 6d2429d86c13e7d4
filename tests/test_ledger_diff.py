"""Comparing runs: the example institute's 2023 and 2024, two rubric versions of one period, and
both at once; every move explained; PSI by hand; changes since the previous final run."""

from __future__ import annotations

import math
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

pytest.importorskip("sqlalchemy")

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # --import-mode=importlib: make the sibling module importable
    sys.path.insert(0, str(HERE))

from assessment_engine import Engine  # noqa: E402
from assessment_engine.ledger import (  # noqa: E402
    Ledger,
    RunDiff,
    TeamChange,
    population_stability_index,
)
from assessment_engine.ledger._diff import cause_of  # noqa: E402
from assessment_engine.rubric import Rubric, Weight  # noqa: E402
from ledger_support import tiny_facts, tiny_rubric  # noqa: E402

EXAMPLES = HERE.parent / "examples"
ZERO = Decimal(0)


@pytest.fixture(scope="module")
def years(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Ledger, Engine]]:
    """A ledger with the institute's 2023 and 2024 recorded (runs 1 and 2)."""
    engine = Engine(block=["food_institute"], matcher="python")
    ledger = Ledger.open(tmp_path_factory.mktemp("ledger") / "institute.db", create=True)
    for year in ("2023", "2024"):
        path = EXAMPLES / f"institute-{year}.json"
        ledger.record(engine, engine.load_facts(path), author="考核办", sources=[path])
    yield ledger, engine
    ledger.close()
    engine.close()


def _weighted(rubric: Rubric, dimension: str, weight: str) -> Rubric:
    """The rubric with one dimension's weight changed (another rubric version)."""
    weights = [
        Weight(dimension=w.dimension, weight=Decimal(weight)) if w.dimension == dimension else w
        for w in rubric.weights
    ]
    return Rubric.build(
        fact_types=list(rubric.fact_types.values()),
        dimensions=rubric.dimensions,
        indicators=rubric.indicators,
        rules=[*rubric.bonuses, *rubric.penalties, *rubric.vetoes, *rubric.titles, *rubric.quotas],
        grade_scales=rubric.grade_scales,
        weights=weights,
        ranking=rubric.ranking,
    )


def _explains_every_move(diff: RunDiff) -> None:
    """The invariants that make the diff an explanation, for every team."""
    for team in diff.teams:
        assert isinstance(team, TeamChange)
        if team.presence != "both":
            continue
        if team.rank_before is not None and team.rank_after is not None:
            moved = team.rank_after - team.rank_before
            assert moved == (
                len(team.overtaken_by)
                + len(team.entered_above)
                - len(team.overtook)
                - len(team.left_above)
            ), team.team
        if team.composite_change:
            assert team.dimensions, team.team
            contributions = sum(
                (d.contribution_after - d.contribution_before for d in team.dimensions), ZERO
            )
            assert contributions == team.composite_change, team.team
        for dim in team.dimensions:
            own = [i for i in team.items if i.dimension == dim.id]
            if dim.score_before != dim.score_after:
                assert own, (team.team, dim.id)
            elif dim.weight_before == dim.weight_after and dim.grade_before == dim.grade_after:
                assert own, (team.team, dim.id)  # listed only for a change of its items
        for item in team.items:
            assert item.cause != "unattributed"
        assert team.explain().startswith(f"{team.team} ")


def test_2023_and_2024_compared_and_every_move_explained(years: tuple[Ledger, Engine]) -> None:
    ledger, _ = years
    diff = ledger.diff(1, 2)
    assert (diff.period_a, diff.period_b, diff.facts_changed, diff.rubric_changed) == (
        "2023",
        "2024",
        True,
        False,
    )
    assert diff.bridge == "one rubric: every change comes from the facts"
    _explains_every_move(diff)
    assert len(diff.changed_teams) == 11
    for team in diff.teams:
        assert {team.rank_cause, team.composite_cause} <= {"facts", "none"}
    biz = diff["plastic-biz"]
    assert (biz.rank_before, biz.rank_after, biz.rank_change) == (3, 1, 2)
    assert (biz.composite_before, biz.composite_after) == (Decimal("78.55"), Decimal("96.5"))
    assert biz.titles_gained == ("title.advanced",)
    assert biz.overtook == ("food-chem",)
    assert biz.left_above == ("build-waterproof",)  # vetoed in 2024
    develop = next(i for i in biz.items if i.id == "pb.develop")
    assert (develop.before, develop.after, develop.cause) == (3, 12, "facts")
    assert {r.id for r in develop.facts_in} == {"m04", "m06", "m07", "m08"}
    waterproof = diff["build-waterproof"]
    assert (waterproof.rank_before, waterproof.rank_after) == (2, None)
    assert waterproof.vetoes_after
    assert not waterproof.vetoes_before
    text = diff.text()
    assert "plastic-biz 塑化所业务室: rank 3 → 1 (+2, facts)" in text
    assert "stability:" in text


def test_two_rubric_versions_of_one_period(years: tuple[Ledger, Engine]) -> None:
    ledger, engine = years
    heavier = _weighted(engine.rubric, "bp", "0.6")
    with Engine.from_rubric(heavier, matcher="python") as other:
        run = ledger.record(other, ledger.facts(2), author="考核办", note="bp weighs 0.6")
    diff = ledger.diff(2, run)
    assert not diff.facts_changed
    assert diff.rubric_changed
    assert diff.bridge == "the same facts: every change comes from the rubric"
    assert [(c.section, c.id, c.change) for c in diff.rubric_changes] == [
        ("weights", "bp", "changed")
    ]
    # a rubric built directly (Engine.from_rubric) has no plugins behind it
    assert len(diff.plugin_changes) == len(engine.plugins)
    assert all(c.endswith("is no longer registered") for c in diff.plugin_changes)
    _explains_every_move(diff)
    for team in diff.changed_teams:
        assert team.composite_cause in ("rubric", "none")
        assert team.items == ()  # no indicator moved: only the weight
        (bp,) = team.dimensions
        assert (bp.weight_before, bp.weight_after, bp.cause) == (
            Decimal("0.5"),
            Decimal("0.6"),
            "rubric",
        )


def test_facts_and_rubric_both_changed_are_told_apart(years: tuple[Ledger, Engine]) -> None:
    ledger, engine = years
    heavier = _weighted(engine.rubric, "bp", "0.6")
    with Engine.from_rubric(heavier, matcher="python") as other:
        run = ledger.record(other, engine.load_facts(EXAMPLES / "institute-2024.json"), author="x")
    diff = ledger.diff(1, run)  # 2023 under the old rubric → 2024 under the new
    assert diff.facts_changed
    assert diff.rubric_changed
    assert diff.bridge.startswith("run 1's facts assessed under run")
    _explains_every_move(diff)
    causes = {t.composite_cause for t in diff.teams}
    assert "both" in causes
    for team in diff.teams:
        for item in team.items:  # the weight moves no indicator: its points move with the facts
            assert item.cause == ("facts" if item.change else "none")
        for dim in team.dimensions:
            if dim.id == "bp" and dim.score_before != dim.score_after:
                assert dim.cause == "both"
            if dim.id != "bp":
                assert dim.cause in ("facts", "none")


def test_cause_of() -> None:
    assert cause_of(1, 1, 2) == "facts"
    assert cause_of(1, 2, 2) == "rubric"
    assert cause_of(1, 2, 3) == "both"
    assert cause_of(1, 2, 1) == "both"  # each moved it; they cancel
    assert cause_of(1, 1, 1) == "none"
    assert cause_of(1, None, 2, bridge=False) == "unattributed"


# --------------------------------------------------------------------------- stability
def _psi_by_hand(p: list[float], q: list[float]) -> float:
    return sum((b - a) * math.log(b / a) for a, b in zip(p, q, strict=True))


def test_psi_matches_the_formula_with_smoothed_shares() -> None:
    before = [Decimal(v) for v in (1, 1, 1, 2, 2, 3, 3, 3, 3, 3)]
    after = [Decimal(v) for v in (1, 2, 2, 2, 2, 3, 3, 3, 3, 3)]
    value, bins = population_stability_index(before, after)
    assert bins == 2  # 10 teams: at most 2 bins (one per 5 teams)
    # the pooled distinct values are 1, 2, 3: more than 2, so quantile cuts: (−∞, 2], (2, ∞)
    p = [(5 + 0.5) / 11, (5 + 0.5) / 11]
    q = [(5 + 0.5) / 11, (5 + 0.5) / 11]
    assert value == pytest.approx(_psi_by_hand(p, q)) == 0
    many_before = [Decimal(v % 3) for v in range(30)]  # 10 × 0, 1, 2
    many_after = [Decimal(2)] * 30
    value, bins = population_stability_index(many_before, many_after)
    assert bins == 3  # three distinct values, each its own bin
    p = [(10 + 0.5) / 31.5] * 3
    q = [0.5 / 31.5, 0.5 / 31.5, 30.5 / 31.5]
    assert value == pytest.approx(_psi_by_hand(p, q))
    assert value > 0.25
    assert population_stability_index(many_before, many_before)[0] == 0
    assert population_stability_index([], many_after) == (0.0, 0)


def test_stability_flags_shifts_and_counts_rank_changes(years: tuple[Ledger, Engine]) -> None:
    ledger, _ = years
    same = ledger.stability(2, 2)
    assert same.flagged == ()
    assert same.composite.psi == 0
    assert (same.ranks.moved, same.ranks.correlation) == (0, pytest.approx(1.0))
    result = ledger.stability(1, 2)
    assert result.ranks.teams == 10  # build-waterproof is vetoed in 2024
    assert result.ranks.left == 1
    assert result.ranks.entered == 0
    assert sum(n for _, n in result.ranks.distribution) == 10
    assert dict(result.ranks.distribution)[2] == 3
    composites = [[a.composite for a in ledger.report(r)] for r in (1, 2)]
    assert result.composite.psi == population_stability_index(*composites)[0]
    assert result.composite.flagged  # 2024 is a much better year for nearly every team
    assert all(s.psi >= 0.1 for s in result.flagged)
    assert result.flagged[0].psi == max(s.psi for s in (result.composite, *result.indicators))


# --------------------------------------------------------------------------- since the last final
def test_changes_since_the_previous_final_run(tmp_path: Path) -> None:
    with (
        Ledger.open(tmp_path / "l.db", create=True) as ledger,
        Engine.from_rubric(tiny_rubric(), matcher="python") as engine,
    ):
        first = ledger.record(engine, tiny_facts("2023", {"t1": 5, "t2": 3, "t3": 1}), author="a")
        current = ledger.record(engine, tiny_facts("2024", {"t1": 1, "t2": 3, "t4": 4}), author="a")
        none_yet = ledger.changes_since_previous_final(current)
        assert none_yet.previous is None
        assert all(t.new for t in none_yet)
        ledger.publish(first, author="a")
        ledger.finalize(first, author="a")
        since = ledger.changes_since_previous_final(current)
        assert since.previous is not None
        assert since.previous.id == first.id
        t1, t4 = since["t1"], since["t4"]
        assert (t1.rank_before, t1.rank_after, t1.rank_change) == (1, 3, -2)
        assert (t1.composite_before, t1.composite_after, t1.composite_change) == (10, 2, -8)
        assert (t1.grade_before, t1.grade_after) == (None, None)  # no composite scale
        assert t1.dimension_grades_before == (("cv", "优秀 (excellent)"),)
        assert t1.dimension_grades_after == (("cv", "合格 (pass)"),)
        assert t4.new
        assert t4.rank_before is None
        assert t4.composite_change is None
        with Engine.from_rubric(tiny_rubric(), matcher="python") as other:
            unrecorded = other.assess(tiny_facts("2025", {"t1": 5}))
        later = ledger.changes_since_previous_final(unrecorded)
        assert later.run is None
        assert later.previous is not None
        assert later.previous.id == first.id  # 2024 has no final run
        assert later["t1"].rank_change == 0
        assert ledger.changes_since_previous_final(current, previous_period="2022").previous is None
        assert attrs.has(type(t1))
