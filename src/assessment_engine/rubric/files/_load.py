"""Reading a rubric file: TOML text → checked rubric objects, or every problem, located.

The text is parsed by ``tomllib`` (numbers that are not integers become exact ``Decimal``s),
its positions indexed (:mod:`._positions`), the declared fact kinds built first, then every
section converted through the model's own classes: their validators run as they do for Python
rule sets, and whatever they reject is reported at the table it came from. All problems of a
file are collected and raised together as one :class:`RubricFileError`; nothing is returned
half-loaded.
"""

from __future__ import annotations

import os
import re
import tomllib
import types
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Final

import attrs

from ..._base.hints import did_you_mean
from ..._base.limits import file_problem
from ...errors import RubricError
from ...facts import Achievement, Activity, Fact, Incident, Member, Metric, Record, Score, Team
from .. import (
    Band,
    Bonus,
    Dimension,
    GradeScale,
    Indicator,
    Penalty,
    PointsBy,
    Quota,
    Ranking,
    Title,
    Veto,
    Weight,
)
from ._codecs import FORMS, SECTIONS, Codec, fields_of, list_form
from ._declarations import DeclarationReader
from ._errors import ExpressionError, FileProblem, RubricFileError
from ._parse import parse_condition, parse_quantity, parse_selection
from ._positions import Path, index_positions
from ._reader import BAD

__all__ = ["BUILTIN_FACT_TYPES", "FORMAT_VERSION", "RubricFile", "load", "load_file", "load_files"]

#: The version of the file format this module reads and writes (``[rubric] format = 1``).
FORMAT_VERSION: Final = 1
#: The fact kinds every engine has (the built-in plugin registers them).
BUILTIN_FACT_TYPES: Final[tuple[type[Fact], ...]] = (
    Team,
    Member,
    Activity,
    Achievement,
    Metric,
    Incident,
    Score,
)
_HEADER_KEYS: Final = ("format", "description")
_TOP_KEYS: Final = ("rubric", "fact", *SECTIONS)


@attrs.frozen(eq=False)
class RubricFile:
    """What one rubric file registers, by hook, and where each object is in the file.

    :ivar source: the file's name, as given.
    :ivar locations: ``(line, column)`` of each object by its id (``fact:<kind>`` for a fact
        kind, ``weight:<dimension>`` for a weight, ``ranking``).
    """

    source: str
    description: str
    fact_types: tuple[type[Record], ...]
    dimensions: tuple[Dimension, ...]
    indicators: tuple[Indicator, ...]
    rules: tuple[Bonus | Penalty | Veto | Title | Quota, ...]
    grade_scales: tuple[GradeScale, ...]
    weights: tuple[Weight, ...]
    ranking: Ranking | None
    locations: Mapping[str, tuple[int, int]]

    def locate(self, error: RubricError) -> RubricFileError | None:
        """The assembly error ``error`` located in this file, when it names one of its objects."""
        subject = error.subject or ""
        where = self.locations.get(subject)
        if where is None:
            return None
        reason = str(error)
        prefix = f"{subject} (from plugin {error.plugin!r}): " if error.plugin else f"{subject}: "
        reason = reason.removeprefix(prefix)
        return RubricFileError(
            [
                FileProblem(
                    source=self.source, line=where[0], column=where[1], path=subject, reason=reason
                )
            ]
        )


class _Loader(DeclarationReader):
    def document(self) -> dict[str, Any]:
        try:
            data = tomllib.loads(self.text, parse_float=Decimal)
        except tomllib.TOMLDecodeError as exc:
            message = str(exc)
            match = re.search(r"\(at line (\d+), column (\d+)\)", message)
            line, column = (int(match[1]), int(match[2])) if match else (0, 0)
            reason = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message)
            self.problems.append(
                FileProblem(
                    source=self.source,
                    line=line,
                    column=column,
                    path="",
                    reason=f"not valid TOML: {reason}",
                )
            )
            raise RubricFileError(self.problems) from None
        self.positions = index_positions(self.text)
        self.unknown_keys(data, _TOP_KEYS, (), "a rubric file")
        header = data.get("rubric", {})
        if not isinstance(header, dict):
            self.problem(("rubric",), "expected a table: [rubric]")
            header = {}
        self.unknown_keys(header, _HEADER_KEYS, ("rubric",), "[rubric]")
        version = header.get("format", FORMAT_VERSION)
        if version != FORMAT_VERSION:
            self.problem(
                ("rubric", "format"), f"this engine reads format {FORMAT_VERSION}, not {version!r}"
            )
        return data

    # ------------------------------------------------------------------ fact kinds
    # ------------------------------------------------------------------ values
    def value(self, codec: Codec, value: object, path: Path) -> Any:
        kind = codec.kind
        if kind == "text":
            return (
                value
                if isinstance(value, str)
                else self.problem(path, f"expected text, got {value!r}")
            )
        if kind == "integer":
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            return self.problem(path, f"expected a whole number, got {value!r}")
        if kind == "flag":
            return (
                value
                if isinstance(value, bool)
                else self.problem(path, f"expected true or false, got {value!r}")
            )
        if kind == "number":
            if isinstance(value, int | Decimal) and not isinstance(value, bool):
                return value
            hint = " (write it without quotes)" if isinstance(value, str) else ""
            return self.problem(path, f"expected a number, got {value!r}{hint}")
        if kind == "share":
            if isinstance(value, int | Decimal | str) and not isinstance(value, bool):
                return value
            return self.problem(path, f'expected a share such as 0.1 or "1/3", got {value!r}')
        if kind == "choice":
            if value in codec.choices:
                return value
            hint = did_you_mean(value, codec.choices) if isinstance(value, str) else ""
            return self.problem(
                path, f"expected one of {', '.join(map(repr, codec.choices))}, got {value!r}{hint}"
            )
        if kind == "texts":
            if isinstance(value, list) and all(isinstance(x, str) for x in value):
                return tuple(value)
            return self.problem(path, "expected a list of texts")
        if kind in ("condition", "quantity", "selection"):
            return self.expression(kind, value, path)
        if kind == "conditions":
            if not isinstance(value, list):
                return self.problem(path, "expected a list of conditions (texts)")
            return [self.expression("condition", item, (*path, i)) for i, item in enumerate(value)]
        if kind == "points":
            if isinstance(value, dict):
                return self.table_object(PointsBy, value, path)
            return self.value(Codec("number"), value, path)
        if kind == "table":
            table = self.table(value, path)
            return tuple((k, self.value(Codec("number"), x, (*path, k))) for k, x in table.items())
        if kind == "list":
            if not isinstance(value, list):
                return self.problem(path, "expected a list of tables")
            assert codec.cls is not None
            return [self.table_object(codec.cls, item, (*path, i)) for i, item in enumerate(value)]
        if kind == "object":
            assert codec.cls is not None
            return self.table_object(codec.cls, value, path)
        raise AssertionError(kind)  # pragma: no cover - codec_for makes no other kind

    def expression(self, kind: str, value: object, path: Path) -> Any:
        if not isinstance(value, str):
            return self.problem(
                path, f"expected a {kind} in the expression language (text), got {value!r}"
            )
        parse = {
            "condition": parse_condition,
            "quantity": parse_quantity,
            "selection": parse_selection,
        }[kind]
        try:
            return parse(value, fact_types=self.fact_types)
        except ExpressionError as exc:
            return self.expression_problem(path, exc, value)

    def table_object(self, cls: type, data: object, path: Path) -> Any:
        if not isinstance(data, dict):
            return self.problem(path, f"expected a table ({cls.__name__}), got {data!r}")
        forms = fields_of(cls)
        scoring = [f for f in forms if f.codec.kind == "scoring"]
        known = [f.name for f in forms if f.codec.kind != "scoring"] + (
            list(FORMS) if scoring else []
        )
        before = len(self.problems)
        self.unknown_keys(data, known, path, f"the {cls.__name__} table")
        kwargs: dict[str, Any] = {}
        bad = len(self.problems) > before  # a misspelt key: its table's other complaints follow
        for form in forms:
            if form.codec.kind == "scoring":
                chosen = [key for key in data if key in FORMS]
                if len(chosen) != 1:
                    found = f"found {', '.join(chosen)}" if chosen else "found none"
                    self.problem(
                        path, f"needs exactly one scoring form ({', '.join(FORMS)}); {found}"
                    )
                    bad = True
                    continue
                kwargs[form.name] = self.form(chosen[0], data[chosen[0]], (*path, chosen[0]))
            elif form.name in data:
                raw = data[form.name]
                if form.takes_none and raw == "none":
                    kwargs[form.name] = None
                else:
                    kwargs[form.name] = self.value(form.codec, raw, (*path, form.name))
            elif form.required:
                self.problem(path, f"missing key {form.name!r} ({cls.__name__} needs it)")
                bad = True
        if bad or any(_contains_bad(x) for x in kwargs.values()):
            return BAD
        try:
            if cls is Band:
                return self.band(kwargs, path)
            obj = cls(**kwargs)
        except (TypeError, ValueError) as exc:
            return self.problem(path, f"{cls.__name__}: {exc}")
        object_id = getattr(obj, "id", None)
        if isinstance(object_id, str):
            self.locations.setdefault(object_id, self.positions.key(path))
        return obj

    def band(self, kwargs: dict[str, Any], path: Path) -> Band:
        edges = [k for k in ("at_least", "above") if kwargs.get(k) is not None]
        if len(edges) != 1:
            raise ValueError("a band has exactly one of at_least or above")
        return Band(kwargs[edges[0]], kwargs["points"], strict=edges[0] == "above")

    def form(self, name: str, data: object, path: Path) -> Any:
        cls = FORMS[name]
        only = list_form(cls)
        if only is not None:
            items = self.value(only.codec, data, path)
            if _contains_bad(items):
                return BAD
            try:
                return cls(items)
            except (TypeError, ValueError) as exc:
                return self.problem(path, f"{cls.__name__}: {exc}")
        return self.table_object(cls, data, path)

    # ------------------------------------------------------------------ sections
    def sections(self, data: Mapping[str, Any]) -> dict[str, list[Any]]:
        found: dict[str, list[Any]] = {}
        for key, (cls, array) in SECTIONS.items():
            if key not in data:
                found[key] = []
                continue
            raw = data[key]
            if array:
                if not isinstance(raw, list):
                    self.problem((key,), f"expected an array of tables: [[{key}]]")
                    found[key] = []
                    continue
                found[key] = [self.table_object(cls, item, (key, i)) for i, item in enumerate(raw)]
            else:
                found[key] = [self.table_object(cls, raw, (key,))]
            for obj in found[key]:
                if isinstance(obj, Weight):
                    self.locations[f"weight:{obj.dimension}"] = self.positions.key((key,))
            if key == "ranking":
                self.locations["ranking"] = self.positions.key((key,))
        return found


def _contains_bad(value: object) -> bool:
    if value is BAD:
        return True
    if isinstance(value, list | tuple):
        return any(_contains_bad(x) for x in value)
    return False


def _assemble(
    loader: _Loader, data: Mapping[str, Any], kinds: Sequence[type[Record]]
) -> RubricFile:
    found = loader.sections(data)
    if loader.problems:
        raise RubricFileError(loader.problems)
    rules = [*found["bonus"], *found["penalty"], *found["veto"], *found["title"], *found["quota"]]
    return RubricFile(
        source=loader.source,
        description=str(data.get("rubric", {}).get("description", "")),
        fact_types=tuple(kinds),
        dimensions=tuple(found["dimension"]),
        indicators=tuple(found["indicator"]),
        rules=tuple(rules),
        grade_scales=tuple(found["grade_scale"]),
        weights=tuple(found["weight"]),
        ranking=found["ranking"][0] if found["ranking"] else None,
        locations=types.MappingProxyType(loader.locations),
    )


def _known(
    fact_types: Mapping[str, type[Fact]] | Iterable[type[Fact]] | None,
) -> dict[str, type[Fact]]:
    known: dict[str, type[Fact]] = {c.fact_kind: c for c in BUILTIN_FACT_TYPES}
    if isinstance(fact_types, Mapping):
        known.update(fact_types)
    elif fact_types is not None:
        known.update({c.fact_kind: c for c in fact_types})
    return known


def load(
    text: str,
    *,
    source: str = "<string>",
    fact_types: Mapping[str, type[Fact]] | Iterable[type[Fact]] | None = None,
) -> RubricFile:
    """Read a rubric file's text.

    :param source: the name problems give for the file.
    :param fact_types: kinds of other plugins that expressions may select and are type-checked
        against, besides the built-in kinds and the file's own.
    :raises RubricFileError: with every problem, each with its line, column and key path.
    """
    return load_texts([(text, source)], fact_types=fact_types)[0]


def load_texts(
    texts: Sequence[tuple[str, str]],
    *,
    fact_types: Mapping[str, type[Fact]] | Iterable[type[Fact]] | None = None,
) -> list[RubricFile]:
    """Read several files' ``(text, source)`` together: each sees the kinds all declare."""
    loaders = [_Loader(text, source, {}) for text, source in texts]
    problems: list[FileProblem] = []
    documents: list[dict[str, Any]] = []
    declared: list[list[type[Record]]] = []
    for loader in loaders:
        try:
            document = loader.document()
        except RubricFileError as exc:
            problems.extend(exc.problems)
            document = {}
        documents.append(document)
        declared.append(loader.kinds(document))
    known = _known(fact_types)
    for kinds in declared:
        known.update({c.fact_kind: c for c in kinds})
    result: list[RubricFile] = []
    for loader, document, kinds in zip(loaders, documents, declared, strict=True):
        loader.fact_types = known
        try:
            result.append(_assemble(loader, document, kinds))
        except RubricFileError as exc:
            problems.extend(p for p in exc.problems if p not in problems)
    if problems:
        raise RubricFileError(problems)
    return result


def load_file(
    path: str | os.PathLike[str],
    *,
    fact_types: Mapping[str, type[Fact]] | Iterable[type[Fact]] | None = None,
) -> RubricFile:
    """Read a rubric file (UTF-8 TOML); problems name the file as ``path`` is written."""
    return load_files(path, fact_types=fact_types)[0]


def load_files(
    *paths: str | os.PathLike[str],
    fact_types: Mapping[str, type[Fact]] | Iterable[type[Fact]] | None = None,
) -> list[RubricFile]:
    """Read rubric files together, so that each may select the kinds another declares.

    :raises OSError: when a file cannot be read, or is not a regular file within the size
        limit (``docs/security.md``).
    :raises RubricFileError: with every problem of every file.
    """
    texts = []
    for path in paths:
        problem = file_problem(path)
        if problem is not None:
            raise OSError(f"{os.fspath(path)}: {problem}")
        with open(path, encoding="utf-8") as handle:
            texts.append((handle.read(), os.fspath(path)))
    return load_texts(texts, fact_types=fact_types)
