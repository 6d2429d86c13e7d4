"""A plugin named in text (``MODULE``, ``MODULE:ATTR`` or ``path.py:ATTR``), imported.

The command line's ``--plugin`` values, and what a scale-out worker receives instead of the
plugin objects themselves (:mod:`assessment_engine.scale`: plugins travel by name, never as
pickled objects).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

from ..errors import PluginError

__all__ = ["load_plugin"]


def _import_module(name: str) -> ModuleType:
    if name.endswith(".py"):
        path = Path(name)
        module_name = f"_assessment_cli_plugin_{path.stem}"
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot import {name}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[module_name]  # no half-imported module left for the next import
            raise
        return module
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    return importlib.import_module(name)


def load_plugin(spec: str) -> tuple[str, object]:
    """Import the plugin ``spec`` names; ``(spec, plugin)``, ready for ``Engine(plugins=...)``.

    A module, an object in it (``module:attr``, dotted attributes allowed) or a ``.py`` file
    (``path.py:attr``); a class is instantiated. A module name is looked up from the current
    directory too.

    :raises PluginError: naming the value, when it cannot be imported, found or built;
        whatever the plugin's code raised (``SystemExit`` from a ``sys.exit()`` at import
        included) becomes the error, only ``KeyboardInterrupt`` passes.
    """
    module_name, _, attr = spec.partition(":")
    try:
        if not module_name:
            raise ValueError("expected MODULE or MODULE:ATTR")
        obj: object = _import_module(module_name)
        for part in attr.split(".") if attr else ():
            obj = getattr(obj, part)
        if isinstance(obj, type):
            obj = obj()
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # a plugin is code: SystemExit from it is its failure
        raise PluginError(
            f"--plugin cannot load it: {type(exc).__name__}: {exc}", plugin=spec
        ) from exc
    return spec, obj
