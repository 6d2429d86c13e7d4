"""The verdict across teams: ranking (competition ranking or a tie-break chain) and titles.

:class:`Standings` keeps teams sorted by their ranking key, so a session can move one team and
read ranks by bisection without sorting again. Titles are filled in rank order, a tie group at a
time: every team of a tie group is checked against the quota as it stood *before* the group, so
a tie straddling a quota boundary gives all of them the title and the overrun is reported —
input order never decides.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable
from fractions import Fraction
from functools import total_ordering
from typing import Any, cast

import attrs

from .._base.numbers import exact_ratio
from ..results import QuotaResult
from ..rubric.describe import describe_value
from ._plan import Plan
from ._state import TeamState

__all__ = ["Standings", "TitleOutcome"]


@total_ordering
class _Descending:
    """Wraps a text value so that it sorts in reverse."""

    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Descending) and self.value == other.value

    def __lt__(self, other: _Descending) -> bool:
        return self.value > other.value

    def __hash__(self) -> int:
        return hash(self.value)


def _component(value: Any, descending: bool) -> tuple[int, Any]:
    if value is None:
        return (1, 0)
    if isinstance(value, tuple):
        value = exact_ratio(*value)
        if value is None:
            return (1, 0)
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, str):
        return (0, _Descending(value) if descending else value)
    return (0, -value if descending else value)


def _number_descending(value: Any) -> tuple[int, Any]:
    if value is None or value.__class__ is tuple or value.__class__ is bool:
        return _component(value, True)
    return (0, -value)


def _number_ascending(value: Any) -> tuple[int, Any]:
    if value is None or value.__class__ is tuple or value.__class__ is bool:
        return _component(value, False)
    return (0, value)


def _key_function(plan: Plan) -> Any:
    """The ranking key of a team's values: one component per sort key, fast for numbers."""
    parts = []
    for key in plan.rubric.ranking.keys:
        slot = plan.quantity_index[key.quantity]
        if key.quantity.quantity_kind() in ("number", "ratio"):
            fn = _number_descending if key.descending else _number_ascending
        else:
            desc = key.descending

            def fn(value: Any, desc: bool = desc) -> tuple[int, Any]:
                return _component(value, desc)

        parts.append((slot, fn))
    # flat keys, (flag, value) per sort key: one tuple per team rather than one per sort key
    if len(parts) == 1:
        ((s0, f0),) = parts
        return lambda v: f0(v[s0])
    if len(parts) == 2:
        (s0, f0), (s1, f1) = parts
        return lambda v: f0(v[s0]) + f1(v[s1])
    return lambda v: tuple(x for s, f in parts for x in f(v[s]))


@total_ordering
class _Top:
    """Sorts after every ranking-key component (an upper bound for bisection)."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Top)

    def __lt__(self, other: object) -> bool:
        return False

    def __hash__(self) -> int:
        return 0


_TOP = _Top()
_NOTE_LIMIT = 5  # tie-break comparisons named in a rank note (the nearest teams in order)


@attrs.frozen
class _Tied:
    """The first few of ``count`` tied teams (in team order), in words."""

    shown: list[str]
    count: int

    def __str__(self) -> str:
        more = self.count - len(self.shown)
        return ", ".join(self.shown) + (f" and {more} more" if more > 0 else "")


class TitleOutcome:
    """Titles per team, notes for teams that missed one, and how each quota was used."""

    __slots__ = ("notes", "quotas", "titles")

    def __init__(self) -> None:
        self.titles: dict[str, list[tuple[int, str]]] = {}
        # (kind, title index, detail): kind "vetoed", "condition" (rendered with the unmet
        # parts of the condition when an assessment is built) or "quota"
        self.notes: dict[str, list[tuple[str, int, str]]] = {}
        self.quotas: list[QuotaResult] = []


class Standings:
    """Ranking keys of every team, kept sorted; ranks, tie notes and titles on demand."""

    def __init__(self, plan: Plan, states: Iterable[TeamState] = ()) -> None:
        self.plan = plan
        self._slots = [plan.quantity_index[k.quantity] for k in plan.rubric.ranking.keys]
        self._vetoed_last = plan.rubric.ranking.vetoed == "last"
        self._states: dict[str, TeamState] = {}
        self._keys: dict[str, tuple[Any, ...]] = {}
        self._ranked: list[tuple[tuple[Any, ...], str]] = []
        self._unranked: list[tuple[tuple[Any, ...], str]] = []
        self._titles: TitleOutcome | None = None
        self._key_of = _key_function(plan)
        entries = []
        for state in states:
            key = self._key(state)
            self._states[state.team.team] = state
            self._keys[state.team.team] = key
            entries.append((key, state.team.team, bool(state.vetoes)))
        entries.sort(key=lambda e: (e[0], e[1]))
        for key, team, vetoed in entries:
            (self._unranked if vetoed else self._ranked).append((key, team))

    def _key(self, state: TeamState) -> tuple[Any, ...]:
        return cast("tuple[Any, ...]", self._key_of(state.values))

    # ---------------------------------------------------------------- updates
    def update(self, state: TeamState) -> None:
        """Insert or move one team."""
        self.remove(state.team.team)
        key = self._key(state)
        team = state.team.team
        self._states[team] = state
        self._keys[team] = key
        bisect.insort(self._unranked if state.vetoes else self._ranked, (key, team))
        self._titles = None

    def remove(self, team: str) -> None:
        """Take a team out (no-op if absent)."""
        state = self._states.pop(team, None)
        if state is None:
            return
        key = self._keys.pop(team)
        target = self._unranked if state.vetoes else self._ranked
        i = bisect.bisect_left(target, (key, team))
        if i < len(target) and target[i] == (key, team):
            del target[i]
        self._titles = None

    # ---------------------------------------------------------------- reading
    @property
    def count(self) -> int:
        """How many teams are assessed."""
        return len(self._states)

    def __contains__(self, team: object) -> bool:
        return team in self._states

    def state(self, team: str) -> TeamState:
        """A team's state."""
        return self._states[team]

    def order(self) -> list[str]:
        """Team ids in rank order: ranked teams, then vetoed ones (by key, then id)."""
        return [t for _, t in self._ranked] + [t for _, t in self._unranked]

    def ranks(self) -> dict[str, int | None]:
        """Every team's rank at once, in one pass over the sorted keys."""
        result: dict[str, int | None] = {}
        for entries, offset in ((self._ranked, 0), (self._unranked, len(self._ranked))):
            if entries is self._unranked and not self._vetoed_last:
                result.update(dict.fromkeys((t for _, t in entries), None))
                continue
            previous: Any = None
            rank = 0
            for position, (key, team) in enumerate(entries, start=1):
                if key != previous:
                    rank, previous = position, key
                result[team] = offset + rank
        return result

    def rank(self, team: str) -> int | None:
        """Competition rank (ties share the better rank); ``None`` when vetoed and unranked."""
        key = self._keys[team]
        if self._states[team].vetoes:
            if not self._vetoed_last:
                return None
            return len(self._ranked) + bisect.bisect_left(self._unranked, (key,)) + 1
        return bisect.bisect_left(self._ranked, (key,)) + 1

    def rank_note(self, team: str) -> str:
        """Ties and tie-breaks that concern the team, in words (at most a few names)."""
        state = self._states[team]
        if state.vetoes and not self._vetoed_last:
            return "一票否决，不参加排名 (vetoed: not ranked)"
        key = self._keys[team]
        target = self._unranked if state.vetoes else self._ranked
        # a key is flat: (flag, value) per sort key; the first sort key is key[:2]
        lo = bisect.bisect_left(target, (key[:2],))
        hi = bisect.bisect_right(target, ((*key[:2], _TOP),))
        if hi - lo <= 1:
            return ""
        keys = self.plan.rubric.ranking.keys
        first = keys[0].label or "the first key"
        shown = describe_value(state.values[self._slots[0]])
        # the teams equal on every key sit together, in team order: name the first few only
        eq_lo = bisect.bisect_left(target, (key,))
        eq_hi = bisect.bisect_right(target, (key, _TOP))
        tied = _Tied(
            [t for _, t in target[eq_lo : min(eq_hi, eq_lo + _NOTE_LIMIT + 1)] if t != team][
                :_NOTE_LIMIT
            ],
            eq_hi - eq_lo - 1,
        )
        if tied.count == hi - lo - 1:  # everyone sharing the first key is tied on all keys
            return f"与 {tied} 并列 (tied on {first} {shown}, sharing the better rank)"
        position = bisect.bisect_left(target, (key, team))
        # the nearest _NOTE_LIMIT positions (by distance, then position) lie within that distance
        window = range(max(lo, position - _NOTE_LIMIT), min(hi, position + _NOTE_LIMIT + 1))
        nearest = sorted(
            (i for i in window if i != position), key=lambda i: (abs(i - position), i)
        )[:_NOTE_LIMIT]
        notes = []
        for i in sorted(nearest, key=lambda i: target[i][1]):
            other_key, other = target[i]
            for k in range(1, len(keys)):
                if other_key[2 * k : 2 * k + 2] != key[2 * k : 2 * k + 2]:
                    mine = describe_value(state.values[self._slots[k]])
                    theirs = describe_value(self._states[other].values[self._slots[k]])
                    label = keys[k].label or f"key {k + 1}"
                    notes.append(f"{other}: {label} {mine} vs {theirs}")
                    break
        parts = [f"{hi - lo} teams share {first} {shown}"]
        if notes:
            more = hi - lo - 1 - len(nearest)
            parts.append(
                "依次比较 (tie-break): "
                + "; ".join(notes)
                + (f"; and {more} more teams" if more > 0 else "")
            )
        if tied.count:
            parts.append(f"still tied with {tied}")
        return "; ".join(parts)

    # ---------------------------------------------------------------- titles
    def titles(self) -> TitleOutcome:
        """Titles for every team (computed once per change)."""
        if self._titles is None:
            self._titles = self._assign_titles()
        return self._titles

    def _assign_titles(self) -> TitleOutcome:
        plan = self.plan
        outcome = TitleOutcome()
        quotas = {q.id: q for q in plan.rubric.quotas}
        n = self.count
        limits = {q.id: max(q.minimum, math.floor(Fraction(q.share) * n)) for q in quotas.values()}
        used = dict.fromkeys(quotas, 0)
        if not plan.titles:
            return outcome
        for _, team in self._unranked:
            outcome.notes.setdefault(team, []).append(("vetoed", -1, ""))
        by_group: dict[str, list[int]] = {}
        for i, (title, _) in enumerate(plan.titles):
            by_group.setdefault(title.group, []).append(i)
        groups = [members for _, members in sorted(by_group.items())]
        ranked = self._ranked
        start = 0
        while start < len(ranked):
            end = start
            while end < len(ranked) and ranked[end][0] == ranked[start][0]:
                end += 1
            tie = [team for _, team in ranked[start:end]]
            awarded_now: dict[str, int] = dict.fromkeys(quotas, 0)
            for team in tie:
                state = self._states[team]
                for members in groups:
                    missed: list[tuple[str, int, str]] = []
                    for i in members:
                        title, ref = plan.titles[i]
                        if ref is not None and not state.masks[ref.cluster] >> ref.bit & 1:
                            missed.append(("condition", i, ""))
                            continue
                        full = [q for q in title.quotas if used[q] >= limits[q]]
                        if full:
                            missed.append(
                                (
                                    "quota",
                                    i,
                                    f"quota {', '.join(full)} full: {limits[full[0]]} given to"
                                    " better-ranked teams",
                                )
                            )
                            continue
                        outcome.titles.setdefault(team, []).append((i, ""))
                        for q in title.quotas:
                            awarded_now[q] += 1
                        break
                    if missed:
                        outcome.notes.setdefault(team, []).extend(missed)
            for q, count in awarded_now.items():
                before = used[q]
                used[q] += count
                if count and used[q] > limits[q] and before < limits[q]:
                    overrun = used[q] - limits[q]
                    for team in tie:
                        for j, (index, _) in enumerate(outcome.titles.get(team, [])):
                            if q in plan.titles[index][0].quotas:
                                outcome.titles[team][j] = (
                                    index,
                                    f"并列超出名额 (tie at the quota boundary: {q} exceeded by"
                                    f" {overrun})",
                                )
            start = end
        for q in sorted(quotas):
            quota = quotas[q]
            over = max(0, used[q] - limits[q])
            outcome.quotas.append(
                QuotaResult(
                    id=q,
                    label=quota.label,
                    limit=limits[q],
                    awarded=used[q],
                    overrun=over,
                    note=(
                        f"{over} over the limit because of a tie at the boundary" if over else ""
                    ),
                )
            )
        return outcome
