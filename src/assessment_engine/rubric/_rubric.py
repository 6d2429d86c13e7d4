"""The assembled rubric: every registered object, merged, sorted, checked and hashed."""

from __future__ import annotations

import datetime
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import attrs

from .._plugins import Registration
from ..errors import ConflictError, PluginError
from ..facts import Fact, Record, Team, fact_fields, validate_fact_type
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

__all__ = ["Rubric"]

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
        scale_owner: dict[str | None, str] = {}  # dimension (None: composite) -> plugin

        def claim(object_id: str, what: str, reg: Registration) -> None:
            previous = owners.get(object_id)
            if previous is None:
                owners[object_id] = (reg.plugin, what)
                return
            if previous[0] != reg.plugin:
                raise ConflictError(
                    object_id=object_id,
                    what=what if what == previous[1] else "/".join(sorted((previous[1], what))),
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
                kind = _check_fact_type(obj, reg)
                if kind in kind_owner:
                    if kind_owner[kind] != reg.plugin:
                        raise ConflictError(
                            object_id=kind,
                            what="fact kind",
                            plugins=(kind_owner[kind], reg.plugin),
                            hook=reg.hook,
                        )
                    raise PluginError(
                        f"registers the fact kind {kind!r} twice", plugin=reg.plugin, hook=reg.hook
                    )
                fact_types[kind] = obj
                kind_owner[kind] = reg.plugin
                continue
            if type(obj) not in allowed:  # exact types: a subclass would not serialise or hash
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
                if rankings:
                    if rankings[0][0] == reg.plugin:
                        raise PluginError(
                            "registers two rankings; return one", plugin=reg.plugin, hook=reg.hook
                        )
                    raise ConflictError(
                        object_id="ranking",
                        what="ranking",
                        plugins=(rankings[0][0], reg.plugin),
                        hook=reg.hook,
                    )
                rankings.append((reg.plugin, obj))
                continue
            if isinstance(obj, GradeScale):
                # one scale per dimension and one for the composite: across plugins a conflict
                # (within one plugin the rubric check reports it, naming both scales)
                first_owner = scale_owner.setdefault(obj.of, reg.plugin)
                if first_owner != reg.plugin:
                    raise ConflictError(
                        object_id="(composite)" if obj.of is None else obj.of,
                        what="grade scale of" if obj.of is None else "grade scale of dimension",
                        plugins=(first_owner, reg.plugin),
                        hook=reg.hook,
                    )
            what = _WHAT[type(obj)]
            claim(obj.id, what, reg)
            if isinstance(obj, Indicator | Bonus | Penalty) and isinstance(obj.scoring, Parts):
                for part in obj.scoring.parts:
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
            vetoes=tuple(sorted(objects[Veto], key=lambda v: v.id)),
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


def _check_fact_type(obj: object, reg: Registration) -> str:
    """Validate a registered fact type and return its kind, or raise :class:`PluginError`.

    On top of :func:`~assessment_engine.facts.validate_fact_type`: the class must be processed
    by attrs itself (a plain subclass of ``Record`` inherits ``__attrs_attrs__`` but its own
    annotations are not fields), derive from ``Record`` (``Team`` is the one team kind),
    keep the base fields ``team``, ``period``, ``id`` and ``tags`` as they are, and have
    annotations that resolve.
    """
    try:
        if isinstance(obj, type) and attrs.has(obj):
            clash = sorted({"fact_kind", "fact_label"} & set(attrs.fields_dict(obj)))
            if clash:
                raise TypeError(
                    f"{obj.__qualname__} declares {clash[0]} as an instance field;"
                    f" it is a class attribute: annotate it ClassVar[str]"
                )
        kind = validate_fact_type(obj)
        if not isinstance(obj, type):  # pragma: no cover - validate_fact_type checked it
            raise TypeError(f"a fact type must be a class, got {obj!r}")
        name = obj.__qualname__
        if "__attrs_attrs__" not in obj.__dict__:
            raise TypeError(
                f"{name} must be an attrs class itself (@attrs.frozen(kw_only=True)); deriving"
                " from Record is not enough"
            )
        if not issubclass(obj, Record) and obj is not Team:
            raise TypeError(f"{name} must derive from Record (Team is the only team kind)")
        try:
            fact_fields(obj)  # resolves the annotations, which the comparison below needs
        except NameError as exc:
            raise TypeError(
                f"the annotations of {name} do not resolve ({exc}): names used in them must be"
                f" importable from the class's module {obj.__module__!r}"
            ) from exc
        base = attrs.resolve_types(Record if issubclass(obj, Record) else Team)
        own = attrs.fields_dict(obj)
        for field_name, base_field in attrs.fields_dict(base).items():
            if own.get(field_name) != base_field:
                raise TypeError(
                    f"{name} redefines the field {field_name!r} of {base.__name__};"
                    " fact types keep the base fields as they are"
                )
    except (TypeError, ValueError) as exc:
        raise PluginError(str(exc), plugin=reg.plugin, hook=reg.hook) from exc
    return kind


def _fact_type_data(cls: type[Fact]) -> dict[str, Any]:
    """What a rubric sees of a fact kind, as data: the same for a Python class and a declaration.

    The label, and per field its kind, whether it may be missing, its default (absent when the
    field is required), its closed vocabulary (a ``Literal`` type) and whether the kind derives
    it (``init=False``). Not the class's import path, and not its validators: two classes that
    read the same records the same way hash alike, wherever they are defined.
    """
    fields: dict[str, Any] = {}
    own = attrs.fields_dict(cls)
    for name, spec in fact_fields(cls).items():
        field = own[name]
        entry: dict[str, Any] = {"kind": spec.kind, "optional": spec.optional}
        default: Any = field.default
        if not field.init:
            entry["derived"] = True
        elif isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            entry["default"] = _serial.to_data(_plain_default(default.factory()))
        elif default is not attrs.NOTHING:
            entry["default"] = _serial.to_data(_plain_default(default))
        tp = field.type
        if typing.get_origin(tp) in (typing.Union, types.UnionType):
            tp = next(a for a in typing.get_args(tp) if a is not type(None))
        if typing.get_origin(tp) is Literal:
            entry["values"] = sorted(typing.get_args(tp), key=repr)
        fields[name] = entry
    return {"label": cls.fact_label, "fields": fields}


def _plain_default(value: object) -> object:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


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
