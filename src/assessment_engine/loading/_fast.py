"""The fast path for records: a validated row per record, without an object per record.

Reading a record through the converter (``_converter``) structures it field by field with
detailed error reporting, then builds the frozen attrs object, which runs every converter and
validator: a few microseconds a record. A file holds records whose values repeat — the same
kinds, levels, periods, ids, team ids and small numbers over and over — so this path checks each
*distinct* value of a field once, with exactly the converter hook, attrs converter and validator
the object path uses, remembers the result, and builds the record's row
(:mod:`assessment_engine.factset`) from remembered values.

Whatever this path is not sure of — an unknown key, a missing required field, a value that does
not pass, a class whose validators it cannot run field by field — makes it give up on that
record (``None``), and the record goes through the converter, which accepts or refuses it with
its own, exact messages. So the fast path accepts exactly the records the object path accepts,
with equal values; a differential test holds the two to it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from itertools import repeat
from operator import is_, itemgetter
from typing import Any, Final

import attrs
import cattrs
from attrs import validators as v

from .. import facts as facts_module
from .._base.numbers import to_decimal
from ..facts import TAG, Fact, Record
from ..factset import TAGS, Row, kind_code, tags_tuple

__all__ = ["FastRecords"]

_MISSING: Final = object()
_CACHE_LIMIT: Final = 65_536  # distinct values remembered per field
#: The types of input no two of which are equal across types (``True == 1 == 1.0``, so bool and
#: float are not among them): a column of them is checked by its set of distinct inputs.
_EXACT: Final = frozenset([str, int, type(None), object])  # object: the type of _MISSING

#: The validators a field may have for the fast path to run it on a value alone: none of them
#: reads another field of the instance.
_KNOWN_VALIDATORS: Final[tuple[type, ...]] = (
    type(v.instance_of(int)),
    type(v.in_(())),
    type(v.ge(0)),
    type(v.optional(v.instance_of(int))),
    type(v.and_()),
)
#: The validators of the fact classes' own module: each reads only the value it is given (a
#: rule of facts.py), so the fast path may run it on a value alone.
_KNOWN_FUNCTIONS: Final = tuple(
    value
    for name, value in vars(facts_module).items()
    if name.startswith("_")
    and callable(value)
    and getattr(value, "__module__", "") == facts_module.__name__
)
_KNOWN_CONVERTERS: Final = frozenset(
    c
    for c in (
        to_decimal,
        facts_module.optional_decimal,
        getattr(facts_module, "_tags", None),
    )
    if c is not None
)


def _known_validator(validator: object) -> bool:
    if validator is None:
        return True
    if isinstance(validator, list | tuple):
        return all(_known_validator(x) for x in validator)
    if any(validator is f for f in _KNOWN_FUNCTIONS):
        return True
    if not isinstance(validator, _KNOWN_VALIDATORS):
        return False
    inner = getattr(validator, "_validators", None)
    if inner is not None:
        return all(_known_validator(x) for x in inner)
    wrapped = getattr(validator, "validator", None)  # optional(...)
    return wrapped is None or _known_validator(wrapped)


def _fast_kind(cls: type[Fact]) -> bool:
    """Whether every field of ``cls`` can be checked alone, with known validators."""
    if "__attrs_post_init__" in cls.__dict__ or getattr(cls, "__attrs_pre_init__", None):
        return False
    for field in attrs.fields(cls):
        if not field.init or field.alias != field.name:
            return False
        if field.converter is not None and not any(field.converter is c for c in _KNOWN_CONVERTERS):
            return False
        if not _known_validator(field.validator):
            return False
    return True


def _checker(
    field: attrs.Attribute[Any], converter: cattrs.Converter
) -> Callable[[object], object]:
    """The value a field takes for an input, exactly as building the object gives it."""
    structure = converter.structure
    tp: Any = field.type
    convert = field.converter
    validate = field.validator

    def check(value: object) -> object:
        result = structure(value, tp)
        if convert is not None:
            result = convert(result)  # type: ignore[operator]
        if validate is not None:
            validate(None, field, result)
        return result

    return check


def _as_tuple(check: Callable[[object], object]) -> Callable[[object], object]:
    """A tags field's checker, giving the tags as rows hold them (a sorted tuple)."""

    def tags(value: object) -> object:
        return tags_tuple(check(value))  # type: ignore[arg-type]

    return tags


def _default(field: attrs.Attribute[Any]) -> object:
    """The value a field takes when the record leaves it out (converted and validated)."""
    default: Any = field.default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        default = default.factory()
    if field.converter is not None:
        default = field.converter(default)  # type: ignore[operator]
    if field.validator is not None:
        field.validator(None, field, default)
    return default


class _Field:
    """One field of a kind: its checker, its default, and the values it has already checked."""

    __slots__ = ("check", "default", "name", "numbers", "others", "results", "same", "texts")

    def __init__(self, name: str, check: Callable[[object], object], default: object) -> None:
        self.name = name
        self.check = check
        self.default = default  # _MISSING when the field is required
        # remembered results by input: text, whole numbers (each also by ``None`` and by the
        # missing marker, so that a column of text and gaps is one lookup a value), and short
        # lists of text by their items
        self.texts: dict[object, object] = {}
        self.numbers: dict[object, object] = {}
        self.others: dict[object, object] = {}
        if default is not _MISSING:
            self.texts[_MISSING] = self.numbers[_MISSING] = default
        # for columns of text, whole numbers, None and gaps only (no two of which are equal
        # across types): the result of each input seen, and the inputs that are their own result
        self.results: dict[object, object] = {}
        self.same: set[object] = set()
        self._forget()

    def _forget(self) -> None:
        self.results.clear()
        self.same.clear()
        if self.default is not _MISSING:
            self.results[_MISSING] = self.default

    def column(self, raws: list[object]) -> tuple[list[object], list[int]]:
        """The checked values of a column of inputs, and the positions of those that do not pass.

        Each distinct input is checked once (a set of the column, in C); when every input is its
        own result — text and whole numbers that pass, as they mostly are — the column itself is
        the result, else one lookup an input maps it.
        """
        try:
            distinct = set(raws)
        except TypeError:  # an unhashable input (a list of tags)
            return self._one_by_one(raws)
        if not set(map(type, distinct)) <= _EXACT:
            return self._one_by_one(raws)
        results = self.results
        if len(results) + len(distinct) > _CACHE_LIMIT:
            self._forget()  # start again: records come team by team, so what repeats is recent
        failed: set[object] = set()
        for raw in distinct.difference(results):
            result = self.default if raw is _MISSING else self._checked(raw)
            if result is _MISSING:
                failed.add(raw)
                continue
            results[raw] = result
            if result is raw or (type(result) is type(raw) and result == raw):
                self.same.add(raw)
        bad = [i for i, raw in enumerate(raws) if raw in failed] if failed else []
        if distinct <= self.same and len(distinct) == len(raws):
            return raws, bad
        # one object a value: equal inputs (each record's own copy of "member", or of the id
        # "7" in every team) become the one remembered result, so that rows share it
        return list(map(results.get, raws)), bad

    def _checked(self, raw: object) -> object:
        try:
            return self.check(raw)
        except Exception:
            return _MISSING

    def _one_by_one(self, raws: list[object]) -> tuple[list[object], list[int]]:
        value, miss = self.value, _MISSING
        values: list[object] = [miss] * len(raws)
        bad: list[int] = []
        for i, raw in enumerate(raws):
            result = values[i] = value(raw)
            if result is miss:
                bad.append(i)
        return values, bad

    def value(self, raw: object) -> object:
        """The checked value of one input (``_MISSING`` when it does not pass)."""
        if raw is _MISSING:
            return self.default
        kind = type(raw)
        cache: dict[Any, object] | None
        key: Any = raw
        if kind is str:
            cache = self.texts
        elif kind is int:
            cache = self.numbers
        elif raw is None:
            cache = self.others
            result = self.others.get(None, _MISSING)
            if result is _MISSING:
                try:
                    result = self.check(None)
                except Exception:
                    return _MISSING
                self.others[None] = self.texts[None] = self.numbers[None] = result
            return result
        elif isinstance(raw, list) and len(raw) < 9 and all(type(x) is str for x in raw):
            cache, key = self.others, tuple(raw)
        else:
            cache = None
        if cache is not None:
            found = cache.get(key, _MISSING)
            if found is not _MISSING:
                return found
        try:
            result = self.check(raw)
        except Exception:
            return _MISSING
        if cache is not None:
            if len(cache) >= _CACHE_LIMIT:  # start again: records come team by team, so what
                cache.clear()  # repeats is recent
                if self.default is not _MISSING:
                    self.texts[_MISSING] = self.numbers[_MISSING] = self.default
            cache[key] = result
        return result


def _missing(values: list[object], n: int) -> bool:
    """Whether the missing marker is among ``values``, by identity.

    (``in`` would compare each value for equality, and a ``Decimal`` compares slowly with a
    foreign object.)
    """
    return any(map(is_, values, repeat(_MISSING, n)))


class _Kind:
    """The fast path for one record kind, a column at a time."""

    def __init__(self, cls: type[Fact], converter: cattrs.Converter) -> None:
        attrs.resolve_types(cls)
        self.code = kind_code(cls)
        self.allowed = frozenset([TAG, *(f.name for f in attrs.fields(cls))])
        self.fields: list[_Field] = []
        for i, field in enumerate(attrs.fields(cls)):
            check = _checker(field, converter)
            is_tags = issubclass(cls, Record) and i == TAGS - 1
            default: object = _MISSING
            if field.default is not attrs.NOTHING:
                default = _default(field)
                if is_tags:
                    default = tags_tuple(default)  # type: ignore[arg-type]
            self.fields.append(_Field(field.name, _as_tuple(check) if is_tags else check, default))

    def rows(self, records: list[dict[str, Any]]) -> list[Row | None]:
        """Each record's row, or ``None`` for one this path is not sure of.

        A column at a time, at C speed where it can be: a field's inputs are read with
        ``map(dict.get, ...)`` and checked as a column (:meth:`_Field.column`).
        """
        miss, n = _MISSING, len(records)
        bad: set[int] = set()
        given = set().union(*records)  # every key some record gives
        if not given <= self.allowed:  # some record has an unknown key
            bad.update(i for i, ok in enumerate(map(self.allowed.issuperset, records)) if not ok)
        columns: list[Iterable[object]] = []
        for field in self.fields:
            name = field.name
            if name not in given:  # no record gives it: the default for all (or none passes)
                if field.default is miss:
                    return [None] * n
                columns.append(repeat(field.default, n))
                continue
            values, failed = field.column(
                list(map(dict.get, records, repeat(name, n), repeat(miss, n)))
            )
            bad.update(failed)
            columns.append(values)
        return self._assemble(columns, n, bad)

    def rows_of_columns(
        self, columns: Mapping[str, list[object]], n: int
    ) -> tuple[list[Row | None], list[int]]:
        """The rows of ``n`` records given as columns, and the positions this path is not sure of.

        A column holds a field's inputs in record order; a field without one takes its default.
        """
        out: list[Iterable[object]] = []
        bad: set[int] = set()
        for field in self.fields:
            raws = columns.get(field.name)
            if raws is None:
                if field.default is _MISSING:
                    return [None] * n, list(range(n))
                out.append(repeat(field.default, n))
                continue
            values, failed = field.column(raws)
            bad.update(failed)
            out.append(values)
        rows = self._assemble(out, n, bad)
        return rows, sorted(bad)

    def _assemble(self, columns: list[Iterable[object]], n: int, bad: set[int]) -> list[Row | None]:
        rows: list[Row | None] = list(zip(repeat(self.code, n), *columns, strict=False))
        for i in bad:
            rows[i] = None
        return rows


class FastRecords:
    """The fast path for the records of the kinds one converter reads.

    :meth:`rows` gives each record's row, or ``None`` for a record that must go through the
    converter (an unknown kind or key, a missing field, a value that does not pass, a kind
    whose validators cannot be run field by field).
    """

    def __init__(self, kinds: Mapping[str, type[Fact]], converter: cattrs.Converter) -> None:
        self._kinds: dict[object, _Kind] = {}
        for kind, cls in kinds.items():
            if _fast_kind(cls):
                try:
                    self._kinds[kind] = _Kind(cls, converter)
                except Exception:  # a default that does not validate: the object path says so
                    continue

    def rows(self, records: list[object]) -> list[Row | None]:
        """Each record's row (a mapping with a ``"fact"`` key), or ``None``.

        The records are split by kind in one pass and read a kind at a time; the rows are put
        back in the records' order by one gather (``itemgetter``) through the inverse of the
        split's order, which sorting finds in a few passes: the split is one sorted run a kind.
        """
        n = len(records)
        if set(map(type, records)) != {dict} or n < 2:  # some are not records: one by one
            return [self._one(raw) for raw in records]
        tags: list[object] = list(map(dict.get, records, repeat(TAG, n)))  # type: ignore[arg-type]
        if set(map(type, tags)) != {str}:  # a kind that is not text: one by one
            return [self._one(raw) for raw in records]
        by_kind: defaultdict[object, list[int]] = defaultdict(list)
        for i, tag in enumerate(tags):
            by_kind[tag].append(i)
        order: list[int] = []
        rows: list[Row | None] = []
        for tag, positions in by_kind.items():
            found = self._kinds.get(tag)
            if found is None:
                rows.extend(repeat(None, len(positions)))
            else:
                group = (
                    [records[positions[0]]]
                    if len(positions) == 1
                    else list(itemgetter(*positions)(records))
                )
                rows.extend(found.rows(group))  # type: ignore[arg-type]
            order.extend(positions)
        if len(by_kind) == 1:
            return rows
        inverse = sorted(range(n), key=order.__getitem__)
        return list(itemgetter(*inverse)(rows))

    def _one(self, raw: object) -> Row | None:
        if type(raw) is not dict:
            return None
        tag = raw.get(TAG)
        found = self._kinds.get(tag) if type(tag) is str else None
        if found is None:
            return None
        return found.rows([raw])[0]

    def row(self, raw: object) -> Row | None:
        """The row of one record, or ``None``."""
        return self.rows([raw])[0]
