"""The data lint during ``evaluate``: facts the rule sets would silently ignore, on stderr.

``evaluate`` runs the same checks as ``assessment-engine lint`` (``docs/scenarios.md``, "Facts
that count nowhere") after reading the facts and prints at most :data:`SHOWN` of its warnings,
then how many there were, to standard error — a fact of kind ``volunteering`` where the rules
read ``volunteer`` no longer vanishes without a word. Standard output (the ranking) is
unchanged. The lint costs about three times the
assessment itself, so above :data:`MAX_TEAMS` teams it is skipped with a one-line note unless
``--lint`` asks for it; ``--no-lint`` skips it always.
"""

from __future__ import annotations

from typing import Final

import click

from ..engine import Engine
from ..factset import FactSet
from ..lint import lint
from ._output import safe

__all__ = ["MAX_TEAMS", "SHOWN", "lint_note"]

#: The warnings shown; the rest are counted.
SHOWN: Final = 3

#: Above this many teams the lint runs only when asked for (``--lint``).
MAX_TEAMS: Final = 5_000


def lint_note(
    engine: Engine, facts: FactSet, period: str | None, teams: int, *, asked: bool | None
) -> None:
    """Print the lint's warnings on ``facts``; ``asked``: ``--lint`` True, ``--no-lint`` False."""
    if asked is False:
        return
    if asked is None and teams > MAX_TEAMS:
        click.echo(
            f"note: the data lint was skipped for {teams:,} teams (over {MAX_TEAMS:,});"
            " evaluate --lint or assessment-engine lint runs it",
            err=True,
        )
        return
    warnings = [f for f in lint(engine, facts, period=period) if f.severity == "warning"]
    for finding in warnings[:SHOWN]:
        click.echo(safe(f"warning: {finding.message}", lines=True), err=True)
    if warnings:
        more = f" ({len(warnings) - SHOWN} more)" if len(warnings) > SHOWN else ""
        click.echo(
            f"{len(warnings)} lint warning{'s' if len(warnings) != 1 else ''}{more}: facts the"
            " rule sets do not count; assessment-engine lint lists them all, --no-lint hides"
            " this",
            err=True,
        )
