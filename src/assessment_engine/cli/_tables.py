"""Rich renderings: the ranking, one team's explanation, what-if suggestions, plugins, findings.

Every function returns rich renderables; the commands print them. Rich measures East Asian
characters as two cells wide, so Chinese labels stay aligned in columns. Every text from the
facts or the rule sets goes through :func:`~._output.safe` (control characters escaped) and
into :class:`~rich.text.Text` (never read as rich markup).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from rich import box
from rich.cells import cell_len
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
from ._output import safe

__all__ = [
    "explanation",
    "findings",
    "next_grade",
    "plugins_table",
    "ranking",
]

_SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def _t(text: str, style: str = "") -> Text:
    """Text from data: control characters escaped, never read as rich markup."""
    return Text(safe(text), style=style)


def _row(table: Table, *cells: str | Text, style: str | None = None) -> None:
    """Add a row; text is never read as rich markup (``[pb]`` stays as it is)."""
    table.add_row(
        *(Text(safe(c, lines=True)) if isinstance(c, str) else c for c in cells), style=style
    )


def _add(text: Text, data: str, style: str = "") -> None:
    """Append data to a text: control characters escaped (its newlines kept)."""
    text.append(safe(data, lines=True), style=style)


def row(table: Table, *cells: str | Text, style: str | None = None) -> None:
    """Add a row of data to any table (the ledger's): escaped, never rich markup."""
    _row(table, *cells, style=style)


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
        title=_t(f"{report.period} — {len(report)} 班组 (teams)"),
        caption=_t(f"规则集 (rubric) {report.rubric_hash[:12]}, engine {report.engine_version}"),
        box=box.SIMPLE_HEAVY,
        padding=(0, 1),
        collapse_padding=True,
        show_edge=False,
    )
    table.add_column("排名\nrank", justify="right", no_wrap=True)
    rows = report.rows()
    # an id is never folded mid-word: the team column is at least as wide as the longest one
    widest = max((cell_len(safe(f"[{r.team}]")) for r in rows), default=4)
    table.add_column("班组\nteam", overflow="fold", min_width=widest)
    table.add_column("部门\ndept.", overflow="fold")
    table.add_column("综合\ncomposite", justify="right", no_wrap=True)
    for dim in rubric.dimensions:
        header = Text(f"{safe(short_label(dim.label))}\n{safe(dim.id)}")
        table.add_column(header, justify="right", no_wrap=True)
    table.add_column("称号\ntitles", min_width=8, overflow="fold")
    for standing in rows:
        rank = "—" if standing.rank is None else str(standing.rank)
        style = "dim" if standing.vetoed else None
        composite = _points(standing.composite, places)
        if standing.grade:
            composite += f"\n{short_label(standing.grade.text)}"
        cells = [
            _points(score, places) + ("" if grade is None else f"\n{short_label(grade.text)}")
            for score, grade in zip(standing.scores, standing.grades, strict=True)
        ]
        _row(
            table,
            rank,
            f"{safe(standing.name)}\n[{safe(standing.team)}]",
            safe(standing.department),
            composite,
            *cells,
            "\n".join(safe(titles.get(t, t)) for t in standing.titles) or "—",
            style=style,
        )
    return table


def _facts(refs: Sequence[FactRef]) -> str:
    return ", ".join(f"{r.kind} {r.id}" + (f" ({r.detail})" if r.detail else "") for r in refs)


def _line_row(table: Table, line: Line, places: int) -> None:
    _row(
        table,
        _t("  " + line.label),
        _points(line.points, places, sign=True),
        line.reason,
        _facts(line.facts),
    )


def _gap(
    rubric: Rubric | None, of: str | None, label: str | None, score: Decimal, places: int
) -> str:
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
    _add(head, f"{a.name} [{a.team}]", style="bold")
    _add(head, f" — {a.department} — {a.period} — 人数 (headcount) {a.headcount}\n")
    _add(head, f"综合得分 (composite) {_points(a.composite, places)}", style="bold")
    if a.grade:
        _add(head, f"，{a.grade.label}")
    _add(head, f"，{rank}")
    if a.rank_note:
        _add(head, f"\n{a.rank_note}", style="dim")
    parts.append(head)
    for veto in a.vetoes:
        parts.append(
            _t(
                f"一票否决 (veto) {veto.label} [{veto.id}]"
                + (f" ← {_facts(veto.facts)}" if veto.facts else ""),
                style="bold red",
            )
        )
    for dim in a.dimensions:
        weight = f" × {display(dim.weight, 2)}" if dim.weight != 1 else ""
        grade = f" — {dim.grade.label}" if dim.grade else ""
        table = Table(
            title=_t(f"{dim.label} [{dim.id}] {_points(dim.score, places)}{weight}{grade}"),
            title_justify="left",
            box=box.SIMPLE,
            expand=False,
            show_edge=False,
        )
        table.add_column("项目 (item)", overflow="fold")
        table.add_column("得分 (points)", justify="right", no_wrap=True)
        table.add_column("说明 (why)", overflow="fold")
        table.add_column("依据 (facts)", overflow="fold")
        for ind in dim.indicators:
            _row(
                table,
                _t(f"{ind.label} [{ind.id}]", style="bold"),
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
                _t(f"{kind} {adj.label} [{adj.id}]", style="bold"),
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
        parts.append(Text(safe("\n".join(lines), lines=True), style="italic"))
    if a.grade:
        gap = _gap(rubric, None, a.grade.label, a.composite, places)
        parts.append(_t(f"综合等级 (composite grade) {a.grade.label}: {a.grade.reason}{gap}"))
    titles = Text()
    if a.titles:
        for title in a.titles:
            _add(titles, f"称号 (title) {title.label} [{title.id}]", style="bold green")
            _add(titles, f" — {title.note}\n" if title.note else "\n")
    else:
        titles.append("称号 (title) 无 (none)\n")
    for note in a.title_notes:
        _add(titles, f"  未获 (not reached) {note}\n", style="dim")
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
    _add(out, f"下一等级 (next grade) — {scale.label} [{scale.id}]: ", style="bold")
    if band is None:
        _add(out, f"{label} is the top band\n")
        return out
    if label == scale.veto_label:
        _add(out, f"{label} → a grade: the veto must go first\n")
    else:
        _add(out, f"{label} → {band.label}\n")
    if label != scale.veto_label and band.at_least is not None:
        gap = band.at_least - score
        _add(out, f"  {what} {_points(score, places)}, the band starts at {band.at_least}")
        _add(out, f": {_points(gap, places)} short\n" if gap > 0 else ": reached\n")
    if band.requires is not None and label != scale.veto_label:
        from ..rubric.describe import describe_condition

        _add(out, f"  {band.label} also requires {describe_condition(band.requires)}\n")
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
        _add(out, f"  {number}. ", style="bold")
        out.append(
            f"→ {suggestion.grade_after} ({_points(suggestion.score_before, places)}"
            f" → {_points(suggestion.score_after, places)})\n"
        )
        for change in suggestion.changes:
            _add(out, f"     {change.describe()}\n")
            if change.why:
                _add(out, f"       ({change.why})\n", style="dim")
    return out


def plugins_table(plugins: Sequence[PluginInfo], rubric: Rubric) -> Table:
    """The registered plugins: source, distribution and version, indicators, kinds, hooks."""
    table = Table(title="插件 (plugins)", box=box.SIMPLE_HEAVY, padding=(0, 1), pad_edge=False)
    table.add_column("plugin\nsource, distribution", overflow="fold")
    table.add_column("indicators", overflow="fold")
    table.add_column("fact kinds", overflow="fold")
    table.add_column("hooks\n(register_…)", overflow="fold")
    for info in plugins:
        name = _t(info.name, style="bold")
        _add(name, f"\n{info.source}")
        if info.distribution:
            _add(name, f"\n{info.distribution} {info.version or ''}".rstrip())
        kinds = plugin_fact_kinds(rubric, info.name)
        _row(
            table,
            name,
            "\n".join(plugin_indicators(rubric, info.name)) or "—",
            "\n".join(kinds) or "—",
            "\n".join(h.removeprefix("assessment_register_") for h in info.hooks) or "—",
        )
    table.caption = _t(f"规则集 (rubric) {rubric.content_hash[:12]}: {rubric!r}")
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
            title=_t(f"{severity} ({len(groups[severity])})"),
            title_style=style,
            title_justify="left",
            box=box.SIMPLE,
            expand=False,
        )
        table.add_column("subject")
        table.add_column("check")
        table.add_column("message")
        for item in groups[severity]:
            _row(table, item.subject, item.check, item.message)
        parts.append(table)
    counts = {s: len(groups[s]) for s in SEVERITIES}
    summary = ", ".join(f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}" for s in SEVERITIES)
    parts.append(Text(summary if items else "no findings: the rubric is consistent"))
    return Group(*parts)
