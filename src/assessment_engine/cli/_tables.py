"""Rich renderings: the ranking, one team's explanation, what-if suggestions, plugins, findings.

Every function returns rich renderables; the commands print them. Rich measures East Asian
characters as two cells wide, so Chinese labels stay aligned in columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from .._base.numbers import display
from .._plugins import PluginInfo
from ..kit import SEVERITIES, Finding
from ..report import Report
from ..results import Assessment, FactRef, Line
from ..rubric import GradeScale, Rubric
from ..rubric.describe import short_label
from ..whatif import Suggestion, next_band

__all__ = [
    "explanation",
    "findings",
    "next_grade",
    "plugins_table",
    "ranking",
]

_SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def _row(table: Table, *cells: str | Text, style: str | None = None) -> None:
    """Add a row; text is never read as rich markup (``[pb]`` stays as it is)."""
    table.add_row(*(Text(c) if isinstance(c, str) else c for c in cells), style=style)


def _points(value: Decimal, places: int = 2, *, sign: bool = False) -> str:
    text = display(value, places)
    return f"+{text}" if sign and value > 0 else text


def ranking(report: Report, *, places: int = 2) -> Table:
    """The ranking table: rank, team, department, composite, each dimension, titles.

    Labels are shown without their English gloss (``优秀``, ``红旗班组``) to keep it narrow.
    """
    rubric = report.rubric
    titles = {t.id: short_label(t.label) for t in rubric.titles}
    table = Table(
        title=Text(f"{report.period} — {len(report)} 班组 (teams)"),
        caption=Text(f"规则集 (rubric) {report.rubric_hash[:12]}, engine {report.engine_version}"),
        box=box.SIMPLE_HEAVY,
        padding=(0, 1),
        collapse_padding=True,
        show_edge=False,
    )
    table.add_column("排名\nrank", justify="right", no_wrap=True)
    table.add_column("班组\nteam", overflow="fold")
    table.add_column("部门\ndept.", overflow="fold")
    table.add_column("综合\ncomposite", justify="right", no_wrap=True)
    for dim in rubric.dimensions:
        table.add_column(Text(f"{short_label(dim.label)}\n{dim.id}"), justify="right", no_wrap=True)
    table.add_column("称号\ntitles", min_width=8, overflow="fold")
    for standing in report.rows():
        rank = "—" if standing.rank is None else str(standing.rank)
        style = "dim" if standing.vetoed else None
        composite = _points(standing.composite, places)
        if standing.grade:
            composite += f"\n{short_label(standing.grade.label)}"
        cells = [
            _points(score, places) + ("" if grade is None else f"\n{short_label(grade.label)}")
            for score, grade in zip(standing.scores, standing.grades, strict=True)
        ]
        _row(
            table,
            rank,
            f"{standing.name}\n[{standing.team}]",
            standing.department,
            composite,
            *cells,
            "\n".join(titles.get(t, t) for t in standing.titles) or "—",
            style=style,
        )
    return table


def _facts(refs: Sequence[FactRef]) -> str:
    return ", ".join(f"{r.kind} {r.id}" + (f" ({r.detail})" if r.detail else "") for r in refs)


def _line_row(table: Table, line: Line, places: int) -> None:
    _row(
        table,
        Text("  " + line.label),
        _points(line.points, places, sign=True),
        line.reason,
        _facts(line.facts),
    )


def _gap(rubric: Rubric | None, of: str | None, label: str, score: Decimal, places: int) -> str:
    """``; next: 优秀 (excellent) from 90, 4.00 short`` — why the band above was not reached."""
    scale = next((s for s in rubric.grade_scales if s.of == of), None) if rubric else None
    if scale is None or label == scale.veto_label:
        return ""
    band = next_band(scale, label)
    if band is None or band.at_least is None:
        return ""
    gap = band.at_least - score
    if gap <= 0:
        return f"; next: {band.label} from {band.at_least} (requirement not met)"
    return f"; next: {band.label} from {band.at_least}, {_points(gap, places)} short"


def explanation(
    assessment: Assessment, *, rubric: Rubric | None = None, places: int = 2
) -> RenderableType:
    """One team's full explanation: every dimension, indicator, line and the facts behind it.

    With the ``rubric``, each grade line also says how far the band above is.
    """
    a = assessment
    parts: list[RenderableType] = []
    rank = "未排名 (unranked)" if a.rank is None else f"第 {a.rank} 名 (rank {a.rank})"
    head = Text()
    head.append(f"{a.name} [{a.team}]", style="bold")
    head.append(f" — {a.department} — {a.period} — 人数 (headcount) {a.headcount}\n")
    head.append(f"综合得分 (composite) {_points(a.composite, places)}", style="bold")
    if a.grade:
        head.append(f"，{a.grade.label}")
    head.append(f"，{rank}")
    if a.rank_note:
        head.append(f"\n{a.rank_note}", style="dim")
    parts.append(head)
    for veto in a.vetoes:
        parts.append(
            Text(
                f"一票否决 (veto) {veto.label} [{veto.id}]"
                + (f" ← {_facts(veto.facts)}" if veto.facts else ""),
                style="bold red",
            )
        )
    for dim in a.dimensions:
        weight = f" × {display(dim.weight, 2)}" if dim.weight != 1 else ""
        grade = f" — {dim.grade.label}" if dim.grade else ""
        table = Table(
            title=Text(f"{dim.label} [{dim.id}] {_points(dim.score, places)}{weight}{grade}"),
            title_justify="left",
            box=box.SIMPLE,
            expand=True,
            show_edge=False,
        )
        table.add_column("项目 (item)", ratio=3, overflow="fold")
        table.add_column("得分 (points)", justify="right", no_wrap=True)
        table.add_column("说明 (why)", ratio=4, overflow="fold")
        table.add_column("依据 (facts)", ratio=3, overflow="fold")
        for ind in dim.indicators:
            _row(
                table,
                Text(f"{ind.label} [{ind.id}]", style="bold"),
                f"{_points(ind.points, places)} / {_points(ind.max, places)}",
                "",
                "",
            )
            for line in ind.lines:
                _line_row(table, line, places)
        for adj in dim.adjustments:
            kind = "加分 (bonus)" if adj.kind == "bonus" else "扣分 (penalty)"
            applied = adj.applied if adj.kind == "bonus" else -adj.applied
            _row(
                table,
                Text(f"{kind} {adj.label} [{adj.id}]", style="bold"),
                _points(applied, places, sign=True),
                adj.note,
                "",
            )
            for line in adj.lines:
                _line_row(table, line, places)
        parts.append(table)
        summary = f"小计 (subtotal) {_points(dim.base, places)}"
        if dim.bonus_before_cap:
            summary += f" + 加分 (bonus) {_points(dim.bonus, places)}"
            if dim.bonus != dim.bonus_before_cap:
                summary += f" (封顶 capped from {_points(dim.bonus_before_cap, places)})"
        if dim.penalty:
            summary += f" − 扣分 (penalty) {_points(dim.penalty, places)}"
        summary += f" = {_points(dim.score, places)}"
        lines = [summary]
        if dim.grade:
            gap = _gap(rubric, dim.id, dim.grade.label, dim.score, places)
            lines.append(f"等级 (grade) {dim.grade.label}: {dim.grade.reason}{gap}")
        parts.append(Text("\n".join(lines), style="italic"))
    if a.grade:
        gap = _gap(rubric, None, a.grade.label, a.composite, places)
        parts.append(Text(f"综合等级 (composite grade) {a.grade.label}: {a.grade.reason}{gap}"))
    titles = Text()
    if a.titles:
        for title in a.titles:
            titles.append(f"称号 (title) {title.label} [{title.id}]", style="bold green")
            titles.append(f" — {title.note}\n" if title.note else "\n")
    else:
        titles.append("称号 (title) 无 (none)\n")
    for note in a.title_notes:
        titles.append(f"  未获 (not reached) {note}\n", style="dim")
    parts.append(titles)
    return Group(*parts)


def _score_of(assessment: Assessment, scale: GradeScale) -> tuple[Decimal, str | None]:
    if scale.of is None:
        return assessment.composite, assessment.grade.label if assessment.grade else None
    dim = assessment.dimension(scale.of)
    return dim.score, dim.grade.label if dim.grade else None


def next_grade(
    assessment: Assessment,
    rubric: Rubric,
    scale: GradeScale,
    suggestions: Sequence[Suggestion],
    *,
    max_changes: int,
    places: int = 2,
) -> RenderableType:
    """What the next band of ``scale`` needs, and the smallest fact changes that reach it."""
    score, label = _score_of(assessment, scale)
    what = "综合得分 (composite)" if scale.of is None else f"{scale.of} 得分 (score)"
    band = next_band(scale, label or "")
    out = Text()
    out.append(f"下一等级 (next grade) — {scale.label} [{scale.id}]: ", style="bold")
    if band is None:
        out.append(f"{label} is the top band\n")
        return out
    if label == scale.veto_label:
        out.append(f"{label} → a grade: the veto must go first\n")
    else:
        out.append(f"{label} → {band.label}\n")
    if label != scale.veto_label and band.at_least is not None:
        gap = band.at_least - score
        out.append(f"  {what} {_points(score, places)}, the band starts at {band.at_least}")
        out.append(f": {_points(gap, places)} short\n" if gap > 0 else ": reached\n")
    if band.requires is not None and label != scale.veto_label:
        from ..rubric.describe import describe_condition

        out.append(f"  {band.label} also requires {describe_condition(band.requires)}\n")
    if not suggestions:
        out.append(
            f"  no set of up to {max_changes} fact changes found that reaches it"
            " (see docs/cli.md for what the search tries)\n",
            style="dim",
        )
        return out
    size = suggestions[0].size
    out.append(
        f"  smallest change found: {size} fact{'s' if size != 1 else ''}"
        f" — {len(suggestions)} way{'s' if len(suggestions) != 1 else ''}:\n"
    )
    for number, suggestion in enumerate(suggestions, start=1):
        out.append(f"  {number}. ", style="bold")
        out.append(
            f"→ {suggestion.grade_after} ({_points(suggestion.score_before, places)}"
            f" → {_points(suggestion.score_after, places)})\n"
        )
        for change in suggestion.changes:
            out.append(f"     {change.describe()}\n")
            if change.why:
                out.append(f"       ({change.why})\n", style="dim")
    return out


def plugins_table(plugins: Sequence[PluginInfo], rubric: Rubric) -> Table:
    """The registered plugins: source, distribution and version, indicators, kinds, hooks."""
    table = Table(title="插件 (plugins)", box=box.SIMPLE_HEAVY, padding=(0, 1), pad_edge=False)
    table.add_column("plugin\nsource, distribution", overflow="fold")
    table.add_column("indicators", overflow="fold")
    table.add_column("fact kinds", overflow="fold")
    table.add_column("hooks\n(register_…)", overflow="fold")
    for info in plugins:
        name = Text(info.name, style="bold")
        name.append(f"\n{info.source}")
        if info.distribution:
            name.append(f"\n{info.distribution} {info.version or ''}".rstrip())
        kinds = plugin_fact_kinds(rubric, info.name)
        _row(
            table,
            name,
            "\n".join(plugin_indicators(rubric, info.name)) or "—",
            "\n".join(kinds) or "—",
            "\n".join(h.removeprefix("assessment_register_") for h in info.hooks) or "—",
        )
    table.caption = Text(f"规则集 (rubric) {rubric.content_hash[:12]}: {rubric!r}")
    return table


def plugin_fact_kinds(rubric: Rubric, plugin: str) -> list[str]:
    """The fact kinds a plugin registered, sorted."""
    return sorted(
        key.removeprefix("fact:")
        for key, owner in rubric.provenance.items()
        if owner == plugin and key.startswith("fact:")
    )


def plugin_indicators(rubric: Rubric, plugin: str) -> list[str]:
    """The ids of the indicators a plugin registered, in rubric order."""
    return [i.id for i in rubric.indicators if rubric.plugin_of(i.id) == plugin]


def findings(items: Sequence[Finding]) -> RenderableType:
    """Consistency findings grouped by severity (errors first), with a count line."""
    parts: list[RenderableType] = []
    groups: dict[str, list[Finding]] = {s: [] for s in SEVERITIES}
    for item in items:
        groups[item.severity].append(item)
    for severity in SEVERITIES:
        if not groups[severity]:
            continue
        style = _SEVERITY_STYLE[severity]
        table = Table(
            title=Text(f"{severity} ({len(groups[severity])})"),
            title_style=style,
            title_justify="left",
            box=box.SIMPLE,
            expand=True,
        )
        table.add_column("subject", ratio=2)
        table.add_column("check", ratio=2)
        table.add_column("message", ratio=6)
        for item in groups[severity]:
            _row(table, item.subject, item.check, item.message)
        parts.append(table)
    counts = {s: len(groups[s]) for s in SEVERITIES}
    summary = ", ".join(f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}" for s in SEVERITIES)
    parts.append(Text(summary if items else "no findings: the rubric is consistent"))
    return Group(*parts)
