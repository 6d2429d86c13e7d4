"""The plugin contract: every hook a rule-set plugin can implement.

A plugin is any object or module with functions named after these hooks and decorated with
:data:`hookimpl`. Every hook takes no argument and returns a list of data objects (or ``None``
for nothing). Plugins register *data* — fact types, indicators, rules, scales, weights — never
callbacks that run during an assessment, so a faulty plugin fails when the engine is built,
with its name in the error, and cannot corrupt another plugin's results.

Plugins are found through the ``assessment_engine`` entry-point group, or passed to the engine
explicitly; the built-in fact types come from a plugin registered the same way.

**Call order.** Each hook is called once per plugin, in pluggy's order: plugins registered later
are called first (LIFO), ``tryfirst``/``trylast`` are honoured. The engine calls each
implementation separately, so a hook that raises is reported with its plugin's name. Then the
results are merged and sorted (by ``order`` where an object has one, then by id): registration
order never changes the rubric, its content hash or any result. Two plugins that register the same
id (or the weight, or the grade scale, of one dimension, or a ranking each) fail with a
:class:`~assessment_engine.errors.ConflictError` naming both; one plugin that registers an id twice
fails with a :class:`~assessment_engine.errors.PluginError`. So does a hook that raises or returns
anything but a list (or tuple) of the objects it takes; the exact classes are required, not
subclasses.

Hooks are called in this sequence when an engine is built (:data:`RUBRIC_HOOKS`, the order of
this module): ``assessment_register_fact_types``, ``assessment_register_dimensions``,
``assessment_register_indicators``, ``assessment_register_rules``,
``assessment_register_grade_scales``, ``assessment_register_weights``,
``assessment_register_ranking``. What each may return is read from its annotation
(:data:`HOOK_TYPES`).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping, Sequence
from typing import Final

import pluggy

from .facts import Fact
from .rubric import (
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

__all__ = [
    "HOOK_TYPES",
    "PROJECT_NAME",
    "RUBRIC_HOOKS",
    "assessment_register_dimensions",
    "assessment_register_fact_types",
    "assessment_register_grade_scales",
    "assessment_register_indicators",
    "assessment_register_ranking",
    "assessment_register_rules",
    "assessment_register_weights",
    "hookimpl",
    "hookspec",
]

#: The pluggy project name, which is also the entry-point group plugins are found in.
PROJECT_NAME = "assessment_engine"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
#: Decorator for hook implementations in a plugin: ``@hookimpl def assessment_register_...``.
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def assessment_register_fact_types() -> Sequence[type[Fact]] | None:
    """Register fact kinds of the plugin's own.

    Called first, once per plugin, when an engine is built.

    :return: classes derived from :class:`~assessment_engine.facts.Record` and decorated with
        ``@attrs.frozen(kw_only=True)`` themselves, each setting its own class attribute
        ``fact_kind: ClassVar[str]`` (a lower-case identifier unique across all plugins) and
        keeping the base fields (``team``, ``period``, ``id``, ``tags``) as they are. The
        engine then accepts records of that kind and rubrics can select them.

    .. versionadded:: 0.1
    """


@hookspec
def assessment_register_dimensions() -> Sequence[Dimension] | None:
    """Register assessment dimensions (党建, 业务, 精神文明, ...).

    :return: :class:`~assessment_engine.rubric.Dimension` objects; ids unique across plugins.

    .. versionadded:: 0.1
    """


@hookspec
def assessment_register_indicators() -> Sequence[Indicator] | None:
    """Register indicators, each in a dimension some plugin registers.

    A department plugin adds indicators to an existing dimension this way, without touching
    the plugin that registered the dimension.

    :return: :class:`~assessment_engine.rubric.Indicator` objects; ids unique across plugins.

    .. versionadded:: 0.1
    """


@hookspec
def assessment_register_rules() -> Sequence[Bonus | Penalty | Veto | Title | Quota] | None:
    """Register rules outside indicators: bonuses, penalties, vetoes, titles and title quotas.

    :return: :class:`~assessment_engine.rubric.Bonus`,
        :class:`~assessment_engine.rubric.Penalty`, :class:`~assessment_engine.rubric.Veto`,
        :class:`~assessment_engine.rubric.Title` and :class:`~assessment_engine.rubric.Quota`
        objects in any mix; ids unique across plugins.

    .. versionadded:: 0.1
    """


@hookspec
def assessment_register_grade_scales() -> Sequence[GradeScale] | None:
    """Register grade scales for dimensions or for the composite.

    :return: :class:`~assessment_engine.rubric.GradeScale` objects; at most one scale per
        dimension and one for the composite, across all plugins.

    .. versionadded:: 0.1
    """


@hookspec
def assessment_register_weights() -> Sequence[Weight] | None:
    """Register the weights of dimensions in the composite.

    When no plugin registers a weight the composite is the plain sum of the dimension scores;
    once any weight is registered, every dimension needs one.

    :return: :class:`~assessment_engine.rubric.Weight` objects; one per dimension at most.

    .. versionadded:: 0.1
    """


@hookspec
def assessment_register_ranking() -> Sequence[Ranking] | None:
    """Register how teams are ranked (a tie-break chain, the place of vetoed teams).

    At most one plugin may register a ranking; without one, teams are ranked by composite with
    competition ranking (1, 1, 3) and vetoed teams unranked.

    :return: a list holding one :class:`~assessment_engine.rubric.Ranking`.

    .. versionadded:: 0.1
    """


def _accepted_types(hook: object) -> tuple[type, ...]:
    """The classes a hook's return annotation ``Sequence[A | B] | None`` names.

    ``type[Fact]`` is given as ``type``: the hook returns classes.
    """
    returned = typing.get_type_hints(hook)["return"]
    (sequence,) = [a for a in typing.get_args(returned) if a is not type(None)]
    (item,) = typing.get_args(sequence)
    members = (
        typing.get_args(item)
        if typing.get_origin(item) in (typing.Union, types.UnionType)
        else (item,)
    )
    return tuple(type if typing.get_origin(m) is type else m for m in members)


#: The hooks whose results make a rubric, in the order they are called: fact types first, so
#: that everything after may refer to them. Every hook of this module, in source order.
RUBRIC_HOOKS: Final[tuple[str, ...]] = tuple(
    name
    for name, value in list(globals().items())
    if name.startswith("assessment_register_") and hasattr(value, f"{PROJECT_NAME}_spec")
)

#: What each hook may return, read from its annotation (the contract says it once).
HOOK_TYPES: Final[Mapping[str, tuple[type, ...]]] = types.MappingProxyType(
    {name: _accepted_types(globals()[name]) for name in RUBRIC_HOOKS}
)
