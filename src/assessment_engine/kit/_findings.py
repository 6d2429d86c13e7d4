"""The finding type and the places in a rubric that findings are about."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Final, Literal

import attrs

from ..rubric import Rubric
from ..rubric.model import Bonus, Indicator, Penalty
from ..rubric.scoring import Part, Parts, Scoring
from ..rubric.walk import parts_in

__all__ = ["SEVERITIES", "Finding", "Severity", "Site", "places", "sites", "sort_findings"]

Severity = Literal["error", "warning", "info"]
#: The severities, most serious first (the order of :func:`check_rubric`'s result).
SEVERITIES: Final[tuple[Severity, ...]] = ("error", "warning", "info")


@attrs.frozen
class Finding:
    """One problem (or remark) about a rubric, for its author.

    :param severity: ``"error"`` (the rubric is inconsistent: fix it before it decides anyone's
        standing), ``"warning"`` (almost certainly not what was meant) or ``"info"`` (worth a
        look; often intended).
    :param subject: the id at fault: an indicator, part, bonus, penalty, veto, title, quota,
        grade scale, dimension or fact kind, or ``"weights"``.
    :param check: the stable name of the check that found it, e.g. ``"dimension-total"``.
    :param message: what is wrong and what to change, in words a rubric author understands.
    """

    severity: Severity = attrs.field(validator=attrs.validators.in_(SEVERITIES))
    subject: str = attrs.field(validator=attrs.validators.instance_of(str))
    check: str = attrs.field(validator=attrs.validators.instance_of(str))
    message: str = attrs.field(validator=attrs.validators.instance_of(str))

    def __str__(self) -> str:
        return f"{self.severity}: {self.subject}: {self.message} [{self.check}]"


def sort_findings(findings: list[Finding]) -> tuple[Finding, ...]:
    """Deduplicated, by severity (errors first), then subject, then check, then message."""
    return tuple(
        sorted(
            set(findings),
            key=lambda f: (SEVERITIES.index(f.severity), f.subject, f.check, f.message),
        )
    )


@attrs.frozen
class Site:
    """Where a scoring form sits: a whole indicator/bonus/penalty, or one part of it."""

    subject: str
    form: Scoring
    owner: Indicator | Bonus | Penalty
    part: Part | None = None

    @property
    def ceiling(self) -> Decimal | None:
        """The most the form's points can count for: the part's cap and the indicator's max."""
        limits = []
        if self.part is not None and self.part.cap is not None:
            limits.append(self.part.cap)
        if isinstance(self.owner, Indicator):
            limits.append(self.owner.max)
        return min(limits) if limits else None

    @property
    def what(self) -> str:
        """``part pb.develop.share of indicator pb.develop``, ``bonus pb.bonus.media``."""
        kind = type(self.owner).__name__.lower()
        if self.part is None:
            return f"{kind} {self.owner.id}"
        return f"part {self.part.id} of {kind} {self.owner.id}"


def sites(rubric: Rubric) -> Iterator[Site]:
    """Every scoring form of the rubric that is not a :class:`Parts`, with its place."""
    owners: list[Indicator | Bonus | Penalty] = [
        *rubric.indicators,
        *rubric.bonuses,
        *rubric.penalties,
    ]
    for owner in owners:
        if isinstance(owner.scoring, Parts):
            for part in parts_in(owner.scoring):  # nested parts: each leaf part is a site
                if not isinstance(part.scoring, Parts):
                    yield Site(part.id, part.scoring, owner, part)
        else:
            yield Site(owner.id, owner.scoring, owner)


def places(rubric: Rubric) -> list[tuple[str, object]]:
    """``(subject, rubric data)`` for everything that can hold a selection or a condition."""
    found: list[tuple[str, object]] = [(s.subject, s.form) for s in sites(rubric)]
    found += [(v.id, v.when) for v in rubric.vetoes]
    found += [(t.id, t.when) for t in rubric.titles]
    found += [(s.id, s.bands) for s in rubric.grade_scales]
    found.append(("ranking", rubric.ranking))
    return found
