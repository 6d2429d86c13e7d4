"""durable-rules behind one small door: the safe envelope of ``research/durable-rules.md`` §10.

durable-rules 2.0.28 crashes or hangs the process outside a narrow envelope. This module is
the only place that imports it, and it keeps to that envelope by construction:

* **a private host without background threads** (``_PrivateHost._run`` does nothing): no
  dispatcher or timer thread, so no post_batch race and no dispatch-thread crash;
* **rulesets compiled to durable's JSON form** from our own clusters, deep-copied before
  ``set_rulesets`` (which mutates its argument), and **checked against the C core's limits before
  durable sees them** (:func:`check_cluster`): a rubric outside them is a
  :class:`~assessment_engine.errors.MatcherLimitError` when the engine is built;
* **facts, never events**, for matching (an event fires only the first matching rule); every
  rule carries ``cap`` so its one-line action receives its matches in batches;
* **sid slots from a checked pool** (:class:`SidPool`): 1024 names whose 32-bit FNV-1a hashes are
  distinct, so sessions never merge, and never more than durable's 1024 live sessions; team ids
  never become sids (records are content, not teams);
* **sessions opened safely**: a sentinel event consumed by a no-op rule initialises every session
  before anything else (deleting a session where no action ran frees an uninitialised pointer),
  the same sentinel flushes actions left pending by a partly unhandled batch, and the session is
  deleted after each batch so memory is released;
* **numbers encoded so comparisons stay exact**: durable compares doubles, strings
  lexicographically and rejects exponent floats, so every value is sent as a 64-bit integer:
  ``v >= t`` becomes ``⌊v·L⌋ >= t·L`` and ``v > t`` becomes ``⌈v·L⌉ > t·L`` for a scale ``L``
  that makes every constant an integer, with values clamped just outside the constants' range;
  text becomes a code (0 for text no rule mentions), a flag 0 or 1;
* **one-line actions that only record matches** (they never raise and never touch the state);
  a returned state carrying ``exception`` is still checked;
* **durable's errors mapped to ours**: ``error code: N`` and ``MemoryError`` become
  :class:`~assessment_engine.errors.MatcherError`; "not handled" means no rule cares.

Each engine owns one :class:`DurableMatcher` (its host, rulesets and pool); a lock confines the
host to one thread at a time.
"""

from __future__ import annotations

import contextlib
import copy
import math
import re
import threading
import weakref
from collections.abc import Callable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final

from ..errors import MatcherError, MatcherLimitError, MatcherUnavailableError
from .base import FALSE, TRUE, And, Atom, Cluster, Expr, Or, Record

__all__ = [
    "BATCH_SIZE",
    "LIMITS",
    "DurableMatcher",
    "SidPool",
    "check_cluster",
    "fnv1a_32",
]

#: Records asserted into one session before it is read and deleted.
BATCH_SIZE: Final = 512

#: The C core's limits we keep under, with the constant each comes from.
LIMITS: Final = {
    # $and/$or nodes per rule: each appends 2 entries to a 32-slot sequence (rete.h
    # MAX_SEQUENCE_EXPRESSIONS); our own top-level $and uses one.
    "logical operators per condition": 15,
    # comparisons a cluster's records can satisfy at once (events.c MAX_STACK_SIZE 64); we
    # bound the comparisons under one cluster node, which bounds the satisfiable ones.
    "comparisons per cluster": 60,
    # children of one alpha node (rules.h NEXT_BUCKET_LENGTH 512: 512 hangs).
    "clusters per ruleset": 500,
    # rules per ruleset (rete.c MAX_ACTIONS 4096).
    "rules per ruleset": 4000,
    # property slots per fact (MAX_OBJECT_PROPERTIES 255, sid and id included).
    "properties per record": 250,
    # integers are parsed with atol/atoll into 64 bits; keep a margin for ±1 clamping.
    "integer magnitude": 2**62,
}

_SLOT_COUNT: Final = 1024
_SENTINEL_RULE: Final = "open"
_ERROR_CODE = re.compile(r"error code: (\d+)")


def fnv1a_32(text: str) -> int:
    """The 32-bit FNV-1a hash durable-rules uses to find sessions and fact ids."""
    h = 0x811C9DC5
    for byte in text.encode("utf-8"):
        h ^= byte
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


class SidPool:
    """A checked pool of session ids: ``slot-0000`` … ``slot-1023``.

    The names' FNV-1a-32 hashes are pairwise distinct (checked on construction), so two live
    sessions can never be merged by durable's hash-only lookup, and the pool refuses a 1025th
    live session instead of letting durable fail with MemoryError and then segfault.
    """

    def __init__(self, size: int = _SLOT_COUNT) -> None:
        if not 1 <= size <= _SLOT_COUNT:
            raise ValueError(f"a pool holds 1 to {_SLOT_COUNT} slots")
        self.slots = tuple(f"slot-{i:04d}" for i in range(size))
        hashes = {fnv1a_32(s) for s in self.slots} | {fnv1a_32(f"sid-{s}") for s in self.slots}
        if len(hashes) != 2 * size:  # pragma: no cover - verified by the tests
            raise RuntimeError("sid slot names collide in FNV-1a-32")
        self._free = list(reversed(self.slots))
        self._lock = threading.Lock()

    def acquire(self) -> str:
        """Take a free slot; :class:`MatcherError` when all are live."""
        with self._lock:
            if not self._free:
                raise MatcherError(
                    f"all {len(self.slots)} durable-rules sessions are in use; refusing to open"
                    " another (durable-rules crashes past 1024 live sessions per ruleset)"
                )
            return self._free.pop()

    def release(self, slot: str) -> None:
        """Return a slot to the pool."""
        with self._lock:
            if slot in self._free or slot not in self.slots:
                raise ValueError(f"slot {slot!r} is not live")
            self._free.append(slot)

    @property
    def live(self) -> int:
        """How many slots are taken."""
        return len(self.slots) - len(self._free)


# Record ids inside a session: decimal strings, checked distinct from each other, from the
# sentinel events and from the session's own state id in FNV-1a-32.
def _check_record_ids(batch: int, pool: SidPool) -> None:
    names = [str(i) for i in range(batch)] + [_SENTINEL_RULE]
    hashes = {fnv1a_32(n) for n in names}
    state_ids = {fnv1a_32(f"sid-{s}") for s in pool.slots}
    if len(hashes) != len(names) or hashes & state_ids:  # pragma: no cover - verified by tests
        raise RuntimeError("record ids collide in FNV-1a-32")


# --------------------------------------------------------------------------- encoding


class _NumberCodec:
    """Exact integer encoding of one number property against its constants."""

    def __init__(self, constants: Sequence[Decimal | Fraction]) -> None:
        places = 0
        for c in constants:
            f = Fraction(c)
            den = f.denominator
            # every constant must be a finite decimal for an integer scale to exist
            twos = fives = 0
            while den % 2 == 0:
                den //= 2
                twos += 1
            while den % 5 == 0:
                den //= 5
                fives += 1
            if den != 1:
                raise ValueError(f"constant {c} is not a finite decimal")
            places = max(places, twos, fives)
        self.scale = 10**places
        ints = [int(Fraction(c) * self.scale) for c in constants]
        self.low = min(ints, default=0) - 1
        self.high = max(ints, default=0) + 1

    def constant(self, value: Decimal | Fraction) -> int:
        return int(Fraction(value) * self.scale)

    def encode(self, value: object) -> tuple[int, int] | None:
        if value is None:
            return None
        if isinstance(value, tuple):  # a ratio kept as (numerator, denominator)
            num, den = value
            if den == 0:
                return None
            f = Fraction(num) / Fraction(den)
        elif isinstance(value, Fraction):
            f = value
        else:
            f = Fraction(value)  # type: ignore[arg-type]
        scaled = f * self.scale
        low, high = self.low, self.high
        floor = max(low, min(high, math.floor(scaled)))
        ceil = max(low, min(high, math.ceil(scaled)))
        return floor, ceil


class _ClusterCodec:
    """Encodes one cluster's records and rules into durable's integer-only JSON."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        numbers: dict[int, list[Decimal | Fraction]] = {}
        texts: dict[int, set[str]] = {}
        for rule in cluster.rules:
            for atom in _atoms(rule.expr):
                kind = cluster.properties[atom.prop].kind
                if kind == "number":
                    if not isinstance(atom.value, Decimal | Fraction) or isinstance(
                        atom.value, bool
                    ):
                        raise TypeError(f"{rule.name}: number compared with {atom.value!r}")
                    numbers.setdefault(atom.prop, []).append(atom.value)
                elif kind == "text":
                    texts.setdefault(atom.prop, set()).add(str(atom.value))
        self.numbers = {p: _NumberCodec(cs) for p, cs in numbers.items()}
        self.texts = {
            p: {t: i for i, t in enumerate(sorted(ts), start=1)} for p, ts in texts.items()
        }
        self.flags = {i for i, prop in enumerate(cluster.properties) if prop.kind == "flag"}

    def encode(self, record: Record, sid: str, rid: int) -> dict[str, Any]:
        message: dict[str, Any] = {"sid": sid, "id": str(rid), "k": self.cluster.code}
        for p, codec in self.numbers.items():
            encoded = codec.encode(record[p])
            if encoded is not None:
                message[f"p{p}f"], message[f"p{p}c"] = encoded
        for p, table in self.texts.items():
            value = record[p]
            if value is not None:
                message[f"p{p}"] = table.get(value, 0)  # type: ignore[call-overload]
        for p in self.flags:
            value = record[p]
            if value is not None:
                message[f"p{p}"] = 1 if value else 0
        return message

    def expression(self, expr: Expr) -> dict[str, Any]:
        if isinstance(expr, And):
            return {"$and": [self.expression(x) for x in expr.items]}
        if isinstance(expr, Or):
            return {"$or": [self.expression(x) for x in expr.items]}
        kind = self.cluster.properties[expr.prop].kind
        if kind == "number":
            k = self.numbers[expr.prop].constant(expr.value)  # type: ignore[arg-type]
            f, c = f"p{expr.prop}f", f"p{expr.prop}c"
            return {
                ">=": lambda: {"$gte": {f: k}},
                ">": lambda: {"$gt": {c: k}},
                "<=": lambda: {"$lte": {c: k}},
                "<": lambda: {"$lt": {f: k}},
                "==": lambda: {"$and": [{f: k}, {c: k}]},
                "!=": lambda: {"$or": [{"$neq": {f: k}}, {"$neq": {c: k}}]},
            }[expr.op]()
        name = f"p{expr.prop}"
        if kind == "text":
            value: int = self.texts[expr.prop][str(expr.value)]
        else:
            value = 1 if expr.value else 0
        if expr.op == "==":
            return {name: value}
        if expr.op == "!=":
            return {"$neq": {name: value}}
        raise TypeError(f"{kind} property compared with {expr.op}")  # pragma: no cover

    def condition(self, expr: Expr) -> dict[str, Any]:
        """The whole rule condition: the cluster code first, then the expression."""
        expr = _fold_constants(expr)
        if expr == TRUE:
            return {"k": self.cluster.code}
        return {"$and": [{"k": self.cluster.code}, self.expression(expr)]}


def _fold_constants(expr: Expr) -> Expr:
    """The equivalent expression without TRUE (``And(())``) or FALSE (``Or(())``) inside it.

    durable-rules hangs on the first post to a ruleset where an empty ``$and`` sits below the
    top level (``AnyOf(AllOf(), ...)`` in a rubric compiles to one), so constants are folded
    away: only the whole condition may still be TRUE (encoded as the cluster test alone) or
    FALSE (an empty ``$or``, which durable-rules handles).
    """
    if isinstance(expr, Atom):
        return expr
    items = [_fold_constants(x) for x in expr.items]
    if isinstance(expr, And):
        if FALSE in items:
            return FALSE
        return And(tuple(x for x in items if x != TRUE))
    if TRUE in items:
        return TRUE
    return Or(tuple(x for x in items if x != FALSE))


def _atoms(expr: Expr) -> list[Atom]:
    if isinstance(expr, Atom):
        return [expr]
    return [a for item in expr.items for a in _atoms(item)]


def _count(node: Any) -> tuple[int, int]:
    """(logical operators, comparisons) in an encoded durable expression."""
    if isinstance(node, dict):
        logical = comparisons = 0
        for key, value in node.items():
            if key in ("$and", "$or"):
                logical += 1
                for item in value:
                    lg, cm = _count(item)
                    logical += lg
                    comparisons += cm
            else:
                comparisons += 1
        return logical, comparisons
    return 0, 0  # pragma: no cover


def check_cluster(cluster: Cluster) -> _ClusterCodec:
    """Encode a cluster and check it against durable's limits; raise MatcherLimitError."""
    if len(cluster.properties) * 2 + 3 > LIMITS["properties per record"]:
        raise MatcherLimitError(
            f"cluster {cluster.code} ({cluster.stream}) reads too many properties",
            subject=cluster.rules[0].name if cluster.rules else None,
            limit="properties per record",
            value=len(cluster.properties) * 2 + 3,
            maximum=LIMITS["properties per record"],
        )
    try:
        codec = _ClusterCodec(cluster)
    except ValueError as exc:
        raise MatcherLimitError(
            f"a constant cannot be encoded exactly: {exc}",
            subject=cluster.rules[0].name if cluster.rules else None,
            limit="finite decimal constants",
            value=1,
            maximum=0,
        ) from exc
    for p, number in codec.numbers.items():
        biggest = max(abs(number.low), abs(number.high))
        if biggest >= LIMITS["integer magnitude"]:
            names = [r.name for r in cluster.rules if any(a.prop == p for a in _atoms(r.expr))]
            raise MatcherLimitError(
                f"constants compared with {cluster.properties[p].name} need {number.scale} as"
                " scale and exceed durable-rules' 64-bit integers",
                subject=names[0] if names else None,
                limit="integer magnitude",
                value=biggest,
                maximum=LIMITS["integer magnitude"] - 1,
            )
    total = 0
    for rule in cluster.rules:
        logical, comparisons = _count(codec.condition(rule.expr))
        if logical > LIMITS["logical operators per condition"]:
            raise MatcherLimitError(
                "condition has too many nested all/any groups for durable-rules",
                subject=rule.name,
                limit="logical operators per condition",
                value=logical,
                maximum=LIMITS["logical operators per condition"],
            )
        total += comparisons - 1  # the cluster code test is shared
    if total > LIMITS["comparisons per cluster"]:
        raise MatcherLimitError(
            f"cluster {cluster.code} holds too many comparisons for durable-rules",
            subject=cluster.rules[0].name if cluster.rules else None,
            limit="comparisons per cluster",
            value=total,
            maximum=LIMITS["comparisons per cluster"],
        )
    return codec


# --------------------------------------------------------------------------- the matcher


def _load_durable() -> tuple[Any, Any]:
    try:
        import durable_rules_engine
        from durable import engine
    except ImportError as exc:
        raise MatcherUnavailableError(
            "durable-rules is not installed or not built for this Python"
            f" ({exc}); install it with CPPFLAGS=-DPyEval_CallObject=PyObject_CallObject"
            " PIP_NO_CACHE_DIR=1 pip install durable-rules==2.0.28, or use matcher='python'"
        ) from exc
    return engine, durable_rules_engine


def _error_code(exc: BaseException) -> int | None:
    match = _ERROR_CODE.search(str(exc))
    return int(match.group(1)) if match else None


def _delete_rulesets(host: Any, rules_module: Any) -> None:
    for ruleset in list(host._ruleset_list):
        with contextlib.suppress(Exception):  # best effort, also at interpreter exit
            rules_module.delete_ruleset(ruleset._handle)
    host._ruleset_list.clear()
    host._ruleset_directory.clear()


class DurableMatcher:
    """Matcher backed by durable-rules' Rete network, inside the safe envelope."""

    name = "durable"

    def __init__(self, *, batch_size: int = BATCH_SIZE) -> None:
        engine, rules_module = _load_durable()
        if not 1 <= batch_size <= 4096:
            raise ValueError("batch_size must be between 1 and 4096")

        class _PrivateHost(engine.Host):  # type: ignore[misc, name-defined]
            """A host without background threads: nothing runs unless we call it."""

            def _run(self) -> None:
                return None

        self._engine = engine
        self._rules = rules_module
        self._host = _PrivateHost()
        self._lock = threading.Lock()
        self._pool = SidPool()
        _check_record_ids(batch_size, self._pool)
        self._batch = batch_size
        self._codecs: dict[int, _ClusterCodec] = {}
        self._ruleset_of: dict[int, str] = {}
        self._found: list[tuple[int, int, Any]] = []
        self._closed = False
        self._finalizer = weakref.finalize(self, _delete_rulesets, self._host, rules_module)

    # ---------------------------------------------------------------- building
    def prepare(self, clusters: Sequence[Cluster]) -> None:
        """Check every cluster against the limits, then create the rulesets."""
        codecs = {c.code: check_cluster(c) for c in clusters}
        groups: list[list[Cluster]] = []
        for cluster in sorted(clusters, key=lambda c: c.code):
            current = groups[-1] if groups else None
            if (
                current is None
                or current[0].stream != cluster.stream
                or len(current) >= LIMITS["clusters per ruleset"]
                or sum(len(c.rules) for c in current) + len(cluster.rules)
                > LIMITS["rules per ruleset"]
            ):
                groups.append([cluster])
            else:
                current.append(cluster)
        definitions: dict[str, dict[str, Any]] = {}
        ruleset_of: dict[int, str] = {}
        for index, group in enumerate(groups):
            name = f"rs{index}-{_safe(group[0].stream)}"
            rules: dict[str, Any] = {
                _SENTINEL_RULE: {"all": [{"m": {"o": 1}}], "run": _noop},
            }
            for cluster in group:
                codec = codecs[cluster.code]
                ruleset_of[cluster.code] = name
                for i, rule in enumerate(cluster.rules):
                    rules[f"c{cluster.code}r{i}"] = {
                        "all": [{"m": codec.condition(rule.expr)}],
                        "cap": self._batch,
                        "run": self._recorder(cluster.code, i),
                    }
            definitions[name] = rules
        with self._lock:
            try:
                self._host.set_rulesets(copy.deepcopy(definitions))
            except Exception as exc:
                raise MatcherError(
                    f"durable-rules rejected a compiled ruleset: {exc}", code=_error_code(exc)
                ) from exc
        self._codecs.update(codecs)
        self._ruleset_of.update(ruleset_of)

    def _recorder(self, code: int, rule: int) -> Callable[[Any], None]:
        found = self._found

        def record(c: Any) -> None:
            found.append((code, rule, c.m))

        return record

    # ---------------------------------------------------------------- matching
    def match(self, cluster: Cluster, records: Sequence[Record]) -> list[int]:
        """One bit mask per record, in batches of at most ``batch_size`` records a session."""
        if self._closed:
            raise MatcherError("this matcher is closed")
        codec = self._codecs.get(cluster.code)
        if codec is None:
            raise MatcherError(f"cluster {cluster.code} was not prepared")
        masks = [0] * len(records)
        if not cluster.rules:
            return masks
        ruleset = self._ruleset_of[cluster.code]
        with self._lock:
            for start in range(0, len(records), self._batch):
                chunk = records[start : start + self._batch]
                self._match_batch(ruleset, codec, chunk, masks, start)
        return masks

    def _match_batch(
        self,
        ruleset: str,
        codec: _ClusterCodec,
        chunk: Sequence[Record],
        masks: list[int],
        offset: int,
    ) -> None:
        host = self._host
        slot = self._pool.acquire()
        found = self._found
        found.clear()
        try:
            messages = [codec.encode(rec, slot, i) for i, rec in enumerate(chunk)]
            self._call(host.post, ruleset, {"sid": slot, "id": _SENTINEL_RULE, "o": 1})
            # "not handled": some record matched no rule, so nothing was stored for it
            with contextlib.suppress(self._engine.MessageNotHandledException):
                self._call(host.assert_facts, ruleset, messages)
            # flush the actions a partly unhandled batch left pending
            state = self._call(host.post, ruleset, {"sid": slot, "id": _SENTINEL_RULE, "o": 1})
            if isinstance(state, dict) and "exception" in state:
                raise MatcherError(f"a durable-rules action failed: {state['exception']}")
            for code, rule, matched in found:
                if code != codec.cluster.code:
                    raise MatcherError(f"a match arrived for cluster {code} in another batch")
                for content in matched if isinstance(matched, list) else [matched]:
                    masks[offset + int(content["id"])] |= 1 << rule
        finally:
            found.clear()
            try:
                host.delete_state(ruleset, slot)
            except Exception as exc:  # pragma: no cover - the sentinel makes this safe
                raise MatcherError(f"could not close a durable-rules session: {exc}") from exc
            finally:
                self._pool.release(slot)

    def _call(self, method: Callable[..., Any], *args: Any) -> Any:
        try:
            return method(*args)
        except self._engine.MessageNotHandledException:
            raise
        except self._engine.MessageObservedException as exc:
            raise MatcherError(f"durable-rules saw a record twice: {exc}") from exc
        except MemoryError as exc:
            raise MatcherError("durable-rules ran out of memory or sessions") from exc
        except self._rules.error as exc:
            raise MatcherError(f"durable-rules failed: {exc}", code=_error_code(exc)) from exc

    def close(self) -> None:
        """Delete the rulesets (no session is ever left open, so none leaks)."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._finalizer()


def _noop(c: Any) -> None:
    return None


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", text)[:40]
