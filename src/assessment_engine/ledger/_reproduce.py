"""Reproducing a recorded run from what the ledger stores, and saying exactly what differs."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Literal

import attrs

from .._base.version import VERSION
from ..engine import Engine
from ..errors import AssessmentError, RubricDataError
from ._facts import facts_from_text
from ._json import sha256
from ._model import PluginVersion, Run
from ._rubrics import capture, compare_rubrics, rebuild
from ._view import LedgerView

__all__ = ["Difference", "Reproduction", "json_differences", "plugin_changes", "reproduce"]

#: At most this many differences of values are listed (the count says how many there were).
MAX_DIFFERENCES = 200
_IDENTITY_KEYS = ("team", "id", "source", "scale")


@attrs.frozen(kw_only=True)
class Difference:
    """One value that differs: where (``teams[food-chem].composite``), stored and now.

    A value missing on one side is ``None`` there, with ``missing`` naming the side.
    """

    path: str
    stored: Any
    now: Any
    missing: Literal["", "stored", "now"] = ""

    def __str__(self) -> str:
        if self.missing == "now":
            return f"{self.path}: {_short(self.stored)} is gone"
        if self.missing == "stored":
            return f"{self.path}: {_short(self.now)} is new"
        return f"{self.path}: {_short(self.stored)} → {_short(self.now)}"


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."


def _identity(items: Sequence[Any]) -> str | None:
    if not items or not all(isinstance(i, dict) for i in items):
        return None
    for key in _IDENTITY_KEYS:
        values = [i.get(key) for i in items]
        if all(isinstance(v, str) for v in values) and len(set(values)) == len(values):
            return key
    return None


def json_differences(stored: Any, now: Any, path: str = "$") -> list[Difference]:
    """Every leaf value that differs between two JSON documents.

    Lists of objects are matched by their ``team``/``id``/``source``/``scale`` where one
    identifies them, else by position.
    """
    out: list[Difference] = []
    _walk(stored, now, path, out)
    return out


def _walk(a: Any, b: Any, path: str, out: list[Difference]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in [*a, *(k for k in b if k not in a)]:
            where = f"{path}.{key}" if path != "$" else key
            if key not in b:
                out.append(Difference(path=where, stored=a[key], now=None, missing="now"))
            elif key not in a:
                out.append(Difference(path=where, stored=None, now=b[key], missing="stored"))
            else:
                _walk(a[key], b[key], where, out)
        return
    if isinstance(a, list) and isinstance(b, list):
        key = _identity(a) if _identity(a) == _identity(b) else None
        if key is not None:
            old = {item[key]: item for item in a}
            new = {item[key]: item for item in b}
            for ident in [*old, *(k for k in new if k not in old)]:
                where = f"{path}[{ident}]"
                if ident not in new:
                    out.append(Difference(path=where, stored=old[ident], now=None, missing="now"))
                elif ident not in old:
                    out.append(
                        Difference(path=where, stored=None, now=new[ident], missing="stored")
                    )
                else:
                    _walk(old[ident], new[ident], where, out)
            if [i[key] for i in a if i[key] in new] != [i[key] for i in b if i[key] in old]:
                out.append(
                    Difference(
                        path=f"{path} (order)",
                        stored=[i[key] for i in a],
                        now=[i[key] for i in b],
                    )
                )
            return
        for index in range(max(len(a), len(b))):
            where = f"{path}[{index}]"
            if index >= len(b):
                out.append(Difference(path=where, stored=a[index], now=None, missing="now"))
            elif index >= len(a):
                out.append(Difference(path=where, stored=None, now=b[index], missing="stored"))
            else:
                _walk(a[index], b[index], where, out)
        return
    if a != b:
        out.append(Difference(path=path, stored=a, now=b))


@attrs.frozen(kw_only=True)
class Reproduction:
    """The outcome of re-assessing a recorded run.

    :ivar identical: the new report is byte-identical to the stored one.
    :ivar using: ``"stored rubric"`` (rebuilt from the ledger) or ``"engine"`` (one passed in).
    :ivar causes: what differs in the inputs: engine version, plugins and their versions,
        rubric objects, fact classes; empty when the inputs are the same.
    :ivar differences: each value of the report that differs (at most ``MAX_DIFFERENCES``;
        ``difference_count`` is the full count).
    :ivar reproduced_hash: the SHA-256 of the new report (``None`` when none could be made).
    """

    run: int
    using: Literal["stored rubric", "engine"]
    identical: bool
    stored_hash: str
    reproduced_hash: str | None
    causes: tuple[str, ...]
    differences: tuple[Difference, ...]
    difference_count: int
    report: str | None = attrs.field(default=None, repr=False)

    def text(self) -> str:
        """A readable account: identical, or what differs and why."""
        if self.identical:
            return (
                f"run {self.run} reproduced: byte-identical report ({self.stored_hash[:12]},"
                f" {self.using})"
            )
        lines = [f"run {self.run} does not reproduce ({self.using}):"]
        lines += [f"  - {cause}" for cause in self.causes]
        if self.differences:
            lines.append(f"  {self.difference_count} value(s) of the report differ:")
            lines += [f"    {d}" for d in self.differences]
            if self.difference_count > len(self.differences):
                lines.append(f"    ... {self.difference_count - len(self.differences)} more")
        return "\n".join(lines)


def plugin_changes(stored: Sequence[PluginVersion], now: Sequence[PluginVersion]) -> list[str]:
    """What changed from the ``stored`` plugins to ``now``: each one gone, new, or re-versioned."""
    old = {p.name: p for p in stored}
    new = {p.name: p for p in now}
    changes = []
    for name in sorted(old.keys() | new.keys()):
        if name not in new:
            changes.append(f"plugin {old[name]} is no longer registered")
        elif name not in old:
            changes.append(f"plugin {new[name]} was not registered then")
        elif old[name].version != new[name].version:
            changes.append(
                f"plugin {name} was version {old[name].version}, now {new[name].version}"
            )
    return changes


def reproduce(ledger: LedgerView, run: Run, *, engine: Engine | None = None) -> Reproduction:
    """See :meth:`Ledger.reproduce`."""
    stored_text = ledger.report(run).text
    version = ledger.rubric_version(run.rubric_version)
    data = ledger.rubric_data(version)
    causes: list[str] = []
    if run.engine_version != VERSION:
        causes.append(f"engine version was {run.engine_version}, now {VERSION}")
    using: Literal["stored rubric", "engine"] = "engine" if engine is not None else "stored rubric"

    def failed(extra: Sequence[str]) -> Reproduction:
        return Reproduction(
            run=run.id,
            using=using,
            identical=False,
            stored_hash=run.report_hash,
            reproduced_hash=None,
            causes=(*causes, *extra),
            differences=(),
            difference_count=0,
        )

    own = engine is None
    if engine is None:
        try:
            rubric = rebuild(data, version.content_hash)
        except RubricDataError as exc:
            return failed(exc.problems)
        engine = Engine.from_rubric(rubric, matcher=run.matcher)  # type: ignore[arg-type]
    else:
        causes += plugin_changes(version.plugins, capture(engine).plugins)
        if engine.rubric.content_hash != version.content_hash:
            changed = compare_rubrics(
                data,
                engine.rubric.to_data(classes=True),
                ledger.rubric_provenance(version),
                engine.rubric.provenance,
            )
            causes.append(
                f"rubric was {version.content_hash[:12]}, now {engine.rubric.content_hash[:12]}:"
                + "".join(f"\n      {change}" for change in changed)
            )
    try:
        try:
            facts = facts_from_text(
                ledger.facts_text(run.submission),
                engine.rubric.fact_types,
                source=f"submission {run.submission}",
            )
            new_text = engine.assess(facts, period=run.period).to_json()
        except AssessmentError as exc:
            return failed([f"the stored facts cannot be assessed: {exc}"])
    finally:
        if own:
            engine.close()
    if new_text == stored_text:
        return Reproduction(
            run=run.id,
            using=using,
            identical=True,
            stored_hash=run.report_hash,
            reproduced_hash=sha256(new_text),
            causes=(),
            differences=(),
            difference_count=0,
            report=new_text,
        )
    found = json_differences(json.loads(stored_text), json.loads(new_text))
    if not causes:
        causes.append(
            "the inputs are the same (facts, rubric, plugins, engine version): the engine"
            " computed a different report from them"
        )
    return Reproduction(
        run=run.id,
        using=using,
        identical=False,
        stored_hash=run.report_hash,
        reproduced_hash=sha256(new_text),
        causes=tuple(causes),
        differences=tuple(found[:MAX_DIFFERENCES]),
        difference_count=len(found),
        report=new_text,
    )
