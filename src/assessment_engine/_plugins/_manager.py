"""Plugin manager: discovery, registration and hook calls attributed to their plugin.

Registration order, as in tox: blocked names are set aside first, then the built-in plugins,
then entry points of the ``assessment_engine`` group (sorted by name), then plugins passed
explicitly; ``check_pending()`` then rejects implementations of hooks that do not exist.
"""

from __future__ import annotations

import importlib.metadata
import inspect
import os
from collections.abc import Iterable, Sequence

import attrs
import pluggy

from .. import hookspecs
from .._base.hints import did_you_mean
from ..errors import PluginError

__all__ = [
    "BLOCK_ENV",
    "BUILTIN_PLUGINS",
    "ENTRY_POINT_GROUP",
    "PluginInfo",
    "PluginSet",
    "create_plugin_manager",
]

ENTRY_POINT_GROUP = hookspecs.PROJECT_NAME
#: Comma-separated plugin names that are never registered (the built-ins included).
BLOCK_ENV = "ASSESSMENT_ENGINE_BLOCK_PLUGINS"
#: Plugins that ship with the core, registered like any other: (name, module path).
BUILTIN_PLUGINS: tuple[tuple[str, str], ...] = (
    ("assessment_engine.builtin_facts", "assessment_engine._plugins.builtin_facts"),
)


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
        self._check_plugin(plugin, name)

    def _check_plugin(self, plugin: object, name: str) -> None:
        """Reject what pluggy accepts but this contract cannot use.

        A function named after a hook but not marked ``@hookimpl`` would be skipped silently,
        leaving the rubric without what the author meant to register; a wrapper cannot return a
        list of objects.
        """
        marker = f"{hookspecs.PROJECT_NAME}_impl"
        for hook in hookspecs.RUBRIC_HOOKS:
            try:  # statically, as pluggy does: no property is run
                found = inspect.getattr_static(plugin, hook)
            except AttributeError:
                continue
            if isinstance(found, staticmethod | classmethod):
                found = found.__func__
            if inspect.isroutine(found) and not isinstance(getattr(found, marker, None), dict):
                raise PluginError(
                    f"defines {hook}() without the @hookimpl decorator"
                    " (from assessment_engine import hookimpl), so it would never be called",
                    plugin=name,
                    hook=hook,
                )
        for caller in self.manager.get_hookcallers(plugin) or ():
            for impl in caller.get_hookimpls():
                if impl.plugin is plugin and (impl.wrapper or impl.hookwrapper):
                    raise PluginError(
                        "implements the hook as a wrapper; hooks return lists of objects"
                        " and do not wrap each other",
                        plugin=name,
                        hook=caller.name,
                    )

    def check(self) -> None:
        """Reject implementations of hooks that the contract does not define."""
        hooks = hookspecs.RUBRIC_HOOKS
        for hook_name in sorted(vars(self.manager.hook)):
            if hook_name.startswith("_"):
                continue
            caller = getattr(self.manager.hook, hook_name)
            if caller.has_spec():
                continue
            for impl in sorted(caller.get_hookimpls(), key=lambda i: i.plugin_name):
                if impl.optionalhook:
                    continue
                raise PluginError(
                    f"implements {hook_name!r}, which is not a hook"
                    f"{did_you_mean(hook_name, hooks)};"
                    f" the hooks are {', '.join(hooks)}",
                    plugin=impl.plugin_name,
                )
        try:
            self.manager.check_pending()
        except pluggy.PluginValidationError as exc:  # pragma: no cover - caught above
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
            except KeyboardInterrupt:
                raise
            except BaseException as exc:  # sys.exit() at import is a faulty plugin, too
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
