"""The assembled rubric: every registered object, merged, sorted, checked and hashed."""

from __future__ import annotations

import types
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from ..errors import ConflictError, PluginError, RubricDataError
from ..facts import BUILTIN_FACT_TYPES, Fact, validate_fact_type
from . import _serial
from ._check import check_rubric
from ._fact_types import fact_type_data, fact_types_from_data
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
from .walk import parts_in

__all__ = ["Contribution", "Rubric"]


@attrs.frozen
class Contribution:
    """One object that a source — a plugin, a rubric file, a script — contributes to a rubric.

    :param source: who contributes it (a plugin's name): named in errors and in
        :meth:`Rubric.plugin_of`.
    :param obj: a fact type (a class) or a rubric object (:class:`Dimension`,
        :class:`Indicator`, :class:`Bonus`, ...): the rubric dispatches on its type.
    :param hook: how it was contributed (the plugin hook that returned it), for messages.
    """

    source: str
    obj: Any
    hook: str | None = None


#: The rubric objects a contribution may hold (besides fact types), by exact type.
_ACCEPTED: tuple[type, ...] = (
    Dimension,
    Indicator,
    Bonus,
    Penalty,
    Veto,
    Title,
    Quota,
    GradeScale,
    Weight,
    Ranking,
)

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


@attrs.frozen(eq=False, repr=False)
class Rubric:
    """The complete rubric the engine assesses with, merged from all plugins.

    Fact types, dimensions, indicators, rules, scales, weights and the ranking, sorted by id and
    checked.

    Build it with :meth:`assemble` (what the engine does) or :meth:`build` (for
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

    def to_data(self, *, classes: bool = False) -> dict[str, Any]:
        """The rubric as plain data (what the content hash is computed from).

        JSON-ready: each fact kind as its data form (label and fields: what a rubric sees of
        it), every other object as :func:`~assessment_engine.rubric.to_data` gives it.

        :param classes: also name each fact kind's class by its import path (``"class"``), so
            that :meth:`from_data` can import it; the content hash ignores these names
            (:func:`~assessment_engine.rubric.content_hash`): where a class is defined is not
            part of what the rubric decides.
        """
        payload = _payload(self)
        if classes:
            for kind, cls in self.fact_types.items():
                payload["fact_types"][kind]["class"] = f"{cls.__module__}.{cls.__qualname__}"
        return payload

    @classmethod
    def from_data(cls, data: Mapping[str, Any], *, source: str = "<rubric data>") -> Rubric:
        """Rebuild a rubric from its plain data: the inverse of :meth:`to_data`.

        Each fact class is imported by the path the data names (``to_data(classes=True)``) and
        checked to be the fact class of its kind with the data form the data holds; the other
        objects are rebuilt (and validated) as :func:`~assessment_engine.rubric.from_data`
        does, and the rubric is
        assembled and checked as if one plugin named ``source`` had registered everything.
        From data that :meth:`to_data` gave, the rubric has the same :attr:`content_hash`
        (``content_hash(data)``), whatever plugins are installed, as long as the fact classes
        are still there and unchanged.

        :raises RubricDataError: naming each fact class that cannot be imported or whose
            fields changed, each section missing or unknown, or why the data does not build.
        """
        if not isinstance(data, Mapping):
            raise RubricDataError([f"rubric data is a mapping of sections, got {data!r:.60}"])
        problems = [f"rubric data: section {s!r} is missing" for s in _SECTIONS if s not in data]
        problems += [f"rubric data: unknown section {s!r}" for s in data if s not in _SECTIONS]
        if problems:
            raise RubricDataError(problems)
        fact_types = fact_types_from_data(data)
        try:
            objects: list[Any] = [*fact_types.values()]
            for section in _SECTIONS[1:-1]:
                objects.extend(_serial.from_data(data[section]))
            objects.append(_serial.from_data(data["ranking"]))
            return cls.assemble(Contribution(source, obj) for obj in objects)
        except Exception as exc:  # the objects' validators, the assembly and its checks
            raise RubricDataError(
                [f"the rubric data does not build: {type(exc).__name__}: {exc}"]
            ) from exc

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
        objects: list[Any] = [
            *(fact_types or BUILTIN_FACT_TYPES),
            *dimensions,
            *indicators,
            *rules,
            *grade_scales,
            *weights,
            *([ranking] if ranking is not None else []),
        ]
        return cls.assemble(Contribution(source, obj) for obj in objects)

    @classmethod
    def assemble(cls, contributions: Iterable[Contribution]) -> Rubric:
        """Merge what the sources contributed; raise on conflicts, bad types or bad references.

        Each contribution is placed by its object's type, so the order of contributions (and of
        the plugins behind them) never changes the rubric or its content hash.
        """
        fact_types: dict[str, type[Fact]] = {}
        kind_owner: dict[str, str] = {}
        owners: dict[str, tuple[str, str]] = {}  # id -> (plugin, what)
        objects: dict[type, list[Any]] = {t: [] for t in _WHAT}
        weights: dict[str, Weight] = {}
        weight_owner: dict[str, str] = {}
        rankings: list[tuple[str, Ranking]] = []
        scale_owner: dict[str | None, str] = {}  # dimension (None: composite) -> plugin

        def claim(object_id: str, what: str, reg: Contribution) -> None:
            previous = owners.get(object_id)
            if previous is None:
                owners[object_id] = (reg.source, what)
                return
            if previous[0] != reg.source:
                raise ConflictError(
                    object_id=object_id,
                    what=what if what == previous[1] else "/".join(sorted((previous[1], what))),
                    plugins=(previous[0], reg.source),
                    hook=reg.hook,
                )
            raise PluginError(
                f"registers the id {object_id!r} twice (as {previous[1]} and {what})",
                plugin=reg.source,
                hook=reg.hook,
            )

        for reg in contributions:
            obj = reg.obj
            if isinstance(obj, type):
                kind = _check_fact_type(obj, reg)
                if kind in kind_owner:
                    if kind_owner[kind] != reg.source:
                        raise ConflictError(
                            object_id=kind,
                            what="fact kind",
                            plugins=(kind_owner[kind], reg.source),
                            hook=reg.hook,
                        )
                    raise PluginError(
                        f"registers the fact kind {kind!r} twice", plugin=reg.source, hook=reg.hook
                    )
                fact_types[kind] = obj
                kind_owner[kind] = reg.source
                continue
            if type(obj) not in _ACCEPTED:  # exact types: a subclass would not serialise or hash
                names = ", ".join(t.__name__ for t in _ACCEPTED)
                raise PluginError(
                    f"contributed {obj!r}; a rubric is made of fact types and {names} objects",
                    plugin=reg.source,
                    hook=reg.hook,
                )
            if isinstance(obj, Weight):
                if obj.dimension in weights:
                    if weight_owner[obj.dimension] != reg.source:
                        raise ConflictError(
                            object_id=obj.dimension,
                            what="weight of dimension",
                            plugins=(weight_owner[obj.dimension], reg.source),
                            hook=reg.hook,
                        )
                    raise PluginError(
                        f"registers the weight of {obj.dimension!r} twice",
                        plugin=reg.source,
                        hook=reg.hook,
                    )
                weights[obj.dimension] = obj
                weight_owner[obj.dimension] = reg.source
                continue
            if isinstance(obj, Ranking):
                if rankings:
                    if rankings[0][0] == reg.source:
                        raise PluginError(
                            "registers two rankings; return one", plugin=reg.source, hook=reg.hook
                        )
                    raise ConflictError(
                        object_id="ranking",
                        what="ranking",
                        plugins=(rankings[0][0], reg.source),
                        hook=reg.hook,
                    )
                rankings.append((reg.source, obj))
                continue
            if isinstance(obj, GradeScale):
                # one scale per dimension and one for the composite: across plugins a conflict
                # (within one plugin the rubric check reports it, naming both scales)
                first_owner = scale_owner.setdefault(obj.of, reg.source)
                if first_owner != reg.source:
                    raise ConflictError(
                        object_id="(composite)" if obj.of is None else obj.of,
                        what="grade scale of" if obj.of is None else "grade scale of dimension",
                        plugins=(first_owner, reg.source),
                        hook=reg.hook,
                    )
            what = _WHAT[type(obj)]
            claim(obj.id, what, reg)
            if isinstance(obj, Indicator | Bonus | Penalty):
                for part in parts_in(obj.scoring):
                    claim(part.id, f"part of {what} {obj.id}", reg)
            objects[type(obj)].append(obj)

        dimensions = tuple(sorted(objects[Dimension], key=lambda d: (d.order, d.id)))
        dim_order = {d.id: i for i, d in enumerate(dimensions)}

        def by_dimension(item: Any) -> tuple[int, int, str]:
            return (dim_order.get(item.dimension, len(dim_order)), item.order, item.id)

        def by_dimension_id(dimension: str) -> tuple[int, str]:
            return (dim_order.get(dimension, len(dim_order)), dimension)

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
            vetoes=tuple(sorted(objects[Veto], key=lambda v: (v.order, v.id))),
            titles=tuple(sorted(objects[Title], key=lambda t: (t.group, t.order, t.id))),
            quotas=tuple(sorted(objects[Quota], key=lambda q: q.id)),
            grade_scales=tuple(sorted(objects[GradeScale], key=lambda s: s.id)),
            weights=tuple(sorted(weights.values(), key=lambda w: by_dimension_id(w.dimension))),
            ranking=rankings[0][1] if rankings else Ranking(),
            provenance=types.MappingProxyType(dict(sorted(provenance.items()))),
            content_hash="",
        )
        check_rubric(rubric)
        return attrs.evolve(rubric, content_hash=_serial.content_hash(_payload(rubric)))


def _check_fact_type(obj: type, reg: Contribution) -> str:
    """A contributed fact type's kind (see :func:`~assessment_engine.facts.validate_fact_type`)."""
    try:
        return validate_fact_type(obj)
    except (TypeError, ValueError) as exc:
        raise PluginError(str(exc), plugin=reg.source, hook=reg.hook) from exc


#: The sections of a rubric's data, in its order.
_SECTIONS = (
    "fact_types",
    "dimensions",
    "indicators",
    "bonuses",
    "penalties",
    "vetoes",
    "titles",
    "quotas",
    "grade_scales",
    "weights",
    "ranking",
)


def _payload(rubric: Rubric) -> dict[str, Any]:
    return {
        "fact_types": {k: fact_type_data(c) for k, c in rubric.fact_types.items()},
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
