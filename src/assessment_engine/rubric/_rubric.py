"""The assembled rubric: every registered object, merged, sorted, checked and hashed."""

from __future__ import annotations

import difflib
import types
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from .._plugins import Registration
from ..errors import ConflictError, PluginError
from ..facts import Fact, fact_fields, validate_fact_type
from . import _serial
from ._check import check_rubric
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
from .scoring import Parts

__all__ = ["Rubric", "did_you_mean"]

_HOOK_TYPES: dict[str, tuple[type, ...]] = {
    "assessment_register_fact_types": (type,),
    "assessment_register_dimensions": (Dimension,),
    "assessment_register_indicators": (Indicator,),
    "assessment_register_rules": (Bonus, Penalty, Veto, Title, Quota),
    "assessment_register_grade_scales": (GradeScale,),
    "assessment_register_weights": (Weight,),
    "assessment_register_ranking": (Ranking,),
}

_WHAT = {
    Dimension: "dimension",
    Indicator: "indicator",
    Bonus: "bonus",
    Penalty: "penalty",
    Veto: "veto",
    Title: "title",
    Quota: "quota",
    GradeScale: "grade scale",
}


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest choice, or an empty string."""
    close = difflib.get_close_matches(name, sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


@attrs.frozen(eq=False, repr=False)
class Rubric:
    """The complete rubric the engine assesses with, merged from all plugins.

    Fact types, dimensions, indicators, rules, scales, weights and the ranking, sorted by id and
    checked.

    Build it with :meth:`from_registrations` (what the engine does) or :meth:`build` (for
    tests and scripts). :attr:`content_hash` identifies its content: it does not depend on the
    order in which plugins were registered or objects returned.
    """

    fact_types: Mapping[str, type[Fact]]
    dimensions: tuple[Dimension, ...]
    indicators: tuple[Indicator, ...]
    bonuses: tuple[Bonus, ...]
    penalties: tuple[Penalty, ...]
    vetoes: tuple[Veto, ...]
    titles: tuple[Title, ...]
    quotas: tuple[Quota, ...]
    grade_scales: tuple[GradeScale, ...]
    weights: tuple[Weight, ...]
    ranking: Ranking
    provenance: Mapping[str, str]
    content_hash: str

    def __repr__(self) -> str:
        return (
            f"<Rubric {self.content_hash[:12]}: {len(self.dimensions)} dimensions,"
            f" {len(self.indicators)} indicators, {len(self.bonuses) + len(self.penalties)}"
            f" adjustments, {len(self.vetoes)} vetoes, {len(self.titles)} titles>"
        )

    def plugin_of(self, object_id: str) -> str | None:
        """The name of the plugin that registered the object with this id."""
        return self.provenance.get(object_id)

    def to_data(self) -> dict[str, Any]:
        """The rubric as plain data (what the content hash is computed from)."""
        return _payload(self)

    @classmethod
    def build(
        cls,
        *,
        fact_types: Sequence[type[Fact]] = (),
        dimensions: Sequence[Dimension] = (),
        indicators: Sequence[Indicator] = (),
        rules: Sequence[Bonus | Penalty | Veto | Title | Quota] = (),
        grade_scales: Sequence[GradeScale] = (),
        weights: Sequence[Weight] = (),
        ranking: Ranking | None = None,
        source: str = "<rubric>",
    ) -> Rubric:
        """Assemble a rubric directly from objects.

        As if one plugin named ``source`` had registered them; the built-in fact types are used
        unless ``fact_types`` is given.
        """
        if not fact_types:
            from .._builtin_facts import assessment_register_fact_types

            fact_types = assessment_register_fact_types()
        groups: list[tuple[str, Sequence[Any]]] = [
            ("assessment_register_fact_types", fact_types),
            ("assessment_register_dimensions", dimensions),
            ("assessment_register_indicators", indicators),
            ("assessment_register_rules", rules),
            ("assessment_register_grade_scales", grade_scales),
            ("assessment_register_weights", weights),
            ("assessment_register_ranking", [ranking] if ranking is not None else []),
        ]
        return cls.from_registrations(
            Registration(source, hook, obj) for hook, objs in groups for obj in objs
        )

    @classmethod
    def from_registrations(cls, registrations: Iterable[Registration]) -> Rubric:
        """Merge what the plugins registered; raise on conflicts, bad types or bad references."""
        fact_types: dict[str, type[Fact]] = {}
        kind_owner: dict[str, str] = {}
        owners: dict[str, tuple[str, str]] = {}  # id -> (plugin, what)
        objects: dict[type, list[Any]] = {t: [] for t in _WHAT}
        weights: dict[str, Weight] = {}
        weight_owner: dict[str, str] = {}
        rankings: list[tuple[str, Ranking]] = []

        def claim(object_id: str, what: str, reg: Registration) -> None:
            previous = owners.get(object_id)
            if previous is None:
                owners[object_id] = (reg.plugin, what)
                return
            if previous[0] != reg.plugin:
                raise ConflictError(
                    object_id=object_id,
                    what=what if what == previous[1] else f"{previous[1]}/{what}",
                    plugins=(previous[0], reg.plugin),
                    hook=reg.hook,
                )
            raise PluginError(
                f"registers the id {object_id!r} twice (as {previous[1]} and {what})",
                plugin=reg.plugin,
                hook=reg.hook,
            )

        for reg in registrations:
            allowed = _HOOK_TYPES.get(reg.hook)
            if allowed is None:  # pragma: no cover - the hookspec module defines them all
                raise PluginError(f"unknown hook {reg.hook}", plugin=reg.plugin)
            obj = reg.obj
            if reg.hook == "assessment_register_fact_types":
                try:
                    kind = validate_fact_type(obj)
                except (TypeError, ValueError) as exc:
                    raise PluginError(str(exc), plugin=reg.plugin, hook=reg.hook) from exc
                if kind in kind_owner and fact_types[kind] is not obj:
                    raise ConflictError(
                        object_id=kind,
                        what="fact kind",
                        plugins=(kind_owner[kind], reg.plugin),
                        hook=reg.hook,
                    )
                fact_types[kind] = obj
                kind_owner[kind] = reg.plugin
                continue
            if not isinstance(obj, allowed):
                names = ", ".join(t.__name__ for t in allowed)
                raise PluginError(
                    f"returned {obj!r}; this hook takes {names} objects",
                    plugin=reg.plugin,
                    hook=reg.hook,
                )
            if isinstance(obj, Weight):
                if obj.dimension in weights:
                    if weight_owner[obj.dimension] != reg.plugin:
                        raise ConflictError(
                            object_id=obj.dimension,
                            what="weight of dimension",
                            plugins=(weight_owner[obj.dimension], reg.plugin),
                            hook=reg.hook,
                        )
                    raise PluginError(
                        f"registers the weight of {obj.dimension!r} twice",
                        plugin=reg.plugin,
                        hook=reg.hook,
                    )
                weights[obj.dimension] = obj
                weight_owner[obj.dimension] = reg.plugin
                continue
            if isinstance(obj, Ranking):
                rankings.append((reg.plugin, obj))
                if len(rankings) > 1:
                    raise ConflictError(
                        object_id="ranking",
                        what="ranking",
                        plugins=(rankings[0][0], reg.plugin),
                        hook=reg.hook,
                    )
                continue
            what = _WHAT[type(obj)]
            claim(obj.id, what, reg)
            if isinstance(obj, Indicator | Bonus | Penalty) and isinstance(obj.scoring, Parts):
                for part in obj.scoring.parts:
                    claim(part.id, f"part of {what} {obj.id}", reg)
            objects[type(obj)].append(obj)

        dimensions = tuple(sorted(objects[Dimension], key=lambda d: (d.order, d.id)))
        dim_order = {d.id: i for i, d in enumerate(dimensions)}

        def by_dimension(item: Any) -> tuple[int, str]:
            return (dim_order.get(item.dimension, len(dim_order)), item.id)

        provenance = {oid: plugin for oid, (plugin, _) in owners.items()}
        provenance.update({f"fact:{k}": p for k, p in kind_owner.items()})
        provenance.update({f"weight:{d}": p for d, p in weight_owner.items()})
        if rankings:
            provenance["ranking"] = rankings[0][0]
        rubric = cls(
            fact_types=types.MappingProxyType(dict(sorted(fact_types.items()))),
            dimensions=dimensions,
            indicators=tuple(sorted(objects[Indicator], key=by_dimension)),
            bonuses=tuple(sorted(objects[Bonus], key=by_dimension)),
            penalties=tuple(sorted(objects[Penalty], key=by_dimension)),
            vetoes=tuple(sorted(objects[Veto], key=lambda v: v.id)),
            titles=tuple(sorted(objects[Title], key=lambda t: (t.group, t.order, t.id))),
            quotas=tuple(sorted(objects[Quota], key=lambda q: q.id)),
            grade_scales=tuple(sorted(objects[GradeScale], key=lambda s: s.id)),
            weights=tuple(sorted(weights.values(), key=lambda w: dim_order.get(w.dimension, 0))),
            ranking=rankings[0][1] if rankings else Ranking(),
            provenance=types.MappingProxyType(dict(sorted(provenance.items()))),
            content_hash="",
        )
        check_rubric(rubric)
        return attrs.evolve(rubric, content_hash=_serial.content_hash(_payload(rubric)))


def _fact_type_data(cls: type[Fact]) -> dict[str, Any]:
    return {
        "class": f"{cls.__module__}.{cls.__qualname__}",
        "fields": {name: [spec.kind, spec.optional] for name, spec in fact_fields(cls).items()},
    }


def _payload(rubric: Rubric) -> dict[str, Any]:
    return {
        "fact_types": {k: _fact_type_data(c) for k, c in rubric.fact_types.items()},
        "dimensions": _serial.to_data(rubric.dimensions),
        "indicators": _serial.to_data(rubric.indicators),
        "bonuses": _serial.to_data(rubric.bonuses),
        "penalties": _serial.to_data(rubric.penalties),
        "vetoes": _serial.to_data(rubric.vetoes),
        "titles": _serial.to_data(rubric.titles),
        "quotas": _serial.to_data(rubric.quotas),
        "grade_scales": _serial.to_data(rubric.grade_scales),
        "weights": _serial.to_data(rubric.weights),
        "ranking": _serial.to_data(rubric.ranking),
    }
