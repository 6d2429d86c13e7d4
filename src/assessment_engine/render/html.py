"""The report as one self-contained HTML page: ranking, quotas, charts and every explanation.

::

    from pathlib import Path
    from assessment_engine.render import html

    Path("report.html").write_text(html.render(report), encoding="utf-8")

The page is written for an office head: one language (the Chinese part of the rubric's
labels, the English gloss on hover; both with ``gloss=True``), and every reason phrased from the
rubric's labels rather than its rule syntax (:mod:`assessment_engine.render._reasons`).

The page needs nothing but a browser: styles, script and charts (inline SVG) are in the file, a
content security policy forbids every outside request, and the font stack prefers the CJK fonts
installed on the reader's machine. Every text that comes from facts or rule sets is escaped.
The same report always gives the same bytes: no clock, no randomness, numbers rounded only for
display (:func:`assessment_engine._base.numbers.display`).
"""

from __future__ import annotations

import base64
import hashlib
import string
from collections import Counter
from decimal import Decimal
from fractions import Fraction
from functools import cache
from importlib import resources

from .._base.version import VERSION as __version__
from ..report import Report
from ..results import Assessment, QuotaResult
from ._html_parts import Words, e, num, pct
from ._html_team import TeamPanel
from ._svg import HistogramItem, RadarAxis, histogram, radar

__all__ = ["render", "render_report"]


def render(report: Report, *, title: str | None = None, gloss: bool = False) -> str:
    """Render a report as one self-contained, offline HTML page.

    The page has a summary, the ranking table (rank, team, department, composite, each
    dimension's score and grade, titles; vetoed teams unranked with their vetoes), the use of
    each title quota with tie overruns, a histogram of the composites, a radar chart of every
    team across the dimensions (each axis is the score divided by the dimension's maximum,
    with the mean of the ranked teams dashed), and each team's full explanation — dimensions,
    indicators, lines with their reasons in plain words and facts — which opens when the team
    is clicked.

    :param report: the report of one period (:meth:`Engine.assess`).
    :param title: the page title; by default "班组考核报告 PERIOD".
    :param gloss: every label and word with its English gloss beside it (``党建 (party
        building)``); by default the Chinese alone, the English on hover.
    :returns: the HTML text; write it with ``encoding="utf-8"``. The same report gives the same
        text, byte for byte.
    """
    page = _Page(report, gloss=gloss)
    w = page.words
    heading = (
        title
        if title is not None
        else f"{w.plain('班组考核报告', 'team assessment report')} {report.period}"
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
        f"{w.w('期间', 'period')} {e(report.period)} · {len(page.assessments)}"
        f" {w.w('个班组', 'teams')} · "
        + " · ".join(
            f"{w.label(d.label)} {w.w('满分', 'max')} {num(d.max)}"
            + (f" × {num(wt)}" if wt != 1 else "")
            for d, wt in zip(page.dimensions, page.weights, strict=True)
        )
    )
    footer = (
        f"{w.w('规则集', 'rubric')} <code>{e(report.rubric_hash[:12])}</code> · assessment_engine"
        f" {e(report.engine_version)} ·"
        f" {w.w('分数四舍五入显示', 'scores rounded for display only')}"
    )
    return _template().substitute(
        title=e(heading),
        meta=meta,
        body=body,
        footer=footer,
        css=_asset("report.css"),
        js=js,
        script_hash=f"sha256-{digest}",
        version=e(__version__),
    )


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


class _Page:
    """The report's numbers, gathered once, and one method per section of the page."""

    def __init__(self, report: Report, *, gloss: bool) -> None:
        self.report = report
        self.assessments: tuple[Assessment, ...] = tuple(report)
        rubric = report.rubric
        self.words = Words(rubric, gloss=gloss)
        self.dimensions = rubric.dimensions
        first = self.assessments[0].dimensions if self.assessments else ()
        weight_of = {d.id: d.weight for d in first}
        self.weights = tuple(weight_of.get(d.id, Decimal(1)) for d in self.dimensions)
        self.composite_max = sum(
            (d.max * w for d, w in zip(self.dimensions, self.weights, strict=True)), Decimal(0)
        )
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
        self.panels = TeamPanel(
            self.words,
            radar=lambda a: self.radar(a, size=340, pad=72, values=True),
            rank=self.rank,
            titles=self.titles,
        )

    def _ratio(self, assessment: Assessment, index: int) -> Fraction:
        dim = self.dimensions[index]
        return Fraction(assessment.dimension(dim.id).score) / Fraction(dim.max)

    # ----------------------------------------------------------------- small parts
    def team_link(self, a: Assessment) -> str:
        """The team's name, linked to its explanation, and its id."""
        anchor = self.anchor[a.team]
        return (
            f'<a class="team-name" href="#{anchor}" data-open="{anchor}">{e(a.name)}</a>'
            f' <span class="id">{e(a.team)}</span>'
        )

    def titles(self, a: Assessment) -> str:
        """The team's titles; a quota overrun from a tie is flagged, its note on hover."""
        w = self.words
        out = []
        for t in a.titles:
            note = ""
            if t.note:
                note = (
                    f' <span class="warn" title="{e(w.sentence(t.note))}">⚠'
                    f" {w.w('并列超额', 'tie overrun')}</span>"
                )
            out.append(
                f'<span class="pill title-pill" title="{e(t.label)}">'
                f"{e(w.label_text(t.label))}</span>{note}"
            )
        return " ".join(out)

    def rank(self, a: Assessment) -> str:
        """The rank, "=" when shared; the rank note as a tooltip."""
        note = f' title="{e(self.words.sentence(a.rank_note))}"' if a.rank_note else ""
        if a.rank is None:
            return (
                f'<span class="rank none"{note}>{e(self.words.plain("未排名", "unranked"))}</span>'
            )
        tie = "=" if self.rank_counts[a.rank] > 1 else ""
        return f'<span class="rank"{note}>{a.rank}{tie}</span>'

    # ----------------------------------------------------------------- sections
    def summary(self) -> str:
        """Counts and the spread of the composites."""
        w = self.words
        teams = self.assessments
        ranked = [a for a in teams if a.rank is not None]
        vetoed = [a for a in teams if a.vetoed]
        composites = [a.composite for a in (ranked or teams)]
        mean = Fraction(sum(composites, Decimal(0))) / len(composites) if composites else None
        stats = [
            (str(len(teams)), w.w("班组", "teams assessed")),
            (str(len(ranked)), w.w("已排名", "ranked")),
            (str(len(vetoed)), w.w("一票否决", "vetoed")),
            (num(mean) if mean is not None else "–", w.w("平均综合分", "mean composite")),
            (num(max(composites)) if composites else "–", w.w("最高综合分", "best composite")),
            (str(sum(len(a.titles) for a in teams)), w.w("称号", "titles awarded")),
        ]
        cells = "".join(f"<div class=stat><b>{e(v)}</b><span>{k}</span></div>" for v, k in stats)
        return f'<section class="card" id="summary"><div class="stats">{cells}</div></section>'

    def ranking(self) -> str:
        """The ranking table, in rank order; vetoed teams last, unranked, with their vetoes."""
        w = self.words
        head = [
            f'<th class="num">{w.w("名次", "rank")}</th>',
            f"<th>{w.w('班组', 'team')}</th>",
            f"<th>{w.w('部门', 'department')}</th>",
            f'<th class="num">{w.w("综合", "composite")}<small>/ {num(self.composite_max)}'
            "</small></th>",
        ]
        for d, wt in zip(self.dimensions, self.weights, strict=True):
            weight = f" × {num(wt)}" if wt != 1 else ""
            head.append(
                f'<th class="num">{w.label(d.label)}<small>/ {num(d.max)}{weight}</small></th>'
            )
        head.append(f"<th>{w.w('称号', 'titles')}</th>")
        rows = []
        for a in self.assessments:
            team = self.team_link(a)
            for v in a.vetoes:
                team += (
                    f'<br><span class="pill gv wrap">{w.w("一票否决", "veto")}'
                    f" {w.label(v.label)}</span>"
                )
            cells = [
                f'<td class="num">{self.rank(a)}</td>',
                f"<td>{team}</td>",
                f"<td>{e(a.department)}</td>",
                f'<td class="num">{num(a.composite)} {w.grade(a.grade)}'
                f'<span class="bar"><i style="width:{pct(a.composite, self.composite_max)}%">'
                "</i></span></td>",
            ]
            for d in self.dimensions:
                r = a.dimension(d.id)
                cells.append(f'<td class="num">{num(r.score)} {w.grade(r.grade)}</td>')
            cells.append(f'<td class="titles">{self.titles(a)}</td>')
            vetoed = ' class="vetoed"' if a.vetoed else ""
            rows.append(f'<tr{vetoed} data-team="{e(a.team)}">{"".join(cells)}</tr>')
        if not rows:
            rows.append(
                f'<tr><td colspan="{len(head)}" class="empty">'
                f"{w.w('没有班组', 'no teams')}</td></tr>"
            )
        return (
            f'<section class="card" id="ranking"><h2>{w.w("排名", "ranking")}</h2>'
            f'<p class="hint">{w.w("点击班组查看得分说明", "click a team for its explanation")}；'
            f"“=” {w.w('并列', 'tied')}</p>"
            f'<div class="scroll"><table><thead><tr>{"".join(head)}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div></section>"
        )

    def quotas(self) -> str:
        """How each title quota was used; an overrun from a tie at the boundary stands out."""
        quotas: tuple[QuotaResult, ...] = self.report.quotas
        if not quotas:
            return ""
        w = self.words
        rows = []
        for q in quotas:
            within = min(q.awarded, q.limit)
            slots = (
                '<span class="slot used"></span>' * within
                + '<span class="slot"></span>' * (q.limit - within)
                + '<span class="slot over"></span>' * q.overrun
            )
            over = (
                f' <span class="warn">{w.w("超出", "overrun")} +{q.overrun}</span>'
                if q.overrun
                else ""
            )
            note = (
                f'<div class="note">{w.w("并列导致超出名额", "over the limit because of a tie")}'
                "</div>"
                if q.note
                else ""
            )
            rows.append(
                f'<div class="quota" data-quota="{e(q.id)}"><div>{w.label(q.label)}{note}</div>'
                f'<div class="slots">{slots}</div>'
                f'<div class="num">{q.awarded} / {q.limit}{over}</div></div>'
            )
        return (
            f'<section class="card" id="quotas"><h2>{w.w("称号名额", "title quotas")}</h2>'
            f"{''.join(rows)}</section>"
        )

    def distribution(self) -> str:
        """A histogram of the composites, vetoed teams stacked in grey, grade thresholds dashed."""
        w = self.words
        scale = self.composite_scale
        thresholds = [
            (b.at_least, w.label_text(b.label))
            for b in (scale.bands if scale else ())
            if b.at_least is not None
        ]
        chart, counts = histogram(
            [HistogramItem(a.composite, a.name, a.vetoed) for a in self.assessments],
            upper=self.composite_max,
            thresholds=thresholds,
            axis_label=w.plain("综合得分", "composite"),
            label=w.plain("综合得分分布", "histogram of composites"),
        )
        return (
            f'<section class="card" id="distribution"><h2>{w.w("得分分布", "score distribution")}'
            f"</h2><figure>{chart}<figcaption><span class=box></span>{w.w('已排名', 'ranked')}"
            f" <span class='box vetoed'></span>{w.w('一票否决', 'vetoed')} ·"
            f" {w.w('虚线为综合等级线', 'dashed: grade thresholds')} ·"
            f" {e(counts) or w.w('没有班组', 'no teams')}</figcaption></figure></section>"
        )

    def radar(self, a: Assessment, *, size: int, pad: int, values: bool) -> str:
        """One team's radar chart: axes are dimensions, each scaled by its maximum."""
        w = self.words
        axes = [
            RadarAxis(d.label, w.label_text(d.label), a.dimension(d.id).score, d.max)
            for d in self.dimensions
        ]
        label = f"{a.name}: " + ", ".join(f"{x.short} {num(x.score)}/{num(x.max)}" for x in axes)
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
        w = self.words
        cards = []
        for a in self.assessments:
            rank = f"第 {a.rank} 名" if a.rank is not None else w.plain("未排名", "unranked")
            cards.append(
                f'<figure data-team="{e(a.team)}">'
                f"{self.radar(a, size=220, pad=46, values=False)}"
                f"<figcaption>{e(rank)} {self.team_link(a)}</figcaption></figure>"
            )
        return (
            f'<section class="card" id="radars"><h2>{w.w("各维度雷达图", "dimension radar")}</h2>'
            f'<div class="legend"><span><span class="swatch"></span>'
            f"{w.w('班组得分 ÷ 维度满分', 'score ÷ dimension maximum')}</span><span>"
            f'<span class="swatch mean"></span>{w.w("已排名班组平均", "mean of ranked teams")}'
            f"</span><span>{w.w('灰色虚线为一票否决', 'grey dashed: vetoed')}</span></div>"
            f'<div class="radars">{"".join(cards)}</div></section>'
        )

    def details(self) -> str:
        """Every team's explanation, folded; clicking a team anywhere opens it."""
        w = self.words
        panels = "".join(self.panels.panel(a, self.anchor[a.team]) for a in self.assessments)
        empty = f"<p class=empty>{w.w('没有班组', 'no teams')}</p>"
        return (
            f'<section class="card" id="details"><h2>{w.w("得分说明", "explanations")}</h2>'
            f'<div class="toolbar"><button type="button" data-toggle-all="open">'
            f"{w.w('全部展开', 'expand all')}</button>"
            f'<button type="button" data-toggle-all="close">{w.w("全部收起", "collapse all")}'
            f"</button></div>{panels or empty}</section>"
        )
