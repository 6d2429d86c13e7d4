"""Running scenarios: assess each case's facts and compare the verdict with what it expects."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import attrs

from .._base.hints import did_you_mean
from .._base.numbers import exact_text
from .._plugins import rubric_files
from ..engine import Engine, MatcherName
from ..errors import AssessmentError, InputError
from ..facts import Team
from ..factset import FactSet
from ..loading import facts_from_records, load_records
from ..report import Report
from ..results import Assessment, Line
from ..rubric import Parts, Rubric, Scoring
from ..rubric.walk import scored
from ._coverage import Coverage, CoverageCounter
from ._model import CaseResult, Expectation, Mismatch, Scenario, ScenarioFile

__all__ = ["FileRun", "check_scenario", "engine_for", "run_file", "run_scenario"]

ZERO = Decimal(0)


@attrs.frozen(kw_only=True)
class FileRun:
    """The outcome of one scenario file: each case's result and the rubric's coverage.

    :param error: why no case could run (the rule sets did not build), else ``""``.
    :param coverage: what the file's cases reached of the rubric (``None`` when nothing ran).
    """

    file: ScenarioFile
    results: tuple[CaseResult, ...]
    coverage: Coverage | None
    error: str = ""

    @property
    def passed(self) -> bool:
        """Whether every case passed."""
        return not self.error and all(r.passed for r in self.results)


def engine_for(
    file: ScenarioFile,
    *,
    plugins: Sequence[object] = (),
    entry_points: bool | None = None,
    block: Sequence[str] = (),
    matcher: MatcherName | None = None,
) -> Engine:
    """The engine a scenario file runs against: its ``[scenarios]`` setup plus the arguments.

    ``plugins`` and ``block`` add to the file's; ``entry_points`` and ``matcher``, when given,
    replace the file's choice.
    """
    setup = file.setup
    loaded: list[object] = list(plugins)
    if setup.rubric:
        loaded.extend(rubric_files(*setup.rubric))
    return Engine(
        loaded,
        entry_points=setup.entry_points if entry_points is None else entry_points,
        block=[*setup.block, *block],
        matcher=matcher or setup.matcher,  # type: ignore[arg-type]
    )


def run_file(
    file: ScenarioFile,
    *,
    plugins: Sequence[object] = (),
    entry_points: bool | None = None,
    block: Sequence[str] = (),
    matcher: MatcherName | None = None,
) -> FileRun:
    """Run every case of a file against the engine :func:`engine_for` builds."""
    try:
        engine = engine_for(
            file, plugins=plugins, entry_points=entry_points, block=block, matcher=matcher
        )
    except (AssessmentError, OSError) as exc:
        return FileRun(file=file, results=(), coverage=None, error=str(exc))
    with engine:
        counter = CoverageCounter(engine.rubric)
        results = []
        for scenario in file.scenarios:
            result, report = _run(engine, scenario)
            results.append(result)
            if report is not None:
                counter.add(report)
        return FileRun(file=file, results=tuple(results), coverage=counter.coverage())


def run_scenario(engine: Engine, scenario: Scenario) -> CaseResult:
    """Assess one case with ``engine`` and compare: passed, failed (with a diff) or error."""
    return _run(engine, scenario)[0]


def _run(engine: Engine, scenario: Scenario) -> tuple[CaseResult, Report | None]:
    unknown = check_scenario(engine.rubric, scenario)
    if unknown:
        return CaseResult(scenario=scenario, outcome="error", error="\n".join(unknown)), None
    try:
        facts = _facts(engine, scenario)
        periods = facts.periods
        if len(periods) != 1:
            raise ValueError(
                f"a scenario's teams share one period; these facts have {', '.join(periods)}"
            )
        report = engine.assess(facts, period=periods[0])
    except (InputError, ValueError) as exc:
        return CaseResult(scenario=scenario, outcome="error", error=str(exc)), None
    mismatches = []
    for expectation in scenario.expectations:
        actual, why = _actual(engine.rubric, report[expectation.team], expectation)
        if not _same(expectation, actual):
            mismatches.append(Mismatch(expectation=expectation, actual=actual, why=why))
    result = CaseResult(
        scenario=scenario,
        outcome="failed" if mismatches else "passed",
        mismatches=tuple(mismatches),
        checked=len(scenario.expectations),
    )
    return result, report


def _facts(engine: Engine, scenario: Scenario) -> FactSet:
    kinds = engine.rubric.fact_types
    if not scenario.workbook:
        return facts_from_records(
            [raw for raw, _ in scenario.records],
            fact_types=kinds,
            source=scenario.source,
            locations=[where for _, where in scenario.records],
        )
    wanted = set(scenario.team_ids)
    records = [f for f in load_records(scenario.workbook, fact_types=kinds) if f.team in wanted]
    found = {f.team for f in records if isinstance(f, Team)}
    missing = [t for t in scenario.team_ids if t not in found]
    if missing:
        raise ValueError(
            f"the workbook's team sheet has no team {', '.join(map(repr, missing))}"
            f" (scenario {scenario.name!r} expects something of it)"
        )
    return FactSet(records, source=scenario.workbook)


# ----------------------------------------------------------------------------- ids
def _part_ids(form: Scoring) -> dict[str, frozenset[str]]:
    """Every part id under ``form``, with the ids of the parts inside it (itself included)."""
    found: dict[str, frozenset[str]] = {}
    if isinstance(form, Parts):
        for part in form.parts:
            inner = _part_ids(part.scoring)
            found.update(inner)
            found[part.id] = frozenset({part.id, *inner})
    return found


def _parts(rubric: Rubric) -> dict[str, frozenset[str]]:
    found: dict[str, frozenset[str]] = {}
    for item in scored(rubric):
        found.update(_part_ids(item.scoring))
    return found


def _known(rubric: Rubric, what: str) -> list[str]:
    if what == "indicators":
        return [i.id for i in rubric.indicators]
    if what == "parts":
        return list(_parts(rubric))
    if what == "bonuses":
        return [b.id for b in rubric.bonuses]
    if what == "penalties":
        return [p.id for p in rubric.penalties]
    if what == "dimensions":
        return [d.id for d in rubric.dimensions]
    if what == "grades":
        keys = [s.of or "composite" for s in rubric.grade_scales]
        return [*keys, *(s.id for s in rubric.grade_scales)]
    if what == "titles":
        return [t.id for t in rubric.titles]
    if what == "vetoes":
        return [v.id for v in rubric.vetoes]
    return []


def check_scenario(rubric: Rubric, scenario: Scenario) -> list[str]:
    """Every id a scenario expects that the rubric does not have, with a "did you mean"."""
    problems = []
    for e in scenario.expectations:
        where = f"{scenario.source}:{e.line}: " if e.line else ""
        names: Iterable[str] = ()
        if e.id:
            names = (e.id,)
        elif e.what in ("titles", "vetoes") and isinstance(e.expected, tuple):
            names = e.expected
        known = _known(rubric, e.what)
        for name in names:
            if name not in known:
                kind = (
                    e.subject().split(" ")[0] if e.id else {"titles": "title"}.get(e.what, "veto")
                )
                problems.append(
                    f"{where}the rubric has no {kind} {name!r}{did_you_mean(name, known)}"
                )
    return problems


# ----------------------------------------------------------------------------- values
def _line_text(line: Line) -> str:
    points = exact_text(line.points)
    sign = "+" if line.points > 0 else ""
    return f"{sign}{points}  {line.label}: {line.reason}"


def _scale_of(rubric: Rubric, key: str) -> str | None:
    for scale in rubric.grade_scales:
        if key in (scale.id, scale.of or "composite"):
            return scale.of
    raise KeyError(key)  # pragma: no cover - checked before the case runs


def _actual(rubric: Rubric, assessment: Assessment, e: Expectation) -> tuple[Any, tuple[str, ...]]:
    what = e.what
    if what == "indicators":
        result = assessment.indicator(e.id)
        return result.points, tuple(_line_text(line) for line in result.lines)
    if what == "parts":
        ids = _parts(rubric)[e.id]
        lines = [line for line in assessment.explain().lines() if line.source.split("#")[0] in ids]
        return sum((line.points for line in lines), ZERO), tuple(map(_line_text, lines))
    if what in ("bonuses", "penalties"):
        for dim in assessment.dimensions:
            for adj in dim.adjustments:
                if adj.id == e.id:
                    why = tuple(_line_text(line) for line in adj.lines)
                    return adj.applied, ((adj.note,) if adj.note else ()) + why
        return ZERO, ("not triggered (an untriggered rule is left out of the results)",)
    if what == "dimensions":
        dim = assessment.dimension(e.id)
        return dim.score, (
            f"indicators {exact_text(dim.base)} + bonus {exact_text(dim.bonus)}"
            f" − penalty {exact_text(dim.penalty)} = {exact_text(dim.score)}",
        )
    if what == "composite":
        return assessment.composite, ()
    if what == "grades":
        of = _scale_of(rubric, e.id)
        grade = assessment.grade if of is None else assessment.dimension(of).grade
        if grade is None:  # pragma: no cover - every scale grades every team
            return None, ()
        return grade.label, (grade.reason,)
    if what == "titles":
        return tuple(sorted(t.id for t in assessment.titles)), tuple(assessment.title_notes)
    if what == "rank":
        return assessment.rank, ((assessment.rank_note,) if assessment.rank_note else ())
    if what == "vetoes":
        return tuple(v.id for v in assessment.vetoes), ()
    if what == "vetoed":
        return assessment.vetoed, tuple(f"{v.id} {v.label}" for v in assessment.vetoes)
    raise AssertionError(what)  # pragma: no cover - the reader knows no other key


def _same(e: Expectation, actual: object) -> bool:
    if e.what == "titles" and isinstance(e.expected, tuple):
        return tuple(sorted(e.expected)) == actual
    return bool(e.expected == actual) and type(e.expected) is type(actual)
