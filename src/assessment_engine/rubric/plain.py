"""Plain words for conditions and quantities, phrased from the rubric's own labels.

:mod:`~assessment_engine.rubric.describe` writes the rule syntax an author reads
(``member[role=leader, #open_competition]``, ``pb.bonus.x triggered = 是 (yes)``); this module
writes what an office head reads: the labels the rubric gives its rules, indicators,
dimensions, scales and fact kinds (``「党建创新项目」得分``, ``成员 (leader，标签
open_competition) 数 ≥ 1``). Values a rubric states as codes (``national``) stay as they are:
the rubric has no labels for them.

Labels are shown in the office's language — the Chinese part of a ``中文 (English)`` label —
or whole with ``gloss=True``. Never parsed back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, assert_never

import attrs

from .._base.sheets import split_label
from ._rubric import Rubric
from .conditions import (
    AdjustmentPoints,
    AllOf,
    AnyOf,
    Compare,
    Composite,
    Condition,
    Count,
    DimensionBonus,
    DimensionPenalty,
    DimensionScore,
    DistinctCount,
    Field,
    Grade,
    HasTag,
    Headcount,
    IndicatorPoints,
    Largest,
    Mean,
    Not,
    OneOf,
    PenaltyTotal,
    Quantity,
    Ratio,
    Select,
    TeamAttr,
    Total,
    Triggered,
    ValueOf,
    Vetoed,
)
from .describe import describe_value
from .scoring import Parts

__all__ = ["FIELD_WORDS", "Names", "names_of", "plain_condition", "plain_quantity", "plain_value"]

#: Words for the field names the built-in fact kinds share (a field not listed keeps its name).
FIELD_WORDS: Mapping[str, str] = {
    "award": "奖项等级",
    "category": "类别",
    "education": "学历",
    "hours": "时长",
    "kind": "类别",
    "level": "级别",
    "party_status": "政治面貌",
    "role": "角色",
    "severity": "严重程度",
    "status": "状态",
    "value": "数值",
    "department": "部门",
    "name": "名称",
    "id": "编号",
}

_OPS = {"==": "为", "!=": "不为", ">=": "≥", ">": ">", "<=": "≤", "<": "<"}


@attrs.frozen
class Names:
    """The labels of a rubric's objects, by id, and whether labels keep their English gloss.

    :param labels: rule, indicator, part, dimension, scale and title ids → their labels.
    :param kinds: fact kinds → their ``fact_label``.
    :param gloss: show ``中文 (English)`` labels whole (else the Chinese part).
    """

    labels: Mapping[str, str]
    kinds: Mapping[str, str]
    gloss: bool = False

    def label(self, object_id: str) -> str:
        """An object's label in the office's language; its id when it has none."""
        return self.text(self.labels.get(object_id, object_id))

    def kind(self, kind: str) -> str:
        """A fact kind's label (``成员``), or the kind itself."""
        return self.text(self.kinds.get(kind, kind))

    def text(self, label: str) -> str:
        """A ``中文 (English)`` label as shown: whole with ``gloss``, else the Chinese part."""
        return label if self.gloss else split_label(label)[0]


def names_of(rubric: Rubric, *, gloss: bool = False) -> Names:
    """The :class:`Names` of a rubric's objects."""
    labels: dict[str, str] = {}
    groups: tuple[tuple[Any, ...], ...] = (
        rubric.dimensions,
        rubric.indicators,
        rubric.bonuses,
        rubric.penalties,
        rubric.vetoes,
        rubric.titles,
        rubric.grade_scales,
    )
    for group in groups:
        for item in group:
            labels[item.id] = item.label
    for indicator in rubric.indicators:
        if isinstance(indicator.scoring, Parts):
            for part in indicator.scoring.parts:
                labels[part.id] = part.label
    kinds = {kind: str(getattr(cls, "fact_label", kind)) for kind, cls in rubric.fact_types.items()}
    return Names(labels=labels, kinds=kinds, gloss=gloss)


def plain_value(value: object, names: Names) -> str:
    """A value in plain words: ``是``, ``无数据``, numbers exactly, ratios as ``5/9 = 0.5556``."""
    if value is None:
        return names.text("无数据 (missing)")
    return names.text(describe_value(value)) if isinstance(value, bool) else describe_value(value)


def _field(name: str) -> str:
    return FIELD_WORDS.get(name, name)


def _const(value: object, names: Names) -> str:
    return names.text(value) if isinstance(value, str) else plain_value(value, names)


def _filter_words(cond: Condition, names: Names) -> str:
    """A selection's filter as the values it keeps: ``leader，标签 open_competition``."""
    if isinstance(cond, Compare):
        if not isinstance(cond.left, Field):  # a team quantity
            return plain_condition(cond, names)
        value = _const(cond.value, names)
        return value if cond.op == "==" else f"{_field(cond.left.name)} {_OPS[cond.op]} {value}"
    if isinstance(cond, OneOf):
        if not isinstance(cond.left, Field):
            return plain_condition(cond, names)
        return "/".join(sorted(_const(v, names) for v in cond.values))
    if isinstance(cond, HasTag):
        return f"标签 {cond.tag}"
    if isinstance(cond, AllOf):
        return "，".join(_filter_words(c, names) for c in cond.items)
    if isinstance(cond, AnyOf):
        return " 或 ".join(_filter_words(c, names) for c in cond.items)
    if isinstance(cond, Not):
        return f"非（{_filter_words(cond.item, names)}）"
    assert_never(cond)


def plain_select(select: Select, names: Names) -> str:
    """``成员（leader，标签 open_competition）``: the kind's label and the values kept."""
    kind = names.kind(select.kind)
    if select.where is None:
        return kind
    return f"{kind}（{_filter_words(select.where, names)}）"


def plain_quantity(q: Quantity, names: Names) -> str:
    """``成员（党员）数``, ``人均 志愿服务时长``, ``「党建创新项目」得分``."""
    if isinstance(q, Count):
        return f"{plain_select(q.select, names)}数"
    if isinstance(q, Total):
        return f"{plain_select(q.select, names)}{_field(q.field)}合计"
    if isinstance(q, Mean):
        return f"{plain_select(q.select, names)}平均{_field(q.field)}"
    if isinstance(q, Largest):
        return f"{plain_select(q.select, names)}最高{_field(q.field)}"
    if isinstance(q, DistinctCount):
        return f"{plain_select(q.select, names)}不同{_field(q.field)}数"
    if isinstance(q, ValueOf):
        return f"{plain_select(q.select, names)}{_field(q.field)}"
    if isinstance(q, Headcount):
        return "人数"
    if isinstance(q, TeamAttr):
        return f"班组{_field(q.field)}"
    if isinstance(q, Ratio):
        if isinstance(q.denominator, Headcount):
            return f"人均{plain_quantity(q.numerator, names)}"
        return f"{plain_quantity(q.numerator, names)} ÷ {plain_quantity(q.denominator, names)}"
    if isinstance(q, IndicatorPoints):
        return f"「{names.label(q.indicator)}」得分"
    if isinstance(q, AdjustmentPoints):
        return f"「{names.label(q.rule)}」分值"
    if isinstance(q, Triggered):
        return f"「{names.label(q.rule)}」"
    if isinstance(q, DimensionScore):
        return f"{names.label(q.dimension)}得分"
    if isinstance(q, DimensionBonus):
        return f"{names.label(q.dimension)}加分"
    if isinstance(q, DimensionPenalty):
        return f"{names.label(q.dimension)}扣分"
    if isinstance(q, PenaltyTotal):
        return "扣分合计"
    if isinstance(q, Composite):
        return "综合得分"
    if isinstance(q, Vetoed):
        return "一票否决"
    if isinstance(q, Grade):
        return names.label(q.scale)
    assert_never(q)


def _flag(cond: Compare, names: Names) -> str | None:
    """A flag compared with yes or no, as a statement: ``「x」得分`` / ``「x」未得分``."""
    if not isinstance(cond.value, bool) or cond.op not in ("==", "!="):
        return None
    held = cond.value == (cond.op == "==")
    if isinstance(cond.left, Triggered):
        return f"{plain_quantity(cond.left, names)}{'得分' if held else '未得分'}"
    if isinstance(cond.left, Vetoed):
        return "一票否决" if held else "未被一票否决"
    return None


def _exists(cond: Compare, names: Names) -> str | None:
    """``count of X > 0`` (or ``≥ 1``) as ``有 X``; ``= 0`` as ``没有 X``."""
    if not isinstance(cond.left, Count) or isinstance(cond.value, bool):
        return None
    what = plain_select(cond.left.select, names)
    key: tuple[str, object] = (cond.op, cond.value)
    if key in ((">", 0), (">=", 1)):
        return f"有{what}"
    if key in (("==", 0), ("<", 1), ("<=", 0)):
        return f"没有{what}"
    return None


def plain_condition(cond: Condition, names: Names) -> str:
    """A condition as a statement: ``「党建创新项目 局级」得分``, ``综合得分 ≥ 85``."""
    if isinstance(cond, Compare):
        if isinstance(cond.left, Field):
            return f"{_field(cond.left.name)} {_OPS[cond.op]} {_const(cond.value, names)}"
        found = _flag(cond, names) or _exists(cond, names)
        if found is not None:
            return found
        return f"{plain_quantity(cond.left, names)} {_OPS[cond.op]} {_const(cond.value, names)}"
    if isinstance(cond, OneOf):
        left = (
            _field(cond.left.name)
            if isinstance(cond.left, Field)
            else plain_quantity(cond.left, names)
        )
        values = "、".join(sorted(_const(v, names) for v in cond.values))
        return f"{left} 为 {values} 之一"
    if isinstance(cond, HasTag):
        return f"有标签 {cond.tag}"
    if isinstance(cond, AllOf):
        return "同时满足：" + "；".join(plain_condition(c, names) for c in cond.items)
    if isinstance(cond, AnyOf):
        return "以下任一项：" + "；".join(plain_condition(c, names) for c in cond.items)
    if isinstance(cond, Not):
        return f"并非（{plain_condition(cond.item, names)}）"
    assert_never(cond)
