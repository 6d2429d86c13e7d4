"""The durable-rules envelope (``_matcher/durable.py``): every guard it promises, checked.

Four groups, following ``research/durable-rules.md`` §10:

1. **sessions and ids** — the FNV-1a-32 hash, the sid pool and the record ids never collide;
2. **compile-time limits** — rubrics outside the envelope are refused with
   :class:`MatcherLimitError` naming the rule, run fine on the plain matcher, and (in a child
   process) the raw durable-rules equivalent really fails;
3. **crash-prone scenarios** — each in a child process (``tests/durable_scenarios/``), so a
   segfault, an abort or a hang fails one test instead of killing pytest;
4. **exact encoding** — durable-rules and the plain matcher give identical masks on generated
   clusters and records (Hypothesis), plus the edge cases by name; a state machine checks that
   no session slot ever leaks.
"""

from __future__ import annotations

import faulthandler
import json
import resource
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    precondition,
    rule,
)

from assessment_engine import Activity, Engine, Incident, MatcherError, MatcherLimitError, Team
from assessment_engine._matcher import _encoding, durable
from assessment_engine._matcher.base import And, Atom, Cluster, Expr, Or, Property, Record, Rule
from assessment_engine._matcher.durable import (
    BATCH_SIZE,
    LIMITS,
    DurableMatcher,
    SidPool,
    check_cluster,
    fnv1a_32,
)
from assessment_engine._matcher.python import PythonMatcher
from assessment_engine._pipeline._plan import TeamCluster
from assessment_engine.rubric import (
    AllOf,
    AnyOf,
    Band,
    Bands,
    Condition,
    Count,
    Dimension,
    Indicator,
    PerItem,
    Rubric,
    Total,
    Veto,
    facts,
)
from assessment_engine.rubric.conditions import Phase

SCENARIOS = Path(__file__).parent / "durable_scenarios" / "scenarios.py"
COLLIDING = ("team-549599", "team-712382")  # research note §3.3
MEMORY_LIMIT = 4 * 1024**3  # a runaway child fails alone instead of exhausting the machine
WATCHDOG_SECONDS = 120  # no test here takes a tenth of that; a hang in-process takes forever

# --------------------------------------------------------------------------- helpers


def _limit_memory() -> None:  # pragma: no cover - runs in the child before exec
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_child(*args: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    """Run one scenario of ``durable_scenarios/scenarios.py`` in a fresh interpreter."""
    return subprocess.run(
        [sys.executable, str(SCENARIOS), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=_limit_memory,
        check=False,
    )


def scenario(*args: str, timeout: float = 90) -> dict[str, Any]:
    """A scenario's JSON result; the child must exit normally (a crash fails the test)."""
    proc = run_child(*args, timeout=timeout)
    assert proc.returncode == 0, (
        f"scenario {args} exited with {proc.returncode}"
        f" (negative: killed by signal {-proc.returncode})\n{proc.stderr[-4000:]}"
    )
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "error" not in result, result["error"]
    return result


def veto_rubric(when: Condition, *, extra: Sequence[Indicator] = ()) -> Rubric:
    """A one-dimension rubric whose veto ``cv.veto`` holds when ``when`` does."""
    return Rubric.build(
        dimensions=[Dimension(id="cv", label="精神文明 (civility)", max=100)],
        indicators=[
            Indicator(
                id="cv.study",
                dimension="cv",
                label="学习 (study)",
                max=10,
                scoring=PerItem(facts("activity", kind="study"), 1, cap=10),
            ),
            *extra,
        ],
        rules=[Veto(id="cv.veto", label="否决 (veto)", when=when, dimension="cv")],
    )


def late() -> Count:
    return Count(facts("incident", kind="late"))


def nested_groups(groups: int) -> Condition:
    """``groups`` all/any groups nested in one another, alternating, around late() >= 1."""
    condition: Condition = late().at_least(1)
    for i in range(groups):
        group = AnyOf if i % 2 == 0 else AllOf
        condition = group(late().at_least(i + 2), condition)
    return condition


def team_facts(team: str, *, lates: int = 0, studies: int = 0, **kinds: int) -> list[Any]:
    """A team with ``lates`` late incidents, ``studies`` study sessions, and other activities."""
    found: list[Any] = [
        Team(team=team, period="2024", name=f"班组 {team}", department="食品所", headcount=5)
    ]
    found += [Incident(team=team, period="2024", id=f"l{i}", kind="late") for i in range(lates)]
    found += [Activity(team=team, period="2024", id=f"s{i}", kind="study") for i in range(studies)]
    for kind, count in kinds.items():
        found += [
            Activity(team=team, period="2024", id=f"{kind}-{i}", kind=kind) for i in range(count)
        ]
    return found


def report_json(rubric: Rubric, facts_: list[Any], matcher: str) -> str:
    with Engine.from_rubric(rubric, matcher=matcher) as engine:  # type: ignore[arg-type]
        return engine.assess(facts_).to_json()


def vetoed(report: str) -> dict[str, bool]:
    return {t["team"]: bool(t["vetoes"]) for t in json.loads(report)["teams"]}


@pytest.fixture(autouse=True)
def watchdog() -> Iterator[None]:
    """Durable-rules hangs while holding the GIL: end the run with tracebacks, not never."""
    faulthandler.dump_traceback_later(WATCHDOG_SECONDS, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


@pytest.fixture
def make_matcher() -> Iterator[Callable[..., DurableMatcher]]:
    """``make_matcher(clusters, batch_size=...)``: a prepared durable matcher, closed after."""
    made: list[DurableMatcher] = []

    def make(clusters: Sequence[Cluster], **options: Any) -> DurableMatcher:
        matcher = DurableMatcher(**options)
        made.append(matcher)
        matcher.prepare(clusters)
        return matcher

    yield make
    for matcher in made:
        matcher.close()


# --------------------------------------------------------------------------- 1. sessions and ids


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0x811C9DC5),
        ("a", 0xE40C292C),
        ("b", 0xE70C2DE5),
        ("fo", 0x6222E842),
        ("foo", 0xA9F37ED7),
        ("foob", 0x3F5076EF),
        ("fooba", 0x39AAA18A),
        ("foobar", 0xBF9CF968),
        ("chongo was here!\n", 0xD49930D5),
    ],
)
def test_fnv1a_32_matches_the_published_test_vectors(text: str, expected: int) -> None:
    assert fnv1a_32(text) == expected


def test_the_research_notes_colliding_team_ids_collide_in_fnv1a_32() -> None:
    first, second = COLLIDING
    assert first != second
    assert fnv1a_32(first) == fnv1a_32(second)


def test_sid_pool_names_and_their_state_ids_are_pairwise_collision_free() -> None:
    pool = SidPool()
    assert len(pool.slots) == 1024
    names = list(pool.slots) + [f"sid-{s}" for s in pool.slots]  # durable's state document ids
    assert all(n.isascii() for n in names)  # durable hashes signed chars: same only for ASCII
    assert len({fnv1a_32(n) for n in names}) == len(names) == 2048


def test_record_ids_and_the_sentinel_are_collision_free_and_apart_from_state_ids() -> None:
    pool = SidPool()
    state_ids = {fnv1a_32(f"sid-{s}") for s in pool.slots}
    for batch in (BATCH_SIZE, 4096):  # the default and the largest batch a matcher accepts
        ids = [str(i) for i in range(batch)] + [durable._SENTINEL_RULE]
        hashes = {fnv1a_32(i) for i in ids}
        assert len(hashes) == len(ids)
        assert not hashes & state_ids
        durable._check_record_ids(batch, pool)  # the matcher's own check agrees


def test_sid_pool_refuses_the_1025th_session_and_reuses_released_slots() -> None:
    pool = SidPool()
    taken = [pool.acquire() for _ in range(1024)]
    assert len(set(taken)) == 1024
    assert pool.live == 1024
    with pytest.raises(MatcherError, match="1024"):
        pool.acquire()
    pool.release(taken[17])
    assert pool.live == 1023
    assert pool.acquire() == taken[17]
    for slot in taken:
        pool.release(slot)
    assert pool.live == 0
    with pytest.raises(ValueError, match="not live"):
        pool.release(taken[0])  # already free
    with pytest.raises(ValueError, match="not live"):
        pool.release("team-549599")  # never a slot


def test_a_retired_slot_is_never_handed_out_again() -> None:
    pool = SidPool(size=2)
    first = pool.acquire()
    pool.retire(first)
    assert pool.live == 0
    assert pool.acquire() != first
    with pytest.raises(MatcherError):
        pool.acquire()  # the retired slot does not come back
    with pytest.raises(ValueError, match="not live"):
        pool.release(first)


def test_team_ids_never_become_session_ids(make_matcher: Callable[..., DurableMatcher]) -> None:
    cluster = Cluster(1, "s", (Property("kind", "text"),), (Rule("r", Atom(0, "==", "a")),))
    matcher = make_matcher([cluster])
    sids: list[str] = []
    post = matcher._host.post
    matcher._host.post = lambda rs, message: (sids.append(message["sid"]), post(rs, message))[1]
    matcher.match(cluster, [(t,) for t in COLLIDING])
    assert set(sids) <= set(matcher._pool.slots)


# --------------------------------------------------------------------------- 2. compile-time limits


def test_fourteen_nested_groups_are_inside_the_envelope() -> None:
    rubric = veto_rubric(nested_groups(14))
    teams = [*team_facts("T1", lates=1), *team_facts("T2"), *team_facts("T3", lates=20)]
    durable_report = report_json(rubric, teams, "durable")
    assert durable_report == report_json(rubric, teams, "python")
    # the outermost group is an all-of that needs 15 late incidents
    assert vetoed(durable_report) == {"T1": False, "T2": False, "T3": True}


@pytest.mark.parametrize("groups", [15, 16, 20])
def test_more_nested_groups_are_refused_naming_the_rule(groups: int) -> None:
    rubric = veto_rubric(nested_groups(groups))
    with pytest.raises(MatcherLimitError) as info:
        Engine.from_rubric(rubric, matcher="durable")
    error = info.value
    assert error.limit == "logical operators per condition"
    assert error.subject is not None
    assert "cv.veto" in error.subject
    assert "cv.veto" in str(error)
    assert error.value == groups + 1  # the cluster test adds one $and
    assert error.maximum == LIMITS["logical operators per condition"] == 15
    # the envelope is durable-rules', not the rubric's
    teams = [*team_facts("T1", lates=30), *team_facts("T2", lates=1)]
    assert vetoed(report_json(rubric, teams, "python")) == {"T1": True, "T2": False}


@pytest.mark.subprocess
def test_durable_itself_refuses_sixteen_logical_groups() -> None:
    assert scenario("raw_nested", "15") == {"created": True}
    refused = scenario("raw_nested", "16")
    assert refused["created"] is False
    assert "error code: 113" in refused["refused"]


def test_constants_needing_a_scale_beyond_64_bits_are_refused() -> None:
    hours = Total(facts("activity", kind="volunteer"), "hours")
    rubric = veto_rubric(
        late().at_least(99),
        extra=[
            Indicator(
                id="cv.vol",
                dimension="cv",
                label="志愿 (volunteer)",
                max=5,
                scoring=Bands(
                    hours,
                    [Band.at_least("100000000000000", 5), Band.at_least("0.000000000000000001", 1)],
                ),
            )
        ],
    )
    with pytest.raises(MatcherLimitError) as info:
        Engine.from_rubric(rubric, matcher="durable")
    assert info.value.limit == "integer magnitude"
    assert info.value.subject is not None
    assert "cv.vol" in info.value.subject
    assert info.value.value > LIMITS["integer magnitude"]
    teams = [
        *team_facts("T1"),
        Activity(team="T1", period="2024", id="v", kind="volunteer", hours=Decimal("0.5")),
        *team_facts("T2"),
    ]
    points = {
        t["team"]: t["dimensions"][0]["indicators"]
        for t in json.loads(report_json(rubric, teams, "python"))["teams"]
    }
    vol = {
        team: next(i["points"] for i in ind if i["id"] == "cv.vol") for team, ind in points.items()
    }
    assert vol == {"T1": "1", "T2": "0"}


@pytest.mark.subprocess
def test_durable_itself_saturates_integers_beyond_64_bits() -> None:
    # v >= 2**64 "holds" for v = 2**63 - 1: durable parses integers into 64 bits
    assert "max63" in scenario("raw_big_integers")["matched"]


def test_a_rule_reading_too_many_properties_is_refused() -> None:
    kinds = [f"k{i}" for i in range(124)]  # 124 numbers: 2 slots each, plus sid, id, k = 251
    when = AnyOf(*(Count(facts("activity", kind=k)).at_least(1) for k in kinds))
    rubric = veto_rubric(when)
    with pytest.raises(MatcherLimitError) as info:
        Engine.from_rubric(rubric, matcher="durable")
    assert info.value.limit == "properties per record"
    assert info.value.subject is not None
    assert "cv.veto" in info.value.subject
    teams = [*team_facts("T1", k77=1), *team_facts("T2")]
    assert vetoed(report_json(rubric, teams, "python")) == {"T1": True, "T2": False}


@pytest.mark.subprocess
def test_durable_itself_refuses_a_255th_property() -> None:
    assert scenario("raw_properties", "254")["stored"] is True
    refused = scenario("raw_properties", "255")
    assert refused["stored"] is False
    assert "error code: 302" in refused["refused"]


def either_of_pairs(pairs: int) -> Condition:
    """All of ``pairs`` any-of groups whose two alternatives can hold together."""
    return AllOf(
        *(
            AnyOf(
                Count(facts("activity", kind=f"a{i}")).at_least(1),
                Count(facts("activity", kind=f"b{i}")).at_least(1),
            )
            for i in range(pairs)
        )
    )


def test_combinations_of_any_of_groups_are_bounded() -> None:
    everything = {f"{x}{i}": 1 for i in range(9) for x in "ab"}
    teams = [*team_facts("T1", **everything), *team_facts("T2", a0=1)]
    inside = veto_rubric(either_of_pairs(8))  # 2**8 = 256 ways to hold
    assert report_json(inside, teams, "durable") == report_json(inside, teams, "python")
    outside = veto_rubric(either_of_pairs(9))  # 512
    with pytest.raises(MatcherLimitError) as info:
        Engine.from_rubric(outside, matcher="durable")
    assert info.value.limit == "simultaneous matches per condition"
    assert info.value.value == 512
    assert info.value.subject is not None
    assert "cv.veto" in info.value.subject
    assert vetoed(report_json(outside, teams, "python")) == {"T1": True, "T2": False}


@pytest.mark.subprocess
def test_durable_itself_reaches_a_rule_once_per_satisfied_path() -> None:
    # the reason for the limit: 10 two-way $or groups, one fact, 1024 matches
    assert scenario("raw_or_paths", "10") == {"matches": 1024}


class CountingList(list[Any]):
    """The matcher's match buffer, counting every matched record durable delivers."""

    delivered = 0

    def append(self, item: Any) -> None:
        matched = item[2]
        self.delivered += len(matched) if isinstance(matched, list) else 1
        super().append(item)


def test_number_inequalities_reach_their_rule_once_per_record() -> None:
    # Not(one_of(...)) on a number is an all-of of `!=`; each once was a two-way $or whose
    # alternatives both held, so 13 of them delivered 2**13 = 8192 matches per record.
    expr = And(tuple(Atom(0, "!=", Decimal(i)) for i in range(13)))
    cluster = Cluster(1, "s", (Property("n", "number"),), (Rule("r", expr),))
    matcher = DurableMatcher()
    matcher._found = buffer = CountingList()
    try:
        matcher.prepare([cluster])
        records = [(Decimal(100 + i),) for i in range(50)] + [(Decimal(3),), (None,)]
        assert matcher.match(cluster, records) == [1] * 50 + [0, 0]
        assert buffer.delivered == 50
    finally:
        matcher.close()


def test_clusters_outside_the_envelope_are_refused_before_durable_sees_them() -> None:
    number = (Property("n", "number"),)
    wide = Cluster(
        1, "s", number, tuple(Rule(f"r{i}", Atom(0, ">=", Decimal(i))) for i in range(61))
    )
    with pytest.raises(MatcherLimitError) as info:
        check_cluster(wide)
    assert info.value.limit == "comparisons per cluster"
    assert info.value.subject == "r0"
    nan = Cluster(1, "s", number, (Rule("nan", Atom(0, ">=", Decimal("NaN"))),))
    with pytest.raises(MatcherLimitError) as info:
        check_cluster(nan)
    assert info.value.subject == "nan"


def test_a_clusters_batch_shrinks_when_its_rules_can_hold_many_times() -> None:
    pairs = tuple(
        Or((Atom(2 * i, ">=", Decimal(0)), Atom(2 * i + 1, ">=", Decimal(0)))) for i in range(8)
    )
    props = tuple(Property(f"p{i}", "number") for i in range(16))
    cluster = Cluster(1, "s", props, (Rule("r", And(pairs)),))
    codec = check_cluster(cluster)
    assert codec.paths == 256
    assert codec.batch_size(BATCH_SIZE) * 256 <= _encoding.MATCHES_PER_SESSION
    simple = Cluster(
        2, "s", props[:1], tuple(Rule(f"r{i}", Atom(0, ">", Decimal(i))) for i in range(60))
    )
    assert check_cluster(simple).batch_size(BATCH_SIZE) == BATCH_SIZE


# --------------------------------------------------------------------------- 3. crash-prone runs


@pytest.mark.subprocess
def test_1500_teams_match_the_python_matcher() -> None:
    result = scenario("many_teams", "1500")
    assert result["equal"] is True
    assert result["teams"] == 1500
    assert result["vetoed"] > 0
    stats = result["stats"]
    assert stats["max_live"] == 1  # one session at a time, whatever the team count
    assert stats["largest_call"] > BATCH_SIZE  # several sessions for one cluster
    assert stats["sessions"] >= 2
    assert result["live_after"] == 0


@pytest.mark.subprocess
def test_durable_merges_sessions_whose_ids_collide() -> None:
    # the hazard: a fact asserted for one sid shows up in the other's session
    seen = scenario("raw_collision", *COLLIDING)["second_sees"]
    assert [f["team"] for f in seen] == [COLLIDING[0]]


@pytest.mark.subprocess
def test_teams_with_colliding_ids_are_assessed_independently() -> None:
    first, second = COLLIDING
    result = scenario("collision", first, second)
    together = result["together"]
    assert together["durable"] == together["python"]
    assert together["durable"][first] == result["first_alone"][first]
    assert together["durable"][second] == result["second_alone"][second]
    assert together["durable"][first]["vetoes"] == []
    assert [v["id"] for v in together["durable"][second]["vetoes"]] == ["cv.veto"]
    assert together["durable"][first]["composite"] != together["durable"][second]["composite"]


@pytest.mark.subprocess
def test_two_engines_in_one_process_do_not_interfere() -> None:
    alone_a = scenario("two_engines", "a")["a"]
    alone_b = scenario("two_engines", "b")["b"]
    both = scenario("two_engines", "both")
    assert len(alone_a) == len(alone_b) == 3
    assert both["a"] == alone_a
    assert both["b"] == alone_b
    assert alone_a != alone_b


@pytest.mark.subprocess
def test_repeated_assessments_release_their_memory() -> None:
    result = scenario("rss_assess", "30")
    samples = result["rss_kib"]
    assert len(samples) == 30
    assert result["records"] > BATCH_SIZE
    assert result["live"] == 0
    # after warm-up, 25 more rounds of real sessions (each ~9 KB per record if kept) stay flat
    growth = max(samples[5:]) - samples[4]
    assert growth < 8 * 1024, samples


@pytest.mark.subprocess
def test_closed_engines_free_their_rulesets() -> None:
    result = scenario("rss_engines", "200")
    assert result["handles"] > 0
    assert result["stale"] == ["Could not assert event, error code: 111"]
    samples = result["rss_kib"]
    assert len(samples) == 200
    growth = max(samples[20:]) - samples[19]
    assert growth < 16 * 1024, samples


@pytest.mark.subprocess
def test_durable_itself_hangs_on_an_empty_nested_all_of() -> None:
    # why the adapter folds AllOf() / AnyOf() away before durable sees them
    with pytest.raises(subprocess.TimeoutExpired):
        run_child("raw_empty_and", timeout=3)


@pytest.mark.parametrize("name", ["and-true", "or-true", "or-false", "false", "true"])
@pytest.mark.subprocess
def test_empty_groups_compile_to_something_durable_runs(name: str) -> None:
    # AllOf() always holds, AnyOf() never does; nested, they once reached durable as an
    # empty $and (the hang above)
    result = scenario("empty_groups", name, timeout=30)
    assert result["durable"] == result["python"] == EMPTY_GROUPS_VETOED[name]


EMPTY_GROUPS_VETOED = {  # teams T1 (1 late), T2 (none), T3 (7 late)
    "and-true": {"T1": True, "T2": False, "T3": True},
    "or-true": {"T1": True, "T2": True, "T3": True},
    "or-false": {"T1": True, "T2": False, "T3": False},
    "false": {"T1": False, "T2": False, "T3": False},
    "true": {"T1": True, "T2": True, "T3": True},
}


def test_records_matching_no_rule_are_not_an_error(
    make_matcher: Callable[..., DurableMatcher],
) -> None:
    props = (Property("n", "number"), Property("kind", "text"))
    rules = (Rule("big", Atom(0, ">=", Decimal(10))), Rule("a", Atom(1, "==", "a")))
    cluster = Cluster(1, "s", props, rules)
    matcher = make_matcher([cluster], batch_size=2)
    nothing = [(Decimal(1), "b"), (None, None), (Decimal(0), "zz")]  # "zz": text no rule names
    assert matcher.match(cluster, nothing) == [0, 0, 0]
    mixed = [(Decimal(1), "b"), (Decimal(11), "a"), (None, "a"), (Decimal(10), None), (None, None)]
    assert matcher.match(cluster, mixed) == [0, 3, 2, 1, 0]
    assert matcher.match(cluster, []) == []
    assert matcher._pool.live == 0


def test_engine_close_deletes_the_rulesets_and_a_closed_matcher_refuses_work() -> None:
    engine = Engine.from_rubric(veto_rubric(late().at_least(1)), matcher="durable")
    matcher: Any = engine._pipeline.matcher
    engine.assess(team_facts("T1", lates=2))
    assert matcher._host._ruleset_list
    cluster = engine._pipeline.plan.clusters()[0]
    engine.close()
    assert not matcher._host._ruleset_list
    assert not matcher._host._ruleset_directory
    with pytest.raises(MatcherError, match="closed"):
        matcher.match(cluster, [])
    with pytest.raises(MatcherError, match="closed"):
        matcher.prepare([])
    engine.close()  # idempotent


# --------------------------------------------------------------------------- 3g. error mapping


def simple_cluster(code: int = 1) -> Cluster:
    props = (Property("n", "number"),)
    return Cluster(code, "s", props, (Rule("r", Atom(0, ">", Decimal("0.5"))),))


def test_a_cluster_that_was_not_prepared_is_a_matcher_error(
    make_matcher: Callable[..., DurableMatcher],
) -> None:
    matcher = make_matcher([simple_cluster(1)])
    with pytest.raises(MatcherError, match="not prepared"):
        matcher.match(simple_cluster(2), [(Decimal(1),)])
    other = Cluster(1, "s", simple_cluster().properties, (Rule("x", Atom(0, "<", Decimal(3))),))
    with pytest.raises(MatcherError, match="differs"):
        matcher.match(other, [(Decimal(1),)])
    with pytest.raises(MatcherError, match="prepared twice"):
        matcher.prepare([simple_cluster(1)])
    assert matcher._pool.live == 0


def test_a_durable_error_code_is_mapped_and_the_session_cleaned_up(
    make_matcher: Callable[..., DurableMatcher], monkeypatch: pytest.MonkeyPatch
) -> None:
    cluster = simple_cluster()
    matcher = make_matcher([cluster])
    host = matcher._host
    ruleset = matcher._ruleset_of[cluster.code]
    deleted: list[str] = []
    real_delete = host.delete_state

    def failing_assert(*args: Any) -> Any:
        raise matcher._rules.error("Could not assert facts, error code: 303")

    def spying_delete(name: str, sid: str) -> None:
        deleted.append(sid)
        real_delete(name, sid)

    with monkeypatch.context() as patch:
        patch.setattr(host, "assert_facts", failing_assert)
        patch.setattr(host, "delete_state", spying_delete)
        with pytest.raises(MatcherError) as info:
            matcher.match(cluster, [(Decimal(1),), (Decimal(0),)])
    assert info.value.code == 303
    assert "303" in str(info.value)
    assert matcher._pool.live == 0
    assert len(deleted) == 1
    with pytest.raises(matcher._rules.error, match="error code: 309"):
        host.get_state(ruleset, deleted[0])  # the session is gone
    # the matcher is still usable, and the slot is reused
    assert matcher.match(cluster, [(Decimal(1),), (Decimal(0),)]) == [1, 0]
    assert matcher._pool.live == 0


@pytest.mark.parametrize("kind", ["memory", "observed"])
def test_other_durable_failures_become_matcher_errors(
    make_matcher: Callable[..., DurableMatcher], monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    cluster = simple_cluster()
    matcher = make_matcher([cluster])

    def failing(*args: Any) -> Any:
        if kind == "memory":
            raise MemoryError
        raise matcher._engine.MessageObservedException(args[-1])

    monkeypatch.setattr(matcher._host, "assert_facts", failing)
    with pytest.raises(MatcherError) as info:
        matcher.match(cluster, [(Decimal(1),)])
    assert info.value.code is None
    assert matcher._pool.live == 0


def test_a_session_that_failed_to_open_is_never_touched_again(
    make_matcher: Callable[..., DurableMatcher], monkeypatch: pytest.MonkeyPatch
) -> None:
    cluster = simple_cluster()
    matcher = make_matcher([cluster])
    host = matcher._host
    deleted: list[str] = []
    real_post, real_delete = host.post, host.delete_state
    monkeypatch.setattr(host, "delete_state", lambda n, s: (deleted.append(s), real_delete(n, s)))

    def half_open(*args: Any) -> Any:
        raise MemoryError  # what durable raises for a session it could not build

    monkeypatch.setattr(host, "post", half_open)
    with pytest.raises(MatcherError, match="memory"):
        matcher.match(cluster, [(Decimal(1),)])
    assert deleted == []  # deleting a half-built session can crash
    assert matcher._pool.live == 0
    monkeypatch.setattr(host, "post", real_post)
    assert matcher.match(cluster, [(Decimal(1),)]) == [1]
    assert len(deleted) == 1
    assert deleted[0] != "slot-0000"  # the suspect slot is retired


def test_a_record_that_cannot_be_encoded_fails_before_any_session_opens(
    make_matcher: Callable[..., DurableMatcher], monkeypatch: pytest.MonkeyPatch
) -> None:
    cluster = simple_cluster()
    matcher = make_matcher([cluster])
    posted: list[Any] = []
    monkeypatch.setattr(matcher._host, "post", lambda *a: posted.append(a))
    with pytest.raises((ValueError, OverflowError)):
        matcher.match(cluster, [(Decimal("NaN"),)])
    assert posted == []
    assert matcher._pool.live == 0


# --------------------------------------------------------------------------- 4. exact encoding


def python_record(record: Record) -> Record:
    """What a matcher receives for a record with ratio pairs: the plan's conversion."""
    slots = tuple(range(len(record)))
    team_cluster = TeamCluster(0, Phase.FACTS, Cluster(0, "x", (), ()), slots)
    return team_cluster.record(record if len(record) != 1 else record[0])


def both_masks(
    cluster: Cluster, records: Sequence[Record], *, batch_size: int = BATCH_SIZE
) -> tuple[list[int], list[int]]:
    matcher = DurableMatcher(batch_size=batch_size)
    try:
        matcher.prepare([cluster])
        converted = [python_record(r) for r in records]
        masks = matcher.match(cluster, converted)
        assert matcher._pool.live == 0
    finally:
        matcher.close()
    return masks, PythonMatcher().match(cluster, converted)


def single(prop_kind: str, expr: Expr, records: Sequence[object]) -> list[bool]:
    """Whether one rule holds for each one-property record, asserting both matchers agree."""
    cluster = Cluster(1, "s", (Property("v", prop_kind),), (Rule("r", expr),))  # type: ignore[arg-type]
    d, p = both_masks(cluster, [(r,) for r in records])
    assert d == p
    return [bool(m) for m in d]


HALF = Decimal("0.5")


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        (">=", (15, 30), True),
        (">=", (14, 30), False),
        (">=", Fraction(15, 30), True),
        (">=", (16, 30), True),
        (">", (15, 30), False),
        (">", (16, 30), True),
        (">", Decimal("0.5000000001"), True),
        ("<=", (15, 30), True),
        ("<", (15, 30), False),
        ("<", (14, 30), True),
        ("==", (15, 30), True),
        ("==", (16, 30), False),
        ("!=", (15, 30), False),
        ("!=", (16, 30), True),
        ("!=", (14, 30), True),
        ("==", None, False),
        ("!=", None, False),
        ("==", (1, 0), False),
        ("!=", (1, 0), False),
        (">=", (1, 0), False),
        ("<", (0, 0), False),
    ],
)
def test_edges_of_a_half(op: str, value: object, expected: bool) -> None:
    assert single("number", Atom(0, op, HALF), [value]) == [expected]  # type: ignore[arg-type]


def test_negative_numbers_and_huge_values_are_clamped_exactly() -> None:
    ladder = Or((Atom(0, ">=", Decimal("-1")), Atom(0, "<", Decimal("-1000.25"))))
    values = [
        Decimal("-0.5"),
        Decimal("-1"),
        Decimal("-1.5"),
        Decimal("-1000.25"),
        Decimal("-1000.26"),
    ]
    assert single("number", ladder, values) == [True, True, False, False, True]
    huge = [10**30, -(10**30), Decimal("1e40"), Fraction(-(10**50), 3)]
    assert single("number", Atom(0, ">=", Decimal(7)), huge) == [True, False, True, False]
    assert single("number", Atom(0, "<=", Decimal(-7)), huge) == [False, True, False, True]
    assert single("number", Atom(0, "!=", Decimal(7)), huge) == [True] * 4
    assert single("number", Atom(0, "==", Decimal(7)), huge) == [False] * 4


def test_text_no_rule_mentions_is_code_zero() -> None:
    values = ["a", "b", "zz", "", None]
    assert single("text", Atom(0, "==", "a"), values) == [True, False, False, False, False]
    assert single("text", Atom(0, "!=", "a"), values) == [False, True, True, True, False]
    assert single("flag", Atom(0, "!=", True), [True, False, None]) == [False, True, False]


def test_constants_that_are_not_decimals_are_exact() -> None:
    third = Fraction(1, 3)
    values = [third, Decimal("0.3333333333"), (1, 3), (2, 6), (34, 100)]
    assert single("number", Atom(0, "==", third), values) == [True, False, True, True, False]
    assert single("number", Atom(0, "<", third), values) == [False, True, False, False, False]


# generated clusters and records --------------------------------------------------------------

TEXTS = ("a", "b", "c", "甲")
CONSTANTS = st.one_of(
    st.decimals(min_value=-1000, max_value=1000, places=2),
    st.decimals(min_value=-10, max_value=10, places=0),
    st.builds(Fraction, st.integers(-300, 300), st.integers(1, 12)),
)


def atoms(kinds: Sequence[str], pools: dict[int, list[Any]]) -> st.SearchStrategy[Atom]:
    def atom(prop: int) -> st.SearchStrategy[Atom]:
        kind = kinds[prop]
        if kind == "number":
            ops = st.sampled_from(["==", "!=", ">=", ">", "<=", "<"])
            return st.builds(Atom, st.just(prop), ops, st.sampled_from(pools[prop]))
        values = st.sampled_from(TEXTS) if kind == "text" else st.booleans()
        return st.builds(Atom, st.just(prop), st.sampled_from(["==", "!="]), values)

    return st.integers(0, len(kinds) - 1).flatmap(atom)


def expressions(kinds: Sequence[str], pools: dict[int, list[Any]]) -> st.SearchStrategy[Expr]:
    def groups(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
        items = st.lists(children, max_size=3).map(tuple)
        return st.one_of(st.builds(And, items), st.builds(Or, items))

    return st.recursive(atoms(kinds, pools), groups, max_leaves=6)


@st.composite
def clusters(draw: st.DrawFn, *, max_rules: int = 5) -> Cluster:
    kinds = draw(st.lists(st.sampled_from(["number", "text", "flag"]), min_size=1, max_size=4))
    pools = {
        i: draw(st.lists(CONSTANTS, min_size=1, max_size=4))
        for i, kind in enumerate(kinds)
        if kind == "number"
    }
    exprs = draw(st.lists(expressions(kinds, pools), min_size=1, max_size=max_rules))
    properties = tuple(Property(f"p{i}", k) for i, k in enumerate(kinds))  # type: ignore[arg-type]
    return Cluster(
        draw(st.integers(1, 10**6)),
        "generated",
        properties,
        tuple(Rule(f"rule{i}", e) for i, e in enumerate(exprs)),
    )


def number_values(pool: list[Any]) -> st.SearchStrategy[object]:
    near = st.builds(
        lambda c, d: Fraction(c) + d,
        st.sampled_from(pool),
        st.sampled_from([Fraction(-1, 10**6), Fraction(1, 10**6), Fraction(1, 7), Fraction(-1, 3)]),
    )
    return st.one_of(
        st.none(),
        st.sampled_from(pool),  # exactly at a threshold
        st.sampled_from(pool).map(Fraction),
        near,
        st.decimals(min_value=-2000, max_value=2000, places=3),
        st.integers(-2000, 2000),
        st.sampled_from([10**30, -(10**30), Decimal("1e20"), Decimal("-1e-20")]),
        st.builds(Fraction, st.integers(-5000, 5000), st.integers(1, 60)),
        st.tuples(st.integers(-500, 500), st.integers(-30, 30)),  # a ratio (den may be 0)
        st.tuples(st.decimals(min_value=0, max_value=500, places=1), st.integers(0, 30)),
    )


def records(cluster: Cluster) -> st.SearchStrategy[list[Record]]:
    pools: dict[int, list[Any]] = {}
    for item in cluster.rules:
        for atom in _encoding.atoms(item.expr):
            pools.setdefault(atom.prop, []).append(atom.value)
    columns = []
    for i, prop in enumerate(cluster.properties):
        if prop.kind == "number":
            columns.append(number_values(pools.get(i, [Decimal(0)])))
        elif prop.kind == "text":
            columns.append(st.one_of(st.none(), st.sampled_from((*TEXTS, "zz", ""))))
        else:
            columns.append(st.one_of(st.none(), st.booleans()))
    return st.lists(st.tuples(*columns), max_size=25)


#: Limits a generated cluster may exceed (it is then discarded); any other refusal is a bug,
#: e.g. a constant the encoding cannot represent.
STRUCTURAL_LIMITS = {
    "logical operators per condition",
    "comparisons per cluster",
    "simultaneous matches per condition",
}


def _inside_envelope(cluster: Cluster) -> bool:
    try:
        check_cluster(cluster)
    except MatcherLimitError as exc:
        if exc.limit not in STRUCTURAL_LIMITS:
            raise
        return False
    return True


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), cluster=clusters(), batch_size=st.sampled_from([1, 4, BATCH_SIZE]))
def test_durable_and_python_masks_agree(
    data: st.DataObject, cluster: Cluster, batch_size: int
) -> None:
    assume(_inside_envelope(cluster))
    records_ = data.draw(records(cluster))
    durable_masks, python_masks = both_masks(cluster, records_, batch_size=batch_size)
    assert durable_masks == python_masks


def check_masks_agree(data: st.DataObject, cluster: Cluster) -> None:
    assume(_inside_envelope(cluster))
    records_ = data.draw(records(cluster))
    durable_masks, python_masks = both_masks(cluster, records_)
    assert durable_masks == python_masks


@pytest.mark.slow
def test_durable_and_python_masks_agree_at_length(request: pytest.FixtureRequest) -> None:
    if "slow" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("a long run: select it with -m slow")
    run = settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    run(given(data=st.data(), cluster=clusters(max_rules=12))(check_masks_agree))()


def test_a_full_cluster_at_the_limits_agrees() -> None:
    # 60 comparisons in 60 rules of one number: every record satisfies up to 60 tests at once
    props = (Property("n", "number"), Property("t", "text"))
    rules = tuple(Rule(f"r{i}", Atom(0, ">=" if i % 2 else "<", Decimal(i) / 4)) for i in range(58))
    rules += (Rule("t", Atom(1, "!=", "a")), Rule("true", And(())), Rule("false", Or(())))
    cluster = Cluster(3, "s", props, rules)
    assert _inside_envelope(cluster)
    values = [Decimal(i) / 8 for i in range(-4, 130)] + [None, 10**20, -(10**20)]
    records_ = [(v, t) for v in values for t in ("a", "b", None)]
    durable_masks, python_masks = both_masks(cluster, records_)
    assert durable_masks == python_masks
    assert any(bin(m).count("1") > 30 for m in durable_masks)


# --------------------------------------------------------------------------- 5. state machine


class MatcherMachine(RuleBasedStateMachine):
    """prepare / match / close in any order: answers agree and no session slot leaks."""

    prepared = Bundle("prepared")

    @initialize()
    def start(self) -> None:
        self.matcher = DurableMatcher(batch_size=3)
        self.next_code = 1
        self.closed = False

    @precondition(lambda self: not self.closed)
    @rule(target=prepared, cluster=clusters(max_rules=3))
    def prepare(self, cluster: Cluster) -> Cluster:
        assume(_inside_envelope(cluster))
        cluster = Cluster(self.next_code, cluster.stream, cluster.properties, cluster.rules)
        self.next_code += 1
        self.matcher.prepare([cluster])
        return cluster

    @rule(cluster=prepared, data=st.data())
    def match(self, cluster: Cluster, data: st.DataObject) -> None:
        records_ = [python_record(r) for r in data.draw(records(cluster))]
        if self.closed:
            with pytest.raises(MatcherError, match="closed"):
                self.matcher.match(cluster, records_)
            return
        expected = PythonMatcher().match(cluster, records_)
        assert self.matcher.match(cluster, records_) == expected

    @rule(cluster=consumes(prepared))
    def match_unprepared(self, cluster: Cluster) -> None:
        if self.closed:
            return
        unknown = Cluster(10**7 + cluster.code, cluster.stream, cluster.properties, cluster.rules)
        with pytest.raises(MatcherError, match="not prepared"):
            self.matcher.match(unknown, [])

    @rule()
    def close(self) -> None:
        self.matcher.close()
        self.closed = True

    @invariant()
    def no_live_session(self) -> None:
        if hasattr(self, "matcher"):
            assert self.matcher._pool.live == 0

    def teardown(self) -> None:
        if hasattr(self, "matcher"):
            self.matcher.close()


TestMatcherMachine = MatcherMachine.TestCase
TestMatcherMachine.settings = settings(
    max_examples=25,
    stateful_step_count=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
