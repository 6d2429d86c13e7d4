"""Room 3: the plugin layer — discovery, registration, and hook calls attributed to their plugin.

``_manager`` finds and registers plugins (blocked names, built-ins, entry points, explicit
ones, then ``check()``); ``_calls`` calls the rubric hooks one implementation at a time and
turns what they return into :class:`~assessment_engine.rubric.Contribution` objects;
``builtin_facts`` is the built-in plugin of the core fact kinds; ``rubric_file`` serves a rubric
file (:mod:`assessment_engine.rubric.files`) through the hooks, like any plugin; ``_spec``
imports a plugin named in text (``load_plugin``).
"""

from ._calls import TRACE_ENV, call_hook, collect_contributions
from ._manager import (
    BLOCK_ENV,
    BUILTIN_PLUGINS,
    ENTRY_POINT_GROUP,
    PluginInfo,
    PluginSet,
    create_plugin_manager,
)
from ._spec import load_plugin
from .rubric_file import (
    RubricFilePlugin,
    locate_rubric_error,
    rubric_file,
    rubric_files,
    rubric_text,
)

__all__ = [
    "BLOCK_ENV",
    "BUILTIN_PLUGINS",
    "ENTRY_POINT_GROUP",
    "TRACE_ENV",
    "PluginInfo",
    "PluginSet",
    "RubricFilePlugin",
    "call_hook",
    "collect_contributions",
    "create_plugin_manager",
    "load_plugin",
    "locate_rubric_error",
    "rubric_file",
    "rubric_files",
    "rubric_text",
]
