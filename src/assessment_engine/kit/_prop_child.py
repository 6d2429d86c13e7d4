"""The other process of the determinism property: build the engine, assess, print the JSON.

Run as ``python -m assessment_engine.kit._prop_child`` with a recipe on standard input (written by
:meth:`~assessment_engine.kit._prop_subject.Subject.run_child`): the plugins to import (module
names) or the rubric as data, the facts file, the period and the matcher. It prints
``{"hash": <rubric content hash>, "report": <report JSON>}``; it exits with status 3 when it
cannot import a plugin or a fact type (the parent then tries another way, or skips).
"""

from __future__ import annotations

import importlib
import json
import sys
from typing import Any

CANNOT_IMPORT = 3


def _import(path: str) -> Any:
    module, _, qualname = path.partition(":")
    found: Any = importlib.import_module(module)
    for part in qualname.split(".") if qualname else ():
        found = getattr(found, part)
    return found


def main() -> int:
    """Run the recipe on standard input; see the module docstring."""
    recipe = json.load(sys.stdin)
    sys.path[:0] = [p for p in recipe["path"] if p not in sys.path]
    from ..engine import Engine
    from ..loading import load_json
    from ..rubric import Rubric, from_data

    try:
        if "plugins" in recipe:
            plugins = [(name, _import(module)) for name, module in recipe["plugins"]]
            engine = Engine(plugins, entry_points=False, matcher=recipe["matcher"])
        else:
            data = recipe["rubric"]
            rubric = Rubric.build(
                fact_types=[_import(path) for path in data["fact_types"]],
                dimensions=from_data(data["dimensions"]),
                indicators=from_data(data["indicators"]),
                rules=from_data(data["rules"]),
                grade_scales=from_data(data["grade_scales"]),
                weights=from_data(data["weights"]),
                ranking=from_data(data["ranking"]),
            )
            engine = Engine.from_rubric(rubric, matcher=recipe["matcher"])
    except (ImportError, AttributeError) as exc:
        print(f"cannot import in a child process: {type(exc).__name__}: {exc}", file=sys.stderr)
        return CANNOT_IMPORT
    with engine:
        facts = load_json(recipe["facts"], fact_types=engine.rubric.fact_types)
        report = engine.assess(facts, period=recipe["period"])
        json.dump({"hash": engine.rubric.content_hash, "report": report.to_json()}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
