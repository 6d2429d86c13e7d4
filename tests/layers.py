"""The package's rooms, and a checker of the imports between them (used by test_layers.py).

A room imports only rooms with a lower number (or modules of its own room, without a circle).
Every import counts: at module level, under ``if TYPE_CHECKING:`` and inside functions — they
are coupling all the same. A name with a leading underscore is private to the package (or
module) that holds it: ``assessment_engine._pipeline._plan`` may be imported only from inside
``assessment_engine._pipeline``, and ``_plan._matchable`` only from inside ``_plan`` itself.

The checker works on any source tree (``check(src_root, rooms)``), so the tests can prove that
it catches a planted violation.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE = "assessment_engine"

#: The rooms, lowest first: (number, name, module prefixes). The package's ``__init__`` is above
#: every room (it re-exports the public names); no module of the package may import it.
ROOMS: tuple[tuple[int, str, tuple[str, ...]], ...] = (
    (0, "base", ("errors", "_base")),
    (1, "facts", ("facts", "factset", "loading", "spreadsheets")),
    (2, "rubric", ("rubric",)),
    (3, "plugins", ("hookspecs", "_plugins")),
    (4, "matcher", ("_matcher",)),
    (5, "results", ("results", "serialize")),
    (6, "pipeline", ("_pipeline",)),
    (7, "report", ("report",)),
    (8, "render", ("render", "html_report")),
    (9, "facade", ("engine", "session")),
    (10, "analysis", ("_analysis", "lint")),
    (11, "search", ("strategies", "whatif")),
    (12, "kit", ("kit", "ledger")),
    (13, "testing", ("testing", "pytest_plugin", "scenarios")),
    (14, "scale", ("scale",)),
    (15, "cli", ("cli",)),
)
TOP = 99


@dataclass(frozen=True)
class Module:
    """One module of the tree: its dotted name, file and whether it is a package's ``__init__``."""

    name: str
    path: Path
    is_package: bool


@dataclass(frozen=True)
class Import:
    """One imported thing: the importing module, the target's dotted path, where it is."""

    importer: str
    target: str
    line: int


@dataclass
class Report:
    """What the checker found."""

    upward: list[str] = field(default_factory=list)
    circles: list[list[str]] = field(default_factory=list)
    private: list[str] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether nothing was found."""
        return not (self.upward or self.circles or self.private or self.unplaced)


def modules(src_root: Path, package: str = PACKAGE) -> dict[str, Module]:
    """Every module of ``package`` under ``src_root``, by dotted name."""
    found: dict[str, Module] = {}
    for path in sorted((src_root / package).rglob("*.py")):
        parts = list(path.relative_to(src_root).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        name = ".".join(parts)
        found[name] = Module(name, path, is_package)
    return found


def _base_of(module: Module, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    parts = module.name.split(".")
    if not module.is_package:
        parts = parts[:-1]
    if node.level > 1:
        parts = parts[: len(parts) - (node.level - 1)]
    return ".".join([*parts, *([node.module] if node.module else [])])


def imports_of(module: Module, known: Mapping[str, Module], package: str = PACKAGE) -> list[Import]:
    """Everything ``module`` imports from ``package``, anywhere in its source.

    ``from x import y`` gives ``x.y``: the module ``x.y`` when there is one, else the name ``y``
    of ``x`` (kept as ``x.y`` so that a private name is seen).
    """
    tree = ast.parse(module.path.read_text(encoding="utf-8"), str(module.path))
    found: list[Import] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = _base_of(module, node)
            if base != package and not base.startswith(package + "."):
                continue
            for alias in node.names:
                if alias.name == "*":
                    found.append(Import(module.name, base, node.lineno))
                else:
                    found.append(Import(module.name, f"{base}.{alias.name}", node.lineno))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == package or alias.name.startswith(package + "."):
                    found.append(Import(module.name, alias.name, node.lineno))
    return found


def module_of(target: str, known: Mapping[str, Module]) -> str:
    """The module an imported path lives in (the longest known prefix)."""
    parts = target.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in known:
            return candidate
    return target


def room_of(name: str, rooms: Iterable[tuple[int, str, tuple[str, ...]]] = ROOMS) -> int | None:
    """The room number of a dotted module name (``TOP`` for the package itself)."""
    if name == PACKAGE:
        return TOP
    short = name[len(PACKAGE) + 1 :]
    best: tuple[int, int] | None = None  # (prefix length, room)
    for number, _, prefixes in rooms:
        for prefix in prefixes:
            matched = short == prefix or short.startswith(prefix + ".")
            if matched and (best is None or len(prefix) > best[0]):
                best = (len(prefix), number)
    return None if best is None else best[1]


def _private_owner(path: str) -> str | None:
    """The innermost package or module that a private component of ``path`` belongs to."""
    parts = path.split(".")
    owner = None
    for i, part in enumerate(parts):
        if part.startswith("_") and not (part.startswith("__") and part.endswith("__")):
            owner = ".".join(parts[:i])
    return owner


def private_crossing(importer: str, target: str) -> bool:
    """Whether ``importer`` reaches a private name outside the package that holds it."""
    owner = _private_owner(target)
    if owner is None:
        return False
    return not (importer == owner or importer.startswith(owner + "."))


def _graph(known: Mapping[str, Module], found: list[Import]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {name: set() for name in known}
    for item in found:
        target = module_of(item.target, known)
        if target not in known or target == item.importer:
            continue
        graph[item.importer].add(target)
        # importing a.b.c runs a.b's __init__ first, unless the importer is inside a.b
        parts = target.split(".")
        for end in range(2, len(parts)):
            parent = ".".join(parts[:end])
            inside = item.importer == parent or item.importer.startswith(parent + ".")
            if parent in known and not inside:
                graph[item.importer].add(parent)
    return graph


def circles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    item = stack.pop()
                    on_stack.discard(item)
                    component.append(item)
                    if item == node:
                        break
                if len(component) > 1:
                    result.append(sorted(component))
    return sorted(result)


def check(
    src_root: Path,
    rooms: Iterable[tuple[int, str, tuple[str, ...]]] = ROOMS,
    package: str = PACKAGE,
) -> Report:
    """Check every import of the package under ``src_root`` against the rooms."""
    rooms = tuple(rooms)
    known = modules(src_root, package)
    report = Report()
    found: list[Import] = []
    for module in known.values():
        if room_of(module.name, rooms) is None:
            report.unplaced.append(module.name)
        found.extend(imports_of(module, known, package))
    for item in found:
        target = module_of(item.target, known)
        mine, theirs = room_of(item.importer, rooms), room_of(target, rooms)
        where = f"{item.importer}:{item.line} imports {item.target}"
        if mine is not None and theirs is not None and theirs > mine:
            report.upward.append(f"{where} (room {mine} -> room {theirs})")
        if private_crossing(item.importer, item.target):
            report.private.append(where)
    report.circles = circles(_graph(known, found))
    return report


def outside_imports(paths: Iterable[Path], package: str = PACKAGE) -> list[str]:
    """Imports of a private name of the package from code outside it (plugins, examples)."""
    problems = []
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                if (name == package or name.startswith(package + ".")) and _private_owner(name):
                    problems.append(f"{path}:{node.lineno} imports {name}")
    return problems
