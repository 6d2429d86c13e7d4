"""The HTML report's overview sections: summary, ranking, quotas, histogram, radars.

Built from the report's ranking rows (:meth:`Report.rows`, no explanation needed), except the
ranking's data block, which gathers one small entry per team as the explanations are written
(:meth:`Index.row`): its veto names, rank note and title notes come from the assessment.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ..report import Report
from ..results import Assessment, QuotaResult, Standing
from ._html_parts import Words, e, num, pct
from ._svg import HistogramItem, RadarAxis, histogram, radar

__all__ = ["RADARS_SHOWN", "RANKING_ROWS", "Index", "json_block", "json_text"]

#: The radar grid is drawn for reports of at most this many teams (each team's own radar is in
#: its drill-down whatever the size).
RADARS_SHOWN = 60
#: Ranking rows per page (the page's script pages the rest; the first page is also in the HTML).
RANKING_ROWS = 50


def json_text(data: Any) -> str:
    """Compact JSON that can sit in a page: ``<``, ``>`` and ``&`` escaped, the same bytes."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def json_block(element_id: str, text: str) -> str:
    """JSON text as a data block (``type="application/json"``: never run)."""
    return f'<script type="application/json" id="{element_id}">{text}</script>'


class Index:
    """The overview of one report, and the ranking entries gathered team by team."""

    def __init__(
        self,
        report: Report,
        words: Words,
        *,
        href: Mapping[str, str],
        since: Mapping[str, Any] | None,
    ) -> None:
        self.report = report
        self.words = words
        self.rows: tuple[Standing, ...] = report.rows()
        self.href = href
        self.since = since
        rubric = report.rubric
        self.dimensions = rubric.dimensions
        weights = {w.dimension: w.weight for w in rubric.weights}
        self.weights = tuple(Decimal(weights.get(d.id, Decimal(1))) for d in self.dimensions)
        self.composite_max = sum(
            (d.max * w for d, w in zip(self.dimensions, self.weights, strict=True)), Decimal(0)
        )
        self.composite_scale = next((s for s in rubric.grade_scales if s.of is None), None)
        self.rank_counts = Counter(r.rank for r in self.rows)
        ranked = [r for r in self.rows if not r.vetoed] or list(self.rows)
        dims = range(len(self.dimensions))
        self.mean_ratios = [
            float(sum((self._ratio(r.scores[i], i) for r in ranked), Fraction(0)))
            / max(1, len(ranked))
            for i in dims
        ]
        self.radar_max = float(
            max([Fraction(1), *(self._ratio(r.scores[i], i) for r in self.rows for i in dims)])
        )
        self.grade_index: dict[tuple[str, str | None], int] = {}
        self.grades: list[list[str]] = []
        self.entries: list[str] = []  # each team's entry as JSON text: small, whatever the size

    def _ratio(self, score: Decimal, index: int) -> Fraction:
        return Fraction(score) / Fraction(self.dimensions[index].max)

    # ----------------------------------------------------------------- small parts
    def rank(self, a: Assessment) -> str:
        """The rank, "=" when shared; the rank note as a tooltip."""
        note = f' title="{e(self.words.sentence(a.rank_note))}"' if a.rank_note else ""
        if a.rank is None:
            unranked = e(self.words.plain("未排名", "unranked"))
            return f'<span class="rank none"{note}>{unranked}</span>'
        tie = "=" if self.rank_counts[a.rank] > 1 else ""
        return f'<span class="rank"{note}>{a.rank}{tie}</span>'

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

    def radar(self, name: str, scores: Sequence[Decimal], vetoed: bool, **size: int) -> str:
        """One team's radar chart: axes are dimensions, each scaled by its maximum."""
        w = self.words
        axes = [
            RadarAxis(d.label, w.label_text(d.label), s, d.max)
            for d, s in zip(self.dimensions, scores, strict=True)
        ]
        label = f"{name}: " + ", ".join(f"{x.short} {num(x.score)}/{num(x.max)}" for x in axes)
        return radar(
            axes,
            mean=self.mean_ratios,
            scale=self.radar_max,
            size=size["size"],
            pad=size["pad"],
            values=bool(size.get("values", 0)),
            vetoed=vetoed,
            label=label,
        )

    def _grade(self, grade: Any) -> int:
        if grade is None:
            return -1
        key = (grade.scale, grade.label)
        found = self.grade_index.get(key)
        if found is None:
            pill = self.words.grade(grade)
            tier = pill.split('class="pill ', 1)[1].split('"', 1)[0]
            found = self.grade_index[key] = len(self.grades)
            self.grades.append([self.words.label_text(grade.text), tier, grade.text])
        return found

    # ----------------------------------------------------------------- the ranking's data
    def row(self, a: Assessment) -> None:
        """Gather one team's ranking entry (in rank order)."""
        w = self.words
        entry: dict[str, Any] = {
            "rank": a.rank,
            "tie": int(a.rank is not None and self.rank_counts[a.rank] > 1),
            "team": a.team,
            "name": a.name,
            "department": a.department,
            "composite": num(a.composite),
            "sort": float(a.composite),
            "grade": self._grade(a.grade),
            "gradeText": a.grade.text if a.grade is not None else "",
            "bar": pct(a.composite, self.composite_max),
            "scores": [num(d.score) for d in a.dimensions],
            "scoreSort": [float(d.score) for d in a.dimensions],
            "grades": [self._grade(d.grade) for d in a.dimensions],
            "titles": [
                [w.label_text(t.label), t.label, w.sentence(t.note) if t.note else ""]
                for t in a.titles
            ],
            "vetoes": [w.label_text(v.label) for v in a.vetoes],
            "vetoed": int(a.vetoed),
            "note": w.sentence(a.rank_note) if a.rank_note else "",
            "href": self.href[a.team],
        }
        if self.since is not None:
            entry.update(self.since_entry(a.team))
        self.entries.append(json_text(entry))

    def since_entry(self, team: str) -> dict[str, Any]:
        """The change since the previous final run: a sort value and ``[class, text, tooltip]``."""
        w = self.words
        change = self.since.get(team) if self.since is not None else None
        if change is None or change.new:
            return {"since": None, "move": ["new", w.plain("新", "new"), ""]}
        parts = []
        if change.composite_change is not None:
            sign = "+" if change.composite_change > 0 else ""
            parts.append(f"{w.plain('综合', 'composite')} {sign}{num(change.composite_change)}")
        if change.grade_before != change.grade_after:
            before = w.label_text(change.grade_before or "–")
            after = w.label_text(change.grade_after or "–")
            parts.append(f"{w.plain('等级', 'grade')} {before} → {after}")
        if change.rank_before is not None:
            parts.append(f"{w.plain('上次名次', 'rank before')} {change.rank_before}")
        tip = "；".join(parts)
        moved = change.rank_change
        if moved is None:
            return {"since": None, "move": ["same", "–", tip]}
        if moved > 0:
            return {"since": moved, "move": ["up", f"▲{moved}", tip]}
        if moved < 0:
            return {"since": moved, "move": ["down", f"▼{-moved}", tip]}
        return {"since": 0, "move": ["same", "＝", tip]}

    def data(self) -> str:
        """The ranking's data block, once every team's entry is gathered."""
        w = self.words
        words = {
            "unranked": w.plain("未排名", "unranked"),
            "veto": w.plain("一票否决", "veto"),
            "overrun": w.plain("并列超额", "tie overrun"),
            "none": w.plain("没有符合条件的班组", "no team matches"),
            "status": w.plain(
                "显示 {shown} / {all} 个班组 · 第 {page} / {pages} 页",
                "{shown} of {all} teams · page {page} of {pages}",
            ),
        }
        head = json_text({"grades": self.grades, "since": self.since is not None, "words": words})
        return json_block("ranking-data", f'{head[:-1]},"rows":[{",".join(self.entries)}]}}')

    # ----------------------------------------------------------------- sections
    def summary(self) -> str:
        """Counts and the spread of the composites."""
        w = self.words
        teams = self.rows
        ranked = [r for r in teams if r.rank is not None]
        composites = [r.composite for r in (ranked or teams)]
        mean = Fraction(sum(composites, Decimal(0))) / len(composites) if composites else None
        stats = [
            (str(len(teams)), w.w("班组", "teams assessed")),
            (str(len(ranked)), w.w("已排名", "ranked")),
            (str(sum(r.vetoed for r in teams)), w.w("一票否决", "vetoed")),
            (num(mean) if mean is not None else "–", w.w("平均综合分", "mean composite")),
            (num(max(composites)) if composites else "–", w.w("最高综合分", "best composite")),
            (str(sum(len(r.titles) for r in teams)), w.w("称号", "titles awarded")),
        ]
        cells = "".join(f"<div class=stat><b>{e(v)}</b><span>{k}</span></div>" for v, k in stats)
        return f'<section class="card" id="summary"><div class="stats">{cells}</div></section>'

    def ranking(self, first: Sequence[Assessment]) -> str:
        """The ranking: sortable heads, filters, pages; ``first`` rows written out for no script."""
        w = self.words
        head = [
            f'<th class="num" data-sort="rank">{w.w("名次", "rank")}</th>',
            f'<th data-sort="name">{w.w("班组", "team")}</th>',
            f'<th data-sort="department">{w.w("部门", "department")}</th>',
            f'<th class="num" data-sort="composite" data-first="down">{w.w("综合", "composite")}'
            f"<small>/ {num(self.composite_max)}</small></th>",
        ]
        for i, (d, wt) in enumerate(zip(self.dimensions, self.weights, strict=True)):
            weight = f" × {num(wt)}" if wt != 1 else ""
            head.append(
                f'<th class="num" data-sort="dim-{i}" data-first="down">{w.label(d.label)}'
                f"<small>/ {num(d.max)}{weight}</small></th>"
            )
        if self.since is not None:
            head.append(
                f'<th class="num" data-sort="since" data-first="down">'
                f"{w.w('较上次', 'since last time')}</th>"
            )
        head.append(f"<th>{w.w('称号', 'titles')}</th>")
        rows = [self.table_row(a) for a in first]
        if not rows:
            rows.append(
                f'<tr><td colspan="{len(head)}" class="empty">'
                f"{w.w('没有班组', 'no teams')}</td></tr>"
            )
        departments = sorted({r.department for r in self.rows})
        options = "".join(f'<option value="{e(d)}">{e(d)}</option>' for d in departments)
        grades = ""
        if self.composite_scale is not None:
            scale = self.composite_scale
            labels = [b.label for b in scale.bands]
            if scale.veto_label is not None:
                labels.append(scale.veto_label)
            for label in labels:
                grades += f'<option value="{e(label)}">{e(w.label_text(label))}</option>'
        hint = w.w(
            "点击表头排序，点击班组查看得分说明", "click a heading to sort, a team to explain"
        )
        noscript = w.w("排序、筛选和翻页需要启用脚本", "sorting, filtering and paging need script")
        return (
            f'<section class="card" id="ranking"><h2>{w.w("排名", "ranking")}</h2>'
            f'<p class="hint">{hint}'
            f"；“=” {w.w('并列', 'tied')}</p>"
            f'<div class="filters"><label>{w.w("部门", "department")} <select'
            f' id="filter-department"><option value="">{w.w("全部", "all")}</option>{options}'
            f'</select></label> <label>{w.w("等级", "grade")} <select id="filter-grade">'
            f'<option value="">{w.w("全部", "all")}</option>{grades}</select></label>'
            f' <label>{w.w("查找", "find")} <input id="filter-text" type="search"'
            f' placeholder="{e(w.plain("班组名称或编号", "team name or id"))}"></label></div>'
            f'<div class="scroll"><table id="ranking-table"><thead><tr>{"".join(head)}</tr>'
            f"</thead><tbody>{''.join(rows)}</tbody></table></div>"
            f'<div class="pager"><button type="button" id="page-prev">{w.w("上一页", "previous")}'
            f'</button> <span id="ranking-status">{len(first)} / {len(self.rows)}</span>'
            f' <button type="button" id="page-next">{w.w("下一页", "next")}</button></div>'
            f"<noscript><p class=hint>{noscript}"
            "</p></noscript></section>"
        )

    def table_row(self, a: Assessment) -> str:
        """One ranking row as HTML (the first page, for a reader without script)."""
        w = self.words
        href = self.href[a.team]
        opens = f' data-open="{e(href[1:])}"' if href.startswith("#") else ""
        team = (
            f'<a class="team-name" href="{e(href)}"{opens}>{e(a.name)}</a>'
            f' <span class="id">{e(a.team)}</span>'
        )
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
        for d in a.dimensions:
            cells.append(f'<td class="num">{num(d.score)} {w.grade(d.grade)}</td>')
        if self.since is not None:
            move = self.since_entry(a.team)["move"]
            cells.append(
                f'<td class="num since" title="{e(move[2])}"><span class="move {move[0]}">'
                f"{e(move[1])}</span></td>"
            )
        cells.append(f'<td class="titles">{self.titles(a)}</td>')
        vetoed = ' class="vetoed"' if a.vetoed else ""
        return f'<tr{vetoed} data-team="{e(a.team)}">{"".join(cells)}</tr>'

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
            if q.limit + q.overrun > 200:  # one square per place: only for small quotas
                slots = ""
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
            [HistogramItem(r.composite, r.name, r.vetoed) for r in self.rows],
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

    def radars(self) -> str:
        """A radar chart per team, in rank order (small reports only: :data:`RADARS_SHOWN`)."""
        if not self.rows or len(self.rows) > RADARS_SHOWN:
            return ""
        w = self.words
        cards = []
        for r in self.rows:
            rank = f"第 {r.rank} 名" if r.rank is not None else w.plain("未排名", "unranked")
            href = self.href[r.team]
            opens = f' data-open="{e(href[1:])}"' if href.startswith("#") else ""
            cards.append(
                f'<figure data-team="{e(r.team)}">'
                f"{self.radar(r.name, r.scores, r.vetoed, size=220, pad=46)}"
                f'<figcaption>{e(rank)} <a class="team-name" href="{e(href)}"{opens}>'
                f'{e(r.name)}</a> <span class="id">{e(r.team)}</span></figcaption></figure>'
            )
        return (
            f'<section class="card" id="radars"><h2>{w.w("各维度雷达图", "dimension radar")}</h2>'
            f'<div class="legend"><span><span class="swatch"></span>'
            f"{w.w('班组得分 ÷ 维度满分', 'score ÷ dimension maximum')}</span><span>"
            f'<span class="swatch mean"></span>{w.w("已排名班组平均", "mean of ranked teams")}'
            f"</span><span>{w.w('灰色虚线为一票否决', 'grey dashed: vetoed')}</span></div>"
            f'<div class="radars">{"".join(cards)}</div></section>'
        )
