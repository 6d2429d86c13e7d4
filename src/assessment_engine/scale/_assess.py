"""The driver: split, dispatch, retry once, merge — one report, as one process would make it.

The driver never reads the facts: each worker reads its own partition of the files and sends
back its teams' states (and local assessments) as plain data. The driver restores the states
(without records), ranks them together — ranks, ties, titles and quotas are global — and
builds the report from the merged local results. The same facts and rule sets give the same
bytes whatever the executor and the partitioning.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from .._base.collector import paused_gc
from .._base.version import VERSION
from .._matcher import make_matcher
from .._pipeline import Pipeline, TeamState
from ..engine import Engine
from ..errors import InputError, InputProblem, PartitionError
from ..report import Report
from ._executors import Arrived, Executor, InProcess, Outcome, WorkerDied
from ._tasks import (
    PartitionBy,
    PartitionResult,
    PartitionTask,
    RubricSpec,
    partitions,
)

__all__ = ["assess_files", "spec_of"]


def spec_of(engine: Engine) -> RubricSpec:
    """The spec that ships ``engine``'s rubric to the workers as data (with its matcher).

    The fact classes travel by import path: they must be importable on the workers. For
    rubric files, whose fact kinds are made when the file is read, name the plugins instead
    (``RubricSpec(plugins=..., rubric_files=...)``), as the command line does.
    """
    return RubricSpec(
        rubric_hash=engine.rubric.content_hash,
        matcher=engine.matcher,
        data=engine.rubric.to_data(classes=True),
    )


def assess_files(
    engine: Engine,
    paths: Sequence[str | os.PathLike[str]],
    *,
    executor: Executor | None = None,
    partition_by: PartitionBy = "hash",
    partitions_count: int | None = None,
    period: str | None = None,
    details: bool = True,
    spec: RubricSpec | None = None,
    costs: list[dict[str, Any]] | None = None,
) -> Report:
    """Assess the facts in ``paths`` in partitions, on ``executor``; one merged report.

    :param engine: the driver's engine: its rubric (shipped to the workers as data unless
        ``spec`` says otherwise) and its matcher. It assesses nothing itself and stays usable
        whatever happens to the workers.
    :param paths: the facts files (JSON, CSV, XLSX, Parquet); each worker reads them itself
        (all of them, or its own for ``partition_by="file"``): the paths must name the same
        files on every worker.
    :param executor: :class:`~._executors.InProcess` (the default), a
        :class:`~._executors.ProcessPool` or a :class:`~._dask.DaskCluster`.
    :param partition_by: ``"hash"`` of the team id, ``"department"``, or ``"file"`` (one
        partition per file: each team's records in the same file as its team record).
    :param partitions_count: how many ``hash``/``department`` partitions (default: the
        executor's workers).
    :param period: the period to assess; may be omitted when the facts hold only one.
    :param details: keep every team's explanation (``False``: the ranking, rows, quotas and
        the lean JSON only; less to carry back).
    :param spec: how the workers build their engine (default: :func:`spec_of` ``engine``).
    :param costs: a list that receives, per partition in order, where and at what cost it ran
        (``PartitionResult.worker`` with its ``partition`` index and ``teams`` count).
    :raises InputError: with every input problem every partition found; no report then.
    :raises PartitionError: for a partition whose worker died twice (its one retry runs in a
        process of its own), or whose worker raised; no report then.
    """
    executor = executor if executor is not None else InProcess()
    spec = spec if spec is not None else spec_of(engine)
    if spec.rubric_hash != engine.rubric.content_hash:
        raise ValueError("the spec's rubric hash is not the engine's")
    files = [os.fspath(p) for p in paths]
    count = partitions_count if partitions_count is not None else executor.workers
    tasks = [
        PartitionTask(spec, partition, period, details)
        for partition in partitions(files, partition_by, count)
    ]
    pipeline = Pipeline(engine.rubric, make_matcher("python"))  # the driver never matches
    restored: dict[int, list[TeamState]] = {}

    def arrived(index: int, outcome: Outcome) -> None:
        # restored while the other partitions still run; dropped if the run fails
        if isinstance(outcome, PartitionResult) and not (outcome.error or outcome.problems):
            restored[index] = [pipeline.restore_state(data) for data in outcome.states]
            outcome.states = []

    started = executor.start()
    # no cyclic collection while results arrive: unpickling a partition's states makes many
    # containers and no cycles, and collections over them cost more than the unpickling
    with paused_gc():
        try:
            results = _run(executor, tasks, arrived)
        finally:
            if started:
                executor.close()
        if costs is not None:
            costs.extend({"partition": r.index, "teams": len(r.teams), **r.worker} for r in results)
        return _merge(pipeline, results, restored, period, details)


def _run(executor: Executor, tasks: list[PartitionTask], arrived: Arrived) -> list[PartitionResult]:
    outcomes: list[Outcome] = executor.run(tasks, arrived=arrived)
    died = [i for i, outcome in enumerate(outcomes) if isinstance(outcome, WorkerDied)]
    if died:  # retried once, each alone: a second death is the partition's own
        again = executor.run(
            [tasks[i] for i in died], alone=True, arrived=lambda j, o: arrived(died[j], o)
        )
        for i, outcome in zip(died, again, strict=True):
            outcomes[i] = outcome
    for i, outcome in enumerate(outcomes):
        if isinstance(outcome, WorkerDied):
            raise _died(executor, tasks[i], outcome)
    results = [o for o in outcomes if isinstance(o, PartitionResult)]
    for task, result in zip(tasks, results, strict=True):
        if result.error:
            raise PartitionError(
                partition=str(task.partition),
                index=task.partition.index,
                files=task.partition.files,
                teams=(),
                reason="its worker raised (a retry would not change it):\n" + result.error,
            )
    return results


def _died(executor: Executor, task: PartitionTask, outcome: WorkerDied) -> PartitionError:
    """The error for a partition that died twice, naming its teams when a census can read them."""
    census = PartitionTask(task.spec, task.partition, task.period, details=False, census=True)
    (counted,) = executor.run([census], alone=True)
    teams: list[str] = []
    if isinstance(counted, PartitionResult) and not counted.error and not counted.problems:
        teams = sorted(counted.teams)
    return PartitionError(
        partition=str(task.partition),
        index=task.partition.index,
        files=task.partition.files,
        teams=teams,
        reason=f"{outcome.reason}; and again on its retry",
    )


def _merge(
    pipeline: Pipeline,
    results: list[PartitionResult],
    restored: dict[int, list[TeamState]],
    period: str | None,
    details: bool,
) -> Report:
    problems = list(dict.fromkeys(p for result in results for p in result.problems))
    if problems:
        raise InputError(problems)
    chosen = _period(results, period)
    owner: dict[str, int] = {}
    for result in results:
        for team in result.teams:
            first = owner.setdefault(team, result.index)
            if first != result.index:
                problems.append(_split_team(team, first, result.index))
    if problems:
        raise InputError(problems)
    states = [state for i in range(len(results)) for state in restored[i]]
    local: dict[str, dict[str, Any]] | None = None
    if details:
        local = {
            team: data
            for result in results
            for team, data in zip(result.teams, result.local or (), strict=True)
        }
    return Report.merged(
        period=chosen,
        pipeline=pipeline,
        standings=pipeline.standings(states),
        engine_version=VERSION,
        local=local,
    )


def _problem(field: str, reason: str) -> InputProblem:
    return InputProblem(
        source="the partitions' files", record="(all records)", field=field, reason=reason
    )


def _period(results: list[PartitionResult], period: str | None) -> str:
    chosen = sorted({r.period for r in results if r.period is not None})
    present = sorted({p for r in results for p in r.periods})
    if period is not None:
        if not chosen:
            known = ", ".join(present) or "none"
            raise InputError(
                [
                    _problem(
                        "period",
                        f"no team has records for period {period!r} (periods present: {known})",
                    )
                ]
            )
        return period
    if len(chosen) == 1 and len(present) == 1:
        return chosen[0]
    reason = (
        "the facts contain no team record"
        if not present
        else f"the facts span periods {', '.join(present)}: pass period=..."
    )
    raise InputError([_problem("period", reason)])


def _split_team(team: str, first: int, second: int) -> InputProblem:
    return InputProblem(
        source="the partitions' files",
        record=f"team {team}",
        field="team",
        reason=f"team {team} is in partitions {first + 1} and {second + 1}: with partitions"
        " by file, each team's records must be in one file",
    )
