"""Executors: where partitions run. One interface, three kinds.

An executor runs :func:`~._worker.run_partition` over tasks and returns, for each task in
order, its :class:`~._tasks.PartitionResult` or a :class:`WorkerDied` when the process running
it died. ``alone=True`` runs each task where nothing else runs (a fresh process, or the cluster
to itself), so that a death is that task's own: how retries are run.

* :class:`InProcess` — the driver's own process, one partition after another (the default).
  No isolation: a crash there is the driver's crash.
* :class:`ProcessPool` — ``concurrent.futures`` over ``spawn`` (or ``forkserver``) processes:
  durable-rules is a C extension, and a process that holds a loaded ruleset is never forked.
* ``DaskCluster`` (:mod:`._dask`) — a Dask distributed cluster, local or remote.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Literal

from ._tasks import PartitionResult, PartitionTask
from ._worker import forget_pipelines, run_partition

__all__ = ["Arrived", "Executor", "InProcess", "Outcome", "ProcessPool", "WorkerDied"]


@dataclass(frozen=True)
class WorkerDied:
    """The process that ran a task died before it returned (killed, aborted, crashed)."""

    reason: str


#: What an executor returns per task.
Outcome = PartitionResult | WorkerDied
#: Told of each task's outcome as it arrives: ``(index in the tasks, outcome)``.
Arrived = Callable[[int, Outcome], None]


class Executor:
    """Runs partitions: the interface every executor implements.

    Subclasses implement :meth:`run`; :meth:`start` and :meth:`close` hold whatever the
    executor needs between the runs of one assessment (a pool, a cluster).

    An executor is also a context manager: inside ``with``, its pool or cluster is kept across
    assessments; outside, each assessment starts and stops its own.
    """

    #: how many partitions run at the same time
    workers: int = 1

    def start(self) -> bool:
        """Get ready for runs; ``True`` when this call started something (to be closed)."""
        return False

    def close(self) -> None:
        """Release what :meth:`start` got (processes, a cluster). Idempotent."""

    def run(
        self,
        tasks: Sequence[PartitionTask],
        *,
        alone: bool = False,
        arrived: Arrived | None = None,
    ) -> list[Outcome]:
        """Each task's result (or its worker's death), in the tasks' order.

        :param alone: run each task where nothing else runs (how retries run).
        :param arrived: told of each outcome as it arrives, in any order (the driver merges
            while other partitions still run).
        """
        raise NotImplementedError

    def __enter__(self) -> Executor:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class InProcess(Executor):
    """Every partition in the driver's own process, one after another (the default).

    The same path as the other executors (the same data out and in), without processes: the
    reference they are compared to. The worker's pipeline is dropped after each run.
    """

    def run(
        self,
        tasks: Sequence[PartitionTask],
        *,
        alone: bool = False,
        arrived: Arrived | None = None,
    ) -> list[Outcome]:
        """Each task run here, in order."""
        outcomes: list[Outcome] = []
        try:
            for i, task in enumerate(tasks):
                outcomes.append(run_partition(task))
                if arrived is not None:
                    arrived(i, outcomes[-1])
        finally:
            forget_pipelines()
        return outcomes

    def __repr__(self) -> str:
        return "InProcess()"


class ProcessPool(Executor):
    """Partitions on a pool of ``workers`` local processes (``concurrent.futures``).

    :param workers: processes (and partitions run at the same time).
    :param context: ``"spawn"`` (default) or ``"forkserver"``; never ``"fork"``: a forked
        copy of a process holding a durable-rules ruleset is not safe
        (``docs/matchers.md``).

    Each process builds its engine once (for its first partition) and keeps it for the next.
    A process that dies breaks the pool: the partitions that were still running or waiting
    are reported as :class:`WorkerDied`, and the pool is started afresh for the next run.
    """

    def __init__(self, workers: int = 2, *, context: Literal["spawn", "forkserver"] = "spawn"):
        if workers < 1:
            raise ValueError(f"a process pool needs at least 1 worker, not {workers}")
        if context not in ("spawn", "forkserver"):
            raise ValueError(f"context must be 'spawn' or 'forkserver', not {context!r}")
        self.workers = workers
        self.context = context
        self._pool: ProcessPoolExecutor | None = None

    def _new_pool(self, workers: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(self.context))

    def start(self) -> bool:
        """Start the pool's processes (when not started yet)."""
        if self._pool is not None:
            return False
        self._pool = self._new_pool(self.workers)
        return True

    def close(self) -> None:
        """Stop the pool's processes."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def run(
        self,
        tasks: Sequence[PartitionTask],
        *,
        alone: bool = False,
        arrived: Arrived | None = None,
    ) -> list[Outcome]:
        """Each task on the pool; ``alone``: each in a process of its own."""
        if alone:
            outcomes: list[Outcome] = []
            for start in range(0, len(tasks), self.workers):
                pools = [self._new_pool(1) for _ in tasks[start : start + self.workers]]
                try:
                    futures = [
                        pool.submit(run_partition, task)
                        for pool, task in zip(pools, tasks[start:], strict=False)
                    ]
                    outcomes.extend(_outcome(f) for f in futures)
                    if arrived is not None:
                        for i in range(start, len(outcomes)):
                            arrived(i, outcomes[i])
                finally:
                    for pool in pools:
                        pool.shutdown(wait=True, cancel_futures=True)
            return outcomes
        self.start()
        assert self._pool is not None
        futures = [self._pool.submit(run_partition, task) for task in tasks]
        index = {future: i for i, future in enumerate(futures)}
        for future in as_completed(futures):
            if arrived is not None:
                arrived(index[future], _outcome(future))
        outcomes = [_outcome(f) for f in futures]
        if any(isinstance(o, WorkerDied) for o in outcomes):
            self.close()  # a broken pool takes no more work: the next run starts a fresh one
        return outcomes

    def __repr__(self) -> str:
        return f"ProcessPool({self.workers}, context={self.context!r})"


def _outcome(future: Future[PartitionResult]) -> Outcome:
    try:
        return future.result()
    except BrokenProcessPool as exc:
        return WorkerDied(
            f"its worker process died (killed, aborted or crashed in a C extension): {exc}"
        )
