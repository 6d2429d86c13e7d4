"""The worker's side: build the engine from its spec, read the partition's files, assess.

:func:`run_partition` is what every executor runs, in the driver's process (``InProcess``), a
pool process or a Dask worker. It builds its own pipeline (the rubric from data or from plugins
named in text, its own matcher), keeps it for the next task of the same spec, reads only its
partition's files and sends back plain data. Whatever it raises is turned into data too: an
exception object never has to be pickled back.
"""

from __future__ import annotations

import os
import socket
import time
import traceback
from typing import Any

from .._base.collector import paused_gc
from .._base.version import VERSION
from .._matcher import make_matcher
from .._pipeline import Pipeline
from .._plugins import load_plugin, rubric_files
from ..engine import Engine
from ..errors import InputError
from ..loading import load_facts
from ..rubric import Rubric
from ..serialize import assessment_to_data
from ._tasks import PartitionResult, PartitionTask, RubricSpec

__all__ = ["forget_pipelines", "pipeline_for", "run_partition"]

# one pipeline per process: the spec's key and the pipeline (its memos warm for the next task)
_PIPELINE: list[tuple[tuple[Any, ...], Pipeline]] = []


def _rubric_of(spec: RubricSpec) -> Rubric:
    if spec.data is not None:
        return Rubric.from_data(spec.data, source="the driver's rubric")
    plugins: list[object] = [load_plugin(name) for name in spec.plugins]
    plugins.extend(rubric_files(*spec.rubric_files))
    # the plain matcher: this engine is only asked for its rubric
    with Engine(plugins, entry_points=spec.entry_points, block=spec.block, matcher="python") as e:
        return e.rubric


def pipeline_for(spec: RubricSpec) -> Pipeline:
    """The pipeline ``spec`` describes, built once per process and spec.

    :raises RuntimeError: when the rubric built here is not the driver's (another version of
        a plugin or of a fact class installed on this worker).
    """
    if _PIPELINE and _PIPELINE[0][0] == spec.key:
        return _PIPELINE[0][1]
    forget_pipelines()
    rubric = _rubric_of(spec)
    if rubric.content_hash != spec.rubric_hash:
        raise RuntimeError(
            f"the worker's rubric {rubric.content_hash[:12]} is not the driver's"
            f" {spec.rubric_hash[:12]}: install the same plugins and rubric files on every"
            " worker"
        )
    pipeline = Pipeline(rubric, make_matcher(spec.matcher))
    _PIPELINE.append((spec.key, pipeline))
    return pipeline


def forget_pipelines() -> None:
    """Close and drop the pipeline kept by this process (the in-process executor's clean-up)."""
    while _PIPELINE:
        _, pipeline = _PIPELINE.pop()
        pipeline.close()


def run_partition(task: PartitionTask) -> PartitionResult:
    """Assess one partition: every team of its files that it holds, as plain data.

    Input problems come back as ``problems``; any other failure as ``error`` (its traceback in
    words). A worker that dies returns nothing: the executor sees that.
    """
    started = time.process_time()
    try:
        with paused_gc():  # many containers, no cycles (as the pipeline's own steps)
            result = _run(task)
    except Exception:
        result = PartitionResult(
            index=task.partition.index,
            rubric_hash=task.spec.rubric_hash,
            error=traceback.format_exc(),
        )
    result.worker = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "cpu_seconds": time.process_time() - started,
        "peak_rss_kib": _peak_rss_kib(),
    }
    return result


def _peak_rss_kib() -> int | None:
    try:
        import resource
    except ImportError:  # not on this platform
        return None
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _run(task: PartitionTask) -> PartitionResult:
    pipeline = pipeline_for(task.spec)
    partition = task.partition
    result = PartitionResult(index=partition.index, rubric_hash=pipeline.rubric.content_hash)
    try:
        facts = load_facts(*partition.files, fact_types=pipeline.rubric.fact_types)
        result.periods = facts.periods
        if task.period is not None and task.period not in facts.periods:
            return result  # none of the partition's teams has the period (the driver checks)
        if not facts.periods and partition.by == "file":
            return result  # a file without teams: nothing to assess in it
        period = facts.choose_period(task.period)
        teams = [t for t in facts.teams(period) if partition.holds(t.team, t.department)]
        result.period = period
        result.teams = [t.team for t in teams]
        if task.census:
            return result
        states = pipeline.assess(
            [(team, facts.rows(period, team.team)) for team in teams],
            source=facts.source,
            locate=facts.location,
        )
    except InputError as exc:
        return PartitionResult(
            index=partition.index, rubric_hash=result.rubric_hash, problems=exc.problems
        )
    # in rank order: the driver's sort of the partitions' runs is then a merge
    ranked = pipeline.standings(states)
    states = [ranked.state(team) for team in ranked.order()]
    result.teams = [state.team.team for state in states]
    result.states = [pipeline.export_state(state) for state in states]
    if task.details:
        result.local = [
            assessment_to_data(pipeline.local_assessment(state, VERSION)) for state in states
        ]
    return result
