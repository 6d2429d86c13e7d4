"""The registered rubric matches the proposal's table: ids, maxima, caps, labels."""

from __future__ import annotations

import re

# indicator → its sub-items' maxima, from default-rubric-1252.md §3 (an int: no parts)
TABLE = {
    "cv.volunteer": {"cv.volunteer.hours": 15, "cv.volunteer.events": 10},
    "cv.pairing": {"cv.pairing.families": 6, "cv.pairing.quarters": 4, "cv.pairing.charity": 5},
    "cv.outreach": {
        "cv.outreach.lectures": 9,
        "cv.outreach.open_days": 6,
        "cv.outreach.theme_events": 5,
    },
    "cv.enterprise": {"cv.enterprise.support": 6, "cv.enterprise.free_testing": 4},
    "cv.culture": {
        "cv.culture.brand": 3,
        "cv.culture.community": 4,
        "cv.culture.hygiene": 4,
        "cv.culture.manners": 4,
    },
    "cv.discipline": 15,
}


def test_dimension(engine):
    (dim,) = engine.rubric.dimensions
    assert (dim.id, dim.max, dim.bonus_cap) == ("cv", 100, 10)


def test_indicators_and_parts_match_the_table(engine):
    assert {ind.id for ind in engine.rubric.indicators} == set(TABLE)
    for ind in engine.rubric.indicators:
        expected = TABLE[ind.id]
        if isinstance(expected, int):
            assert ind.max == expected
            continue
        assert {p.id for p in ind.scoring.parts} == set(expected), ind.id
        assert ind.max == sum(expected.values()), ind.id
    assert sum(ind.max for ind in engine.rubric.indicators) == 100  # 25+15+20+10+15+15


def test_rule_ids(engine):
    rubric = engine.rubric
    assert {b.id for b in rubric.bonuses} == {
        "cv.bonus.honour",
        "cv.bonus.media",
        "cv.bonus.volunteer_honour",
    }
    assert {v.id for v in rubric.vetoes} == {
        "cv.veto.criminal_case",
        "cv.veto.accident",
        "cv.veto.eight_rules",
        "cv.veto.public_opinion",
    }
    assert all(v.dimension == "cv" for v in rubric.vetoes)


GLOSSED = re.compile(r"[\u4e00-\u9fff].*\([^()]*[A-Za-z][^()]*\)")


def test_labels_are_chinese_with_an_english_gloss(engine):
    rubric = engine.rubric
    labels = [rubric.dimensions[0].label]
    for ind in rubric.indicators:
        labels.append(ind.label)
        labels += [p.label for p in getattr(ind.scoring, "parts", ())]
    labels += [r.label for r in (*rubric.bonuses, *rubric.vetoes)]
    for label in labels:
        assert GLOSSED.search(label), label


def test_visits_load_from_csv_without_quarter(engine, tmp_path):
    from assessment_engine import load_facts

    (tmp_path / "teams.csv").write_text(
        "team,period,name,department,headcount\nT1,2024,微生物班组,食品所,16\n", encoding="utf-8"
    )
    (tmp_path / "pairing_visits.csv").write_text(
        "fact,team,period,id,family,date\n"
        "pairing_visit,T1,2024,v1,怡山社区A户,2024-01-15\n"
        "pairing_visit,T1,2024,v2,怡山社区B户,2024-06-15\n",
        encoding="utf-8",
    )
    facts = load_facts(
        tmp_path / "teams.csv",
        tmp_path / "pairing_visits.csv",
        fact_types=engine.rubric.fact_types,
    )
    a = engine.assess(facts)["T1"]
    assert a.indicator("cv.pairing").points == 6  # 2 families × 2 + 2 quarters × 1
