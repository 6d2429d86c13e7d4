"""Team-assessment workload: deterministic fact generator and the rubric spec.

Rebuilt in the project from the shared benchmark workload (``shared/bench/workload.py``) so the
project never depends on it at run time; ``bench/check_workload.py`` confirms it still yields
the same teams (a SHA-256 of the generated data, recorded from the shared generator).

Every engine in this benchmark receives exactly the same input:

    teams: list[tuple[str, list[dict]]]   # (team_id, facts)

Each fact is a flat, JSON-friendly dict with at least ``team``, ``id`` (unique
within the team, so engines that de-duplicate identical facts keep them all)
and ``type``:

    member       status in member/probationary/applicant/none, age (int)
    activity     kind in study_session/theory_test/volunteer/lecture/
                 community_service, hours (int)
    achievement  kind in project_approved/patent/standard_award,
                 level in national/provincial/bureau
    metric       kind in samples_tested (int) / on_time_rate (float, 3 dp) /
                 customer_satisfaction (float, 1 dp), value
    incident     kind in discipline_violation/quality_accident (rare)

All point values are multiples of 0.5, so sums are exact in binary floating
point and in decimal arithmetic; results can be compared for equality.

Rubric (12 indicators in three dimensions, plus bonus, veto and grade):

  party_building
    pb_study     1 point per study_session activity, cap 10
    pb_theory    2 points per theory_test activity, cap 6
    pb_lecture   0.5 point per lecture hour, cap 5
    pb_ratio     (member + probationary) / members: >=0.5 -> 8, >=0.3 -> 5,
                 >=0.1 -> 2, else 0
    bonus        +3 (into party_building) if the team has >= 2 applicants
  business
    bz_on_time   on_time_rate: >=0.98 -> 10, >=0.95 -> 7, >=0.90 -> 4, else 0
    bz_samples   1 point per full 500 samples_tested, cap 10
    bz_satisf    customer_satisfaction: >=95 -> 8, >=90 -> 6, >=80 -> 3, else 0
    bz_achieve   per achievement by level: national 5, provincial 3,
                 bureau 1; cap 15
    bz_patent    2 points per patent achievement, cap 6
  civility
    cv_volunteer volunteer hours / members: >=3 -> 8, >=2 -> 6, >=1 -> 4,
                 >0 -> 2, else 0
    cv_community 1 point per community_service activity, cap 5
    cv_youth     share of members younger than 35: >=0.4 -> 4, >=0.2 -> 2,
                 else 0

  total = party_building + business + civility
  grade = 'unqualified' if any incident (veto), else
          A if total >= 68, B if >= 60, C if >= 50, else D
  ranking: qualified teams first, then by total descending, then team id
"""

from __future__ import annotations

import random

DEFAULT_SEED = 20240601

MEMBER_STATUSES = ("member", "probationary", "applicant", "none")
ACTIVITY_KINDS = ("study_session", "theory_test", "volunteer", "lecture", "community_service")
ACHIEVEMENT_KINDS = ("project_approved", "patent", "standard_award")
LEVELS = ("national", "provincial", "bureau")
METRIC_KINDS = ("samples_tested", "on_time_rate", "customer_satisfaction")
INCIDENT_KINDS = ("discipline_violation", "quality_accident")

# Rubric constants (engines may hard-code them in their own rule language;
# the check against the reference catches any drift).
STUDY_PER, STUDY_CAP = 1.0, 10.0
THEORY_PER, THEORY_CAP = 2.0, 6.0
LECTURE_PER_HOUR, LECTURE_CAP = 0.5, 5.0
PARTY_RATIO_BANDS = ((0.5, 8.0), (0.3, 5.0), (0.1, 2.0))
APPLICANT_BONUS_MIN, APPLICANT_BONUS = 2, 3.0
ON_TIME_BANDS = ((0.98, 10.0), (0.95, 7.0), (0.90, 4.0))
SAMPLES_UNIT, SAMPLES_CAP = 500, 10.0
SATISFACTION_BANDS = ((95.0, 8.0), (90.0, 6.0), (80.0, 3.0))
LEVEL_POINTS = {"national": 5.0, "provincial": 3.0, "bureau": 1.0}
ACHIEVE_CAP = 15.0
PATENT_PER, PATENT_CAP = 2.0, 6.0
VOLUNTEER_BANDS = ((3.0, 8.0), (2.0, 6.0), (1.0, 4.0))  # then >0 -> 2
VOLUNTEER_ANY = 2.0
COMMUNITY_PER, COMMUNITY_CAP = 1.0, 5.0
YOUTH_AGE = 35
YOUTH_BANDS = ((0.4, 4.0), (0.2, 2.0))
GRADE_BANDS = ((68.0, "A"), (60.0, "B"), (50.0, "C"))
GRADE_LOW = "D"
VETO_GRADE = "unqualified"

DIMENSIONS = ("party_building", "business", "civility")


def _pick(rnd: random.Random, items, cum_weights):
    x = rnd.random()
    for item, w in zip(items, cum_weights, strict=True):
        if x < w:
            return item
    return items[-1]


_STATUS_CUM = (0.30, 0.42, 0.55, 1.0)
_ACTIVITY_CUM = (0.30, 0.45, 0.70, 0.85, 1.0)
_ACH_KIND_CUM = (0.50, 0.75, 1.0)
_LEVEL_CUM = (0.20, 0.55, 1.0)
INCIDENT_RATE = 0.03


def team_id(i: int) -> str:
    return f"T{i:06d}"


def generate_team(rnd: random.Random, tid: str) -> list[dict]:
    facts: list[dict] = []
    fid = 0
    for _ in range(rnd.randint(8, 14)):
        facts.append(
            {
                "team": tid,
                "id": fid,
                "type": "member",
                "status": _pick(rnd, MEMBER_STATUSES, _STATUS_CUM),
                "age": rnd.randint(22, 60),
            }
        )
        fid += 1
    for _ in range(rnd.randint(15, 30)):
        kind = _pick(rnd, ACTIVITY_KINDS, _ACTIVITY_CUM)
        hours = rnd.randint(1, 8) if kind == "volunteer" else rnd.randint(1, 4)
        facts.append({"team": tid, "id": fid, "type": "activity", "kind": kind, "hours": hours})
        fid += 1
    for _ in range(rnd.randint(0, 6)):
        facts.append(
            {
                "team": tid,
                "id": fid,
                "type": "achievement",
                "kind": _pick(rnd, ACHIEVEMENT_KINDS, _ACH_KIND_CUM),
                "level": _pick(rnd, LEVELS, _LEVEL_CUM),
            }
        )
        fid += 1
    facts.append(
        {
            "team": tid,
            "id": fid,
            "type": "metric",
            "kind": "samples_tested",
            "value": rnd.randint(1000, 6000),
        }
    )
    facts.append(
        {
            "team": tid,
            "id": fid + 1,
            "type": "metric",
            "kind": "on_time_rate",
            "value": round(0.86 + 0.14 * rnd.random(), 3),
        }
    )
    facts.append(
        {
            "team": tid,
            "id": fid + 2,
            "type": "metric",
            "kind": "customer_satisfaction",
            "value": round(75.0 + 25.0 * rnd.random(), 1),
        }
    )
    fid += 3
    if rnd.random() < INCIDENT_RATE:
        facts.append(
            {"team": tid, "id": fid, "type": "incident", "kind": INCIDENT_KINDS[rnd.randint(0, 1)]}
        )
        fid += 1
    # facts arrive in no particular order in real feeds
    rnd.shuffle(facts)
    return facts


def generate(n_teams: int, seed: int = DEFAULT_SEED) -> list[tuple[str, list[dict]]]:
    rnd = random.Random(seed)
    return [(team_id(i), generate_team(rnd, team_id(i))) for i in range(n_teams)]


def count_facts(teams) -> int:
    return sum(len(facts) for _, facts in teams)


if __name__ == "__main__":  # quick look at the data
    import collections
    import sys

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    teams = generate(n)
    c = collections.Counter(f["type"] for _, fs in teams for f in fs)
    print(
        f"{n} teams, {count_facts(teams)} facts, "
        f"{count_facts(teams) / n:.1f} facts/team, by type: {dict(c)}"
    )
