"""The registered rubric matches the proposal's table: ids, maxima, caps, labels."""

from __future__ import annotations

import re

# indicator → its sub-items' maxima, from default-rubric-1252.md §2 (None: no parts)
TABLE = {
    "bp.task": {"bp.task.completion": 10, "bp.task.on_time": 8, "bp.task.quality": 7},
    "bp.project": 12,
    "bp.acceptance": {"bp.acceptance.passed": 10, "bp.acceptance.failed": 0},
    "bp.std_ip": {"bp.std_ip.standards": 8, "bp.std_ip.ip": 7},
    # per item 1 + 2 + 2 (5 / 3 / 1), the indicator max of 10 is the cap
    "bp.innovation": {
        "bp.innovation.adopted": 10,
        "bp.innovation.valued": 0,
        "bp.innovation.major": 0,
    },
    "bp.service": {
        "bp.service.satisfaction": 6,
        "bp.service.thanks": 4,
        "bp.service.complaints": 5,
    },
    "bp.dedication": {"bp.dedication.overtime": 3, "bp.dedication.proficiency": 10},
}


def test_dimension(engine):
    (dim,) = engine.rubric.dimensions
    assert (dim.id, dim.max, dim.bonus_cap) == ("bp", 100, 10)


def test_indicators_and_parts_match_the_table(engine):
    assert {ind.id for ind in engine.rubric.indicators} == set(TABLE)
    for ind in engine.rubric.indicators:
        expected = TABLE[ind.id]
        if isinstance(expected, int):
            assert ind.max == expected
            continue
        assert {p.id for p in ind.scoring.parts} == set(expected), ind.id
        assert ind.max == sum(expected.values()), ind.id
    # 25 + 12 + 10 + 15 + 10 + 15 + 13
    assert sum(ind.max for ind in engine.rubric.indicators) == 100


def test_rule_ids(engine):
    rubric = engine.rubric
    assert {b.id for b in rubric.bonuses} == {
        "bp.bonus.tech_award",
        "bp.bonus.association_award",
        "bp.bonus.standard_award",
        "bp.bonus.adoption",
    }
    assert {p.id for p in rubric.penalties} == {
        "bp.penalty.report_censured",
        "bp.penalty.safety_hazard",
    }
    assert {v.id for v in rubric.vetoes} == {
        "bp.veto.false_report",
        "bp.veto.quality_accident",
        "bp.veto.qualification",
        "bp.veto.safety_accident",
        "bp.veto.data_leak",
    }
    assert all(v.dimension == "bp" for v in rubric.vetoes)


GLOSSED = re.compile(r"[\u4e00-\u9fff].*\([^()]*[A-Za-z][^()]*\)")


def test_labels_are_chinese_with_an_english_gloss(engine):
    rubric = engine.rubric
    labels = [rubric.dimensions[0].label]
    for ind in rubric.indicators:
        labels.append(ind.label)
        labels += [p.label for p in getattr(ind.scoring, "parts", ())]
    labels += [r.label for r in (*rubric.bonuses, *rubric.penalties, *rubric.vetoes)]
    for label in labels:
        assert GLOSSED.search(label), label


def test_standard_records_load_from_files_without_category(engine, tmp_path):
    from assessment_engine import dump_json, load_json

    path = tmp_path / "facts.json"
    path.write_text(
        '[{"fact": "team", "team": "T1", "period": "2024", "name": "理化室",'
        ' "department": "食品所", "headcount": 8},'
        ' {"fact": "standard", "team": "T1", "period": "2024", "id": "GB-1",'
        ' "level": "industry", "role": "lead", "date": "2024-05-01"}]',
        encoding="utf-8",
    )
    facts = load_json(path, fact_types=engine.rubric.fact_types)
    assert engine.assess(facts)["T1"].indicator("bp.std_ip").points == 4  # industry, lead
    assert '"category"' not in dump_json(facts)  # derived, never written
