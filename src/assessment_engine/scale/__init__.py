"""Room 14: scale-out — assess in partitions, on a process pool or a Dask cluster.

Teams are split into partitions (a hash of the team id, the department, or one per input
file); each partition is assessed by a worker holding its own engine, built from the rubric as
data or from plugins named in text (never pickled objects); each worker reads its own
partition of the files and sends back its teams' states as plain data; the driver ranks them
together and builds the report, byte-identical to one process's. A worker that dies has its
partition retried once, alone; a second death is a :class:`~assessment_engine.errors.
PartitionError` naming the partition and its teams, and nothing partial is returned.

Inside: ``_tasks`` (what travels: specs, partitions, results), ``_worker`` (the worker's side),
``_executors`` (in-process, process pool), ``_dask`` (Dask distributed, the ``dask`` extra),
``_assess`` (the driver). See ``docs/scale.md``.
"""

from ._assess import assess_files, spec_of
from ._dask import DaskCluster
from ._executors import Executor, InProcess, Outcome, ProcessPool, WorkerDied
from ._tasks import (
    PARTITION_KINDS,
    Partition,
    PartitionBy,
    PartitionResult,
    PartitionTask,
    RubricSpec,
    partitions,
)
from ._worker import run_partition

__all__ = [
    "PARTITION_KINDS",
    "DaskCluster",
    "Executor",
    "InProcess",
    "Outcome",
    "Partition",
    "PartitionBy",
    "PartitionResult",
    "PartitionTask",
    "ProcessPool",
    "RubricSpec",
    "WorkerDied",
    "assess_files",
    "partitions",
    "run_partition",
    "spec_of",
]
