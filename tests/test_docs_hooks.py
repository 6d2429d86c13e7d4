"""docs/hooks.md is checked against hookspecs.py, its example is executed, every hook is tested.

The page's format, which these tests enforce:

- Each hook is documented under a heading ``### <hook name>``, directly followed by a
  ```` ```python ```` block holding exactly one line: ``def <hook name>(<params>) -> <return>:``,
  the signature as written in ``hookspecs.py`` (annotations as source text). Hooks are
  documented in the order ``hookspecs.py`` defines them, which is the order they are called in,
  and the numbered list under "When hooks are called" gives the same sequence.
- Every other ```` ```python ```` block is example code and is executed, in page order. A block
  whose first line is a comment naming a file (``# volunteer_rules.py``) is a module: it is
  executed as a module of that name, importable by the blocks after it. Every other block runs
  as a script, all scripts sharing one namespace; a run of ``#`` comment lines ending a script
  is the output it must print.
"""

from __future__ import annotations

import ast
import inspect
import re
import sys
import types
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

from assessment_engine import Engine, hookspecs

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "hooks.md"
TESTS = ROOT / "tests"
SPEC_MARKER = f"{hookspecs.PROJECT_NAME}_spec"
HOOK_HEADING = re.compile(r"^###\s+(\S+)\s*$")
MODULE_LINE = re.compile(r"^#\s*([A-Za-z_][A-Za-z0-9_]*)\.py\s*$")


# --------------------------------------------------------------------------- the page, parsed


@attrs.frozen
class Block:
    """One fenced code block of the page."""

    info: str
    code: str
    line: int  # of the opening fence, 1-based
    heading: str | None  # the heading it directly follows (only blank lines between), if any


def parse(text: str) -> tuple[list[str], list[Block]]:
    """The page's headings and fenced blocks."""
    headings: list[str] = []
    blocks: list[Block] = []
    lines = text.splitlines()
    index = 0
    pending: str | None = None  # a heading not yet followed by anything but blank lines
    while index < len(lines):
        line = lines[index]
        if line.startswith("```"):
            info = line[3:].strip()
            body: list[str] = []
            index += 1
            while index < len(lines) and not lines[index].startswith("```"):
                body.append(lines[index])
                index += 1
            if index == len(lines):
                raise AssertionError(f"{DOC.name}: unclosed code block opened at {len(lines)}")
            blocks.append(Block(info, "\n".join(body) + "\n", index - len(body), pending))
            pending = None
        elif line.startswith("#"):
            headings.append(line)
            pending = line
        elif line.strip():
            pending = None
        index += 1
    return headings, blocks


def page() -> tuple[list[str], list[Block]]:
    return parse(DOC.read_text(encoding="utf-8"))


def hooks() -> dict[str, Callable[..., Any]]:
    """Every hook of the contract, in definition order."""
    found = {
        name: function
        for name, function in vars(hookspecs).items()
        if inspect.isfunction(function) and hasattr(function, SPEC_MARKER)
    }
    return dict(sorted(found.items(), key=lambda item: item[1].__code__.co_firstlineno))


class _Source:
    """An annotation shown as its source text (hookspecs uses postponed annotations)."""

    def __init__(self, text: object) -> None:
        self.text = text if isinstance(text, str) else inspect.formatannotation(text)

    def __repr__(self) -> str:
        return self.text


def signature_line(function: Callable[..., Any]) -> str:
    """``def name(params) -> return:`` with every annotation as written in the source."""
    sig = inspect.signature(function)
    params = [
        p if p.annotation is p.empty else p.replace(annotation=_Source(p.annotation))
        for p in sig.parameters.values()
    ]
    returns = sig.return_annotation
    sig = sig.replace(
        parameters=params,
        return_annotation=returns if returns is sig.empty else _Source(returns),
    )
    return f"def {function.__name__}{sig}:"


def signature_blocks(blocks: list[Block]) -> dict[str, list[Block]]:
    """The blocks directly under a ``### name`` heading, by name."""
    result: dict[str, list[Block]] = {}
    for block in blocks:
        if block.heading is not None and (match := HOOK_HEADING.match(block.heading)):
            result.setdefault(match.group(1), []).append(block)
    return result


def example_blocks(blocks: list[Block]) -> list[Block]:
    documented = {id(b) for bs in signature_blocks(blocks).values() for b in bs}
    return [b for b in blocks if b.info == "python" and id(b) not in documented]


# --------------------------------------------------------------------------- (a) and (b)


def test_the_parser_finds_headings_and_blocks() -> None:
    headings, blocks = parse(
        "# T\n\n### h\n\n```python\ndef h() -> int:\n```\ntext\n```toml\nx\n```\n"
    )
    assert headings == ["# T", "### h"]
    assert blocks == [
        Block("python", "def h() -> int:\n", 5, "### h"),
        Block("toml", "x\n", 9, None),
    ]


def test_signature_line_uses_the_source_annotations() -> None:
    def hook(a: int, b: list[str] | None = None) -> Sequence[Thing] | None:  # type: ignore[name-defined]  # noqa: F821
        return None

    assert (
        signature_line(hook)
        == "def hook(a: int, b: list[str] | None = None) -> Sequence[Thing] | None:"
    )
    assert signature_line(hookspecs.assessment_register_ranking) == (
        "def assessment_register_ranking() -> Sequence[Ranking] | None:"
    )


def test_every_hook_is_documented_with_its_exact_signature() -> None:
    headings, blocks = page()
    documented = signature_blocks(blocks)
    problems = []
    for name, function in hooks().items():
        expected = signature_line(function)
        heading_count = sum(1 for h in headings if HOOK_HEADING.match(h) and h.split()[1] == name)
        if heading_count != 1:
            problems.append(f"{name}: {heading_count} '### {name}' headings, expected one")
            continue
        found = documented.get(name, [])
        if len(found) != 1 or found[0].info != "python":
            problems.append(f"{name}: '### {name}' must be followed directly by a ```python block")
            continue
        actual = found[0].code.strip()
        if actual != expected:
            problems.append(
                f"{name} (docs/hooks.md line {found[0].line}):\n"
                f"  documented: {actual}\n  hookspecs:  {expected}"
            )
    assert not problems, "\n".join(problems)


def test_hooks_are_documented_in_call_order() -> None:
    headings, _ = page()
    text = DOC.read_text(encoding="utf-8")
    in_headings = [h.split()[1] for h in headings if HOOK_HEADING.match(h) and "assessment_" in h]
    section = text.split("## When hooks are called", 1)[1].split("\n## ", 1)[0]
    in_list = re.findall(r"^\d+\. `(\w+)`$", section, flags=re.MULTILINE)
    assert in_headings == list(hooks())
    assert in_list == list(hooks())
    # and the engine calls them in that order, accepting for each the documented objects
    from assessment_engine.hookspecs import HOOK_TYPES, RUBRIC_HOOKS

    assert list(RUBRIC_HOOKS) == list(hooks()) == list(HOOK_TYPES)


def test_no_hook_is_documented_that_does_not_exist() -> None:
    headings, blocks = page()
    known = set(hooks())
    problems = []
    for heading in headings:
        match = HOOK_HEADING.match(heading)
        if match and match.group(1).startswith("assessment_") and match.group(1) not in known:
            problems.append(f"heading {heading!r} documents no existing hook")
    for block in blocks:
        if block.info != "python":
            continue
        for name in re.findall(r"^\s*def (assessment_\w+)", block.code, flags=re.MULTILINE):
            if name not in known:
                problems.append(f"line {block.line}: def {name} is not a hook")
    for name, found in signature_blocks(blocks).items():
        for block in found:
            if not re.fullmatch(rf"def {re.escape(name)}\(.*\) -> .+:", block.code.strip()):
                problems.append(
                    f"line {block.line}: the block under '### {name}' must be one line,"
                    f" 'def {name}(...) -> ...:', not {block.code.strip()!r}"
                )
    assert not problems, "\n".join(problems)


def test_the_checks_catch_a_missing_a_wrong_and_an_unknown_hook() -> None:
    """The checks above, applied to a broken page, find each problem."""
    good = "\n".join(
        f"### {n}\n\n```python\n{signature_line(f)}\n```\n" for n, f in hooks().items()
    )
    broken = good.replace("-> Sequence[Weight] | None:", "-> list[Weight]:").replace(
        "### assessment_register_ranking", "### assessment_register_rankings"
    )
    _, blocks = parse(broken)
    documented = signature_blocks(blocks)
    assert documented["assessment_register_weights"][0].code.strip() != signature_line(
        hookspecs.assessment_register_weights
    )
    assert "assessment_register_ranking" not in documented
    assert set(documented) - set(hooks()) == {"assessment_register_rankings"}


# --------------------------------------------------------------------------- (c) the example


def _expected_output(code: str) -> str | None:
    """The run of ``#`` comment lines that ends a script block, as the output it must print."""
    lines = code.rstrip("\n").splitlines()
    tail: list[str] = []
    while lines and lines[-1].startswith("#"):
        tail.insert(0, lines.pop()[1:].removeprefix(" "))
    return "\n".join(tail) + "\n" if tail else None


def run_examples(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[dict[str, types.ModuleType], dict[str, Any]]:
    """Execute every example block; return the modules made and the scripts' namespace."""
    monkeypatch.setenv("ASSESSMENT_ENGINE_MATCHER", "python")
    monkeypatch.delenv("ASSESSMENT_ENGINE_BLOCK_PLUGINS", raising=False)
    monkeypatch.delenv("ASSESSMENT_ENGINE_TRACE_HOOKS", raising=False)
    _, blocks = page()
    examples = example_blocks(blocks)
    assert examples, "docs/hooks.md has no example"
    modules: dict[str, types.ModuleType] = {}
    namespace: dict[str, Any] = {"__name__": "__hooks_md__"}
    for block in examples:
        code = compile(block.code, f"{DOC}:{block.line}", "exec")
        first = block.code.splitlines()[0] if block.code.strip() else ""
        if match := MODULE_LINE.match(first):
            module = types.ModuleType(match.group(1))
            module.__file__ = f"{DOC}:{block.line}"
            monkeypatch.setitem(sys.modules, module.__name__, module)
            exec(code, module.__dict__)
            modules[module.__name__] = module
            continue
        capsys.readouterr()
        exec(code, namespace)
        printed = capsys.readouterr().out
        expected = _expected_output(block.code)
        if expected is not None:
            assert printed == expected, f"the block at docs/hooks.md line {block.line} printed"
    return modules, namespace


def test_the_example_plugin_runs_and_registers_every_hook(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    modules, namespace = run_examples(monkeypatch, capsys)
    assert list(modules) == ["volunteer_rules"]
    rules = modules["volunteer_rules"]

    with Engine([rules], entry_points=False, matcher="python") as engine:
        (info,) = [i for i in engine.plugins if i.name == "volunteer_rules"]
        assert info.source == "explicit"
        assert info.hooks == tuple(sorted(hooks()))  # the complete example uses every hook
        rubric = engine.rubric
        assert rubric.fact_types["training"] is rules.Training
        assert [d.id for d in rubric.dimensions] == ["service", "learning"]
        assert [i.id for i in rubric.indicators] == ["service.volunteer", "learning.hours"]
        assert [v.id for v in rubric.vetoes] == ["service.complaint"]
        assert [(w.dimension, w.weight) for w in rubric.weights] == [
            ("service", Decimal("0.6")),
            ("learning", Decimal("0.4")),
        ]
        report = engine.assess(namespace["facts"])

    # what the page says about T1 and T3
    t1 = report["T1"]
    assert t1.indicator("service.volunteer").points == 8
    assert t1.indicator("learning.hours").points == 10
    assert t1.composite == Decimal("8.8")
    assert t1.grade is not None
    assert t1.grade.label == "良好 (good)"
    assert report["T3"].vetoed
    assert report["T3"].rank is None
    # the page's own run gave the same report
    assert namespace["report"].to_json() == report.to_json()


def test_expected_output_is_the_trailing_comment_run() -> None:
    assert _expected_output("x = 1\nprint(x)\n# 1\n#  indented\n") == "1\n indented\n"
    assert _expected_output("# heading comment\nx = 1\n") is None


# --------------------------------------------------------------------------- (d) tests per hook


def _test_function_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test")
    }


def test_every_hook_has_a_test_named_after_it() -> None:
    names = set().union(*(_test_function_names(p) for p in sorted(TESTS.rglob("test_*.py"))))
    untested = [hook for hook in hooks() if not any(hook in name for name in names)]
    assert not untested, f"hooks without a test named after them: {', '.join(untested)}"
