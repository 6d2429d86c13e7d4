"""What would it take? The smallest changes in a team's facts that reach its next grade.

::

    from assessment_engine import Engine, load_facts
    from assessment_engine.whatif import next_grade_changes

    with Engine() as engine:
        facts = load_facts("facts.json", fact_types=engine.rubric.fact_types)
        for suggestion in next_grade_changes(engine, facts, "T1"):
            print(suggestion.describe())

**The heuristic.** Candidate changes are derived from the rubric, not guessed: one more fact
satisfying each selection an indicator or bonus counts (built from the selection's filter
constants, the one worth the most points when points depend on a field), a quantity raised to
each band threshold it has not reached (a metric edited to the threshold, an amount added),
deductions', penalties' and vetoes' facts removed, the conditions of conditional awards and of
the target band's requirement made to hold (see :mod:`assessment_engine.whatif._candidates`).
Every candidate is re-assessed for real, in an incremental :class:`~assessment_engine.Session`
holding the team alone (grades never depend on other teams). The search is breadth-first by the
number of changed facts: all single candidates first, then combinations of the candidates that
helped on their own, and it stops at the first size that reaches the next band of the chosen
grade scale; every set of that size that does is returned, the ones that just reach it (the
lowest resulting score) first.

**Limits.** It is a search over candidates derived from the rubric, not a proof: a change the
candidates do not cover (a fact satisfying a filter on a derived field, a new distinct quarter,
an assessor's score, a team's headcount) is never suggested; combinations are only tried among
candidates that moved the score (or a veto, or a requirement) on their own, and are pruned when
the points they add on their own cannot close the gap — gains that only appear together are
missed; at most ``budget`` re-assessments are made. "Smallest" counts facts, not effort.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

import attrs

from .._base.hints import did_you_mean
from ..errors import InputError, SessionError
from ..facts import Fact, Record
from ..factset import FactSet
from ..rubric import GradeBand, GradeScale, Rubric
from ._candidates import Candidate, CandidateFinder, Step
from ._facts import PLACEHOLDER_ID, field_types

if TYPE_CHECKING:
    from ..engine import Engine
    from ..session import Session

__all__ = ["Change", "Suggestion", "find_scale", "next_band", "next_grade_changes"]

#: Combinations are formed among at most this many helpful candidates (the largest gains).
_WIDTH = 40


@attrs.frozen
class Change:
    """One change to a team's facts.

    :ivar action: ``"add"`` a new record, ``"remove"`` an existing one, or ``"edit"`` one.
    :ivar fact: the record added or removed, or the edited record as it would become.
    :ivar before: for an edit, the record as it is.
    :ivar why: the rubric object that suggested it (``"pb.study: 大学习 (study)"``).
    """

    action: Literal["add", "remove", "edit"]
    fact: Record
    before: Record | None = None
    why: str = ""

    def describe(self) -> str:
        """``add activity what-if-1: kind=seminar``, ``edit metric k1: value 85 → 90``, ..."""
        fact = self.fact
        name = f"{fact.fact_kind} {fact.id}"
        if self.action == "remove":
            return f"remove {name}" + _summary(fact, kind_only=True)
        if self.action == "edit" and self.before is not None:
            diffs = [
                f"{field} {_text(getattr(self.before, field))} → {_text(getattr(fact, field))}"
                for field in field_types(type(fact))
                if getattr(self.before, field) != getattr(fact, field)
            ]
            return f"edit {name}: " + ", ".join(diffs)
        return f"add {name}" + _summary(fact, kind_only=False)


@attrs.frozen
class Suggestion:
    """A set of changes that reaches the next grade, and what it reaches.

    :ivar scale: the grade scale's id.
    :ivar changes: the changes, to make together.
    :ivar grade_before: the team's grade now (``None``: no grade).
    :ivar grade_after: the grade after the changes.
    :ivar score_before: the scale's score now (the dimension score or the composite).
    :ivar score_after: the score after the changes.
    """

    scale: str
    changes: tuple[Change, ...]
    grade_before: str | None
    grade_after: str | None
    score_before: Decimal
    score_after: Decimal

    @property
    def size(self) -> int:
        """How many facts change."""
        return len(self.changes)

    def describe(self) -> str:
        """One line per change, then the resulting grade."""
        lines = [f"- {c.describe()}" + (f"  ({c.why})" if c.why else "") for c in self.changes]
        lines.append(
            f"  → {self.grade_after}: {_text(self.score_before)} → {_text(self.score_after)}"
        )
        return "\n".join(lines)


def find_scale(rubric: Rubric, scale: str | None = None) -> GradeScale:
    """The grade scale named by id, by its dimension's id, or ``"composite"``.

    ``None`` picks the composite scale, or the only scale there is.

    :raises ValueError: when there is no such scale (the message lists the scales).
    """
    scales = rubric.grade_scales
    known = ", ".join(s.id for s in scales) or "none"
    if scale is None:
        composite = [s for s in scales if s.of is None]
        if composite:
            return composite[0]
        if len(scales) == 1:
            return scales[0]
        raise ValueError(f"the rubric has no composite grade scale; choose one of: {known}")
    for candidate in scales:
        if scale in (candidate.id, candidate.of) or (scale == "composite" and candidate.of is None):
            return candidate
    names = [s.id for s in scales] + [str(s.of) for s in scales if s.of]
    raise ValueError(f"no grade scale {scale!r}{did_you_mean(scale, names)}; scales: {known}")


def next_band(scale: GradeScale, label: str | None) -> GradeBand | None:
    """The band above the one labelled ``label``; ``None`` at the top band.

    The bottom band for the veto label, and for ``None`` (no grade).
    """
    labels = [b.label for b in scale.bands]
    position = labels.index(label) if label in labels else len(labels)
    return scale.bands[position - 1] if position > 0 else None


def next_grade_changes(
    engine: Engine,
    facts: FactSet | Iterable[Fact],
    team: str,
    *,
    period: str | None = None,
    scale: str | None = None,
    max_changes: int = 3,
    limit: int = 10,
    budget: int = 20_000,
) -> tuple[Suggestion, ...]:
    """The smallest sets of fact changes that lift ``team`` to the next band of a grade scale.

    See the module docstring for the heuristic and its limits.

    :param engine: the engine (and so the rubric) to assess with.
    :param facts: the facts; only the team's own are used.
    :param team: the team's id.
    :param period: the period, when the facts hold several.
    :param scale: a grade scale id, a dimension id or ``"composite"`` (see :func:`find_scale`).
    :param max_changes: the most facts one suggestion may change.
    :param limit: the most suggestions returned (all have the smallest size found).
    :param budget: the most re-assessments the search may make.
    :returns: the suggestions, the lowest resulting score (the least overshoot) first; empty
        when the team is at the top band or nothing within ``max_changes`` was found.
    :raises ValueError: for an unknown scale or team.
    :raises InputError: for facts that cannot be assessed.
    """
    fact_set = facts if isinstance(facts, FactSet) else FactSet(facts)
    chosen = engine._period(fact_set, period)
    team_record = fact_set.team(chosen, team)
    if team_record is None:
        known = [t.team for t in fact_set.teams(chosen)]
        raise ValueError(f"no team {team!r} in period {chosen!r}{did_you_mean(team, known)}")
    grade_scale = find_scale(engine.rubric, scale)
    own = FactSet([team_record, *fact_set.records(chosen, team)], source=fact_set.source)
    session = engine.session(own, period=chosen)
    return _Search(engine, session, team, grade_scale, max_changes, budget).run(limit)


@attrs.frozen
class _Outcome:
    position: int  # band index, len(bands) when vetoed or below every band
    label: str | None
    score: Decimal
    vetoes: int


class _Search:
    def __init__(
        self,
        engine: Engine,
        session: Session,
        team: str,
        scale: GradeScale,
        max_changes: int,
        budget: int,
    ) -> None:
        self.rubric = engine.rubric
        self.dimension_index = {d.id: i for i, d in enumerate(engine.rubric.dimensions)}
        self.session = session
        self.team = team
        self.scale = scale
        self.max_changes = max(0, max_changes)
        self.budget = budget
        self.index = next(i for i, s in enumerate(self.rubric.grade_scales) if s.id == scale.id)
        self.base = self._outcome()
        state = session.state(team)
        records = session.records(team)
        self.finder = CandidateFinder(
            engine.rubric, state.team, records, max_changes=self.max_changes
        )
        self.taken = {(r.fact_kind, r.id) for r in records}

    def _outcome(self) -> _Outcome:
        state = self.session.state(self.team)
        label, band = state.grades[self.index]
        of = self.scale.of
        score = state.composite if of is None else state.dim_score[self.dimension_index[of]]
        position = len(self.scale.bands) if band < 0 else band
        return _Outcome(position, label, score, len(state.vetoes))

    # ------------------------------------------------------------------ search
    def run(self, limit: int) -> tuple[Suggestion, ...]:
        base = self.base
        if base.position == 0 or self.max_changes == 0:
            return ()
        target = self.scale.bands[base.position - 1]
        candidates = self._candidates(target)
        tried: list[tuple[Candidate, _Outcome]] = []
        for candidate in candidates:
            outcome = self._try(candidate.steps)
            if outcome is not None:
                tried.append((candidate, outcome))
        helpful = sorted(
            (
                (c, o)
                for c, o in tried
                if o.score > base.score
                or o.vetoes < base.vetoes
                or o.position < base.position
                or c.from_requirement
            ),
            key=lambda co: (-(co[1].score - base.score), co[0].why, repr(co[0].steps)),
        )[:_WIDTH]
        prune = target.requires is None and base.position < len(self.scale.bands)
        gap = (target.at_least or Decimal(0)) - base.score
        for size in range(1, self.max_changes + 1):
            found = [
                self._suggest((c,), o)
                for c, o in tried
                if c.cost == size and o.position < base.position
            ]
            for combo in self._combinations(helpful, size):
                if self.budget <= 0:
                    break
                if prune and sum(o.score - base.score for _, o in combo) < gap:
                    continue
                steps = tuple(step for c, _ in combo for step in c.steps)
                outcome = self._try(steps)
                if outcome is not None and outcome.position < base.position:
                    found.append(self._suggest(tuple(c for c, _ in combo), outcome))
            if found:
                unique = {tuple(ch.describe() for ch in s.changes): s for s in found}
                ranked = sorted(
                    unique.values(),
                    key=lambda s: (s.score_after, [c.describe() for c in s.changes]),
                )
                return tuple(ranked[:limit])
        return ()

    def _candidates(self, target: GradeBand) -> list[Candidate]:
        rubric = self.rubric
        of = self.scale.of
        dims = [d.id for d in rubric.dimensions] if of is None else [of]
        fired = {rubric.vetoes[i].id for i in self.session.state(self.team).vetoes}
        vetoes = [
            v.id
            for v in rubric.vetoes
            if v.id in fired and (of is None or v.dimension in (None, of))
        ]
        requirements = []
        for band in self.scale.bands[: self.base.position]:
            if band.requires is not None:
                requirements.append((band.label, band.requires))
        return self.finder.find(dims, vetoes, requirements)

    @staticmethod
    def _combinations(
        helpful: list[tuple[Candidate, _Outcome]], size: int
    ) -> Iterable[tuple[tuple[Candidate, _Outcome], ...]]:
        """Multisets of at least two helpful candidates whose costs add up to ``size``."""
        for count in range(2, size + 1):
            for combo in itertools.combinations_with_replacement(helpful, count):
                if sum(c.cost for c, _ in combo) != size:
                    continue
                touched: set[tuple[str, str]] = set()
                clash = False
                for candidate, _ in combo:
                    mine = candidate.touched()
                    if mine & touched:
                        clash = True
                        break
                    touched |= mine
                if not clash:
                    yield combo

    def _number(self, steps: tuple[Step, ...]) -> tuple[Step, ...]:
        """Give every added record a fresh id (``what-if-1``, ...) unused by its kind."""
        numbered: list[Step] = []
        counter = 0
        for action, fact, before in steps:
            if action == "add" and fact.id == PLACEHOLDER_ID:
                counter += 1
                while (fact.fact_kind, f"{PLACEHOLDER_ID}-{counter}") in self.taken:
                    counter += 1
                fact = attrs.evolve(fact, id=f"{PLACEHOLDER_ID}-{counter}")
            numbered.append((action, fact, before))
        return tuple(numbered)

    def _try(self, steps: tuple[Step, ...]) -> _Outcome | None:
        """Re-assess the team with the steps applied, then undo them."""
        if self.budget <= 0:
            return None
        self.budget -= 1
        session = self.session
        done: list[tuple[str, Record]] = []
        outcome: _Outcome | None = None
        ordered = sorted(self._number(steps), key=lambda s: s[0] == "add")
        try:
            for action, fact, before in ordered:
                old = fact if action == "remove" else before
                if old is not None:
                    session.retract(old)
                    done.append(("retract", old))
                if action != "remove":
                    session.add(fact)
                    done.append(("add", fact))
            outcome = self._outcome()
        except (InputError, SessionError):
            outcome = None
        finally:
            for op, fact in reversed(done):
                if op == "add":
                    session.retract(fact)
                else:
                    session.add(fact)
        return outcome

    def _suggest(self, combo: tuple[Candidate, ...], outcome: _Outcome) -> Suggestion:
        changes: list[Change] = []
        steps = self._number(tuple(step for c in combo for step in c.steps))
        whys = [c.why for c in combo for _ in c.steps]
        for (action, fact, before), why in zip(steps, whys, strict=True):
            changes.append(Change(action, fact, before, why))
        return Suggestion(
            scale=self.scale.id,
            changes=tuple(changes),
            grade_before=self.base.label,
            grade_after=outcome.label,
            score_before=self.base.score,
            score_after=outcome.score,
        )


# ----------------------------------------------------------------------------- text
def _text(value: object) -> str:
    if isinstance(value, Decimal):
        return (
            format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
        )
    if isinstance(value, frozenset | set):
        return ";".join(sorted(value))
    return "—" if value is None else str(value)


def _summary(fact: Record, *, kind_only: bool) -> str:
    """`` (kind=seminar)`` or ``: kind=seminar, hours=8``: the fields that say what it is."""
    shown = []
    for field in attrs.fields(type(fact)):
        name = field.name
        if not field.init or name in ("team", "period", "id") or (kind_only and name != "kind"):
            continue
        value = getattr(fact, name)
        default = field.default
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            default = None if default.takes_self else default.factory()
        if value in (None, "", frozenset()) or (not kind_only and value == default):
            continue
        shown.append(f"{name}={_text(value)}")
    if not shown:
        return ""
    return f" ({', '.join(shown)})" if kind_only else ": " + ", ".join(shown)
