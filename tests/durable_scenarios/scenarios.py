"""Crash-prone durable-rules scenarios, run in a child process by tests/test_durable_envelope.py.

``python scenarios.py NAME [ARGS...]`` runs one scenario and prints one JSON object on its last
line of output. A segfault, an abort or a hang then fails one test instead of killing pytest.

Two families:

* ``raw_*`` drive durable-rules directly (a private host without background threads, JSON
  rulesets) to show that a hazard the adapter avoids is real;
* the others go through the public API (``Engine.from_rubric``) with the durable matcher.
"""

from __future__ import annotations

import contextlib
import json
import random
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from assessment_engine import Activity, Engine, Incident, Member, Metric, Team
from assessment_engine.rubric import (
    AllOf,
    AnyOf,
    Band,
    Bands,
    Bonus,
    Count,
    Deduct,
    Deduction,
    Dimension,
    GradeBand,
    GradeScale,
    Indicator,
    Mean,
    Not,
    PerItem,
    Quota,
    Ratio,
    Rubric,
    Title,
    Total,
    Veto,
    WhenAll,
    exists,
    facts,
    per_capita,
)

SCENARIOS: dict[str, Callable[..., dict[str, Any]]] = {}


def scenario(func: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    SCENARIOS[func.__name__] = func
    return func


def rss_kib() -> int:
    """The resident set size of this process (VmRSS), in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")  # pragma: no cover


# --------------------------------------------------------------------------- rubrics and facts


def _acts(kind: str) -> Any:
    return facts("activity", kind=kind)


def rubric_a() -> Rubric:
    """Bands over ratios and per-capita values, a mean, deductions, a veto, titles, grades."""
    incidents = facts("incident", kind="late")
    return Rubric.build(
        dimensions=[
            Dimension(id="pb", label="党建 (party building)", max=100, bonus_cap=10),
            Dimension(id="cv", label="精神文明 (civility)", max=100),
        ],
        indicators=[
            Indicator(
                id="pb.study",
                dimension="pb",
                label="学习 (study)",
                max=10,
                scoring=PerItem(_acts("study_session"), 1, cap=10),
            ),
            Indicator(
                id="pb.ratio",
                dimension="pb",
                label="党员比例 (party ratio)",
                max=8,
                scoring=Bands(
                    Ratio(
                        Count(facts("member", party_status=("member", "probationary"))),
                        Count(facts("member")),
                    ),
                    [Band.at_least("0.5", 8), Band.at_least("0.3", 5), Band.at_least("0.1", 2)],
                ),
            ),
            Indicator(
                id="cv.vol",
                dimension="cv",
                label="志愿 (volunteer)",
                max=8,
                scoring=Bands(
                    per_capita(Total(_acts("volunteer"), "hours")),
                    [Band.at_least(3, 8), Band.at_least("1.5", 5), Band.above(0, 2)],
                ),
            ),
            Indicator(
                id="cv.sat",
                dimension="cv",
                label="满意度 (satisfaction)",
                max=10,
                scoring=Bands(
                    Mean(facts("metric", kind="satisfaction"), "value"),
                    [Band.above("4.5", 10), Band.at_least("4", 6), Band.at_least("3.25", 3)],
                ),
            ),
            Indicator(
                id="cv.disc",
                dimension="cv",
                label="纪律 (discipline)",
                max=15,
                scoring=Deduct(15, [Deduction("迟到 (late)", 1, select=incidents)]),
            ),
        ],
        rules=[
            Bonus(
                id="pb.bonus",
                dimension="pb",
                label="申请人 (applicants)",
                scoring=WhenAll(3, [Count(facts("member", party_status="applicant")).at_least(2)]),
            ),
            Veto(
                id="cv.veto",
                label="事故 (accident)",
                when=exists(facts("incident", kind="accident")),
                dimension="cv",
            ),
            Title(
                id="steady",
                label="稳定 (steady)",
                # Not(one_of) on a number: an all-of of `!=` tests
                when=AllOf(Not(Count(incidents).one_of(1, 2, 3, 4)), Count(incidents).below(9)),
            ),
            Title(id="red", label="红旗 (red flag)", when=AllOf(), quotas=("q10",)),
            Quota(id="q10", label="10%", share="0.1"),
        ],
        grade_scales=[
            GradeScale(
                id="overall",
                label="综合",
                bands=[
                    GradeBand(label="A", at_least=40),
                    GradeBand(label="B", at_least=25),
                    GradeBand(label="C"),
                ],
            )
        ],
    )


def rubric_b() -> Rubric:
    """A different rubric over the same kinds of facts (other thresholds, other selections)."""
    return Rubric.build(
        dimensions=[Dimension(id="ws", label="工作 (work)", max=50)],
        indicators=[
            Indicator(
                id="ws.study",
                dimension="ws",
                label="学习 (study)",
                max=20,
                scoring=Bands(
                    Count(_acts("study_session")),
                    [Band.at_least(8, 20), Band.above(3, 10), Band.at_least(1, 4)],
                ),
            ),
            Indicator(
                id="ws.sat",
                dimension="ws",
                label="满意度 (satisfaction)",
                max=20,
                scoring=Bands(
                    Mean(facts("metric", kind="satisfaction"), "value"),
                    [Band.at_least("4.9", 20), Band.above("2", 7)],
                ),
            ),
        ],
        rules=[
            Veto(
                id="ws.veto",
                label="迟到过多 (too often late)",
                when=Count(facts("incident", kind="late")).at_least(4),
                dimension="ws",
            ),
        ],
        grade_scales=[
            GradeScale(
                id="ws-grade",
                label="工作",
                bands=[GradeBand(label="好 (good)", at_least=20), GradeBand(label="差 (poor)")],
            )
        ],
    )


def team_facts(team: str, rng: random.Random, period: str = "2024") -> list[Any]:
    """One team's facts, drawn from ``rng`` (the same seed gives the same facts)."""
    headcount = rng.randint(3, 19)
    found: list[Any] = [
        Team(
            team=team, period=period, name=f"班组 {team}", department="食品所", headcount=headcount
        )
    ]
    statuses = ("member", "probationary", "applicant", "activist", "none")
    for i in range(rng.randint(0, headcount)):
        found.append(
            Member(team=team, period=period, id=f"m{i}", party_status=rng.choice(statuses))
        )
    for i in range(rng.randint(0, 12)):
        found.append(Activity(team=team, period=period, id=f"s{i}", kind="study_session"))
    for i in range(rng.randint(0, 4)):
        hours = Decimal(rng.randint(0, 400)) / 10
        found.append(Activity(team=team, period=period, id=f"v{i}", kind="volunteer", hours=hours))
    for i in range(rng.randint(0, 3)):
        value = Decimal(rng.randint(10, 50)) / 10
        found.append(Metric(team=team, period=period, id=f"q{i}", kind="satisfaction", value=value))
    for i in range(rng.choice((0, 0, 1, 2, 3, 4, 5))):
        found.append(Incident(team=team, period=period, id=f"l{i}", kind="late"))
    if rng.random() < 0.03:
        found.append(Incident(team=team, period=period, id="x", kind="accident"))
    return found


def many_facts(count: int, seed: int, prefix: str = "team-") -> list[Any]:
    rng = random.Random(seed)
    return [f for i in range(count) for f in team_facts(f"{prefix}{i}", rng)]


def assess_json(rubric: Rubric, facts_: list[Any], matcher: str) -> str:
    with Engine.from_rubric(rubric, matcher=matcher) as engine:  # type: ignore[arg-type]
        return engine.assess(facts_).to_json()


def team_view(report_json: str) -> dict[str, Any]:
    """Per team: the parts of its result that do not depend on the other teams assessed."""
    data = json.loads(report_json)
    return {
        t["team"]: {
            "dimensions": t["dimensions"],
            "composite": t["composite"],
            "vetoes": t["vetoes"],
            "grade": t["grade"],
        }
        for t in data["teams"]
    }


def spy_sessions(engine: Engine) -> dict[str, int]:
    """Count the sessions the engine's durable matcher opens, and the most live at once."""
    matcher: Any = engine._pipeline.matcher
    pool = matcher._pool
    stats = {"sessions": 0, "max_live": 0, "records": 0, "largest_call": 0}
    acquire, match = pool.acquire, matcher.match

    def counting_acquire() -> str:
        slot = acquire()
        stats["sessions"] += 1
        stats["max_live"] = max(stats["max_live"], pool.live)
        return slot

    def counting_match(cluster: Any, records: Any) -> list[int]:
        stats["records"] += len(records)
        stats["largest_call"] = max(stats["largest_call"], len(records))
        return match(cluster, records)  # type: ignore[no-any-return]

    pool.acquire = counting_acquire
    matcher.match = counting_match
    return stats


# --------------------------------------------------------------------------- public API scenarios


@scenario
def many_teams(count: str = "1500") -> dict[str, Any]:
    """More teams than durable's 1024 live sessions, more distinct records than one batch."""
    facts_ = many_facts(int(count), seed=1252)
    rubric = rubric_a()
    with Engine.from_rubric(rubric, matcher="durable") as engine:
        stats = spy_sessions(engine)
        durable = engine.assess(facts_).to_json()
        live_after = engine._pipeline.matcher._pool.live  # type: ignore[attr-defined]
    python = assess_json(rubric, facts_, "python")
    teams = json.loads(durable)["teams"]
    return {
        "equal": durable == python,
        "teams": len(teams),
        "vetoed": sum(1 for t in teams if t["vetoes"]),
        "stats": stats,
        "live_after": live_after,
    }


@scenario
def collision(first: str, second: str) -> dict[str, Any]:
    """Two teams whose ids collide in durable's 32-bit hash, assessed together and alone."""
    period = "2024"
    rich = [
        Team(team=first, period=period, name="甲", department="食品所", headcount=4),
        *(Member(team=first, period=period, id=f"m{i}", party_status="member") for i in range(3)),
        *(Activity(team=first, period=period, id=f"s{i}", kind="study_session") for i in range(7)),
        Activity(team=first, period=period, id="v", kind="volunteer", hours=Decimal(14)),
        Metric(team=first, period=period, id="q", kind="satisfaction", value=Decimal("4.75")),
    ]
    poor = [
        Team(team=second, period=period, name="乙", department="食品所", headcount=5),
        Member(team=second, period=period, id="m0", party_status="none"),
        Incident(team=second, period=period, id="l0", kind="late"),
        Incident(team=second, period=period, id="l1", kind="late"),
        Incident(team=second, period=period, id="x", kind="accident"),
    ]
    rubric = rubric_a()
    return {
        "together": {
            m: team_view(assess_json(rubric, rich + poor, m)) for m in ("durable", "python")
        },
        "first_alone": team_view(assess_json(rubric, rich, "durable")),
        "second_alone": team_view(assess_json(rubric, poor, "durable")),
    }


@scenario
def two_engines(mode: str) -> dict[str, Any]:
    """Engines A and B (different rubrics): alone, or both alive and used in turn."""
    batches = [many_facts(300, seed=s) for s in (1, 2, 3)]
    out: dict[str, list[str]] = {"a": [], "b": []}
    if mode in ("a", "b"):
        rubric = rubric_a() if mode == "a" else rubric_b()
        with Engine.from_rubric(rubric, matcher="durable") as engine:
            out[mode] = [engine.assess(b).to_json() for b in batches]
        return out
    a = Engine.from_rubric(rubric_a(), matcher="durable")
    b = Engine.from_rubric(rubric_b(), matcher="durable")
    try:
        for batch in batches:
            out["a"].append(a.assess(batch).to_json())
            out["b"].append(b.assess(batch).to_json())
    finally:
        a.close()
        b.close()
    return out


@scenario
def rss_assess(rounds: str = "30") -> dict[str, Any]:
    """The same facts assessed again and again: memory must stay flat after warm-up.

    Each round assesses through the engine (its memos answer) and replays every matcher call
    of the first assessment on the durable matcher itself, so every round opens, fills and
    deletes real sessions.
    """
    facts_ = many_facts(400, seed=7)
    engine = Engine.from_rubric(rubric_a(), matcher="durable")
    matcher: Any = engine._pipeline.matcher
    calls: list[tuple[Any, list[Any]]] = []
    original = matcher.match

    def recording(cluster: Any, records: Any) -> list[int]:
        calls.append((cluster, list(records)))
        return original(cluster, records)  # type: ignore[no-any-return]

    matcher.match = recording
    first = engine.assess(facts_).to_json()
    matcher.match = original
    expected = [original(cluster, records) for cluster, records in calls]
    samples = []
    report = None
    for _ in range(int(rounds)):
        report = engine.assess(facts_)
        if [original(cluster, records) for cluster, records in calls] != expected:
            return {"error": "matcher answers changed between rounds"}
        samples.append(rss_kib())
    if report is None or report.to_json() != first:
        return {"error": "report changed between rounds"}
    engine.close()
    return {
        "rss_kib": samples,
        "records": sum(len(r) for _, r in calls),
        "calls": len(calls),
        "live": matcher._pool.live,
    }


@scenario
def rss_engines(count: str = "200") -> dict[str, Any]:
    """Engines created, used and closed one after another: memory must not keep growing."""
    import durable_rules_engine

    facts_ = many_facts(40, seed=3)
    rubric = rubric_a()
    expected = assess_json(rubric, facts_, "python")
    samples: list[int] = []
    stale: list[str] = []
    for i in range(int(count)):
        engine = Engine.from_rubric(rubric, matcher="durable")
        if engine.assess(facts_).to_json() != expected:
            return {"error": f"engine {i} disagrees with the python matcher"}
        host = engine._pipeline.matcher._host  # type: ignore[attr-defined]
        handles = [r._handle for r in host._ruleset_list]
        engine.close()
        engine.close()  # idempotent
        if host._ruleset_list or host._ruleset_directory:
            return {"error": "rulesets still registered after close"}
        if i == 0:
            # the C rulesets are gone: their handles are refused
            for handle in handles:
                try:
                    durable_rules_engine.assert_event(handle, '{"sid": "x", "o": 1}')
                except durable_rules_engine.error as exc:
                    stale.append(str(exc))
                else:
                    stale.append("accepted")
        samples.append(rss_kib())
    return {"rss_kib": samples, "handles": len(stale), "stale": sorted(set(stale))}


@scenario
def empty_groups(name: str) -> dict[str, Any]:
    """Conditions with empty all-of / any-of groups, on durable and on python."""
    late = Count(facts("incident", kind="late"))
    condition = {
        "and-true": AllOf(late.at_least(1), AllOf()),
        "or-true": AnyOf(AllOf(), late.at_least(1)),
        "or-false": AllOf(late.at_least(1), AnyOf(AnyOf(), late.below(5))),
        "false": AnyOf(),
        "true": AllOf(),
    }[name]
    rubric = Rubric.build(
        dimensions=[Dimension(id="cv", label="精神文明 (civility)", max=100)],
        indicators=[
            Indicator(
                id="cv.study",
                dimension="cv",
                label="学习 (study)",
                max=10,
                scoring=PerItem(_acts("study_session"), 1, cap=10),
            )
        ],
        rules=[Veto(id="cv.veto", label="否决 (veto)", when=condition, dimension="cv")],
    )
    teams: list[Any] = []
    for team, lates in (("T1", 1), ("T2", 0), ("T3", 7)):
        teams.append(Team(team=team, period="2024", name=team, department="食品所", headcount=5))
        teams += [Incident(team=team, period="2024", id=f"l{i}", kind="late") for i in range(lates)]
    return {
        m: {
            t["team"]: bool(t["vetoes"]) for t in json.loads(assess_json(rubric, teams, m))["teams"]
        }
        for m in ("durable", "python")
    }


# --------------------------------------------------------------------------- raw durable-rules


def raw_host(rules: dict[str, Any]) -> tuple[Any, list[Any]]:
    """A private host without background threads holding ruleset ``rs`` with ``rules``.

    Every rule records ``(rule, matched ids)``; a sentinel rule ``open`` consumes ``{"o": 1}``.
    """
    from durable import engine

    class Host(engine.Host):  # type: ignore[misc]
        def _run(self) -> None:
            return None

    hits: list[Any] = []
    definition: dict[str, Any] = {"open": {"all": [{"m": {"o": 1}}], "run": lambda c: None}}
    for name, condition in rules.items():
        definition[name] = {"all": [{"m": condition}], "run": _recorder(hits, name), "cap": 100000}
    host = Host()
    host.set_rulesets({"rs": definition})
    return host, hits


def _recorder(hits: list[Any], name: str) -> Callable[[Any], None]:
    # one parameter: durable-rules treats an action with two as asynchronous
    def record(c: Any) -> None:
        matched = c.m if isinstance(c.m, list) else [c.m]
        hits.append((name, [m["id"] for m in matched]))

    return record


def raw_assert(host: Any, sid: str, messages: list[dict[str, Any]]) -> None:
    from durable import engine

    host.post("rs", {"sid": sid, "id": "open", "o": 1})
    for message in messages:
        with contextlib.suppress(engine.MessageNotHandledException):
            host.assert_fact("rs", {"sid": sid, **message})
    host.post("rs", {"sid": sid, "id": "open", "o": 1})


def _nested(groups: int) -> dict[str, Any]:
    condition: dict[str, Any] = {"$gte": {"v": 1}}
    for _ in range(groups - 1):
        condition = {"$or": [{"$gte": {"v": 2}}, condition]}
    return {"$and": [{"k": 1}, condition]}


@scenario
def raw_nested(groups: str) -> dict[str, Any]:
    """A condition with ``groups`` $and/$or nodes: created, or refused with an error code."""
    try:
        raw_host({"r": _nested(int(groups))})
    except Exception as exc:
        return {"created": False, "refused": str(exc)}
    return {"created": True}


@scenario
def raw_big_integers() -> dict[str, Any]:
    """Integers beyond 64 bits saturate: v >= 2**64 holds for v = 2**63 - 1."""
    host, hits = raw_host({"r": {"$gte": {"v": 2**64}}})
    values = {"small": 1, "max63": 2**63 - 1, "above64": 2**64 + 1}
    raw_assert(host, "s", [{"id": k, "v": v} for k, v in values.items()])
    return {"matched": sorted(i for _, ids in hits for i in ids)}


@scenario
def raw_properties(count: str) -> dict[str, Any]:
    """A fact with ``count`` properties (sid and id included): stored, or refused (error 302)."""
    host, hits = raw_host({"r": {"k": 1}})
    fact = {"id": "1", "k": 1, **{f"p{i}": i for i in range(int(count) - 3)}}
    try:
        raw_assert(host, "s", [fact])
    except Exception as exc:
        return {"stored": False, "refused": str(exc)}
    return {"stored": True, "hits": hits}


@scenario
def raw_collision(first: str, second: str) -> dict[str, Any]:
    """Two sids with the same FNV-1a-32 hash share one session: facts leak between them."""
    host, _ = raw_host({"r": {"k": 1}})
    raw_assert(host, first, [{"id": "a", "k": 1, "team": first}])
    return {"second_sees": host.get_facts("rs", second)}


@scenario
def raw_or_paths(groups: str) -> dict[str, Any]:
    """And of ``groups`` two-way $or whose alternatives both hold: one match per path."""
    items = [{"$or": [{"$gte": {f"a{i}": 0}}, {"$gte": {f"b{i}": 0}}]} for i in range(int(groups))]
    host, hits = raw_host({"r": {"$and": [{"k": 1}, *items]}})
    fact = {"id": "1", "k": 1}
    for i in range(int(groups)):
        fact[f"a{i}"] = fact[f"b{i}"] = 1
    raw_assert(host, "s", [fact])
    return {"matches": sum(len(ids) for _, ids in hits)}


@scenario
def raw_empty_and() -> dict[str, Any]:
    """An empty $and below the top level: durable-rules hangs on the first post."""
    host, hits = raw_host({"r": {"$and": [{"k": 1}, {"$and": [{"$gte": {"v": 5}}, {"$and": []}]}]}})
    raw_assert(host, "s", [{"id": "1", "k": 1, "v": 7}])
    return {"hits": hits}


def main(argv: list[str]) -> int:
    name, *args = argv
    result = SCENARIOS[name](*args)
    print(json.dumps(result, sort_keys=True, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
