"""The reasons of an explanation in plain words, for a reader who never wrote a rule.

A :class:`~assessment_engine.results.Line` carries the rule it comes from (``source``: the id of
an indicator, a part or a bonus or penalty rule, with ``#cap``, ``#max``, ``#floor``,
``#deduct{i}``, ``#assessor`` or ``#group`` for the lines a form adds) and its reason in the rule
syntax an author reads
(``member[role=leader, #open_competition]: 取最高一项 (best of 1 items) = 6``).
:class:`Reasons` finds the rule's scoring form in the rubric and says the same in the rubric's
words: ``1 项成员，取最高一项 6 分``. The numbers the reason holds (a per-capita value, which
band was reached, which conditions held) are read back from it by rebuilding the author's text
with :mod:`assessment_engine.rubric.describe`, the functions that wrote it; a reason that does
not match is shown as it is, its English glosses dropped — never wrong, at worst technical.
"""

from __future__ import annotations

import re
from typing import Any, assert_never

from .._base.numbers import exact_text
from ..results import FactRef, GradeResult, Line
from ..rubric import (
    AllOf,
    AssessorScore,
    Bands,
    BestItem,
    Bonus,
    Condition,
    Deduct,
    Highest,
    Linear,
    Parts,
    Penalty,
    PerItem,
    PointsBy,
    Rubric,
    Scoring,
    Title,
    WhenAll,
)
from ..rubric.describe import describe_condition, describe_quantity, describe_value
from ..rubric.plain import FIELD_WORDS, Names, plain_condition

__all__ = ["Reasons", "drop_glosses"]

#: A parenthesised English gloss inside a sentence: `` (composite)``, `` (tied on …)``.
_GLOSS = re.compile(r" \((?=[A-Za-z])[^()\u4e00-\u9fff]*(?:\([^()]*\)[^()\u4e00-\u9fff]*)*\)")


def drop_glosses(text: str) -> str:
    """One of the engine's sentences without its English glosses: ``综合得分 45``."""
    return _GLOSS.sub("", text)


class Reasons:
    """Plain reasons for the lines of one rubric's explanations.

    :param rubric: the rubric the report was assessed with.
    :param names: its labels, in the language the page shows.
    """

    def __init__(self, rubric: Rubric, names: Names) -> None:
        self.names = names
        self.forms: dict[str, Any] = {}
        for indicator in rubric.indicators:
            self.forms[indicator.id] = indicator.scoring
            if isinstance(indicator.scoring, Parts):
                for part in indicator.scoring.parts:
                    self.forms[part.id] = part.scoring
        rules: tuple[Bonus | Penalty, ...] = (*rubric.bonuses, *rubric.penalties)
        for rule in rules:
            self.forms[rule.id] = rule.scoring
            if isinstance(rule.scoring, Parts):
                for part in rule.scoring.parts:
                    self.forms[part.id] = part.scoring
        self.titles: tuple[Title, ...] = rubric.titles
        self.scales = {scale.id: scale for scale in rubric.grade_scales}
        self.rules = {r.id: r.label for r in rules}

    # ------------------------------------------------------------------ text
    def text(self, label: str) -> str:
        """A label or one of the engine's sentences, in the page's language."""
        return self._sentence(label)

    def _sentence(self, text: str) -> str:
        if self.names.gloss:
            return text
        head = self.names.text(text)  # a whole "中文 (English)" label
        return head if head != text else drop_glosses(text)

    # ------------------------------------------------------------------ lines
    def line(self, line: Line) -> str:
        """The line's reason in plain words (its own reason, glosses dropped, when unknown)."""
        try:
            found = self._line(line)
        except (ValueError, IndexError, KeyError):
            found = None
        return found if found is not None else self._sentence(line.reason)

    def _line(self, line: Line) -> str | None:
        owner, _, suffix = line.source.partition("#")
        form = self.forms.get(owner)
        pts = exact_text(abs(line.points))
        if suffix in ("cap", "max"):  # the label ends in the cap: 封顶 (cap) 10
            return f"封顶：最多计 {line.label.rpartition(' ')[2]} 分"
        if suffix == "floor":
            floor = form.floor if isinstance(form, Deduct) and form.floor is not None else 0
            return f"扣完为止：不低于 {exact_text(floor)} 分"
        if suffix == "group":
            winner = line.reason.rpartition(" ")[2]
            return f"同组只计一项：已计「{self.names.text(self.rules.get(winner, winner))}」"
        if suffix.startswith("deduct") and isinstance(form, Deduct):
            deduction = form.deductions[int(suffix[len("deduct") :])]
            if deduction.select is not None:
                count = len(line.facts)
                return f"{count} 次，每次扣 {exact_text(deduction.points)} 分，共扣 {pts} 分"
            if line.points:
                return f"发生，扣 {exact_text(deduction.points)} 分"
            return "未发生，不扣分"
        if suffix == "assessor" and isinstance(form, Deduct) and form.assessor is not None:
            most = exact_text(form.assessor.maximum)
            if not line.facts:
                return f"未录入酌情扣分，不扣分（最多扣 {most} 分）"
            return f"评委酌情扣 {pts} 分（最多扣 {most} 分）"
        if suffix:
            return None
        return self._form(form, line)

    def _form(self, form: Scoring | None, line: Line) -> str | None:
        names = self.names
        pts = exact_text(abs(line.points))  # a penalty's lines are negative: its sign is shown
        count = len(line.facts)
        if isinstance(form, PerItem | BestItem):
            kind = names.kind(form.select.kind)
            if isinstance(form, BestItem):
                if not count:
                    return f"没有符合条件的{kind}记录，0 分"
                return f"{count} 项{kind}，取最高一项 {pts} 分"
            if isinstance(form.points, PointsBy):
                field = FIELD_WORDS.get(form.points.field, form.points.field)
                return f"{count} 项{kind}，按{field}计分，合计 {pts} 分"
            each = exact_text(form.points)
            return f"{count} 项{kind}，每项 {each} 分，合计 {pts} 分"
        if isinstance(form, Linear):
            value = self._value(describe_quantity(form.quantity), line.reason, (", × ", ": "))
            if value is None:
                return None
            per = exact_text(form.points)
            if form.unit is None:
                return f"实际 {value}，每 1 计 {per} 分，合计 {pts} 分"
            return f"实际 {value}，每满 {exact_text(form.unit)} 计 {per} 分，合计 {pts} 分"
        if isinstance(form, Bands):
            return self._bands(form, line)
        if isinstance(form, Deduct):
            return f"基础分 {exact_text(form.base)}，有扣分项时扣减"
        if isinstance(form, AssessorScore):
            if not line.facts:
                return "未录入评分，0 分"
            return f"评分 {pts} 分（满分 {exact_text(form.maximum)}）"
        if isinstance(form, WhenAll):
            marks = self._marks(form.conditions, line.reason)
            if marks is None:
                return None
            checks = "；".join(
                f"{'✓' if held else '✗'} {plain_condition(c, names)}"
                for c, held in zip(form.conditions, marks, strict=True)
            )
            verdict = "全部满足" if all(marks) else "未全部满足"
            return f"{verdict}，{pts} 分：{checks}"
        if isinstance(form, Highest):
            held = [
                names.text(o.label)
                for o in form.options
                if f"{o.label} {exact_text(o.points)}" in line.reason
            ]
            if not held:
                return "没有符合的项，0 分"
            return f"符合：{'、'.join(held)}；取最高 {pts} 分（不累计）"
        if isinstance(form, Parts) or form is None:  # a part's lines name the part
            return None
        assert_never(form)

    def _value(self, what: str, reason: str, ends: tuple[str, ...]) -> str | None:
        """The value the reason states for ``what`` (``what = VALUE<end>…``), in plain words."""
        start = f"{what} = "
        if not reason.startswith(start):
            return None
        rest = reason[len(start) :]
        for end in ends:
            if end in rest:
                return self._plain_value(rest.rsplit(end, 1)[0])
        return None

    def _plain_value(self, shown: str) -> str:
        if shown == describe_value(None):
            return self.names.text("无数据 (missing)")
        return self.names.text(shown)

    def _bands(self, form: Bands, line: Line) -> str | None:
        what = describe_quantity(form.quantity)
        lowest = form.bands[-1]
        below = (
            f", below every band ({'>' if lowest.strict else '≥'} {exact_text(lowest.threshold)})"
        )
        if line.reason.endswith(below):
            value = self._value(what, line.reason, (below,))
            op = ">" if lowest.strict else "≥"
            return (
                f"实际 {value}，未达到最低一档（{op} {exact_text(lowest.threshold)}），"
                f"{exact_text(form.otherwise)} 分"
            )
        for band in form.bands:
            op = ">" if band.strict else "≥"
            tail = f" {op} {exact_text(band.threshold)} → {exact_text(band.points)}"
            if line.reason.endswith(tail):
                value = self._value(what, line.reason, (tail,))
                if value is None:
                    return None
                edge = f"{op} {exact_text(band.threshold)}"
                return f"实际 {value}，达到「{edge}」一档，{exact_text(band.points)} 分"
        return None

    @staticmethod
    def _marks(conditions: tuple[Condition, ...], reason: str) -> list[bool] | None:
        """Which conditions the reason marks ✓, rebuilt in order from their descriptions."""
        marks, at = [], 0
        for cond in conditions:
            text = describe_condition(cond)
            yes, no = reason.find(f"✓ {text}", at), reason.find(f"✗ {text}", at)
            if yes < 0 and no < 0:
                return None
            held = yes >= 0 and (no < 0 or yes < no)
            marks.append(held)
            at = (yes if held else no) + len(text)
        return marks

    # ------------------------------------------------------------------ facts
    def fact(self, line: Line | None, ref: FactRef) -> str:
        """What about a fact counted: ``national · 2 分`` for ``level=national → 2``."""
        detail = ref.detail
        if not detail or line is None:
            return self._sentence(detail)
        form = self.forms.get(line.source.partition("#")[0])
        points = getattr(form, "points", None)
        if isinstance(points, PointsBy) and detail.startswith(points.field + "="):
            value, arrow, got = detail[len(points.field) + 1 :].rpartition(" → ")
            if arrow:
                shown = self.names.text("未填 (not given)") if value == "None" else value
                return f"{shown} · {got} 分"
        return self._sentence(detail)

    # ------------------------------------------------------------------ notes
    def title_note(self, note: str) -> str:
        """Why a title was missed, in the rubric's words."""
        for title in self.titles:
            head = f"{title.label}: 条件未满足 (condition not met): "
            if note.startswith(head) and title.when is not None:
                rest = note[len(head) :]
                items = title.when.items if isinstance(title.when, AllOf) else (title.when,)
                unmet = []
                for item in items:
                    text = describe_condition(item)
                    if text not in rest:
                        continue
                    after = rest.split(text, 1)[1]
                    value = ""
                    if after.startswith(" (is "):  # "… (is VALUE)", then "; " or the end
                        shown = after[5:]
                        end = shown.find("); ")
                        shown = shown[:end] if end >= 0 else shown.removesuffix(")")
                        value = f"（现为 {self._plain_value(shown)}）"
                    unmet.append(f"{plain_condition(item, self.names)}{value}")
                if unmet:
                    return f"{self.names.text(title.label)}：未满足 — " + "；".join(unmet)
            if note.startswith(f"{title.label}: 名额已满"):
                return f"{self.names.text(title.label)}：名额已满，已授予排名更前的班组"
        return self._sentence(note)

    def grade(self, result: GradeResult) -> str:
        """Why a grade was given, in the rubric's words: ``党建得分 76.5 ≥ 60``."""
        reason = result.reason
        if result.of is not None:
            what = f"{result.of} 得分 (score)"
            reason = reason.replace(what, f"{self.names.label(result.of)}得分 (score)")
        scale = self.scales.get(result.scale)
        for band in scale.bands if scale is not None else ():
            if band.requires is not None:
                needs = f" but {band.label} also requires {describe_condition(band.requires)}"
                plain = plain_condition(band.requires, self.names)
                words = f"，但「{self.names.text(band.label)}」还要求{plain}"
                reason = reason.replace(needs, words)
        return self._sentence(reason)

    def requirement(self, condition: Condition | None) -> str:
        """A grade band's or a title's condition in plain words."""
        return "" if condition is None else plain_condition(condition, self.names)
