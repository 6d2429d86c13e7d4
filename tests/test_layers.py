"""The house's layout holds: rooms import only downward, no circles, no private reach-ins.

``tests/layers.py`` defines the rooms and the checker; these tests run it on the package, on
the plugins and examples (which may use public names only), and on small planted trees to prove
that each kind of violation is caught.
"""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # --import-mode=importlib: make the sibling module importable
    sys.path.insert(0, str(HERE))

import layers  # noqa: E402

ROOT = HERE.parent
SRC = ROOT / "src"
PACKAGE_DIR = SRC / "assessment_engine"


def test_no_upward_import():
    report = layers.check(SRC)
    assert report.upward == []


def test_no_circle():
    report = layers.check(SRC)
    assert report.circles == []


def test_no_private_name_crosses_a_package():
    report = layers.check(SRC)
    assert report.private == []


def test_every_module_has_a_room():
    report = layers.check(SRC)
    assert report.unplaced == []


def test_plugins_and_examples_use_public_names_only():
    paths = [
        *sorted((ROOT / "plugins").rglob("*.py")),
        *sorted((ROOT / "examples").rglob("*.py")),
    ]
    assert paths
    assert layers.outside_imports(paths) == []


def test_few_modules_at_the_top():
    top = sorted(p.name for p in PACKAGE_DIR.glob("*.py"))
    assert len(top) <= 15, top


def test_no_module_over_600_lines():
    long = {
        str(p.relative_to(SRC)): n
        for p in PACKAGE_DIR.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600
    }
    assert long == {}


# ----------------------------------------------------------------------------- planted trees

ROOMS = (
    (0, "low", ("low",)),
    (1, "mid", ("mid", "_private")),
    (2, "high", ("high",)),
)


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in {"__init__.py": "", **files}.items():
        path = tmp_path / "assessment_engine" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


def test_a_clean_tree_passes(tmp_path):
    src = _tree(
        tmp_path,
        {
            "low.py": "X = 1\n",
            "mid.py": "from .low import X\n",
            "high.py": "from . import mid\nfrom .low import X\n",
        },
    )
    assert layers.check(src, ROOMS).ok


@pytest.mark.parametrize(
    "where",
    [
        "from .high import Y\n",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .high import Y\n",
        "def f():\n    from .high import Y\n    return Y\n",
        "import assessment_engine.high\n",
    ],
    ids=["module level", "type checking", "inside a function", "plain import"],
)
def test_an_upward_import_is_caught_wherever_it_is(tmp_path, where):
    src = _tree(tmp_path, {"low.py": where, "high.py": "Y = 2\n"})
    report = layers.check(src, ROOMS)
    assert len(report.upward) == 1
    assert "assessment_engine.low" in report.upward[0]
    assert "room 0 -> room 2" in report.upward[0]


def test_a_circle_is_caught_within_a_room(tmp_path):
    src = _tree(
        tmp_path,
        {
            "mid/__init__.py": "",
            "mid/a.py": "from .b import B\nA = 1\n",
            "mid/b.py": "def f():\n    from .a import A\n    return A\nB = 2\n",
        },
    )
    report = layers.check(src, ROOMS)
    assert report.circles == [["assessment_engine.mid.a", "assessment_engine.mid.b"]]
    assert report.upward == []


def test_a_circle_through_a_package_init_is_caught(tmp_path):
    src = _tree(
        tmp_path,
        {
            "mid/__init__.py": "from .a import A\n",
            "mid/a.py": "A = 1\n",
            "high.py": "from .mid.a import A\n",
            "low.py": "",
        },
    )
    assert layers.check(src, ROOMS).ok  # high -> mid.a -> (mid runs first): no circle
    (src / "assessment_engine" / "mid" / "a.py").write_text("from .. import high\nA = 1\n")
    report = layers.check(src, ROOMS)
    assert report.circles  # mid.a -> high -> mid (its __init__) -> mid.a
    assert report.upward  # and mid.a reaches up to high


def test_a_private_module_of_another_package_is_caught(tmp_path):
    src = _tree(
        tmp_path,
        {
            "_private/__init__.py": "from ._inner import P\n",
            "_private/_inner.py": "P = 1\n_HIDDEN = 2\n",
            "mid.py": "from ._private import P\n",  # allowed: the package's public name
            "high.py": "from ._private._inner import P\n",  # not allowed
            "low.py": "",
        },
    )
    report = layers.check(src, ROOMS)
    assert report.private == [
        "assessment_engine.high:1 imports assessment_engine._private._inner.P",
    ]


def test_a_private_name_of_another_module_is_caught(tmp_path):
    src = _tree(
        tmp_path,
        {
            "_private/__init__.py": "",
            "_private/_inner.py": "_HIDDEN = 2\n",
            "_private/_other.py": "from ._inner import _HIDDEN\n",  # a private name of _inner
            "low.py": "",
        },
    )
    report = layers.check(src, ROOMS)
    assert report.private == [
        "assessment_engine._private._other:1 imports assessment_engine._private._inner._HIDDEN"
    ]


def test_the_package_itself_may_not_be_imported_from_inside(tmp_path):
    src = _tree(tmp_path, {"low.py": "from . import __version__\n"})
    init = src / "assessment_engine" / "__init__.py"
    init.write_text("__version__ = '1'\nfrom .low import *\n")
    report = layers.check(src, ROOMS)
    assert len(report.upward) == 1
    assert "room 99" in report.upward[0]


def test_a_module_without_a_room_is_reported(tmp_path):
    src = _tree(tmp_path, {"low.py": "", "stray.py": ""})
    assert layers.check(src, ROOMS).unplaced == ["assessment_engine.stray"]


def test_outside_code_may_not_import_private_names(tmp_path):
    plugin = tmp_path / "plugin.py"
    plugin.write_text(
        "from assessment_engine import Engine\n"
        "from assessment_engine.rubric import Indicator\n"
        "from assessment_engine._pipeline import Plan\n"
        "import assessment_engine._base.numbers\n"
    )
    assert layers.outside_imports([plugin]) == [
        f"{plugin}:3 imports assessment_engine._pipeline.Plan",
        f"{plugin}:4 imports assessment_engine._base.numbers",
    ]


# ----------------------------------------------------------------------------- the docs

ARCHITECTURE = ROOT / "docs" / "architecture.md"


def _diagram() -> list[tuple[int, str, tuple[str, ...]]]:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    block = text.split("```", 2)[1]
    rooms = []
    for line in block.strip().splitlines():
        number, name, rest = line.split(maxsplit=2)
        listed = rest.split("  ", 1)[0]
        modules = [m.split(" (", 1)[0].strip().rstrip("/") for m in listed.split(", ")]
        rooms.append((int(number), name, tuple(modules)))
    return rooms


def test_the_architecture_page_shows_the_rooms_the_test_enforces():
    assert _diagram() == [(n, name, prefixes) for n, name, prefixes in layers.ROOMS]


def test_the_module_map_names_every_module_and_only_existing_ones():
    text = ARCHITECTURE.read_text(encoding="utf-8")
    table = text.split("## Module map", 1)[1].split("\n## ", 1)[0]
    listed = set()
    for row in table.splitlines():
        if row.startswith("|") and "`" in row:
            cell = row.split("|")[2]
            listed.update(re.findall(r"`([\w/]+(?:\.py|/))`", cell))
    assert listed
    missing_files = sorted(p for p in listed if not (PACKAGE_DIR / p).exists())
    assert missing_files == []
    unmapped = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        rel = path.relative_to(PACKAGE_DIR).as_posix()
        if rel == "__init__.py" or path.name in ("__init__.py", "__main__.py"):
            continue
        covered = rel in listed or any(p.endswith("/") and rel.startswith(p) for p in listed)
        if not covered:
            unmapped.append(rel)
    assert unmapped == []
