"""What the checks and walkers read of a rubric, as a protocol (so they need not import it).

:class:`~assessment_engine.rubric.Rubric` has every part; the assembly checks a rubric before it
hashes it, and the walkers serve the tools, without either importing the class that uses them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from ..facts import Fact
from .model import (
    Bonus,
    Dimension,
    GradeScale,
    Indicator,
    Penalty,
    Quota,
    Ranking,
    Title,
    Veto,
    Weight,
)

__all__ = ["RubricParts"]


class RubricParts(Protocol):
    """The parts of an assembled rubric, read-only."""

    @property
    def fact_types(self) -> Mapping[str, type[Fact]]:
        """Fact kinds by name."""
        ...

    @property
    def dimensions(self) -> tuple[Dimension, ...]:
        """Dimensions, in order."""
        ...

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        """Indicators, by dimension and order."""
        ...

    @property
    def bonuses(self) -> tuple[Bonus, ...]:
        """Bonuses."""
        ...

    @property
    def penalties(self) -> tuple[Penalty, ...]:
        """Penalties."""
        ...

    @property
    def vetoes(self) -> tuple[Veto, ...]:
        """Vetoes."""
        ...

    @property
    def titles(self) -> tuple[Title, ...]:
        """Titles."""
        ...

    @property
    def quotas(self) -> tuple[Quota, ...]:
        """Title quotas."""
        ...

    @property
    def grade_scales(self) -> tuple[GradeScale, ...]:
        """Grade scales."""
        ...

    @property
    def weights(self) -> tuple[Weight, ...]:
        """Dimension weights."""
        ...

    @property
    def ranking(self) -> Ranking:
        """How teams are ranked."""
        ...

    @property
    def provenance(self) -> Mapping[str, str]:
        """Which source contributed each object, by id."""
        ...
