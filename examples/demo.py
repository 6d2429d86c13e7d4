"""Assess the example institute and show who won and why.

Run from the repository root (or ``nox -s demo``)::

    python examples/demo.py                                  # examples/institute-2024.json
    python examples/demo.py examples/institute-2023.json     # the year before
    python examples/demo.py --team food-chem                 # explain another team

Prints the ranking as a table (rank, team, department, composite, the three dimension scores
with their grades, titles; vetoed teams unranked at the bottom with their veto), the use of the
title quotas (with any overrun from a tie), and then one team's full explanation — by default the
first-ranked team, which in 2024 is also the instructive case: the best composite, yet no 红旗.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
from decimal import Decimal

import assessment_1252_method as method
from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from assessment_engine import Assessment, Engine, Report, load_facts

HERE = pathlib.Path(__file__).resolve().parent
DEFAULT_FACTS = HERE / "institute-2024.json"
INSTITUTE = "海西产品质量检验研究院 (海西质检院)"
DIMENSIONS = ("pb", "bp", "cv")
#: The colour of each grade (the Chinese part of the label).
GRADE_STYLES = {
    "优秀": "bold green",
    "良好": "cyan",
    "合格": "yellow",
    "不合格": "red",
    "一票否决": "bold white on red",
}
TITLE_STYLES = {
    method.RED_FLAG.id: "bold red",
    method.ADVANCED.id: "bold magenta",
    method.STANDARD.id: "green",
    method.IMPROVE.id: "dim",
}


def _short(label: str) -> str:
    """The Chinese part of a bilingual label: ``优秀 (excellent)`` → ``优秀``."""
    return label.split(" (", 1)[0]


def _points(value: Decimal) -> str:
    return f"{value:.2f}"


def _grade(label: str | None) -> Text:
    if label is None:
        return Text("")
    short = _short(label)
    return Text(short, style=GRADE_STYLES.get(short, ""))


def _score(a: Assessment, dimension: str) -> Text:
    dim = a.dimension(dimension)
    text = Text(_points(dim.score) + " ")
    return text + _grade(dim.grade.label if dim.grade else None)


def _titles(a: Assessment) -> Text:
    if a.vetoed:
        vetoes = "; ".join(f"{v.id} {_short(v.label)}" for v in a.vetoes)
        return Text(f"一票否决: {vetoes}", style="red")
    text = Text()
    for title in a.titles:
        text.append(_short(title.label), style=TITLE_STYLES.get(title.id, ""))
        if title.note:
            text.append(" (并列超额 tie overrun)", style="yellow")
    for note in a.title_notes:
        missed = _short(note.split(": ", 1)[0])
        if "名额已满" in note:  # qualified, but the quota was used up by better-ranked teams
            text.append(f"\n未获{missed}: 名额已满", style="dim")
        elif missed == _short(method.RED_FLAG.label) and a.composite >= 95:
            text.append(f"\n未获{missed}: 条件未满足", style="dim")
    return text


def ranking_table(report: Report) -> Table:
    """The standings: ranked teams in order, then the vetoed ones, unranked."""
    dims = {d.id: _short(d.label) for d in report.rubric.dimensions}
    table = Table(
        title=f"{INSTITUTE} · {report.period} 年度班组考评 (1252 method)",
        caption=f"规则集 (rubric) {report.rubric_hash[:12]} · engine {report.engine_version}",
        header_style="bold",
        show_lines=False,
    )
    table.add_column("名次\nrank", justify="right")
    table.add_column("班组 team")
    table.add_column("所 dept")
    table.add_column("综合 composite", justify="right")
    for dim in DIMENSIONS:
        table.add_column(f"{dims.get(dim, dim)} {dim}", justify="right")
    table.add_column("称号 title")
    ranks = [a.rank for a in report if a.rank is not None]
    vetoed_started = False
    for a in report:
        if a.vetoed and not vetoed_started:
            table.add_section()
            vetoed_started = True
        if a.rank is None:
            rank = Text("—", style="red")
        else:
            rank = Text(f"{a.rank}=" if ranks.count(a.rank) > 1 else str(a.rank))
        composite = Text(_points(a.composite) + " ")
        composite += _grade(a.grade.label if a.grade else None)
        table.add_row(
            rank,
            Text(a.name) + Text(f"\n{a.team}", style="dim"),
            a.department,
            composite,
            *(_score(a, dim) for dim in DIMENSIONS),
            _titles(a),
        )
    return table


def quota_panel(report: Report) -> Panel:
    """How the title quotas were used; a tie at the boundary shows as an overrun."""
    lines = Text()
    for quota in report.quotas:
        if lines:
            lines.append("\n")
        style = "yellow" if quota.overrun else ""
        lines.append(f"{quota.label}: {quota.awarded} / {quota.limit}", style=style)
        if quota.overrun:
            tied = [a for a in report if any(quota.id in t.note for t in a.titles)]
            names = "、".join(f"{a.name} {_points(a.composite)}" for a in tied)
            lines.append(f" — {quota.note}; 并列 (tied): {names}", style=style)
    return Panel(lines, title="名额 (quotas)", expand=False)


def red_flag_checklist(a: Assessment) -> Text:
    """The conditions of 红旗班组 (method_1252's README) against this team's results."""
    triggered = [
        adj.id
        for dim in a.dimensions
        for adj in dim.adjustments
        if adj.id in method.HIGH_LEVEL_BONUSES and adj.applied > 0
    ]
    checks = [
        ("未被一票否决 (not vetoed)", not a.vetoed),
        (f"综合得分 ≥ 95 (composite {_points(a.composite)})", a.composite >= 95),
        *(
            (
                f"{dim.id} 等级 优秀 ({_short(dim.grade.label) if dim.grade else '—'})",
                dim.grade is not None and dim.grade.label == method.EXCELLENT,
            )
            for dim in a.dimensions
            if dim.id in DIMENSIONS
        ),
        (
            "无扣分项 (no penalty in pb/bp/cv)",
            all(dim.penalty == 0 for dim in a.dimensions if dim.id in DIMENSIONS),
        ),
        (
            "省局级以上加分项 (党建创新项目 or 科技/标准奖): " + (", ".join(triggered) or "none"),
            bool(triggered),
        ),
    ]
    text = Text("红旗班组 conditions:\n")
    for label, ok in checks:
        text.append("  ✓ " if ok else "  ✗ ", style="green" if ok else "bold red")
        text.append(label + "\n")
    return text


def why(a: Assessment) -> Text:
    """A short account of the team's standing before the full explanation."""
    rank = "unranked (vetoed)" if a.rank is None else f"rank {a.rank}"
    titles = "、".join(_short(t.label) for t in a.titles) or "无称号 (no title)"
    text = Text(f"{a.name} [{a.team}] — {rank}, composite {_points(a.composite)} — ")
    text.append(titles, style="bold")
    text.append("\n")
    if a.rank_note:
        text.append(f"{a.rank_note}\n", style="dim")
    for title in a.titles:
        if title.note:
            text.append(f"{_short(title.label)}: {title.note}\n", style="yellow")
    for note in a.title_notes:
        text.append(f"{note}\n", style="dim")
    red_flag_note = any(n.startswith(_short(method.RED_FLAG.label)) for n in a.title_notes)
    holds_red_flag = any(t.id == method.RED_FLAG.id for t in a.titles)
    if (red_flag_note and a.composite >= 95) or holds_red_flag:
        text.append_text(red_flag_checklist(a))
    return text


def choose(report: Report, wanted: str | None) -> Assessment:
    """The team to explain: ``wanted`` (an id or a name), else the first-ranked team."""
    if wanted is None:
        return next(iter(report))
    for a in report:
        if wanted in (a.team, a.name):
            return a
    known = ", ".join(report.teams)
    raise SystemExit(f"demo.py: no team {wanted!r} in {report.period}; teams: {known}")


def main(argv: list[str] | None = None) -> int:
    """Assess the facts file and print the ranking, the quotas and one explanation."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("facts", nargs="?", type=pathlib.Path, default=DEFAULT_FACTS)
    parser.add_argument("--team", help="team id or name to explain (default: the first-ranked)")
    parser.add_argument("--matcher", choices=("durable", "python"), default=None)
    args = parser.parse_args(argv)

    console = Console(highlight=False)
    if not console.is_terminal:  # piped: wide enough for the table
        console = Console(highlight=False, width=140)
    with Engine(block=["food_institute"], matcher=args.matcher) as engine:
        facts = load_facts(args.facts, fact_types=engine.rubric.fact_types)
        report = engine.assess(facts)
        chosen = choose(report, args.team)
        console.print(ranking_table(report))
        console.print(quota_panel(report))
        console.rule(f"解释 (explanation): {chosen.name}")
        console.print(why(chosen))
        # the explanation is plain text: "[pb]" must not be read as rich markup
        console.print(chosen.explain().text(), markup=False, highlight=False, soft_wrap=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
