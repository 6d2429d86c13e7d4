"""The Dask executor: partitions on a Dask distributed cluster (the ``dask`` extra).

Without a scheduler address it starts a ``LocalCluster`` of worker processes on this machine
(``processes=True``, one thread each, no dashboard, listening on 127.0.0.1 only, on free
ports) for the time of
an assessment, or of a ``with`` block. With ``scheduler="tcp://host:8786"`` it joins an
existing cluster, whose workers must have assessment-engine, the same plugins and the input
files at the same paths.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from .._base.optional import require
from ._executors import Arrived, Executor, Outcome, WorkerDied
from ._tasks import PartitionTask
from ._worker import run_partition

__all__ = ["DaskCluster"]


def _distributed() -> Any:
    return require("distributed", extra="dask", purpose="the Dask executor")


class DaskCluster(Executor):
    """Partitions on a Dask distributed cluster.

    :param workers: worker processes of the local cluster (ignored with ``scheduler``: the
        cluster's own workers run the partitions; :attr:`workers` is then read from it and is
        the default number of partitions).
    :param scheduler: the address of an existing cluster's scheduler (``"tcp://host:8786"``);
        ``None`` starts a local one.
    :param memory_limit: each local worker's memory limit (Dask's ``memory_limit``: ``"4GiB"``,
        ``"auto"``, or ``0`` for none); the nanny restarts a worker that passes it.

    A local cluster is started with ``allowed_failures=0``: a partition whose worker dies comes
    back at once as :class:`~._executors.WorkerDied`, and the driver retries it once, alone.
    An existing cluster's scheduler applies its own ``allowed-failures`` first (Dask's
    default: 3 reruns) before the driver's one retry.
    """

    def __init__(
        self,
        workers: int = 2,
        *,
        scheduler: str | None = None,
        memory_limit: str | int = "auto",
    ) -> None:
        if workers < 1:
            raise ValueError(f"a Dask cluster needs at least 1 worker, not {workers}")
        self.workers = workers
        self.scheduler = scheduler
        self.memory_limit = memory_limit
        self._cluster: Any = None
        self._client: Any = None

    def start(self) -> bool:
        """Connect to the scheduler, or start the local cluster (when not done yet)."""
        if self._client is not None:
            return False
        distributed = _distributed()
        if self.scheduler is None:
            self._cluster = distributed.LocalCluster(
                n_workers=self.workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                memory_limit=self.memory_limit,
                silence_logs=logging.ERROR,
                # its HTTP routes on a free loopback port: the default, 8787, may be taken
                scheduler_kwargs={
                    "allowed_failures": 0,
                    "dashboard": False,
                    "dashboard_address": "127.0.0.1:0",
                },
            )
            self._client = distributed.Client(self._cluster, set_as_default=False)
        else:
            self._client = distributed.Client(self.scheduler, set_as_default=False)
            self.workers = max(1, len(self._client.scheduler_info().get("workers", {})))
        return True

    def close(self) -> None:
        """Disconnect, and stop the local cluster."""
        client, self._client = self._client, None
        cluster, self._cluster = self._cluster, None
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()

    def run(
        self,
        tasks: Sequence[PartitionTask],
        *,
        alone: bool = False,
        arrived: Arrived | None = None,
    ) -> list[Outcome]:
        """Each task on the cluster; ``alone``: one at a time, the cluster to itself."""
        self.start()
        client = self._client
        distributed = _distributed()
        killed = distributed.KilledWorker
        outcomes: list[Outcome]
        if alone:  # one at a time: a death is then the task's own
            outcomes = []
            for i, task in enumerate(tasks):
                outcomes.append(
                    self._result(client.submit(run_partition, task, pure=False), killed)
                )
                if arrived is not None:
                    arrived(i, outcomes[-1])
            return outcomes
        futures = [client.submit(run_partition, task, pure=False) for task in tasks]
        index = {future.key: i for i, future in enumerate(futures)}
        found: dict[int, Outcome] = {}
        for future in distributed.as_completed(futures, loop=client.loop):
            i = index[future.key]
            found[i] = self._result(future, killed)
            future.release()  # the result is here: the cluster need not keep it
            if arrived is not None:
                arrived(i, found[i])
        return [found[i] for i in range(len(tasks))]

    @staticmethod
    def _result(future: Any, killed: type[Exception]) -> Outcome:
        try:
            return future.result()  # type: ignore[no-any-return]
        except killed as exc:
            return WorkerDied(f"its Dask worker died (killed, aborted or crashed): {exc}")

    def __repr__(self) -> str:
        where = self.scheduler or f"a local cluster of {self.workers}"
        return f"DaskCluster({where})"
