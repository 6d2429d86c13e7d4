"""The commands that look at the rule sets: plugins, check."""

from __future__ import annotations

import json

import click

from ..kit import check_rubric
from . import _tables
from ._common import build_engine, engine_inputs, engine_options
from ._output import Output, output_options, safe_json

__all__ = ["COMMANDS"]


# ----------------------------------------------------------------------------- plugins
@click.command()
@engine_options
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@output_options()
def plugins(
    plugins: tuple[str, ...],
    no_entry_points: bool,
    block: tuple[str, ...],
    matcher: str | None,
    fmt: str,
    output: str | None,
    force: bool,
) -> None:
    """List the plugins: source, version, the indicators and fact kinds they register, hooks."""
    out = Output(output, force=force, inputs=engine_inputs(plugins))
    with build_engine(plugins, no_entry_points, block, matcher) as engine:
        rubric = engine.rubric
        if fmt == "json":
            data = [
                {
                    "name": info.name,
                    "source": info.source,
                    "distribution": info.distribution,
                    "version": info.version,
                    "hooks": list(info.hooks),
                    "indicators": _tables.plugin_indicators(rubric, info.name),
                    "fact_kinds": _tables.plugin_fact_kinds(rubric, info.name),
                    "objects": sorted(
                        key for key, owner in rubric.provenance.items() if owner == info.name
                    ),
                }
                for info in engine.plugins
            ]
            out.text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", escape=safe_json)
            return
        out.render(_tables.plugins_table(engine.plugins, rubric))


# ----------------------------------------------------------------------------- check
@click.command()
@engine_options
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@output_options()
def check(
    plugins: tuple[str, ...],
    no_entry_points: bool,
    block: tuple[str, ...],
    matcher: str | None,
    fmt: str,
    output: str | None,
    force: bool,
) -> None:
    """Run the rubric consistency checks; exit 1 when one finds an error."""
    out = Output(output, force=force, inputs=engine_inputs(plugins))
    with build_engine(plugins, no_entry_points, block, matcher) as engine:
        found = check_rubric(engine.rubric)
    if fmt == "json":
        data = [
            {"severity": f.severity, "subject": f.subject, "check": f.check, "message": f.message}
            for f in found
        ]
        out.text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", escape=safe_json)
    else:
        out.render(_tables.findings(found))
    if any(f.severity == "error" for f in found):
        raise click.exceptions.Exit(1)


COMMANDS = (plugins, check)
