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
import re
import shlex
import sys
import threading
import warnings
import weakref
from collections.abc import Callable, Sequence
from typing import Any, Final

from ..errors import MatcherError, MatcherUnavailableError
from ._encoding import LIMITS, ClusterCodec, check_cluster
from .base import Cluster, Record

__all__ = [
    "BATCH_SIZE",
    "LIMITS",
    "REBUILD_COMMAND",
    "DurableMatcher",
    "SidPool",
    "check_cluster",
    "fnv1a_32",
    "rebuild_command",
]

#: Records asserted into one session before it is read and deleted.
BATCH_SIZE: Final = 512


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


# --------------------------------------------------------------------------- the matcher


#: The command that (re)builds durable-rules for this Python; ``{python}`` is the interpreter.
REBUILD_COMMAND: Final = (
    "CPPFLAGS=-DPyEval_CallObject=PyObject_CallObject PIP_NO_CACHE_DIR=1"
    " {python} -m pip install --force-reinstall --no-deps durable-rules==2.0.28"
)


def rebuild_command() -> str:
    """The shell command that builds durable-rules for the running interpreter.

    ``--force-reinstall``: a plain ``pip install`` says "Requirement already satisfied" when a
    broken build is installed. ``--no-deps``: nothing else is reinstalled. ``PIP_NO_CACHE_DIR``:
    pip would reuse the wheel it built before without the define.
    """
    return REBUILD_COMMAND.format(python=shlex.quote(sys.executable))


def _load_durable() -> tuple[Any, Any]:
    try:
        import durable_rules_engine
        from durable import engine
    except ImportError as exc:
        broken = "undefined symbol" in str(exc)
        what = (
            "durable-rules is installed but was built without the define this Python needs"
            if broken
            else "durable-rules is not installed or not built for this Python"
        )
        raise MatcherUnavailableError(
            f"{what} ({exc}); build it with:\n  {rebuild_command()}\nor use the plain matcher,"
            " which gives identical results: matcher='python' (the command line's --matcher"
            " python, or ASSESSMENT_ENGINE_MATCHER=python)"
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
        self._codecs: dict[int, ClusterCodec] = {}
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
        codec: ClusterCodec,
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
