"""The HTML report at scale and its ranking (issues 10, 13 and 15): the ranking's data, sorting,
filtering and paging (in Chromium, marker ``browser``), the page streamed team by team with
progress, explanations split into page files, next-grade suggestions and the change since the
previous final run.
"""

from __future__ import annotations

import json
import re
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # --import-mode=importlib: make the sibling modules importable
    sys.path.insert(0, str(HERE))

from assessment_engine import Activity, Engine, Report, Team  # noqa: E402
from assessment_engine.render import html  # noqa: E402
from ledger_support import tiny_facts, tiny_rubric  # noqa: E402
from test_html_report import Page, code, parse  # noqa: E402
from test_html_report import browser as browser  # noqa: E402  (the fixture)

EVIL = "</script><script>alert(1)</script>"


def many(count: int) -> Report:
    """``count`` teams of the tiny rubric: 0–6 volunteer events, three departments."""
    facts: list[Any] = []
    for i in range(count):
        team = f"t{i:03d}"
        name = EVIL if i == 7 else f"班组 {i:03d}"
        department = ("食品所", "机电所", "综合办")[i % 3]
        facts.append(Team(team=team, period="2024", name=name, department=department, headcount=2))
        facts += [
            Activity(team=team, period="2024", id=f"v{j}", kind="volunteer")
            for j in range((i * 5) % 7)
        ]
    with Engine.from_rubric(tiny_rubric(), matcher="python") as engine:
        return engine.assess(facts)


@pytest.fixture(scope="module")
def report() -> Report:
    return many(120)


def ranking_data(page: str) -> dict[str, Any]:
    block = re.search(r'<script type="application/json" id="ranking-data">(.*?)</script>', page)
    assert block is not None
    return dict(json.loads(block[1]))


# --------------------------------------------------------------------------- the ranking's data
def test_the_ranking_data_holds_every_team_in_rank_order(report: Report) -> None:
    page = html.render(report)
    data = ranking_data(page)
    rows = data["rows"]
    assert [r["team"] for r in rows] == list(report.teams)
    first = report[report.teams[0]]
    assert rows[0]["rank"] == first.rank
    assert rows[0]["composite"] == "10.00"
    assert rows[0]["href"] == "#team-0"
    assert data["grades"][rows[0]["grades"][0]][0] == "优秀"
    # the first page of rows is also in the HTML, for a reader without script
    dom = parse(page)
    table = dom.find("table", id="ranking-table")
    shown = [tr.attrs["data-team"] for tr in table.find("tbody").find_all("tr")]
    assert shown == list(report.teams[:50])
    heads = [th.attrs.get("data-sort") for th in table.find("thead").find_all("th")]
    assert heads == ["rank", "name", "department", "composite", "dim-0", None]
    departments = [o.text() for o in dom.find("select", id="filter-department").find_all("option")]
    assert departments == ["全部", "机电所", "综合办", "食品所"]


def test_a_name_cannot_end_the_data_block(report: Report) -> None:
    page = html.render(report)
    block = page.split('id="ranking-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block
    assert ranking_data(page)["rows"][[*report.teams].index("t007")]["name"] == EVIL
    assert EVIL not in page


# --------------------------------------------------------------------------- streaming, progress
def test_write_streams_what_render_returns(report: Report) -> None:
    import io

    buffer = io.StringIO()
    html.write(report, buffer)
    assert buffer.getvalue() == html.render(report)
    assert html.render(many(120)) == buffer.getvalue()  # the same bytes, another report object


def test_progress_counts_every_team_written(report: Report) -> None:
    calls: list[tuple[str, int, int | None]] = []
    html.render(report, progress=lambda step, done, total: calls.append((step, done, total)))
    assert {c[0] for c in calls} == {"writing"}
    assert calls[0] == ("writing", 0, 120)
    assert calls[-1] == ("writing", 120, 120)
    done = [c[1] for c in calls]
    assert done == sorted(done)
    assert len(calls) > 3


# --------------------------------------------------------------------------- page files
def test_explanations_split_into_page_files(report: Report, tmp_path: Path) -> None:
    folder = tmp_path / "r_files"
    index = tmp_path / "r.html"
    with index.open("w", encoding="utf-8") as out:
        html.write(report, out, pages=html.PageFolder(folder, "r_files", "../r.html"))
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["teams-00001.html", "teams-00002.html"]
    page = index.read_text(encoding="utf-8")
    assert 'details class="team"' not in page  # no explanation in the page itself
    rows = ranking_data(page)["rows"]
    assert rows[0]["href"] == "r_files/teams-00001.html#team-0"
    assert rows[119]["href"] == "r_files/teams-00002.html#team-119"
    second = parse((folder / "teams-00002.html").read_text(encoding="utf-8"))
    panels = second.find_all("details", class_="team")
    assert [p.attrs["data-team"] for p in panels] == list(report.teams[100:])
    assert panels[0].attrs["id"] == "team-100"
    assert second.find("a", data_back="page").attrs["href"] == "../r.html"
    (script,) = code(second)
    policy = second.find("meta", http_equiv="Content-Security-Policy").attrs["content"] or ""
    assert "default-src 'none'" in policy
    assert script.text() == code(parse(page))[0].text()
    # the same report, the same files
    again = tmp_path / "again"
    with (tmp_path / "again.html").open("w", encoding="utf-8") as out:
        html.write(report, out, pages=html.PageFolder(again, "r_files", "../r.html"))
    assert (tmp_path / "again.html").read_text(encoding="utf-8") == page
    for name in files:
        assert (again / name).read_bytes() == (folder / name).read_bytes()


def test_the_radar_grid_is_left_out_of_large_reports(report: Report) -> None:
    assert 'id="radars"' not in html.render(report)
    assert 'id="radars"' in html.render(many(5))


# --------------------------------------------------------------------------- next grade, since
def test_next_grade_suggestions_in_the_drill_down() -> None:
    small = many(3)
    team = small.teams[-1]
    hint = html.NextGrade(
        scale="等级 (grade)",
        grade="合格 (pass)",
        next="优秀 (excellent)",
        short=Decimal(4),
        options=(
            html.NextGradeOption(
                grade_after="优秀 (excellent)",
                score_before=Decimal(4),
                score_after=Decimal(8),
                changes=("新增一项活动（类别 volunteer）", "新增一项活动（类别 volunteer）"),
            ),
        ),
        searched=2,
    )
    dom = parse(html.render(small, next_grade={team: hint}))
    panel = dom.find("details", data_team=team)
    box = panel.find("div", class_="next-grade")
    assert "合格 → 优秀" in box.text()
    assert "还差 4.00" in box.text()
    assert [li.text() for li in box.find("ol").find("ul").find_all("li")] == [
        "新增一项活动（类别 volunteer）"
    ] * 2
    assert not dom.find("details", data_team=small.teams[0]).find_all("div", class_="next-grade")


def test_the_change_since_the_previous_final_run(tmp_path: Path) -> None:
    pytest.importorskip("sqlalchemy")
    from assessment_engine.ledger import Ledger

    with (
        Ledger.open(tmp_path / "l.db", create=True) as ledger,
        Engine.from_rubric(tiny_rubric(), matcher="python") as engine,
    ):
        first = ledger.record(engine, tiny_facts("2023", {"t1": 5, "t2": 3, "t3": 1}), author="a")
        ledger.publish(first, author="a")
        ledger.finalize(first, author="a")
        now = engine.assess(tiny_facts("2024", {"t1": 1, "t2": 3, "t4": 4}))
        since = {t.team: t for t in ledger.changes_since_previous_final(now)}
    page = html.render(now, since=since)
    rows = {r["team"]: r for r in ranking_data(page)["rows"]}
    assert rows["t1"]["move"][:2] == ["down", "▼2"]  # rank 1 → 3
    assert "综合 -8.00" in rows["t1"]["move"][2]
    assert rows["t2"]["move"][:2] == ["same", "＝"]
    assert rows["t4"]["move"][:2] == ["new", "新"]
    dom = parse(page)
    heads = [th.attrs.get("data-sort") for th in dom.find("thead").find_all("th")]
    assert "since" in heads
    cell = dom.find("tr", data_team="t4").find("td", class_="since")
    assert cell.text() == "新"
    assert "since" not in [
        th.attrs.get("data-sort") for th in parse(html.render(now)).find("thead").find_all("th")
    ]


# --------------------------------------------------------------------------- in the browser
@pytest.fixture(scope="module")
def ranking_file(report: Report, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ranking") / "ranking.html"
    path.write_text(html.render(report), encoding="utf-8")
    return path


def _teams(page: Any) -> list[str]:
    rows = page.locator("#ranking-table tbody tr")
    return [rows.nth(i).get_attribute("data-team") for i in range(rows.count())]


@pytest.mark.browser
def test_sorting_by_a_click_on_a_column(
    browser: Any,
    report: Report,
    ranking_file: Path,
) -> None:
    opened = Page(browser, ranking_file)
    p = opened.page
    assert _teams(p) == list(report.teams[:50])
    composite = p.locator('#ranking-table th[data-sort="composite"]')
    composite.click()  # highest first
    first = report[_teams(p)[0]]
    assert first.composite == max(a.composite for a in report)
    assert composite.get_attribute("aria-sort") == "descending"
    composite.click()  # lowest first
    assert report[_teams(p)[0]].composite == min(a.composite for a in report)
    assert composite.get_attribute("aria-sort") == "ascending"
    p.locator('#ranking-table th[data-sort="name"]').click()
    names = [report[t].name for t in _teams(p) if t != "t007"]
    assert names == sorted(names)
    assert opened.errors == []
    p.close()


@pytest.mark.browser
def test_filtering_and_paging(browser: Any, report: Report, ranking_file: Path) -> None:
    opened = Page(browser, ranking_file)
    p = opened.page
    status = p.locator("#ranking-status")
    assert status.inner_text() == "显示 120 / 120 个班组 · 第 1 / 3 页"
    p.locator("#page-next").click()
    assert _teams(p) == list(report.teams[50:100])
    p.locator("#page-next").click()
    assert _teams(p) == list(report.teams[100:])
    assert p.locator("#page-next").is_disabled()
    p.locator("#filter-department").select_option("机电所")
    shown = _teams(p)
    assert shown
    assert {report[t].department for t in shown} == {"机电所"}
    assert status.inner_text() == "显示 40 / 120 个班组 · 第 1 / 1 页"
    p.locator("#filter-department").select_option("")
    p.locator("#filter-text").fill("t011")
    assert _teams(p) == ["t011"]
    p.locator("#filter-text").fill("班组 01")
    assert sorted(_teams(p)) == [f"t01{i}" for i in range(10)]
    # a row's link opens the team's explanation
    p.locator('#ranking-table tr[data-team="t012"] a.team-name').click()
    assert p.locator('details.team[data-team="t012"]').evaluate("e => e.open") is True
    assert opened.errors == []
    assert opened.dialogs == []
    p.close()


# --------------------------------------------------------------------------- the command line
def _cli(*args: str) -> Any:
    from click.testing import CliRunner

    from assessment_engine.cli import main

    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


EXAMPLES = HERE.parent / "examples"


def test_report_puts_the_next_grade_suggestions_in_the_drill_down(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    _cli("report", str(EXAMPLES / "institute-2024.json"), "-o", str(out), "--no-progress")
    dom = parse(out.read_text(encoding="utf-8"))
    boxes = dom.find_all("div", class_="next-grade")
    assert len(boxes) == len(dom.find_all("details", class_="team"))
    texts = [b.text() for b in boxes]
    assert any("良好 → 优秀" in t and "新增一项成果" in t for t in texts), texts
    assert any("已是最高等级" in t for t in texts)
    assert not [t for t in texts if re.search(r"\w\[|what-if-|kind=", t)]
    _cli(
        "report",
        str(EXAMPLES / "institute-2024.json"),
        "-o",
        str(out),
        "--force",
        "--max-changes",
        "0",
        "--no-progress",
    )
    assert not parse(out.read_text(encoding="utf-8")).find_all("div", class_="next-grade")


def test_report_of_many_teams_writes_page_files_beside_the_page(tmp_path: Path) -> None:
    from assessment_engine import dump_json

    facts = [
        Team(team=f"t{i:04d}", period="2024", name=f"班组{i}", department="所", headcount=3)
        for i in range(html.ONE_PAGE_MAX + 20)
    ]
    given = tmp_path / "facts.json"
    given.write_text(dump_json(facts), encoding="utf-8")
    out = tmp_path / "big.html"
    result = _cli("report", str(given), "-o", str(out), "--progress")
    assert "writing" in result.stderr
    files = sorted(p.name for p in (tmp_path / "big_files").iterdir())
    assert files == [
        "teams-00001.html",
        "teams-00002.html",
        "teams-00003.html",
        "teams-00004.html",
        "teams-00005.html",
        "teams-00006.html",
    ]
    rows = ranking_data(out.read_text(encoding="utf-8"))["rows"]
    assert rows[-1]["href"] == f"big_files/teams-00006.html#team-{len(facts) - 1}"
    # the folder is replaced whole, and only with --force
    from click.testing import CliRunner

    from assessment_engine.cli import main

    refused = CliRunner().invoke(main, ["report", str(given), "-o", str(tmp_path / "big.html")])
    assert refused.exit_code != 0
    _cli("report", str(given), "-o", str(out), "--force", "--no-progress")
    assert sorted(p.name for p in (tmp_path / "big_files").iterdir()) == files
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_report_with_a_ledger_shows_the_change_since_last_year(tmp_path: Path) -> None:
    pytest.importorskip("sqlalchemy")
    from assessment_engine import load_facts
    from assessment_engine.ledger import Ledger

    with (
        Ledger.open(tmp_path / "l.db", create=True) as ledger,
        Engine(block=["food_institute"]) as engine,
    ):
        facts = load_facts(
            str(EXAMPLES / "institute-2023.json"), fact_types=engine.rubric.fact_types
        )
        run = ledger.record(engine, facts, author="a")
        ledger.publish(run, author="a")
        ledger.finalize(run, author="a")
    out = tmp_path / "r.html"
    _cli(
        "report",
        str(EXAMPLES / "institute-2024.json"),
        "--block",
        "food_institute",
        "--ledger",
        str(tmp_path / "l.db"),
        "--max-changes",
        "0",
        "-o",
        str(out),
        "--no-progress",
    )
    rows = ranking_data(out.read_text(encoding="utf-8"))["rows"]
    moves = {r["team"]: r["move"] for r in rows}
    assert {m[0] for m in moves.values()} <= {"up", "down", "same", "new"}
    assert any(m[0] in ("up", "down") for m in moves.values())
    assert all("综合" in m[2] for m in moves.values() if m[0] != "new")
