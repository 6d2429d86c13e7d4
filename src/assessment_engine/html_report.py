"""The HTML report (moved to :mod:`assessment_engine.render.html`; this path keeps working)."""

from .render.html import render as render_report

__all__ = ["render_report"]
