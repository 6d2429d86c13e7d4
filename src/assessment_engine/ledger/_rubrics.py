"""Rubric versions: captured from an engine, rebuilt from their stored data, and compared.

A rubric is stored as :meth:`Rubric.to_data` gives it (every dimension, indicator, rule, scale,
weight and the ranking as plain data, and each fact kind as its class path and fields), with
the plugins and versions that registered it and which plugin registered which object. Because
the rubric is data, a run can be re-assessed under exactly its rubric later, whatever plugins
are installed then — as long as the fact classes still import and still have the same fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import attrs

from ..engine import Engine
from ..errors import RubricDataError
from ..rubric import Rubric
from ._json import canonical, sha256
from ._model import PluginVersion

__all__ = ["CapturedRubric", "RubricChange", "capture", "compare_rubrics", "rebuild"]

#: The sections of a rubric's data that hold objects with ids, in the rubric's order.
SECTIONS = (
    "dimensions",
    "indicators",
    "bonuses",
    "penalties",
    "vetoes",
    "titles",
    "quotas",
    "grade_scales",
    "weights",
)


@attrs.frozen
class CapturedRubric:
    """What is stored of an engine's rubric."""

    content_hash: str
    data: dict[str, Any]
    plugins: tuple[PluginVersion, ...]
    provenance: dict[str, str]

    @property
    def plugins_hash(self) -> str:
        """A digest of the plugin list (a rubric version is its content and its plugins)."""
        return sha256(canonical([attrs.asdict(p) for p in self.plugins]))


def capture(engine: Engine) -> CapturedRubric:
    """The rubric of ``engine`` and its plugins, as the ledger stores them."""
    plugins = tuple(
        sorted(
            (
                PluginVersion(
                    name=info.name,
                    distribution=info.distribution,
                    version=info.version,
                    source=info.source,
                )
                for info in engine.plugins
            ),
            key=lambda p: p.name,
        )
    )
    rubric = engine.rubric
    return CapturedRubric(
        content_hash=rubric.content_hash,
        data=rubric.to_data(classes=True),
        plugins=plugins,
        provenance=dict(rubric.provenance),
    )


def rebuild(data: Mapping[str, Any], content_hash: str) -> Rubric:
    """The rubric stored as ``data`` (:meth:`Rubric.from_data`), checked to have ``content_hash``.

    :raises RubricDataError: when a fact class is gone or changed, the data no longer builds,
        or the rebuilt rubric differs from the stored one (its hash is not the stored one).
    """
    rubric = Rubric.from_data(data, source="ledger")
    if rubric.content_hash != content_hash:
        raise RubricDataError(
            [
                f"the rebuilt rubric has hash {rubric.content_hash[:12]}, not the stored"
                f" {content_hash[:12]}: this version of assessment-engine reads the rubric"
                " differently"
            ]
        )
    return rubric


@attrs.frozen(kw_only=True)
class RubricChange:
    """One object that differs between two rubric versions.

    ``section`` is the rubric's section (``indicators``, ``weights`` ...) or ``fact_types``;
    ``plugin_before``/``plugin_after`` name the plugin that registered it in each.
    """

    section: str
    id: str
    change: Literal["added", "removed", "changed"]
    plugin_before: str | None
    plugin_after: str | None

    def __str__(self) -> str:
        plugin = self.plugin_after or self.plugin_before
        return f"{self.section[:-1] if self.section.endswith('s') else self.section} {self.id}" + (
            f" {self.change}" + (f" (plugin {plugin})" if plugin else "")
        )


def _objects(data: Mapping[str, Any], section: str) -> dict[str, Any]:
    if section == "fact_types":
        return dict(data["fact_types"])
    if section == "ranking":
        return {"ranking": data["ranking"]}
    key = "dimension" if section == "weights" else "id"
    return {item[key]: item for item in data[section]}


def _provenance_key(section: str, object_id: str) -> str:
    if section == "fact_types":
        return f"fact:{object_id}"
    if section == "weights":
        return f"weight:{object_id}"
    return object_id


def compare_rubrics(
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    provenance_before: Mapping[str, str],
    provenance_after: Mapping[str, str],
) -> tuple[RubricChange, ...]:
    """Every object added, removed or changed from ``before`` to ``after`` (rubric data)."""
    changes: list[RubricChange] = []
    for section in ("fact_types", *SECTIONS, "ranking"):
        old, new = _objects(before, section), _objects(after, section)
        for object_id in [*old, *(k for k in new if k not in old)]:
            if object_id in old and object_id in new:
                if canonical(old[object_id]) == canonical(new[object_id]):
                    continue
                change: Literal["added", "removed", "changed"] = "changed"
            else:
                change = "removed" if object_id in old else "added"
            key = _provenance_key(section, object_id)
            changes.append(
                RubricChange(
                    section=section,
                    id=object_id,
                    change=change,
                    plugin_before=provenance_before.get(key) if object_id in old else None,
                    plugin_after=provenance_after.get(key) if object_id in new else None,
                )
            )
    return tuple(changes)
