"""The HTML report in plain words and one language (issue 15).

The example institute, assessed with the built-in 1252 rule sets, is the test bed: every line
of every team's explanation must be phrased from the rubric's labels, never in the selection
syntax an author writes; the page shows the Chinese labels alone, their English on hover, and
both with ``gloss=True``.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from assessment_engine import Engine, Report, load_facts
from assessment_engine.render import html
from assessment_engine.render._reasons import Reasons, drop_glosses
from assessment_engine.rubric import (
    AllOf,
    AnyOf,
    Compare,
    Composite,
    Count,
    DimensionScore,
    Grade,
    Triggered,
    facts,
    per_capita,
)
from assessment_engine.rubric.plain import Names, names_of, plain_condition

EXAMPLE = Path(__file__).parent.parent / "examples" / "institute-2024.json"

#: What the rule syntax looks like: selections, tags, "triggered", missing values, arrows.
SYNTAX = re.compile(r"\w\[|#\w|triggered|=None|\(is |→|count of|per capita|value of")


@pytest.fixture(scope="module")
def example() -> Report:
    with Engine() as engine:
        fact_set = load_facts(str(EXAMPLE), fact_types=engine.rubric.fact_types)
        return engine.assess(fact_set)


class Visible(HTMLParser):
    """The text a reader sees (not scripts, styles, or tooltips) and every title attribute."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hidden = 0
        self.text: list[str] = []
        self.titles: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "title"):
            self.hidden += 1
        self.titles += [v or "" for k, v in attrs if k in ("title", "aria-label")]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "title"):
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.text.append(data)


def visible(page: str) -> Visible:
    parser = Visible()
    parser.feed(page)
    parser.close()
    return parser


def test_every_line_of_every_team_is_phrased_from_the_rubric(example: Report) -> None:
    reasons = Reasons(example.rubric, names_of(example.rubric))
    seen = 0
    for assessment in example:
        for line in assessment.explain().lines():
            plain = reasons.line(line)
            # phrased, not the author's reason with its glosses dropped
            assert plain != drop_glosses(line.reason), (line.source, line.reason)
            assert not SYNTAX.search(plain), (line.source, plain)
            for ref in line.facts:
                assert not SYNTAX.search(reasons.fact(line, ref)), (line.source, ref)
            seen += 1
    assert seen > 300


def test_title_notes_name_the_rules_by_their_labels(example: Report) -> None:
    reasons = Reasons(example.rubric, names_of(example.rubric))
    notes = [reasons.title_note(n) for a in example for n in a.title_notes]
    assert notes
    for note in notes:
        assert not SYNTAX.search(note), note
    red_flag = [n for n in notes if n.startswith("红旗班组：未满足")]
    assert red_flag
    # "pb.bonus.innovation.bureau triggered = 是 (yes)" becomes the rule's label
    assert any("「党建创新项目/党建品牌 省局级 5分」得分" in n for n in red_flag)
    # the value a team has, beside what it lacked
    assert any(re.search(r"综合得分 ≥ 95（现为 [\d.]+）", n) for n in red_flag)


def test_the_page_speaks_one_language(example: Report) -> None:
    page = html.render(example)
    seen = visible(page)
    text = "".join(seen.text)
    assert not SYNTAX.search(text), SYNTAX.search(text)
    for english in ("(party building)", "(excellent)", "(rank)", "(composite)", "(team)"):
        assert english not in text, english
    assert "党建" in text
    assert "优秀" in text
    # the English is on hover
    titles = " ".join(seen.titles)
    assert "party building" in titles
    assert "rank" in titles
    assert "优秀 (excellent)" in titles


def test_gloss_shows_both_languages(example: Report) -> None:
    page = html.render(example, gloss=True)
    text = "".join(visible(page).text)
    assert "党建 (party building)" in text
    assert "名次 (rank)" in text
    assert "班组考核报告 (team assessment report) 2024" in text
    assert not SYNTAX.search(text)
    assert html.render(example, gloss=True) == page


NAMES = Names(
    labels={
        "pb.bonus.brand": "党建品牌 (party brand)",
        "pb": "党建 (party building)",
        "grade.pb": "党建等级 (party-building grade)",
    },
    kinds={"member": "成员 (member)", "activity": "活动 (activity)"},
)


@pytest.mark.parametrize(
    ("condition", "words"),
    [
        (Triggered("pb.bonus.brand").equals(True), "「党建品牌」得分"),
        (Triggered("pb.bonus.brand").equals(False), "「党建品牌」未得分"),
        (Count(facts("member", role="leader")).above(0), "有成员（leader）"),
        (Count(facts("activity", kind="volunteer")).at_least(3), "活动（volunteer）数 ≥ 3"),
        (Composite().at_least(85), "综合得分 ≥ 85"),
        (DimensionScore("pb").at_least(80), "党建得分 ≥ 80"),
        (Grade("grade.pb").equals("优秀 (excellent)"), "党建等级 为 优秀"),
        (
            per_capita(Count(facts("member", party_status="member"))).at_least("0.3"),
            "人均成员（member）数 ≥ 0.3",
        ),
        (
            AnyOf(Composite().at_least(90), DimensionScore("pb").at_least(9)),
            "以下任一项：综合得分 ≥ 90；党建得分 ≥ 9",
        ),
        (
            AllOf(Composite().at_least(90), Count(facts("member")).equals(0)),
            "同时满足：综合得分 ≥ 90；没有成员",
        ),
    ],
)
def test_plain_conditions(condition: object, words: str) -> None:
    assert isinstance(condition, Compare | AllOf | AnyOf)
    assert plain_condition(condition, NAMES) == words


def test_plain_conditions_keep_the_gloss_when_asked() -> None:
    glossed = Names(labels=NAMES.labels, kinds=NAMES.kinds, gloss=True)
    words = plain_condition(DimensionScore("pb").at_least(8), glossed)
    assert words == "党建 (party building)得分 ≥ 8"


def test_a_reason_the_page_cannot_rephrase_is_shown_without_its_glosses() -> None:
    assert drop_glosses("综合得分 (composite) 45 ≥ 32") == "综合得分 45 ≥ 32"
    assert drop_glosses("与 t3 并列 (tied on composite 40, sharing the better rank)") == (
        "与 t3 并列"
    )
    assert drop_glosses("没有括号") == "没有括号"
