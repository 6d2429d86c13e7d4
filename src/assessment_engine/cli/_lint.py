"""``assessment-engine lint``: facts that no rule reads, and values the rules do not know."""

from __future__ import annotations

import json

import click

from ..lint import lint as lint_facts
from ._common import build_engine, engine_options, period_option, print_to, read_facts

__all__ = ["COMMANDS", "lint"]


@click.command()
@click.argument("facts", nargs=-1, required=True, type=click.Path(path_type=str))
@period_option
@engine_options
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def lint(
    facts: tuple[str, ...],
    period: str | None,
    plugins: tuple[str, ...],
    no_entry_points: bool,
    block: tuple[str, ...],
    matcher: str | None,
    fmt: str,
) -> None:
    """Find facts in FACTS that the rule sets would silently ignore; exit 1 on a warning.

    Records that no rule selects (an activity of kind 'volunteering' where the rules read
    'volunteer'), values close to one the rules read but not it, and kinds no rule reads.
    """
    with build_engine(plugins, no_entry_points, block, matcher) as engine:
        fact_set = read_facts(engine, facts)
        found = lint_facts(engine, fact_set, period=period)
    if fmt == "json":
        data = [
            {
                "severity": f.severity,
                "check": f.check,
                "kind": f.kind,
                "field": f.field,
                "value": f.value,
                "records": list(f.records),
                "message": f.message,
            }
            for f in found
        ]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    elif found:
        for finding in found:
            colour = "yellow" if finding.severity == "warning" else "cyan"
            click.echo(click.style(f"{finding.severity}: ", fg=colour, bold=True) + finding.message)
        warnings = sum(f.severity == "warning" for f in found)
        plural = "s" if len(found) != 1 else ""
        click.echo(
            f"{len(found)} finding{plural}, {warnings} warning{'s' if warnings != 1 else ''}"
        )
    else:
        print_to(None, "no finding: every record is read by a rule")
    if any(f.severity == "warning" for f in found):
        raise click.exceptions.Exit(1)


COMMANDS = (lint,)
