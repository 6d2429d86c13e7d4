"""The four distributions load through their entry points, like any third party's plugin."""

from __future__ import annotations

from decimal import Decimal as D
from fractions import Fraction

import assessment_1252_method as method
import pytest

from assessment_engine import Engine, RubricError

OURS = {
    "party_building": "assessment-1252-party-building",
    "business_performance": "assessment-1252-business-performance",
    "civility": "assessment-1252-civility",
    "method_1252": "assessment-1252-method",
}


def test_all_four_load_through_entry_points():
    with Engine(matcher="python") as engine:
        infos = {p.name: p for p in engine.plugins}
        for name, distribution in OURS.items():
            assert infos[name].source == "entry point", name
            assert infos[name].distribution == distribution
        assert [d.id for d in engine.rubric.dimensions] == ["pb", "bp", "cv"]
        assert engine.rubric.plugin_of("pb.leader") == "party_building"
        assert engine.rubric.plugin_of("bp.task") == "business_performance"
        assert engine.rubric.plugin_of("cv.volunteer") == "civility"
        assert engine.rubric.plugin_of("title.red_flag") == "method_1252"
        assert engine.rubric.provenance["ranking"] == "method_1252"


def test_method_alone_names_what_is_missing():
    with pytest.raises(RubricError, match="unknown dimension"):
        Engine(entry_points=False, plugins=[method], matcher="python")


def test_registered_method_objects(engine):
    rubric = engine.rubric
    weights = {w.dimension: w.weight for w in rubric.weights}
    assert weights == {"pb": D("0.3"), "bp": D("0.5"), "cv": D("0.2")}
    assert sum(w.weight for w in rubric.weights) == 1
    quotas = {q.id: (q.share, q.minimum) for q in rubric.quotas}
    assert quotas == {
        "quota.red_flag": (Fraction(1, 10), 1),
        "quota.honours": (Fraction(1, 3), 1),  # exactly a third
    }
    assert [(t.id, t.order, t.quotas) for t in rubric.titles] == [
        ("title.red_flag", 1, ("quota.red_flag", "quota.honours")),
        ("title.advanced", 2, ("quota.honours",)),
        ("title.standard", 3, ()),
        ("title.improve", 4, ()),
    ]
    assert {s.id: s.of for s in rubric.grade_scales} == {
        "grade.bp": "bp",
        "grade.composite": None,
        "grade.cv": "cv",
        "grade.pb": "pb",
    }
    for scale in rubric.grade_scales:
        assert [(b.label, b.at_least) for b in scale.bands] == [
            (method.EXCELLENT, 90),
            (method.GOOD, 80),
            (method.PASS, 60),
            (method.FAIL, None),
        ]
        assert scale.veto_label == method.VETOED
    assert rubric.ranking.vetoed == "unranked"
