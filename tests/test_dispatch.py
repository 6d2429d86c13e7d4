"""Every dispatch over a closed union ends in ``typing.assert_never``.

The closed unions are the scoring forms (``Scoring``), the quantities (``Quantity``), the
conditions (``Condition``) and the matchers' compiled conditions (``Expr``). A function that
tests one variable against several members of such a union with ``isinstance`` is a dispatch;
ending it in ``assert_never(variable)`` makes mypy name the function when a member is added,
so a new scoring form or quantity is a type error wherever it is not handled yet, never a silent
gap.

The checker below finds the dispatches that do not end so: a function whose ``isinstance``
tests of one variable name at least half of a union's members (three, for the larger unions),
without an ``assert_never`` of that variable. Nested functions and methods are checked on their
own. Predicates — one yes/no question about a few members, with no "rest" to forget — are
allowed by name in :data:`ALLOWED`, each with why.
"""

from __future__ import annotations

import ast
import math
import textwrap
import typing
from collections.abc import Iterator, Mapping
from pathlib import Path

from assessment_engine._matcher.base import Expr
from assessment_engine.rubric.conditions import Condition, Quantity
from assessment_engine.rubric.scoring import Scoring

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = ROOT / "src" / "assessment_engine"

#: Each closed union's member class names, read from the unions themselves.
UNIONS: Mapping[str, frozenset[str]] = {
    name: frozenset(member.__name__ for member in typing.get_args(union))
    for name, union in {
        "Scoring": Scoring,
        "Quantity": Quantity,
        "Condition": Condition,
        "Expr": Expr,
    }.items()
}

#: Functions that test several members without dispatching over the union: ``file:function``.
ALLOWED: Mapping[str, str] = {
    # per_capita(...) is a count, a sum or a reported value divided by the headcount
    "_analysis/_effects.py:_is_per_capita": "predicate",
    # a count of facts, distinct values or members: its targets are whole numbers
    "_analysis/_targets.py:_counted": "predicate",
    # whether the record is drawn for the field value it is given (a sum's, a mean's, ...)
    "strategies/_teams.py:_realise.aimed": "predicate",
    # only a count or a sum (per capita or not) has one fact that crosses a threshold; the
    # quantity is narrowed to those, not dispatched over
    "strategies/_teams.py:crossings": "predicate",
    # whether a quantity reads a number field of a selection (a sum, a mean, a largest value, a
    # reported value): the lint totals those fields, every other quantity is walked into
    "lint/__init__.py:_numbers": "predicate",
}


def _functions(node: ast.AST, prefix: str = "") -> Iterator[tuple[str, ast.AST]]:
    """``(qualified name, function)`` for every function and method, nested ones too."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
            yield prefix + child.name, child
            yield from _functions(child, f"{prefix}{child.name}.")
        elif isinstance(child, ast.ClassDef):
            yield from _functions(child, f"{prefix}{child.name}.")
        else:
            yield from _functions(child, prefix)


def _calls(function: ast.AST, name: str) -> Iterator[ast.Call]:
    """Calls of ``name`` (or ``module.name``) in a function, outside its nested functions."""
    stack = list(ast.iter_child_nodes(function))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            if (func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)) == name:
                yield node
        stack.extend(ast.iter_child_nodes(node))


def _class_names(node: ast.expr) -> set[str]:
    return {
        n.id if isinstance(n, ast.Name) else n.attr
        for n in ast.walk(node)
        if isinstance(n, ast.Name | ast.Attribute)
    }


def unended_dispatches(path: Path, root: Path) -> list[str]:
    """``file:function(variable) Union k/n`` for each dispatch in ``path`` without assert_never."""
    where = path.relative_to(root).as_posix()
    found = []
    for qualname, function in _functions(ast.parse(path.read_text(encoding="utf-8"))):
        tested: dict[str, set[str]] = {}
        for call in _calls(function, "isinstance"):
            if len(call.args) == 2:
                variable = ast.unparse(call.args[0])
                tested.setdefault(variable, set()).update(_class_names(call.args[1]))
        ended = {ast.unparse(call.args[0]) for call in _calls(function, "assert_never")}
        for variable, names in tested.items():
            for union, members in UNIONS.items():
                hit = len(names & members)
                if variable not in ended and hit >= min(3, math.ceil(len(members) / 2)):
                    found.append(f"{where}:{qualname}({variable}) {union} {hit}/{len(members)}")
    return found


def check(root: Path, allowed: Mapping[str, str]) -> list[str]:
    """The dispatches under ``root`` that do not end in assert_never and are not allowed."""
    return [
        found
        for path in sorted(root.rglob("*.py"))
        for found in unended_dispatches(path, root)
        if found.partition("(")[0] not in allowed
    ]


# ----------------------------------------------------------------------------- the tree


def test_the_unions_are_read():
    assert {"Parts", "PerItem"} <= UNIONS["Scoring"]
    assert {"Count", "Grade"} <= UNIONS["Quantity"]
    assert UNIONS["Condition"] == {"Compare", "OneOf", "HasTag", "AllOf", "AnyOf", "Not"}
    assert UNIONS["Expr"] == {"Atom", "And", "Or"}


def test_every_dispatch_ends_in_assert_never():
    assert check(PACKAGE_DIR, ALLOWED) == []


def test_plugins_dispatch_exhaustively_too():
    assert check(ROOT / "plugins", ALLOWED) == []


def test_every_allowed_function_still_needs_it():
    flagged = {found.partition("(")[0] for found in check(PACKAGE_DIR, {})}
    assert set(ALLOWED) - flagged == set()


# ----------------------------------------------------------------------------- planted files


PLANTED = """
    from typing import assert_never

    def silent(form):  # five forms, the rest silently skipped
        if isinstance(form, PerItem | BestItem):
            return 1
        elif isinstance(form, Linear):
            return 2
        elif isinstance(form, scoring.Bands | Deduct):
            return 3
        return 0

    def ended(form):
        if isinstance(form, PerItem | BestItem | Linear | Bands | Deduct):
            return 1
        elif isinstance(form, AssessorScore | WhenAll | Highest | Parts):
            return 0
        else:
            assert_never(form)

    def other_variable_ended(cond, form):
        if isinstance(cond, Compare | OneOf):
            return 1
        if isinstance(cond, AllOf):
            return 2
        assert_never(form)

    def expr_rest_implied(expr):
        if isinstance(expr, Atom):
            return 1
        if isinstance(expr, And):
            return 2
        return 3  # an Or, until a fourth kind is added

    def counted(q):
        return isinstance(q, Count | DistinctCount | Headcount)

    def small(q):
        return isinstance(q, Count | Total)

    class Walker:
        def visit(self, cond):
            def inner(item):
                if isinstance(item, AllOf | AnyOf | Not):
                    return 1
                return 0
            if isinstance(cond, HasTag):
                return inner(cond)
            assert_never(cond)
"""


def _planted(tmp_path: Path) -> Path:
    path = tmp_path / "pkg" / "planted.py"
    path.parent.mkdir()
    path.write_text(textwrap.dedent(PLANTED), encoding="utf-8")
    return path


def test_the_checker_catches_planted_dispatches(tmp_path):
    _planted(tmp_path)
    assert check(tmp_path, {}) == [
        "pkg/planted.py:silent(form) Scoring 5/9",
        "pkg/planted.py:other_variable_ended(cond) Condition 3/6",
        "pkg/planted.py:expr_rest_implied(expr) Expr 2/3",
        "pkg/planted.py:counted(q) Quantity 3/19",
        "pkg/planted.py:Walker.visit.inner(item) Condition 3/6",
    ]


def test_the_allow_list_admits_named_predicates_only(tmp_path):
    _planted(tmp_path)
    found = check(tmp_path, {"pkg/planted.py:counted": "predicate"})
    assert "pkg/planted.py:counted(q) Quantity 3/19" not in found
    assert "pkg/planted.py:silent(form) Scoring 5/9" in found
    assert len(found) == 4
