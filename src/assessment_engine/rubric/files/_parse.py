"""The expression language of rubric files: a hand-written recursive-descent parser.

Text goes in, rubric objects (:mod:`assessment_engine.rubric.conditions`) come out; nothing is
ever evaluated, and no ``eval`` or ``exec`` is involved. Input is bounded before parsing starts
(:data:`MAX_LENGTH` characters) and while it runs (:data:`MAX_DEPTH` levels of nesting,
:data:`MAX_NODES` objects), so any text gives a result or an :class:`ExpressionError` quickly.

Given the fact kinds, the parser also type-checks as it goes, with the column of the offending
token: fields exist on their kind (with a "did you mean"), a number field is compared with a
number, a text field only with ``==``, ``!=`` or ``in`` and, when its type is a closed
vocabulary, only with words of it. A kind the parser is not given is left to the rubric's own
check when it is assembled (it may come from another plugin).

The grammar (``docs/rubric-files.md`` has it with examples)::

    condition  := or
    or         := and ("or" and)*
    and        := not ("and" not)*
    not        := "not" not | primary
    primary    := "(" condition ")" | "all" "(" [condition ("," condition)*] ")"
                | "any" "(" [...] ")" | "has_tag" "(" STRING ")" | "exists" "(" selection ")"
                | operand ("==" | "!=" | ">=" | ">" | "<=" | "<") value
                | operand "in" "[" value ("," value)* "]"
    operand    := FIELD (in a where clause) | quantity (elsewhere)
    selection  := KIND ["where" condition]
    value      := NUMBER | STRING | "true" | "false"
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Final, NamedTuple

import attrs

from ..._base.hints import did_you_mean
from ..._base.numbers import to_decimal
from ...facts import Fact, fact_fields
from .. import (
    AdjustmentPoints,
    AllOf,
    AnyOf,
    Compare,
    Composite,
    Condition,
    Count,
    DimensionBonus,
    DimensionPenalty,
    DimensionScore,
    DistinctCount,
    Field,
    Grade,
    HasTag,
    Headcount,
    IndicatorPoints,
    Largest,
    Mean,
    Not,
    OneOf,
    PenaltyTotal,
    Quantity,
    Ratio,
    Select,
    TeamAttr,
    Total,
    Triggered,
    ValueOf,
    Vetoed,
)
from ._errors import ExpressionError
from ._lexer import Token, tokens, unquote

__all__ = [
    "KEYWORDS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_NODES",
    "QUANTITY_FUNCTIONS",
    "parse_condition",
    "parse_quantity",
    "parse_selection",
]


#: The longest expression accepted, in characters.
MAX_LENGTH: Final = 4000
#: The deepest nesting of parentheses, calls and ``not`` accepted.
MAX_DEPTH: Final = 24
#: The most objects (comparisons, quantities, selections, groups) one expression may build.
MAX_NODES: Final = 400

#: Words that are never names of fields or kinds.
KEYWORDS: Final = frozenset({"and", "or", "not", "in", "where", "true", "false"})


#: Quantities without arguments, written as a bare name (or with empty parentheses).
_CONSTANT_QUANTITIES: Final[dict[str, Callable[[], Quantity]]] = {
    "headcount": Headcount,
    "composite": Composite,
    "vetoed": Vetoed,
    "penalty_total": PenaltyTotal,
}
#: Quantities of one id argument: ``dimension_score('pb')``.
_ID_QUANTITIES: Final[dict[str, Callable[[str], Quantity]]] = {
    "indicator_points": IndicatorPoints,
    "adjustment_points": AdjustmentPoints,
    "triggered": Triggered,
    "dimension_score": DimensionScore,
    "dimension_bonus": DimensionBonus,
    "dimension_penalty": DimensionPenalty,
    "grade": Grade,
    "team": TeamAttr,  # type: ignore[dict-item]
}
#: Quantities over a selection and a field: ``total(activity where ..., hours)``.
_FIELD_QUANTITIES: Final[dict[str, Callable[[Select, str], Quantity]]] = {
    "total": Total,
    "mean": Mean,
    "largest": Largest,
    "distinct": DistinctCount,
}
#: Every function name a quantity can start with (for "did you mean").
QUANTITY_FUNCTIONS: Final = frozenset(
    {
        *_CONSTANT_QUANTITIES,
        *_ID_QUANTITIES,
        *_FIELD_QUANTITIES,
        "count",
        "value",
        "metric",
        "ratio",
        "per_capita",
    }
)
_CONDITION_FUNCTIONS: Final = frozenset({"all", "any", "has_tag", "exists"})


class _Operand(NamedTuple):
    obj: Field | Quantity
    kind: str | None  # number, ratio, text, flag, date, tags; None when unknown
    vocabulary: tuple[str, ...] | None
    start: int
    end: int


def _vocabulary(cls: type[Fact], name: str) -> tuple[str, ...] | None:
    """The closed vocabulary of a text field: its ``Literal`` values, or ``None``."""
    field = attrs.fields_dict(cls).get(name)
    if field is None:
        return None
    tp: Any = field.type
    if typing.get_origin(tp) in (typing.Union, type(int | None)):
        tp = next(a for a in typing.get_args(tp) if a is not type(None))
    if typing.get_origin(tp) is typing.Literal:
        values = typing.get_args(tp)
        if all(isinstance(v, str) for v in values):
            return tuple(values)
    return None


class _Parser:
    def __init__(self, text: str, fact_types: Mapping[str, type[Fact]] | None) -> None:
        if len(text) > MAX_LENGTH:
            raise ExpressionError(
                f"the expression is {len(text)} characters long; at most {MAX_LENGTH} are"
                " accepted (split it, or name parts in separate rules)",
                text=text,
                column=MAX_LENGTH + 1,
            )
        self.text = text
        self.tokens = tokens(text)
        self.index = 0
        self.depth = 0
        self.nodes = 0
        self.fact_types = fact_types

    # ------------------------------------------------------------------ tokens
    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def ahead(self, offset: int = 1) -> Token:
        return self.tokens[min(self.index + offset, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != "end":
            self.index += 1
        return token

    def fail(self, reason: str, at: int | None = None) -> ExpressionError:
        start = self.token.start if at is None else at
        return ExpressionError(reason, text=self.text, column=start + 1)

    def describe(self, token: Token) -> str:
        return "the end of the expression" if token.kind == "end" else repr(token.text)

    def expect(self, text: str, what: str = "") -> Token:
        if self.token.text != text or self.token.kind in ("string", "end"):
            wanted = what or repr(text)
            raise self.fail(f"expected {wanted}, found {self.describe(self.token)}")
        return self.advance()

    def is_word(self, word: str) -> bool:
        return self.token.kind == "name" and self.token.text == word

    def is_call(self, names: frozenset[str] | dict[str, Any]) -> bool:
        return self.token.kind == "name" and self.token.text in names and self.ahead().text == "("

    def finish(self) -> None:
        if self.token.kind != "end":
            raise self.fail(f"unexpected {self.describe(self.token)} after a complete expression")

    def build(self, start: int, make: Callable[..., Any], *args: Any) -> Any:
        """Construct a rubric object; its validators' complaints become located errors."""
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.fail(f"the expression builds more than {MAX_NODES} objects", start)
        try:
            return make(*args)
        except (TypeError, ValueError) as exc:
            raise self.fail(str(exc), start) from None

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(f"the expression nests deeper than {MAX_DEPTH} levels")

    def leave(self) -> None:
        self.depth -= 1

    # ------------------------------------------------------------------ conditions
    def condition(self, kind: str | None) -> Condition:
        start = self.token.start
        items = [self.conjunction(kind)]
        while self.is_word("or"):
            self.advance()
            items.append(self.conjunction(kind))
        return items[0] if len(items) == 1 else self.build(start, AnyOf, *items)

    def conjunction(self, kind: str | None) -> Condition:
        start = self.token.start
        items = [self.negation(kind)]
        while self.is_word("and"):
            self.advance()
            items.append(self.negation(kind))
        return items[0] if len(items) == 1 else self.build(start, AllOf, *items)

    def negation(self, kind: str | None) -> Condition:
        if not self.is_word("not"):
            return self.primary(kind)
        start = self.advance().start
        self.enter()
        item = self.negation(kind)
        self.leave()
        return typing.cast("Condition", self.build(start, Not, item))

    def primary(self, kind: str | None) -> Condition:
        token = self.token
        if token.kind == "punct" and token.text == "(":
            self.advance()
            self.enter()
            inner = self.condition(kind)
            self.leave()
            self.expect(")", "')' to close the '(' at column " + str(token.start + 1))
            return inner
        if self.is_call(_CONDITION_FUNCTIONS):
            return self.condition_call(kind)
        left = self.operand(kind)
        if self.is_word("in"):
            self.advance()
            return self.one_of(left)
        if self.token.kind != "op":
            found = self.describe(self.token)
            raise self.fail(
                f"expected a comparison (==, !=, >=, >, <=, <) or 'in [...]' after the"
                f" {'field' if isinstance(left.obj, Field) else 'quantity'}, found {found}"
            )
        op = self.advance().text
        value, value_start = self.value()
        self.check(left, op, value, value_start)
        return typing.cast("Condition", self.build(left.start, Compare, left.obj, op, value))

    def condition_call(self, kind: str | None) -> Condition:
        name = self.advance()
        self.advance()  # (
        self.enter()
        result: Condition
        if name.text in ("all", "any"):
            items: list[Condition] = []
            if self.token.text != ")" or self.token.kind != "punct":
                items.append(self.condition(kind))
                while self.token.text == "," and self.token.kind == "punct":
                    self.advance()
                    items.append(self.condition(kind))
            result = self.build(name.start, AllOf if name.text == "all" else AnyOf, *items)
        elif name.text == "has_tag":
            if kind is None:
                raise self.fail(
                    "has_tag(...) tests one fact: use it in a where clause"
                    " (count(member where has_tag('x')) > 0)",
                    name.start,
                )
            self.check_field(kind, "tags", name.start, ("tags",))
            tag = self.string("a tag in quotes")
            result = self.build(name.start, HasTag, tag)
        else:  # exists
            if kind is not None:
                raise self.fail("exists(...) counts a team's facts; not inside a where clause")
            select = self.selection()
            result = self.build(name.start, Compare, Count(select), ">", Decimal(0))
        self.expect(")", "')' to close " + name.text + "(")
        self.leave()
        return result

    def one_of(self, left: _Operand) -> Condition:
        self.expect("[", "'[' to start the list of values")
        values: list[object] = []
        while True:
            value, start = self.value()
            self.check(left, "==", value, start)
            values.append(value)
            if self.token.text == "," and self.token.kind == "punct":
                self.advance()
                continue
            self.expect("]", "',' or ']' in the list of values")
            break
        return typing.cast("Condition", self.build(left.start, OneOf, left.obj, values))

    def value(self) -> tuple[Decimal | str | bool, int]:
        token = self.token
        if token.kind == "number":
            self.advance()
            try:
                return to_decimal(token.text), token.start
            except (TypeError, ValueError) as exc:
                raise self.fail(str(exc), token.start) from None
        if token.kind == "string":
            self.advance()
            return unquote(token, self.text), token.start
        if token.kind == "name" and token.text in ("true", "false"):
            self.advance()
            return token.text == "true", token.start
        hint = ""
        if token.kind == "name":
            hint = f" (text is quoted: '{token.text}')"
        raise self.fail(
            f"expected a number, a quoted text, true or false; found {self.describe(token)}{hint}"
        )

    # ------------------------------------------------------------------ types
    def check(self, left: _Operand, op: str, value: object, at: int) -> None:
        what = left.kind
        name = self.text[left.start : left.end].strip()
        if what in ("number", "ratio"):
            if not isinstance(value, Decimal):
                raise self.fail(f"{name} is a number; compare it with a number, not {value!r}", at)
        elif what == "text":
            if not isinstance(value, str):
                raise self.fail(f"{name} is text; compare it with quoted text, not {value!r}", at)
            if op not in ("==", "!="):
                raise self.fail(f"{name} is text: only ==, != and 'in [...]' apply", at)
            if left.vocabulary is not None and value not in left.vocabulary:
                raise self.fail(
                    f"{name} is one of {', '.join(map(repr, left.vocabulary))}; not {value!r}"
                    + did_you_mean(value, left.vocabulary),
                    at,
                )
        elif what == "flag":
            if not isinstance(value, bool) or op not in ("==", "!="):
                raise self.fail(f"{name} is a flag: compare it with == true or == false", at)
        elif what in ("date", "tags"):
            hint = " (use has_tag('x'))" if what == "tags" else ""
            raise self.fail(f"{name} is a {what} field and cannot be compared{hint}", left.start)

    def known(self, kind: str) -> type[Fact] | None:
        return None if self.fact_types is None else self.fact_types.get(kind)

    def check_field(
        self, kind: str, name: str, at: int, allowed: tuple[str, ...]
    ) -> tuple[str | None, tuple[str, ...] | None]:
        cls = self.known(kind)
        if cls is None:
            return None, None
        fields = fact_fields(cls)
        spec = fields.get(name)
        if spec is None:
            raise self.fail(
                f"fact kind {kind!r} has no field {name!r}{did_you_mean(name, fields)};"
                f" its fields are {', '.join(fields)}",
                at,
            )
        if spec.kind not in allowed:
            raise self.fail(
                f"field {kind}.{name} is {spec.kind}; here it must be {' or '.join(allowed)}", at
            )
        return spec.kind, _vocabulary(cls, name)

    # ------------------------------------------------------------------ operands
    def operand(self, kind: str | None) -> _Operand:
        token = self.token
        if kind is None:
            return self.quantity()
        if token.kind != "name" or token.text in KEYWORDS:
            raise self.fail(
                f"expected a field of {kind!r} facts, found {self.describe(token)}", token.start
            )
        if self.ahead().text == "(":
            raise self.fail(
                f"a where clause compares fields of the {kind!r} fact itself; {token.text}(...)"
                " is a team's quantity",
                token.start,
            )
        self.advance()
        field_kind, vocabulary = self.check_field(
            kind, token.text, token.start, ("number", "text", "flag")
        )
        field = self.build(token.start, Field, token.text)
        return _Operand(field, field_kind, vocabulary, token.start, self.token.start)

    def quantity(self) -> _Operand:
        token = self.token
        if token.kind != "name" or token.text in KEYWORDS:
            raise self.fail(f"expected a quantity such as count(...), found {self.describe(token)}")
        name = token.text
        calls = self.ahead().text == "(" and self.ahead().kind == "punct"
        if name in _CONSTANT_QUANTITIES:
            self.advance()
            if calls:
                self.advance()
                self.expect(")", f"')' ({name} takes no argument)")
            q = self.build(token.start, _CONSTANT_QUANTITIES[name])
            return _Operand(q, q.quantity_kind(), None, token.start, self.token.start)
        if not calls:
            raise self.fail(
                f"unknown name {name!r}{did_you_mean(name, QUANTITY_FUNCTIONS)}: a team's"
                f" quantity is {', '.join(_CONSTANT_QUANTITIES)} or a function such as"
                " count(...); fields are compared inside a where clause"
            )
        if name not in QUANTITY_FUNCTIONS:
            raise self.fail(
                f"unknown function {name!r}{did_you_mean(name, QUANTITY_FUNCTIONS)}; the"
                f" quantities are {', '.join(sorted(QUANTITY_FUNCTIONS))}"
            )
        self.advance()
        self.advance()  # (
        self.enter()
        q, kind = self.call(name, token.start)
        self.expect(")", f"')' to close {name}(")
        self.leave()
        return _Operand(q, kind, None, token.start, self.token.start)

    def call(self, name: str, start: int) -> tuple[Quantity, str | None]:
        q: Quantity
        if name in _ID_QUANTITIES:
            q = self.build(start, _ID_QUANTITIES[name], self.string("an id in quotes"))
            return q, q.quantity_kind()
        if name == "count":
            q = self.build(start, Count, self.selection())
            return q, "number"
        if name in _FIELD_QUANTITIES:
            select = self.selection()
            self.expect(",", f"',' and the field {name}(...) reads")
            allowed = ("number", "text", "flag", "date") if name == "distinct" else ("number",)
            field = self.field_name(select.kind, allowed)
            q = self.build(start, _FIELD_QUANTITIES[name], select, field)
            return q, q.quantity_kind()
        if name in ("value", "metric"):
            return self.value_of(name, start)
        first = self.quantity()
        self.numeric(first)
        if name == "per_capita":
            return self.build(start, Ratio, first.obj, Headcount()), "ratio"
        self.expect(",", "',' and the denominator of ratio(numerator, denominator)")
        second = self.quantity()
        self.numeric(second)
        return self.build(start, Ratio, first.obj, second.obj), "ratio"

    def value_of(self, name: str, start: int) -> tuple[Quantity, str | None]:
        if name == "metric":
            kind_start = self.token.start
            metric_kind = self.string("the metric's kind in quotes")
            where = self.build(kind_start, Compare, Field("kind"), "==", metric_kind)
            select = self.build(start, Select, "metric", where)
            field = "value"
            self.check_field("metric", field, start, ("number",))
        else:
            select = self.selection()
            field = "value"
            if self.token.text == "," and self.ahead().text != "default":
                self.advance()
                field = self.field_name(select.kind, ("number",))
            else:
                self.check_field(select.kind, field, start, ("number",))
        default: Decimal | None = None
        if self.token.text == ",":
            self.advance()
            self.expect("default", "default=NUMBER")
            self.expect("=", "'=' after default")
            value, at = self.value()
            if not isinstance(value, Decimal):
                raise self.fail("default must be a number", at)
            default = value
        return self.build(start, ValueOf, select, field, default), "number"

    def numeric(self, operand: _Operand) -> None:
        if operand.kind not in ("number", "ratio", None):
            raise self.fail("a ratio divides numbers", operand.start)

    def field_name(self, kind: str, allowed: tuple[str, ...]) -> str:
        token = self.token
        if token.kind != "name" or token.text in KEYWORDS:
            raise self.fail(f"expected the name of a field of {kind!r} facts")
        self.advance()
        self.check_field(kind, token.text, token.start, allowed)
        return token.text

    def string(self, what: str) -> str:
        token = self.token
        if token.kind != "string":
            raise self.fail(f"expected {what}, found {self.describe(token)}")
        self.advance()
        return unquote(token, self.text)

    def selection(self) -> Select:
        token = self.token
        if token.kind != "name" or token.text in KEYWORDS:
            raise self.fail(
                f"expected a fact kind (member, activity, ...), found {self.describe(token)}"
            )
        self.advance()
        kind = token.text  # a kind the parser does not know may come from another plugin
        where: Condition | None = None
        if self.is_word("where"):
            self.advance()
            self.enter()
            where = self.condition(kind)
            self.leave()
        return typing.cast("Select", self.build(token.start, Select, kind, where))


def _parse(text: object, fact_types: Mapping[str, type[Fact]] | None, rule: str) -> Any:
    if not isinstance(text, str):
        raise ExpressionError(
            f"expected an expression in quotes, got {type(text).__name__}", text=str(text), column=1
        )
    parser = _Parser(text, fact_types)
    if parser.token.kind == "end":
        raise parser.fail("the expression is empty")
    result: Any
    if rule == "condition":
        result = parser.condition(None)
    elif rule == "quantity":
        result = parser.quantity().obj
    else:
        result = parser.selection()
    parser.finish()
    return result


def parse_condition(text: str, *, fact_types: Mapping[str, type[Fact]] | None = None) -> Condition:
    """Parse a team-level condition: ``count(incident where kind == 'accident') > 0``.

    :param fact_types: the kinds to type-check against, by name; ``None`` skips the checks.
    :raises ExpressionError: with the column and the reason.
    """
    return typing.cast("Condition", _parse(text, fact_types, "condition"))


def parse_quantity(text: str, *, fact_types: Mapping[str, type[Fact]] | None = None) -> Quantity:
    """Parse a quantity: ``per_capita(total(activity where kind == 'volunteer', hours))``."""
    return typing.cast("Quantity", _parse(text, fact_types, "quantity"))


def parse_selection(text: str, *, fact_types: Mapping[str, type[Fact]] | None = None) -> Select:
    """Parse a selection: ``achievement where kind == 'patent' and level in ['national']``."""
    return typing.cast("Select", _parse(text, fact_types, "selection"))
