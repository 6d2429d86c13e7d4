"""The report as one self-contained HTML page: ranking, quotas, charts and every explanation.

::

    from pathlib import Path
    from assessment_engine.render import html

    Path("report.html").write_text(html.render(report), encoding="utf-8")

The page needs nothing but a browser: styles, script and charts (inline SVG) are in the file, a
content security policy forbids every outside request, and the font stack prefers the CJK fonts
installed on the reader's machine. Every text that comes from facts or rule sets is escaped.
The same report always gives the same bytes: no clock, no randomness, numbers rounded only for
display (:func:`assessment_engine._base.numbers.display`).
"""

from __future__ import annotations

import base64
import hashlib
import html
import string
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from functools import cache
from importlib import resources

from .._base.numbers import display
from .._base.version import VERSION as __version__
from ..report import Report
from ..results import (
    AdjustmentResult,
    Assessment,
    DimensionResult,
    FactRef,
    GradeResult,
    IndicatorResult,
    Line,
    QuotaResult,
)
from ..rubric.describe import short_label
from ._svg import HistogramItem, RadarAxis, histogram, radar

__all__ = ["render", "render_report"]

#: Facts shown on a line before the rest fold away behind "+N".
FACTS_SHOWN = 8


def render(report: Report, *, title: str | None = None) -> str:
    """Render a report as one self-contained, offline HTML page.

    The page has a summary, the ranking table (rank, team, department, composite, each
    dimension's score and grade, titles; vetoed teams unranked with their vetoes), the use of
    each title quota with tie overruns, a histogram of the composites, a radar chart of every
    team across the dimensions (each axis is the score divided by the dimension's maximum,
    with the mean of the ranked teams dashed), and each team's full explanation — dimensions,
    indicators, lines with their reasons and facts — which opens when the team is clicked.

    :param report: the report of one period (:meth:`Engine.assess`).
    :param title: the page title; by default "班组考核报告 (team assessment report) PERIOD".
    :returns: the HTML text; write it with ``encoding="utf-8"``. The same report gives the same
        text, byte for byte.
    """
    page = _Page(report)
    heading = (
        title if title is not None else f"班组考核报告 (team assessment report) {report.period}"
    )
    js = _asset("report.js")
    digest = base64.b64encode(hashlib.sha256(js.encode("utf-8")).digest()).decode("ascii")
    body = "\n".join(
        [
            page.summary(),
            page.ranking(),
            page.quotas(),
            page.distribution(),
            page.radars(),
            page.details(),
        ]
    )
    meta = (
        f"期间 (period) {_e(report.period)} · {len(page.assessments)} 个班组 (teams) · "
        + " · ".join(
            f"{_e(d.label)} 满分 (max) {_num(d.max)}" + (f" × {_num(w)}" if w != 1 else "")
            for d, w in zip(page.dimensions, page.weights, strict=True)
        )
    )
    footer = (
        f"规则集 (rubric) <code>{_e(report.rubric_hash[:12])}</code> · assessment_engine"
        f" {_e(report.engine_version)} · 分数四舍五入显示 (scores rounded for display only)"
    )
    return _template().substitute(
        title=_e(heading),
        meta=meta,
        body=body,
        footer=footer,
        css=_asset("report.css"),
        js=js,
        script_hash=f"sha256-{digest}",
        version=_e(__version__),
    )


# --------------------------------------------------------------------------- helpers


#: The earlier name of :func:`render` (``assessment_engine.html_report.render_report``).
render_report = render


@cache
def _asset(name: str) -> str:
    return (resources.files("assessment_engine.render") / "_assets" / name).read_text(
        encoding="utf-8"
    )


@cache
def _template() -> string.Template:
    return string.Template(_asset("report.html"))


def _e(text: object) -> str:
    """Escape text for HTML content and double-quoted attributes."""
    return html.escape(str(text), quote=True)


def _num(value: Decimal | Fraction | int, places: int = 2) -> str:
    return display(value, places)


def _pct(value: Decimal, maximum: Decimal) -> str:
    if maximum <= 0:
        return "0"
    share = min(max(Fraction(value) / Fraction(maximum), Fraction(0)), Fraction(1))
    return display(share * 100, 1)


def _points_span(points: Decimal) -> str:
    if points > 0:
        return f'<span class="pts pos">+{_num(points)}</span>'
    if points < 0:
        return f'<span class="pts neg">−{_num(-points)}</span>'
    return f'<span class="pts zero">{_num(points)}</span>'


def _fact(ref: FactRef) -> str:
    detail = f" <i>({_e(ref.detail)})</i>" if ref.detail else ""
    return f'<span class="fact"><b>{_e(ref.kind)}</b> {_e(ref.id)}{detail}</span>'


def _facts(refs: Sequence[FactRef]) -> str:
    if not refs:
        return ""
    shown = "".join(_fact(r) for r in refs[:FACTS_SHOWN])
    rest = refs[FACTS_SHOWN:]
    if rest:
        shown += (
            f'<details class="more"><summary>+{len(rest)}</summary>'
            + "".join(_fact(r) for r in rest)
            + "</details>"
        )
    return f" ← {shown}"


# --------------------------------------------------------------------------- the page


class _Page:
    """The report's numbers, gathered once, and one method per section of the page."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.assessments: tuple[Assessment, ...] = tuple(report)
        rubric = report.rubric
        self.dimensions = rubric.dimensions
        first = self.assessments[0].dimensions if self.assessments else ()
        weight_of = {d.id: d.weight for d in first}
        self.weights = tuple(weight_of.get(d.id, Decimal(1)) for d in self.dimensions)
        self.composite_max = sum(
            (d.max * w for d, w in zip(self.dimensions, self.weights, strict=True)), Decimal(0)
        )
        self.scales = {s.id: s for s in rubric.grade_scales}
        self.composite_scale = next((s for s in rubric.grade_scales if s.of is None), None)
        self.rank_counts = Counter(a.rank for a in self.assessments)
        self.anchor = {a.team: f"team-{i}" for i, a in enumerate(self.assessments)}
        ranked = [a for a in self.assessments if not a.vetoed] or list(self.assessments)
        dims = range(len(self.dimensions))
        self.mean_ratios = [
            float(sum((self._ratio(a, i) for a in ranked), Fraction(0)) / max(1, len(ranked)))
            for i in dims
        ]
        self.radar_max = float(
            max([Fraction(1), *(self._ratio(a, i) for a in self.assessments for i in dims)])
        )

    def _ratio(self, assessment: Assessment, index: int) -> Fraction:
        dim = self.dimensions[index]
        return Fraction(assessment.dimension(dim.id).score) / Fraction(dim.max)

    # ----------------------------------------------------------------- small parts
    def grade(self, result: GradeResult | None, *, short: bool = False) -> str:
        """A grade as a pill coloured by its band: best g0 … worst g3, vetoed gv."""
        if result is None:
            return ""
        scale, tier = self.scales.get(result.scale), "gx"
        labels = [b.label for b in scale.bands] if scale else []
        if scale and result.label == scale.veto_label:
            tier = "gv"
        elif result.label in labels:
            i, n = labels.index(result.label), len(labels)
            tier = "g0" if n == 1 else f"g{(6 * i + n - 1) // (2 * (n - 1))}"
        text = short_label(result.text) if short else result.text
        return f'<span class="pill {tier}" title="{_e(result.text)}">{_e(text)}</span>'

    def team_link(self, a: Assessment) -> str:
        """The team's name, linked to its explanation, and its id."""
        anchor = self.anchor[a.team]
        return (
            f'<a class="team-name" href="#{anchor}" data-open="{anchor}">{_e(a.name)}</a>'
            f' <span class="id">{_e(a.team)}</span>'
        )

    def titles(self, a: Assessment, *, short: bool = False) -> str:
        """The team's titles; a quota overrun from a tie is flagged (in full unless short)."""
        out = []
        for t in a.titles:
            if t.note:
                text = short_label(t.note) if short else t.note
                note = f' <span class="warn" title="{_e(t.note)}">⚠ {_e(text)}</span>'
            else:
                note = ""
            label = short_label(t.label) if short else t.label
            out.append(
                f'<span class="pill title-pill" title="{_e(t.label)}">{_e(label)}</span>{note}'
            )
        return " ".join(out)

    def rank(self, a: Assessment) -> str:
        """The rank, "=" when shared; the rank note as a tooltip."""
        note = f' title="{_e(a.rank_note)}"' if a.rank_note else ""
        if a.rank is None:
            return f'<span class="rank none"{note}>未排名</span>'
        tie = "=" if self.rank_counts[a.rank] > 1 else ""
        return f'<span class="rank"{note}>{a.rank}{tie}</span>'

    # ----------------------------------------------------------------- sections
    def summary(self) -> str:
        """Counts and the spread of the composites."""
        teams = self.assessments
        ranked = [a for a in teams if a.rank is not None]
        vetoed = [a for a in teams if a.vetoed]
        composites = [a.composite for a in (ranked or teams)]
        mean = Fraction(sum(composites, Decimal(0))) / len(composites) if composites else None
        stats = [
            (str(len(teams)), "班组 (teams assessed)"),
            (str(len(ranked)), "已排名 (ranked)"),
            (str(len(vetoed)), "一票否决 (vetoed)"),
            (display(mean), "平均综合分 (mean composite)"),
            (display(max(composites)) if composites else "–", "最高综合分 (best composite)"),
            (str(sum(len(a.titles) for a in teams)), "称号 (titles awarded)"),
        ]
        cells = "".join(
            f"<div class=stat><b>{_e(v)}</b><span>{_e(k)}</span></div>" for v, k in stats
        )
        return f'<section class="card" id="summary"><div class="stats">{cells}</div></section>'

    def ranking(self) -> str:
        """The ranking table, in rank order; vetoed teams last, unranked, with their vetoes."""
        head = [
            '<th class="num">名次<small>rank</small></th>',
            "<th>班组<small>team</small></th>",
            "<th>部门<small>department</small></th>",
            f'<th class="num">综合<small>composite / {_num(self.composite_max)}</small></th>',
        ]
        for d, w in zip(self.dimensions, self.weights, strict=True):
            weight = f" × {_num(w)}" if w != 1 else ""
            head.append(
                f'<th class="num">{_e(short_label(d.label))}<small>{_e(d.id)} / {_num(d.max)}'
                f"{weight}</small></th>"
            )
        head.append("<th>称号<small>titles</small></th>")
        rows = []
        for a in self.assessments:
            team = self.team_link(a)
            for v in a.vetoes:
                team += f'<br><span class="pill gv wrap">一票否决 {_e(v.label)}</span>'
            cells = [
                f'<td class="num">{self.rank(a)}</td>',
                f"<td>{team}</td>",
                f"<td>{_e(a.department)}</td>",
                f'<td class="num">{_num(a.composite)} {self.grade(a.grade, short=True)}'
                f'<span class="bar"><i style="width:{_pct(a.composite, self.composite_max)}%">'
                "</i></span></td>",
            ]
            for d in self.dimensions:
                r = a.dimension(d.id)
                cells.append(
                    f'<td class="num">{_num(r.score)} {self.grade(r.grade, short=True)}</td>'
                )
            cells.append(f'<td class="titles">{self.titles(a, short=True)}</td>')
            vetoed = ' class="vetoed"' if a.vetoed else ""
            rows.append(f'<tr{vetoed} data-team="{_e(a.team)}">{"".join(cells)}</tr>')
        if not rows:
            rows.append(
                f'<tr><td colspan="{len(head)}" class="empty">没有班组 (no teams)</td></tr>'
            )
        return (
            '<section class="card" id="ranking"><h2>排名 (ranking)</h2>'
            '<p class="hint">点击班组查看得分说明 (click a team for its explanation);'
            " “=” 并列 (tied).</p>"
            f'<div class="scroll"><table><thead><tr>{"".join(head)}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div></section>"
        )

    def quotas(self) -> str:
        """How each title quota was used; an overrun from a tie at the boundary stands out."""
        quotas: tuple[QuotaResult, ...] = self.report.quotas
        if not quotas:
            return ""
        rows = []
        for q in quotas:
            within = min(q.awarded, q.limit)
            slots = (
                '<span class="slot used"></span>' * within
                + '<span class="slot"></span>' * (q.limit - within)
                + '<span class="slot over"></span>' * q.overrun
            )
            over = f' <span class="warn">超出 (overrun) +{q.overrun}</span>' if q.overrun else ""
            note = f'<div class="note">{_e(q.note)}</div>' if q.note else ""
            rows.append(
                f'<div class="quota" data-quota="{_e(q.id)}"><div>{_e(q.label)}'
                f' <span class="id">{_e(q.id)}</span>{note}</div>'
                f'<div class="slots">{slots}</div>'
                f'<div class="num">{q.awarded} / {q.limit}{over}</div></div>'
            )
        return (
            '<section class="card" id="quotas"><h2>称号名额 (title quotas)</h2>'
            f"{''.join(rows)}</section>"
        )

    def distribution(self) -> str:
        """A histogram of the composites, vetoed teams stacked in grey, grade thresholds dashed."""
        scale = self.composite_scale
        thresholds = [
            (b.at_least, short_label(b.label))
            for b in (scale.bands if scale else ())
            if b.at_least is not None
        ]
        chart, counts = histogram(
            [HistogramItem(a.composite, a.name, a.vetoed) for a in self.assessments],
            upper=self.composite_max,
            thresholds=thresholds,
            axis_label="综合得分 (composite)",
            label="综合得分分布 (histogram of composites)",
        )
        return (
            '<section class="card" id="distribution"><h2>得分分布 (score distribution)</h2>'
            f"<figure>{chart}<figcaption><span class=box></span>已排名 (ranked)"
            " <span class='box vetoed'></span>一票否决 (vetoed) · 虚线 = 综合等级线 (dashed:"
            f" grade thresholds) · {_e(counts) or '没有班组 (no teams)'}</figcaption></figure>"
            "</section>"
        )

    def radar(self, a: Assessment, *, size: int, pad: int, values: bool) -> str:
        """One team's radar chart: axes are dimensions, each scaled by its maximum."""
        axes = [
            RadarAxis(d.label, short_label(d.label), a.dimension(d.id).score, d.max)
            for d in self.dimensions
        ]
        label = f"{a.name}: " + ", ".join(f"{x.label} {_num(x.score)}/{_num(x.max)}" for x in axes)
        return radar(
            axes,
            mean=self.mean_ratios,
            scale=self.radar_max,
            size=size,
            pad=pad,
            values=values,
            vetoed=a.vetoed,
            label=label,
        )

    def radars(self) -> str:
        """A radar chart per team, in rank order."""
        if not self.assessments:
            return ""
        cards = []
        for a in self.assessments:
            rank = f"#{a.rank}" if a.rank is not None else "未排名"
            cards.append(
                f'<figure data-team="{_e(a.team)}">'
                f"{self.radar(a, size=220, pad=46, values=False)}"
                f"<figcaption>{_e(rank)} {self.team_link(a)}</figcaption></figure>"
            )
        return (
            '<section class="card" id="radars"><h2>各维度雷达图 (dimension radar)</h2>'
            '<div class="legend"><span><span class="swatch"></span>班组得分 ÷ 维度满分'
            ' (score ÷ dimension maximum)</span><span><span class="swatch mean"></span>已排名'
            "班组平均 (mean of ranked teams)</span><span>灰色虚线 = 一票否决 (grey dashed:"
            " vetoed)</span></div>"
            f'<div class="radars">{"".join(cards)}</div></section>'
        )

    def details(self) -> str:
        """Every team's explanation, folded; clicking a team anywhere opens it."""
        panels = "".join(self.team_panel(a) for a in self.assessments)
        return (
            '<section class="card" id="details"><h2>得分说明 (explanations)</h2>'
            '<div class="toolbar"><button type="button" data-toggle-all="open">全部展开'
            ' (expand all)</button><button type="button" data-toggle-all="close">全部收起'
            f" (collapse all)</button></div>{panels or '<p class=empty>没有班组 (no teams)</p>'}"
            "</section>"
        )

    # ----------------------------------------------------------------- one team
    def team_panel(self, a: Assessment) -> str:
        """One team's explanation as a <details> element."""
        vetoes = "".join(f'<span class="pill gv">一票否决 {_e(v.label)}</span>' for v in a.vetoes)
        summary = (
            f"<summary>{self.rank(a)} <span class=team-name>{_e(a.name)}</span>"
            f' <span class="id">{_e(a.team)}</span> <span>{_e(a.department)}</span>'
            f" <b>{_num(a.composite)}</b> {self.grade(a.grade)}"
            f" {vetoes} {self.titles(a)}</summary>"
        )
        body = [
            f'<p class="meta">班组 (team) <code>{_e(a.team)}</code> · 人数 (headcount)'
            f" {a.headcount} · 期间 (period) {_e(a.period)}</p>"
        ]
        if a.rank_note:
            body.append(f'<p class="note">{_e(a.rank_note)}</p>')
        for v in a.vetoes:
            where = f" [{_e(v.dimension)}]" if v.dimension else ""
            body.append(
                f'<div class="veto-box"><b>一票否决 (veto)</b> {_e(v.label)}'
                f" <code>{_e(v.id)}</code>{where}{_facts(v.facts)}</div>"
            )
        rows = "".join(
            f"<tr><td>{_e(d.label)} <code>{_e(d.id)}</code></td>"
            f'<td class="num">{_num(d.score)}</td><td class="num">{_num(d.weight)}</td>'
            f"<td>{self.grade(d.grade)}</td></tr>"
            for d in a.dimensions
        )
        grade = ""
        if a.grade:
            grade = (
                f'<p class="grade-reason">综合等级 (composite grade) {self.grade(a.grade)}'
                f" {_e(a.grade.reason)}</p>"
            )
        titles = self.titles(a) or "无 (none)"
        notes = "".join(f'<p class="note">{_e(n)}</p>' for n in a.title_notes)
        body.append(
            f'<div class="overview"><figure>{self.radar(a, size=340, pad=72, values=True)}'
            "</figure><div><table><thead><tr><th>维度 (dimension)</th>"
            '<th class="num">得分 (score)</th><th class="num">权重 (weight)</th>'
            f"<th>等级 (grade)</th></tr></thead><tbody>{rows}</tbody><tfoot><tr>"
            f'<th>综合 (composite)</th><th class="num">{_num(a.composite)}</th><th></th>'
            f"<th>{self.grade(a.grade)}</th></tr></tfoot></table>"
            f'{grade}<p class="note">称号 (titles) {titles}</p>{notes}</div></div>'
        )
        body.extend(self.dimension(d) for d in a.dimensions)
        return (
            f'<details class="team" id="{self.anchor[a.team]}" data-team="{_e(a.team)}">'
            f'{summary}<div class="team-body">{"".join(body)}</div></details>'
        )

    def dimension(self, d: DimensionResult) -> str:
        """A dimension: its indicators and adjustments with their lines, the sum, the grade."""
        weight = f" × {_num(d.weight)}" if d.weight != 1 else ""
        parts = [
            f'<details class="dim" open data-dimension="{_e(d.id)}"><summary class="dim-head">'
            f"<h3>{_e(d.label)}</h3><code>{_e(d.id)}</code><b>{_num(d.score)}</b>{weight}"
            f" {self.grade(d.grade)}</summary>"
        ]
        parts.extend(self.indicator(i) for i in d.indicators)
        parts.extend(self.adjustment(adj) for adj in d.adjustments)
        subtotal = f"小计 (subtotal) {_num(d.base)}"
        if d.bonus_before_cap:
            subtotal += f" + 加分 (bonus) {_num(d.bonus)}"
            if d.bonus != d.bonus_before_cap:
                subtotal += f" (封顶 capped from {_num(d.bonus_before_cap)})"
        if d.penalty:
            subtotal += f" − 扣分 (penalty) {_num(d.penalty)}"
        parts.append(f'<p class="subtotal">{subtotal} = {_num(d.score)}</p>')
        if d.grade:
            parts.append(
                f'<p class="grade-reason">等级 (grade) {self.grade(d.grade)}'
                f" {_e(d.grade.reason)}</p>"
            )
        parts.append("</details>")
        return "".join(parts)

    @staticmethod
    def lines(lines: Sequence[Line]) -> str:
        """The lines that add up to an indicator's or adjustment's points."""
        if not lines:
            return ""
        items = "".join(
            f"<li>{_points_span(line.points)} <span class=line-label>{_e(line.label)}</span>:"
            f' <span class="reason">{_e(line.reason)}</span>{_facts(line.facts)}</li>'
            for line in lines
        )
        return f'<ul class="lines">{items}</ul>'

    def indicator(self, i: IndicatorResult) -> str:
        """An indicator's points out of its maximum, and its lines."""
        return (
            f'<div class="ind" data-indicator="{_e(i.id)}"><div class="ind-head"><span>'
            f'<span class="ind-label">{_e(i.label)}</span> <code>{_e(i.id)}</code></span>'
            f'<span class="num">{_num(i.points)} / {_num(i.max)}</span><span class="bar">'
            f'<i style="width:{_pct(i.points, i.max)}%"></i></span></div>'
            f"{self.lines(i.lines)}</div>"
        )

    def adjustment(self, adj: AdjustmentResult) -> str:
        """A bonus or penalty: what its rule gives, what was applied, and why."""
        bonus = adj.kind == "bonus"
        kind = "加分 (bonus)" if bonus else "扣分 (penalty)"
        applied = _points_span(adj.applied if bonus else -adj.applied)
        given = f" (规则给 rule gives {_num(adj.amount)})" if adj.amount != adj.applied else ""
        note = f' <span class="note">{_e(adj.note)}</span>' if adj.note else ""
        return (
            f'<div class="ind adj" data-adjustment="{_e(adj.id)}"><div class="ind-head"><span>'
            f'<span class="pill gx">{kind}</span> <span class="ind-label">{_e(adj.label)}</span>'
            f" <code>{_e(adj.id)}</code>{note}</span><span class=num>{applied}{given}</span>"
            f"<span></span></div>{self.lines(adj.lines)}</div>"
        )
