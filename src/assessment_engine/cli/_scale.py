"""The scale-out options the assessing commands share: --workers, --scheduler, --partition-by.

Without ``--workers`` or ``--scheduler`` a command assesses in its own process as before. With
them, :func:`assess` runs :func:`assessment_engine.scale.assess_files` over the fact files:
``--workers N`` on a pool of N local processes, ``--scheduler ADDRESS`` on an existing Dask
cluster (with ``--workers N`` and ``--scheduler local``: a local Dask cluster of N workers).
The workers build their engine from the same options (plugins by name, rubric files by path),
never from pickled objects.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import attrs
import click

from .._base.progress import ProgressCallback
from ..engine import Engine
from ..factset import FactSet
from ..report import Report
from ..scale import PARTITION_KINDS, DaskCluster, Executor, ProcessPool, RubricSpec, assess_files
from ._common import rubric_file_options
from ._inputs import FactFiles

__all__ = ["LOCAL", "Scale", "assess", "assessed", "scale_of", "scale_options"]

F = TypeVar("F", bound=Callable[..., Any])

#: ``--scheduler local``: start a local Dask cluster (of ``--workers`` workers).
LOCAL = "local"


@attrs.frozen
class Scale:
    """What the scale-out options asked for."""

    workers: int | None
    scheduler: str | None
    partition_by: str

    @property
    def enabled(self) -> bool:
        """Whether the assessment runs in partitions (``--workers`` or ``--scheduler`` given)."""
        return self.workers is not None or self.scheduler is not None

    def executor(self) -> Executor:
        """The executor the options name."""
        if self.scheduler is None:
            return ProcessPool(self.workers or 1)
        if self.scheduler == LOCAL:
            return DaskCluster(self.workers or 2)
        return DaskCluster(scheduler=self.scheduler)


def scale_options(func: F) -> F:
    """--workers N, --scheduler ADDRESS, --partition-by hash|department|file (into ``scale``)."""
    options = [
        click.option(
            "--workers",
            type=click.IntRange(min=1),
            default=None,
            metavar="N",
            help="Assess in partitions on N local worker processes (docs/scale.md); the"
            " results are the same as in one process.",
        ),
        click.option(
            "--scheduler",
            default=None,
            metavar="ADDRESS",
            help="Assess on the Dask cluster of this scheduler (tcp://host:8786), or 'local'"
            " for a local Dask cluster of --workers workers (needs the dask extra). The"
            " workers read the fact files by the paths given.",
        ),
        click.option(
            "--partition-by",
            type=click.Choice(PARTITION_KINDS),
            default="hash",
            show_default=True,
            help="How teams are split with --workers/--scheduler: a hash of the team id, the"
            " department, or one partition per fact file (each team in one file).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def scale_of(workers: int | None, scheduler: str | None, partition_by: str) -> Scale:
    """The options' values as one object."""
    return Scale(workers, scheduler, partition_by)


def assess(
    engine: Engine,
    scale: Scale,
    paths: Sequence[str],
    *,
    period: str | None,
    details: bool,
    plugins: Sequence[str],
    no_entry_points: bool,
    block: Sequence[str],
) -> Report:
    """The report of ``paths`` assessed in partitions as ``scale`` says."""
    spec = RubricSpec(
        rubric_hash=engine.rubric.content_hash,
        matcher=engine.matcher,
        plugins=tuple(plugins),
        rubric_files=rubric_file_options(),
        entry_points=not no_entry_points,
        block=tuple(block),
    )
    return assess_files(
        engine,
        paths,
        executor=scale.executor(),
        partition_by=scale.partition_by,  # type: ignore[arg-type]
        period=period,
        details=details,
        spec=spec,
    )


def assessed(
    engine: Engine,
    scale: Scale,
    files: FactFiles,
    progress: ProgressCallback | None,
    *,
    period: str | None,
    details: bool,
    plugins: Sequence[str],
    no_entry_points: bool,
    block: Sequence[str],
) -> tuple[Report, FactSet | None]:
    """The report of ``files``, and their fact set when they were read in this process.

    With workers (``scale.enabled``) the workers read the files and the fact set is ``None``;
    else the files are read and assessed here, with progress.
    """
    if scale.enabled:
        report = assess(
            engine,
            scale,
            files.paths,
            period=period,
            details=details,
            plugins=plugins,
            no_entry_points=no_entry_points,
            block=block,
        )
        return report, None
    fact_set = files.read(engine, progress)
    return engine.assess(fact_set, period=period, progress=progress), fact_set
