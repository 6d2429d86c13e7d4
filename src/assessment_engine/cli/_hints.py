"""Which plugin would bring a fact kind the rule sets do not know.

Facts of an unknown kind are usually facts of a rule set that is not there: blocked
(``--block``, ``ASSESSMENT_ENGINE_BLOCK_PLUGINS``), left out (``--no-entry-points``) or not
installed. The installed plugins that were not registered are asked for their kinds (on this
error path only); the built-in 1252 rule sets are known by name even when not installed.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Final

import attrs

from .._plugins import BLOCK_ENV, ENTRY_POINT_GROUP
from ..errors import InputProblem

__all__ = ["KNOWN_KINDS", "RULE_SETS_INSTALL", "PluginChoice", "kind_hints", "unknown_kinds"]

#: The fact kinds of the project's own rule sets: kind -> (plugin, distribution).
KNOWN_KINDS: Final = {
    "leader_appraisal": ("party_building", "assessment-1252-party-building"),
    "party_review": ("party_building", "assessment-1252-party-building"),
    "standard": ("business_performance", "assessment-1252-business-performance"),
    "pairing_visit": ("civility", "assessment-1252-civility"),
    "instrument_innovation": ("food_institute", "assessment-food-institute"),
}

#: The one-line installs of the 1252 rule sets (docs/install.md).
RULE_SETS_INSTALL: Final = (
    "pip install assessment-1252-method (from a clone: pip install ./plugins/party_building"
    " ./plugins/business_performance ./plugins/civility ./plugins/method_1252; docs/install.md)"
)

_UNKNOWN = re.compile(r"unknown fact kind '([^'\\]+)'")


@attrs.frozen
class PluginChoice:
    """How the engine's plugins were chosen: what the command's options (and env) left out."""

    blocked: tuple[str, ...] = ()
    entry_points: bool = True


def unknown_kinds(problems: Iterable[InputProblem]) -> Counter[str]:
    """How many records name each unknown fact kind."""
    found: Counter[str] = Counter()
    for problem in problems:
        if problem.field == "fact":
            match = _UNKNOWN.search(problem.reason)
            if match:
                found[match.group(1)] += 1
    return found


def _installed_kinds(registered_out: set[str]) -> dict[str, tuple[str, str | None]]:
    """Kind -> (plugin, distribution) for installed entry points named in ``registered_out``."""
    found: dict[str, tuple[str, str | None]] = {}
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        if ep.name not in registered_out:
            continue
        try:
            plugin = ep.load()
            hook = getattr(plugin, "assessment_register_fact_types", None)
            kinds = [getattr(cls, "fact_kind", None) for cls in (hook() if callable(hook) else ())]
        except Exception:  # a plugin that cannot say is simply not a hint
            continue
        dist = ep.dist.name if ep.dist is not None else None
        for kind in kinds:
            if isinstance(kind, str):
                found.setdefault(kind, (ep.name, dist))
    return found


def _blocked(choice: PluginChoice) -> set[str]:
    names = {n.strip() for n in os.environ.get(BLOCK_ENV, "").split(",") if n.strip()}
    return names | set(choice.blocked)


def _why(plugin: str, choice: PluginChoice) -> str:
    if plugin in choice.blocked:
        return f"--block {plugin}"
    if plugin in _blocked(choice):
        return BLOCK_ENV
    return "--no-entry-points"


def _records(count: int) -> str:
    return f"{count} record{'s' if count != 1 else ''}"


def _kinds(kinds: Sequence[str]) -> str:
    """``fact kind 'x' ... comes`` or ``fact kinds 'x', 'y' ... come``: the subject and verb."""
    quoted = ", ".join(repr(k) for k in kinds)
    return f"fact kind{'s' if len(kinds) != 1 else ''} {quoted}"


def _come(kinds: Sequence[str]) -> str:
    return "come" if len(kinds) != 1 else "comes"


def kind_hints(problems: Sequence[InputProblem], choice: PluginChoice) -> list[str]:
    """One hint per plugin that would bring unknown fact kinds of ``problems``."""
    counts = unknown_kinds(problems)
    if not counts:
        return []
    blocked = _blocked(choice)
    if choice.entry_points:
        out = blocked
    else:
        out = {ep.name for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}
    installed = _installed_kinds(out) if out else {}
    by_plugin: dict[tuple[str, str | None, bool], list[str]] = {}
    for kind in sorted(counts):
        if kind in installed:
            plugin, dist = installed[kind]
            by_plugin.setdefault((plugin, dist, True), []).append(kind)
        elif kind in KNOWN_KINDS:
            plugin, known_dist = KNOWN_KINDS[kind]
            by_plugin.setdefault((plugin, known_dist, False), []).append(kind)
    hints = []
    for (plugin, dist, is_installed), kinds in by_plugin.items():
        records = _records(sum(counts[k] for k in kinds))
        from_dist = f" (distribution {dist})" if dist else ""
        if is_installed:
            hints.append(
                f"hint: {_kinds(kinds)} ({records}) {_come(kinds)} from plugin {plugin}"
                f"{from_dist}, installed but left out by {_why(plugin, choice)}"
            )
        elif plugin == "food_institute":
            hints.append(
                f"hint: {_kinds(kinds)} ({records}) {_come(kinds)} from the tutorial's"
                " department plugin"
                f" {plugin}{from_dist}, which is not installed:"
                " pip install ./plugins/food_institute (from a clone)"
            )
        else:
            hints.append(
                f"hint: {_kinds(kinds)} ({records}) {_come(kinds)} from the 1252 rule set {plugin}"
                f"{from_dist}, which is not installed: {RULE_SETS_INSTALL}"
            )
    return hints
