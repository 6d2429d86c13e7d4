"""The data lint: facts no rule selects, values close to the rules' words, kinds no rule reads;
and team records that leave out what no rule reads."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from assessment_engine import Activity, Engine, InputError, Member, Metric, Team
from assessment_engine.cli import main
from assessment_engine.facts import Incident
from assessment_engine.lint import lint
from assessment_engine.rubric import (
    Band,
    Bands,
    Dimension,
    Indicator,
    PerItem,
    PointsBy,
    Rubric,
    Total,
    facts,
    metric,
    per_capita,
)
from assessment_engine.rubric._fact_types import fact_type_data

RUBRIC = Rubric.build(
    dimensions=[Dimension(id="cv", label="文明 (civility)", max=20)],
    indicators=[
        Indicator(
            id="cv.volunteer",
            dimension="cv",
            label="志愿 (volunteering)",
            max=10,
            scoring=Bands(
                Total(facts("activity", kind="volunteer"), "hours"), [Band.at_least(10, 10)]
            ),
        ),
        Indicator(
            id="cv.leaders",
            dimension="cv",
            label="骨干 (leaders)",
            max=10,
            scoring=PerItem(facts("member", role="leader"), PointsBy("education", {"master": 2})),
        ),
    ],
)


def team(**fields: object) -> Team:
    return Team(team="T1", period="2024", name="一班", **fields)  # type: ignore[arg-type]


def record(cls: type, id: str, **fields: object) -> object:
    return cls(team="T1", period="2024", id=id, **fields)


def test_facts_no_rule_selects_are_grouped_with_their_totals_and_a_hint() -> None:
    found = lint(
        RUBRIC,
        [
            team(),
            record(Activity, "a1", kind="volunteering", hours=300),
            record(Activity, "a2", kind="volunteering", hours=200),
            record(Activity, "a3", kind="volunteer", hours=2),
            record(Member, "m1", role="leadr"),
            record(Member, "m2", role="leader", education="mastr"),
            record(Metric, "x1", kind="rate", value=3),
        ],
    )
    assert [(f.severity, f.check, f.kind, f.field, f.value) for f in found] == [
        ("warning", "unknown-value", "member", "education", "mastr"),
        ("warning", "unselected-facts", "activity", "kind", "volunteering"),
        ("warning", "unselected-facts", "member", "role", "leadr"),
        ("info", "unread-kind", "metric", None, None),
    ]
    odd, volunteering, leader, unread = found
    assert volunteering.message == (
        "2 activity records with kind='volunteering' are selected by no rule and count nowhere"
        " (hours 500): item 1 (activity a1 of team T1 (2024)); item 2 (activity a2 of team T1"
        " (2024)) (did you mean kind='volunteer'?)"
    )
    assert volunteering.records == (
        "item 1 (activity a1 of team T1 (2024))",
        "item 2 (activity a2 of team T1 (2024))",
    )
    assert "did you mean role='leader'?" in leader.message
    assert "(did you mean 'master'?)" in odd.message
    assert unread.message.startswith("1 metric record: no rule of the rubric reads metric")


def test_nothing_to_say_about_facts_the_rules_read() -> None:
    facts_read = [team(), record(Activity, "a1", kind="volunteer", hours=12)]
    assert lint(RUBRIC, facts_read) == ()
    far = [team(), record(Member, "m1", role="leader", education="bachelor")]
    assert lint(RUBRIC, far) == ()  # 'bachelor' is read by no rule, but close to none
    with Engine.from_rubric(RUBRIC, matcher="python") as engine:
        assert lint(engine, facts_read, period="2023") == ()


def test_the_command_exits_1_on_a_warning(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSESSMENT_ENGINE_BLOCK_PLUGINS", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "f.json").write_text(
        '[{"fact": "team", "team": "T1", "period": "2024", "name": "a", "department": "d",'
        ' "headcount": 3}, {"fact": "activity", "team": "T1", "period": "2024", "id": "a1",'
        ' "kind": "volunteerr", "hours": 5}]',
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["lint", "f.json", "--matcher", "python"])
    assert result.exit_code == 1, result.output
    assert "f.json, record 1 (activity a1 of team T1 (2024))" in result.output
    assert "did you mean kind='volunteer'?" in result.output
    assert result.output.endswith("1 finding, 1 warning\n")
    data = CliRunner().invoke(main, ["lint", "f.json", "--format", "json"])
    assert '"check": "unselected-facts"' in data.output


# ----------------------------------------------------------------------------- team fields
PER_CAPITA = Rubric.build(
    dimensions=[Dimension(id="cv", label="文明 (civility)", max=10)],
    indicators=[
        Indicator(
            id="cv.hours",
            dimension="cv",
            label="人均 (per member)",
            max=10,
            scoring=Bands(per_capita(metric("hours")), [Band.at_least(2, 10)]),
        )
    ],
)


def test_a_team_may_leave_out_what_no_rule_reads() -> None:
    with Engine.from_rubric(RUBRIC, matcher="python") as engine:
        report = engine.assess([team(), record(Activity, "a1", kind="volunteer", hours=10)])
    assessment = report["T1"]
    assert (assessment.department, assessment.headcount, assessment.composite) == ("", None, 10)


def test_a_rule_that_reads_the_headcount_makes_it_required() -> None:
    with Engine.from_rubric(PER_CAPITA, matcher="python") as engine:
        with pytest.raises(InputError) as caught:
            engine.assess([team(), record(Metric, "m", kind="hours", value=1, unit="x")])
        (problem,) = caught.value.problems
        assert (problem.field, problem.reason) == (
            "headcount",
            "team T1 has no headcount, and the rubric reads it (cv.hours)",
        )
        session = engine.session([team(headcount=2), record(Metric, "m", kind="hours", value=4)])
        with pytest.raises(InputError, match="no headcount"):
            session.add(Team(team="T2", period="2024", name="二班"))
        assert engine.assess([team(headcount=2), record(Incident, "i", kind="x")])["T1"].rank == 1


def test_the_team_kind_hashes_as_before() -> None:
    assert fact_type_data(Team) == {
        "label": "班组 (team)",
        "fields": {
            "name": {"kind": "text", "optional": False},
            "department": {"kind": "text", "optional": False},
            "headcount": {"kind": "number", "optional": False},
        },
    }
    with pytest.raises(ValueError, match="must not be blank"):
        Team(team="T1", period="2024", name="a", department="  ")
