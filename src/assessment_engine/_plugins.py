"""Plugin manager: discovery, registration and hook calls attributed to their plugin.

Registration order, as in tox: blocked names are set aside first, then the built-in plugins,
then entry points of the ``assessment_engine`` group (sorted by name), then plugins passed
explicitly; ``check_pending()`` then rejects implementations of hooks that do not exist.
"""

from __future__ import annotations

import importlib.metadata
import logging
import os
from collections.abc import Iterable, Sequence
from typing import Any

import attrs
import pluggy

from . import hookspecs
from .errors import PluginError

__all__ = [
    "BLOCK_ENV",
    "BUILTIN_PLUGINS",
    "ENTRY_POINT_GROUP",
    "TRACE_ENV",
    "PluginInfo",
    "Registration",
    "call_hook",
    "create_plugin_manager",
]

ENTRY_POINT_GROUP = hookspecs.PROJECT_NAME
#: Comma-separated plugin names that are never registered (the built-ins included).
BLOCK_ENV = "ASSESSMENT_ENGINE_BLOCK_PLUGINS"
#: Set to 1 to log every hook call and what it returned (logger ``assessment_engine.plugins``).
TRACE_ENV = "ASSESSMENT_ENGINE_TRACE_HOOKS"
#: Plugins that ship with the core, registered like any other: (name, module path).
BUILTIN_PLUGINS: tuple[tuple[str, str], ...] = (
    ("assessment_engine.builtin_facts", "assessment_engine._builtin_facts"),
)

_log = logging.getLogger("assessment_engine.plugins")


@attrs.frozen
class Registration:
    """One object a plugin returned from a hook."""

    plugin: str
    hook: str
    obj: Any


@attrs.frozen
class PluginInfo:
    """What is known about a registered plugin: its name, where it came from, its hooks."""

    name: str
    source: str  # "builtin", "entry point", "explicit"
    distribution: str | None
    version: str | None
    hooks: tuple[str, ...]


def _blocked(extra: Iterable[str]) -> set[str]:
    names = {n.strip() for n in os.environ.get(BLOCK_ENV, "").split(",") if n.strip()}
    return names | set(extra)


def _plugin_name(plugin: object) -> str:
    name = getattr(plugin, "__name__", None)
    if isinstance(name, str):
        return name
    cls = type(plugin)
    return f"{cls.__module__}.{cls.__qualname__}"


class PluginSet:
    """A pluggy manager plus where each plugin came from."""

    def __init__(self) -> None:
        self.manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self.manager.add_hookspecs(hookspecs)
        self._sources: dict[str, tuple[str, str | None, str | None]] = {}

    def register(
        self, plugin: object, name: str, source: str, dist: tuple[str, str] | None = None
    ) -> None:
        """Register one plugin, turning pluggy's errors into :class:`PluginError`."""
        if self.manager.is_registered(plugin):
            return  # the same module found as an entry point and passed explicitly
        try:
            self.manager.register(plugin, name=name)
        except pluggy.PluginValidationError as exc:
            raise PluginError(str(exc), plugin=name) from exc
        except ValueError as exc:
            raise PluginError(
                f"cannot be registered: {exc} (two plugins with one name?)", plugin=name
            ) from exc
        self._sources[name] = (source, dist[0] if dist else None, dist[1] if dist else None)

    def check(self) -> None:
        """Reject implementations of hooks that the contract does not define."""
        try:
            self.manager.check_pending()
        except pluggy.PluginValidationError as exc:
            name = self.manager.get_name(exc.plugin) or _plugin_name(exc.plugin)
            raise PluginError(str(exc), plugin=name) from exc

    def infos(self) -> tuple[PluginInfo, ...]:
        """Every registered plugin, sorted by name."""
        result = []
        for name, plugin in self.manager.list_name_plugin():
            if plugin is None:
                continue
            hooks = sorted(h.name for h in self.manager.get_hookcallers(plugin) or () if h.name)
            source, dist, version = self._sources.get(name, ("explicit", None, None))
            result.append(PluginInfo(name, source, dist, version, tuple(hooks)))
        return tuple(sorted(result, key=lambda i: i.name))


def create_plugin_manager(
    plugins: Sequence[object] = (),
    *,
    entry_points: bool = True,
    block: Iterable[str] = (),
) -> PluginSet:
    """Build the plugin set for one engine.

    :param plugins: plugin objects or modules, or ``(name, plugin)`` pairs, given explicitly.
    :param entry_points: also load the plugins installed in the ``assessment_engine`` group.
    :param block: plugin names never to register (added to ``ASSESSMENT_ENGINE_BLOCK_PLUGINS``).
    """
    blocked = _blocked(block)
    plugin_set = PluginSet()
    for name, module_path in BUILTIN_PLUGINS:
        if name in blocked:
            continue
        plugin_set.register(importlib.import_module(module_path), name, "builtin")
    if entry_points:
        found = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
        for ep in sorted(found, key=lambda e: e.name):
            if ep.name in blocked:
                continue
            try:
                plugin = ep.load()
            except Exception as exc:
                raise PluginError(
                    f"entry point {ep.value!r} failed to load: {type(exc).__name__}: {exc}",
                    plugin=ep.name,
                ) from exc
            dist = (ep.dist.name, ep.dist.version) if ep.dist is not None else None
            plugin_set.register(plugin, ep.name, "entry point", dist)
    for item in plugins:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
            name, plugin = item
        else:
            name, plugin = _plugin_name(item), item
        if name in blocked:
            continue
        plugin_set.register(plugin, name, "explicit")
    plugin_set.check()
    return plugin_set


def call_hook(plugin_set: PluginSet, hook_name: str) -> list[Registration]:
    """Call every implementation of a hook, one by one, attributing results and failures.

    Implementations are called in pluggy's order (LIFO, ``tryfirst``/``trylast`` honoured). A
    hook that raises, or returns something other than a list, is a :class:`PluginError` naming
    the plugin.
    """
    manager = plugin_set.manager
    caller = getattr(manager.hook, hook_name)
    trace = os.environ.get(TRACE_ENV) == "1"
    registrations: list[Registration] = []
    for impl in reversed(caller.get_hookimpls()):
        name = impl.plugin_name
        try:
            result = impl.function()
        except Exception as exc:
            raise PluginError(
                f"raised {type(exc).__name__}: {exc}", plugin=name, hook=hook_name
            ) from exc
        if trace:
            _log.info("%s from %s returned %r", hook_name, name, result)
        if result is None:
            continue
        if not isinstance(result, list | tuple):
            raise PluginError(
                f"returned {type(result).__name__}, expected a list", plugin=name, hook=hook_name
            )
        registrations.extend(Registration(name, hook_name, obj) for obj in result)
    return registrations
