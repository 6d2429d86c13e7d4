"""Sphinx configuration of the API reference (``nox -s docs`` builds it; offline, strict).

Every public module is documented from its docstrings (``index.rst``); the build fails (``-W``,
``nitpicky``) on a broken reference to the project's own names, and on a public name without a
docstring or missing from the reference (checked here, see :func:`_check_docstring` and
:func:`_check_coverage`). References to the standard library and third-party packages are not
resolved: no intersphinx, so the build needs no network.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

project = "assessment_engine"
author = "assessment_engine developers"
extensions = ["sphinx.ext.autodoc"]
exclude_patterns = ["_build"]
nitpicky = True
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
autodoc_default_options = {"members": True, "show-inheritance": True, "imported-members": True}
html_theme = "alabaster"
suppress_warnings = ["ref.python"]  # more than one target for a re-exported name

#: The modules whose ``__all__`` the reference covers, name by name.
PUBLIC_MODULES = (
    "assessment_engine",
    "assessment_engine.errors",
    "assessment_engine.facts",
    "assessment_engine.factset",
    "assessment_engine.loading",
    "assessment_engine.rubric",
    "assessment_engine.rubric.walk",
    "assessment_engine.rubric.describe",
    "assessment_engine.rubric.files",
    "assessment_engine.hookspecs",
    "assessment_engine.results",
    "assessment_engine.serialize",
    "assessment_engine.report",
    "assessment_engine.engine",
    "assessment_engine.session",
    "assessment_engine.lint",
    "assessment_engine.whatif",
    "assessment_engine.kit",
    "assessment_engine.testing",
    "assessment_engine.scenarios",
)

#: Names outside the project, never resolved offline.
_EXTERNAL = (
    r"(decimal|fractions|datetime|collections|typing|types|os|pathlib|enum|abc|re)(\..*)?",
    r"(attrs|attr|cattrs|pluggy|pytest|_pytest|hypothesis|click|rich|sqlalchemy|openpyxl)(\..*)?",
    r"(Decimal|Fraction|Path|PathLike|Iterable|Iterator|Mapping|Sequence|Callable|Any|Literal)",
    r"(Collection|MappingProxyType|Final|ClassVar|TypeGuard|NoneType|Attribute|Converter)",
    r"(DrawFn|SearchStrategy|Connection|Engine\.URL|FixtureRequest|ExceptionInfo|Collector)",
    r"(date|IntEnum|Enum|ModuleType|TextIO|UserWarning|Exception|ValueError|KeyError)",
    r"(ImportError|AssertionError|BaseException|object|int|str|bool|float|tuple|list|dict)",
    r"(set|frozenset|type|bytes|None)",
)
#: Names in private modules (``_pipeline``, ``rubric._parts``, a private base class): the
#: reference documents the public names only.
_PRIVATE = (r"(.*\.)?_[A-Za-z0-9_]+(\..*)?", r"[A-Z]\w*Name|_F|T")
_ROLES = ("py:class", "py:obj", "py:exc", "py:data", "py:mod", "py:func", "py:meth", "py:attr")
nitpick_ignore_regex = [(role, name) for role in _ROLES for name in (*_EXTERNAL, *_PRIVATE)]

_logger = logging.getLogger(__name__)
_documented: set[int] = set()


def _public(name: str) -> bool:
    return not any(part.startswith("_") for part in name.split("."))


def _check_docstring(
    app: Sphinx, what: str, name: str, obj: Any, options: Any, lines: list[str]
) -> None:
    """A public name without a docstring is a warning (an error with ``-W``)."""
    _documented.add(id(obj))
    documentable = what in ("module", "class", "exception", "function", "method")
    if documentable and _public(name) and not inspect.getdoc(obj):
        _logger.warning("public %s %s has no docstring", what, name)


def _check_coverage(app: Sphinx, env: Any) -> None:
    """Every name in a public module's ``__all__`` is in the reference."""
    objects = env.domaindata["py"]["objects"]
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            owner = (
                getattr(obj, "__module__", None)
                if inspect.isclass(obj) or inspect.isfunction(obj)
                else None
            )
            candidates = {f"{module_name}.{name}"}
            if owner:
                candidates.add(f"{owner}.{getattr(obj, '__qualname__', name)}")
            if not candidates & set(objects):
                _logger.warning("public name %s.%s is not in the API reference", module_name, name)


def _resolve(app: Sphinx, env: Any, node: Any, contnode: Any) -> Any:
    """A re-exported or short name (``assessment_engine.Engine``, ``FactSet``): its one target."""
    if node.get("refdomain") != "py":
        return None
    target = str(node.get("reftarget", ""))
    objects = env.domaindata["py"]["objects"]
    last = target.rsplit(".", 1)[-1]
    found = sorted(name for name in objects if name.rsplit(".", 1)[-1] == last)
    if len(found) != 1:
        return None
    from sphinx.util.nodes import make_refnode

    docname = objects[found[0]][0]
    builder = app.builder
    return make_refnode(builder, node["refdoc"], docname, found[0], contnode, found[0])


def setup(app: Sphinx) -> None:
    """Register the checks."""
    app.connect("missing-reference", _resolve)
    app.connect("autodoc-process-docstring", _check_docstring)
    app.connect("env-check-consistency", _check_coverage)
