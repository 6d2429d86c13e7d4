"""The report as canonical JSON: the same facts and rule sets always give the same bytes."""

from __future__ import annotations

from ..report import Report

__all__ = ["render"]


def render(report: Report, *, indent: int | None = None) -> str:
    """The report's JSON text (:meth:`~assessment_engine.Report.to_json`): compact by default."""
    return report.to_json(indent=indent)
