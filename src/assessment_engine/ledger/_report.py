"""A recorded report, read back: the exact stored JSON and its assessments as objects."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from ..results import Assessment
from ..serialize import assessment_from_data

__all__ = ["StoredReport"]


class StoredReport:
    """The report of a recorded run, as stored (``Report.to_json()``, byte for byte).

    Iterating gives the assessments in rank order, as :class:`~assessment_engine.Assessment`
    objects with their explanations; ``report["food-chem"]`` gives one team's.
    """

    def __init__(self, run: int, text: str) -> None:
        self.run = run
        self.text = text
        self._data: dict[str, Any] = json.loads(text)
        self._by_team = {item["team"]: item for item in self._data["teams"]}
        self._built: dict[str, Assessment] = {}

    @property
    def period(self) -> str:
        """The period assessed."""
        return str(self._data["period"])

    @property
    def rubric_hash(self) -> str:
        """The content hash of the rubric used."""
        return str(self._data["rubric_hash"])

    @property
    def engine_version(self) -> str:
        """The engine version that produced the report."""
        return str(self._data["engine_version"])

    @property
    def teams(self) -> tuple[str, ...]:
        """Team ids in rank order (vetoed teams last)."""
        return tuple(self._by_team)

    def to_data(self) -> dict[str, Any]:
        """The report as plain data (a copy)."""
        return json.loads(self.text)  # type: ignore[no-any-return]

    def to_json(self) -> str:
        """The stored JSON text, exactly as the engine wrote it."""
        return self.text

    def __len__(self) -> int:
        return len(self._by_team)

    def __contains__(self, team: object) -> bool:
        return team in self._by_team

    def __getitem__(self, team: str) -> Assessment:
        built = self._built.get(team)
        if built is None:
            built = assessment_from_data(self._by_team[team])
            self._built[team] = built
        return built

    def __iter__(self) -> Iterator[Assessment]:
        for team in self._by_team:
            yield self[team]

    @property
    def assessments(self) -> tuple[Assessment, ...]:
        """Every assessment, in rank order."""
        return tuple(self)

    def __repr__(self) -> str:
        return f"<StoredReport of run {self.run}: {self.period}, {len(self)} teams>"
