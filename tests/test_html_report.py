"""The HTML report: structure, escaping and determinism of the text (always run), and the page
in real headless Chromium (marker ``browser``): charts with a size, the drill-down, Chinese
glyphs, no console errors and no request leaving the file.

The browser tests drive Debian's Chromium (``/usr/bin/chromium``, or ``ASSESSMENT_ENGINE_CHROMIUM``)
through Playwright. Without Chromium or Playwright they skip, saying why — unless
``ASSESSMENT_ENGINE_REQUIRE_BROWSER`` is set (``nox -s browser`` sets it), when they fail.
``ASSESSMENT_ENGINE_SCREENSHOT=PATH`` makes ``test_screenshot`` save a picture of the page there
(docs/images/report.png is made that way).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import random
import re
import shutil
import time
from collections.abc import Iterator
from decimal import Decimal
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from assessment_engine import (
    Achievement,
    Activity,
    Engine,
    Fact,
    Incident,
    Member,
    Report,
    Team,
    hookimpl,
)
from assessment_engine.html_report import render_report
from assessment_engine.rubric import (
    Bonus,
    Composite,
    Dimension,
    GradeBand,
    GradeScale,
    Indicator,
    PerItem,
    Quota,
    Title,
    Veto,
    exists,
    facts,
)
from assessment_engine.rubric.describe import short_label

# --------------------------------------------------------------------------- data

EVIL = "<script>alert(\"x\")</script> & 'q' </details>"
EVIL_LABEL = '科研立项 <b>"projects"</b> & co'
Y = "2024"


class Rules:
    """Three dimensions with Chinese labels, a bonus, a veto, grades, a title with a quota."""

    @hookimpl
    def assessment_register_dimensions(self) -> list[Dimension]:
        return [
            Dimension(id="pb", label="党建 (party building)", max=10, order=1),
            Dimension(id="bp", label="业务 (business)", max=20, bonus_cap=5, order=2),
            Dimension(id="cv", label="精神文明 (civility)", max=10, order=3),
        ]

    @hookimpl
    def assessment_register_indicators(self) -> list[Indicator]:
        return [
            Indicator(
                id="pb.study",
                dimension="pb",
                label="理论学习 (study sessions)",
                max=10,
                scoring=PerItem(facts("activity", kind="study"), points=2, cap=10),
            ),
            Indicator(
                id="bp.projects",
                dimension="bp",
                label=EVIL_LABEL,
                max=20,
                scoring=PerItem(facts("achievement", kind="project"), points=5, cap=20),
            ),
            Indicator(
                id="cv.volunteer",
                dimension="cv",
                label="志愿服务 (volunteering)",
                max=10,
                scoring=PerItem(facts("activity", kind="volunteer"), points=1, cap=10),
            ),
        ]

    @hookimpl
    def assessment_register_rules(self) -> list[Any]:
        return [
            Bonus(
                id="bp.bonus.award",
                dimension="bp",
                label="获奖 (award)",
                scoring=PerItem(facts("achievement", kind="award"), points=3, cap=6),
            ),
            Veto(
                id="cv.veto",
                label="刑事案件 (criminal case)",
                dimension="cv",
                when=exists(facts("incident", kind="criminal_case")),
            ),
            Quota(id="quota.advanced", label="先进名额 (advanced: a third)", share="1/3"),
            Title(
                id="title.advanced",
                label="先进班组 (advanced team)",
                when=Composite().at_least(30),
                quotas=("quota.advanced",),
            ),
        ]

    @hookimpl
    def assessment_register_grade_scales(self) -> list[GradeScale]:
        def scale(of: str | None, top: int, good: int, ok: int) -> GradeScale:
            return GradeScale(
                id=f"grade.{of or 'composite'}",
                label="等级 (grade)",
                of=of,
                bands=[
                    GradeBand(label="优秀 (excellent)", at_least=top),
                    GradeBand(label="良好 (good)", at_least=good),
                    GradeBand(label="合格 (pass)", at_least=ok),
                    GradeBand(label="不合格 (fail)"),
                ],
            )

        return [
            scale(None, 32, 24, 16),
            scale("pb", 9, 8, 6),
            scale("bp", 18, 16, 12),
            scale("cv", 9, 8, 6),
        ]


TEAMS = {
    # team: (name, study, projects, awards, volunteer, criminal case)
    "t1": ("食品所微生物室", 5, 4, 2, 10, False),  # 10 + 20 + 5 (capped) + 10 = 45
    "t2": (EVIL, 5, 4, 0, 10, False),  # 40, tied with t3 at the quota boundary
    "t3": ("塑化所检测一室", 4, 4, 0, 12, False),  # 8 + 20 + 10 = 38 … see below
    "t4": ("机电所计量室", 3, 2, 0, 4, False),  # 6 + 10 + 4 = 20
    "t5": ("综合办公室", 1, 1, 0, 1, False),  # 2 + 5 + 1 = 8
    "t6": ("新建班组", 0, 0, 0, 0, False),  # 0
    "t7": ("塑化所业务室", 5, 4, 0, 12, True),  # 40, vetoed
}


def institute() -> list[Fact]:
    """Seven teams: a tie at the quota boundary, a veto, a name that tries to inject HTML."""
    out: list[Fact] = []
    for team, (name, study, projects, awards, volunteer, crime) in TEAMS.items():
        out.append(
            Team(
                team=team,
                period=Y,
                name=name,
                department=f'{name[:3]} "dept" <{team}>',
                headcount=3,
            )
        )
        out += [Member(team=team, period=Y, id=f"m{i}") for i in range(3)]
        out += [Activity(team=team, period=Y, id=f"s{i}", kind="study") for i in range(study)]
        out += [
            Achievement(team=team, period=Y, id=f"p{i}", kind="project") for i in range(projects)
        ]
        out += [Achievement(team=team, period=Y, id=f"a{i}", kind="award") for i in range(awards)]
        out += [
            Activity(team=team, period=Y, id=f"v{i}", kind="volunteer", hours=2)
            for i in range(volunteer)
        ]
        if crime:
            out.append(Incident(team=team, period=Y, id="c1", kind="criminal_case"))
    # t3 gets a fifth study session: 10 + 20 + 10 = 40, tied with t2
    out.append(Activity(team="t3", period=Y, id="s9", kind="study"))
    return out


def assess(matcher: str = "python", shuffle: int | None = None) -> Report:
    facts_ = institute()
    if shuffle is not None:
        facts_ = random.Random(shuffle).sample(facts_, len(facts_))
    with Engine(plugins=[Rules()], entry_points=False, matcher=matcher) as engine:  # type: ignore[arg-type]
        return engine.assess(facts_, period=Y)


@pytest.fixture(scope="module")
def report() -> Report:
    return assess()


@pytest.fixture(scope="module")
def page_html(report: Report) -> str:
    return render_report(report)


# --------------------------------------------------------------------------- a tiny DOM


class Node:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: Node | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Node]:
        def matches(node: Node) -> bool:
            if tag is not None and node.tag != tag:
                return False
            for key, value in attrs.items():
                have = node.attrs.get(key.rstrip("_").replace("_", "-"))
                if key == "class_":
                    if value not in (have or "").split():
                        return False
                elif have != value:
                    return False
            return True

        return [n for n in self.iter() if matches(n)]

    def find(self, tag: str | None = None, **attrs: str) -> Node:
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag}> with {attrs}"
        return found[0]


VOID = {"meta", "br", "hr", "img", "input", "link", "col", "area", "base", "wbr", "source"}
SVG_LEAVES = {"line", "polygon", "rect", "circle", "path"}


class TreeBuilder(HTMLParser):
    """Builds the tree and insists that every element is closed where it was opened."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, None)
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs), self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in VOID | SVG_LEAVES, f"self-closing <{tag}/>"
        self.current.children.append(Node(tag, dict(attrs), self.current))

    def handle_endtag(self, tag: str) -> None:
        assert tag not in VOID
        assert self.current.tag == tag, f"</{tag}> closes <{self.current.tag}>"
        assert self.current.parent is not None
        self.current = self.current.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse(text: str) -> Node:
    builder = TreeBuilder()
    builder.feed(text)
    builder.close()
    assert builder.current is builder.root, f"<{builder.current.tag}> never closed"
    return builder.root


@pytest.fixture(scope="module")
def dom(page_html: str) -> Node:
    return parse(page_html)


def code(dom: Node) -> list[Node]:
    """The page's scripts that run (not its JSON data blocks)."""
    return [s for s in dom.find_all("script") if s.attrs.get("type") != "application/json"]


# --------------------------------------------------------------------------- the text


def test_the_report_data_is_what_the_page_is_built_from(report: Report) -> None:
    ranks = {a.team: a.rank for a in report}
    assert ranks == {"t1": 1, "t2": 2, "t3": 2, "t4": 4, "t5": 5, "t6": 6, "t7": None}
    assert report["t1"].composite == Decimal(45)
    (quota,) = report.quotas
    assert (quota.limit, quota.awarded, quota.overrun) == (2, 3, 1)  # ⌊7/3⌋ = 2; t2, t3 tie
    assert report["t7"].vetoed


def test_one_self_contained_document(page_html: str, dom: Node) -> None:
    assert page_html.startswith('<!DOCTYPE html>\n<html lang="zh-CN">')
    assert len(dom.find_all("html")) == 1
    assert dom.find("meta", charset="utf-8")
    # nothing is fetched: no external script, style sheet, font, image or frame
    for node in dom.iter():
        for attr in ("src", "srcset", "data", "action", "poster"):
            assert attr not in node.attrs, (node.tag, attr)
        assert node.tag not in {"link", "img", "iframe", "object", "embed", "base"}
        if node.tag == "a":
            assert (node.attrs["href"] or "").startswith("#")
    assert not re.search(r"url\(|@import|@font-face|https?://", page_html)
    # the fonts named first are CJK fonts
    css = dom.find("style").text()
    assert re.search(r'font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC"', css)


def test_the_content_security_policy_allows_exactly_the_inline_script(dom: Node) -> None:
    policy = dom.find("meta", http_equiv="Content-Security-Policy").attrs["content"] or ""
    assert "default-src 'none'" in policy
    (script,) = code(dom)
    assert not script.attrs  # inline
    # the ranking's data is a data block, which a browser never runs
    (data,) = [s for s in dom.find_all("script") if s not in code(dom)]
    assert data.attrs == {"type": "application/json", "id": "ranking-data"}
    digest = base64.b64encode(hashlib.sha256(script.text().encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in policy


def test_sections(dom: Node) -> None:
    ids = [n.attrs["id"] for n in dom.find_all("section")]
    assert ids == ["summary", "ranking", "quotas", "distribution", "radars", "details"]


def test_ranking_table(report: Report, dom: Node) -> None:
    table = dom.find("section", id="ranking").find("table")
    head = [th.text() for th in table.find("thead").find_all("th")]
    assert head[:4] == ["名次", "班组", "部门", "综合/ 40.00"]
    assert head[4:] == ["党建/ 10.00", "业务/ 20.00", "精神文明/ 10.00", "称号"]
    rows = table.find("tbody").find_all("tr")
    assert [r.attrs["data-team"] for r in rows] == list(report.teams)
    cells = [[td.text().strip() for td in r.find_all("td")] for r in rows]
    assert cells[0][:4] == ["1", "食品所微生物室 t1", '食品所 "dept" <t1>', "45.00 优秀"]
    assert cells[0][4:] == ["10.00 优秀", "25.00 优秀", "10.00 优秀", "先进班组"]
    # ties are marked; the overrun shows on the tied teams' titles
    assert [c[0] for c in cells[1:3]] == ["2=", "2="]
    assert "⚠" in cells[1][-1]
    assert "⚠" in cells[2][-1]
    # the vetoed team: unranked, last, its veto named, its vetoed grade shown
    vetoed = rows[-1]
    assert vetoed.attrs["class"] == "vetoed"
    assert cells[-1][0] == "未排名"
    assert "一票否决 刑事案件" in cells[-1][1]
    assert cells[-1][3].endswith("一票否决")
    assert cells[-1][-1] == ""
    # the composite bar is proportional to the composite's nominal maximum (40)
    assert rows[3].find("i").attrs["style"] == "width:50.0%"  # t4: 20 / 40
    assert rows[0].find("i").attrs["style"] == "width:100.0%"  # t1: 45, past the maximum


def test_quota_use_and_overrun(dom: Node) -> None:
    quota = dom.find("div", data_quota="quota.advanced")
    text = quota.text()
    assert "先进名额" in text
    assert "3 / 2" in text
    assert "超出 +1" in text
    assert len(quota.find_all("span", class_="used")) == 2
    assert len(quota.find_all("span", class_="over")) == 1


def test_histogram_counts_every_team_once(report: Report, dom: Node) -> None:
    svg = dom.find("section", id="distribution").find("svg")
    bars = svg.find_all("rect")
    counts = [int(re.search(r": (\d+) — ", b.find("title").text())[1]) for b in bars]  # type: ignore[index]
    assert sum(counts) == len(report)
    vetoed = [b for b in bars if "vetoed" in (b.attrs["class"] or "")]
    assert len(vetoed) == 1
    assert "塑化所业务室" in vetoed[0].text()
    # composite grade thresholds are drawn at 16, 24 and 32
    labels = [t.text() for t in svg.find_all("text", class_="threshold-label")]
    assert labels == ["优秀", "良好", "合格"]
    # bins 5 wide over [0, 45] (t1's 45 is past the nominal 40), then the axis title
    ticks = [t.text() for t in svg.find_all("text", class_="tick")]
    assert ticks[-11:] == [str(5 * i) for i in range(10)] + ["综合得分"]


def _points(polygon: Node) -> list[tuple[float, float]]:
    return [
        (float(x), float(y))
        for x, y in (p.split(",") for p in (polygon.attrs["points"] or "").split())
    ]


def test_radar_per_team_normalised_by_dimension_maximum(report: Report, dom: Node) -> None:
    figures = dom.find("section", id="radars").find_all("figure")
    assert [f.attrs["data-team"] for f in figures] == list(report.teams)
    by_team = {f.attrs["data-team"]: f.find("svg") for f in figures}
    # t1 has 10/10, 25/20 (a bonus), 10/10: the scale runs to 1.25, so the full ring is at 0.8
    t1 = by_team["t1"]
    team = _points(t1.find("polygon", class_="r-team"))
    full = _points(t1.find("polygon", class_="full"))
    center = (110.0, 110.0)

    def reach(p: tuple[float, float]) -> float:
        return float(((p[0] - center[0]) ** 2 + (p[1] - center[1]) ** 2) ** 0.5)

    assert [round(reach(p) / reach(f), 2) for p, f in zip(team, full, strict=True)] == [
        1.0,
        1.25,
        1.0,
    ]
    # an empty team is a point at the centre; the vetoed team is drawn dashed (class vetoed)
    assert set(_points(by_team["t6"].find("polygon", class_="r-team"))) == {center}
    assert "vetoed" in (by_team["t7"].find("polygon", class_="r-team").attrs["class"] or "")
    # three axes, labelled with the Chinese part of the label; the full label as a tooltip
    labels = by_team["t1"].find_all("text", class_="r-label")
    assert [lbl.find("title").text() for lbl in labels] == [
        "党建 (party building)",
        "业务 (business)",
        "精神文明 (civility)",
    ]


def test_drill_down_holds_the_whole_explanation(report: Report, dom: Node) -> None:
    panels = dom.find_all("details", class_="team")
    assert [p.attrs["data-team"] for p in panels] == list(report.teams)
    assert all("open" not in p.attrs for p in panels)  # folded until clicked
    link = dom.find("section", id="ranking").find("a", data_open=panels[0].attrs["id"] or "")
    assert link.attrs["href"] == "#" + (panels[0].attrs["id"] or "")
    t1 = panels[0]
    a = report["t1"]
    for dim in a.dimensions:
        block = t1.find("details", data_dimension=dim.id)
        assert short_label(dim.label) in block.text()
        for ind in dim.indicators:
            node = block.find("div", data_indicator=ind.id)
            assert short_label(ind.label) in node.text()
            reasons = [r.text() for r in node.find_all("span", class_="reason")]
            assert len(reasons) == len(ind.lines)
    # the lines in plain words: 5 study sessions at 2 points, capped at 10
    study = t1.find("div", data_indicator="pb.study")
    assert [r.text() for r in study.find_all("span", class_="reason")] == [
        "5 项活动，每项 2 分，合计 10 分"
    ]
    # facts: the first eight are shown, the others fold behind "+N"
    volunteer = t1.find("div", data_indicator="cv.volunteer")
    assert "+2" in volunteer.find("details", class_="more").find("summary").text()
    assert len(volunteer.find_all("span", class_="fact")) == 10
    # the bonus, capped
    award = t1.find("div", data_adjustment="bp.bonus.award")
    assert "获奖" in award.text()
    assert "封顶，原为 6.00" in t1.find("details", data_dimension="bp").text()
    # the veto with its fact, the rank note of the tie
    t7 = panels[-1]
    assert "刑事案件" in t7.find("div", class_="veto-box").text()
    assert "事件 c1" in t7.find("div", class_="veto-box").text()
    assert "并列" in panels[1].text()


def test_text_from_data_is_escaped(page_html: str, dom: Node) -> None:
    assert EVIL not in page_html
    assert "<script>alert" not in page_html
    assert html.escape(EVIL) in page_html
    assert len(code(dom)) == 1
    assert not [b for b in dom.find_all("b") if '"projects"' in b.text()]
    # the text the reader sees is the original, byte for byte
    row = dom.find("tr", data_team="t2")
    assert row.find("a").text() == EVIL
    panel = dom.find("details", data_team="t2")
    assert panel.find("span", class_="team-name").text() == EVIL
    assert panel.find("div", data_indicator="bp.projects").find(
        "span", class_="ind-label"
    ).text() == (EVIL_LABEL)
    assert '食品所 "dept" <t1>' in dom.find("tr", data_team="t1").text()
    # in attributes too: the tooltip of the histogram bar and the radar's label
    assert any(EVIL in (n.attrs.get("aria-label") or "") for n in dom.find_all("svg"))
    # the page title
    custom = render_report(assess(), title='报告 "<title>" & more')
    assert "<title>报告 &quot;&lt;title&gt;&quot; &amp; more</title>" in custom
    assert parse(custom).find("h1").text() == '报告 "<title>" & more'


def test_default_title_names_the_period(dom: Node) -> None:
    assert dom.find("title").text() == "班组考核报告 2024"


@pytest.mark.parametrize("matcher", ["python", "durable"])
def test_deterministic(page_html: str, matcher: str) -> None:
    # the same report renders the same bytes, whatever the matcher and the order of the facts
    assert render_report(assess(matcher, shuffle=7)) == page_html


def test_same_report_object_renders_twice_the_same(report: Report, page_html: str) -> None:
    assert render_report(report) == page_html


def test_two_dimensions_are_drawn_as_bars() -> None:
    class Two:
        @hookimpl
        def assessment_register_dimensions(self) -> list[Dimension]:
            return [
                Dimension(id="a", label="甲 (a)", max=4),
                Dimension(id="b", label="乙 (b)", max=2),
            ]

        @hookimpl
        def assessment_register_indicators(self) -> list[Indicator]:
            study = PerItem(facts("activity", kind="study"), points=1, cap=4)
            return [
                Indicator(id="a.x", dimension="a", label="x", max=4, scoring=study),
                Indicator(id="b.x", dimension="b", label="y", max=2, scoring=study),
            ]

    facts_: list[Fact] = [Team(team="t", period=Y, name="队", department="d", headcount=1)]
    facts_ += [Activity(team="t", period=Y, id=f"s{i}", kind="study") for i in range(3)]
    with Engine(plugins=[Two()], entry_points=False, matcher="python") as engine:
        dom = parse(render_report(engine.assess(facts_)))
    svg = dom.find("section", id="radars").find("svg")
    assert "bars" in (svg.attrs["class"] or "")
    widths = [float(r.attrs["width"] or 0) for r in svg.find_all("rect", class_="r-team")]
    assert widths == [147.0, 196.0]  # 3/4 and 2/2 of 196


def test_templates_are_package_data() -> None:
    folder = resources.files("assessment_engine.render") / "_assets"
    for name in ("report.html", "report.css", "report.js"):
        assert (folder / name).is_file(), name


# --------------------------------------------------------------------------- the browser

REQUIRE = "ASSESSMENT_ENGINE_REQUIRE_BROWSER"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _unavailable(reason: str) -> None:
    if os.environ.get(REQUIRE):
        pytest.fail(f"{reason}, and {REQUIRE} is set: the browser tests must run")
    pytest.skip(f"{reason} (set {REQUIRE}=1 to make this a failure; `nox -s browser` installs it)")


def _chromium() -> str | None:
    chosen = os.environ.get("ASSESSMENT_ENGINE_CHROMIUM")
    if chosen:
        return chosen if os.path.exists(chosen) else None
    if os.path.exists("/usr/bin/chromium"):
        return "/usr/bin/chromium"
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = _chromium()
    if executable is None:
        wanted = os.environ.get("ASSESSMENT_ENGINE_CHROMIUM") or "/usr/bin/chromium"
        _unavailable(f"Chromium is not installed ({wanted}; Debian's package chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the Python package playwright is not installed (extra 'browser')")
    with sync_playwright() as playwright:
        started = time.perf_counter()
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        print(f"chromium {launched.version} started in {time.perf_counter() - started:.2f} s")
        yield launched
        launched.close()


class Page:
    """A page opened on a report file, with everything it logged and requested."""

    def __init__(self, browser: Any, path: Path, fragment: str = "") -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.url = path.as_uri()
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.page.on(
            "console",
            lambda m: (
                self.errors.append(f"{m.type}: {m.text}")
                if m.type in ("error", "warning")
                else None
            ),
        )
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        started = time.perf_counter()
        self.page.goto(self.url + fragment, wait_until="load")
        self.load_seconds = time.perf_counter() - started

    def box(self, locator: Any) -> dict[str, float]:
        found = locator.bounding_box()
        assert found is not None
        return dict(found)


@pytest.fixture(scope="module")
def report_file(page_html: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(page_html, encoding="utf-8")
    return path


@pytest.fixture
def page(browser: Any, report_file: Path) -> Iterator[Page]:
    opened = Page(browser, report_file)
    yield opened
    opened.page.close()


@pytest.mark.browser
def test_charts_render_with_a_size(page: Page, report: Report) -> None:
    histogram = page.box(page.page.locator("#distribution svg"))
    assert histogram["width"] > 300
    assert histogram["height"] > 100
    bars = page.page.locator("#distribution rect")
    assert bars.count() >= 5
    for i in range(bars.count()):
        box = page.box(bars.nth(i))
        assert box["width"] > 5
        assert box["height"] > 5
    radars = page.page.locator("#radars svg")
    assert radars.count() == len(report)
    sizes = [page.box(radars.nth(i)) for i in range(radars.count())]
    assert all(s["width"] > 150 and s["height"] > 150 for s in sizes)
    polygon = page.box(page.page.locator('#radars figure[data-team="t1"] polygon.r-team'))
    assert polygon["width"] > 50
    assert polygon["height"] > 50
    print(
        f"loaded in {page.load_seconds:.3f} s; histogram {histogram['width']:.0f}×"
        f"{histogram['height']:.0f}; radar {sizes[0]['width']:.0f}×{sizes[0]['height']:.0f};"
        f" t1 polygon {polygon['width']:.0f}×{polygon['height']:.0f}"
    )


@pytest.mark.browser
def test_clicking_a_team_opens_its_explanation(page: Page, report: Report) -> None:
    p = page.page
    panel = p.locator('details.team[data-team="t1"]')
    indicator = panel.locator('[data-indicator="bp.projects"] .ind-label')
    assert not indicator.is_visible()
    assert panel.evaluate("e => e.open") is False
    p.locator('#ranking tr[data-team="t1"] a.team-name').click()
    assert panel.evaluate("e => e.open") is True
    assert indicator.is_visible()
    assert indicator.inner_text() == EVIL_LABEL
    assert p.url.endswith("#team-0")
    # the panel scrolled into view, and it shows the lines with their reasons and facts
    top = panel.bounding_box()
    assert top is not None
    assert -5 < top["y"] < 100
    line = panel.locator('[data-indicator="bp.projects"] ul.lines li').first
    assert line.is_visible()
    assert "成果 p0" in line.inner_text()
    # a radar card's caption opens the team too; expand all / collapse all
    p.locator('#radars figure[data-team="t7"] a.team-name').click()
    assert p.locator('details.team[data-team="t7"] .veto-box').is_visible()
    p.locator('button[data-toggle-all="open"]').click()
    assert p.locator("details.team[open]").count() == len(report)
    p.locator('button[data-toggle-all="close"]').click()
    assert p.locator("details.team[open]").count() == 0
    # the summary itself toggles without script
    p.locator('details.team[data-team="t4"] > summary').click()
    assert p.locator('details.team[data-team="t4"] .team-body').is_visible()
    assert page.errors == []


@pytest.mark.browser
def test_the_ranking_filters_by_grade(page: Page, report: Report) -> None:
    p = page.page
    options = p.locator("#filter-grade option")
    assert [options.nth(i).inner_text() for i in range(options.count())] == [
        "全部",
        "优秀",
        "良好",
        "合格",
        "不合格",
        "一票否决",  # the scale's veto label
    ]
    p.locator("#filter-grade").select_option("优秀 (excellent)")
    rows = p.locator("#ranking-table tbody tr")
    shown = [rows.nth(i).get_attribute("data-team") for i in range(rows.count())]
    wanted = [a.team for a in report if a.grade is not None and a.grade.label == "优秀 (excellent)"]
    assert shown == wanted
    assert shown
    p.locator("#filter-grade").select_option("")
    assert rows.count() == len(report)
    assert page.errors == []


@pytest.mark.browser
def test_an_address_with_a_team_opens_it(browser: Any, report_file: Path) -> None:
    page = Page(browser, report_file, "#team-3")
    panel = page.page.locator('details.team[data-team="t4"]')
    assert panel.evaluate("e => e.open") is True
    assert panel.locator('[data-indicator="pb.study"]').is_visible()
    page.page.close()


@pytest.mark.browser
def test_chinese_glyphs_render(page: Page) -> None:
    p = page.page
    # 1. Chromium says which installed font drew the heading's glyphs: a CJK font, not a fallback
    cdp = p.context.new_cdp_session(p)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    document = cdp.send("DOM.getDocument")
    node = cdp.send("DOM.querySelector", {"nodeId": document["root"]["nodeId"], "selector": "h1"})
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"]
    cjk = [
        f for f in fonts if re.search(r"CJK|Han Sans|Noto Sans SC|YaHei|PingFang", f["familyName"])
    ]
    heading = p.locator("h1").inner_text()
    chinese = sum(1 for ch in heading if "\u4e00" <= ch <= "\u9fff")
    assert cjk, fonts
    assert sum(f["glyphCount"] for f in cjk) >= chinese, fonts
    # 2. Each Chinese character is drawn as its own glyph: distinct, non-blank pixels, unlike
    #    the missing-glyph box that every unknown character shares
    drawn = p.evaluate(
        """chars => {
            const font = getComputedStyle(document.body).fontFamily;
            return chars.map(ch => {
                const canvas = document.createElement("canvas");
                canvas.width = canvas.height = 40;
                const g = canvas.getContext("2d");
                g.font = "32px " + font;
                g.fillText(ch, 2, 32);
                const data = g.getImageData(0, 0, 40, 40).data;
                let ink = 0, sum = 0;
                for (let i = 3; i < data.length; i += 4) {
                    if (data[i]) ink++;
                    sum = (sum * 31 + data[i]) >>> 0;
                }
                return [ink, sum, g.measureText(ch).width];
            });
        }""",
        ["党", "建", "业", "务", "精", "神", "\U000f0000", "\U000f0001"],
    )
    glyphs, missing = drawn[:6], drawn[6:]
    assert all(ink > 20 for ink, _, _ in glyphs), drawn
    assert len({checksum for _, checksum, _ in glyphs}) == 6, drawn
    assert all(checksum not in {m[1] for m in missing} for _, checksum, _ in glyphs), drawn
    assert all(abs(width - 32) < 1 for _, _, width in glyphs), drawn  # full width: one em
    # 3. the rendered team names take their full width (a CJK string of 7 is ~7 em wide)
    width = p.locator('#ranking tr[data-team="t1"] a.team-name').evaluate(
        "e => e.getBoundingClientRect().width / parseFloat(getComputedStyle(e).fontSize)"
    )
    assert 6.5 < width < 7.5
    print(f"CJK fonts used for the heading: {[(f['familyName'], f['glyphCount']) for f in cjk]}")


@pytest.mark.browser
def test_no_console_errors_no_requests_no_injection(page: Page, report_file: Path) -> None:
    p = page.page
    p.locator('button[data-toggle-all="open"]').click()
    p.locator('#radars figure[data-team="t2"] a.team-name').click()
    p.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    assert page.errors == []
    assert page.dialogs == []  # the name with <script>alert(...)</script> ran nothing
    assert set(page.requests) == {report_file.as_uri()}, page.requests
    assert p.locator("script:not([type])").count() == 1
    assert p.locator('tr[data-team="t2"] a.team-name').inner_text() == EVIL.strip()


@pytest.mark.browser
def test_screenshot(browser: Any, report_file: Path, tmp_path: Path) -> None:
    """Pictures of the page; ASSESSMENT_ENGINE_SCREENSHOT=PATH renders the example data there.

    PATH shows the ranking, PATH with ``-team`` before its suffix a team's drill-down with its
    next-grade suggestions (docs/images/report.png and report-team.png are made that way, by
    ``nox -s browser``): the page as the command line writes it.
    """
    target = os.environ.get("ASSESSMENT_ENGINE_SCREENSHOT")
    shown = report_file
    if target:
        from click.testing import CliRunner

        from assessment_engine.cli import main

        example = Path(__file__).parent.parent / "examples" / "institute-2024.json"
        assert example.exists(), f"the screenshot shows the example data: {example} is missing"
        shown = tmp_path / "example.html"
        args = ["report", str(example), "--block", "food_institute", "-o", str(shown)]
        result = CliRunner().invoke(main, [*args, "--no-progress"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    page = Page(browser, shown)
    page.page.set_viewport_size({"width": 1200, "height": 820})
    page.page.evaluate("() => window.scrollTo(0, 0)")
    page.page.mouse.move(0, 0)
    shot = page.page.screenshot(full_page=False, path=target or None)
    assert len(shot) > 20_000  # a blank page compresses to a few kB
    # a team's drill-down: the second-ranked team has a next grade to reach
    page.page.locator("#ranking-table tbody tr a.team-name").nth(2).click()
    opened = page.page.locator("details.team[open]")
    assert opened.count() == 1
    team_target = None
    if target:
        base = Path(target)
        team_target = str(base.with_name(f"{base.stem}-team{base.suffix}"))
        assert opened.locator(".next-grade").is_visible()
    opened.locator(".next-grade, .overview").first.scroll_into_view_if_needed()
    page.page.mouse.move(0, 0)
    team_shot = page.page.screenshot(full_page=False, path=team_target)
    assert len(team_shot) > 20_000
    assert page.errors == []
    page.page.close()
    if target:
        print(f"wrote {target} ({len(shot)} bytes) and {team_target} ({len(team_shot)} bytes)")


def test_json_and_html_agree_on_the_ranking(report: Report, dom: Node) -> None:
    data = json.loads(report.to_json())
    rows = dom.find("section", id="ranking").find("tbody").find_all("tr")
    assert [r.attrs["data-team"] for r in rows] == [t["team"] for t in data["teams"]]


def test_the_docs_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = Path(__file__).parent.parent / "docs" / "html-report.md"
    blocks = re.findall(r"^```python\n(.*?)^```", page.read_text(encoding="utf-8"), re.M | re.S)
    assert blocks
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "docs.html_report"}
    for number, block in enumerate(blocks, start=1):
        exec(compile(block, f"html-report.md block {number}", "exec"), namespace)
    written = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert written.startswith("<!DOCTYPE html>")
    assert "食品所微生物室" in written


def test_short_labels_keep_the_chinese_part_everywhere() -> None:
    """The terminal table and the HTML page shorten labels the same way."""
    from assessment_engine.rubric.describe import short_label

    assert short_label("优秀 (excellent)") == "优秀"
    assert short_label("先进班组 (advanced team) (2024)") == "先进班组"
    assert short_label("人均志愿服务 (volunteer hours (per capita))") == "人均志愿服务"
    assert short_label("优秀") == "优秀"
    assert short_label("(excellent)") == "(excellent)"
