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
  ``v >= t`` becomes ``⌊v·L⌋ >= t·L`` and ``v > t`` becomes ``⌈v·L⌉ > t·L`` for the smallest
  scale ``L`` that makes every constant an integer, with values clamped just outside the
  constants' range; ``v != t`` is "below or above", two alternatives that exclude each other;
  text becomes a code (0 for text no rule mentions), a flag 0 or 1;
* **no rule reached too many times**: durable reaches a rule once per satisfied path through
  its ``$or`` nodes, so a condition that can hold in many ways at once is refused (the
  ``simultaneous matches per condition`` limit) and clusters whose rules can hold several
  times per record are matched in smaller batches;
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
import warnings
import weakref
from collections.abc import Callable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final, cast

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
    # alternatives of one condition a record can satisfy at once: durable reaches a rule once
    # per satisfied path through its $or nodes (the paths are not merged), so a rule with k
    # independent two-way $or groups matches one record 2**k times (13 groups: 8192 matches,
    # ~7 MB and 70 ms per record).
    "simultaneous matches per condition": 256,
}

#: Matches one session may produce (records × simultaneous matches per record): a cluster
#: whose rules can hold many times per record is matched in smaller batches.
_MATCHES_PER_SESSION: Final = 32768

# how an order comparison reads the encoded value: v >= t is ⌊v·L⌋ >= t·L, v > t is
# ⌈v·L⌉ > t·L, v <= t is ⌈v·L⌉ <= t·L, v < t is ⌊v·L⌋ < t·L (exact, as t·L is an integer)
_NUMBER_TESTS: Final = {
    ">=": ("$gte", "f"),
    ">": ("$gt", "c"),
    "<=": ("$lte", "c"),
    "<": ("$lt", "f"),
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
        self._retired: set[str] = set()
        self._lock = threading.Lock()

    def acquire(self) -> str:
        """Take a free slot; :class:`MatcherError` when all are live."""
        with self._lock:
            if not self._free:
                retired = f" ({len(self._retired)} retired after errors)" if self._retired else ""
                raise MatcherError(
                    f"all {len(self.slots)} durable-rules sessions are in use{retired}; refusing"
                    " to open another (durable-rules crashes past 1024 live sessions per ruleset)"
                )
            return self._free.pop()

    def release(self, slot: str) -> None:
        """Return a slot to the pool."""
        with self._lock:
            if slot in self._free or slot not in self.slots or slot in self._retired:
                raise ValueError(f"slot {slot!r} is not live")
            self._free.append(slot)

    def retire(self, slot: str) -> None:
        """Take a live slot out of use for good (its session may be unsafe to touch again)."""
        with self._lock:
            if slot in self._free or slot not in self.slots or slot in self._retired:
                raise ValueError(f"slot {slot!r} is not live")
            self._retired.add(slot)

    @property
    def live(self) -> int:
        """How many slots are taken (retired slots are not counted)."""
        return len(self.slots) - len(self._free) - len(self._retired)


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
        exact = []
        for c in constants:
            try:
                exact.append(Fraction(c))
            except (ValueError, OverflowError):  # NaN, infinities
                raise ValueError(f"constant {c} is not a finite number") from None
        # the smallest scale that makes every constant an integer (any rational has one)
        self.scale = math.lcm(1, *(f.denominator for f in exact))
        ints = [int(f * self.scale) for f in exact]
        self.low = min(ints, default=0) - 1
        self.high = max(ints, default=0) + 1

    def constant(self, value: Decimal | Fraction) -> int:
        return int(Fraction(value) * self.scale)

    def encode(self, value: object) -> tuple[int, int] | None:
        if value is None:
            return None
        f = value if isinstance(value, Fraction) else Fraction(cast("Decimal | int", value))
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
                    if isinstance(atom.value, bool | str):
                        raise TypeError(f"{rule.name}: number compared with {atom.value!r}")
                    numbers.setdefault(atom.prop, []).append(atom.value)
                elif kind == "text":
                    texts.setdefault(atom.prop, set()).add(str(atom.value))
        self.numbers = {p: _NumberCodec(cs) for p, cs in numbers.items()}
        self.texts = {
            p: {t: i for i, t in enumerate(sorted(ts), start=1)} for p, ts in texts.items()
        }
        self.flags = {i for i, prop in enumerate(cluster.properties) if prop.kind == "flag"}
        # the message keys of each property, formatted once: encode runs per record
        self._number_keys = [(p, c, f"p{p}f", f"p{p}c") for p, c in self.numbers.items()]
        self._text_keys = [(p, table, f"p{p}") for p, table in self.texts.items()]
        self._flag_keys = [(p, f"p{p}") for p in sorted(self.flags)]
        #: matches one record can produce at most (summed over the rules; set by check_cluster)
        self.paths = 0
        #: each rule's condition in durable's JSON form (set by check_cluster, read by prepare)
        self.conditions: list[dict[str, Any]] = []

    def batch_size(self, limit: int) -> int:
        """Records per session, so that a session holds at most _MATCHES_PER_SESSION matches."""
        return max(1, min(limit, _MATCHES_PER_SESSION // max(1, self.paths)))

    def encode(self, record: Record, sid: str, rid: int) -> dict[str, Any]:
        message: dict[str, Any] = {"sid": sid, "id": str(rid), "k": self.cluster.code}
        for p, codec, floor_key, ceil_key in self._number_keys:
            encoded = codec.encode(record[p])
            if encoded is not None:
                message[floor_key], message[ceil_key] = encoded
        for p, table, key in self._text_keys:
            value = record[p]
            if value is not None:
                message[key] = table.get(value, 0)  # type: ignore[call-overload]
        for p, key in self._flag_keys:
            value = record[p]
            if value is not None:
                message[key] = 1 if value else 0
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
            if expr.op == "==":
                return {"$and": [{f: k}, {c: k}]}
            if expr.op == "!=":
                # below or above: exclusive, so a record reaches the rule once (an $or whose
                # alternatives both hold reaches it twice; see "simultaneous matches")
                return {"$or": [{"$lt": {f: k}}, {"$gt": {c: k}}]}
            test, end = _NUMBER_TESTS[expr.op]
            return {test: {f"p{expr.prop}{end}": k}}
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


def _paths(expr: Expr, kinds: Sequence[str]) -> int:
    """How many times one record can reach a rule with this (folded) condition, at most.

    durable-rules follows every satisfied alternative of an ``$or`` to the same node and does
    not merge the paths: ``And`` multiplies, ``Or`` adds. Equality tests of one property with
    distinct constants exclude each other, so such a group adds only as many as can hold at
    once (one per distinct constant).
    """
    if isinstance(expr, Atom):
        return 1
    if isinstance(expr, And):
        return math.prod(_paths(x, kinds) for x in expr.items)
    total = 0
    equal: dict[int, dict[object, int]] = {}
    for item in expr.items:
        if isinstance(item, Atom) and item.op == "==":
            value: object = item.value
            if kinds[item.prop] == "number":
                value = Fraction(cast("Decimal | Fraction", value))
            elif kinds[item.prop] == "flag":
                value = bool(value)
            same = equal.setdefault(item.prop, {})
            same[value] = same.get(value, 0) + 1
        else:
            total += _paths(item, kinds)
    return total + sum(max(same.values()) for same in equal.values())


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
            limit="finite constants",
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
    kinds = [prop.kind for prop in cluster.properties]
    for rule in cluster.rules:
        condition = codec.condition(rule.expr)
        codec.conditions.append(condition)
        paths = _paths(_fold_constants(rule.expr), kinds)
        if paths > LIMITS["simultaneous matches per condition"]:
            raise MatcherLimitError(
                "condition has too many any-of alternatives that can hold together"
                " (durable-rules reaches the rule once for each combination)",
                subject=rule.name,
                limit="simultaneous matches per condition",
                value=paths,
                maximum=LIMITS["simultaneous matches per condition"],
            )
        codec.paths += paths
        logical, comparisons = _count(condition)
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
        self._rulesets = 0  # rulesets created so far: names stay unique across prepare calls
        self._found: list[tuple[int, int, Any]] = []
        self._closed = False
        self._finalizer = weakref.finalize(self, _delete_rulesets, self._host, rules_module)

    # ---------------------------------------------------------------- building
    def prepare(self, clusters: Sequence[Cluster]) -> None:
        """Check every cluster against the limits, then create the rulesets."""
        if self._closed:
            raise MatcherError("this matcher is closed")
        codecs = {c.code: check_cluster(c) for c in clusters}
        known = [code for code in codecs if code in self._codecs]
        if known or len(codecs) != len(clusters):
            raise MatcherError(f"cluster codes prepared twice: {sorted(set(known)) or 'repeated'}")
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
        for index, group in enumerate(groups, start=self._rulesets):
            name = f"rs{index}-{_safe(group[0].stream)}"
            rules: dict[str, Any] = {
                _SENTINEL_RULE: {"all": [{"m": {"o": 1}}], "run": _noop},
            }
            for cluster in group:
                codec = codecs[cluster.code]
                ruleset_of[cluster.code] = name
                for i, condition in enumerate(codec.conditions):
                    rules[f"c{cluster.code}r{i}"] = {
                        "all": [{"m": condition}],
                        "cap": self._batch,
                        "run": self._recorder(cluster.code, i),
                    }
            definitions[name] = rules
        with self._lock:
            self._rulesets += len(groups)
            # one at a time: a ruleset durable-rules rejects must not orphan those created
            # with it in one call (they would never be registered, so never deleted)
            for name, rules in definitions.items():
                try:
                    self._host.set_rulesets({name: copy.deepcopy(rules)})
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
        if codec.cluster is not cluster and codec.cluster != cluster:
            raise MatcherError(f"cluster {cluster.code} differs from the one prepared")
        masks = [0] * len(records)
        if not cluster.rules:
            return masks
        ruleset = self._ruleset_of[cluster.code]
        size = codec.batch_size(self._batch)
        with self._lock, warnings.catch_warnings():
            # durable.engine calls datetime.utcfromtimestamp on every action, deprecated since
            # 3.12: under -W error in an application that would fail every action (and hold the
            # session's lease for 30 s), so the warning is silenced around our own calls only
            warnings.filterwarnings("ignore", category=DeprecationWarning, module="durable")
            for start in range(0, len(records), size):
                chunk = records[start : start + size]
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
        # encode first: a record that cannot be encoded must fail before a session exists
        messages = [codec.encode(rec, "", i) for i, rec in enumerate(chunk)]
        slot = self._pool.acquire()
        sentinel = {"sid": slot, "id": _SENTINEL_RULE, "o": 1}
        for message in messages:  # the slot exists only now
            message["sid"] = slot
        found = self._found
        found.clear()
        try:
            self._call(host.post, ruleset, sentinel)
        except BaseException:
            # The session may be half built (durable's MemoryError path): deleting it or
            # asserting into it again can crash, so the slot is retired, never reused.
            self._pool.retire(slot)
            found.clear()
            raise
        completed = False
        try:
            # "not handled": some record matched no rule, so nothing was stored for it
            with contextlib.suppress(self._engine.MessageNotHandledException):
                self._call(host.assert_facts, ruleset, messages)
            # flush the actions a partly unhandled batch left pending
            state = self._call(host.post, ruleset, sentinel)
            completed = True
            if isinstance(state, dict) and "exception" in state:
                raise MatcherError(f"a durable-rules action failed: {state['exception']}")
            for code, rule, matched in found:
                if code != codec.cluster.code:
                    raise MatcherError(f"a match arrived for cluster {code} in another batch")
                for content in matched if isinstance(matched, list) else [matched]:
                    masks[offset + int(content["id"])] |= 1 << rule
        finally:
            if not completed:
                # a failed assert may leave actions pending; run them before deleting (the
                # research note saw corrupted dispatch after deleting sessions at random)
                with contextlib.suppress(Exception):
                    host.post(ruleset, sentinel)
            found.clear()
            try:
                host.delete_state(ruleset, slot)
            except Exception as exc:  # pragma: no cover - the sentinel makes this safe
                self._pool.retire(slot)
                raise MatcherError(
                    f"could not close a durable-rules session: {exc}", code=_error_code(exc)
                ) from exc
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
