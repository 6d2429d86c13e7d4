"""Calling the rubric hooks: each implementation alone, its results and failures attributed.

A hook that raises — anything, ``SystemExit`` included — or returns something the contract does
not take is a :class:`~assessment_engine.errors.PluginError` naming the plugin and the hook; only
``KeyboardInterrupt`` (the user stopping the program) passes through. What the hooks return
becomes :class:`~assessment_engine.rubric.Contribution` objects for the rubric to assemble.
"""

from __future__ import annotations

import logging
import os

from ..errors import PluginError
from ..hookspecs import HOOK_TYPES, RUBRIC_HOOKS
from ..rubric import Contribution
from ._manager import PluginSet

__all__ = ["TRACE_ENV", "call_hook", "collect_contributions"]

#: Set to 1 to log every hook call and what it returned (logger ``assessment_engine.plugins``).
TRACE_ENV = "ASSESSMENT_ENGINE_TRACE_HOOKS"

_log = logging.getLogger("assessment_engine.plugins")


def _tracing() -> bool:
    """Whether ``ASSESSMENT_ENGINE_TRACE_HOOKS=1``; then make sure the trace is seen.

    The trace goes to the ``assessment_engine.plugins`` logger at INFO. When the application
    has configured no logging at all, the variable still asks for a trace: it goes to stderr.
    """
    if os.environ.get(TRACE_ENV) != "1":
        return False
    if not _log.hasHandlers():
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
        _log.addHandler(handler)
        if _log.level == logging.NOTSET:
            _log.setLevel(logging.INFO)
    return True


def _accepts(hook: str, obj: object) -> bool:
    allowed = HOOK_TYPES[hook]
    if type in allowed:
        return isinstance(obj, type)
    return type(obj) in allowed  # exact types: a subclass would not serialise or hash


def call_hook(plugin_set: PluginSet, hook_name: str) -> list[Contribution]:
    """Call every implementation of a hook, one by one, attributing results and failures.

    Implementations are called in pluggy's order (LIFO, ``tryfirst``/``trylast`` honoured).
    """
    manager = plugin_set.manager
    caller = getattr(manager.hook, hook_name)
    trace = _tracing()
    contributions: list[Contribution] = []
    for impl in reversed(caller.get_hookimpls()):
        name = impl.plugin_name
        try:
            result = impl.function()
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # a plugin calling sys.exit() is a faulty plugin, too
            if trace:
                _log.info("%s of plugin %r raised %r", hook_name, name, exc)
            raise PluginError(
                f"raised {type(exc).__name__}: {exc}", plugin=name, hook=hook_name
            ) from exc
        if trace:
            _log.info("%s of plugin %r returned %r", hook_name, name, result)
        if result is None:
            continue
        if not isinstance(result, list | tuple):
            raise PluginError(
                f"returned {type(result).__name__}, expected a list", plugin=name, hook=hook_name
            )
        for obj in result:
            if not _accepts(hook_name, obj):
                names = ", ".join(t.__name__ for t in HOOK_TYPES[hook_name])
                what = (
                    "classes: a fact type must be a class derived from Record"
                    if HOOK_TYPES[hook_name] == (type,)
                    else f"{names} objects"
                )
                raise PluginError(
                    f"returned {obj!r}; this hook takes {what}", plugin=name, hook=hook_name
                )
            contributions.append(Contribution(name, obj, hook_name))
    return contributions


def collect_contributions(plugin_set: PluginSet) -> list[Contribution]:
    """Every contribution of every rubric hook, hook by hook (see :func:`call_hook`)."""
    return [c for hook in RUBRIC_HOOKS for c in call_hook(plugin_set, hook)]
