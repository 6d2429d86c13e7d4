"""What the property tests are run on: an engine, and how to build it again.

The properties need more than one engine: the same plugins registered in another order, a fresh
engine built from scratch, and the same assessment in another process. A :class:`Subject` knows
how to do each for what it was given — a list of plugins, an :class:`~assessment_engine.Engine`
(whose entry-point plugins can be loaded again by name) or a
:class:`~assessment_engine.rubric.Rubric`.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
import tempfile
import types
from collections.abc import Sequence
from typing import Any

import attrs

from .._plugins import ENTRY_POINT_GROUP
from ..engine import Engine, MatcherName
from ..facts import Fact
from ..loading import dump_json
from ..rubric import Rubric, to_data

__all__ = ["ChildResult", "Subject"]

#: The exit status of the child when it cannot import what the engine needs.
CANNOT_IMPORT = 3


def _plugin_name(plugin: object) -> str:
    if isinstance(plugin, tuple):
        return str(plugin[0])
    name = getattr(plugin, "__name__", None)
    return name if isinstance(name, str) else type(plugin).__qualname__


def _importable(plugin: object) -> str | None:
    """The module name to import the plugin by in another process, if it is a module."""
    module = plugin[1] if isinstance(plugin, tuple) else plugin
    if not isinstance(module, types.ModuleType):
        return None
    name = module.__name__
    return name if sys.modules.get(name) is module and module.__spec__ is not None else None


@attrs.frozen
class ChildResult:
    """What the child process reported: the rubric's hash and the report's JSON, or why not."""

    hash: str | None
    report: str | None
    skipped: str | None = None


class Subject:
    """An engine to test, with the means to rebuild it.

    :param engine: the engine the properties run on.
    :param plugins: the plugins in their registration order, when known (the entry points an
        engine registered are loaded again by name); ``None`` when they cannot be recovered.
    :param owned: whether the subject built the engine (and closes it).
    """

    def __init__(
        self,
        engine: Engine,
        plugins: list[object] | None,
        owned: bool,
        matcher: MatcherName,
    ) -> None:
        self.engine = engine
        self.plugins = plugins
        self.owned = owned
        self.matcher = matcher
        self._built: list[Engine] = []

    @classmethod
    def of(cls, subject: object, matcher: MatcherName) -> Subject:
        """A subject for a list of plugins, an engine or a rubric."""
        if isinstance(subject, Engine):
            return cls(subject, _entry_point_plugins(subject), False, subject.matcher)  # type: ignore[arg-type]
        if isinstance(subject, Rubric):
            return cls(Engine.from_rubric(subject, matcher=matcher), None, True, matcher)
        if isinstance(subject, str | bytes) or not isinstance(subject, Sequence):
            raise TypeError(
                "the subject must be a sequence of plugins (modules or (name, plugin) pairs),"
                f" an Engine or a Rubric, got {type(subject).__name__}"
            )
        plugins = list(subject)
        if not plugins:
            raise ValueError("the subject has no plugins: give the plugin modules to test")
        engine = Engine(plugins, entry_points=False, matcher=matcher)
        return cls(engine, plugins, True, matcher)

    @property
    def rubric(self) -> Rubric:
        """The rubric under test."""
        return self.engine.rubric

    def plugin_names(self, order: Sequence[object]) -> str:
        """The names of plugins, for messages."""
        return ", ".join(_plugin_name(p) for p in order)

    def build(self, order: Sequence[object] | None = None) -> Engine:
        """A new engine: the plugins (in ``order``, by default as given) or the rubric again."""
        if self.plugins is None:
            engine = Engine.from_rubric(self.rubric, matcher=self.matcher)
        else:
            chosen = self.plugins if order is None else order
            engine = Engine(list(chosen), entry_points=False, matcher=self.matcher)
        self._built.append(engine)
        return engine

    def close(self) -> None:
        """Close the engines the subject built."""
        for engine in self._built:
            engine.close()
        self._built.clear()
        if self.owned:
            self.engine.close()

    # ------------------------------------------------------------------ another process
    def _recipes(self) -> list[dict[str, Any]]:
        """How a child process builds the engine: from the plugins if it can, else the rubric."""
        recipes: list[dict[str, Any]] = []
        if self.plugins is not None:
            modules = [_importable(p) for p in self.plugins]
            if all(m is not None for m in modules):
                names = [_plugin_name(p) for p in self.plugins]
                recipes.append({"plugins": [[n, m] for n, m in zip(names, modules, strict=True)]})
        rubric = self.rubric
        recipes.append(
            {
                "rubric": {
                    "fact_types": [
                        f"{c.__module__}:{c.__qualname__}" for c in rubric.fact_types.values()
                    ],
                    "dimensions": to_data(rubric.dimensions),
                    "indicators": to_data(rubric.indicators),
                    "rules": to_data(
                        [
                            *rubric.bonuses,
                            *rubric.penalties,
                            *rubric.vetoes,
                            *rubric.titles,
                            *rubric.quotas,
                        ]
                    ),
                    "grade_scales": to_data(rubric.grade_scales),
                    "weights": to_data(rubric.weights),
                    "ranking": to_data(rubric.ranking),
                }
            }
        )
        return recipes

    def run_child(self, facts: Sequence[Fact], period: str, hash_seed: str) -> ChildResult:
        """Assess ``facts`` in a fresh Python process with another hash seed."""
        with tempfile.TemporaryDirectory(prefix="assessment-kit-") as folder:
            path = os.path.join(folder, "facts.json")
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(dump_json(facts))
            reasons = []
            for recipe in self._recipes():
                payload = {
                    **recipe,
                    "path": [p for p in sys.path if p],
                    "facts": path,
                    "period": period,
                    "matcher": self.matcher,
                }
                done = subprocess.run(
                    [sys.executable, "-m", "assessment_engine.kit._prop_child"],
                    input=json.dumps(payload),
                    capture_output=True,
                    text=True,
                    env={**os.environ, "PYTHONHASHSEED": hash_seed},
                    timeout=300,
                    check=False,
                )
                if done.returncode == CANNOT_IMPORT:
                    reasons.append(done.stderr.strip().splitlines()[-1])
                    continue
                if done.returncode != 0:
                    raise AssertionError(
                        "determinism: the assessment failed in a fresh process"
                        f" (PYTHONHASHSEED={hash_seed}):\n{done.stderr.strip()}"
                    )
                result = json.loads(done.stdout)
                return ChildResult(result["hash"], result["report"])
            return ChildResult(None, None, "; ".join(reasons))


def _entry_point_plugins(engine: Engine) -> list[object] | None:
    """The engine's plugins, loaded again from their entry points; ``None`` if one is not."""
    found = {ep.name: ep for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}
    plugins: list[object] = []
    for info in engine.plugins:
        if info.source == "builtin":
            continue
        ep = found.get(info.name)
        if info.source != "entry point" or ep is None:
            return None
        plugins.append((info.name, ep.load()))
    return plugins if plugins else None
