"""The content hash covers a fact kind's data form, not its class's import path.

A rubric file declares fact kinds as data; the hash must be able to match the Python class the
declaration stands for. So the hash covers what a rubric sees of a kind (label; per field its
kind, optionality, default, closed vocabulary, whether it is derived) and nothing that only a
Python class has (its module, its name, its validators).
"""

from __future__ import annotations

from typing import ClassVar, Literal

import attrs

from assessment_engine import Record
from assessment_engine.rubric import Dimension, Indicator, PerItem, Rubric, facts


def _rubric(*kinds: type[Record]) -> Rubric:
    from assessment_engine.facts import Achievement, Activity, Incident, Member, Metric, Score, Team

    return Rubric.build(
        fact_types=[Team, Member, Activity, Achievement, Metric, Incident, Score, *kinds],
        dimensions=[Dimension(id="d", label="d", max=10)],
        indicators=[
            Indicator(id="d.i", dimension="d", label="i", max=10, scoring=PerItem(facts("visit")))
        ],
    )


@attrs.frozen(kw_only=True)
class Visit(Record):
    fact_kind: ClassVar[str] = "visit"
    fact_label: ClassVar[str] = "走访 (visit)"
    family: str
    rating: Literal["good", "bad"] = "good"


@attrs.frozen(kw_only=True)
class OtherVisit(Record):  # another class, same data form
    fact_kind: ClassVar[str] = "visit"
    fact_label: ClassVar[str] = "走访 (visit)"
    family: str = attrs.field(validator=attrs.validators.min_len(1))  # validators are not hashed
    rating: Literal["good", "bad"] = "good"


def test_two_classes_with_one_data_form_hash_alike() -> None:
    assert Visit.__qualname__ != OtherVisit.__qualname__
    assert _rubric(Visit).content_hash == _rubric(OtherVisit).content_hash


def test_the_import_path_is_not_in_the_hash() -> None:
    data = _rubric(Visit).to_data()["fact_types"]["visit"]
    assert "class" not in data
    assert data == {
        "label": "走访 (visit)",
        "fields": {
            "id": {"kind": "text", "optional": False},
            "tags": {"kind": "tags", "optional": False, "default": []},
            "family": {"kind": "text", "optional": False},
            "rating": {
                "kind": "text",
                "optional": False,
                "default": "good",
                "values": ["bad", "good"],
            },
        },
    }


def _variant(**changes: object) -> type[Record]:
    fields: dict[str, object] = {
        "family": attrs.field(type=str),
        "rating": attrs.field(type=Literal["good", "bad"], default="good"),
    }
    label = changes.pop("label", "走访 (visit)")
    fields.update(changes)
    cls = attrs.make_class("Visit", fields, bases=(Record,), frozen=True, kw_only=True)
    cls.fact_kind = "visit"  # type: ignore[attr-defined]
    cls.fact_label = label  # type: ignore[attr-defined]
    return cls


def test_what_a_rubric_sees_of_a_kind_is_in_the_hash() -> None:
    base = _rubric(_variant()).content_hash
    assert base == _rubric(Visit).content_hash
    changed = [
        _variant(label="visit"),
        _variant(rating=attrs.field(type=Literal["good", "bad", "fair"], default="good")),
        _variant(rating=attrs.field(type=Literal["good", "bad"], default="bad")),
        _variant(rating=attrs.field(type=Literal["good", "bad"])),  # now required
        _variant(family=attrs.field(type=str | None, default=None)),  # now optional
        _variant(family=attrs.field(type=int)),  # another kind
        _variant(extra=attrs.field(type=str, default="")),  # one field more
        _variant(family=attrs.field(type=str, init=False, default="x")),  # derived
    ]
    hashes = {_rubric(cls).content_hash for cls in changed}
    assert base not in hashes
    assert len(hashes) == len(changed)
