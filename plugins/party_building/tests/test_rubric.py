"""The registered rubric matches the proposal's table: ids, maxima, caps, labels, fact kinds."""

from __future__ import annotations

import re

import assessment_1252_party_building as pb
import pytest

from assessment_engine import load_json

# indicator → its sub-items' maxima, from default-rubric-1252.md §1
TABLE = {
    "pb.leader": {"pb.leader.selection": 6, "pb.leader.appraisal": 6, "pb.leader.party": 3},
    "pb.develop": {
        "pb.develop.applications": 6,
        "pb.develop.probationary": 6,
        "pb.develop.share": 3,
        "pb.develop.irregular": 0,
    },
    "pb.study": {
        "pb.study.theory": 8,
        "pb.study.participation": 0,
        "pb.study.seminars": 6,
        "pb.study.articles": 6,
    },
    "pb.life": {"pb.life.attendance": 8, "pb.life.review": 4, "pb.life.dues": 3},
    "pb.talent": {"pb.talent.studio": 5, "pb.talent.young": 6, "pb.talent.degree": 4},
    "pb.vanguard": {
        "pb.vanguard.satisfaction": 10,
        "pb.vanguard.activity": 5,
        "pb.vanguard.honours": 5,
    },
}


def test_dimension(engine):
    (dim,) = engine.rubric.dimensions
    assert (dim.id, dim.max, dim.bonus_cap) == ("pb", 100, 10)


def test_indicators_and_parts_match_the_table(engine):
    found = {ind.id: {p.id for p in ind.scoring.parts} for ind in engine.rubric.indicators}
    assert found == {ind: set(parts) for ind, parts in TABLE.items()}
    for ind in engine.rubric.indicators:
        assert ind.max == sum(TABLE[ind.id].values()), ind.id
    assert sum(ind.max for ind in engine.rubric.indicators) == 100  # 15+15+20+15+15+20


def test_rule_ids(engine):
    rubric = engine.rubric
    assert {b.id for b in rubric.bonuses} == {
        "pb.bonus.innovation.institute",
        "pb.bonus.innovation.bureau",
        "pb.bonus.innovation.provincial",
        "pb.bonus.publicity",
        "pb.bonus.team_honour",
    }
    assert {b.group for b in rubric.bonuses if b.id.startswith("pb.bonus.innovation.")} == {
        "pb.bonus.innovation"
    }
    assert {p.id for p in rubric.penalties} == {
        "pb.penalty.admonishment",
        "pb.penalty.warning",
    }
    assert {v.id for v in rubric.vetoes} == {
        "pb.veto.party_discipline",
        "pb.veto.government_sanction",
        "pb.veto.criminal_case",
        "pb.veto.political_discipline",
        "pb.veto.development_fraud",
    }
    assert all(v.dimension == "pb" for v in rubric.vetoes)


GLOSSED = re.compile(r"[\u4e00-\u9fff].*\([^()]*[A-Za-z][^()]*\)")


def test_labels_are_chinese_with_an_english_gloss(engine):
    rubric = engine.rubric
    labels = [rubric.dimensions[0].label]
    for ind in rubric.indicators:
        labels += [ind.label, *(p.label for p in ind.scoring.parts)]
    labels += [r.label for r in (*rubric.bonuses, *rubric.penalties, *rubric.vetoes)]
    for label in labels:
        assert GLOSSED.search(label), label


def test_fact_kinds_reject_unknown_ratings():
    with pytest.raises(ValueError, match="rating"):
        pb.LeaderAppraisal(team="T1", period="2024", id="m1", rating="excelent")
    with pytest.raises(ValueError, match="rating"):
        pb.PartyReview(team="T1", period="2024", id="m1", rating="good")


def test_fact_kinds_load_from_files(engine, tmp_path):
    path = tmp_path / "facts.json"
    path.write_text(
        '[{"fact": "team", "team": "T1", "period": "2024", "name": "理化室",'
        ' "department": "食品所", "headcount": 8},'
        ' {"fact": "leader_appraisal", "team": "T1", "period": "2024", "id": "m1",'
        ' "rating": "competent"},'
        ' {"fact": "party_review", "team": "T1", "period": "2024", "id": "m2",'
        ' "rating": "basically_qualified"}]',
        encoding="utf-8",
    )
    facts = load_json(path, fact_types=engine.rubric.fact_types)
    a = engine.assess(facts)["T1"]
    assert a.indicator("pb.leader").points == 4  # competent
    assert a.indicator("pb.life").points == 5  # review 4 − 2 + dues 3
