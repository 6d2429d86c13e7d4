"""The workload's dict records as the engine's typed facts (same content, one Team per team).

The engine needs a team record with a headcount; the workload has none, so each team gets one
with ``headcount`` = its number of members (what the reference divides by). Small Decimals and
id strings are shared between facts, as a loader interning values would do.
"""

from __future__ import annotations

from decimal import Decimal

import workload
from assessment_engine import Achievement, Activity, Incident, Member, Metric, Team

PERIOD = "bench"
_IDS = [str(i) for i in range(200)]
_DECIMALS: dict[object, Decimal] = {}


def _decimal(value: object) -> Decimal:
    found = _DECIMALS.get(value)
    if found is None:
        found = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if len(_DECIMALS) < 100_000:
            _DECIMALS[value] = found
    return found


def team_facts(tid: str, records: list[dict]) -> list:
    """The typed facts of one team (its Team record first)."""
    out: list = []
    members = 0
    for r in records:
        t = r["type"]
        fid = _IDS[r["id"]]
        if t == "member":
            members += 1
            out.append(
                Member(team=tid, period=PERIOD, id=fid, party_status=r["status"], age=r["age"])
            )
        elif t == "activity":
            out.append(
                Activity(
                    team=tid, period=PERIOD, id=fid, kind=r["kind"], hours=_decimal(r["hours"])
                )
            )
        elif t == "achievement":
            out.append(
                Achievement(team=tid, period=PERIOD, id=fid, kind=r["kind"], level=r["level"])
            )
        elif t == "metric":
            out.append(
                Metric(team=tid, period=PERIOD, id=fid, kind=r["kind"], value=_decimal(r["value"]))
            )
        else:
            out.append(Incident(team=tid, period=PERIOD, id=fid, kind=r["kind"]))
    out.insert(0, Team(team=tid, period=PERIOD, name=tid, department="bench", headcount=members))
    return out


def generate_facts(n: int, seed: int = workload.DEFAULT_SEED) -> list:
    """Typed facts for the first ``n`` teams of the workload (team by team, no dict kept)."""
    import random

    rnd = random.Random(seed)
    facts: list = []
    for i in range(n):
        tid = workload.team_id(i)
        facts.extend(team_facts(tid, workload.generate_team(rnd, tid)))
    return facts
