"""The report as one self-contained HTML page: ranking, quotas, charts and every explanation.

::

    from pathlib import Path
    from assessment_engine.render import html

    Path("report.html").write_text(html.render(report), encoding="utf-8")

    # a large report: the page streamed to a file, the explanations in page files beside it
    with open("report.html", "w", encoding="utf-8") as out:
        folder = html.PageFolder(Path("report_files"), "report_files", "../report.html")
        html.write(report, out, pages=folder)

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
import io
import string
from collections.abc import Mapping, Sequence
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Protocol, TextIO

import attrs

from .._base.progress import ProgressCallback, ticker
from .._base.version import VERSION as __version__
from ..report import Report
from ..results import Assessment
from ._html_index import RANKING_ROWS, Index
from ._html_parts import Words, e, num
from ._html_team import TeamPanel

__all__ = [
    "ONE_PAGE_MAX",
    "TEAMS_PER_FILE",
    "NextGrade",
    "NextGradeOption",
    "PageFiles",
    "PageFolder",
    "TeamChange",
    "render",
    "render_report",
    "write",
]

#: Teams per page file when the explanations are written beside the page.
TEAMS_PER_FILE = 100
#: The command line writes one page up to this many teams, page files beside it beyond.
ONE_PAGE_MAX = 500


@attrs.frozen(kw_only=True)
class NextGradeOption:
    """One way to the next grade: the changes to make together, in words, and where they lead."""

    grade_after: str
    score_before: Decimal
    score_after: Decimal
    changes: tuple[str, ...]


@attrs.frozen(kw_only=True)
class NextGrade:
    """A team's next grade and the smallest fact changes found that reach it (plain data).

    What ``assessment-engine explain`` prints, computed by the caller (the what-if search,
    :func:`assessment_engine.whatif.next_grade_changes`) and handed to the page as it is.

    :ivar scale: the grade scale's label.
    :ivar grade: the grade now (``None``: no grade).
    :ivar next: the next band's label, ``None`` when the team has the best one.
    :ivar short: how far the score is below the next band's edge (``None``: no edge, or reached).
    :ivar options: the ways found, smallest first (empty: none within ``searched`` changes).
    :ivar searched: the most fact changes the search tried.
    """

    scale: str
    grade: str | None
    next: str | None
    short: Decimal | None = None
    options: tuple[NextGradeOption, ...] = ()
    searched: int = 0


class TeamChange(Protocol):
    """A team's change since the previous final run (``ledger``'s ``TeamSince`` is one)."""

    @property
    def new(self) -> bool:
        """Whether the team was not in the previous run."""

    @property
    def rank_before(self) -> int | None:
        """The rank then."""

    @property
    def rank_change(self) -> int | None:
        """Places gained (positive is up)."""

    @property
    def composite_change(self) -> Decimal | None:
        """The composite now minus then."""

    @property
    def grade_before(self) -> str | None:
        """The composite grade's label then."""

    @property
    def grade_after(self) -> str | None:
        """The composite grade's label now."""


class PageFiles(Protocol):
    """Where the explanations go when they are split into page files beside the page."""

    def href(self, number: int) -> str:
        """The address of page file ``number`` (from 0) relative to the page."""

    def write(self, number: int, text: str) -> None:
        """Write page file ``number``."""

    def back(self) -> str:
        """The address of the page from a page file."""


@attrs.define
class PageFolder:
    """Page files ``teams-00001.html``, … in ``directory``, addressed as ``href/teams-….html``.

    :param back_href: the page's address from a page file (``../report.html``).
    """

    directory: Path
    href_prefix: str
    back_href: str = "../index.html"

    def back(self) -> str:
        """The address of the page from a page file."""
        return self.back_href

    def name(self, number: int) -> str:
        """The file name of page file ``number``."""
        return f"teams-{number + 1:05d}.html"

    def href(self, number: int) -> str:
        """The address of page file ``number`` relative to the page."""
        return f"{self.href_prefix}/{self.name(number)}"

    def write(self, number: int, text: str) -> None:
        """Write page file ``number`` (UTF-8)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / self.name(number)).write_text(text, encoding="utf-8")


def render(
    report: Report,
    *,
    title: str | None = None,
    gloss: bool = False,
    next_grade: Mapping[str, NextGrade] | None = None,
    since: Mapping[str, TeamChange] | None = None,
    progress: ProgressCallback | None = None,
) -> str:
    """Render a report as one self-contained, offline HTML page (every explanation inline).

    The page has a summary, the ranking (sortable by a click on a column, filtered by
    department, grade and text, a page of rows at a time; vetoed teams unranked with their
    vetoes), the use of each title quota with tie overruns, a histogram of the composites, a
    radar chart of every team (small reports), and each team's full explanation — dimensions,
    indicators, lines with their reasons in plain words and facts, and its next-grade
    suggestions when given — which opens when the team is clicked.

    :param report: the report of one period (:meth:`Engine.assess`).
    :param title: the page title; by default "班组考核报告 PERIOD".
    :param gloss: every label and word with its English gloss beside it (``党建 (party
        building)``); by default the Chinese alone, the English on hover.
    :param next_grade: each team's next-grade suggestions, by team id (:class:`NextGrade`).
    :param since: each team's change since the previous final run, by team id
        (:class:`TeamChange`): the ranking gets a column for it.
    :param progress: told how many teams are written (step ``"writing"``).
    :returns: the HTML text; write it with ``encoding="utf-8"``. The same report gives the same
        text, byte for byte. For a large report, :func:`write` streams it instead.
    """
    buffer = io.StringIO()
    write(
        report,
        buffer,
        title=title,
        gloss=gloss,
        next_grade=next_grade,
        since=since,
        progress=progress,
    )
    return buffer.getvalue()


#: The earlier name of :func:`render` (``assessment_engine.html_report.render_report``).
render_report = render


def write(
    report: Report,
    out: TextIO,
    *,
    title: str | None = None,
    gloss: bool = False,
    next_grade: Mapping[str, NextGrade] | None = None,
    since: Mapping[str, TeamChange] | None = None,
    pages: PageFiles | None = None,
    progress: ProgressCallback | None = None,
) -> None:
    """Write the report's page to ``out``, team by team; memory holds one explanation at a time.

    Without ``pages`` the page holds every explanation (:func:`render`'s text, byte for byte).
    With ``pages`` the explanations go to page files of :data:`TEAMS_PER_FILE` teams each, in
    rank order, and the page holds the overview and the ranking, whose teams link to them: the
    page stays small however many teams there are (docs/html-report.md).
    Other parameters as for :func:`render`.
    """
    writer = _Writer(report, gloss=gloss, next_grade=next_grade, since=since, pages=pages)
    heading = title if title is not None else writer.default_title()
    tick = ticker(progress, "writing", len(report))
    before, after = writer.frame(heading)
    if pages is None:
        out.write(before)
        out.write(writer.overview())
        out.write(writer.details_head())
        for i, assessment in enumerate(report.each_assessment()):
            out.write(writer.panel(i, assessment))
            tick.advance()
        if not len(report):
            out.write(writer.empty())
        out.write("</section>\n")
    else:
        chunk: list[str] = []
        for i, assessment in enumerate(report.each_assessment()):
            chunk.append(writer.panel(i, assessment))
            tick.advance()
            if len(chunk) == TEAMS_PER_FILE:
                writer.page_file(pages, i // TEAMS_PER_FILE, chunk, heading)
                chunk = []
        if chunk:
            writer.page_file(pages, len(report) // TEAMS_PER_FILE, chunk, heading)
        out.write(before)
        out.write(writer.overview())
    out.write(writer.index.data())
    out.write(after)
    tick.finish()


# --------------------------------------------------------------------------- helpers


@cache
def _asset(name: str) -> str:
    return (resources.files("assessment_engine.render") / "_assets" / name).read_text(
        encoding="utf-8"
    )


@cache
def _template() -> string.Template:
    return string.Template(_asset("report.html"))


_BODY = "\x00assessment_engine.render.html:body\x00"


class _Writer:
    """One report's page and page files, written piece by piece."""

    def __init__(
        self,
        report: Report,
        *,
        gloss: bool,
        next_grade: Mapping[str, NextGrade] | None,
        since: Mapping[str, TeamChange] | None,
        pages: PageFiles | None,
    ) -> None:
        self.report = report
        self.words = words = Words(report.rubric, gloss=gloss)
        self.next_grade = next_grade or {}
        self.pages = pages
        teams = report.teams
        if pages is None:
            href = {t: f"#team-{i}" for i, t in enumerate(teams)}
        else:
            href = {t: f"{pages.href(i // TEAMS_PER_FILE)}#team-{i}" for i, t in enumerate(teams)}
        self.index = Index(report, words, href=href, since=since)
        self.panels = TeamPanel(
            words,
            radar=lambda a: self.index.radar(
                a.name, [d.score for d in a.dimensions], a.vetoed, size=340, pad=72, values=1
            ),
            rank=self.index.rank,
            titles=self.index.titles,
        )

    def default_title(self) -> str:
        """``班组考核报告 PERIOD``."""
        return f"{self.words.plain('班组考核报告', 'team assessment report')} {self.report.period}"

    def frame(self, heading: str, *, meta: str | None = None) -> tuple[str, str]:
        """The document around its body: the head, styles, the title; the footer and script."""
        w, index = self.words, self.index
        js = _asset("report.js")
        digest = base64.b64encode(hashlib.sha256(js.encode("utf-8")).digest()).decode("ascii")
        if meta is None:
            meta = (
                f"{w.w('期间', 'period')} {e(self.report.period)} · {len(self.report)}"
                f" {w.w('个班组', 'teams')} · "
                + " · ".join(
                    f"{w.label(d.label)} {w.w('满分', 'max')} {num(d.max)}"
                    + (f" × {num(wt)}" if wt != 1 else "")
                    for d, wt in zip(index.dimensions, index.weights, strict=True)
                )
            )
        footer = (
            f"{w.w('规则集', 'rubric')} <code>{e(self.report.rubric_hash[:12])}</code> ·"
            f" assessment_engine {e(self.report.engine_version)} ·"
            f" {w.w('分数四舍五入显示', 'scores rounded for display only')}"
        )
        text = _template().substitute(
            title=e(heading),
            meta=meta,
            body=_BODY,
            footer=footer,
            css=_asset("report.css"),
            js=js,
            script_hash=f"sha256-{digest}",
            version=e(__version__),
        )
        before, after = text.split(_BODY)
        return before, after

    def overview(self) -> str:
        """Summary, ranking, quotas, histogram and radars."""
        index = self.index
        first = [self.report[t] for t in self.report.teams[:RANKING_ROWS]]
        parts = [
            index.summary(),
            index.ranking(first),
            index.quotas(),
            index.distribution(),
            index.radars(),
        ]
        if self.pages is not None:
            w = self.words
            where = w.w(
                "每个班组的得分说明在单独的页面中：点击排名中的班组打开",
                "the explanations are in page files beside this one: click a team",
            )
            parts.append(
                f'<section class="card" id="details"><h2>{w.w("得分说明", "explanations")}</h2>'
                f'<p class="hint">{where}</p></section>'
            )
        return "\n".join(p for p in parts if p) + "\n"

    def details_head(self) -> str:
        """The explanations' section, up to its first panel."""
        w = self.words
        return (
            f'<section class="card" id="details"><h2>{w.w("得分说明", "explanations")}</h2>'
            f'<div class="toolbar"><button type="button" data-toggle-all="open">'
            f"{w.w('全部展开', 'expand all')}</button>"
            f'<button type="button" data-toggle-all="close">{w.w("全部收起", "collapse all")}'
            "</button></div>"
        )

    def empty(self) -> str:
        """What the explanations' section says for a report without teams."""
        return f"<p class=empty>{self.words.w('没有班组', 'no teams')}</p>"

    def panel(self, i: int, a: Assessment) -> str:
        """Team ``i``'s panel; its ranking entry is gathered on the way."""
        self.index.row(a)
        extra = _next_grade_html(self.words, self.next_grade.get(a.team))
        return self.panels.panel(a, f"team-{i}", extra)

    def page_file(self, pages: PageFiles, number: int, panels: Sequence[str], heading: str) -> None:
        """One page file: a link back to the page, then its teams' panels."""
        w = self.words
        first = number * TEAMS_PER_FILE + 1
        last = first + len(panels) - 1
        back = w.w("返回排名", "back to the ranking")
        meta = (
            f'<a href="{e(pages.back())}" data-back="page">{back}</a> · '
            f"{w.w('第', 'teams')} {first}–{last} {w.w('名的得分说明', 'in rank order')}"
        )
        before, after = self.frame(f"{heading} · {first}–{last}", meta=meta)
        body = self.details_head() + "".join(panels) + "</section>\n"
        pages.write(number, before + body + after)


def _next_grade_html(w: Words, found: NextGrade | None) -> str:
    """A team's next-grade suggestions, as explain prints them, in plain words."""
    if found is None:
        return ""
    head = f'<div class="next-grade"><h4>{w.w("怎样达到下一等级", "the next grade")}</h4>'
    if found.next is None:
        return (
            f"{head}<p>{e(w.label_text(found.grade or ''))}"
            f" {w.w('已是最高等级', 'is the best grade')}</p></div>"
        )
    now = e(w.label_text(found.grade or "–"))
    parts = [f"{head}<p>{e(w.label_text(found.scale))}：{now} → {e(w.label_text(found.next))}"]
    if found.short is not None:
        parts.append(f"，{w.w('还差', 'short by')} {num(found.short)} {w.w('分', 'points')}")
    parts.append("</p>")
    if not found.options:
        parts.append(
            f'<p class="note">{w.w("在", "no set of up to")} {found.searched}'
            f" {w.w('项以内的事实变动中没有找到', 'fact changes found that reaches it')}</p>"
        )
    else:
        items = []
        for option in found.options:
            changes = "".join(f"<li>{e(c)}</li>" for c in option.changes)
            items.append(
                f"<li>→ {e(w.label_text(option.grade_after))}（{num(option.score_before)} →"
                f" {num(option.score_after)}）<ul>{changes}</ul></li>"
            )
        parts.append(f'<ol class="options">{"".join(items)}</ol>')
    parts.append("</div>")
    return "".join(parts)
