"""One team's drill-down in the HTML report: its explanation in plain words.

Rank and notes, vetoes with their facts, the overview (a radar, the dimension table, the
composite grade and why), titles and why others were missed, then each dimension with its
indicators, bonuses and penalties and the lines that add up to their points.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..results import (
    AdjustmentResult,
    Assessment,
    DimensionResult,
    FactRef,
    IndicatorResult,
    Line,
)
from ._html_parts import Words, e, num, pct, points_span

__all__ = ["FACTS_SHOWN", "TeamPanel"]

#: Facts shown on a line before the rest fold away behind "+N".
FACTS_SHOWN = 8


class TeamPanel:
    """Writes team panels for one page.

    :param words: the page's language.
    :param radar: draws a team's large radar chart.
    :param rank: the rank's HTML (``2=`` when shared).
    :param titles: the titles' HTML.
    """

    def __init__(
        self,
        words: Words,
        *,
        radar: Callable[[Assessment], str],
        rank: Callable[[Assessment], str],
        titles: Callable[[Assessment], str],
    ) -> None:
        self.words = words
        self.radar = radar
        self.rank = rank
        self.titles = titles
        self._facts: dict[tuple[str, str, str, str], str] = {}
        self._reasons: dict[tuple[str, str, str, int], str] = {}

    # ----------------------------------------------------------------- facts
    def fact(self, line: Line | None, ref: FactRef) -> str:
        """One fact: its kind's label, its id and what about it counted (remembered)."""
        # by its fields: a tuple of strings hashes in C, a FactRef through attrs' Python methods
        key = ("" if line is None else line.source, ref.kind, ref.id, ref.detail)
        found = self._facts.get(key)
        if found is None:
            found = self._fact(line, ref)
            if len(self._facts) < 1 << 17:
                self._facts[key] = found
        return found

    def _fact(self, line: Line | None, ref: FactRef) -> str:
        detail = self.words.reasons.fact(line, ref)
        shown = f" <i>{e(detail)}</i>" if detail else ""
        kind = self.words.names.kind(ref.kind)
        return f'<span class="fact"><b>{e(kind)}</b> {e(ref.id)}{shown}</span>'

    def facts(self, line: Line | None, refs: Sequence[FactRef]) -> str:
        """The facts behind a line: the first :data:`FACTS_SHOWN`, then "+N" folded."""
        if not refs:
            return ""
        shown = "".join(self.fact(line, r) for r in refs[:FACTS_SHOWN])
        rest = refs[FACTS_SHOWN:]
        if rest:
            shown += (
                f'<details class="more"><summary>+{len(rest)}</summary>'
                + "".join(self.fact(line, r) for r in rest)
                + "</details>"
            )
        return f' <span class="facts">{shown}</span>'

    # ----------------------------------------------------------------- the panel
    def panel(self, a: Assessment, anchor: str, extra: str = "") -> str:
        """One team's explanation as a ``<details>`` element with id ``anchor``.

        ``extra`` is HTML placed after the overview (the next-grade suggestions).
        """
        w = self.words
        vetoes = "".join(
            f'<span class="pill gv">{w.w("一票否决", "veto")} {w.label(v.label)}</span>'
            for v in a.vetoes
        )
        summary = (
            f"<summary>{self.rank(a)} <span class=team-name>{e(a.name)}</span>"
            f' <span class="id">{e(a.team)}</span> <span>{e(a.department)}</span>'
            f" <b>{num(a.composite)}</b> {w.grade(a.grade)}"
            f" {vetoes} {self.titles(a)}</summary>"
        )
        headcount = "" if a.headcount is None else f" · {w.w('人数', 'headcount')} {a.headcount}"
        body = [
            f'<p class="meta">{w.w("班组", "team")} <code>{e(a.team)}</code>{headcount}'
            f" · {w.w('期间', 'period')} {e(a.period)}</p>"
        ]
        if a.rank_note:
            body.append(f'<p class="note">{e(w.sentence(a.rank_note))}</p>')
        for v in a.vetoes:
            body.append(
                f'<div class="veto-box"><b>{w.w("一票否决", "veto")}</b> {w.label(v.label)}'
                f"{self.facts(None, v.facts)}</div>"
            )
        rows = "".join(
            f"<tr><td>{w.label(d.label)}</td>"
            f'<td class="num">{num(d.score)}</td><td class="num">{num(d.weight)}</td>'
            f"<td>{w.grade(d.grade)}</td></tr>"
            for d in a.dimensions
        )
        grade = ""
        if a.grade:
            grade = (
                f'<p class="grade-reason">{w.w("综合等级", "composite grade")} {w.grade(a.grade)}'
                f" {e(w.reasons.grade(a.grade))}</p>"
            )
        titles = self.titles(a) or w.w("无", "none")
        notes = "".join(f'<p class="note">{e(w.reasons.title_note(n))}</p>' for n in a.title_notes)
        body.append(
            f'<div class="overview"><figure>{self.radar(a)}</figure><div><table><thead><tr>'
            f"<th>{w.w('维度', 'dimension')}</th>"
            f'<th class="num">{w.w("得分", "score")}</th>'
            f'<th class="num">{w.w("权重", "weight")}</th>'
            f"<th>{w.w('等级', 'grade')}</th></tr></thead><tbody>{rows}</tbody><tfoot><tr>"
            f'<th>{w.w("综合", "composite")}</th><th class="num">{num(a.composite)}</th><th></th>'
            f"<th>{w.grade(a.grade)}</th></tr></tfoot></table>"
            f'{grade}<p class="note">{w.w("称号", "titles")} {titles}</p>{notes}</div></div>'
        )
        body.append(extra)
        body.extend(self.dimension(d) for d in a.dimensions)
        return (
            f'<details class="team" id="{anchor}" data-team="{e(a.team)}">'
            f'{summary}<div class="team-body">{"".join(body)}</div></details>'
        )

    def dimension(self, d: DimensionResult) -> str:
        """A dimension: its indicators and adjustments with their lines, the sum, the grade."""
        w = self.words
        weight = f" × {num(d.weight)}" if d.weight != 1 else ""
        parts = [
            f'<details class="dim" open data-dimension="{e(d.id)}"><summary class="dim-head">'
            f"<h3>{w.label(d.label)}</h3><b>{num(d.score)}</b>{weight}"
            f" {w.grade(d.grade)}</summary>"
        ]
        parts.extend(self.indicator(i) for i in d.indicators)
        parts.extend(self.adjustment(adj) for adj in d.adjustments)
        subtotal = f"{w.w('小计', 'subtotal')} {num(d.base)}"
        if d.bonus_before_cap:
            subtotal += f" + {w.w('加分', 'bonus')} {num(d.bonus)}"
            if d.bonus != d.bonus_before_cap:
                subtotal += f"（{w.w('封顶，原为', 'capped from')} {num(d.bonus_before_cap)}）"
        if d.penalty:
            subtotal += f" − {w.w('扣分', 'penalty')} {num(d.penalty)}"
        parts.append(f'<p class="subtotal">{subtotal} = {num(d.score)}</p>')
        if d.grade:
            parts.append(
                f'<p class="grade-reason">{w.w("等级", "grade")} {w.grade(d.grade)}'
                f" {e(w.reasons.grade(d.grade))}</p>"
            )
        parts.append("</details>")
        return "".join(parts)

    def lines(self, lines: Sequence[Line]) -> str:
        """The lines that add up to an indicator's or adjustment's points, in plain words."""
        if not lines:
            return ""
        w = self.words
        items = "".join(
            f"<li>{points_span(line.points)} <span class=line-label>{w.label(line.label)}</span>"
            f'：<span class="reason">{self.reason(line)}</span>'
            f"{self.facts(line, line.facts)}</li>"
            for line in lines
        )
        return f'<ul class="lines">{items}</ul>'

    def reason(self, line: Line) -> str:
        """A line's reason in plain words, escaped (the same reasons recur: remembered)."""
        key = (line.source, line.reason, str(line.points), len(line.facts))
        found = self._reasons.get(key)
        if found is None:
            found = e(self.words.reasons.line(line))
            if len(self._reasons) < 1 << 17:
                self._reasons[key] = found
        return found

    def indicator(self, i: IndicatorResult) -> str:
        """An indicator's points out of its maximum, and its lines."""
        return (
            f'<div class="ind" data-indicator="{e(i.id)}"><div class="ind-head"><span>'
            f'<span class="ind-label">{self.words.label(i.label)}</span></span>'
            f'<span class="num">{num(i.points)} / {num(i.max)}</span><span class="bar">'
            f'<i style="width:{pct(i.points, i.max)}%"></i></span></div>'
            f"{self.lines(i.lines)}</div>"
        )

    def adjustment(self, adj: AdjustmentResult) -> str:
        """A bonus or penalty: what its rule gives, what was applied, and why."""
        w = self.words
        bonus = adj.kind == "bonus"
        kind = w.w("加分", "bonus") if bonus else w.w("扣分", "penalty")
        applied = points_span(adj.applied if bonus else -adj.applied)
        given = (
            f"（{w.w('规则给', 'rule gives')} {num(adj.amount)}）"
            if adj.amount != adj.applied
            else ""
        )
        note = f' <span class="note">{e(w.sentence(adj.note))}</span>' if adj.note else ""
        return (
            f'<div class="ind adj" data-adjustment="{e(adj.id)}"><div class="ind-head"><span>'
            f'<span class="pill gx">{kind}</span> <span class="ind-label">{w.label(adj.label)}'
            f"</span>{note}</span><span class=num>{applied}{given}</span>"
            f"<span></span></div>{self.lines(adj.lines)}</div>"
        )
